// SPDX-License-Identifier: GPL-2.0-only
/* Special sections: per-call-site tables (__bug_table, __jump_table, ORC...)
 * whose entries are compared per function and filtered to included ones. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cdo.h"
#include "dwarf-types.h"
#include "log.h"

enum {
	SP_COMPARE = 1 << 0, /* entries are part of what a function does */
	SP_KEY = 1 << 1, /* entries name a static key / static call key */
	SP_PARTNER_ONLY = 1 << 2, /* filtered through its partner's indices */
};

struct cdo_special {
	const char *name;
	const char *type; /* kernel struct of one entry (size from DWARF) */
	unsigned int fixed; /* entry size fixed by the format, 0 if none */
	const char *partner; /* section filtered with the same entry indices */
	unsigned int flags;
	const char *line_member; /* member holding __LINE__ */
	const char *after_line; /* the member after it (bounds it) */
};

/* Entry sizes are never assumed for kernel structs: they come from
 * --entry-size, sh_entsize or DWARF. "fixed" is only used where the format
 * itself is an array of one machine type (s32 offsets, pointers). */
static const struct cdo_special specials[] = {
	{ "__bug_table", "bug_entry", 0, NULL, SP_COMPARE, "line", "flags" },
	{ "__ex_table", "exception_table_entry", 0, NULL, SP_COMPARE, NULL, NULL },
	{ "__jump_table", "jump_entry", 0, NULL, SP_COMPARE | SP_KEY, NULL, NULL },
	{ ".altinstructions", "alt_instr", 0, NULL, SP_COMPARE, NULL, NULL },
	{ ".parainstructions", "paravirt_patch_site", 0, NULL, SP_COMPARE, NULL, NULL },
	{ ".static_call_sites", "static_call_site", 0, NULL, SP_COMPARE | SP_KEY, NULL, NULL },
	{ ".printk_index", "pi_entry", 0, NULL, 0, NULL, NULL },
	{ ".retpoline_sites", NULL, 4, NULL, 0, NULL, NULL },
	{ ".return_sites", NULL, 4, NULL, 0, NULL, NULL },
	{ ".call_sites", NULL, 4, NULL, 0, NULL, NULL },
	{ ".ibt_endbr_seal", NULL, 4, NULL, 0, NULL, NULL },
	{ ".smp_locks", NULL, 4, NULL, 0, NULL, NULL },
	{ ".orc_unwind_ip", NULL, 4, ".orc_unwind", 0, NULL, NULL },
	{ ".orc_unwind", "orc_entry", 0, NULL, SP_PARTNER_ONLY, NULL, NULL },
	{ "__mcount_loc", NULL, 8, NULL, 0, NULL, NULL },
	{ "__patchable_function_entries", NULL, 8, NULL, 0, NULL, NULL },
};

const struct cdo_special *cdo_special_lookup(const char *secname)
{
	size_t i;

	for (i = 0; i < sizeof(specials) / sizeof(*specials); i++)
		if (!strcmp(secname, specials[i].name))
			return &specials[i];
	return NULL;
}

bool cdo_special_has_key(const struct cdo_special *d)
{
	return d->flags & SP_KEY;
}

/* Data objects that record a source line of their own: a difference
 * confined to that member is a line shift, not a change (the running
 * kernel's object, with the old number, goes on being used). */
static const struct cdo_line_data {
	const char *section;
	const char *type; /* kernel struct of one object */
	const char *member; /* the line number (a bitfield or a whole member) */
} line_data[] = {
	{ "__dyndbg", "_ddebug", "lineno" }, /* pr_debug()/dev_dbg() descriptors */
};

struct cdo_line_bits {
	const struct cdo_line_data *d;
	int64_t first, nr; /* bits of the member; nr < 0: unknown */
};

struct cdo_size {
	const char *type; /* struct name */
	int64_t size, line_off, after_off;
};

/* One table section of one object, indexed by owning function. */
struct table {
	struct lpb_section *sec;
	const struct cdo_special *d;
	uint64_t entsize; /* 0: unknown */
	size_t nr;
	uint32_t *owner; /* per entry: owner symbol index, 0 = none */
	uint32_t *first, *list; /* CSR: entries of symbol i are list[first[i]..first[i+1]) */
	int64_t line_off, line_len;
};

struct cdo_tables {
	struct table *t[2]; /* [0] ORIG, [1] PATCHED */
	size_t nr[2];
};

/* Whether --entry-size gives the size of every table of struct @type. */
static bool size_given(const struct cdo *c, const char *type)
{
	bool any = false;
	size_t i, k;

	for (i = 0; i < sizeof(specials) / sizeof(*specials); i++) {
		bool found = false;

		if (!specials[i].type || strcmp(specials[i].type, type))
			continue;
		for (k = 0; k < c->opts->nr_entsizes && !found; k++)
			found = !strcmp(c->opts->entsizes[k].section, specials[i].name);
		if (!found)
			return false;
		any = true;
	}
	return any;
}

/* Fills c->sizes with answers for all table structs, from ORIG's own DWARF
 * (same headers and config) and, for what is still missing, the parent's.
 * A size --entry-size gives is not missing; a line member's position is,
 * whatever gave the size. */
static int resolve_types(struct cdo *c)
{
	struct lpb_type_query q[sizeof(specials) / sizeof(*specials)];
	size_t n = 0, i, missing = 0;
	const char *sources[2] = { c->opts->orig, c->opts->parent };
	int s;

	for (i = 0; i < sizeof(specials) / sizeof(*specials); i++) {
		if (!specials[i].type)
			continue;
		q[n].type = specials[i].type;
		q[n].member = specials[i].line_member;
		n++;
	}
	for (i = 0; i < n; i++) {
		struct cdo_size *z = cdo_push(&c->sizes, sizeof(*z));

		z->type = q[i].type;
		z->size = z->line_off = z->after_off = -1;
	}
	for (s = 0; s < 2; s++) {
		struct cdo_size *z = c->sizes.v;

		if (!sources[s])
			continue;
		missing = 0;
		for (i = 0; i < n; i++)
			missing += (z[i].size < 0 && !size_given(c, z[i].type)) ||
				   (q[i].member && (z[i].line_off < 0 || z[i].after_off < 0));
		if (!missing)
			break;
		if (lpb_dwarf_types(sources[s], q, n) < 0)
			continue;
		for (i = 0; i < n; i++) {
			if (z[i].size >= 0 || q[i].size < 0)
				continue;
			z[i].size = q[i].size;
			z[i].line_off = q[i].member ? q[i].offset : -1;
			cdo_verbose(c, "struct %s: %lld bytes (DWARF of %s)", q[i].type,
				    (long long)q[i].size, sources[s]);
		}
		/* the member after the line number bounds it */
		for (i = 0; i < n; i++) {
			const struct cdo_special *d = NULL;
			struct lpb_type_query q2;
			size_t k;

			for (k = 0; k < sizeof(specials) / sizeof(*specials); k++)
				if (specials[k].type && !strcmp(specials[k].type, q[i].type))
					d = &specials[k];
			if (!d || !d->after_line || z[i].after_off >= 0 || z[i].line_off < 0)
				continue;
			q2.type = d->type;
			q2.member = d->after_line;
			if (lpb_dwarf_types(sources[s], &q2, 1) > 0 && q2.offset > z[i].line_off)
				z[i].after_off = q2.offset;
		}
	}
	return 0;
}

static int entry_size(struct cdo *c, struct table *t)
{
	struct cdo_size *z;
	size_t i;

	for (i = 0; i < c->opts->nr_entsizes && !t->entsize; i++)
		if (!strcmp(c->opts->entsizes[i].section, t->sec->name))
			t->entsize = c->opts->entsizes[i].size;
	if (!t->entsize)
		t->entsize = t->sec->sh.sh_entsize;
	if (!t->entsize)
		t->entsize = t->d->fixed;
	/* a table with a __LINE__ member still needs DWARF for its position */
	if (t->entsize && !t->d->line_member)
		return 0;
	if (!c->sizes.nr)
		resolve_types(c);
	z = c->sizes.v;
	for (i = 0; i < c->sizes.nr; i++) {
		if (strcmp(z[i].type, t->d->type))
			continue;
		if (z[i].size > 0 && !t->entsize)
			t->entsize = z[i].size;
		if (z[i].line_off >= 0 && z[i].after_off > z[i].line_off) {
			t->line_off = z[i].line_off;
			t->line_len = z[i].after_off - z[i].line_off;
		}
	}
	return 0;
}

/* The bits of @d's line member, from the DWARF of ORIG, then the parent. */
static const struct cdo_line_bits *line_bits(struct cdo *c, const struct cdo_line_data *d)
{
	const char *sources[2] = { c->opts->orig, c->opts->parent };
	struct cdo_line_bits *b = c->line_bits.v;
	struct lpb_type_query q = { .type = d->type, .member = d->member };
	size_t i;
	int s;

	for (i = 0; i < c->line_bits.nr; i++)
		if (b[i].d == d)
			return &b[i];
	b = cdo_push(&c->line_bits, sizeof(*b));
	b->d = d;
	b->nr = -1;
	for (s = 0; s < 2 && b->nr < 0; s++) {
		if (!sources[s] || lpb_dwarf_types(sources[s], &q, 1) <= 0 || q.offset < 0)
			continue;
		if (q.bit_size > 0) {
			b->first = q.bit_offset;
			b->nr = q.bit_size;
		} else {
			/* a whole member: the unsigned int the kernel uses for lines */
			b->first = q.offset * 8;
			b->nr = 32;
		}
		cdo_verbose(c, "struct %s: %s is bits %lld..%lld (DWARF of %s)", d->type,
			    d->member, (long long)b->first, (long long)(b->first + b->nr - 1),
			    sources[s]);
	}
	return b;
}

bool cdo_is_line_data(const struct lpb_section *sec)
{
	size_t i;

	for (i = 0; i < sizeof(line_data) / sizeof(*line_data); i++)
		if (!strcmp(sec->name, line_data[i].section))
			return true;
	return false;
}

/*
 * A jump label of a module target whose key is a dynamic debug descriptor
 * that stays in that module (pr_debug() in a patched function, the
 * descriptor unchanged but for its line): the kernel would set up the
 * livepatch module's jump labels before it can resolve the key, so the
 * entry is left out and the site keeps the state it was compiled with,
 * which is the descriptor's default. Returns the descriptor, or NULL.
 */
static struct lpb_symbol *frozen_dyndbg_key(struct cdo *c, struct table *t, size_t k)
{
	struct lpb_reloc **r;
	size_t n, j;

	if (!cdo_special_has_key(t->d) || !strcmp(c->objname, "vmlinux"))
		return NULL;
	r = cdo_relocs_in(t->sec, k * t->entsize, (k + 1) * t->entsize, &n);
	for (j = 0; j < n; j++) {
		struct lpb_symbol *s = r[j]->sym;

		if (s && s->sec && cdo_is_line_data(s->sec) && !S(s->sec)->include)
			return lpb_is_section_sym(s) ?
				lpb_find_symbol_containing(s->sec, r[j]->addend) : s;
	}
	return NULL;
}

bool cdo_data_line_only(struct cdo *c, struct lpb_symbol *p, struct lpb_symbol *o)
{
	const struct cdo_line_bits *b = NULL;
	const unsigned char *pb = lpb_section_data(p->sec), *ob = lpb_section_data(o->sec);
	uint64_t j, size = p->sym.st_size;
	size_t i;

	for (i = 0; i < sizeof(line_data) / sizeof(*line_data); i++)
		if (!strcmp(p->sec->name, line_data[i].section) &&
		    !strcmp(o->sec->name, line_data[i].section))
			b = line_bits(c, &line_data[i]);
	if (!b || b->nr <= 0 || !pb || !ob || size != o->sym.st_size ||
	    p->sym.st_value + size > p->sec->size || o->sym.st_value + size > o->sec->size)
		return false;
	pb += p->sym.st_value;
	ob += o->sym.st_value;
	for (j = 0; j < size; j++) {
		unsigned int diff = pb[j] ^ ob[j], k;

		for (k = 0; diff && k < 8; k++, diff >>= 1) {
			int64_t bit = (int64_t)(j * 8 + k);

			if ((diff & 1) && (bit < b->first || bit >= b->first + b->nr))
				return false;
		}
	}
	return true;
}

/* The function whose code the entry points at: the first relocation of
 * the entry that targets code, mapped back to the symbol covering it. */
static struct lpb_symbol *owner_of(struct lpb_section *sec, uint64_t off, uint64_t size)
{
	struct lpb_reloc **r;
	size_t n, i;

	r = cdo_relocs_in(sec, off, off + size, &n);
	for (i = 0; i < n; i++) {
		struct lpb_symbol *s = r[i]->sym, *f;
		int64_t at;

		if (!s || !s->sec || S(s->sec)->kind != K_TEXT)
			continue;
		at = (int64_t)s->sym.st_value + r[i]->addend;
		if (lpb_is_func(s) && at >= (int64_t)s->sym.st_value &&
		    at < (int64_t)(s->sym.st_value + s->sym.st_size))
			return s;
		f = at >= 0 ? lpb_find_symbol_containing(s->sec, at) : NULL;
		if (f && lpb_is_func(f))
			return f;
		return NULL;
	}
	return NULL;
}

struct lpb_symbol *cdo_entry_owner(struct lpb_section *sec, uint64_t off, uint64_t size)
{
	return owner_of(sec, off, size);
}

static int index_table(struct cdo *c, struct lpb_elf *elf, struct table *t)
{
	size_t i, nsyms = elf->nr_syms;

	if (entry_size(c, t))
		return -1;
	if (!t->entsize)
		return 0;
	if (t->sec->size % t->entsize) {
		lpb_err("%s: section %s: size %zu is not a multiple of the entry size %llu",
			elf->path, t->sec->name, t->sec->size,
			(unsigned long long)t->entsize);
		return -EINVAL;
	}
	t->nr = t->sec->size / t->entsize;
	t->owner = calloc(t->nr ? t->nr : 1, sizeof(*t->owner));
	t->first = calloc(nsyms + 1, sizeof(*t->first));
	t->list = calloc(t->nr ? t->nr : 1, sizeof(*t->list));
	if (!t->owner || !t->first || !t->list)
		abort();
	if (t->d->flags & SP_PARTNER_ONLY)
		return 0;
	for (i = 0; i < t->nr; i++) {
		struct lpb_symbol *f = owner_of(t->sec, i * t->entsize, t->entsize);

		t->owner[i] = f ? f->index : 0;
		if (f)
			t->first[f->index + 1]++;
	}
	for (i = 1; i <= nsyms; i++)
		t->first[i] += t->first[i - 1];
	{
		uint32_t *fill = calloc(nsyms + 1, sizeof(*fill));

		if (!fill)
			abort();
		for (i = 0; i < t->nr; i++) {
			uint32_t o = t->owner[i];

			if (o)
				t->list[t->first[o] + fill[o]++] = i;
		}
		free(fill);
	}
	return 0;
}

static int build_tables(struct cdo *c)
{
	struct lpb_elf *objs[2] = { c->orig, c->patched };
	int k;

	if (c->tables)
		return 0;
	c->tables = calloc(1, sizeof(*c->tables));
	if (!c->tables)
		abort();
	for (k = 0; k < 2; k++) {
		struct lpb_section *sec;
		size_t n = 0;

		lpb_for_each_section(objs[k], sec)
			n += S(sec)->kind == K_SPECIAL;
		c->tables->t[k] = calloc(n ? n : 1, sizeof(struct table));
		if (!c->tables->t[k])
			abort();
		lpb_for_each_section(objs[k], sec) {
			struct table *t;

			if (S(sec)->kind != K_SPECIAL)
				continue;
			t = &c->tables->t[k][c->tables->nr[k]++];
			t->sec = sec;
			t->d = cdo_special_lookup(sec->name);
			S(sec)->special = t->d;
			if (index_table(c, objs[k], t))
				return -1;
		}
	}
	return 0;
}

void cdo_special_free(struct cdo *c)
{
	int k;
	size_t i;

	cdo_list_free(&c->line_bits, NULL);
	if (!c->tables)
		return;
	for (k = 0; k < 2; k++) {
		for (i = 0; i < c->tables->nr[k]; i++) {
			free(c->tables->t[k][i].owner);
			free(c->tables->t[k][i].first);
			free(c->tables->t[k][i].list);
		}
		free(c->tables->t[k]);
	}
	free(c->tables);
	cdo_list_free(&c->sizes, NULL);
}

static struct table *find_table(struct cdo *c, int k, const char *name)
{
	size_t i;

	for (i = 0; i < c->tables->nr[k]; i++)
		if (!strcmp(c->tables->t[k][i].sec->name, name))
			return &c->tables->t[k][i];
	return NULL;
}

/* An entry compared field by field: relocations by target, other bytes
 * directly, except the line member of a bug entry (reported as line-only). */
static bool entry_differs(struct table *tp, uint64_t ep, struct table *to, uint64_t eo,
			  bool *line_only)
{
	uint64_t sz = tp->entsize, i;
	struct lpb_reloc **rp, **ro;
	size_t np, no, k;
	const unsigned char *a = tp->sec->data, *b = to->sec->data;
	unsigned char mask[256];

	if (sz > sizeof(mask) || !a || !b)
		return true;
	memset(mask, 0, sz);
	rp = cdo_relocs_in(tp->sec, ep, ep + sz, &np);
	ro = cdo_relocs_in(to->sec, eo, eo + sz, &no);
	if (np != no)
		return true;
	for (k = 0; k < np; k++) {
		if (rp[k]->offset - ep != ro[k]->offset - eo || rp[k]->type != ro[k]->type ||
		    !cdo_target_equal(tp->sec, rp[k], to->sec, ro[k]))
			return true;
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
static uint32_t nr_entries_of(const struct table *t, const struct lpb_symbol *f)
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
	if (build_tables(c))
		return -1;
	/* a table only ORIG has: the function lost all its entries if it had any */
	for (i = 0; i < c->tables->nr[0]; i++) {
		struct table *to = &c->tables->t[0][i];

		if ((to->d->flags & SP_COMPARE) && to->entsize &&
		    !find_table(c, 1, to->sec->name) && nr_entries_of(to, of)) {
			cdo_debug(c, "%s: entries in %s, which PATCHED no longer has",
				  pf->name, to->sec->name);
			*differs = true;
			return 0;
		}
	}
	for (i = 0; i < c->tables->nr[1]; i++) {
		struct table *tp = &c->tables->t[1][i], *to;
		uint32_t np, no, k;
		bool lo = false;

		if (!(tp->d->flags & SP_COMPARE))
			continue;
		to = find_table(c, 0, tp->sec->name);
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

			if (entry_differs(tp, ep, to, eo, &lo)) {
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

int cdo_special_visit(struct cdo *c, struct lpb_symbol *func,
		      int (*fn)(struct cdo *c, struct lpb_section *table,
				struct lpb_reloc *r, void *arg),
		      void *arg)
{
	size_t i;

	if (build_tables(c))
		return -1;
	for (i = 0; i < c->tables->nr[1]; i++) {
		struct table *t = &c->tables->t[1][i];
		uint32_t k;

		if (!t->entsize) {
			/* unknown layout: fine only if nothing points at func */
			struct lpb_reloc **r;
			size_t n, j;

			r = cdo_sec_relocs(t->sec, &n);
			for (j = 0; j < n; j++) {
				if (r[j]->sym == func) {
					lpb_err("%s: %s has entries for %s, but its entry size is unknown (no DWARF type 'struct %s', no sh_entsize); pass --entry-size %s=N",
						c->patched->path, t->sec->name, func->name,
						t->d->type ? t->d->type : "?", t->sec->name);
					return -1;
				}
			}
			continue;
		}
		for (k = t->first[func->index]; k < t->first[func->index + 1]; k++) {
			uint64_t e = (uint64_t)t->list[k] * t->entsize;
			struct lpb_reloc **r;
			size_t n, j;
			int ret;

			r = cdo_relocs_in(t->sec, e, e + t->entsize, &n);
			for (j = 0; j < n; j++) {
				ret = fn(c, t->sec, r[j], arg);
				if (ret)
					return ret;
			}
		}
	}
	return 0;
}

/* Copies the entries of included functions into the output: one output
 * table per input table, entries in input order, relocations rebased. */
int cdo_output_special(struct cdo *c)
{
	size_t i;

	if (build_tables(c))
		return -1;
	for (i = 0; i < c->tables->nr[1]; i++) {
		struct table *t = &c->tables->t[1][i], *pt = NULL;
		struct lpb_section *out = NULL, *pout = NULL;
		size_t k;

		if (!t->entsize || (t->d->flags & SP_PARTNER_ONLY))
			continue;
		if (t->d->partner) {
			pt = find_table(c, 1, t->d->partner);
			if (pt && (!pt->entsize || pt->nr != t->nr)) {
				lpb_err("%s: %s and %s do not have the same number of entries",
					c->patched->path, t->sec->name, t->d->partner);
				return -1;
			}
		}
		for (k = 0; k < t->nr; k++) {
			uint32_t o = t->owner[k];
			struct lpb_reloc **r;
			size_t n, j;
			int64_t off;

			if (!o || !Y(c->patched->syms[o])->include)
				continue;
			{
				struct lpb_symbol *key = frozen_dyndbg_key(c, t, k);

				if (key) {
					struct cdo_note *note = cdo_push(&c->frozen, sizeof(*note));

					note->name = cdo_strdup(c->patched->syms[o]->name);
					note->detail = cdo_strdup(key->name);
					continue;
				}
			}
			if (!out) {
				out = lpb_elf_add_section(c->out, t->sec->name, t->sec->sh.sh_type,
							  t->sec->sh.sh_flags,
							  t->sec->sh.sh_addralign,
							  t->sec->sh.sh_entsize, NULL, 0);
				if (!out)
					return -1;
				S(t->sec)->out = out;
				if (pt) {
					pout = lpb_elf_add_section(c->out, pt->sec->name,
								   pt->sec->sh.sh_type,
								   pt->sec->sh.sh_flags,
								   pt->sec->sh.sh_addralign,
								   pt->sec->sh.sh_entsize, NULL, 0);
					if (!pout)
						return -1;
					S(pt->sec)->out = pout;
				}
			}
			off = lpb_section_append(out, (char *)t->sec->data + k * t->entsize,
						 t->entsize, 1);
			if (off < 0)
				return -1;
			r = cdo_relocs_in(t->sec, k * t->entsize, (k + 1) * t->entsize, &n);
			for (j = 0; j < n; j++)
				if (cdo_emit_reloc(c, t->sec, out,
						   off + r[j]->offset - k * t->entsize, r[j]))
					return -1;
			if (pt) {
				int64_t poff = lpb_section_append(
					pout, (char *)pt->sec->data + k * pt->entsize,
					pt->entsize, 1);

				if (poff < 0)
					return -1;
				r = cdo_relocs_in(pt->sec, k * pt->entsize, (k + 1) * pt->entsize, &n);
				for (j = 0; j < n; j++)
					if (cdo_emit_reloc(c, pt->sec, pout,
							   poff + r[j]->offset - k * pt->entsize, r[j]))
						return -1;
			}
		}
	}
	return 0;
}
