// SPDX-License-Identifier: GPL-2.0-only
/* Special sections: a function's table entries compared with its twin's
 * (a changed fixup, static key, patch type or replacement is a change). */
#include <string.h>

#include "cdo.h"
#include "log.h"
#include "special.h"

static uint64_t read_le(const unsigned char *p, int64_t size)
{
	uint64_t v = 0;

	while (size-- > 0)
		v = v << 8 | p[size];
	return v;
}

/*
 * Relocations rp (entry at @ep of PATCHED's table) and ro (ORIG's, at @eo)
 * point at code of the entry's own: an alternative's replacement, kept in
 * one .altinstr_replacement shared by the whole file. Its place there moves
 * whenever another replacement before it changes size, so what counts is
 * its contents, @code_len bytes from the entry, compared like a function's.
 * Without the layout (no DWARF), only an unchanged shared section and an
 * unchanged place prove the same replacement.
 */
static bool code_differs(const struct cdo *c, struct cdo_table *tp, uint64_t ep,
			 const struct lpb_reloc *rp, struct cdo_table *to, uint64_t eo,
			 const struct lpb_reloc *ro)
{
	struct lpb_section *ps, *os;
	int64_t pat = 0, oat = 0;
	uint64_t plen, olen;
	bool bytes_only;

	ps = cdo_reloc_place(rp, &pat);
	os = cdo_reloc_place(ro, &oat);
	if (!ps || !os)
		return !cdo_target_equal(tp->sec, rp, to->sec, ro);
	if (tp->code_len < 0 || to->code_len < 0 || rp->offset - ep != (uint64_t)tp->code_ptr) {
		return !cdo_target_equal(tp->sec, rp, to->sec, ro) || ps->size != os->size ||
		       cdo_range_differs(c, ps, 0, os, 0, ps->size, &bytes_only);
	}
	plen = read_le((const unsigned char *)tp->sec->data + ep + tp->code_len, tp->code_len_size);
	olen = read_le((const unsigned char *)to->sec->data + eo + to->code_len, to->code_len_size);
	if (plen != olen || pat + plen > ps->size || oat + olen > os->size) {
		cdo_debug(c, "%s+0x%llx: code of %llu vs %llu bytes", tp->sec->name,
			  (unsigned long long)ep, (unsigned long long)plen, (unsigned long long)olen);
		return true;
	}
	return cdo_range_differs(c, ps, pat, os, oat, plen, &bytes_only);
}

/* Whether relocation @r of table @t points into code with no symbol of its
 * own (a replacement), which code_differs() compares by contents. */
static bool points_at_own_code(const struct cdo_table *t, uint64_t e, const struct lpb_reloc *r)
{
	struct lpb_section *sec = r->sym ? r->sym->sec : NULL;

	if (!t->d->code_ptr || !sec || !S(sec)->anon || S(sec)->kind != K_TEXT)
		return false;
	return t->code_ptr < 0 || r->offset - e == (uint64_t)t->code_ptr;
}

/* An entry compared field by field: relocations by target, other bytes
 * directly, except the line member of a bug entry (reported as line-only). */
static bool entry_differs(const struct cdo *c, struct cdo_table *tp, uint64_t ep,
			  struct cdo_table *to, uint64_t eo, bool *line_only)
{
	uint64_t sz = tp->entsize, i;
	struct lpb_reloc **rp, **ro;
	size_t np, no, k;
	const unsigned char *a = tp->sec->data, *b = to->sec->data;
	unsigned char mask[256];

	if (sz > sizeof(mask) || !a || !b)
		return true;
	/* a final entry without its trailing padding ends early: what it
	 * lacks is padding (special.c checked that it holds every member) */
	if (cdo_entry_len(tp, ep / tp->entsize) < sz)
		sz = cdo_entry_len(tp, ep / tp->entsize);
	if (cdo_entry_len(to, eo / to->entsize) < sz)
		sz = cdo_entry_len(to, eo / to->entsize);
	memset(mask, 0, sz);
	rp = cdo_relocs_in(tp->sec, ep, ep + sz, &np);
	ro = cdo_relocs_in(to->sec, eo, eo + sz, &no);
	if (np != no)
		return true;
	for (k = 0; k < np; k++) {
		if (rp[k]->offset - ep != ro[k]->offset - eo || rp[k]->type != ro[k]->type)
			return true;
		if (points_at_own_code(tp, ep, rp[k]) && points_at_own_code(to, eo, ro[k])) {
			if (code_differs(c, tp, ep, rp[k], to, eo, ro[k]))
				return true;
		} else if (rp[k]->sym && rp[k]->sym->sec && cdo_is_fragmented(rp[k]->sym->sec) &&
			   ro[k]->sym && ro[k]->sym->sec && cdo_is_fragmented(ro[k]->sym->sec)) {
			/* a fixup of its own in .fixup: its code, not its place */
			if (cdo_fragment_differs(c, tp->sec, rp[k], to->sec, ro[k]))
				return true;
		} else if (!cdo_target_equal(tp->sec, rp[k], to->sec, ro[k])) {
			cdo_debug(c, "%s+0x%llx: %s%+lld vs %s%+lld", tp->sec->name,
				  (unsigned long long)rp[k]->offset,
				  rp[k]->sym ? rp[k]->sym->name : "-", (long long)rp[k]->addend,
				  ro[k]->sym ? ro[k]->sym->name : "-", (long long)ro[k]->addend);
			return true;
		}
		for (i = rp[k]->offset - ep;
		     i < sz && i < rp[k]->offset - ep + (rp[k]->type == R_X86_64_64 || rp[k]->type == R_X86_64_PC64 ? 8 : 4);
		     i++)
			mask[i] = 1;
	}
	for (i = 0; i < sz; i++) {
		if (mask[i] || a[ep + i] == b[eo + i])
			continue;
		if (tp->line_len && i >= (uint64_t)tp->line_off &&
		    i < (uint64_t)(tp->line_off + tp->line_len)) {
			*line_only = true;
			continue;
		}
		return true;
	}
	return false;
}

/* Entries of function @f in table @t (0 when @f has none or @t is NULL). */
static uint32_t nr_entries_of(const struct cdo_table *t, const struct lpb_symbol *f)
{
	if (!t || !t->entsize)
		return 0;
	return t->first[f->index + 1] - t->first[f->index];
}

int cdo_compare_special(struct cdo *c, struct lpb_symbol *pf, struct lpb_symbol *of,
			bool *differs, bool *line_only)
{
	size_t i;

	*differs = *line_only = false;
	if (cdo_build_tables(c))
		return -1;
	/* a table only ORIG has: the function lost all its entries if it had any */
	for (i = 0; i < c->tables->nr[0]; i++) {
		struct cdo_table *to = &c->tables->t[0][i];

		if ((to->d->flags & SP_COMPARE) && to->entsize &&
		    !cdo_find_table(c, 1, to->sec->name) && nr_entries_of(to, of)) {
			cdo_debug(c, "%s: entries in %s, which PATCHED no longer has",
				  pf->name, to->sec->name);
			*differs = true;
			return 0;
		}
	}
	for (i = 0; i < c->tables->nr[1]; i++) {
		struct cdo_table *tp = &c->tables->t[1][i], *to;
		uint32_t np, no, k;
		bool lo = false;

		if (!(tp->d->flags & SP_COMPARE))
			continue;
		to = cdo_find_table(c, 0, tp->sec->name);
		if (!to && tp->entsize) {
			/* a table new in PATCHED (the first pr_debug of the file
			 * brings the first __jump_table entry) */
			if (nr_entries_of(tp, pf)) {
				cdo_debug(c, "%s: entries in %s, which ORIG does not have",
					  pf->name, tp->sec->name);
				*differs = true;
				return 0;
			}
			continue;
		}
		if (!tp->entsize || !to || !to->entsize) {
			/* no layout: only an identical table proves no change */
			bool bytes_only;

			(void)bytes_only;
			if (!to || tp->sec->size != to->sec->size ||
			    (tp->sec->data && to->sec->data &&
			     memcmp(tp->sec->data, to->sec->data, tp->sec->size))) {
				lpb_err("%s: cannot compare %s entries of %s: unknown entry size (no DWARF type 'struct %s', no sh_entsize); pass --entry-size %s=N",
					c->patched->path, tp->sec->name, pf->name,
					tp->d->type ? tp->d->type : "?", tp->sec->name);
				return -1;
			}
			continue;
		}
		np = tp->first[pf->index + 1] - tp->first[pf->index];
		no = to->first[of->index + 1] - to->first[of->index];
		if (np != no) {
			cdo_debug(c, "%s: %u vs %u entries in %s", pf->name, np, no,
				  tp->sec->name);
			*differs = true;
			*line_only = false;
			return 0;
		}
		for (k = 0; k < np; k++) {
			uint64_t ep = tp->list[tp->first[pf->index] + k] * tp->entsize;
			uint64_t eo = to->list[to->first[of->index] + k] * to->entsize;

			if (entry_differs(c, tp, ep, to, eo, &lo)) {
				cdo_debug(c, "%s: entry %u of %s differs", pf->name, k,
					  tp->sec->name);
				*differs = true;
				*line_only = false;
				return 0;
			}
		}
		if (lo) {
			*differs = true;
			*line_only = true;
		}
	}
	return 0;
}
