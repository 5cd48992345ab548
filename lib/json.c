// SPDX-License-Identifier: GPL-2.0-only
/* JSON: a recursive-descent reader with a depth limit (lpctl reads manifests,
 * untrusted until their module is verified) and a streaming pretty writer. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

#define JSON_MAX_DEPTH 32

struct parser {
	const char *s, *end;
	const char *err;
	int depth;
};

static void skip_ws(struct parser *p)
{
	while (p->s < p->end && *p->s && strchr(" \t\r\n", *p->s))
		p->s++;
}

static struct json *node(struct parser *p, enum json_type t)
{
	struct json *j = calloc(1, sizeof(*j));

	if (!j) {
		p->err = "out of memory";
		return NULL;
	}
	j->type = t;
	return j;
}

static int push(struct parser *p, struct json *parent, struct json *child)
{
	struct json **items = realloc(parent->items, (parent->n + 1) * sizeof(*items));

	if (!items) {
		p->err = "out of memory";
		return -1;
	}
	parent->items = items;
	parent->items[parent->n++] = child;
	return 0;
}

static int hex4(const char *s, unsigned int *v)
{
	*v = 0;
	for (int i = 0; i < 4; i++) {
		char c = s[i];

		*v <<= 4;
		if (c >= '0' && c <= '9')
			*v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			*v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			*v |= c - 'A' + 10;
		else
			return -1;
	}
	return 0;
}

static void put_utf8(char **o, unsigned int cp)
{
	char *q = *o;

	if (cp < 0x80) {
		*q++ = cp;
	} else if (cp < 0x800) {
		*q++ = 0xc0 | cp >> 6;
		*q++ = 0x80 | (cp & 0x3f);
	} else if (cp < 0x10000) {
		*q++ = 0xe0 | cp >> 12;
		*q++ = 0x80 | (cp >> 6 & 0x3f);
		*q++ = 0x80 | (cp & 0x3f);
	} else {
		*q++ = 0xf0 | cp >> 18;
		*q++ = 0x80 | (cp >> 12 & 0x3f);
		*q++ = 0x80 | (cp >> 6 & 0x3f);
		*q++ = 0x80 | (cp & 0x3f);
	}
	*o = q;
}

static char *parse_string(struct parser *p)
{
	const char *s = ++p->s; /* past the opening quote */
	char *out, *o;

	/* unescaped text is never longer than the escaped text */
	while (p->s < p->end && *p->s != '"') {
		if ((unsigned char)*p->s < 0x20) {
			p->err = "control character in a string";
			return NULL;
		}
		p->s += *p->s == '\\' ? 2 : 1;
	}
	if (p->s >= p->end) {
		p->err = "unterminated string";
		return NULL;
	}
	o = out = calloc(1, p->s - s + 1);
	if (!out) {
		p->err = "out of memory";
		return NULL;
	}
	while (s < p->s) {
		unsigned int cp, lo;

		if (*s != '\\') {
			*o++ = *s++;
			continue;
		}
		s++;
		switch (*s++) {
		case '"':
			*o++ = '"';
			break;
		case '\\':
			*o++ = '\\';
			break;
		case '/':
			*o++ = '/';
			break;
		case 'b':
			*o++ = '\b';
			break;
		case 'f':
			*o++ = '\f';
			break;
		case 'n':
			*o++ = '\n';
			break;
		case 'r':
			*o++ = '\r';
			break;
		case 't':
			*o++ = '\t';
			break;
		case 'u':
			if (p->s - s < 4 || hex4(s, &cp))
				goto bad;
			s += 4;
			if (cp >= 0xd800 && cp < 0xdc00 && p->s - s >= 6 && s[0] == '\\' &&
			    s[1] == 'u' && !hex4(s + 2, &lo) && lo >= 0xdc00 && lo < 0xe000) {
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				s += 6;
			}
			if (!cp)
				goto bad; /* NUL inside a C string */
			put_utf8(&o, cp);
			break;
		default:
			goto bad;
		}
	}
	p->s++; /* closing quote */
	return out;
bad:
	p->err = "bad escape in a string";
	free(out);
	return NULL;
}

static struct json *parse_value(struct parser *p);

static struct json *parse_container(struct parser *p, bool object)
{
	struct json *j = node(p, object ? JSON_OBJECT : JSON_ARRAY);
	char close = object ? '}' : ']';

	if (!j)
		return NULL;
	if (++p->depth > JSON_MAX_DEPTH) {
		p->err = "nested too deeply";
		goto err;
	}
	p->s++;
	skip_ws(p);
	if (p->s < p->end && *p->s == close) {
		p->s++;
		p->depth--;
		return j;
	}
	for (;;) {
		char *key = NULL;
		struct json *v;

		skip_ws(p);
		if (object) {
			if (p->s >= p->end || *p->s != '"') {
				p->err = "expected a member name";
				goto err;
			}
			key = parse_string(p);
			if (!key)
				goto err;
			skip_ws(p);
			if (p->s >= p->end || *p->s != ':') {
				free(key);
				p->err = "expected ':'";
				goto err;
			}
			p->s++;
		}
		v = parse_value(p);
		if (!v) {
			free(key);
			goto err;
		}
		v->key = key;
		if (push(p, j, v)) {
			json_free(v);
			goto err;
		}
		skip_ws(p);
		if (p->s < p->end && *p->s == ',') {
			p->s++;
			continue;
		}
		if (p->s < p->end && *p->s == close) {
			p->s++;
			break;
		}
		p->err = object ? "expected ',' or '}'" : "expected ',' or ']'";
		goto err;
	}
	p->depth--;
	return j;
err:
	json_free(j);
	return NULL;
}

static bool take_word(struct parser *p, const char *w)
{
	size_t n = strlen(w);

	if ((size_t)(p->end - p->s) < n || memcmp(p->s, w, n))
		return false;
	p->s += n;
	return true;
}

static struct json *parse_value(struct parser *p)
{
	struct json *j;

	skip_ws(p);
	if (p->s >= p->end) {
		p->err = "unexpected end of input";
		return NULL;
	}
	switch (*p->s) {
	case '{':
		return parse_container(p, true);
	case '[':
		return parse_container(p, false);
	case '"': {
		char *s = parse_string(p);

		if (!s)
			return NULL;
		j = node(p, JSON_STRING);
		if (j)
			j->str = s;
		else
			free(s);
		return j;
	}
	}
	if (take_word(p, "true")) {
		j = node(p, JSON_BOOL);
		if (j)
			j->b = true;
		return j;
	}
	if (take_word(p, "false"))
		return node(p, JSON_BOOL);
	if (take_word(p, "null"))
		return node(p, JSON_NULL);
	if (*p->s == '-' || (*p->s >= '0' && *p->s <= '9')) {
		char buf[64], *e;
		size_t n = 0;

		while (p->s + n < p->end && strchr("0123456789+-.eE", p->s[n]) && p->s[n])
			n++;
		if (n >= sizeof(buf)) {
			p->err = "bad number";
			return NULL;
		}
		memcpy(buf, p->s, n);
		buf[n] = 0;
		j = node(p, JSON_NUMBER);
		if (!j)
			return NULL;
		j->num = strtod(buf, &e);
		if (*e) {
			json_free(j);
			p->err = "bad number";
			return NULL;
		}
		p->s += n;
		return j;
	}
	p->err = "unexpected character";
	return NULL;
}

struct json *json_parse(const char *text, size_t len, char *why, size_t why_len)
{
	struct parser p = { .s = text, .end = text + len };
	struct json *j = parse_value(&p);

	if (j) {
		skip_ws(&p);
		if (p.s != p.end) {
			p.err = "trailing characters after the value";
			json_free(j);
			j = NULL;
		}
	}
	if (!j && why)
		snprintf(why, why_len, "%s at byte %zu", p.err ? p.err : "invalid JSON",
			 (size_t)(p.s - text));
	return j;
}

void json_free(struct json *j)
{
	if (!j)
		return;
	for (size_t i = 0; i < j->n; i++)
		json_free(j->items[i]);
	free(j->items);
	free(j->key);
	free(j->str);
	free(j);
}

const struct json *json_get(const struct json *obj, const char *key)
{
	if (!obj || obj->type != JSON_OBJECT)
		return NULL;
	for (size_t i = 0; i < obj->n; i++)
		if (!strcmp(obj->items[i]->key, key))
			return obj->items[i];
	return NULL;
}

const char *json_get_str(const struct json *obj, const char *key)
{
	const struct json *j = json_get(obj, key);

	return j && j->type == JSON_STRING ? j->str : NULL;
}

/* ---- writer ---- */

static void put_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
		if (*c == '"' || *c == '\\')
			fprintf(f, "\\%c", *c);
		else if (*c == '\n')
			fputs("\\n", f);
		else if (*c == '\t')
			fputs("\\t", f);
		else if (*c < 0x20)
			fprintf(f, "\\u%04x", *c);
		else
			fputc(*c, f);
	}
	fputc('"', f);
}

/* Comma, newline, indentation and the key of the next element. */
static void element(struct json_writer *w, const char *key)
{
	if (w->depth > 0) {
		if (w->need_comma[w->depth])
			fputc(',', w->f);
		w->need_comma[w->depth] = true;
		fprintf(w->f, "\n%*s", 2 * w->depth, "");
	}
	if (key && w->depth > 0) {
		put_string(w->f, key);
		fputs(": ", w->f);
	}
}

static void begin(struct json_writer *w, const char *key, char open)
{
	element(w, key);
	fputc(open, w->f);
	if (w->depth + 1 < (int)(sizeof(w->need_comma) / sizeof(w->need_comma[0])))
		w->depth++;
	w->need_comma[w->depth] = false;
}

static void end(struct json_writer *w, char close)
{
	bool had = w->need_comma[w->depth];

	w->depth--;
	if (had)
		fprintf(w->f, "\n%*s", 2 * w->depth, "");
	fputc(close, w->f);
	if (w->depth == 0)
		fputc('\n', w->f);
}

void jw_begin_object(struct json_writer *w, const char *key)
{
	begin(w, key, '{');
}

void jw_begin_array(struct json_writer *w, const char *key)
{
	begin(w, key, '[');
}

void jw_end_object(struct json_writer *w)
{
	end(w, '}');
}

void jw_end_array(struct json_writer *w)
{
	end(w, ']');
}

void jw_string(struct json_writer *w, const char *key, const char *val)
{
	element(w, key);
	if (val)
		put_string(w->f, val);
	else
		fputs("null", w->f);
}

void jw_int(struct json_writer *w, const char *key, long long val)
{
	element(w, key);
	fprintf(w->f, "%lld", val);
}

void jw_double(struct json_writer *w, const char *key, double val, int decimals)
{
	element(w, key);
	fprintf(w->f, "%.*f", decimals, val);
}

void jw_bool(struct json_writer *w, const char *key, bool val)
{
	element(w, key);
	fputs(val ? "true" : "false", w->f);
}

void jw_null(struct json_writer *w, const char *key)
{
	element(w, key);
	fputs("null", w->f);
}
