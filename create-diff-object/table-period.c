// SPDX-License-Identifier: GPL-2.0-only
/* The entry size of a special table measured from its own relocations, for
 * objects without DWARF (stripped objects, other tools' test suites). */
#include <stdlib.h>
#include <string.h>

#include "cdo.h"
#include "special.h"

/*
 * Entries of a table are laid out alike: the same members carry the same
 * kind of relocation at the same place in every entry. Where nothing says
 * how big an entry is (no --entry-size, sh_entsize or DWARF), the size is
 * the smallest stride at which every entry shows the same relocations:
 * same offset within the entry, same type, and a target of the same class
 * (a function's own code, a shared code section such as .fixup or
 * .altinstr_replacement by name, or anything else). The class is what
 * keeps the two s32 members of an __ex_table entry, or the code and target
 * of a jump label, from looking like two entries of their own. A stride is
 * only accepted when it explains the whole section: every entry, and a
 * final entry that may lack its trailing padding. Tables are small structs:
 * no stride above MAX_ENTRY is considered.
 */
#define MAX_ENTRY 256

enum target_class { T_OTHER, T_FUNC, T_SHARED_TEXT };

struct slot {
	uint64_t off; /* within the entry */
	uint32_t type;
	enum target_class cls;
	const char *shared; /* T_SHARED_TEXT: the section's name */
};

static struct slot slot_of(const struct lpb_reloc *r, uint64_t entry_start)
{
	struct lpb_section *s = r->sym ? r->sym->sec : NULL;
	struct slot v = { r->offset - entry_start, r->type, T_OTHER, NULL };

	if (s && s->priv && S(s)->kind == K_TEXT) {
		v.cls = S(s)->anon ? T_SHARED_TEXT : T_FUNC;
		v.shared = S(s)->anon ? s->name : NULL;
	}
	return v;
}

static bool same_slot(struct slot a, struct slot b)
{
	return a.off == b.off && a.type == b.type && a.cls == b.cls &&
	       (a.cls != T_SHARED_TEXT || !strcmp(a.shared, b.shared));
}

/* The function a relocation's target belongs to, a .cold part counted as
 * its parent (a jump label's target may lie in foo.cold). */
static size_t func_family(const struct lpb_reloc *r, const char **name)
{
	struct lpb_section *s = r->sym->sec;
	const char *n = S(s)->owner ? S(s)->owner->name : s->name;
	const char *cold = strstr(n, ".cold");

	*name = n;
	return cold ? (size_t)(cold - n) : strlen(n);
}

/* Every site of a table belongs to one function: relocations of one entry
 * into functions' own code all point into the same one. */
static bool one_function(struct lpb_reloc **r, size_t from, size_t to)
{
	const char *first = NULL, *n;
	size_t len = 0, l;

	for (size_t i = from; i < to; i++) {
		if (slot_of(r[i], 0).cls != T_FUNC)
			continue;
		l = func_family(r[i], &n);
		if (!first) {
			first = n;
			len = l;
		} else if (l != len || strncmp(n, first, len)) {
			return false;
		}
	}
	return true;
}

/* Whether entries of @size explain all of @nr relocations @r of a section
 * of @secsize bytes. */
static bool stride_fits(struct lpb_reloc **r, size_t nr, uint64_t secsize, uint64_t size)
{
	size_t first = 0, per_entry = 0, i;

	/* the pattern: entry 0's relocations */
	while (per_entry < nr && r[per_entry]->offset < size)
		per_entry++;
	if (!per_entry)
		return false;
	for (uint64_t e = 0; e < secsize; e += size) {
		for (i = 0; i < per_entry; i++) {
			size_t j = first + i;

			if (j >= nr || r[j]->offset >= e + size ||
			    !same_slot(slot_of(r[j], e), slot_of(r[i], 0)))
				return false;
			if (r[j]->offset >= secsize)
				return false;
		}
		if (!one_function(r, first, first + per_entry))
			return false;
		first += per_entry;
		/* nothing else in this entry */
		if (first < nr && r[first]->offset < e + size)
			return false;
	}
	return first == nr;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

uint64_t cdo_table_period(struct cdo_table *t)
{
	struct lpb_reloc **r;
	uint64_t *cand, found = 0;
	size_t nr, nc = 0, i;

	r = cdo_sec_relocs(t->sec, &nr);
	if (!nr || !t->sec->size)
		return 0;
	/* strides: from the first relocation to each later one like it, and
	 * the whole section (a single entry) */
	cand = calloc(nr + 1, sizeof(*cand));
	if (!cand)
		abort();
	for (i = 1; i < nr; i++) {
		uint64_t d = r[i]->offset - r[0]->offset;

		if (d && d <= MAX_ENTRY && same_slot(slot_of(r[i], d), slot_of(r[0], 0)))
			cand[nc++] = d;
	}
	if (t->sec->size <= MAX_ENTRY)
		cand[nc++] = t->sec->size;
	qsort(cand, nc, sizeof(*cand), cmp_u64);
	for (i = 0; i < nc && !found; i++)
		if ((!i || cand[i] != cand[i - 1]) && stride_fits(r, nr, t->sec->size, cand[i]))
			found = cand[i];
	free(cand);
	return found;
}
