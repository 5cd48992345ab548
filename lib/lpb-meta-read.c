// SPDX-License-Identifier: GPL-2.0-only
/* Decoding .lpb.funcs/.lpb.relocs/.lpb.callbacks: the same code reads a diff
 * object (lp-build's module generator) and a linked module (post-link). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "lpb-meta-read.h"

static const char *const kind_names[] = {
	[LPB_CB_PRE_PATCH] = "pre_patch",
	[LPB_CB_POST_PATCH] = "post_patch",
	[LPB_CB_PRE_UNPATCH] = "pre_unpatch",
	[LPB_CB_POST_UNPATCH] = "post_unpatch",
};

const char *lpb_callback_kind_name(uint32_t kind)
{
	return kind < sizeof(kind_names) / sizeof(kind_names[0]) ? kind_names[kind] : NULL;
}

struct meta_ctx {
	struct lpb_elf *elf;
	struct lpb_section *strings;
};

/*
 * The relocation at @offset of @sec's RELA section: every address field
 * carries exactly one. Sorted lookups would be faster, but metadata
 * sections hold one entry per patched function or reference.
 */
static struct lpb_reloc *field_reloc(struct lpb_section *sec, uint64_t offset)
{
	struct lpb_section *rela = lpb_section_relocs(sec);
	struct lpb_reloc *r;

	if (!rela)
		return NULL;
	lpb_for_each_reloc(rela, r)
		if (r->offset == offset)
			return r;
	return NULL;
}

/*
 * The string of the field at @field in @sec, whose value is @off. In a
 * module linked from several diff objects their .lpb.strings were
 * concatenated: the field's relocation against .lpb.strings, when there is
 * one, gives the string's offset in the linked section.
 */
static const char *meta_str(struct meta_ctx *c, struct lpb_section *sec, uint64_t field,
			    uint32_t off, const char *what)
{
	const char *s = c->strings ? c->strings->data : NULL;
	struct lpb_reloc *r = field_reloc(sec, field);
	int64_t at = off;

	if (r) {
		if (!r->sym || r->sym->sec != c->strings) {
			lpb_err("%s: %s: a string field is relocated outside " LPB_SEC_STRINGS,
				c->elf->path, what);
			return NULL;
		}
		at = (int64_t)r->sym->sym.st_value + r->addend;
	}
	if (!s || at < 0 || (uint64_t)at >= c->strings->size ||
	    !memchr(s + at, 0, c->strings->size - at)) {
		lpb_err("%s: %s: string offset %lld is outside " LPB_SEC_STRINGS, c->elf->path,
			what, (long long)at);
		return NULL;
	}
	return s + at;
}

/* Entries of @name, checked to be a whole number of @entsize records. */
static int meta_section(struct meta_ctx *c, const char *name, size_t entsize,
			struct lpb_section **secp, size_t *nr)
{
	struct lpb_section *sec = lpb_find_section(c->elf, name);

	*nr = 0;
	*secp = sec;
	if (!sec)
		return 0;
	if (sec->size % entsize || (sec->size && !sec->data)) {
		lpb_err("%s: %s is %zu bytes, not a multiple of its %zu-byte entries",
			c->elf->path, name, sec->size, entsize);
		return -EINVAL;
	}
	*nr = sec->size / entsize;
	if (*nr && !lpb_section_relocs(sec)) {
		lpb_err("%s: %s has no relocations", c->elf->path, name);
		return -EINVAL;
	}
	return 0;
}

static int read_funcs(struct meta_ctx *c, struct lpb_meta *m)
{
	struct lpb_section *sec;

	if (meta_section(c, LPB_SEC_FUNCS, sizeof(struct lpb_func_meta), &sec, &m->nr_funcs))
		return -EINVAL;
	m->funcs = calloc(m->nr_funcs + 1, sizeof(*m->funcs));
	if (!m->funcs)
		return -ENOMEM;
	for (size_t i = 0; i < m->nr_funcs; i++) {
		struct lpb_func_meta e;
		struct lpb_meta_func *f = &m->funcs[i];
		struct lpb_reloc *r;

		memcpy(&e, (char *)sec->data + i * sizeof(e), sizeof(e));
		r = field_reloc(sec, i * sizeof(e) + offsetof(struct lpb_func_meta, new_func));
		f->old_name = meta_str(c, sec, i * sizeof(e) + offsetof(struct lpb_func_meta, old_name),
				       e.old_name, LPB_SEC_FUNCS);
		f->objname = meta_str(c, sec, i * sizeof(e) + offsetof(struct lpb_func_meta, objname),
				      e.objname, LPB_SEC_FUNCS);
		f->sympos = e.sympos;
		if (!f->old_name || !f->objname)
			return -EINVAL;
		if (!r || !r->sym || r->addend) {
			lpb_err("%s: " LPB_SEC_FUNCS " entry for %s does not point at a symbol",
				c->elf->path, f->old_name);
			return -EINVAL;
		}
		f->new_sym = r->sym;
	}
	return 0;
}

static int read_relocs(struct meta_ctx *c, struct lpb_meta *m)
{
	struct lpb_section *sec;

	if (meta_section(c, LPB_SEC_RELOCS, sizeof(struct lpb_reloc_meta), &sec, &m->nr_relocs))
		return -EINVAL;
	m->relocs = calloc(m->nr_relocs + 1, sizeof(*m->relocs));
	if (!m->relocs)
		return -ENOMEM;
	for (size_t i = 0; i < m->nr_relocs; i++) {
		struct lpb_reloc_meta e;
		struct lpb_meta_reloc *k = &m->relocs[i];
		struct lpb_reloc *r;

		memcpy(&e, (char *)sec->data + i * sizeof(e), sizeof(e));
		r = field_reloc(sec, i * sizeof(e) + offsetof(struct lpb_reloc_meta, place));
		k->type = e.type;
		k->addend = e.addend;
		k->sympos = e.sympos;
		k->sym_name = meta_str(c, sec,
				       i * sizeof(e) + offsetof(struct lpb_reloc_meta, sym_name),
				       e.sym_name, LPB_SEC_RELOCS);
		k->objname = meta_str(c, sec, i * sizeof(e) + offsetof(struct lpb_reloc_meta, objname),
				      e.objname, LPB_SEC_RELOCS);
		k->sym_objname = meta_str(c, sec,
					  i * sizeof(e) + offsetof(struct lpb_reloc_meta, sym_objname),
					  e.sym_objname, LPB_SEC_RELOCS);
		if (!k->sym_name || !k->objname || !k->sym_objname)
			return -EINVAL;
		/* The place: a section (or symbol in one) plus an offset. */
		if (!r || !r->sym || !r->sym->sec || (int64_t)r->sym->sym.st_value + r->addend < 0) {
			lpb_err("%s: " LPB_SEC_RELOCS " entry for %s has no valid place",
				c->elf->path, k->sym_name);
			return -EINVAL;
		}
		k->sec = r->sym->sec;
		k->offset = r->sym->sym.st_value + r->addend;
		if (k->offset >= k->sec->size) {
			lpb_err("%s: " LPB_SEC_RELOCS " entry for %s points past the end of %s",
				c->elf->path, k->sym_name, k->sec->name);
			return -EINVAL;
		}
	}
	return 0;
}

static int read_callbacks(struct meta_ctx *c, struct lpb_meta *m)
{
	struct lpb_section *sec;

	if (meta_section(c, LPB_SEC_CALLBACKS, sizeof(struct lpb_callback_meta), &sec, &m->nr_callbacks))
		return -EINVAL;
	m->callbacks = calloc(m->nr_callbacks + 1, sizeof(*m->callbacks));
	if (!m->callbacks)
		return -ENOMEM;
	for (size_t i = 0; i < m->nr_callbacks; i++) {
		struct lpb_callback_meta e;
		struct lpb_meta_callback *cb = &m->callbacks[i];
		struct lpb_reloc *r;

		memcpy(&e, (char *)sec->data + i * sizeof(e), sizeof(e));
		r = field_reloc(sec, i * sizeof(e) + offsetof(struct lpb_callback_meta, fn));
		cb->kind = e.kind;
		cb->objname = meta_str(c, sec,
				       i * sizeof(e) + offsetof(struct lpb_callback_meta, objname),
				       e.objname, LPB_SEC_CALLBACKS);
		if (!cb->objname)
			return -EINVAL;
		if (!lpb_callback_kind_name(e.kind) || !r || !r->sym || r->addend) {
			lpb_err("%s: " LPB_SEC_CALLBACKS " entry %zu is malformed", c->elf->path, i);
			return -EINVAL;
		}
		cb->fn = r->sym;
	}
	return 0;
}

int lpb_meta_read(struct lpb_elf *elf, struct lpb_meta *meta)
{
	struct meta_ctx c = { .elf = elf, .strings = lpb_find_section(elf, LPB_SEC_STRINGS) };
	int ret;

	*meta = (struct lpb_meta){ 0 };
	ret = read_funcs(&c, meta);
	if (!ret)
		ret = read_relocs(&c, meta);
	if (!ret)
		ret = read_callbacks(&c, meta);
	if (ret)
		lpb_meta_free(meta);
	return ret;
}

void lpb_meta_free(struct lpb_meta *meta)
{
	free(meta->funcs);
	free(meta->relocs);
	free(meta->callbacks);
	*meta = (struct lpb_meta){ 0 };
}
