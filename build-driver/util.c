// SPDX-License-Identifier: GPL-2.0-only
/* Small helpers lp-build's stages share. Allocation failure is fatal here
 * (lp-build is a command, not a library), everything else is reported. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "util.h"

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p) {
		fprintf(stderr, "lp-build: out of memory\n");
		abort();
	}
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p) {
		fprintf(stderr, "lp-build: out of memory\n");
		abort();
	}
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p) {
		fprintf(stderr, "lp-build: out of memory\n");
		abort();
	}
	return p;
}

char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(xmalloc(n), s, n);
}

static char *xvasprintf(const char *fmt, va_list ap)
{
	va_list copy;
	char *s;
	int n;

	va_copy(copy, ap);
	n = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	s = xmalloc(n + 1);
	vsnprintf(s, n + 1, fmt, ap);
	return s;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}

static void sb_grow(struct strbuf *sb, size_t extra)
{
	if (sb->len + extra + 1 <= sb->cap)
		return;
	sb->cap = (sb->len + extra + 1) * 2;
	sb->buf = xrealloc(sb->buf, sb->cap);
}

void sb_addn(struct strbuf *sb, const char *s, size_t n)
{
	sb_grow(sb, n);
	memcpy(sb->buf + sb->len, s, n);
	sb->len += n;
	sb->buf[sb->len] = 0;
}

void sb_adds(struct strbuf *sb, const char *s)
{
	sb_addn(sb, s, strlen(s));
}

void sb_addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	sb_grow(sb, n);
	va_start(ap, fmt);
	vsnprintf(sb->buf + sb->len, n + 1, fmt, ap);
	va_end(ap);
	sb->len += n;
}

/* A C string literal's contents (quotes not included). */
void sb_add_cquoted(struct strbuf *sb, const char *s)
{
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			sb_addf(sb, "\\%c", c);
		else if (c == '\n')
			sb_adds(sb, "\\n");
		else if (c == '\t')
			sb_adds(sb, "\\t");
		else if (c < 0x20 || c == 0x7f)
			sb_addf(sb, "\\%03o", c);
		else
			sb_addn(sb, (const char *)&c, 1);
	}
}

void sb_reset(struct strbuf *sb)
{
	sb->len = 0;
	if (sb->buf)
		sb->buf[0] = 0;
}

void sb_free(struct strbuf *sb)
{
	free(sb->buf);
	*sb = (struct strbuf){ 0 };
}

char *sb_detach(struct strbuf *sb)
{
	char *s = sb->buf ? sb->buf : xstrdup("");

	*sb = (struct strbuf){ 0 };
	return s;
}

void sv_push(struct strvec *sv, const char *s)
{
	if (sv->n + 2 > sv->cap) {
		sv->cap = sv->cap ? sv->cap * 2 : 8;
		sv->v = xrealloc(sv->v, sv->cap * sizeof(*sv->v));
	}
	sv->v[sv->n++] = xstrdup(s);
	sv->v[sv->n] = NULL;
}

void sv_pushf(struct strvec *sv, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	sv_push(sv, s);
	free(s);
}

bool sv_contains(const struct strvec *sv, const char *s)
{
	for (size_t i = 0; i < sv->n; i++)
		if (!strcmp(sv->v[i], s))
			return true;
	return false;
}

struct ss_node {
	struct lpb_hnode node;
	char s[];
};

bool ss_has(const struct strset *set, const char *s)
{
	uint32_t h = lpb_str_hash(s);
	struct lpb_hnode *n;

	lpb_hash_for_each_possible(&set->h, n, h)
		if (!strcmp(container_of(n, struct ss_node, node)->s, s))
			return true;
	return false;
}

bool ss_add(struct strset *set, const char *s)
{
	size_t len = strlen(s);
	struct ss_node *x;

	if (ss_has(set, s))
		return false;
	x = xmalloc(sizeof(*x) + len + 1);
	memcpy(x->s, s, len + 1);
	lpb_hash_add(&set->h, &x->node, lpb_str_hash(s));
	return true;
}

void ss_free(struct strset *set)
{
	for (size_t b = 0; b < set->h.nr_buckets; b++) {
		struct lpb_hnode *n = set->h.buckets[b], *next;

		for (; n; n = next) {
			next = n->next;
			free(container_of(n, struct ss_node, node));
		}
	}
	lpb_hash_free(&set->h);
	*set = (struct strset){ 0 };
}

bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

void sv_free(struct strvec *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	*sv = (struct strvec){ 0 };
}

char *read_file(const char *path, size_t *lenp)
{
	struct strbuf sb = { 0 };
	char chunk[65536];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		fprintf(stderr, "lp-build: cannot open %s: %s\n", path, strerror(errno));
		return NULL;
	}
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		sb_addn(&sb, chunk, n);
	if (n < 0) {
		fprintf(stderr, "lp-build: cannot read %s: %s\n", path, strerror(errno));
		close(fd);
		sb_free(&sb);
		return NULL;
	}
	close(fd);
	if (lenp)
		*lenp = sb.len;
	return sb_detach(&sb);
}

int write_file_atomic(const char *path, const void *data, size_t len, unsigned int mode)
{
	char *tmp = xasprintf("%s.tmp.%d", path, (int)getpid());
	const char *p = data;
	int fd, ret = -1;

	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0) {
		fprintf(stderr, "lp-build: cannot create %s: %s\n", tmp, strerror(errno));
		free(tmp);
		return -1;
	}
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "lp-build: cannot write %s: %s\n", tmp, strerror(errno));
			goto out;
		}
		p += n;
		len -= n;
	}
	if (fsync(fd) || close(fd)) {
		fd = -1;
		fprintf(stderr, "lp-build: cannot write %s: %s\n", tmp, strerror(errno));
		goto out;
	}
	fd = -1;
	if (rename(tmp, path)) {
		fprintf(stderr, "lp-build: cannot rename %s to %s: %s\n", tmp, path,
			strerror(errno));
		goto out;
	}
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	if (ret)
		unlink(tmp);
	free(tmp);
	return ret;
}

int copy_file(const char *from, const char *to)
{
	struct stat st;
	size_t len;
	char *data = read_file(from, &len);
	int ret;

	if (!data)
		return -1;
	ret = stat(from, &st) ? -1 : write_file_atomic(to, data, len, st.st_mode & 07777);
	free(data);
	return ret;
}

int link_or_copy(const char *from, const char *to)
{
	char *dir = xstrdup(to), *slash = strrchr(dir, '/');

	if (slash) {
		*slash = 0;
		mkdir_p(dir);
	}
	free(dir);
	unlink(to);
	if (!link(from, to))
		return 0;
	return copy_file(from, to);
}

int mkdir_p(const char *path)
{
	char buf[PATH_MAX];
	size_t n = strlen(path);

	if (n >= sizeof(buf))
		return -1;
	memcpy(buf, path, n + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(buf, 0755) && errno != EEXIST)
			goto fail;
		*p = '/';
	}
	if (mkdir(buf, 0755) && errno != EEXIST)
		goto fail;
	return 0;
fail:
	fprintf(stderr, "lp-build: cannot create directory %s: %s\n", buf, strerror(errno));
	return -1;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path) && errno != ENOENT ? -1 : 0;
}

int remove_tree(const char *path)
{
	if (!path_exists(path))
		return 0;
	if (nftw(path, rm_one, 32, FTW_DEPTH | FTW_PHYS)) {
		fprintf(stderr, "lp-build: cannot remove %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

bool path_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

char *real_path(const char *path)
{
	char *r = realpath(path, NULL);

	if (!r)
		fprintf(stderr, "lp-build: %s: %s\n", path, strerror(errno));
	return r;
}

static void hex(const unsigned char *md, unsigned int n, char *out)
{
	for (unsigned int i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", md[i]);
}

void sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	EVP_Digest(data, len, md, &n, EVP_sha256(), NULL);
	hex(md, n, out);
}

int sha256_file(const char *path, char out[65])
{
	size_t len;
	char *data = read_file(path, &len);

	if (!data)
		return -1;
	sha256_hex(data, len, out);
	free(data);
	return 0;
}

double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}
