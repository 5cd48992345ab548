// SPDX-License-Identifier: GPL-2.0-only
/* Special sections: per-call-site tables (__bug_table, __jump_table, ORC...)
 * whose entries are compared per function and filtered to included ones. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cdo.h"
#include "special.h"
#include "dwarf-types.h"
#include "log.h"

/* Entry sizes are never assumed for kernel structs: they come from
 * --entry-size, sh_entsize or DWARF. "fixed" is only used where the format
 * itself is an array of one machine type (s32 offsets, pointers). */
static const struct cdo_special specials[] = {
	{ .name = "__bug_table", .type = "bug_entry", .flags = SP_COMPARE,
	  .line_member = "line", .after_line = "flags" },
	{ .name = "__ex_table", .type = "exception_table_entry", .flags = SP_COMPARE },
	{ .name = "__jump_table", .type = "jump_entry", .flags = SP_COMPARE | SP_KEY,
	  .key_use = "jump label",
	  .key_advice = "read the key with static_key_enabled() (a plain load) instead of static_branch_*() in the patched function (the running module's exports cannot change)" },
	{ .name = ".altinstructions", .type = "alt_instr", .flags = SP_COMPARE,
	  .code_ptr = "repl_offset", .code_len = "replacementlen" },
	{ .name = ".parainstructions", .type = "paravirt_patch_site", .flags = SP_COMPARE },
	{ .name = ".static_call_sites", .type = "static_call_site",
	  .flags = SP_COMPARE | SP_KEY, .key_use = "static call",
	  .key_advice = "call the function the static call points to directly (or through a pointer read with static_call_query()) in the patched function (the running module's exports cannot change)" },
	/* pointers to struct pi_entry, which names its function by __func__ */
	{ .name = ".printk_index", .fixed = 8, .flags = SP_INDIRECT,
	  .site_type = "pi_entry", .site_func = "func" },
	{ .name = ".retpoline_sites", .fixed = 4 },
	{ .name = ".return_sites", .fixed = 4 },
	{ .name = ".call_sites", .fixed = 4 },
	{ .name = ".ibt_endbr_seal", .fixed = 4 },
	{ .name = ".smp_locks", .fixed = 4 },
	{ .name = ".orc_unwind_ip", .fixed = 4, .partner = ".orc_unwind" },
	{ .name = ".orc_unwind", .type = "orc_entry", .flags = SP_PARTNER_ONLY },
	{ .name = "__mcount_loc", .fixed = 8 },
	{ .name = "__patchable_function_entries", .fixed = 8 },
	/* 6.11+ runtime constants: s32 offsets of the immediates to patch */
	{ .name = "runtime_ptr_", .fixed = 4, .flags = SP_PREFIX | SP_RUNTIME },
	{ .name = "runtime_shift_", .fixed = 4, .flags = SP_PREFIX | SP_RUNTIME },
};

const struct cdo_special *cdo_special_lookup(const char *secname)
{
	size_t i;

	for (i = 0; i < sizeof(specials) / sizeof(*specials); i++)
		if (specials[i].flags & SP_PREFIX ?
		    !strncmp(secname, specials[i].name, strlen(specials[i].name)) :
		    !strcmp(secname, specials[i].name))
			return &specials[i];
	return NULL;
}

bool cdo_special_has_key(const struct cdo_special *d)
{
	return d->flags & SP_KEY;
}

const char *cdo_special_key_use(const struct cdo_special *d, const char **advice)
{
	*advice = d->key_advice ? d->key_advice : "";
	return d->key_use ? d->key_use : d->name;
}

bool cdo_special_is_indirect(const struct cdo_special *d)
{
	return d->flags & SP_INDIRECT;
}

/* What the tables need from the kernel's DWARF: a struct's size (member
 * NULL), or the offset and size of one of its members. */
struct cdo_member {
	const char *type, *member;
	int64_t size, offset, member_size, data_end; /* -1: unknown */
};

static struct cdo_member *layout(struct cdo *c, const char *type, const char *member)
{
	struct cdo_member *m = c->members.v;
	size_t i;

	for (i = 0; type && i < c->members.nr; i++)
		if (!strcmp(m[i].type, type) && (member ? m[i].member && !strcmp(m[i].member, member) :
					       !m[i].member))
			return &m[i];
	return NULL;
}

static void want(struct cdo *c, const char *type, const char *member)
{
	struct cdo_member *m;

	if (!type || layout(c, type, member))
		return;
	m = cdo_push(&c->members, sizeof(*m));
	m->type = type;
	m->member = member;
	m->size = m->offset = m->member_size = m->data_end = -1;
}

static bool answered(const struct cdo_member *m)
{
	return m->member ? m->offset >= 0 : m->size >= 0;
}

/* An entry size that needs no DWARF: --entry-size, sh_entsize, the format. */
static uint64_t given_size_from(const struct cdo *c, const struct cdo_table *t,
				const char **from)
{
	size_t i;

	for (i = 0; i < c->opts->nr_entsizes; i++) {
		if (!strcmp(c->opts->entsizes[i].section, t->sec->name)) {
			*from = "--entry-size";
			return c->opts->entsizes[i].size;
		}
	}
	*from = t->sec->sh.sh_entsize ? "sh_entsize" : t->d->fixed ? "format" : NULL;
	return t->sec->sh.sh_entsize ? t->sec->sh.sh_entsize : t->d->fixed;
}

static uint64_t given_size(const struct cdo *c, const struct cdo_table *t)
{
	const char *from;

	return given_size_from(c, t, &from);
}

/*
 * Asks the DWARF of ORIG (same headers and config) and then, for what is
 * still missing, of the parent, in one pass each, for everything the tables
 * of both objects need: the sizes nothing else gives, and the members that
 * locate a line number, an alternative's replacement or a pi_entry's
 * function (those whatever gave the size).
 */
static void resolve_layout(struct cdo *c)
{
	const char *sources[2] = { c->opts->orig, c->opts->parent };
	struct lpb_type_query *q;
	size_t i, n;
	int k, s;

	for (k = 0; k < 2; k++) {
		for (i = 0; i < c->tables->nr[k]; i++) {
			const struct cdo_table *t = &c->tables->t[k][i];
			const struct cdo_special *d = t->d;

			uint64_t given = given_size(c, t);

			/* the struct itself: for its size, or, when the
			 * section is not a whole number of entries, for where
			 * its members end (is the final entry only unpadded?) */
			if (!given || t->sec->size % given)
				want(c, d->type, NULL);
			if (d->line_member) {
				want(c, d->type, d->line_member);
				want(c, d->type, d->after_line);
			}
			if (d->code_ptr) {
				want(c, d->type, d->code_ptr);
				want(c, d->type, d->code_len);
			}
			if (d->site_type)
				want(c, d->site_type, d->site_func);
		}
	}
	q = calloc(c->members.nr + 1, sizeof(*q));
	if (!q)
		abort();
	for (s = 0; s < 2; s++) {
		struct cdo_member *m = c->members.v;

		for (i = n = 0; i < c->members.nr; i++) {
			if (answered(&m[i]))
				continue;
			q[n].type = m[i].type;
			q[n++].member = m[i].member;
		}
		if (!n || !sources[s] || lpb_dwarf_types(sources[s], q, n) < 0)
			continue;
		for (i = 0; i < n; i++) {
			struct cdo_member *z = layout(c, q[i].type, q[i].member);

			z->size = q[i].size;
			z->offset = q[i].offset;
			z->member_size = q[i].member_size;
			z->data_end = q[i].data_end;
			if (!answered(z))
				continue;
			if (z->member)
				cdo_verbose(c, "struct %s: %s at %lld, %lld bytes (DWARF of %s)",
					    z->type, z->member, (long long)z->offset,
					    (long long)z->member_size, sources[s]);
			else
				cdo_verbose(c, "struct %s: %lld bytes (DWARF of %s)", z->type,
					    (long long)z->size, sources[s]);
		}
	}
	free(q);
}

/* The entry size of a table whose entries match its partner's one for one
 * (.orc_unwind for .orc_unwind_ip): its size over the partner's count. */
static uint64_t partner_stride(const struct cdo_table *t)
{
	const struct cdo_special *p = NULL;
	struct lpb_section *ps;
	uint64_t n;

	for (size_t i = 0; i < sizeof(specials) / sizeof(*specials); i++)
		if (specials[i].partner && !strcmp(specials[i].partner, t->sec->name))
			p = &specials[i];
	if (!p || !p->fixed || !(ps = lpb_find_section(t->sec->elf, p->name)) ||
	    ps->size % p->fixed || !(n = ps->size / p->fixed) || t->sec->size % n)
		return 0;
	return t->sec->size / n;
}

/* The entry size and member positions of @t, from what resolve_layout()
 * found. */
static void table_layout(struct cdo *c, struct cdo_table *t)
{
	const struct cdo_special *d = t->d;
	const struct cdo_member *m, *m2;

	t->code_ptr = t->code_len = t->code_len_size = t->site_func = -1;
	t->entsize = given_size_from(c, t, &t->size_from);
	m = layout(c, d->type, NULL);
	if (!t->entsize && m && m->size > 0) {
		t->entsize = m->size;
		t->size_from = "DWARF";
	}
	if (!t->entsize) {
		/* no DWARF (a stripped object): measured from the table */
		t->entsize = d->flags & SP_PARTNER_ONLY ? partner_stride(t) : cdo_table_period(t);
		if (t->entsize)
			t->size_from = "relocations";
	}
	t->data_end = m && m->size == (int64_t)t->entsize ? m->data_end : -1;
	if (d->line_member) {
		m = layout(c, d->type, d->line_member);
		m2 = layout(c, d->type, d->after_line);
		if (m && m2 && m->offset >= 0 && m2->offset > m->offset) {
			t->line_off = m->offset;
			t->line_len = m2->offset - m->offset;
		}
	}
	if (d->code_ptr) {
		m = layout(c, d->type, d->code_ptr);
		m2 = layout(c, d->type, d->code_len);
		t->code_ptr = m ? m->offset : -1;
		if (m2 && m2->offset >= 0 && m2->member_size > 0 && m2->member_size <= 8 &&
		    (uint64_t)(m2->offset + m2->member_size) <= t->entsize) {
			t->code_len = m2->offset;
			t->code_len_size = m2->member_size;
		}
	}
	if (d->site_type) {
		m = layout(c, d->site_type, d->site_func);
		t->site_func = m ? m->offset : -1;
	}
}

/*
 * A jump label of a module target whose key is a dynamic debug descriptor
 * that stays in that module (pr_debug() in a patched function, the
 * descriptor unchanged but for its line): the kernel would set up the
 * livepatch module's jump labels before it can resolve the key, so the
 * entry is left out and the site keeps the state it was compiled with,
 * which is the descriptor's default. Returns the descriptor, or NULL.
 */
static struct lpb_symbol *frozen_dyndbg_key(struct cdo *c, struct cdo_table *t, size_t k)
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

/* Where relocation @r of section @from points: the symbol's own section and
 * the offset in it (data and tables: the addend is the offset itself). */
struct lpb_section *cdo_reloc_place(const struct lpb_reloc *r, int64_t *at)
{
	if (!r->sym || !r->sym->sec)
		return NULL;
	*at = (lpb_is_section_sym(r->sym) ? 0 : (int64_t)r->sym->sym.st_value) + r->addend;
	return *at >= 0 && (uint64_t)*at < r->sym->sec->size ? r->sym->sec : NULL;
}

/*
 * The owner of an SP_INDIRECT entry: the entry points at a per-site struct
 * (a printk index pi_entry) that names its function only by a pointer to
 * the __func__ string, so the function is the one of that name. An entry
 * of an inlined function's printk names a function that may not exist out
 * of line here: it has no owner and is left out.
 */
static struct lpb_symbol *site_owner(struct lpb_elf *elf, struct cdo_table *t, uint64_t off)
{
	struct lpb_reloc **r;
	struct lpb_section *site, *str;
	struct lpb_symbol *f;
	const char *data, *name;
	int64_t at, sat;
	size_t n;

	if (t->site_func < 0)
		return NULL;
	r = cdo_relocs_in(t->sec, off, off + t->entsize, &n);
	if (!n || !(site = cdo_reloc_place(r[0], &at)))
		return NULL;
	r = cdo_relocs_in(site, at + t->site_func, at + t->site_func + 1, &n);
	if (!n || !(str = cdo_reloc_place(r[0], &sat)) || !(data = lpb_section_data(str)))
		return NULL;
	name = data + sat;
	if (!memchr(name, 0, str->size - sat))
		return NULL;
	for (f = lpb_find_symbol(elf, name); f; f = lpb_next_same_name(f))
		if (lpb_is_func(f) && f->sec)
			return f;
	return NULL;
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
		f = cdo_func_at(s->sec, at);
		return f;
	}
	return NULL;
}

struct lpb_symbol *cdo_entry_owner(struct lpb_section *sec, uint64_t off, uint64_t size)
{
	return owner_of(sec, off, size);
}

/*
 * A table whose size is not a whole number of entries: fine when only the
 * final entry is short and what is missing is its trailing padding. The
 * assembler aligns each entry's start (.balign), so the padding of every
 * entry but the last comes from the next one's alignment: 5.10 emits
 * 12-byte paravirt sites into a 16-byte struct paravirt_patch_site. The
 * entry must hold every member of the struct (DWARF), or, without DWARF,
 * lack fewer bytes than the section's alignment would have added, and
 * every relocation must lie inside it. Sets t->short_last.
 */
static int final_entry_unpadded(struct lpb_elf *elf, struct cdo_table *t)
{
	uint64_t rest = t->sec->size % t->entsize, last = t->sec->size - rest;
	uint64_t align = t->sec->sh.sh_addralign;
	struct lpb_reloc **r;
	size_t n, i;

	if (t->data_end > 0 ? rest < (uint64_t)t->data_end :
	    !align || t->entsize % align || t->entsize - rest >= align) {
		lpb_err("%s: section %s: size %zu is not a multiple of the entry size %llu, and its final entry (%llu bytes) is not an entry without its trailing padding (%s %lld bytes)",
			elf->path, t->sec->name, t->sec->size, (unsigned long long)t->entsize,
			(unsigned long long)rest,
			t->data_end > 0 ? "the members of the struct need" : "its alignment is",
			t->data_end > 0 ? (long long)t->data_end : (long long)align);
		return -1;
	}
	r = cdo_relocs_in(t->sec, last, last + t->entsize, &n);
	for (i = 0; i < n; i++) {
		if (r[i]->offset + (r[i]->type == R_X86_64_64 || r[i]->type == R_X86_64_PC64 ? 8 : 4) >
		    t->sec->size) {
			lpb_err("%s: section %s: a relocation at 0x%llx runs past the end of the final entry",
				elf->path, t->sec->name, (unsigned long long)r[i]->offset);
			return -1;
		}
	}
	t->short_last = rest;
	return 0;
}

static int index_table(struct cdo *c, struct lpb_elf *elf, struct cdo_table *t)
{
	size_t i, nsyms = elf->nr_syms;

	table_layout(c, t);
	if (!t->entsize)
		return 0;
	if (t->sec->size && !t->sec->data) {
		/* SHT_NOBITS: entries with no bytes to read (found by fuzz-cdo) */
		lpb_err("%s: section %s: a table of %zu bytes with no contents (SHT_NOBITS)",
			elf->path, t->sec->name, t->sec->size);
		return -EINVAL;
	}
	if (t->sec->size % t->entsize && final_entry_unpadded(elf, t))
		return -EINVAL;
	t->nr = (t->sec->size + t->entsize - 1) / t->entsize;
	t->owner = calloc(t->nr ? t->nr : 1, sizeof(*t->owner));
	t->first = calloc(nsyms + 1, sizeof(*t->first));
	t->list = calloc(t->nr ? t->nr : 1, sizeof(*t->list));
	if (!t->owner || !t->first || !t->list)
		abort();
	if (t->d->flags & SP_PARTNER_ONLY)
		return 0;
	for (i = 0; i < t->nr; i++) {
		struct lpb_symbol *f = t->d->flags & SP_INDIRECT ?
			site_owner(elf, t, i * t->entsize) :
			owner_of(t->sec, i * t->entsize, t->entsize);

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

int cdo_build_tables(struct cdo *c)
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
		c->tables->t[k] = calloc(n ? n : 1, sizeof(struct cdo_table));
		if (!c->tables->t[k])
			abort();
		lpb_for_each_section(objs[k], sec) {
			struct cdo_table *t;

			if (S(sec)->kind != K_SPECIAL)
				continue;
			t = &c->tables->t[k][c->tables->nr[k]++];
			t->sec = sec;
			t->d = cdo_special_lookup(sec->name);
			S(sec)->special = t->d;
		}
	}
	resolve_layout(c);
	for (k = 0; k < 2; k++) {
		size_t i;

		for (i = 0; i < c->tables->nr[k]; i++)
			if (index_table(c, objs[k], &c->tables->t[k][i]))
				return -1;
	}
	return 0;
}

void cdo_special_free(struct cdo *c)
{
	int k;
	size_t i;

	cdo_list_free(&c->line_bits, NULL);
	cdo_list_free(&c->members, NULL);
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
}

/* For scripts: the sizes lp-build would pass to every run, read once. The
 * tables of one machine type (pointers, s32 offsets) need none. */
int cdo_print_entry_sizes(const char *elf, FILE *out)
{
	const size_t max = sizeof(specials) / sizeof(*specials);
	struct lpb_type_query q[sizeof(specials) / sizeof(*specials)];
	const char *sec[sizeof(specials) / sizeof(*specials)];
	size_t i, n = 0;
	int ret;

	for (i = 0; i < max; i++) {
		if (!specials[i].type)
			continue;
		memset(&q[n], 0, sizeof(q[n]));
		q[n].type = specials[i].type;
		sec[n++] = specials[i].name;
	}
	ret = lpb_dwarf_types(elf, q, n);
	if (ret < 0) {
		if (ret == -ENODATA)
			lpb_err("%s: no DWARF", elf);
		return ret;
	}
	for (i = 0; i < n; i++)
		if (q[i].size > 0)
			fprintf(out, "%s=%lld\n", sec[i], (long long)q[i].size);
	return 0;
}

struct cdo_table *cdo_find_table(struct cdo *c, int k, const char *name)
{
	size_t i;

	for (i = 0; i < c->tables->nr[k]; i++)
		if (!strcmp(c->tables->t[k][i].sec->name, name))
			return &c->tables->t[k][i];
	return NULL;
}

int cdo_special_visit(struct cdo *c, struct lpb_symbol *func,
		      int (*fn)(struct cdo *c, struct lpb_section *table,
				struct lpb_reloc *r, void *arg),
		      void *arg)
{
	size_t i;

	if (cdo_build_tables(c))
		return -1;
	for (i = 0; i < c->tables->nr[1]; i++) {
		struct cdo_table *t = &c->tables->t[1][i];
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

/* Whether entry @k of @t points at code in a copied fragment (an ORC entry
 * of a .fixup fragment: the fragment has no symbol to own it). */
static bool in_copied_fragment(struct cdo_table *t, size_t k)
{
	struct lpb_reloc **r;
	size_t n, j;

	r = cdo_relocs_in(t->sec, k * t->entsize, (k + 1) * t->entsize, &n);
	for (j = 0; j < n; j++) {
		struct lpb_section *sec = r[j]->sym ? r[j]->sym->sec : NULL;
		int64_t at;

		if (!sec || !sec->priv || S(sec)->kind != K_TEXT)
			continue;
		at = cdo_reloc_target_off(t->sec, r[j]);
		return cdo_is_fragmented(sec) && at >= 0 && cdo_fragment_included(sec, at);
	}
	return false;
}

/* Appends entry @k of @t to @out, a short final entry padded to the
 * struct's size: in the output it may be followed by others. */
static int64_t append_entry(struct lpb_section *out, const struct cdo_table *t, size_t k)
{
	unsigned char buf[256] = { 0 };
	uint64_t len = cdo_entry_len(t, k);

	if (t->entsize > sizeof(buf) || !t->sec->data)
		return lpb_section_append(out, t->sec->data ? (char *)t->sec->data + k * t->entsize :
					  NULL, t->entsize, 1);
	memcpy(buf, (const char *)t->sec->data + k * t->entsize, len);
	return lpb_section_append(out, buf, t->entsize, 1);
}

/* Copies the entries of included functions into the output: one output
 * table per input table, entries in input order, relocations rebased. */
int cdo_output_special(struct cdo *c)
{
	size_t i;

	if (cdo_build_tables(c))
		return -1;
	for (i = 0; i < c->tables->nr[1]; i++) {
		struct cdo_table *t = &c->tables->t[1][i], *pt = NULL;
		struct lpb_section *out = NULL, *pout = NULL;
		size_t k;

		if (!t->entsize || (t->d->flags & SP_PARTNER_ONLY))
			continue;
		if (t->d->partner) {
			pt = cdo_find_table(c, 1, t->d->partner);
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

			/* entries of included functions, and those (ORC) inside
			 * the copied fixup fragments of included functions */
			if ((!o || !Y(c->patched->syms[o])->include) && !in_copied_fragment(t, k))
				continue;
			if (t->d->flags & SP_RUNTIME) {
				if (o && cdo_runtime_const(c, t, k))
					return -1;
				continue;
			}
			if (o) {
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
				/* GCC's __patchable_function_entries is SHF_LINK_ORDER,
				 * tied to a function's section: ld refuses to mix it
				 * with unordered ones (the livepatch module's own) */
				if ((t->sec->sh.sh_flags & SHF_LINK_ORDER) && o)
					out->link = S(c->patched->syms[o]->sec)->out;
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
			off = append_entry(out, t, k);
			if (off < 0)
				return -1;
			r = cdo_relocs_in(t->sec, k * t->entsize, (k + 1) * t->entsize, &n);
			for (j = 0; j < n; j++)
				if (cdo_emit_reloc(c, t->sec, out,
						   off + r[j]->offset - k * t->entsize, r[j]))
					return -1;
			if (pt) {
				int64_t poff = append_entry(pout, pt, k);

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
