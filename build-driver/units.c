// SPDX-License-Identifier: GPL-2.0-only
/* Translation units a patch touches. Sources map to objects by name; where
 * an object is linked comes from kbuild's own command line (-DMODULE and
 * KBUILD_MODNAME), recorded in the .cmd file of the compiled object. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "includes.h"
#include "run.h"
#include "target-units.h"
#include "units.h"

static void add_unit(struct units *u, const char *src, const char *work, bool via_header,
		     const char *via)
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
	x->via = via ? xstrdup(via) : NULL;
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

/* What the planner needs besides the patches. */
struct plan {
	struct units *u;
	const char *src, *work;
	char *index; /* the tree's #include index */
	struct c_includes *ci; /* its lines naming .c files, loaded on first use */
	struct target_units tu;
	bool told_nodwarf;
};

enum built { BUILT_NO, BUILT_YES, BUILT_UNKNOWN };

/* The units that #include the .c file @f (loading the index once). */
static int c_includers(struct plan *p, const char *f, struct strvec *inc)
{
	if (!p->ci)
		p->ci = c_includes_load(p->src, p->index);
	return p->ci ? c_includes_of(p->ci, f, inc) : -1;
}

/* Is the target built from @src? Its DWARF says, when it can. */
static enum built built(struct plan *p, const char *src)
{
	struct target_units *tu = &p->tu;

	if (!tu->names_known)
		return BUILT_UNKNOWN;
	if (target_units_has(tu, src))
		return BUILT_YES;
	if (target_units_load_modules(tu))
		return BUILT_UNKNOWN;
	if (target_units_has(tu, src))
		return BUILT_YES;
	/* without DWARF, assembler sources leave no compile unit */
	if (has_suffix(src, ".S"))
		return BUILT_UNKNOWN;
	if (tu->nodwarf.n) {
		if (!p->told_nodwarf)
			fprintf(stderr, "lp-build: note: %zu of the target's modules have no DWARF "
				"(e.g. %s): lp-build cannot tell whether their sources are built; "
				"give --modules the debug modules\n", tu->nodwarf.n, tu->nodwarf.v[0]);
		p->told_nodwarf = true;
		return BUILT_UNKNOWN;
	}
	return BUILT_NO;
}

/*
 * A changed .c/.S file: the unit itself when the target is built from it,
 * and every built unit that #includes it (since 5.19 the scheduler's rt.c,
 * deadline.c, ... are compiled only inside build_policy.c and
 * build_utility.c; a driver may include another's .c). A file the target
 * does not build at all is skipped, with a note.
 */
static int plan_source(struct plan *p, const char *f)
{
	struct strvec inc = { 0 };
	enum built self = built(p, f);
	size_t before = p->u->n;

	if (has_suffix(f, ".c") && c_includers(p, f, &inc))
		return -1;
	if (self != BUILT_NO)
		add_unit(p->u, f, p->work, false, NULL);
	for (size_t i = 0; i < inc.n; i++) {
		if (built(p, inc.v[i]) != BUILT_YES)
			continue;
		fprintf(stderr, "lp-build: %s is compiled as part of %s\n", f, inc.v[i]);
		add_unit(p->u, inc.v[i], p->work, false, f);
	}
	if (p->u->n == before && !sv_contains(&p->u->skipped, f)) {
		fprintf(stderr, "lp-build: note: skipping %s: the target kernel is not built from "
			"it (no compile unit of its vmlinux or of its %zu module(s) comes from it%s)\n",
			f, p->tu.nr_modules, inc.n ? " or from a file including it" : "");
		sv_push(&p->u->skipped, f);
	}
	sv_free(&inc);
	return 0;
}

/* Keep the units a target binary was really compiled from: a header
 * reaches sources that this config does not build, or that do not even
 * compile for it, and sources compiled only inside another .c file (a
 * header of kernel/sched/ reaches cpudeadline.c, built in build_policy.c). */
static int filter_built(struct plan *p, struct strvec *tus)
{
	struct strvec keep = { 0 };
	size_t dropped = 0;

	for (size_t i = 0; i < tus->n; i++) {
		struct strvec inc = { 0 };
		size_t before = keep.n;

		if (built(p, tus->v[i]) == BUILT_YES && !sv_contains(&keep, tus->v[i]))
			sv_push(&keep, tus->v[i]);
		if (has_suffix(tus->v[i], ".c") && c_includers(p, tus->v[i], &inc)) {
			sv_free(&keep);
			return -1;
		}
		for (size_t j = 0; j < inc.n; j++)
			if (built(p, inc.v[j]) == BUILT_YES && !sv_contains(&keep, inc.v[j]))
				sv_push(&keep, inc.v[j]);
		dropped += keep.n == before;
		sv_free(&inc);
	}
	fprintf(stderr, "lp-build: they are compiled in %zu unit(s) of this kernel or its "
		"modules (%zu are not built)\n", keep.n, dropped);
	sv_free(tus);
	*tus = keep;
	return 0;
}

int units_plan(struct units *u, const struct patchset *ps, const char *src, const char *work,
	       const char *cache, const char *vmlinux, const char *modules)
{
	struct plan p = { .u = u, .src = src, .work = work };
	struct strvec headers = { 0 };
	int ret = 0;

	*u = (struct units){ 0 };
	p.index = xasprintf("%s/../includes.idx", work);
	if (target_units_open(&p.tu, cache, vmlinux, modules)) {
		ret = -1;
		goto out;
	}
	for (size_t i = 0; i < ps->files.n && ret >= 0; i++) {
		const char *f = ps->files.v[i];
		const char *base = strrchr(f, '/') ? strrchr(f, '/') + 1 : f;

		if (has_suffix(f, ".c") || has_suffix(f, ".S")) {
			if (sv_contains(&ps->added, f)) {
				fprintf(stderr, "lp-build: the patch adds %s: put new code into an "
					"existing source file instead (a new file has no original "
					"object to compare with)\n", f);
				ret = -1;
			} else if (plan_source(&p, f)) {
				ret = -1;
			}
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

		ret = includers_of(src, p.index, &headers, &tus);
		if (!ret)
			ret = filter_built(&p, &tus);
		for (size_t i = 0; !ret && i < tus.n; i++)
			add_unit(u, tus.v[i], work, true, NULL);
		if (!ret && !tus.n && !u->n) {
			fprintf(stderr, "lp-build: no source the target kernel is built from includes "
				"the changed header(s): nothing to livepatch\n");
			ret = 1;
		}
		sv_free(&tus);
	}
	if (!ret && !u->n && u->skipped.n) {
		fprintf(stderr, "lp-build: the target kernel is not built from any file the "
			"patches change (%zu skipped): nothing to livepatch\n", u->skipped.n);
		ret = 1;
	} else if (!ret && !u->n) {
		fprintf(stderr, "lp-build: the patches change no kernel source file\n");
		ret = -1;
	}
out:
	sv_free(&headers);
	c_includes_free(p.ci);
	target_units_free(&p.tu);
	free(p.index);
	return ret;
}

void units_free(struct units *u)
{
	for (size_t i = 0; i < u->n; i++) {
		struct unit *x = &u->v[i];

		free(x->src);
		free(x->via);
		free(x->obj);
		free(x->cmd);
		free(x->objname);
		free(x->orig);
		free(x->patched);
		free(x->diff);
		free(x->json);
	}
	free(u->v);
	sv_free(&u->skipped);
	*u = (struct units){ 0 };
}
