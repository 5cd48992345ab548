// SPDX-License-Identifier: GPL-2.0-only
/* Translation units a patch touches. Sources map to objects by name; where
 * an object is linked comes from kbuild's own command line (-DMODULE and
 * KBUILD_MODNAME), recorded in the .cmd file of the compiled object. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "includes.h"
#include "run.h"
#include "units.h"

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

static void add_unit(struct units *u, const char *src, const char *work, bool via_header)
{
	struct unit *x;
	char *base, *dir;

	for (size_t i = 0; i < u->n; i++)
		if (!strcmp(u->v[i].src, src))
			return;
	u->v = xrealloc(u->v, (u->n + 1) * sizeof(*u->v));
	x = &u->v[u->n++];
	*x = (struct unit){ .via_header = via_header };
	x->src = xstrdup(src);
	x->obj = xstrdup(src);
	x->obj[strlen(x->obj) - 1] = 'o';
	dir = xstrdup(x->obj);
	base = strrchr(dir, '/');
	if (base) {
		*base++ = 0;
		x->cmd = xasprintf("%s/.%s.cmd", dir, base);
	} else {
		x->cmd = xasprintf(".%s.cmd", dir);
	}
	free(dir);
	x->orig = xasprintf("%s/orig/%s", work, x->obj);
	x->patched = xasprintf("%s/patched/%s", work, x->obj);
	x->diff = xasprintf("%s/diff/%s", work, x->obj);
	x->json = xasprintf("%s/diff/%s.json", work, x->obj);
}

int units_plan(struct units *u, const struct patchset *ps, const char *src, const char *work)
{
	struct strvec headers = { 0 };
	int ret = 0;

	*u = (struct units){ 0 };
	for (size_t i = 0; i < ps->files.n; i++) {
		const char *f = ps->files.v[i];
		const char *base = strrchr(f, '/') ? strrchr(f, '/') + 1 : f;

		if (has_suffix(f, ".c") || has_suffix(f, ".S")) {
			if (sv_contains(&ps->added, f)) {
				fprintf(stderr, "lp-build: the patch adds %s: put new code into an "
					"existing source file instead (a new file has no original "
					"object to compare with)\n", f);
				ret = -1;
			}
			add_unit(u, f, work, false);
		} else if (has_suffix(f, ".h")) {
			sv_push(&headers, f);
		} else if (!strncmp(base, "Makefile", 8) || !strncmp(base, "Kconfig", 7) ||
			   !strcmp(base, "Kbuild")) {
			fprintf(stderr, "lp-build: the patch changes %s: a livepatch cannot change "
				"how the kernel is built or configured\n", f);
			ret = -1;
		} else if (!strncmp(f, "Documentation/", 14) || !strncmp(f, "tools/", 6) ||
			   !strncmp(f, "scripts/", 8)) {
			fprintf(stderr, "lp-build: note: ignoring %s (not kernel code)\n", f);
		} else {
			fprintf(stderr, "lp-build: the patch changes %s, which lp-build does not "
				"know how to compile into a livepatch\n", f);
			ret = -1;
		}
	}
	if (!ret && headers.n) {
		struct strvec tus = { 0 };

		ret = includers_of(src, &headers, &tus);
		for (size_t i = 0; !ret && i < tus.n; i++)
			add_unit(u, tus.v[i], work, true);
		sv_free(&tus);
	}
	sv_free(&headers);
	if (!ret && !u->n) {
		fprintf(stderr, "lp-build: the patches change no kernel source file\n");
		ret = -1;
	}
	return ret;
}

/* "-DKBUILD_MODNAME='"binfmt_misc"'" and "-DMODULE" in kbuild's .cmd file. */
static int learn_objname(struct unit *x, const char *build)
{
	char *path = xasprintf("%s/%s", build, x->cmd), *text, *p, *line_end;
	int ret = -1;

	text = read_file(path, NULL);
	if (!text)
		goto out;
	line_end = strchr(text, '\n');
	if (line_end)
		*line_end = 0;
	p = strstr(text, "-DKBUILD_MODNAME='\"");
	if (strstr(text, " -DMODULE ") && p) {
		p += strlen("-DKBUILD_MODNAME='\"");
		x->objname = strndup(p, strcspn(p, "\"'"));
	} else {
		x->objname = xstrdup("vmlinux");
	}
	ret = 0;
out:
	if (ret)
		fprintf(stderr, "lp-build: kbuild left no command record for %s\n", x->obj);
	free(text);
	free(path);
	return ret;
}

int units_compile(struct units *u, struct tree *t, const struct tree_opts *o,
		  const char *kcflags, bool patched)
{
	struct strvec targets = { 0 };
	struct strbuf out = { 0 };
	int rc;

	for (size_t i = 0; i < u->n; i++)
		sv_push(&targets, u->v[i].obj);
	rc = tree_make(t, o, (const char *const *)targets.v, kcflags, &out);
	sv_free(&targets);
	if (rc) {
		fprintf(stderr, "%s", out.buf ? out.buf : "");
		fprintf(stderr, "lp-build: compiling the %s sources failed (make exited with %d)\n",
			patched ? "patched" : "original", rc);
		sb_free(&out);
		return -1;
	}
	sb_free(&out);
	for (size_t i = 0; i < u->n; i++) {
		struct unit *x = &u->v[i];
		char *from = xasprintf("%s/%s", t->build, x->obj);
		const char *to = patched ? x->patched : x->orig;
		char *dir = xstrdup(to);

		*strrchr(dir, '/') = 0;
		rc = mkdir_p(dir) || copy_file(from, to);
		free(from);
		free(dir);
		if (rc || (!patched && learn_objname(x, t->build)))
			return -1;
	}
	return 0;
}

void units_outputs(const struct units *u, struct strvec *out)
{
	for (size_t i = 0; i < u->n; i++) {
		sv_push(out, u->v[i].obj);
		sv_push(out, u->v[i].cmd);
	}
}

void units_free(struct units *u)
{
	for (size_t i = 0; i < u->n; i++) {
		struct unit *x = &u->v[i];

		free(x->src);
		free(x->obj);
		free(x->cmd);
		free(x->objname);
		free(x->orig);
		free(x->patched);
		free(x->diff);
		free(x->json);
	}
	free(u->v);
	*u = (struct units){ 0 };
}
