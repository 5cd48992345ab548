// SPDX-License-Identifier: GPL-2.0-only
/* kbuild preprocesses the units a macro, type or declaration change may
 * reach (make dir/unit.i) on both sides; equal token streams compile to the
 * same object, so only the others are compiled. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "objcache.h"
#include "preprocess.h"

void preprocess_digest(const char *text, size_t len, char out[65])
{
	struct strbuf sb = { 0 };
	const char *p = text, *end = text + len;
	bool space = false;

	while (p < end) {
		const char *nl = memchr(p, '\n', end - p), *e = nl ? nl : end;

		/* "# 12 "file.h" 2" and "#line 12": where tokens came from, not tokens */
		if (e - p >= 2 && p[0] == '#' &&
		    ((p[1] == ' ' && e - p >= 3 && p[2] >= '0' && p[2] <= '9') ||
		     (e - p >= 5 && !strncmp(p, "#line", 5)))) {
			p = e + 1;
			continue;
		}
		for (; p < e; p++) {
			if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\f' || *p == '\v') {
				space = true;
				continue;
			}
			if (space && sb.len)
				sb_addn(&sb, " ", 1);
			space = false;
			sb_addn(&sb, p, 1);
		}
		space = true;
		p = e + 1;
	}
	sha256_hex(sb.buf ? sb.buf : "", sb.len, out);
	sb_free(&sb);
}

struct side {
	struct compile *c;
	const struct overlay *view;
	bool orig;
	struct strvec *units; /* the ones this side preprocesses */
	char (*digest)[65]; /* per unit, "" until known */
	int failed;
};

static char *with_suffix(const char *unit, const char *suffix)
{
	char *s = xstrdup(unit), *dot = strrchr(s, '.'), *r;

	if (dot)
		*dot = 0;
	r = xasprintf("%s%s", s, suffix);
	free(s);
	return r;
}

/* kbuild's record of dir/unit.i: dir/.unit.i.cmd */
static char *marker(const char *unit)
{
	char *i = with_suffix(unit, ".i"), *slash = strrchr(i, '/'), *m;

	if (slash) {
		*slash = 0;
		m = xasprintf("%s/.%s.cmd", i, slash + 1);
	} else {
		m = xasprintf(".%s.cmd", i);
	}
	free(i);
	return m;
}

/* One unit's .i is complete: digest it, keep the original's, and drop the
 * file (a widely used header reaches thousands of units of megabytes). */
static void on_done(size_t k, void *arg)
{
	struct side *s = arg;
	char *rel = with_suffix(s->units->v[k], ".i"), *mrel = marker(s->units->v[k]);
	char *path = xasprintf("%s/%s", s->view->upper, rel);
	char *cmd = xasprintf("%s/%s", s->view->upper, mrel);
	size_t len;
	char *text = read_file(path, &len);

	if (text) {
		preprocess_digest(text, len, s->digest[k]);
		if (s->orig)
			objcache_put_digest(s->c->cache, rel, cmd, s->digest[k]);
		unlink(path);
	} else {
		s->failed = 1;
	}
	free(text);
	free(path);
	free(cmd);
	free(rel);
	free(mrel);
}

static int run_side(struct side *s, const char *what)
{
	struct strvec goals = { 0 }, markers = { 0 };
	int rc;

	if (!s->units->n)
		return 0;
	for (size_t i = 0; i < s->units->n; i++) {
		char *g = with_suffix(s->units->v[i], ".i"), *m = marker(s->units->v[i]);

		sv_push(&goals, g);
		sv_push(&markers, m);
		free(g);
		free(m);
	}
	rc = compile_make(s->c, s->view, &goals, &markers, what, on_done, s);
	sv_free(&goals);
	sv_free(&markers);
	if (!rc && s->failed) {
		fprintf(stderr, "lp-build: %s: kbuild left a unit without its preprocessed "
			"output\n", what);
		rc = -1;
	}
	return rc;
}

int preprocess_compare(struct compile *c, const struct strvec *units, struct strvec *differ,
		       struct pp_stats *st)
{
	char (*orig)[65] = xcalloc(units->n + 1, sizeof(*orig));
	char (*patched)[65] = xcalloc(units->n + 1, sizeof(*patched));
	struct strvec todo = { 0 };
	size_t *idx = xcalloc(units->n + 1, sizeof(*idx));
	struct side so = { .c = c, .view = &c->v->orig, .orig = true, .units = &todo };
	struct side sp = { .c = c, .view = &c->v->patched, .units = (struct strvec *)units,
			   .digest = patched };
	double t0 = now_seconds();
	int ret = -1;

	*st = (struct pp_stats){ .units = units->n };
	for (size_t i = 0; i < units->n; i++) {
		char *rel = with_suffix(units->v[i], ".i");

		if (objcache_get_digest(c->cache, rel, orig[i])) {
			st->cached++;
		} else {
			idx[todo.n] = i;
			sv_push(&todo, units->v[i]);
		}
		free(rel);
	}
	so.digest = xcalloc(todo.n + 1, sizeof(*so.digest));
	if (run_side(&so, "preprocess-original"))
		goto out;
	for (size_t k = 0; k < todo.n; k++)
		memcpy(orig[idx[k]], so.digest[k], 65);
	if (run_side(&sp, "preprocess-patched"))
		goto out;
	for (size_t i = 0; i < units->n; i++) {
		if (strcmp(orig[i], patched[i])) {
			sv_push(differ, units->v[i]);
			st->differ++;
		}
	}
	ret = 0;
out:
	st->seconds = now_seconds() - t0;
	free(so.digest);
	free(orig);
	free(patched);
	free(idx);
	sv_free(&todo);
	return ret;
}
