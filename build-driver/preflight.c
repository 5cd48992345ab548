// SPDX-License-Identifier: GPL-2.0-only
/* The pre-flight byte comparison. Relocated fields are masked on both sides
 * (their values depend on the link); so are the few bytes objtool may
 * rewrite when it runs on vmlinux.o rather than on each object: ENDBR
 * sealing (IBT) and jump-label NOPs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ksyms.h"
#include "preflight.h"

/* Width of the field each x86_64 relocation type writes. */
static const struct {
	uint32_t type;
	unsigned int width;
} reloc_width[] = {
	{ R_X86_64_64, 8 },    { R_X86_64_PC64, 8 },	  { R_X86_64_PC32, 4 },
	{ R_X86_64_PLT32, 4 }, { R_X86_64_32, 4 },	  { R_X86_64_32S, 4 },
	{ R_X86_64_GOTPCREL, 4 }, { R_X86_64_GOTPCRELX, 4 }, { R_X86_64_REX_GOTPCRELX, 4 },
	{ R_X86_64_16, 2 },    { R_X86_64_PC16, 2 },	  { R_X86_64_8, 1 },
	{ R_X86_64_PC8, 1 },
};

/* objtool's --hacks=jump_label may turn a 5-byte jmp into a NOP at link. */
#define JUMP_LABEL_SITE_LEN 5

static const uint8_t endbr64[4] = { 0xf3, 0x0f, 0x1e, 0xfa };
static const uint8_t nop4[4] = { 0x0f, 0x1f, 0x40, 0x00 };

static int width_of(uint32_t type)
{
	for (size_t i = 0; i < sizeof(reloc_width) / sizeof(reloc_width[0]); i++)
		if (reloc_width[i].type == type)
			return reloc_width[i].width;
	return -1;
}

static void mask_range(uint8_t *mask, uint64_t start, uint64_t size, uint64_t off,
		       unsigned int width)
{
	for (unsigned int i = 0; i < width; i++)
		if (off + i >= start && off + i < start + size)
			mask[off + i - start] = 1;
}

/* Mask relocated fields of @sym's bytes, and jump-label sites into it. */
static int build_mask(struct lpb_elf *elf, struct lpb_symbol *sym, uint8_t *mask)
{
	uint64_t start = sym->sym.st_value, size = sym->sym.st_size;
	struct lpb_section *rela = lpb_section_relocs(sym->sec), *jt;
	struct lpb_reloc *r;

	if (rela) {
		lpb_for_each_reloc(rela, r) {
			int w = width_of(r->type);

			if (w < 0) {
				fprintf(stderr, "lp-build: %s: relocation type %u in %s is not "
					"supported\n", elf->path, r->type, sym->sec->name);
				return -1;
			}
			mask_range(mask, start, size, r->offset, w);
		}
	}
	jt = lpb_find_section(elf, "__jump_table");
	rela = jt ? lpb_section_relocs(jt) : NULL;
	if (rela) {
		lpb_for_each_reloc(rela, r) {
			/* struct jump_entry starts with the code address */
			if (r->sym && r->sym->sec == sym->sec && r->type == R_X86_64_PC32 &&
			    r->offset % 16 == 0)
				mask_range(mask, start, size, r->sym->sym.st_value + r->addend,
					   JUMP_LABEL_SITE_LEN);
		}
	}
	return 0;
}

static struct lpb_symbol *orig_function(struct lpb_elf *elf, const char *name)
{
	for (struct lpb_symbol *s = lpb_find_symbol(elf, name); s; s = lpb_next_same_name(s))
		if (lpb_is_func(s) && s->sec && s->sec->data)
			return s;
	return NULL;
}

static const struct lpb_symbol *parent_function(struct lpb_ksyms *ks, const char *name,
						uint32_t sympos)
{
	struct lpb_elf *elf = lpb_ksyms_elf(ks);

	for (struct lpb_symbol *s = lpb_find_symbol(elf, name); s; s = lpb_next_same_name(s)) {
		if (!lpb_ksyms_counts(ks, s) || !lpb_is_func(s))
			continue;
		if (lpb_ksyms_sympos(ks, s) == sympos)
			return s;
	}
	return NULL;
}

/* Bytes of a function in the parent: by address in vmlinux, by offset in a .ko. */
static const uint8_t *parent_bytes(const struct lpb_elf *elf, const struct lpb_symbol *s)
{
	uint64_t off = s->sym.st_value;

	if (!s->sec || !s->sec->data)
		return NULL;
	if (elf->ehdr.e_type != ET_REL) {
		if (off < s->sec->sh.sh_addr)
			return NULL;
		off -= s->sec->sh.sh_addr;
	}
	if (off + s->sym.st_size > s->sec->size)
		return NULL;
	return (const uint8_t *)s->sec->data + off;
}

static int compare_one(const struct lpb_meta_func *f, struct lpb_elf *orig, struct lpb_ksyms *ks,
		       struct preflight_stats *st)
{
	struct lpb_symbol *o = orig_function(orig, f->old_name);
	const struct lpb_symbol *p = parent_function(ks, f->old_name, f->sympos);
	const char *target = lpb_ksyms_elf(ks)->path;
	const uint8_t *ob, *pb;
	uint8_t *mask;
	uint64_t size;
	int ret = 0;

	if (!o) {
		fprintf(stderr, "lp-build: %s is not in the original object %s\n", f->old_name,
			orig->path);
		return -1;
	}
	if (!p) {
		fprintf(stderr, "lp-build: pre-flight: function %s (sympos %u) is not in %s: "
			"the source or config does not match the target kernel\n", f->old_name,
			f->sympos, target);
		return 1;
	}
	size = o->sym.st_size;
	if (p->sym.st_size != size) {
		fprintf(stderr, "lp-build: pre-flight: function %s is %llu bytes in %s but %llu "
			"bytes in %s: the source, config or compiler does not match the target "
			"kernel\n", f->old_name, (unsigned long long)size, orig->path,
			(unsigned long long)p->sym.st_size, target);
		return 1;
	}
	ob = (const uint8_t *)o->sec->data + o->sym.st_value;
	pb = parent_bytes(lpb_ksyms_elf(ks), p);
	if (!pb || o->sym.st_value + size > o->sec->size) {
		fprintf(stderr, "lp-build: cannot read the bytes of %s in %s\n", f->old_name,
			pb ? orig->path : target);
		return -1;
	}
	mask = calloc(size ? size : 1, 1);
	if (!mask || build_mask(orig, o, mask)) {
		free(mask);
		return -1;
	}
	for (uint64_t i = 0; i < size; i++) {
		if (mask[i] || ob[i] == pb[i])
			continue;
		/* IBT sealing replaces an unused ENDBR by a 4-byte NOP. */
		if (i < 4 && size >= 4 && !memcmp(ob, endbr64, 4) && !memcmp(pb, nop4, 4))
			continue;
		fprintf(stderr, "lp-build: pre-flight: function %s differs at +0x%llx between "
			"the freshly compiled %s and %s (0x%llx): the source, config or compiler "
			"does not match the target kernel\n", f->old_name,
			(unsigned long long)i, orig->path, target,
			(unsigned long long)p->sym.st_value);
		ret = 1;
		break;
	}
	if (!ret) {
		st->functions++;
		st->bytes += size;
	}
	free(mask);
	return ret;
}

int preflight_compare(const struct lpb_meta *meta, const char *objname, const char *orig_path,
		      struct lpb_ksyms *parent, struct preflight_stats *st)
{
	struct lpb_elf *orig = NULL;
	int ret = 0;

	for (size_t i = 0; i < meta->nr_funcs && ret == 0; i++) {
		if (strcmp(meta->funcs[i].objname, objname))
			continue;
		if (!orig) {
			orig = lpb_elf_open(orig_path, 0);
			if (!orig) {
				ret = -1;
				break;
			}
		}
		ret = compare_one(&meta->funcs[i], orig, parent, st);
	}
	lpb_elf_free(orig);
	return ret;
}
