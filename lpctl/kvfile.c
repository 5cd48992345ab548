// SPDX-License-Identifier: GPL-2.0-only
/* Checksummed key/value state files. Values are escaped (\\, \n) so every
 * record is one line; the last line is "checksum=sha256:HEX" over all the
 * bytes before it. A file without that line was cut short. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kvfile.h"
#include "util.h"

#define CHECKSUM_PREFIX "checksum=sha256:"

void kv_add(struct kvfile *f, const char *key, const char *val)
{
	if (f->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 16;
		f->v = xrealloc(f->v, f->cap * sizeof(*f->v));
	}
	f->v[f->n].key = xstrdup(key);
	f->v[f->n].val = xstrdup(val);
	f->n++;
}

void kv_set(struct kvfile *f, const char *key, const char *val)
{
	for (size_t i = 0; i < f->n; i++) {
		if (!strcmp(f->v[i].key, key)) {
			free(f->v[i].val);
			f->v[i].val = xstrdup(val);
			return;
		}
	}
	kv_add(f, key, val);
}

void kv_setf(struct kvfile *f, const char *key, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	kv_set(f, key, s ? s : "");
	free(s);
}

const char *kv_get(const struct kvfile *f, const char *key)
{
	for (size_t i = 0; i < f->n; i++)
		if (!strcmp(f->v[i].key, key))
			return f->v[i].val;
	return NULL;
}

void kvfile_free(struct kvfile *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->v[i].key);
		free(f->v[i].val);
	}
	free(f->v);
	free(f->kind);
	*f = (struct kvfile){ 0 };
}

static void put_escaped(FILE *m, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\\\", m);
		else if (*s == '\n')
			fputs("\\n", m);
		else if (*s == '\r')
			fputs("\\r", m);
		else
			fputc(*s, m);
	}
}

char *kvfile_format(const struct kvfile *f, size_t *len)
{
	char hex[SHA256_HEX_LEN + 1];
	char *buf = NULL;
	size_t n = 0;
	FILE *m = open_memstream(&buf, &n);

	if (!m)
		return NULL;
	fprintf(m, "# lpctl %s v1\n", f->kind ? f->kind : "state");
	for (size_t i = 0; i < f->n; i++) {
		fprintf(m, "%s=", f->v[i].key);
		put_escaped(m, f->v[i].val);
		fputc('\n', m);
	}
	fflush(m);
	sha256_hex(buf, n, hex);
	fprintf(m, CHECKSUM_PREFIX "%s\n", hex);
	if (fclose(m)) {
		free(buf);
		return NULL;
	}
	*len = n;
	return buf;
}

static char *unescape(const char *s, size_t len)
{
	char *out = xcalloc(1, len + 1), *o = out;

	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\\' && i + 1 < len) {
			i++;
			*o++ = s[i] == 'n' ? '\n' : s[i] == 'r' ? '\r' : s[i];
		} else {
			*o++ = s[i];
		}
	}
	return out;
}

int kvfile_parse(const char *text, size_t len, struct kvfile *f, char *why, size_t why_len)
{
	char hex[SHA256_HEX_LEN + 1];
	const char *end = text + len, *last, *p;
	size_t body;

	*f = (struct kvfile){ 0 };
	/* the last line: the checksum over everything before it */
	if (len == 0 || text[len - 1] != '\n' || memchr(text, 0, len)) {
		snprintf(why, why_len, "incomplete: %s",
			 len ? "does not end with a full line" : "empty file");
		return -EBADMSG;
	}
	last = end - 1;
	while (last > text && last[-1] != '\n')
		last--;
	if (!str_has_prefix(last, CHECKSUM_PREFIX) ||
	    (size_t)(end - 1 - last) != strlen(CHECKSUM_PREFIX) + SHA256_HEX_LEN) {
		snprintf(why, why_len, "incomplete: no checksum line (truncated or half-written)");
		return -EBADMSG;
	}
	body = last - text;
	sha256_hex(text, body, hex);
	if (memcmp(hex, last + strlen(CHECKSUM_PREFIX), SHA256_HEX_LEN)) {
		snprintf(why, why_len, "checksum mismatch: the content was changed or damaged");
		return -EBADMSG;
	}
	if (!str_has_prefix(text, "# lpctl ")) {
		snprintf(why, why_len, "no '# lpctl' header line");
		return -EBADMSG;
	}
	p = text + strlen("# lpctl ");
	f->kind = strndup(p, strcspn(p, " \n"));
	p = strchr(p, '\n') + 1;
	for (int line = 2; p < last; line++) {
		const char *nl = memchr(p, '\n', last - p), *eq;
		size_t klen;

		eq = memchr(p, '=', nl - p);
		klen = eq ? (size_t)(eq - p) : 0;
		if (!klen || strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789_") != klen) {
			snprintf(why, why_len, "line %d is not a key=value record", line);
			kvfile_free(f);
			return -EBADMSG;
		}
		char *key = strndup(p, klen), *val = unescape(eq + 1, nl - eq - 1);

		kv_add(f, key, val);
		free(key);
		free(val);
		p = nl + 1;
	}
	return 0;
}

int kvfile_write(const char *path, const struct kvfile *f)
{
	size_t len;
	char *buf = kvfile_format(f, &len);
	int ret;

	if (!buf)
		return -ENOMEM;
	ret = write_file_atomic(path, buf, len, 0600);
	free(buf);
	return ret;
}

int kvfile_read(const char *path, struct kvfile *f, char *why, size_t why_len)
{
	uint8_t *data;
	size_t len;
	int ret;

	*f = (struct kvfile){ 0 };
	ret = read_path(path, 16 << 20, &data, &len);
	if (ret) {
		snprintf(why, why_len, "%s", strerror(-ret));
		return ret;
	}
	ret = kvfile_parse((char *)data, len, f, why, why_len);
	free(data);
	return ret;
}
