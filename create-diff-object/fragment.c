// SPDX-License-Identifier: GPL-2.0-only
/* Code sections made of fragments without symbols, each entered from a
 * table entry of one function (5.10's .fixup): compared, included and
 * copied fragment by fragment. */
#include <stdlib.h>
#include <string.h>

#include "cdo.h"
#include "log.h"

/*
 * Before 5.17 an exception fixup was code of its own: the macros put it in
 * .fixup ("set the error, jump back") and the __ex_table entry names it by
 * section and offset. Every function of a file shares the one .fixup, so
 * its bytes move whenever an earlier function gains or loses a fixup:
 * what belongs to a function is its fragments, from where an entry enters
 * to where the next one does.
 */
static const struct {
	const char *name; /* the section of fragments */
	const char *entered_from; /* the table whose entries begin them */
} fragmented[] = {
	{ ".fixup", "__ex_table" },
};

struct cdo_frags {
	uint64_t *at; /* entry offsets, sorted, unique */
	uint64_t *out_at; /* PATCHED: offset of each copied fragment in the output */
	bool *include; /* PATCHED: fragment copied */
	size_t nr;
	struct lpb_section *out; /* PATCHED: the output section, once created */
};

static const char *entered_from(const struct lpb_section *sec)
{
	size_t i;

	for (i = 0; i < sizeof(fragmented) / sizeof(*fragmented); i++)
		if (!strcmp(sec->name, fragmented[i].name))
			return fragmented[i].entered_from;
	return NULL;
}

bool cdo_is_fragmented(const struct lpb_section *sec)
{
	if (!sec->priv || S(sec)->kind != K_TEXT || !S(sec)->anon)
		return false;
	return entered_from(sec) != NULL;
}

int64_t cdo_reloc_target_off(const struct lpb_section *from, const struct lpb_reloc *r)
{
	return r->addend + (from->priv && S(from)->kind == K_TEXT ? cdo_pcrel_bias(from, r) : 0);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Every place the entering table's entries enter @sec (a fragmented
 * section of @elf). Other references (ORC, return sites) point inside
 * fragments and do not cut them. */
static struct cdo_frags *build(struct lpb_elf *elf, struct lpb_section *sec)
{
	struct cdo_frags *f = calloc(1, sizeof(*f));
	const char *table = entered_from(sec);
	struct lpb_section *from;
	size_t cap = 0, i, k;

	if (!f)
		abort();
	lpb_for_each_section(elf, from) {
		struct lpb_reloc **r;
		size_t n;

		if (from == sec || !from->priv || strcmp(from->name, table))
			continue;
		r = cdo_sec_relocs(from, &n);
		for (i = 0; i < n; i++) {
			int64_t at;

			if (!r[i]->sym || r[i]->sym->sec != sec || !lpb_is_section_sym(r[i]->sym))
				continue;
			at = cdo_reloc_target_off(from, r[i]);
			if (at < 0 || (uint64_t)at >= sec->size)
				continue;
			if (f->nr == cap) {
				cap = cap ? cap * 2 : 16;
				f->at = realloc(f->at, cap * sizeof(*f->at));
				if (!f->at)
					abort();
			}
			f->at[f->nr++] = at;
		}
	}
	if (f->nr)
		qsort(f->at, f->nr, sizeof(*f->at), cmp_u64);
	for (i = k = 0; i < f->nr; i++)
		if (!k || f->at[k - 1] != f->at[i])
			f->at[k++] = f->at[i];
	f->nr = k;
	f->include = calloc(k + 1, sizeof(*f->include));
	f->out_at = calloc(k + 1, sizeof(*f->out_at));
	if (!f->include || !f->out_at)
		abort();
	return f;
}

static struct cdo_frags *frags_of(struct lpb_section *sec)
{
	if (!cdo_is_fragmented(sec))
		return NULL;
	if (!S(sec)->frags)
		S(sec)->frags = build(sec->elf, sec);
	return S(sec)->frags;
}

/* Index of the fragment of @f holding @at, or -1 (before the first entry). */
static ssize_t index_of(const struct cdo_frags *f, uint64_t at)
{
	size_t lo = 0, hi = f->nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (f->at[mid] <= at)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (ssize_t)lo - 1;
}

bool cdo_fragment(struct lpb_section *sec, uint64_t at, uint64_t *start, uint64_t *end)
{
	struct cdo_frags *f = frags_of(sec);
	ssize_t i;

	if (!f || (i = index_of(f, at)) < 0)
		return false;
	*start = f->at[i];
	*end = (size_t)i + 1 < f->nr ? f->at[i + 1] : sec->size;
	return true;
}

bool cdo_fragment_differs(const struct cdo *c, struct lpb_section *pfrom,
			  const struct lpb_reloc *rp, struct lpb_section *ofrom,
			  const struct lpb_reloc *ro)
{
	struct lpb_section *ps = rp->sym->sec, *os = ro->sym->sec;
	uint64_t pstart, pend, ostart, oend;
	int64_t pat = cdo_reloc_target_off(pfrom, rp), oat = cdo_reloc_target_off(ofrom, ro);
	bool bytes_only;

	if (pat < 0 || oat < 0 || !cdo_fragment(ps, pat, &pstart, &pend) ||
	    !cdo_fragment(os, oat, &ostart, &oend))
		return true;
	/* the same place in the same code */
	if (pat - pstart != oat - ostart || pend - pstart != oend - ostart) {
		cdo_debug(c, "%s+0x%llx: a fragment of %llu bytes vs %llu", ps->name,
			  (unsigned long long)pstart, (unsigned long long)(pend - pstart),
			  (unsigned long long)(oend - ostart));
		return true;
	}
	if (cdo_range_differs(c, ps, pstart, os, ostart, pend - pstart, &bytes_only)) {
		cdo_debug(c, "%s+0x%llx: the fragment differs from ORIG's at 0x%llx", ps->name,
			  (unsigned long long)pstart, (unsigned long long)ostart);
		return true;
	}
	return false;
}

bool cdo_fragment_include(struct lpb_section *sec, uint64_t at, uint64_t *start,
			  uint64_t *end)
{
	struct cdo_frags *f = frags_of(sec);
	ssize_t i;

	if (!f || (i = index_of(f, at)) < 0 || f->include[i])
		return false;
	f->include[i] = true;
	*start = f->at[i];
	*end = (size_t)i + 1 < f->nr ? f->at[i + 1] : sec->size;
	return true;
}

bool cdo_fragment_included(struct lpb_section *sec, uint64_t at)
{
	struct cdo_frags *f = frags_of(sec);
	ssize_t i;

	return f && (i = index_of(f, at)) >= 0 && f->include[i];
}

/* Copies the included fragments of every fragmented section of PATCHED,
 * in their order, with their relocations. */
int cdo_output_fragments(struct cdo *c)
{
	struct lpb_section *ps;

	lpb_for_each_section(c->patched, ps) {
		struct cdo_frags *f = cdo_is_fragmented(ps) ? S(ps)->frags : NULL;
		size_t i;

		if (!f)
			continue;
		for (i = 0; i < f->nr; i++) {
			uint64_t end = i + 1 < f->nr ? f->at[i + 1] : ps->size;
			int64_t off;

			if (!f->include[i])
				continue;
			if (!f->out) {
				f->out = lpb_elf_add_section(c->out, ps->name, ps->sh.sh_type,
							     ps->sh.sh_flags, ps->sh.sh_addralign,
							     ps->sh.sh_entsize, NULL, 0);
				if (!f->out)
					return -1;
			}
			off = lpb_section_append(f->out, (const char *)ps->data + f->at[i],
						 end - f->at[i], 1);
			if (off < 0)
				return -1;
			f->out_at[i] = off;
		}
		for (i = 0; i < f->nr; i++) {
			uint64_t end = i + 1 < f->nr ? f->at[i + 1] : ps->size;
			struct lpb_reloc **r;
			size_t n, j;

			if (!f->include[i])
				continue;
			r = cdo_relocs_in(ps, f->at[i], end, &n);
			for (j = 0; j < n; j++)
				if (cdo_emit_reloc(c, ps, f->out,
						   f->out_at[i] + r[j]->offset - f->at[i], r[j]))
					return -1;
		}
	}
	return 0;
}

int cdo_fragment_out(struct lpb_section *sec, const struct lpb_section *from,
		     const struct lpb_reloc *r, struct lpb_section **out, int64_t *addend)
{
	struct cdo_frags *f = frags_of(sec);
	int64_t at = cdo_reloc_target_off(from, r);
	ssize_t i;

	if (!f || !f->out || at < 0 || (i = index_of(f, at)) < 0 || !f->include[i])
		return -1;
	*out = f->out;
	*addend = r->addend - (int64_t)f->at[i] + (int64_t)f->out_at[i];
	return 0;
}

size_t cdo_fragment_count(struct lpb_section *sec)
{
	struct cdo_frags *f = frags_of(sec);

	return f ? f->nr : 0;
}

void cdo_fragments_free(struct lpb_elf *elf)
{
	struct lpb_section *sec;

	lpb_for_each_section(elf, sec) {
		struct cdo_frags *f = sec->priv ? S(sec)->frags : NULL;

		if (!f)
			continue;
		free(f->at);
		free(f->out_at);
		free(f->include);
		free(f);
		S(sec)->frags = NULL;
	}
}
