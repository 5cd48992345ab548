// SPDX-License-Identifier: GPL-2.0-only
/* References that stay in the running kernel: exported (ordinary relocation)
 * or not (livepatch relocation by name and sympos, locals via FILE blocks). */
#include <stdlib.h>
#include <string.h>

#include "cdo.h"
#include "log.h"

/* ORIG's locals that the linked target should also have, for FILE-block
 * matching: named functions and objects in allocated sections. */
static int match_block(struct cdo *c)
{
	struct lpb_symbol *s, *file = NULL;
	const char **names;
	size_t n = 0;

	if (c->block_done)
		return c->block_ok ? 0 : -1;
	c->block_done = true;
	names = calloc(c->orig->nr_syms, sizeof(*names));
	if (!names)
		abort();
	lpb_for_each_symbol(c->orig, s) {
		if (lpb_sym_type(s) == STT_FILE && !file)
			file = s;
		if (lpb_sym_bind(s) != STB_LOCAL || !s->sec || !*s->name ||
		    (!lpb_is_func(s) && !lpb_is_object(s)) ||
		    !(s->sec->sh.sh_flags & SHF_ALLOC) || S(s->sec)->kind == K_DROP)
			continue;
		names[n++] = s->name;
	}
	c->block_ok = !lpb_ksyms_match(c->parent, c->orig->path, file ? file->name : NULL,
				       names, n, &c->block);
	free(names);
	if (c->block_ok)
		cdo_verbose(c, "%s: FILE block %s of %s matches %u of %u local symbols",
			    c->orig->path, c->block.file->name, c->opts->parent,
			    c->block.matched, c->block.wanted);
	return c->block_ok ? 0 : -1;
}

int cdo_resolve_sympos(struct cdo *c, struct lpb_symbol *o, unsigned int *sympos)
{
	const struct lpb_symbol *k;

	*sympos = 0;
	if (!c->parent)
		return 0;
	if (o->priv && Y(o)->sympos >= 0) {
		*sympos = Y(o)->sympos;
		return 0;
	}
	if (lpb_sym_bind(o) == STB_LOCAL) {
		if (match_block(c))
			return -1;
		k = lpb_ksyms_find_local(c->parent, &c->block, o->name);
		if (!k) {
			lpb_err("%s: local symbol %s is not in the matching FILE block (%s) of %s: was the original object built from the same source, config and compiler as the target?",
				c->orig->path, o->name, c->block.file->name, c->opts->parent);
			return -1;
		}
	} else {
		k = lpb_ksyms_find_global(c->parent, o->name);
		if (!k) {
			/* globals are unique in practice; the kernel checks at load */
			cdo_verbose(c, "global %s not found in %s; using sympos 0", o->name,
				    c->opts->parent);
			return 0;
		}
	}
	*sympos = lpb_ksyms_sympos(c->parent, k);
	if (o->priv)
		Y(o)->sympos = *sympos;
	return 0;
}

/* What an export leaves behind: up to 6.4, EXPORT_SYMBOL put a
 * __ksymtab_<name> entry in the object itself; from 6.5 on the object has
 * only an .export_symbol record under the label __export_symbol_<name>,
 * and modpost makes the __ksymtab_<name> of the linked vmlinux or module. */
static const char *const export_marks[] = { "__ksymtab_", "__export_symbol_" };

static bool has_mark(struct lpb_elf *elf, const char *name)
{
	char buf[512];
	size_t i;

	for (i = 0; i < sizeof(export_marks) / sizeof(*export_marks); i++) {
		snprintf(buf, sizeof(buf), "%s%s", export_marks[i], name);
		if (lpb_find_symbol(elf, buf))
			return true;
	}
	return false;
}

/* exported by the original object, or by the target (the parent's ksymtab),
 * whether or not a Module.symvers was given */
static bool exported_here(struct cdo *c, const char *name)
{
	return has_mark(c->orig, name) ||
	       (c->parent && has_mark(lpb_ksyms_elf(c->parent), name));
}

/* A global of the target named @name that neither object defines. */
static bool exported_global(struct cdo *c, const char *name)
{
	if ((c->symvers && lpb_symvers_find(c->symvers, name)) || exported_here(c, name))
		return true;
	/* without Module.symvers, only a parent that would list the export
	 * (vmlinux, or the module defining the symbol) says it is not
	 * exported; anything else is assumed to be */
	if (!c->symvers && (!c->parent || (strcmp(c->objname, "vmlinux") &&
					   !lpb_ksyms_find_global(c->parent, name)))) {
		cdo_verbose(c, "no --symvers: assuming %s (undefined in the original) is exported",
			    name);
		return true;
	}
	return false;
}

/* Does the target module (the parent) depend on module @mod (.modinfo's
 * depends=, names compared with '-' and '_' alike)? */
static bool parent_depends_on(struct cdo *c, const char *mod)
{
	struct lpb_section *mi = lpb_find_section(lpb_ksyms_elf(c->parent), ".modinfo");
	const char *p, *end;
	size_t ml = strlen(mod);

	if (!mi || !mi->data)
		return false;
	for (p = mi->data, end = p + mi->size; p < end; p += strnlen(p, end - p) + 1) {
		const char *d;

		if (strncmp(p, "depends=", 8))
			continue;
		for (d = p + 8; d < end && *d;) {
			size_t n = strcspn(d, ","), i;

			for (i = 0; n == ml && i < n; i++)
				if (d[i] != mod[i] && !(strchr("-_", d[i]) && strchr("-_", mod[i])))
					break;
			if (n == ml && i == n)
				return true;
			d += n + (d[n] == ',');
		}
	}
	return false;
}

/*
 * An exported symbol used by the patched code. vmlinux's exports are
 * ordinary relocations. A module's cannot be: the livepatch module would
 * then load only while that module is loaded. They are livepatch
 * relocations, resolved when the relocated module (the target) loads: in
 * the target itself, or in a module it depends on, which the kernel loads
 * first (*@sym_obj names it). One it does not depend on may be missing then:
 * refused.
 */
static void export_kind(struct cdo *c, const char *name, enum cdo_ref_kind *kind,
			const char **sym_obj, unsigned int *sympos)
{
	const struct lpb_export *e = c->symvers ? lpb_symvers_find(c->symvers, name) : NULL;
	const struct lpb_symbol *k;

	*kind = REF_EXPORTED;
	if (!c->parent || !strcmp(c->objname, "vmlinux") || (e && !strcmp(e->modname, "vmlinux")))
		return;
	if (!e && !has_mark(lpb_ksyms_elf(c->parent), name) && !has_mark(c->orig, name))
		return; /* assumed exported (no Module.symvers) */
	*kind = REF_KLP;
	if (e && strcmp(e->modname, c->objname)) {
		*sym_obj = e->modname;
		if (!parent_depends_on(c, e->modname))
			cdo_refuse(c, name,
				   "use only what the module already uses from other modules, or patch the function of the other module instead",
				   "the patched code of module %s uses %s, exported by module %s, which %s does not depend on: the kernel may load %s without %s, and the livepatch could not resolve %s then",
				   c->objname, name, e->modname, c->objname, c->objname, e->modname,
				   name);
		return;
	}
	/* the target's own export: a global, unique among its globals */
	k = lpb_ksyms_find_global(c->parent, name);
	if (k)
		*sympos = lpb_ksyms_sympos(c->parent, k);
}

bool cdo_is_export(struct cdo *c, const char *name)
{
	return exported_global(c, name);
}

int cdo_classify_global(struct cdo *c, const char *name, enum cdo_ref_kind *kind,
			const char **sym_obj, unsigned int *sympos)
{
	const struct lpb_symbol *k;

	*sympos = 0;
	*sym_obj = NULL;
	if (exported_global(c, name)) {
		export_kind(c, name, kind, sym_obj, sympos);
		return 0;
	}
	*kind = REF_KLP;
	if (!c->parent)
		return 0;
	/* a reference the patch adds: look the name up directly */
	k = lpb_ksyms_find_global(c->parent, name);
	if (k)
		*sympos = lpb_ksyms_sympos(c->parent, k);
	else
		/* a livepatch relocation to it could never be resolved: the
		 * global must come with the patch */
		*kind = REF_PATCH;
	return 0;
}

int cdo_classify(struct cdo *c, struct lpb_symbol *t, enum cdo_ref_kind *kind,
		 const char **name, const char **sym_obj, unsigned int *sympos)
{
	struct lpb_symbol *o = t->priv ? Y(t)->twin : NULL;

	*sympos = 0;
	*sym_obj = NULL;
	*name = o ? o->name : t->name;
	if (!t->sec && t->shndx == SHN_UNDEF) {
		/* provided by another object of the target */
		if (!o)
			return cdo_classify_global(c, t->name, kind, sym_obj, sympos);
		if (exported_global(c, t->name)) {
			export_kind(c, t->name, kind, sym_obj, sympos);
			return 0;
		}
		*kind = REF_KLP;
		return cdo_resolve_sympos(c, o, sympos);
	}
	if (!o || !o->sec) {
		lpb_err("%s: reference to %s, which is neither copied nor in the original object",
			c->patched->path, t->name);
		return -1;
	}
	if (lpb_sym_bind(o) != STB_LOCAL &&
	    ((c->symvers && lpb_symvers_find(c->symvers, o->name)) || exported_here(c, o->name))) {
		export_kind(c, o->name, kind, sym_obj, sympos);
		return 0;
	}
	*kind = REF_KLP;
	return cdo_resolve_sympos(c, o, sympos);
}
