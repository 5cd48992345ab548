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
 * Alignment padding. GCC aligns some code inside a function beyond the
 * function's own alignment (GCC 14 puts small loops on a 64-byte line), and
 * the assembler fills up to the boundary with NOPs counted from the start
 * of the section. The freshly compiled original starts a section of its
 * own; in the target the function follows others in the file's .text, so
 * the same boundary can need more or fewer NOPs. Such a site is accepted
 * when the two sides stand differently modulo an alignment the original's
 * section has (else they would pad alike) and both hold only NOPs up to an
 * address of that alignment, each run shorter than it.
 */

/* Length of the NOP instruction at @b (at most @n bytes), 0 if it is not
 * one: 90 and 0f 1f /0 (any ModRM, SIB, displacement), behind the 66 and
 * 2e prefixes assemblers pad with. */
static unsigned int nop_len(const uint8_t *b, uint64_t n)
{
	unsigned int p = 0, len;
	uint8_t modrm, mod, rm;

	while (p < n && p < 14 && (b[p] == 0x66 || b[p] == 0x2e))
		p++;
	if (p < n && b[p] == 0x90)
		return p + 1;
	if (p + 3 > n || b[p] != 0x0f || b[p + 1] != 0x1f)
		return 0;
	modrm = b[p + 2];
	mod = modrm >> 6;
	rm = modrm & 7;
	if ((modrm >> 3) & 7)
		return 0;
	len = p + 3;
	if (mod != 3 && rm == 4) {
		if (len >= n)
			return 0;
		if (mod == 0 && (b[len] & 7) == 5)
			len += 4;
		len++;
	} else if (mod == 0 && rm == 5) {
		len += 4;
	}
	len += mod == 1 ? 1 : mod == 2 ? 4 : 0;
	return len <= n && len <= 15 ? len : 0;
}

/* The first instruction boundary at or after @min in the NOP run that
 * starts at @from (bytes @b of @size), whose address (@base + offset) is a
 * multiple of @a; (uint64_t)-1 when the run ends before one. */
static uint64_t aligned_end(const uint8_t *b, uint64_t size, uint64_t base, uint64_t from,
			    uint64_t min, uint64_t a)
{
	uint64_t e = from;

	for (;;) {
		unsigned int n;

		if (e >= min && (base + e) % a == 0)
			return e;
		n = e < size ? nop_len(b + e, size - e) : 0;
		if (!n || e - from >= a)
			return (uint64_t)-1;
		e += n;
	}
}

/* How one offset of the original maps to the target: from offset @from
 * on, the target is @delta bytes further. */
struct shift {
	uint64_t from;
	int64_t delta;
};

/* A branch inside the function whose displacement differs: right only if
 * its destination maps to the target's once every shift is known. */
struct pending {
	uint64_t at; /* offset of the displacement in the original */
	int64_t dest_o, dest_p;
};

struct walk {
	const uint8_t *ob, *pb, *mask;
	uint64_t size, psize;
	uint64_t obase, pbase; /* section offset / address of byte 0 */
	uint64_t align; /* the original section's alignment */
	uint64_t i, j; /* where the comparison is */
	uint64_t sync; /* no shift or mask before this offset was skipped */
	struct shift *sh;
	size_t nsh;
	struct pending *pend;
	size_t npend;
	uint64_t padded; /* alignment sites that differ */
	uint64_t resized; /* branches encoded in another size */
};

static int64_t walk_map(const struct walk *w, int64_t off)
{
	int64_t d = 0;

	for (size_t k = 0; k < w->nsh && (int64_t)w->sh[k].from <= off; k++)
		d = w->sh[k].delta;
	return off + d;
}

/* From @from on, the target is @delta bytes further; the comparison
 * resumes at @resume in lockstep. */
static void walk_shift(struct walk *w, uint64_t from, int64_t delta, uint64_t resume)
{
	w->sh = realloc(w->sh, (w->nsh + 1) * sizeof(*w->sh));
	if (!w->sh)
		abort();
	w->sh[w->nsh++] = (struct shift){ from, delta };
	w->sync = resume;
}

/* The bytes at i and j differ: skip an alignment site that explains it. */
static bool walk_padding(struct walk *w)
{
	uint64_t s, lo = w->i >= w->align ? w->i - w->align + 1 : 0;

	if (w->align < 2)
		return false;
	if (lo < w->sync)
		lo = w->sync;
	for (s = w->i + 1; s-- > lo;) {
		uint64_t t = w->j - (w->i - s), a;

		for (a = w->align; a >= 2; a /= 2) {
			uint64_t eo, ep;

			/* placed alike modulo a, both sides pad alike */
			if ((w->obase + s) % a == (w->pbase + t) % a)
				break;
			eo = aligned_end(w->ob, w->size, w->obase, s, w->i, a);
			ep = aligned_end(w->pb, w->psize, w->pbase, t, w->j, a);

			if (eo == (uint64_t)-1 || ep == (uint64_t)-1 || (eo == w->i && ep == w->j))
				continue;
			w->i = eo;
			w->j = ep;
			walk_shift(w, eo, (int64_t)ep - (int64_t)eo, eo);
			w->padded++;
			return true;
		}
	}
	return false;
}

/* Keep the branch @pd for the check at the end, unless its destination
 * lies outside the function (then it explains nothing). */
static bool walk_pend(struct walk *w, const struct pending *pd)
{
	if (pd->dest_o < 0 || (uint64_t)pd->dest_o > w->size)
		return false;
	w->pend = realloc(w->pend, (w->npend + 1) * sizeof(*w->pend));
	if (!w->pend)
		abort();
	w->pend[w->npend++] = *pd;
	return true;
}

/* Length of the jmp or jcc at @b (@n bytes) with a displacement the
 * assembler chose the size of: 2 (rel8), 5 (jmp rel32), 6 (jcc rel32);
 * @cond gets its condition (16: jmp); 0 if @b is no such branch. */
static unsigned int sized_branch(const uint8_t *b, uint64_t n, unsigned int *cond)
{
	if (n >= 2 && (b[0] & 0xf0) == 0x70) {
		*cond = b[0] & 0x0f;
		return 2;
	}
	if (n >= 2 && b[0] == 0xeb) {
		*cond = 16;
		return 2;
	}
	if (n >= 5 && b[0] == 0xe9) {
		*cond = 16;
		return 5;
	}
	if (n >= 6 && b[0] == 0x0f && (b[1] & 0xf0) == 0x80) {
		*cond = b[1] & 0x0f;
		return 6;
	}
	return 0;
}

static int64_t branch_dest(const uint8_t *b, uint64_t at, unsigned int len)
{
	int64_t disp = len == 2 ? (int8_t)b[1] : read_s32(b + len - 4);

	return (int64_t)at + len + disp;
}

/*
 * The bytes at i and j differ: the same branch inside the function encoded
 * in another size. The assembler picks rel8 or rel32 by the distance to
 * the destination, and alignment padding of another length in between
 * (walk_padding) can move it across the rel8 range. Checked at the end,
 * like any branch: its destination must map to the target's.
 */
static bool walk_resized(struct walk *w)
{
	uint64_t i = w->i, j = w->j;
	unsigned int lo, lp, co, cp;
	struct pending pd;

	lo = sized_branch(w->ob + i, w->size - i, &co);
	lp = j < w->psize ? sized_branch(w->pb + j, w->psize - j, &cp) : 0;
	if (!lo || !lp || lo == lp || co != cp)
		return false;
	/* a rel32 of the original with a relocation leaves the function:
	 * relax_sites() handles those */
	for (uint64_t k = i; k < i + lo; k++)
		if (w->mask[k])
			return false;
	pd = (struct pending){ i, branch_dest(w->ob + i, i, lo), branch_dest(w->pb + j, j, lp) };
	if (!walk_pend(w, &pd))
		return false;
	w->i = i + lo;
	w->j = j + lp;
	walk_shift(w, w->i, (int64_t)w->j - (int64_t)w->i, w->i);
	w->resized++;
	return true;
}

/* The bytes at i and j differ: the displacement of a branch inside the
 * function (rel8, or a rel32 with no relocation), checked at the end. */
static bool walk_branch(struct walk *w)
{
	const uint8_t *ob = w->ob, *pb = w->pb;
	uint64_t i = w->i, j = w->j, f;
	struct pending pd;

	/* jcc rel8, jmp rel8, loop/jrcxz */
	if (i >= 1 && j >= 1 && ob[i - 1] == pb[j - 1] &&
	    ((ob[i - 1] & 0xf0) == 0x70 || ob[i - 1] == 0xeb ||
	     (ob[i - 1] >= 0xe0 && ob[i - 1] <= 0xe3))) {
		pd = (struct pending){ i, (int64_t)i + 1 + (int8_t)ob[i],
				       (int64_t)j + 1 + (int8_t)pb[j] };
		f = i;
		i++, j++;
	} else {
		/* jmp/call rel32 and jcc rel32 not relocated: inside the function */
		for (f = i >= 3 ? i - 3 : 0; f <= i; f++) {
			uint64_t g = j - (i - f);
			bool op;

			if (f < 1 || f < w->sync || f + 4 > w->size || g + 4 > w->psize ||
			    w->mask[f])
				continue;
			op = ob[f - 1] == 0xe8 || ob[f - 1] == 0xe9 ||
			     (f >= 2 && ob[f - 2] == 0x0f && (ob[f - 1] & 0xf0) == 0x80);
			if (op && pb[g - 1] == ob[f - 1])
				break;
		}
		if (f > i)
			return false;
		pd = (struct pending){ f, (int64_t)f + 4 + read_s32(ob + f),
				       (int64_t)(j - (i - f)) + 4 + read_s32(pb + j - (i - f)) };
		j += f + 4 - i;
		i = f + 4;
	}
	if (!walk_pend(w, &pd))
		return false;
	w->i = i;
	w->j = j;
	return true;
}

static int compare_one(const struct lpb_meta_func *f, struct lpb_elf *orig, struct lpb_ksyms *ks,
		       struct preflight_stats *st)
{
	struct lpb_symbol *o = orig_function(orig, f->old_name);
	const struct lpb_symbol *p = parent_function(ks, f->old_name, f->sympos);
	const struct lpb_elf *pelf = lpb_ksyms_elf(ks);
	const char *target = pelf->path;
	struct relax x = { 0 };
	struct walk w = { 0 };
	uint8_t *mask;
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
	w.size = o->sym.st_size;
	w.psize = p->sym.st_size;
	w.ob = (const uint8_t *)o->sec->data + o->sym.st_value;
	w.pb = parent_bytes(pelf, p);
	w.obase = o->sym.st_value;
	w.pbase = p->sym.st_value;
	w.align = o->sec->sh.sh_addralign;
	if (!w.pb || o->sym.st_value + w.size > o->sec->size) {
		fprintf(stderr, "lp-build: cannot read the bytes of %s in %s\n", f->old_name,
			w.pb ? orig->path : target);
		return -1;
	}
	if (relax_sites(o, &x))
		return -1;
	mask = calloc(w.size ? w.size : 1, 1);
	if (!mask || build_mask(orig, o, mask)) {
		free(mask);
		relax_free(&x);
		return -1;
	}
	w.mask = mask;
	while (w.i < w.size && !ret) {
		uint64_t i = w.i, j = w.j;

		while (k < x.n && x.v[k].at < i)
			k++;
		if (j >= w.psize) {
			ret = 1;
			break;
		}
		if (k < x.n && x.v[k].at == i) {
			const struct relax_site *rs = &x.v[k];
			uint8_t want = rs->len == 5 ? 0xeb : 0x70 | (w.ob[i + 1] & 0x0f);

			if (j + 2 <= w.psize && w.pb[j] == want) {
				if (!relaxed_target_ok(pelf, p, w.pb, j, rs->r)) {
					ret = 1;
					break;
				}
				w.i += rs->len;
				w.j += 2;
				walk_shift(&w, i + 1, (int64_t)w.j - (int64_t)w.i, w.i);
				continue;
			}
		}
		if (mask[i] || w.ob[i] == w.pb[j]) {
			w.i++, w.j++;
			continue;
		}
		/* IBT sealing replaces an unused ENDBR by a 4-byte NOP. */
		if (i < 4 && i == j && w.size >= 4 && w.psize >= 4 && !memcmp(w.ob, endbr64, 4) &&
		    !memcmp(w.pb, nop4, 4)) {
			w.i++, w.j++;
			continue;
		}
		if (walk_padding(&w) || walk_resized(&w) || walk_branch(&w))
			continue;
		ret = 1;
	}
	for (size_t n = 0; !ret && n < w.npend; n++) {
		if (walk_map(&w, w.pend[n].dest_o) != w.pend[n].dest_p) {
			w.i = w.pend[n].at;
			ret = 1;
		}
	}
	if ((ret && w.j >= w.psize) || (!ret && w.j != w.psize)) {
		fprintf(stderr, "lp-build: pre-flight: function %s is %llu bytes in %s but %llu "
			"bytes in %s: the source, config or compiler does not match the target "
			"kernel\n", f->old_name, (unsigned long long)w.size, orig->path,
			(unsigned long long)w.psize, target);
		ret = 1;
	} else if (ret) {
		fprintf(stderr, "lp-build: pre-flight: function %s differs at +0x%llx between "
			"the freshly compiled %s and %s (0x%llx): the source, config or compiler "
			"does not match the target kernel\n", f->old_name,
			(unsigned long long)w.i, orig->path, target,
			(unsigned long long)p->sym.st_value);
	} else {
		st->functions++;
		st->bytes += w.size;
		st->padding_sites += w.padded;
		st->resized_branches += w.resized;
	}
	free(mask);
	free(w.sh);
	free(w.pend);
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
