// SPDX-License-Identifier: GPL-2.0-only
/* Translation units a patch touches. Sources map to objects by name; where
 * an object is linked comes from kbuild's own command line (-DMODULE and
 * KBUILD_MODNAME), recorded in the .cmd file of the compiled object. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "header-changes.h"
#include "includes.h"
#include "inline-index.h"
#include "macro-uses.h"
#include "run.h"
#include "target-units.h"
#include "units.h"

const struct unit_reason_name unit_reasons[NR_UNIT_REASONS] = {
	[UR_CHANGED] = { "changed", "changed by the patches" },
	[UR_INCLUDES_C] = { "includes-changed-c", "include a changed .c file" },
	[UR_DWARF] = { "dwarf", "hold a changed function's code (the target's DWARF)" },
	[UR_MACRO_USE] = { "macro-use", "use a changed macro in their own text" },
	[UR_PREPROCESSED] = { "preprocessed", "preprocess differently" },
	[UR_NOT_PREPROCESSED] = { "not-preprocessed", "cannot be preprocessed alone" },
};

static struct unit *add_unit(struct units *u, const char *src, const char *work,
			     enum unit_reason reason, const char *via)
{
	struct unit *x;
	char *base, *dir;

	for (size_t i = 0; i < u->n; i++)
		if (!strcmp(u->v[i].src, src))
			return NULL;
	u->v = xrealloc(u->v, (u->n + 1) * sizeof(*u->v));
	x = &u->v[u->n++];
	*x = (struct unit){ .reason = reason,
			    .via_header = reason != UR_CHANGED && reason != UR_INCLUDES_C };
	u->by_reason[reason]++;
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
	return x;
}

void units_add(struct units *u, const char *src, const char *work, enum unit_reason reason,
	       const char *why)
{
	struct unit *x = add_unit(u, src, work, reason, NULL);

	if (x)
		x->why = xstrdup(why);
}

/* What the planner needs besides the patches. */
struct plan {
	struct units *u;
	const struct units_in *in;
	const char *src, *work;
	const char *index; /* the tree's #include index */
	struct c_includes *ci; /* its lines naming .c files, loaded on first use */
	struct target_units tu;
	bool told_nodwarf;
	/* changed headers: */
	struct include_graph *graph; /* the tree's #include graph, loaded on first use */
	struct strset bound; /* u->includers, hashed */
	size_t nr_headers; /* how many there are */
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
	if (self != BUILT_NO) {
		struct unit *x = add_unit(p->u, f, p->work, UR_CHANGED, NULL);

		if (x)
			x->why = xstrdup("the patches change it");
	}
	for (size_t i = 0; i < inc.n; i++) {
		struct unit *x;

		if (built(p, inc.v[i]) != BUILT_YES)
			continue;
		fprintf(stderr, "lp-build: %s is compiled as part of %s\n", f, inc.v[i]);
		x = add_unit(p->u, inc.v[i], p->work, UR_INCLUDES_C, f);
		if (x)
			x->why = xasprintf("it includes %s", f);
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
	struct strset kept = { 0 };
	size_t dropped = 0;

	for (size_t i = 0; i < tus->n; i++) {
		struct strvec inc = { 0 };
		size_t before = keep.n;

		if (built(p, tus->v[i]) == BUILT_YES && ss_add(&kept, tus->v[i]))
			sv_push(&keep, tus->v[i]);
		if (has_suffix(tus->v[i], ".c") && c_includers(p, tus->v[i], &inc)) {
			sv_free(&keep);
			ss_free(&kept);
			return -1;
		}
		for (size_t j = 0; j < inc.n; j++)
			if (built(p, inc.v[j]) == BUILT_YES && ss_add(&kept, inc.v[j]))
				sv_push(&keep, inc.v[j]);
		dropped += keep.n == before;
		sv_free(&inc);
	}
	if (p->in->verbose)
		fprintf(stderr, "lp-build: they are compiled in %zu unit(s) of this kernel or its "
			"modules (%zu are not built)\n", keep.n, dropped);
	sv_free(tus);
	ss_free(&kept);
	*tus = keep;
	return 0;
}

/* A changed header's text before and after the patches (NULL: none). */
static void header_texts(const struct plan *p, const char *h, char **orig, size_t *olen,
			 char **patched, size_t *plen)
{
	char *a = xasprintf("%s/%s", p->src, h), *b = xasprintf("%s/patched-src/%s", p->work, h);

	*orig = path_exists(a) ? read_file(a, olen) : NULL;
	*patched = path_exists(b) ? read_file(b, plen) : NULL;
	free(a);
	free(b);
}

/* Units the target's DWARF says hold the code of @f (a function of @h);
 * @what: why it matters ("changed", "uses the changed macro X"). */
static void plan_dwarf_func(struct plan *p, const char *h, const struct ii_func *f,
			    const struct inline_index *ii, const char *what, bool tell)
{
	if (tell)
		fprintf(stderr, "lp-build: %s: %s() %s: the target's DWARF has its code in %zu "
			"unit(s)\n", h, f->name, what, f->n);
	for (size_t j = 0; j < f->n; j++) {
		const char *src = ii->units.v[f->units[j]];
		struct unit *x = add_unit(p->u, src, p->work, UR_DWARF, NULL);

		if (!x)
			continue;
		x->why = xasprintf("holds the code of %s() (%s), which %s, per the target's DWARF",
				   f->name, h, what);
		/* the #include scan misses includes through macros */
		if (!ss_has(&p->bound, src) && p->in->verbose)
			fprintf(stderr, "lp-build: note: %s holds %s() but the #include scan did not "
				"find it including %s\n", src, f->name, h);
	}
}

/* Units holding the code of the functions of @h that @hc changes. */
static void plan_functions(struct plan *p, const char *h, const struct header_change *hc,
			   const struct inline_index *ii)
{
	for (size_t k = 0; k < hc->nr_funcs; k++) {
		struct ii_func **f;
		size_t n = inline_index_lookup(ii, h, hc->funcs[k].first, hc->funcs[k].last, &f);

		if (!n)
			fprintf(stderr, "lp-build: %s: the function changed at lines %d-%d is in no "
				"unit of the target (not used by this configuration)\n", h,
				hc->funcs[k].first, hc->funcs[k].last);
		for (size_t i = 0; i < n; i++)
			plan_dwarf_func(p, h, f[i], ii, "changed", true);
		free(f);
	}
}

static struct include_graph *graph(struct plan *p)
{
	if (!p->graph)
		p->graph = include_graph_load(p->src, p->index);
	return p->graph;
}

/* The built units including @headers (all of them: the bound itself). */
static int built_includers(struct plan *p, const struct strvec *headers, struct strvec *out)
{
	if (headers->n == p->nr_headers) {
		for (size_t i = 0; i < p->u->includers.n; i++)
			sv_push(out, p->u->includers.v[i]);
		return 0;
	}
	return include_graph_includers(graph(p), headers, out, !p->in->verbose) ||
	       filter_built(p, out) ? -1 : 0;
}

/* Leave @units (those not compiled already) to the preprocessor. */
static void plan_preprocess(struct plan *p, const struct strvec *units)
{
	struct strset have = { 0 };

	for (size_t j = 0; j < p->u->n; j++)
		ss_add(&have, p->u->v[j].src);
	for (size_t j = 0; j < p->u->preprocess.n; j++)
		ss_add(&have, p->u->preprocess.v[j]);
	for (size_t i = 0; i < units->n; i++)
		if (ss_add(&have, units->v[i]))
			sv_push(&p->u->preprocess, units->v[i]);
	ss_free(&have);
}

/*
 * Changed macros of @headers (hc[i].macros): the code using them changes.
 * Uses in functions of headers select the units holding those functions'
 * code (DWARF), uses in a unit's own text select that unit, uses in a
 * header's declarations leave its includers to the preprocessor.
 */
static int plan_macros(struct plan *p, const struct strvec *headers, const struct strvec *macros,
		       const struct inline_index *ii)
{
	struct strvec bound = { 0 }, files = { 0 }, opaque = { 0 };
	struct macro_uses mu = { 0 };
	double t0 = now_seconds();
	size_t before = p->u->n;
	int ret;

	ret = built_includers(p, headers, &bound);
	if (!ret)
		ret = include_graph_forward(graph(p), p->in->tree, &bound, &files);
	if (!ret)
		ret = macro_uses_find(&mu, p->in->tree, &files, macros);
	if (ret)
		goto out;
	for (size_t k = 0; k < mu.nr_funcs; k++) {
		const struct mu_func *f = &mu.funcs[k];
		struct ii_func **fs;
		size_t n = inline_index_lookup(ii, f->file, f->first, f->last, &fs);
		char *what = xasprintf("uses the changed macro %s", f->macro);

		for (size_t i = 0; i < n; i++)
			plan_dwarf_func(p, f->file, fs[i], ii, what, p->in->verbose);
		free(what);
		free(fs);
	}
	for (size_t k = 0; k < mu.files.n; k++) {
		const char *f = mu.files.v[k];
		struct strvec inc = { 0 };
		char *why = xasprintf("uses the changed macro %s", mu.file_macro.v[k]);

		/* a unit, or a .c file compiled inside units that include it */
		if (ss_has(&p->bound, f))
			sv_push(&inc, f);
		else if (has_suffix(f, ".c") && c_includers(p, f, &inc))
			ret = -1;
		for (size_t i = 0; i < inc.n; i++) {
			struct unit *x;

			if (!ss_has(&p->bound, inc.v[i]) && built(p, inc.v[i]) != BUILT_YES)
				continue;
			x = add_unit(p->u, inc.v[i], p->work, UR_MACRO_USE, NULL);
			if (x)
				x->why = strcmp(inc.v[i], f) ?
						 xasprintf("includes %s, which %s", f, why) :
						 xstrdup(why);
		}
		sv_free(&inc);
		free(why);
	}
	for (size_t k = 0; k < mu.opaque.n; k++)
		fprintf(stderr, "lp-build: %s: %s: the units including it are compared "
			"preprocessed\n", mu.opaque.v[k], mu.opaque_why.v[k]);
	if (!ret && mu.opaque.n)
		ret = include_graph_includers(graph(p), &mu.opaque, &opaque, !p->in->verbose) ||
		      filter_built(p, &opaque) ? -1 : 0;
	fprintf(stderr, "lp-build: changed macro(s) %s%s: used by %zu macro(s), %zu header "
		"function(s), %zu file(s)%s%s; %zu unit(s) selected (read %zu files in %.1f s)\n",
		macros->v[0], macros->n > 1 ? ", ..." : "", mu.names.n - macros->n, mu.nr_funcs,
		mu.files.n, mu.opaque.n ? " and the declarations of " : "",
		mu.opaque.n ? mu.opaque.v[0] : "", p->u->n - before, mu.scanned,
		now_seconds() - t0);
	if (!ret && mu.opaque.n) {
		struct strvec reach = { 0 };

		/* only those that can see the changed macros */
		for (size_t i = 0; i < opaque.n; i++)
			if (ss_has(&p->bound, opaque.v[i]))
				sv_push(&reach, opaque.v[i]);
		plan_preprocess(p, &reach);
		sv_free(&reach);
	}
out:
	macro_uses_free(&mu);
	sv_free(&bound);
	sv_free(&files);
	sv_free(&opaque);
	return ret;
}

/*
 * Functions and objects the patches declare anew in @decl_hdrs can matter
 * only to code naming them, changed code, unless the tree already uses a
 * name (another declaration, a macro): then those headers join @opaque.
 */
static int plan_new_decls(struct plan *p, const struct strvec *decl_hdrs,
			  const struct strvec *names, struct strvec *opaque)
{
	struct strvec bound = { 0 }, files = { 0 };
	struct macro_uses mu = { 0 };
	int ret;

	ret = built_includers(p, decl_hdrs, &bound);
	if (!ret)
		ret = include_graph_forward(graph(p), p->in->tree, &bound, &files);
	if (!ret)
		ret = macro_uses_find(&mu, p->in->tree, &files, names);
	if (!ret) {
		bool used = mu.names.n > names->n || mu.nr_funcs || mu.files.n || mu.opaque.n ||
			    mu.definitions;

		for (size_t i = 0; i < decl_hdrs->n; i++) {
			if (used) {
				const char *where = mu.files.n ? mu.files.v[0] :
						    mu.nr_funcs ? mu.funcs[0].file :
						    mu.opaque.n ? mu.opaque.v[0] :
						    mu.names.n > names->n ? mu.names.v[names->n] :
									   "a #define";

				fprintf(stderr, "lp-build: %s: declares %s%s, a name the source "
					"already uses (%s): the units including it are compared "
					"preprocessed\n", decl_hdrs->v[i], names->v[0],
					names->n > 1 ? ", ..." : "", where);
				if (!sv_contains(opaque, decl_hdrs->v[i]))
					sv_push(opaque, decl_hdrs->v[i]);
			} else {
				fprintf(stderr, "lp-build: %s: declares %s%s, new: only changed code "
					"can use %s\n", decl_hdrs->v[i], names->v[0],
					names->n > 1 ? ", ..." : "", names->n > 1 ? "them" : "it");
			}
		}
	}
	macro_uses_free(&mu);
	sv_free(&bound);
	sv_free(&files);
	return ret;
}

/*
 * Changed headers: the built units including them bound the search; a
 * change to function definitions selects the units holding their code, a
 * change to macros the units using them, anything else leaves the
 * includers to the preprocessor comparison.
 */
static int plan_headers(struct plan *p, const struct strvec *headers)
{
	struct strvec opaque = { 0 }, macro_hdrs = { 0 }, macros = { 0 };
	struct strvec decl_hdrs = { 0 }, decls = { 0 };
	struct header_change *hc = xcalloc(headers->n + 1, sizeof(*hc));
	struct inline_index ii = { 0 };
	bool need_dwarf = false;
	int ret = 0;

	for (size_t i = 0; i < headers->n; i++) {
		const char *h = headers->v[i];
		char *orig, *patched;
		size_t olen = 0, plen = 0;

		header_texts(p, h, &orig, &olen, &patched, &plen);
		if (!orig) {
			fprintf(stderr, "lp-build: note: %s is new: only changed code including it "
				"can use it\n", h);
			free(patched);
			continue;
		}
		header_changes(orig, olen, patched, plen, &hc[i]);
		free(orig);
		free(patched);
		if (hc[i].kind != HC_OPAQUE && hc[i].new_decls.n) {
			sv_push(&decl_hdrs, h);
			for (size_t k = 0; k < hc[i].new_decls.n; k++)
				if (!sv_contains(&decls, hc[i].new_decls.v[k]))
					sv_push(&decls, hc[i].new_decls.v[k]);
		}
		switch (hc[i].kind) {
		case HC_NONE:
			fprintf(stderr, "lp-build: %s: no change to its code (comments, blank lines%s%s)\n",
				h, hc[i].new_inlines ? ", new inline functions" : "",
				hc[i].new_decls.n ? ", new declarations" : "");
			break;
		case HC_MACROS:
			sv_push(&macro_hdrs, h);
			for (size_t k = 0; k < hc[i].macros.n; k++)
				if (!sv_contains(&macros, hc[i].macros.v[k]))
					sv_push(&macros, hc[i].macros.v[k]);
			/* and its changed functions */
			__attribute__((fallthrough));
		case HC_FUNCS:
			need_dwarf = true;
			break;
		case HC_OPAQUE:
			fprintf(stderr, "lp-build: %s: %s: the units including it are compared "
				"preprocessed\n", h, hc[i].reason);
			sv_push(&opaque, h);
			break;
		}
	}
	if (!need_dwarf && !opaque.n && !decls.n)
		goto out;
	p->nr_headers = headers->n;
	ret = include_graph_includers(graph(p), headers, &p->u->includers, false);
	if (!ret)
		ret = filter_built(p, &p->u->includers);
	for (size_t i = 0; !ret && i < p->u->includers.n; i++)
		ss_add(&p->bound, p->u->includers.v[i]);
	if (!ret && need_dwarf) {
		if (target_units_load_modules(&p->tu) ||
		    inline_index_open(&ii, &p->tu, p->in->jobs)) {
			ret = -1;
			goto out;
		}
		p->u->index_seconds = ii.build_seconds;
		for (size_t i = 0; i < headers->n; i++)
			if (hc[i].kind == HC_FUNCS || hc[i].kind == HC_MACROS)
				plan_functions(p, headers->v[i], &hc[i], &ii);
	}
	if (!ret && macros.n)
		ret = plan_macros(p, &macro_hdrs, &macros, &ii);
	if (!ret && decls.n)
		ret = plan_new_decls(p, &decl_hdrs, &decls, &opaque);
	if (!ret && opaque.n) {
		struct strvec reach = { 0 };

		ret = built_includers(p, &opaque, &reach);
		if (!ret)
			plan_preprocess(p, &reach);
		sv_free(&reach);
	}
out:
	for (size_t i = 0; i < headers->n; i++)
		header_change_free(&hc[i]);
	free(hc);
	inline_index_free(&ii);
	sv_free(&opaque);
	sv_free(&macro_hdrs);
	sv_free(&macros);
	sv_free(&decl_hdrs);
	sv_free(&decls);
	return ret;
}

int units_plan(struct units *u, const struct patchset *ps, const struct units_in *in)
{
	struct plan p = { .u = u, .in = in, .src = in->src, .work = in->work, .index = in->index };
	struct strvec headers = { 0 };
	int ret = 0;

	*u = (struct units){ 0 };
	if (target_units_open(&p.tu, in->cache, in->vmlinux, in->modules)) {
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
	if (!ret && headers.n)
		ret = plan_headers(&p, &headers);
	if (!ret && headers.n && !u->n && !u->preprocess.n && !u->skipped.n) {
		fprintf(stderr, "lp-build: no unit of the target kernel holds code the changed "
			"header(s) change: nothing to livepatch\n");
		ret = 1;
	} else if (!ret && !u->n && !u->preprocess.n && u->skipped.n) {
		fprintf(stderr, "lp-build: the target kernel is not built from any file the "
			"patches change (%zu skipped): nothing to livepatch\n", u->skipped.n);
		ret = 1;
	} else if (!ret && !u->n && !u->preprocess.n) {
		fprintf(stderr, "lp-build: the patches change no kernel source file\n");
		ret = -1;
	}
out:
	sv_free(&headers);
	c_includes_free(p.ci);
	target_units_free(&p.tu);
	ss_free(&p.bound);
	include_graph_free(p.graph);
	return ret;
}

void units_free(struct units *u)
{
	for (size_t i = 0; i < u->n; i++) {
		struct unit *x = &u->v[i];

		free(x->src);
		free(x->via);
		free(x->why);
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
	sv_free(&u->includers);
	sv_free(&u->preprocess);
	*u = (struct units){ 0 };
}
