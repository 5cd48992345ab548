// SPDX-License-Identifier: GPL-2.0-only
/* Line pinning: aligns the lines of a source before and after a patch (Myers'
 * diff) and writes #line directives so that unchanged lines keep their numbers. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "line-pin.h"

/* Beyond this many differing lines the alignment (O(D^2) memory) is not
 * worth it: such a rewrite is not a line shift. */
#define MAX_EDITS 4000
#define UNKNOWN (-1L)

struct line {
	const char *s;
	size_t len; /* without the newline */
	uint64_t hash;
};

struct lines {
	struct line *v;
	size_t n;
};

static uint64_t hash_bytes(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h;
}

static int split_lines(const char *text, size_t len, struct lines *out)
{
	size_t cap = 64, i = 0;

	out->n = 0;
	out->v = malloc(cap * sizeof(*out->v));
	if (!out->v)
		return -ENOMEM;
	while (i < len) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t n = nl ? (size_t)(nl - (text + i)) : len - i;

		if (out->n == cap) {
			struct line *v = realloc(out->v, (cap *= 2) * sizeof(*v));

			if (!v)
				return -ENOMEM;
			out->v = v;
		}
		out->v[out->n++] = (struct line){ text + i, n, hash_bytes(text + i, n) };
		i += n + 1;
	}
	return 0;
}

static bool line_eq(const struct line *a, const struct line *b)
{
	return a->hash == b->hash && a->len == b->len && !memcmp(a->s, b->s, a->len);
}

/*
 * Myers' O(ND) alignment of a[0..n) and b[0..m): for every line of b, the
 * index of the line of a it is, or -1 for a line the patch added.
 */
static int align(const struct line *a, long n, const struct line *b, long m, long *map)
{
	long max = n + m, d, k, x, y;
	int32_t **trace;
	int ret = -E2BIG;

	for (y = 0; y < m; y++)
		map[y] = -1;
	if (max > 2 * MAX_EDITS + 2)
		max = 2 * MAX_EDITS + 2;
	trace = calloc(max + 1, sizeof(*trace));
	if (!trace)
		return -ENOMEM;
	for (d = 0; d <= max && d <= MAX_EDITS; d++) {
		int32_t *cur = malloc((2 * d + 1) * sizeof(*cur)), *prev = d ? trace[d - 1] : NULL;

		if (!cur) {
			ret = -ENOMEM;
			goto out;
		}
		trace[d] = cur;
		for (k = -d; k <= d; k += 2) {
			if (!d)
				x = 0;
			else if (k == -d || (k != d && prev[k - 1 + d - 1] < prev[k + 1 + d - 1]))
				x = prev[k + 1 + d - 1];
			else
				x = prev[k - 1 + d - 1] + 1;
			y = x - k;
			while (x < n && y < m && line_eq(&a[x], &b[y]))
				x++, y++;
			cur[k + d] = (int32_t)x;
			if (x >= n && y >= m)
				goto found;
		}
	}
	goto out;
found:
	/* walk back from (n, m): each step is a snake preceded by one edit */
	x = n;
	y = m;
	for (; d > 0; d--) {
		int32_t *prev = trace[d - 1];
		long pk, px, py, sx;

		k = x - y;
		if (k == -d || (k != d && prev[k - 1 + d - 1] < prev[k + 1 + d - 1]))
			pk = k + 1; /* came down: b[py] was added */
		else
			pk = k - 1; /* came right: a[px] was removed */
		px = prev[pk + d - 1];
		py = px - pk;
		sx = pk == k + 1 ? px : px + 1;
		while (x > sx) {
			x--, y--;
			map[y] = x;
		}
		x = px;
		y = py;
	}
	while (x > 0 && y > 0) {
		x--, y--;
		map[y] = x;
	}
	ret = 0;
out:
	for (k = 0; k <= max && trace[k]; k++)
		free(trace[k]);
	free(trace);
	return ret;
}

/* For each line of @b, the line of @a it is, or -1 (malloc'ed in *@out). */
static int line_map(const struct lines *a, const struct lines *b, long **out)
{
	long *map = malloc((b->n + 1) * sizeof(*map)), pre = 0, suf = 0, j;
	int ret;

	*out = NULL;
	if (!map)
		return -ENOMEM;
	/* common head and tail first: a patch is small next to its file */
	while (pre < (long)a->n && pre < (long)b->n && line_eq(&a->v[pre], &b->v[pre]))
		pre++;
	while (suf < (long)a->n - pre && suf < (long)b->n - pre &&
	       line_eq(&a->v[a->n - 1 - suf], &b->v[b->n - 1 - suf]))
		suf++;
	ret = align(a->v + pre, a->n - pre - suf, b->v + pre, b->n - pre - suf, map + pre);
	if (ret) {
		free(map);
		return ret;
	}
	for (j = 0; j < (long)b->n; j++) {
		if (j < pre)
			map[j] = j;
		else if (j >= (long)b->n - suf)
			map[j] = j - (long)b->n + (long)a->n;
		else if (map[j] >= 0)
			map[j] += pre;
	}
	*out = map;
	return 0;
}

int lpb_line_map(const char *orig, size_t orig_len, const char *patched, size_t patched_len,
		 long **map, size_t *nr_orig, size_t *nr_patched)
{
	struct lines a = { 0 }, b = { 0 };
	int ret = split_lines(orig, orig_len, &a);

	*map = NULL;
	if (!ret)
		ret = split_lines(patched, patched_len, &b);
	if (!ret)
		ret = line_map(&a, &b, map);
	*nr_orig = a.n;
	*nr_patched = b.n;
	free(a.v);
	free(b.v);
	return ret;
}

/* What a C (or .S) lexer knows at the start of a line. */
struct lex {
	bool assembler;
	bool block; /* inside a comment */
	bool line_comment; /* inside a // comment continued by a backslash */
	bool string, chr; /* inside a literal continued by a backslash */
	bool continued; /* the previous line ended with a backslash */
	bool directive; /* the logical line is a preprocessor directive */
	bool conditional; /* ...and one of #if/#ifdef/#ifndef/#elif/#else/#endif */
	long depth; /* open parentheses outside directives */
};

/* A #line directive takes effect here: not in a comment, a literal, a
 * continued line, a directive, or inside parentheses (a directive among
 * macro arguments is not portable, and the compiler numbers a multi-line
 * macro call as one). */
static bool lex_safe(const struct lex *l)
{
	return !l->block && !l->line_comment && !l->string && !l->chr && !l->continued &&
	       l->depth == 0;
}

static bool is_conditional(const char *s, size_t n)
{
	static const char *const names[] = { "if", "ifdef", "ifndef", "elif", "else",
					     "endif", "elifdef", "elifndef" };
	size_t w = 0;

	while (w < n && ((s[w] >= 'a' && s[w] <= 'z')))
		w++;
	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++)
		if (strlen(names[i]) == w && !memcmp(s, names[i], w))
			return true;
	return false;
}

/* Advance @l over one line. Returns whether the line ends a conditional
 * directive (after which a directive written earlier may not be in force:
 * it may sit in a group the preprocessor skips). */
static bool lex_line(struct lex *l, const char *s, size_t n)
{
	bool ends_conditional = false;
	size_t i = 0;

	if (n && s[n - 1] == '\r')
		n--;
	if (!l->block && !l->line_comment && !l->string && !l->chr && !l->continued) {
		size_t j = 0;

		while (j < n && (s[j] == ' ' || s[j] == '\t'))
			j++;
		if (j < n && s[j] == '#') {
			l->directive = true;
			j++;
			while (j < n && (s[j] == ' ' || s[j] == '\t'))
				j++;
			l->conditional = is_conditional(s + j, n - j);
		}
	}
	while (i < n) {
		char ch = s[i];

		if (l->block) {
			if (ch == '*' && i + 1 < n && s[i + 1] == '/') {
				l->block = false;
				i++;
			}
		} else if (l->line_comment) {
			/* to the end of the line */
		} else if (l->string || l->chr) {
			if (ch == '\\')
				i++;
			else if ((ch == '"' && l->string) || (ch == '\'' && l->chr))
				l->string = l->chr = false;
		} else if (ch == '/' && i + 1 < n && s[i + 1] == '*') {
			l->block = true;
			i++;
		} else if (ch == '/' && i + 1 < n && s[i + 1] == '/') {
			l->line_comment = true;
		} else if (!l->assembler && ch == '"') {
			l->string = true;
		} else if (!l->assembler && ch == '\'') {
			l->chr = true;
		} else if (!l->assembler && !l->directive && ch == '(') {
			l->depth++;
		} else if (!l->assembler && !l->directive && ch == ')') {
			if (l->depth > 0)
				l->depth--;
		}
		i++;
	}
	l->continued = n && s[n - 1] == '\\' && !l->block;
	if (!l->continued) {
		ends_conditional = l->directive && l->conditional;
		l->directive = l->conditional = false;
		l->line_comment = false;
		/* an unterminated literal ends with its line */
		l->string = l->chr = false;
	}
	return ends_conditional;
}

struct outbuf {
	char *s;
	size_t len, cap;
};

static int put(struct outbuf *o, const char *s, size_t n)
{
	if (o->len + n + 1 > o->cap) {
		size_t cap = o->cap ? o->cap : 4096;
		char *p;

		while (cap < o->len + n + 1)
			cap *= 2;
		p = realloc(o->s, cap);
		if (!p)
			return -ENOMEM;
		o->s = p;
		o->cap = cap;
	}
	memcpy(o->s + o->len, s, n);
	o->len += n;
	o->s[o->len] = 0;
	return 0;
}

static int put_directive(struct outbuf *o, long line)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "#line %ld\n", line);

	return put(o, buf, n);
}

int lpb_line_pin(const char *orig, size_t orig_len, const char *patched, size_t patched_len,
		 bool assembler, char **out, size_t *out_len, struct lpb_pin_stats *stats)
{
	struct lines a = { 0 }, b = { 0 };
	struct outbuf o = { 0 };
	struct lex lex = { .assembler = assembler };
	long *map = NULL, j, cur = 1;
	int ret;

	*stats = (struct lpb_pin_stats){ 0 };
	*out = NULL;
	ret = split_lines(orig, orig_len, &a);
	if (!ret)
		ret = split_lines(patched, patched_len, &b);
	if (ret)
		goto out;
	ret = line_map(&a, &b, &map);
	if (ret)
		goto out;
	for (j = 0; j < (long)b.n && !ret; j++) {
		bool safe = lex_safe(&lex);

		if (map[j] >= 0) {
			stats->unchanged++;
			if (cur != map[j] + 1) {
				if (safe) {
					ret = put_directive(&o, map[j] + 1);
					cur = map[j] + 1;
					stats->directives++;
				} else if (!stats->unpinned++) {
					stats->first_unpinned = j + 1;
				}
			}
		} else {
			stats->inserted++;
			/* new code is numbered as the author sees it */
			if ((!j || map[j - 1] >= 0) && safe && cur != j + 1) {
				ret = put_directive(&o, j + 1);
				cur = j + 1;
				stats->directives++;
			}
		}
		if (!ret)
			ret = put(&o, b.v[j].s, b.v[j].len);
		if (!ret && (j + 1 < (long)b.n || (patched_len && patched[patched_len - 1] == '\n')))
			ret = put(&o, "\n", 1);
		if (cur != UNKNOWN)
			cur++;
		if (lex_line(&lex, b.v[j].s, b.v[j].len) && stats->directives)
			cur = UNKNOWN;
	}
	if (ret)
		goto out;
	stats->deleted = a.n - stats->unchanged;
	if (!o.s && (ret = put(&o, "", 0)))
		goto out;
	*out = o.s;
	*out_len = o.len;
	o.s = NULL;
out:
	free(o.s);
	free(map);
	free(a.v);
	free(b.v);
	return ret;
}
