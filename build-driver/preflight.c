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

/*
 * The target was built without -ffunction-sections: a tail call (jmp) or
 * conditional tail call (jcc) to a function placed nearby in the same .text
 * was relaxed by the assembler to its 2-byte form, while in the freshly
 * compiled original every other function is in a section of its own and the
 * branch keeps its rel32 and a relocation. Such a site shrinks by 3 (jmp) or
 * 4 (jcc) bytes in the target, and branches inside the function that cross
 * it have displacements shorter by as much.
 */
struct relax_site {
	uint64_t at; /* offset of the opcode in the original */
	unsigned int len; /* 5 (jmp rel32) or 6 (jcc rel32) */
	bool relaxed; /* 2 bytes in the target */
	const struct lpb_reloc *r;
};

struct relax {
	struct relax_site *v;
	size_t n;
};

static void relax_free(struct relax *x)
{
	free(x->v);
	*x = (struct relax){ 0 };
}

/* The relocated jmp/jcc rel32 of @o, in code order. */
static int relax_sites(struct lpb_symbol *o, struct relax *x)
{
	struct lpb_section *rela = lpb_section_relocs(o->sec);
	const uint8_t *b = o->sec->data;
	uint64_t start = o->sym.st_value, end = start + o->sym.st_size;
	struct lpb_reloc *r;

	*x = (struct relax){ 0 };
	if (!rela)
		return 0;
	lpb_for_each_reloc(rela, r) {
		struct relax_site s = { .r = r };

		if ((r->type != R_X86_64_PC32 && r->type != R_X86_64_PLT32) || r->addend != -4 ||
		    r->offset < start + 2 || r->offset + 4 > end)
			continue;
		if (b[r->offset - 1] == 0xe9) {
			s.at = r->offset - 1 - start;
			s.len = 5;
		} else if (b[r->offset - 2] == 0x0f && (b[r->offset - 1] & 0xf0) == 0x80) {
			s.at = r->offset - 2 - start;
			s.len = 6;
		} else {
			continue;
		}
		x->v = realloc(x->v, (x->n + 1) * sizeof(*x->v));
		if (!x->v)
			return -1;
		x->v[x->n++] = s;
	}
	/* relocations are usually in offset order; make sure */
	for (size_t i = 1; i < x->n; i++)
		for (size_t k = i; k > 0 && x->v[k - 1].at > x->v[k].at; k--) {
			struct relax_site t = x->v[k];

			x->v[k] = x->v[k - 1];
			x->v[k - 1] = t;
		}
	return 0;
}

/* Offset in the target of what is at @off in the original. */
static uint64_t relax_map(const struct relax *x, uint64_t off)
{
	uint64_t d = 0;

	for (size_t i = 0; i < x->n && x->v[i].at < off; i++)
		if (x->v[i].relaxed)
			d += x->v[i].len - 2;
	return off - d;
}

/* Decides which sites the target has in short form; returns the bytes
 * the target saves. */
static uint64_t relax_decide(struct relax *x, const uint8_t *ob, const uint8_t *pb, uint64_t psize)
{
	uint64_t saved = 0;

	for (size_t i = 0; i < x->n; i++) {
		struct relax_site *s = &x->v[i];
		uint64_t j = s->at - saved;
		uint8_t want = s->len == 5 ? 0xeb : 0x70 | (ob[s->at + 1] & 0x0f);

		if (j + 2 <= psize && pb[j] == want) {
			s->relaxed = true;
			saved += s->len - 2;
		}
	}
	return saved;
}

/* Name of the function relocation @r of the original branches to. */
static const char *branch_target(const struct lpb_reloc *r)
{
	struct lpb_symbol *t = r->sym;

	if (t && lpb_is_section_sym(t) && t->sec)
		t = lpb_find_symbol_containing(t->sec, r->addend + 4);
	return t && lpb_is_func(t) ? t->name : NULL;
}

/* A short branch of the target at @j (of @p) must leave the function for a
 * function of the name the original's relocation gives. */
static bool relaxed_target_ok(const struct lpb_elf *pelf, const struct lpb_symbol *p,
			      const uint8_t *pb, uint64_t j, const struct lpb_reloc *r)
{
	int64_t dest = (int64_t)j + 2 + (int8_t)pb[j + 1];
	const char *name = branch_target(r);
	bool named = false;

	if (dest >= 0 && (uint64_t)dest < p->sym.st_size)
		return false;
	if (!name)
		return true;
	for (struct lpb_symbol *s = lpb_find_symbol(pelf, name); s; s = lpb_next_same_name(s)) {
		if (!lpb_is_func(s))
			continue;
		named = true;
		if (s->sec == p->sec && s->sym.st_value == p->sym.st_value + dest)
			return true;
	}
	return !named;
}

static int32_t read_s32(const uint8_t *b)
{
	int32_t v;

	memcpy(&v, b, 4);
	return v;
}

/*
 * Bytes at @i (original) and @j (target) differ: whether they are the
 * displacement of a branch inside the function whose destination is the
 * same instruction on both sides once relaxed sites are accounted for.
 * Returns the number of original bytes explained, 0 if not explained.
 */
static uint64_t crossing_branch(const struct relax *x, const uint8_t *ob, const uint8_t *pb,
				const uint8_t *mask, uint64_t i, uint64_t osize, uint64_t psize)
{
	uint64_t j = relax_map(x, i), f;

	/* jcc rel8, jmp rel8, loop/jrcxz */
	if (i >= 1 && j >= 1 && ob[i - 1] == pb[j - 1] &&
	    ((ob[i - 1] & 0xf0) == 0x70 || ob[i - 1] == 0xeb ||
	     (ob[i - 1] >= 0xe0 && ob[i - 1] <= 0xe3))) {
		int64_t dest_o = (int64_t)i + 1 + (int8_t)ob[i];
		int64_t dest_p = (int64_t)j + 1 + (int8_t)pb[j];

		if (dest_o >= 0 && (uint64_t)dest_o <= osize &&
		    (int64_t)relax_map(x, dest_o) == dest_p)
			return 1;
	}
	/* jmp/call rel32 and jcc rel32 not relocated: inside the function */
	for (f = i >= 3 ? i - 3 : 0; f <= i; f++) {
		uint64_t g = relax_map(x, f);
		int64_t dest_o, dest_p;
		bool op;

		if (f < 1 || f + 4 > osize || g + 4 > psize || mask[f])
			continue;
		op = ob[f - 1] == 0xe8 || ob[f - 1] == 0xe9 ||
		     (f >= 2 && ob[f - 2] == 0x0f && (ob[f - 1] & 0xf0) == 0x80);
		if (!op || pb[g - 1] != ob[f - 1])
			continue;
		dest_o = (int64_t)f + 4 + read_s32(ob + f);
		dest_p = (int64_t)g + 4 + read_s32(pb + g);
		if (dest_o >= 0 && (uint64_t)dest_o <= osize &&
		    (int64_t)relax_map(x, dest_o) == dest_p)
			return f + 4 - i;
	}
	return 0;
}

static int compare_one(const struct lpb_meta_func *f, struct lpb_elf *orig, struct lpb_ksyms *ks,
		       struct preflight_stats *st)
{
	struct lpb_symbol *o = orig_function(orig, f->old_name);
	const struct lpb_symbol *p = parent_function(ks, f->old_name, f->sympos);
	const struct lpb_elf *pelf = lpb_ksyms_elf(ks);
	const char *target = pelf->path;
	struct relax x = { 0 };
	const uint8_t *ob, *pb;
	uint8_t *mask;
	uint64_t size, psize, i, j;
	size_t k = 0;
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
	psize = p->sym.st_size;
	ob = (const uint8_t *)o->sec->data + o->sym.st_value;
	pb = parent_bytes(pelf, p);
	if (!pb || o->sym.st_value + size > o->sec->size) {
		fprintf(stderr, "lp-build: cannot read the bytes of %s in %s\n", f->old_name,
			pb ? orig->path : target);
		return -1;
	}
	if (relax_sites(o, &x))
		return -1;
	if (psize > size || size - relax_decide(&x, ob, pb, psize) != psize) {
		fprintf(stderr, "lp-build: pre-flight: function %s is %llu bytes in %s but %llu "
			"bytes in %s: the source, config or compiler does not match the target "
			"kernel\n", f->old_name, (unsigned long long)size, orig->path,
			(unsigned long long)psize, target);
		relax_free(&x);
		return 1;
	}
	mask = calloc(size ? size : 1, 1);
	if (!mask || build_mask(orig, o, mask)) {
		free(mask);
		relax_free(&x);
		return -1;
	}
	for (i = 0; i < size && !ret;) {
		uint64_t n;

		j = relax_map(&x, i);
		while (k < x.n && x.v[k].at < i)
			k++;
		if (k < x.n && x.v[k].at == i && x.v[k].relaxed) {
			if (!relaxed_target_ok(pelf, p, pb, j, x.v[k].r)) {
				ret = 1;
				break;
			}
			i += x.v[k].len;
			continue;
		}
		if (mask[i] || ob[i] == pb[j]) {
			i++;
			continue;
		}
		/* IBT sealing replaces an unused ENDBR by a 4-byte NOP. */
		if (i < 4 && size >= 4 && !memcmp(ob, endbr64, 4) && !memcmp(pb, nop4, 4)) {
			i++;
			continue;
		}
		n = x.n ? crossing_branch(&x, ob, pb, mask, i, size, psize) : 0;
		if (n) {
			i += n;
			continue;
		}
		ret = 1;
	}
	if (ret)
		fprintf(stderr, "lp-build: pre-flight: function %s differs at +0x%llx between "
			"the freshly compiled %s and %s (0x%llx): the source, config or compiler "
			"does not match the target kernel\n", f->old_name,
			(unsigned long long)i, orig->path, target,
			(unsigned long long)p->sym.st_value);
	else {
		st->functions++;
		st->bytes += size;
	}
	free(mask);
	relax_free(&x);
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
