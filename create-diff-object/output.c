// SPDX-License-Identifier: GPL-2.0-only
/* Builds the output object: included sections and symbols, relocations
 * (ordinary or turned into .lpb.relocs entries) and the .lpb.* metadata. */
#include <ctype.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "cdo.h"
#include "log.h"
#include "lpb-meta.h"

static uint32_t str_off(struct cdo *c, const char *s)
{
	size_t len = strlen(s) + 1, i, off;
	char *p = c->strings.v;

	/* a handful of distinct strings: a linear search keeps offsets shared */
	for (i = 0; i < c->strings.nr; i += strlen(p + i) + 1)
		if (!strcmp(p + i, s))
			return i;
	off = c->strings.nr;
	for (i = 0; i < len; i++)
		*(char *)cdo_push(&c->strings, 1) = s[i];
	return off;
}

static struct lpb_symbol *undef_symbol(struct cdo *c, const char *name)
{
	struct lpb_symbol *s;

	for (s = lpb_find_symbol(c->out, name); s; s = lpb_next_same_name(s))
		if (lpb_is_undef(s) && lpb_sym_bind(s) != STB_LOCAL)
			return s;
	return lpb_elf_add_symbol(c->out, name, STB_GLOBAL, STT_NOTYPE, NULL, 0, 0);
}

static void note_reference(struct cdo_list *l, const char *name)
{
	size_t i;

	for (i = 0; i < l->nr; i++)
		if (!strcmp(((char **)l->v)[i], name))
			return;
	*(const char **)cdo_push(l, sizeof(char *)) = name;
}

int cdo_emit_reloc(struct cdo *c, struct lpb_section *from, struct lpb_section *out_sec,
		   uint64_t off, struct lpb_reloc *r)
{
	struct lpb_symbol *t = r->sym, *target;
	struct lpb_section *rela = NULL;
	enum cdo_ref_kind kind;
	const char *name, *sym_obj;
	unsigned int sympos;

	if (!t) {
		rela = lpb_elf_add_rela_section(c->out, out_sec, NULL, 0);
		return rela ? lpb_reloc_add(rela, off, r->type, NULL, r->addend) : -1;
	}
	if (t->sec && cdo_is_fragmented(t->sec)) {
		struct lpb_section *fo;
		int64_t addend;

		if (cdo_fragment_out(t->sec, from, r, &fo, &addend)) {
			lpb_err("%s: %s+0x%llx points into %s+0x%llx, a fragment that was not copied",
				c->patched->path, from->name, (unsigned long long)r->offset,
				t->sec->name, (unsigned long long)cdo_reloc_target_off(from, r));
			return -1;
		}
		rela = lpb_elf_add_rela_section(c->out, out_sec, NULL, 0);
		target = lpb_section_symbol(fo);
		return rela && target ? lpb_reloc_add(rela, off, r->type, target, addend) : -1;
	}
	if (t->sec && S(t->sec)->include) {
		rela = lpb_elf_add_rela_section(c->out, out_sec, NULL, 0);
		if (!rela)
			return -1;
		if (lpb_is_section_sym(t) || !Y(t)->out)
			target = lpb_section_symbol(S(t->sec)->out);
		else
			target = Y(t)->out;
		if (!target)
			return -1;
		return lpb_reloc_add(rela, off, r->type, target,
				     r->addend + (target == Y(t)->out ? 0 : (int64_t)t->sym.st_value));
	}
	if (cdo_classify(c, t, &kind, &name, &sym_obj, &sympos))
		return -1;
	/* a jump label's or static call's key is needed when the livepatch
	 * module itself loads: an export stays an ordinary relocation */
	if (kind == REF_KLP && S(from)->special && cdo_special_has_key(S(from)->special) &&
	    cdo_is_export(c, name))
		kind = REF_EXPORTED;
	if (kind == REF_EXPORTED || kind == REF_PATCH) {
		target = undef_symbol(c, name);
		note_reference(kind == REF_PATCH ? &c->from_patch : &c->exported, name);
		rela = lpb_elf_add_rela_section(c->out, out_sec, NULL, 0);
		return target && rela ? lpb_reloc_add(rela, off, r->type, target, r->addend) : -1;
	}
	/* Dynamic debug descriptors copied into the livepatch are registered
	 * when it loads; one pointing into a module target would hold a
	 * null pointer until that module loads (and the kernel's dynamic
	 * debug queries read it). */
	if (cdo_is_line_data(from) && strcmp(c->objname, "vmlinux")) {
		cdo_refuse(c, name,
			   "print with pr_info()/dev_info() in the new code instead of pr_debug()/dev_dbg(), or move the new call into a function of its own without debug prints",
			   "the patched code adds a pr_debug()/dev_dbg() to a file of module %s: the copied descriptors of section %s would point at %s in that module before the kernel can resolve it",
			   c->objname, from->name, name);
		return 0;
	}
	/* A static key used by a jump label must be usable when the module's
	 * jump labels are initialised at load; the kernel applies livepatch
	 * relocations for a module target only later, when that module loads. */
	if (S(from)->special && cdo_special_has_key(S(from)->special) &&
	    strcmp(c->objname, "vmlinux") && !(t->sec && S(t->sec)->kind == K_TEXT)) {
		const char *advice, *use = cdo_special_key_use(S(from)->special, &advice);

		cdo_refuse(c, name, advice,
			   "a %s in the patched code uses %s, which lives in module %s and is not exported: the livepatch module's %ss are set up before the kernel can resolve it",
			   use, name, c->objname, use);
		return 0;
	}
	{
		struct cdo_klp *k = cdo_push(&c->klps, sizeof(*k));

		k->section = out_sec->name;
		k->out_sec = out_sec;
		k->offset = off;
		k->type = r->type;
		k->addend = r->addend;
		k->symbol = name;
		k->sym_obj = sym_obj;
		k->sympos = sympos;
		k->from = from->name;
	}
	return 0;
}

int cdo_emit_named_reloc(struct cdo *c, struct lpb_section *out_sec, uint64_t off,
			 uint32_t type, int64_t addend, const char *name)
{
	struct lpb_section *rela;
	struct lpb_symbol *target;
	enum cdo_ref_kind kind;
	const char *sym_obj;
	unsigned int sympos;
	struct cdo_klp *k;

	if (cdo_classify_global(c, name, &kind, &sym_obj, &sympos))
		return -1;
	if (kind == REF_EXPORTED || kind == REF_PATCH) {
		target = undef_symbol(c, name);
		note_reference(kind == REF_PATCH ? &c->from_patch : &c->exported, name);
		rela = lpb_elf_add_rela_section(c->out, out_sec, NULL, 0);
		return target && rela ? lpb_reloc_add(rela, off, type, target, addend) : -1;
	}
	k = cdo_push(&c->klps, sizeof(*k));
	k->section = out_sec->name;
	k->out_sec = out_sec;
	k->offset = off;
	k->type = type;
	k->addend = addend;
	k->symbol = name;
	k->sym_obj = sym_obj;
	k->sympos = sympos;
	k->from = out_sec->name;
	return 0;
}

static char *alias_name(struct cdo *c, struct lpb_symbol *p, unsigned int *sympos)
{
	struct lpb_symbol *o = Y(p)->twin;

	if (cdo_resolve_sympos(c, o, sympos))
		return NULL;
	return cdo_printf("%s%s.%s.%u", LPB_NEW_FUNC_PREFIX, c->objname, o->name, *sympos);
}

static int copy_sections(struct cdo *c)
{
	struct lpb_section *ps;
	struct lpb_symbol *p;

	lpb_for_each_section(c->patched, ps) {
		if (!S(ps)->include && strcmp(ps->name, ".note.GNU-stack"))
			continue;
		S(ps)->out = lpb_elf_add_section(c->out, ps->name, ps->sh.sh_type,
						 ps->sh.sh_flags, ps->sh.sh_addralign,
						 ps->sh.sh_entsize, ps->data, ps->size);
		if (!S(ps)->out)
			return -1;
	}
	lpb_for_each_symbol(c->patched, p) {
		if (lpb_sym_type(p) == STT_FILE) {
			if (!lpb_elf_add_symbol_shndx(c->out, p->name, STB_LOCAL, STT_FILE,
						      SHN_ABS, 0, 0))
				return -1;
			break;
		}
	}
	lpb_for_each_symbol(c->patched, p) {
		unsigned int bind = lpb_sym_bind(p);

		if (!p->sec || !S(p->sec)->include || lpb_is_section_sym(p) ||
		    lpb_sym_type(p) == STT_FILE)
			continue;
		/* an existing function or object keeps its kernel name, so the
		 * copy must not be global: it would clash with the original */
		if (Y(p)->twin)
			bind = STB_LOCAL;
		Y(p)->out = lpb_elf_add_symbol(c->out, p->name, bind, lpb_sym_type(p),
					       S(p->sec)->out, p->sym.st_value,
					       p->sym.st_size);
		if (!Y(p)->out)
			return -1;
		Y(p)->out->sym.st_other = p->sym.st_other;
	}
	return 0;
}

static int copy_relocs(struct cdo *c)
{
	struct lpb_section *ps;

	lpb_for_each_section(c->patched, ps) {
		struct lpb_reloc **r;
		size_t n, i;

		if (!S(ps)->include)
			continue;
		r = cdo_sec_relocs(ps, &n);
		for (i = 0; i < n; i++)
			if (cdo_emit_reloc(c, ps, S(ps)->out, r[i]->offset, r[i]))
				return -1;
	}
	return 0;
}

static struct lpb_section *meta_section(struct cdo *c, const char *name,
					const void *data, size_t size)
{
	return lpb_elf_add_section(c->out, name, SHT_PROGBITS, 0, 8, 0, data, size);
}

static int meta_reloc(struct cdo *c, struct lpb_section *sec, uint64_t off,
		      struct lpb_symbol *sym, int64_t addend)
{
	struct lpb_section *rela = lpb_elf_add_rela_section(c->out, sec, NULL, 0);

	return rela ? lpb_reloc_add(rela, off, R_X86_64_64, sym, addend) : -1;
}

/*
 * A string field holds its offset in .lpb.strings, and an R_X86_64_32
 * relocation against that section says the same: when kbuild links several
 * diff objects into one module, their .lpb.strings are concatenated and
 * only the relocation follows the string to its new offset.
 */
static int meta_str(struct cdo *c, struct lpb_section *sec, uint64_t off, uint32_t *field,
		    const char *s)
{
	struct lpb_section *rela = lpb_elf_add_rela_section(c->out, sec, NULL, 0);
	struct lpb_symbol *base = lpb_section_symbol(c->strings_sec);

	*field = str_off(c, s);
	return rela && base ? lpb_reloc_add(rela, off, R_X86_64_32, base, *field) : -1;
}

static int emit_funcs(struct cdo *c)
{
	struct lpb_section *sec = meta_section(c, LPB_SEC_FUNCS, NULL, 0);
	struct lpb_symbol *p;

	if (!sec)
		return -1;
	lpb_for_each_symbol(c->patched, p) {
		struct lpb_func_meta m = { 0 };
		struct lpb_symbol *alias;
		unsigned int sympos;
		char *name;
		int64_t off;

		if (!p->priv || !Y(p)->patch)
			continue;
		name = alias_name(c, p, &sympos);
		if (!name)
			return -1;
		alias = lpb_elf_add_symbol(c->out, name, STB_GLOBAL, STT_FUNC,
					   S(p->sec)->out, p->sym.st_value, p->sym.st_size);
		free(name);
		if (!alias)
			return -1;
		m.sympos = sympos;
		off = lpb_section_append(sec, &m, sizeof(m), 8);
		if (off < 0 ||
		    meta_str(c, sec, off + offsetof(struct lpb_func_meta, old_name), &m.old_name,
			     Y(p)->twin->name) ||
		    meta_str(c, sec, off + offsetof(struct lpb_func_meta, objname), &m.objname,
			     c->objname) ||
		    meta_reloc(c, sec, off + offsetof(struct lpb_func_meta, new_func), alias, 0))
			return -1;
		memcpy((char *)sec->data + off, &m, sizeof(m));
	}
	return 0;
}

static int emit_relocs(struct cdo *c)
{
	struct lpb_section *sec = meta_section(c, LPB_SEC_RELOCS, NULL, 0);
	size_t i;

	if (!sec)
		return -1;
	for (i = 0; i < c->klps.nr; i++) {
		struct cdo_klp *k = (struct cdo_klp *)c->klps.v + i;
		struct lpb_reloc_meta m = { 0 };
		struct lpb_symbol *place = lpb_section_symbol(k->out_sec);
		int64_t off;

		if (!place)
			return -1;
		m.addend = k->addend;
		m.type = k->type;
		m.sympos = k->sympos;
		off = lpb_section_append(sec, &m, sizeof(m), 8);
		if (off < 0 ||
		    meta_str(c, sec, off + offsetof(struct lpb_reloc_meta, sym_name), &m.sym_name,
			     k->symbol) ||
		    meta_str(c, sec, off + offsetof(struct lpb_reloc_meta, objname), &m.objname,
			     c->objname) ||
		    meta_str(c, sec, off + offsetof(struct lpb_reloc_meta, sym_objname),
			     &m.sym_objname, k->sym_obj ? k->sym_obj : c->objname) ||
		    meta_reloc(c, sec, off + offsetof(struct lpb_reloc_meta, place), place,
			       k->offset))
			return -1;
		memcpy((char *)sec->data + off, &m, sizeof(m));
	}
	return 0;
}

/*
 * The unit part of a callback alias: two files of one object may both name
 * their callback "pre_patch_callback", and the module links their aliases
 * side by side. Letters, digits, '_' and '.' only: the generated C names it
 * in an asm label.
 */
static char *unit_tag(struct cdo *c)
{
	const char *name = c->opts->unit_name;
	struct lpb_symbol *s;
	char *tag, *p;

	if (!name)
		lpb_for_each_symbol(c->patched, s)
			if (lpb_sym_type(s) == STT_FILE && *s->name) {
				name = s->name;
				break;
			}
	tag = cdo_strdup(name ? name : "unit");
	for (p = tag; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '.')
			*p = '_';
	return tag;
}

static int emit_callbacks(struct cdo *c)
{
	static const char *const kinds[] = { "pre_patch", "post_patch", "pre_unpatch",
					     "post_unpatch" };
	struct lpb_section *sec = meta_section(c, LPB_SEC_CALLBACKS, NULL, 0);
	char *unit;
	size_t i, k;

	if (!sec)
		return -1;
	if (!c->callbacks.nr)
		return 0;
	unit = unit_tag(c);
	for (i = 0; i < c->callbacks.nr; i++) {
		struct cdo_note *n = (struct cdo_note *)c->callbacks.v + i;
		struct lpb_callback_meta m = { 0 };
		struct lpb_symbol *fn = NULL, *alias, *s;
		char *name;
		int64_t off;

		for (k = 0; k < 4; k++)
			if (!strcmp(kinds[k], n->name))
				break;
		for (s = lpb_find_symbol(c->patched, n->detail); s; s = lpb_next_same_name(s))
			if (lpb_is_func(s) && s->sec && Y(s)->out)
				fn = s;
		if (!fn || k == 4)
			break;
		name = cdo_printf("%s%s.%s.%s.%s", LPB_CALLBACK_PREFIX, c->objname, n->name, unit,
				  fn->name);
		alias = lpb_elf_add_symbol(c->out, name, STB_GLOBAL, STT_FUNC,
					   S(fn->sec)->out, fn->sym.st_value, fn->sym.st_size);
		free(name);
		if (!alias)
			break;
		m.kind = k;
		off = lpb_section_append(sec, &m, sizeof(m), 8);
		if (off < 0 ||
		    meta_str(c, sec, off + offsetof(struct lpb_callback_meta, objname), &m.objname,
			     c->objname) ||
		    meta_reloc(c, sec, off + offsetof(struct lpb_callback_meta, fn), alias, 0))
			break;
		memcpy((char *)sec->data + off, &m, sizeof(m));
	}
	free(unit);
	return i == c->callbacks.nr ? 0 : -1;
}

int cdo_output(struct cdo *c)
{
	c->out = lpb_elf_new(c->opts->out ? c->opts->out : "output", c->patched);
	if (!c->out)
		return -1;
	if (copy_sections(c) || cdo_output_fragments(c) || copy_relocs(c) ||
	    cdo_output_special(c))
		return -1;
	c->strings_sec = meta_section(c, LPB_SEC_STRINGS, NULL, 0);
	if (!c->strings_sec || emit_funcs(c) || emit_relocs(c) || emit_callbacks(c))
		return -1;
	if (c->strings.nr && lpb_section_append(c->strings_sec, c->strings.v, c->strings.nr, 1) < 0)
		return -1;
	return 0;
}
