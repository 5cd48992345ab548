// SPDX-License-Identifier: GPL-2.0-only
/* Nothing that cannot load leaves lp-build: references between the diff
 * objects are checked before linking, every symbol of the module after. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build.h"
#include "klp-check.h"

struct lpb_ksyms *build_object_symbols(struct build *b, const char *objname)
{
	struct lpb_ksyms *ks;
	char *path;

	if (!strcmp(objname, "vmlinux")) {
		if (!b->vmlinux_syms)
			b->vmlinux_syms = lpb_ksyms_load(b->target.vmlinux);
		return b->vmlinux_syms;
	}
	for (size_t i = 0; i < b->module_names.n; i++)
		if (!strcmp(b->module_names.v[i], objname))
			return b->module_syms[i];
	path = build_find_module(b, objname);
	ks = path ? lpb_ksyms_load(path) : NULL;
	free(path);
	if (!ks)
		return NULL;
	sv_push(&b->module_names, objname);
	b->module_syms = xrealloc(b->module_syms, b->module_names.n * sizeof(*b->module_syms));
	b->module_syms[b->module_names.n - 1] = ks;
	return ks;
}

static struct lpb_ksyms *object_symbols(void *ctx, const char *objname)
{
	return build_object_symbols(ctx, objname);
}

static int load_exports(struct build *b)
{
	if (!b->exports)
		b->exports = lpb_symvers_load(b->symvers);
	return b->exports ? 0 : -1;
}

static bool defined_by_patch(const struct build *b, const char *name)
{
	for (size_t i = 0; i < b->nr_diffs; i++) {
		struct lpb_symbol *s = lpb_find_symbol(b->diffs[i].elf, name);

		if (s && s->sec && lpb_sym_bind(s) != STB_LOCAL)
			return true;
	}
	return false;
}

int build_check_references(struct build *b)
{
	size_t bad = 0;

	if (load_exports(b))
		return -1;
	for (size_t i = 0; i < b->nr_diffs; i++) {
		struct lpb_symbol *s;

		lpb_for_each_symbol(b->diffs[i].elf, s) {
			if (s->sec || s->shndx != SHN_UNDEF || !*s->name || !s->index ||
			    lpb_symvers_find(b->exports, s->name) || defined_by_patch(b, s->name))
				continue;
			fprintf(stderr, "lp-build: %s: the patched code uses %s, which neither the "
				"target kernel exports nor any file of the patch defines (is it "
				"built with this kernel's config? a new function the patch adds "
				"must not be static if another file calls it)\n",
				b->diffs[i].src, s->name);
			bad++;
		}
	}
	return bad ? 1 : 0;
}

void build_patch_objects(const struct build *b, struct strvec *out)
{
	for (size_t i = 0; i < b->nr_diffs; i++) {
		const struct lpb_meta *m = &b->diffs[i].meta;

		for (size_t j = 0; j < m->nr_funcs; j++)
			if (!sv_contains(out, m->funcs[j].objname))
				sv_push(out, m->funcs[j].objname);
		for (size_t j = 0; j < m->nr_callbacks; j++)
			if (!sv_contains(out, m->callbacks[j].objname))
				sv_push(out, m->callbacks[j].objname);
		for (size_t j = 0; j < m->nr_relocs; j++)
			if (!sv_contains(out, m->relocs[j].objname))
				sv_push(out, m->relocs[j].objname);
	}
}

int build_check_module(struct build *b, const char *ko, struct lpb_klp_check_stats *st)
{
	struct strvec objects = { 0 };
	struct lpb_klp_check_target t = {
		.object = object_symbols,
		.ctx = b,
	};
	int ret;

	if (load_exports(b))
		return -1;
	build_patch_objects(b, &objects);
	t.symvers = b->exports;
	t.objects = (const char *const *)objects.v;
	t.nr_objects = objects.n;
	ret = lpb_klp_check(ko, &t, st);
	sv_free(&objects);
	return ret;
}

void build_check_free(struct build *b)
{
	lpb_ksyms_free(b->vmlinux_syms);
	for (size_t i = 0; i < b->module_names.n; i++)
		lpb_ksyms_free(b->module_syms[i]);
	free(b->module_syms);
	sv_free(&b->module_names);
	lpb_symvers_free(b->exports);
}
