/* SPDX-License-Identifier: GPL-2.0-only */
/* A small JSON reader (lpctl reads lp-build's manifests) and writer (the
 * manifest, lpctl status --json). Failures return NULL, never exit. */
#ifndef LPB_JSON_H
#define LPB_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum json_type { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT };

struct json {
	enum json_type type;
	char *key; /* member name inside an object */
	bool b;
	double num;
	char *str;
	struct json **items; /* array elements or object members, in order */
	size_t n;
};

/* Parse @len bytes; NULL with a reason (and the byte offset) in @why. */
struct json *json_parse(const char *text, size_t len, char *why, size_t why_len);
void json_free(struct json *j);

/* Member @key of object @obj (NULL if @obj is not an object or lacks it). */
const struct json *json_get(const struct json *obj, const char *key);
/* The string member @key, or NULL when absent or not a string. */
const char *json_get_str(const struct json *obj, const char *key);

/* Writer: tracks commas and nesting. Keys are ignored inside arrays. */
struct json_writer {
	FILE *f;
	int depth;
	bool need_comma[32];
};

void jw_begin_object(struct json_writer *w, const char *key);
void jw_begin_array(struct json_writer *w, const char *key);
void jw_end_object(struct json_writer *w);
void jw_end_array(struct json_writer *w);
void jw_string(struct json_writer *w, const char *key, const char *val); /* NULL: null */
void jw_int(struct json_writer *w, const char *key, long long val);
void jw_double(struct json_writer *w, const char *key, double val, int decimals);
void jw_bool(struct json_writer *w, const char *key, bool val);
void jw_null(struct json_writer *w, const char *key);

#endif /* LPB_JSON_H */
