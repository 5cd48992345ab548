// SPDX-License-Identifier: GPL-2.0-only
/* Decides SAME / CHANGED / NEW for every symbol and anonymous section, and
 * recognises table entries whose only difference is a line number member. */
#include <stdlib.h>
#include <string.h>

#include "cdo.h"
#include "log.h"

/* start of the bytes a relocation against a string/constant pool means */
static int64_t pool_offset(const struct lpb_section *from, const struct lpb_reloc *r)
{
	return r->addend + (S(from)->kind == K_TEXT ? cdo_pcrel_bias(from, r) : 0);
}

static bool pool_equal(struct lpb_section *pf, const struct lpb_reloc *rp,
		       struct lpb_section *of, const struct lpb_reloc *ro)
{
	struct lpb_section *tp = rp->sym->sec, *to = ro->sym->sec;
	int64_t a = pool_offset(pf, rp), b = pool_offset(of, ro);
	uint64_t n;

	if (rp->addend - a != ro->addend - b)
		return false;
	/* a local label (.LC12) into the pool counts from its own offset */
	a += rp->sym->sym.st_value;
	b += ro->sym->sym.st_value;
	if (a < 0 || b < 0 || (uint64_t)a >= tp->size || (uint64_t)b >= to->size ||
	    !tp->data || !to->data)
		return a == b && tp->size == to->size && !strcmp(tp->name, to->name);
	if (S(tp)->kind == K_STRINGS) {
		const char *x = (const char *)tp->data + a, *y = (const char *)to->data + b;
		size_t lx = strnlen(x, tp->size - a), ly = strnlen(y, to->size - b);

		return lx == ly && !memcmp(x, y, lx);
	}
	/* a merged constant is one entry of sh_entsize bytes; assembly may
	 * point into its middle (lea table+16(%rip) into a 32-byte table) */
	n = tp->sh.sh_entsize ? tp->sh.sh_entsize : 1;
	if (n != (to->sh.sh_entsize ? to->sh.sh_entsize : 1) || a % n != b % n)
		return false;
	a -= a % n;
	b -= b % n;
	if (a + n > tp->size || b + n > to->size)
		return false;
	return !memcmp((char *)tp->data + a, (char *)to->data + b, n);
}

/* The string a relocation of @from points at in a string section, or NULL. */
static const char *pool_string(struct lpb_section *from, const struct lpb_reloc *r)
{
	struct lpb_section *t = r->sym ? r->sym->sec : NULL;
	int64_t a;

	if (!t || !t->priv || S(t)->kind != K_STRINGS || !t->data)
		return NULL;
	a = pool_offset(from, r) + r->sym->sym.st_value;
	if (a < 0 || (uint64_t)a >= t->size || !memchr((char *)t->data + a, 0, t->size - a))
		return NULL;
	return (const char *)t->data + a;
}

/* Two strings that differ, and only in runs of digits (line numbers). */
static bool digits_only_differ(const char *a, const char *b)
{
	bool differ = false;

	while (*a && *b) {
		if (*a >= '0' && *a <= '9' && *b >= '0' && *b <= '9') {
			size_t na = strspn(a, "0123456789"), nb = strspn(b, "0123456789");

			differ |= na != nb || memcmp(a, b, na);
			a += na;
			b += nb;
		} else if (*a++ != *b++) {
			return false;
		}
	}
	return differ && !*a && !*b;
}

/*
 * Whether function @p differs from @o only in string literals that differ
 * in digits: a line number embedded in a string ("file:line" in fortify
 * and WARN messages) moved. Still a change (the text differs), but worth
 * saying, since lp-build's renumbered compile never produces it.
 */
static void note_line_strings(struct lpb_symbol *p, struct lpb_symbol *o)
{
	struct lpb_reloc **rp, **ro;
	const char *first_old = NULL, *first_new = NULL;
	size_t np, no, i;

	if (!p->sec->data || !o->sec->data ||
	    memcmp((char *)p->sec->data + p->sym.st_value, (char *)o->sec->data + o->sym.st_value,
		   p->sym.st_size))
		return;
	rp = cdo_relocs_in(p->sec, p->sym.st_value, p->sym.st_value + p->sym.st_size, &np);
	ro = cdo_relocs_in(o->sec, o->sym.st_value, o->sym.st_value + o->sym.st_size, &no);
	if (np != no)
		return;
	for (i = 0; i < np; i++) {
		const char *sp, *so;

		if (rp[i]->offset - p->sym.st_value != ro[i]->offset - o->sym.st_value ||
		    rp[i]->type != ro[i]->type)
			return;
		if (cdo_target_equal(p->sec, rp[i], o->sec, ro[i]))
			continue;
		sp = pool_string(p->sec, rp[i]);
		so = pool_string(o->sec, ro[i]);
		if (!sp || !so || !digits_only_differ(so, sp))
			return;
		if (!first_old) {
			first_old = so;
			first_new = sp;
		}
	}
	Y(p)->line_string_old = first_old;
	Y(p)->line_string_new = first_new;
}

bool cdo_target_equal(struct lpb_section *pf, const struct lpb_reloc *rp,
			 struct lpb_section *of, const struct lpb_reloc *ro)
{
	struct lpb_symbol *sp = rp->sym, *so = ro->sym;

	if (!sp || !so)
		return !sp && !so && rp->addend == ro->addend;
	/* string literals and merged constants have no identity: their
	 * contents are what the code sees */
	if (sp->sec && so->sec &&
	    (S(sp->sec)->kind == K_STRINGS || S(sp->sec)->kind == K_CONST) &&
	    S(so->sec)->kind == S(sp->sec)->kind)
		return pool_equal(pf, rp, of, ro);
	if (rp->addend != ro->addend)
		return false;
	if (Y(sp)->twin == so)
		return true;
	/* undefined or global symbols are the same thing by name */
	return !Y(sp)->twin && !Y(so)->twin && !lpb_is_section_sym(sp) &&
	       lpb_sym_bind(sp) != STB_LOCAL && lpb_sym_bind(so) != STB_LOCAL &&
	       !strcmp(sp->name, so->name);
}

bool cdo_range_differs(const struct cdo *c, struct lpb_section *ps, uint64_t pstart,
		       struct lpb_section *os, uint64_t ostart, uint64_t size,
		       bool *bytes_only)
{
	struct lpb_reloc **rp, **ro;
	size_t np, no, i;

	*bytes_only = false;
	rp = cdo_relocs_in(ps, pstart, pstart + size, &np);
	ro = cdo_relocs_in(os, ostart, ostart + size, &no);
	if (np != no)
		return true;
	for (i = 0; i < np; i++) {
		if (rp[i]->offset - pstart != ro[i]->offset - ostart ||
		    rp[i]->type != ro[i]->type || !cdo_target_equal(ps, rp[i], os, ro[i])) {
			cdo_debug(c, "%s+0x%llx: %s%+lld vs %s%+lld", ps->name,
					(unsigned long long)rp[i]->offset,
					rp[i]->sym ? rp[i]->sym->name : "-", (long long)rp[i]->addend,
					ro[i]->sym ? ro[i]->sym->name : "-", (long long)ro[i]->addend);
			return true;
		}
	}
	if (ps->sh.sh_type == SHT_NOBITS || os->sh.sh_type == SHT_NOBITS)
		return ps->sh.sh_type != os->sh.sh_type;
	if (!ps->data || !os->data)
		return ps->data != os->data;
	if (memcmp((char *)ps->data + pstart, (char *)os->data + ostart, size)) {
		*bytes_only = true;
		return true;
	}
	return false;
}

static bool in_bounds(struct lpb_symbol *s)
{
	return s->sym.st_value <= s->sec->size &&
	       s->sym.st_size <= s->sec->size - s->sym.st_value;
}

static int compare_symbol(struct cdo *c, struct lpb_symbol *p, struct lpb_symbol *o)
{
	bool bytes_only, sp_differs = false, sp_line = false;
	struct cdo_sym *yp = Y(p);

	if (!in_bounds(p) || !in_bounds(o)) {
		lpb_err("%s: symbol %s runs past the end of section %s",
			in_bounds(p) ? c->orig->path : c->patched->path, p->name,
			p->sec->name);
		return -1;
	}
	if (p->sym.st_size != o->sym.st_size || lpb_sym_type(p) != lpb_sym_type(o) ||
	    !!(p->sec->sh.sh_flags & SHF_WRITE) != !!(o->sec->sh.sh_flags & SHF_WRITE)) {
		yp->status = CDO_CHANGED;
		return 0;
	}
	if (cdo_range_differs(c, p->sec, p->sym.st_value, o->sec, o->sym.st_value,
			  p->sym.st_size, &bytes_only)) {
		/* code that differs is a change: lp-build keeps every unchanged
		 * line's number (#line), so a __LINE__ that moved cannot be
		 * told from a constant the patch changed (copy_limit(.., 100)
		 * -> 64 next to a printk); only data whose line member is
		 * known from DWARF (dynamic debug descriptors) is exact */
		if (bytes_only && lpb_is_object(p) && cdo_data_line_only(c, p, o))
			yp->line_only = true;
		else {
			yp->status = CDO_CHANGED;
			if (!bytes_only && lpb_is_func(p))
				note_line_strings(p, o);
			return 0;
		}
	}
	if (lpb_is_func(p)) {
		if (cdo_compare_special(c, p, o, &sp_differs, &sp_line))
			return -1;
		if (sp_differs && !sp_line) {
			yp->status = CDO_CHANGED;
			return 0;
		}
		if (sp_differs)
			yp->line_only = true;
	}
	yp->status = CDO_SAME;
	return 0;
}

static int cmp_strp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The "key=value" entries of a .modinfo section, sorted. */
static const char **modinfo_entries(const struct lpb_section *s, size_t *n)
{
	const char *p = s ? s->data : NULL, *end = p ? p + s->size : NULL;
	const char **v = NULL;
	size_t cap = 0;

	*n = 0;
	while (p && p < end) {
		size_t len = strnlen(p, end - p);

		if (len) {
			if (*n == cap) {
				cap = cap ? 2 * cap : 16;
				v = realloc(v, cap * sizeof(*v));
				if (!v)
					return NULL;
			}
			v[(*n)++] = p;
		}
		p += len + 1;
	}
	if (v)
		qsort(v, *n, sizeof(*v), cmp_strp);
	return v;
}

/*
 * Module information is read by the module loader and modinfo(8), never by
 * running code, and a livepatch cannot change it: a difference is noted and
 * left as built, not refused. The entries are compared as a set: their
 * order is the order GCC emits the __UNIQUE_ID_* variables holding them.
 */
static void compare_modinfo(struct cdo *c, struct lpb_section *ps, struct lpb_section *os)
{
	size_t no, np, i = 0, j = 0;
	const char **o = modinfo_entries(os, &no), **p = modinfo_entries(ps, &np);

	while (i < no || j < np) {
		int d = i == no ? 1 : j == np ? -1 : strcmp(o[i], p[j]);
		struct cdo_note *note;

		if (!d) {
			i++;
			j++;
			continue;
		}
		note = cdo_push(&c->modinfo, sizeof(*note));
		note->name = cdo_strdup(d < 0 ? o[i++] : p[j++]);
		note->detail = cdo_strdup(d < 0 ? "removed" : "added");
	}
	if (ps)
		S(ps)->status = CDO_SAME;
	free(o);
	free(p);
}

static void compare_anon(struct cdo *c, struct lpb_section *ps)
{
	struct lpb_section *os = S(ps)->twin;
	bool bytes_only;

	if (!strcmp(ps->name, ".modinfo")) {
		compare_modinfo(c, ps, os);
		return;
	}
	if (!os) {
		S(ps)->status = CDO_NEW;
		return;
	}
	if (ps->size != os->size ||
	    cdo_range_differs(c, ps, 0, os, 0, ps->size, &bytes_only))
		S(ps)->status = CDO_CHANGED;
}

/* Marks every function referencing @t (a symbol or, if NULL, section @ts)
 * as changed: its behaviour depends on what changed there. */
static bool mark_referrers(struct cdo *c, struct lpb_symbol *t, struct lpb_section *ts)
{
	struct lpb_section *sec;
	bool any = false;

	lpb_for_each_section(c->patched, sec) {
		struct lpb_reloc **r;
		size_t n, i;

		if (S(sec)->kind != K_TEXT)
			continue;
		r = cdo_sec_relocs(sec, &n);
		for (i = 0; i < n; i++) {
			struct lpb_symbol *f;

			if (!r[i]->sym || (t ? r[i]->sym != t : r[i]->sym->sec != ts))
				continue;
			f = lpb_find_symbol_containing(sec, r[i]->offset);
			if (f && lpb_is_func(f) && Y(f)->status == CDO_SAME) {
				Y(f)->status = CDO_CHANGED;
				Y(f)->changed_by_child = true;
				any = true;
			}
		}
	}
	return any;
}

/* Where relocation @r of code section @from points into @to: the entry
 * point a jump or call from @from reaches. */
static int64_t entry_offset(struct lpb_section *from, const struct lpb_reloc *r)
{
	return r->addend + cdo_pcrel_bias(from, r);
}

/* Whether code of other sections enters @sec at @off. */
static bool is_entry(struct cdo *c, struct lpb_elf *elf, struct lpb_section *sec, int64_t off)
{
	struct lpb_section *from;

	lpb_for_each_section(elf, from) {
		struct lpb_reloc **r;
		size_t n, i;

		if (from == sec || !from->priv || S(from)->kind != K_TEXT)
			continue;
		r = cdo_sec_relocs(from, &n);
		for (i = 0; i < n; i++)
			if (r[i]->sym && r[i]->sym->sec == sec && entry_offset(from, r[i]) == off)
				return true;
	}
	return false;
}

/* End of the fragment of anonymous code section @sec entered at @off: the
 * next place other code enters, or the end of the section. */
static uint64_t fragment_end(struct cdo *c, struct lpb_elf *elf, struct lpb_section *sec,
			     uint64_t off)
{
	uint64_t end;

	for (end = off + 1; end < sec->size; end++)
		if (is_entry(c, elf, sec, end))
			return end;
	return sec->size;
}

/* The entry points of function @f into anonymous section @sec, in code
 * order (at most @max). */
static size_t entries_of(struct lpb_symbol *f, struct lpb_section *sec, int64_t *v, size_t max)
{
	struct lpb_reloc **r;
	size_t n, i, k = 0;

	r = cdo_relocs_in(f->sec, f->sym.st_value, f->sym.st_value + f->sym.st_size, &n);
	for (i = 0; i < n; i++)
		if (r[i]->sym && r[i]->sym->sec == sec && k < max)
			v[k++] = entry_offset(f->sec, r[i]);
	return k;
}

/* Whether anonymous code section @ps is entered by more than one function:
 * .altinstr_aux holds the slow path of every static_cpu_has() of the file,
 * each jumping back into its own function. */
static bool shared_code(struct cdo *c, struct lpb_section *ps)
{
	struct lpb_symbol *first = NULL, *f;
	struct lpb_section *sec;

	if (S(ps)->kind != K_TEXT)
		return false;
	lpb_for_each_section(c->patched, sec) {
		struct lpb_reloc **r;
		size_t n, i;

		if (sec == ps || S(sec)->kind != K_TEXT)
			continue;
		r = cdo_sec_relocs(sec, &n);
		for (i = 0; i < n; i++) {
			if (!r[i]->sym || r[i]->sym->sec != ps)
				continue;
			f = lpb_find_symbol_containing(sec, r[i]->offset);
			if (!f || !lpb_is_func(f))
				return false;
			if (first && f != first)
				return true;
			first = f;
		}
	}
	return false;
}

#define MAX_ENTRIES 64

/* A changed section of code shared by several functions changes only the
 * functions whose own fragments differ: a function that changed size
 * moves the jumps back into it, which must not make every other user of
 * the section (notrace ones included) a change. */
static bool mark_fragment_users(struct cdo *c, struct lpb_section *ps)
{
	struct lpb_section *os = S(ps)->twin;
	struct lpb_symbol *f;
	bool any = false;

	lpb_for_each_symbol(c->patched, f) {
		int64_t pe[MAX_ENTRIES], oe[MAX_ENTRIES];
		struct lpb_symbol *o = f->priv ? Y(f)->twin : NULL;
		size_t np, no, k;
		bool differs = false;

		if (!lpb_is_func(f) || !f->sec || !o || !o->sec || Y(f)->status != CDO_SAME)
			continue;
		np = entries_of(f, ps, pe, MAX_ENTRIES);
		if (!np)
			continue;
		no = entries_of(o, os, oe, MAX_ENTRIES);
		differs = np != no || np == MAX_ENTRIES;
		for (k = 0; k < np && !differs; k++) {
			uint64_t pend, oend;
			bool bytes_only;

			if (pe[k] < 0 || oe[k] < 0 || (uint64_t)pe[k] >= ps->size ||
			    (uint64_t)oe[k] >= os->size) {
				differs = true;
				break;
			}
			pend = fragment_end(c, c->patched, ps, pe[k]);
			oend = fragment_end(c, c->orig, os, oe[k]);
			differs = pend - pe[k] != oend - oe[k] ||
				  cdo_range_differs(c, ps, pe[k], os, oe[k], pend - pe[k], &bytes_only);
		}
		if (differs) {
			cdo_debug(c, "%s: its part of %s differs", f->name, ps->name);
			Y(f)->status = CDO_CHANGED;
			Y(f)->changed_by_child = true;
			any = true;
		}
	}
	return any;
}

/* Whether the relocation @r of code section @sec is the target of a direct
 * call or jump (call/jmp rel32, jcc rel32): the instruction only transfers
 * control to the target, it does not leak its address. */
static bool is_direct_branch(struct lpb_section *sec, const struct lpb_reloc *r)
{
	const unsigned char *b = lpb_section_data(sec);

	if ((r->type != R_X86_64_PC32 && r->type != R_X86_64_PLT32) || r->addend != -4 ||
	    !b || r->offset < 2 || r->offset + 4 > sec->size)
		return false;
	if (b[r->offset - 1] == 0xe8 || b[r->offset - 1] == 0xe9)
		return true;
	return b[r->offset - 2] == 0x0f && (b[r->offset - 1] & 0xf0) == 0x80;
}

/* Whether every use of local function @f is a direct call or jump from
 * another function of PATCHED. Table entries (ORC, return sites...) and
 * debug info do not count; any other use (a function pointer stored in
 * data or taken in code) means callers elsewhere could still reach the
 * running kernel's copy. */
static bool only_called(struct cdo *c, struct lpb_symbol *f)
{
	struct lpb_section *sec;

	lpb_for_each_section(c->patched, sec) {
		struct lpb_reloc **r;
		size_t n, i;

		if (S(sec)->kind == K_SPECIAL || S(sec)->kind == K_DROP ||
		    S(sec)->kind == K_NONE)
			continue;
		r = cdo_sec_relocs(sec, &n);
		for (i = 0; i < n; i++) {
			struct lpb_symbol *from;

			if (r[i]->sym != f)
				continue;
			if (S(sec)->kind != K_TEXT || !is_direct_branch(sec, r[i]))
				return false;
			from = lpb_find_symbol_containing(sec, r[i]->offset);
			if (!from || !lpb_is_func(from) || from == f)
				return false;
		}
	}
	return true;
}

/* A changed function livepatch cannot redirect (its original has no
 * __fentry__ call: notrace, like the static inline __do_sys_* body GCC
 * keeps out of line when both the x86-64 and the ia32 syscall entry points
 * call it) is still fine when it is local and only ever called: the new
 * body goes into the module as a private copy and its callers change
 * instead, which is what the patch author would have written by hand.
 * A notrace function's .part.N clone is such a function too (its callers
 * are the parent and every function the parent's head was inlined into);
 * a .cold part is only ever entered from its parent, which carries it. */
static bool carry_for_callers(struct cdo *c, struct lpb_symbol *p)
{
	struct lpb_symbol *o = Y(p)->twin;

	if (!lpb_is_func(p) || Y(p)->status != CDO_CHANGED || Y(p)->via_callers ||
	    Y(p)->cold || !o || lpb_sym_bind(p) != STB_LOCAL || cdo_has_fentry(o) ||
	    !S(p->sec)->owner || !only_called(c, p))
		return false;
	Y(p)->via_callers = true;
	cdo_verbose(c, "%s: changed but has no __fentry__ call; patching its callers instead",
		    p->name);
	mark_referrers(c, p, NULL);
	return true;
}

int cdo_compare(struct cdo *c)
{
	struct lpb_symbol *p, *o;
	struct lpb_section *ps;
	bool again = true;

	lpb_for_each_symbol(c->patched, p) {
		if (!p->sec || lpb_is_section_sym(p) || lpb_sym_type(p) == STT_FILE ||
		    S(p->sec)->kind == K_NONE || S(p->sec)->kind == K_DROP)
			continue;
		if (!lpb_is_func(p) && !lpb_is_object(p))
			continue;
		/* a function's padding goes wherever the function goes */
		if (Y(p)->prefix_of)
			continue;
		o = Y(p)->twin;
		if (!o || !o->sec) {
			Y(p)->status = CDO_NEW;
			continue;
		}
		if (compare_symbol(c, p, o))
			return -1;
	}
	lpb_for_each_section(c->patched, ps) {
		if (S(ps)->anon || S(ps)->kind == K_UNSUPPORTED)
			compare_anon(c, ps);
	}
	/* module information the patch removed entirely */
	lpb_for_each_section(c->orig, ps) {
		if (!strcmp(ps->name, ".modinfo") && S(ps) && !S(ps)->twin)
			compare_modinfo(c, NULL, ps);
	}
	lpb_for_each_symbol(c->orig, o) {
		if (lpb_is_func(o) && o->sec && !Y(o)->twin && *o->name && !Y(o)->prefix_of) {
			char **slot = cdo_push(&c->removed, sizeof(char *));

			*slot = o->name;
		}
	}
	/* changes flow to what depends on them until nothing moves: a
	 * changed .cold/.part child changes its parent; a changed jump table
	 * or read-only local constant changes the functions using it; a
	 * changed notrace function only called changes its callers */
	while (again) {
		again = false;
		lpb_for_each_symbol(c->patched, p) {
			struct lpb_symbol *parent = Y(p)->parent;

			if (!p->priv || !lpb_is_func(p) || !parent)
				continue;
			if (Y(p)->status != CDO_SAME && Y(parent)->status == CDO_SAME) {
				Y(parent)->status = CDO_CHANGED;
				Y(parent)->changed_by_child = true;
				again = true;
			}
			if (Y(p)->line_only && Y(parent)->status == CDO_SAME)
				Y(parent)->line_only = true;
		}
		lpb_for_each_section(c->patched, ps) {
			/* a fragment's change is its function's (special-compare.c) */
			if (!S(ps)->anon || S(ps)->status == CDO_SAME || cdo_is_fragmented(ps))
				continue;
			if (S(ps)->twin && shared_code(c, ps) ? mark_fragment_users(c, ps) :
			    mark_referrers(c, NULL, ps))
				again = true;
		}
		if (cdo_const_propagate(c))
			again = true;
		lpb_for_each_symbol(c->patched, p) {
			if (p->priv && p->sec && carry_for_callers(c, p))
				again = true;
		}
	}
	return 0;
}
