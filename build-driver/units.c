// SPDX-License-Identifier: GPL-2.0-only
/* Translation units a patch touches. Sources map to objects by name; where
 * an object is linked comes from kbuild's own command line (-DMODULE and
 * KBUILD_MODNAME), recorded in the .cmd file of the compiled object. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ftw.h>

#include "dwarf-cus.h"
#include "includes.h"
#include "run.h"
#include "units.h"

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

/* The sources a kernel binary was compiled from, relative to the tree. */
struct built {
	struct strvec rel;
	char *prefix; /* what CU names carry before "init/main.c" */
};

static int note_prefix(const char *name, void *arg)
{
	struct built *b = arg;
	size_t n = strlen(name), m = strlen("init/main.c");

	if (n >= m && !strcmp(name + n - m, "init/main.c") && (n == m || name[n - m - 1] == '/')) {
		b->prefix = strndup(name, n - m);
		return 1;
	}
	return 0;
}

static int note_cu(const char *name, void *arg)
{
	struct built *b = arg;
	size_t pl = b->prefix ? strlen(b->prefix) : 0;

	if (pl && !strncmp(name, b->prefix, pl))
		name += pl;
	else if (!strncmp(name, "./", 2))
		name += 2;
	if (!has_suffix(name, ".mod.c") && !sv_contains(&b->rel, name))
		sv_push(&b->rel, name);
	return 0;
}

static struct built *ko_walk_ctx;

static int visit_ko(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	if (flag == FTW_F && has_suffix(path, ".ko"))
		lpb_dwarf_cu_names(path, note_cu, ko_walk_ctx);
	return 0;
}

/* Keep the units a target binary was really compiled from: a header
 * reaches sources that this config does not build, or that do not even
 * compile for it. */
static int filter_built(struct strvec *tus, const char *vmlinux, const char *modules)
{
	struct built b = { 0 };
	struct strvec keep = { 0 };
	size_t dropped = 0;
	int rc;

	lpb_dwarf_cu_names(vmlinux, note_prefix, &b);
	rc = lpb_dwarf_cu_names(vmlinux, note_cu, &b);
	if (rc < 0) {
		fprintf(stderr, "lp-build: %s has no DWARF: cannot tell which sources including a "
			"changed header are built; use a debug vmlinux\n", vmlinux);
		free(b.prefix);
		return -1;
	}
	if (modules) {
		ko_walk_ctx = &b;
		nftw(modules, visit_ko, 32, FTW_PHYS);
		ko_walk_ctx = NULL;
	}
	for (size_t i = 0; i < tus->n; i++) {
		if (sv_contains(&b.rel, tus->v[i]))
			sv_push(&keep, tus->v[i]);
		else
			dropped++;
	}
	fprintf(stderr, "lp-build: %zu of them are built into this kernel or its modules "
		"(%zu are not)\n", keep.n, dropped);
	sv_free(tus);
	*tus = keep;
	sv_free(&b.rel);
	free(b.prefix);
	return 0;
}

int units_plan(struct units *u, const struct patchset *ps, const char *src, const char *work,
	       const char *vmlinux, const char *modules)
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

		char *index = xasprintf("%s/../includes.idx", work);

		ret = includers_of(src, index, &headers, &tus);
		free(index);
		if (!ret)
			ret = filter_built(&tus, vmlinux, modules);
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

/*
 * kbuild reaches a single target under arch/ through two directories when
 * that directory is also a top-level one (arch/x86/lib/, arch/x86/pci/...:
 * obj=arch/x86 and obj=arch/x86/lib both build arch/x86/lib/delay.o). Run in
 * parallel, the two compiles race: fixdep finds the other's .d file gone,
 * or make kills one compiler (Error 143). One job at a time, the second
 * compile (from the directory's own Makefile, with its flags) runs last.
 */
static bool nested_build_dir(const char *obj)
{
	return !strncmp(obj, "arch/", 5);
}

static int make_units(struct units *u, struct tree *t, const struct tree_opts *o,
		      const char *kcflags, bool nested, struct strbuf *out)
{
	struct tree_opts serial = *o;
	struct strvec targets = { 0 };
	int rc = 0;

	for (size_t i = 0; i < u->n; i++)
		if (nested_build_dir(u->v[i].obj) == nested)
			sv_push(&targets, u->v[i].obj);
	if (nested)
		serial.jobs = 1;
	if (targets.n)
		rc = tree_make(t, &serial, (const char *const *)targets.v, kcflags, out);
	sv_free(&targets);
	return rc;
}

int units_compile(struct units *u, struct tree *t, const struct tree_opts *o,
		  const char *kcflags, bool patched)
{
	struct strbuf out = { 0 };
	int rc;

	rc = make_units(u, t, o, kcflags, false, &out);
	if (!rc)
		rc = make_units(u, t, o, kcflags, true, &out);
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
