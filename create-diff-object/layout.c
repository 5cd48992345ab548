// SPDX-License-Identifier: GPL-2.0-only
/* Struct layout changes: the structs and unions the livepatch's code uses,
 * compared between the original's and the patched object's DWARF. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cdo.h"
#include "dwarf-layout.h"
#include "log.h"

#define MAX_CHANGES 8 /* listed per type; the rest are counted */

struct names {
	const char **v;
	size_t nr, cap;
	struct lpb_hash h;
	struct name_entry {
		struct lpb_hnode node;
		char *name;
		const char *by; /* a variable: the first function naming it */
	} **own;
};

/* Adds a copy of @name (its first @len bytes) once. */
static struct name_entry *add_name(struct names *n, const char *name, size_t len)
{
	struct name_entry *e;
	struct lpb_hnode *h;
	char *s = strndup(name, len);

	if (!s)
		abort();
	lpb_hash_for_each_possible(&n->h, h, lpb_str_hash(s)) {
		if (!strcmp(container_of(h, struct name_entry, node)->name, s)) {
			free(s);
			return container_of(h, struct name_entry, node);
		}
	}
	if (n->nr == n->cap) {
		n->cap = n->cap * 2 + 32;
		n->v = realloc(n->v, n->cap * sizeof(*n->v));
		n->own = realloc(n->own, n->cap * sizeof(*n->own));
		if (!n->v || !n->own)
			abort();
	}
	e = calloc(1, sizeof(*e));
	if (!e || lpb_hash_add(&n->h, &e->node, lpb_str_hash(s)))
		abort();
	e->name = s;
	n->own[n->nr] = e;
	n->v[n->nr++] = s;
	return e;
}

static struct name_entry *find_name(const struct names *n, const char *name)
{
	struct lpb_hnode *h;

	lpb_hash_for_each_possible(&n->h, h, lpb_str_hash(name))
		if (!strcmp(container_of(h, struct name_entry, node)->name, name))
			return container_of(h, struct name_entry, node);
	return NULL;
}

static void free_names(struct names *n)
{
	for (size_t i = 0; i < n->nr; i++) {
		free(n->own[i]->name);
		free(n->own[i]);
	}
	free(n->own);
	free(n->v);
	lpb_hash_free(&n->h);
}

/* The name DWARF gives a symbol: foo for foo.isra.0, foo.cold, count.3. */
static struct name_entry *add_base_name(struct names *n, const char *sym)
{
	const char *dot = strchr(sym, '.');

	if (dot == sym)
		return NULL;
	return add_name(n, sym, dot ? (size_t)(dot - sym) : strlen(sym));
}

/* The functions going into the livepatch, and the variables their code
 * names: whatever types those use is what the new code touches. */
static void collect_roots(struct cdo *c, struct names *funcs, struct names *vars)
{
	struct lpb_symbol *p;

	lpb_for_each_symbol(c->patched, p) {
		struct lpb_reloc **r;
		size_t n, i;

		if (!p->priv || !p->sec || !lpb_is_func(p) || !Y(p)->include)
			continue;
		struct name_entry *fn = add_base_name(funcs, p->name), *var;

		r = cdo_relocs_in(p->sec, p->sym.st_value, p->sym.st_value + p->sym.st_size, &n);
		for (i = 0; i < n; i++) {
			struct lpb_symbol *t = r[i]->sym;

			if (t && !lpb_is_section_sym(t) && !lpb_is_func(t) && *t->name &&
			    (var = add_base_name(vars, t->name)) && !var->by && fn)
				var->by = fn->name;
		}
	}
}

struct diff {
	char *text; /* "; "-separated changes */
	size_t nr;
};

static void say(struct diff *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void say(struct diff *d, const char *fmt, ...)
{
	char *item, *next;
	va_list ap;

	if (d->nr++ >= MAX_CHANGES)
		return;
	va_start(ap, fmt);
	if (vasprintf(&item, fmt, ap) < 0)
		abort();
	va_end(ap);
	next = cdo_printf("%s%s%s", d->text ? d->text : "", d->text ? "; " : "", item);
	free(item);
	free(d->text);
	d->text = next;
}

static bool same_member(const struct lpb_layout_member *a, const struct lpb_layout_member *b)
{
	return a->offset == b->offset && a->bit_offset == b->bit_offset &&
	       a->bit_size == b->bit_size && a->size == b->size && !strcmp(a->type, b->type);
}

static bool same_layout(const struct lpb_layout *p, const struct lpb_layout *o)
{
	if (p->size != o->size || p->nr_members != o->nr_members)
		return false;
	for (size_t i = 0; i < p->nr_members; i++)
		if (strcmp(p->members[i].path, o->members[i].path) ||
		    !same_member(&p->members[i], &o->members[i]))
			return false;
	return true;
}

static const struct lpb_layout_member *find_member(const struct lpb_layout *l, const char *path)
{
	for (size_t i = 0; i < l->nr_members; i++)
		if (!strcmp(l->members[i].path, path))
			return &l->members[i];
	return NULL;
}

static void where(char *buf, size_t len, const struct lpb_layout_member *m)
{
	if (m->bit_size >= 0)
		snprintf(buf, len, "bits %lld..%lld", (long long)m->bit_offset,
			 (long long)(m->bit_offset + m->bit_size - 1));
	else
		snprintf(buf, len, "offset %lld", (long long)m->offset);
}

static void member_changes(struct diff *d, const struct lpb_layout_member *pm,
			   const struct lpb_layout_member *om)
{
	char pw[64], ow[64];

	where(pw, sizeof(pw), pm);
	where(ow, sizeof(ow), om);
	if (strcmp(pw, ow))
		say(d, "member %s moved from %s to %s", pm->path, ow, pw);
	if (pm->size != om->size)
		say(d, "member %s changed size from %lld to %lld bytes (%s -> %s)", pm->path,
		    (long long)om->size, (long long)pm->size, om->type, pm->type);
	else if (strcmp(pm->type, om->type))
		say(d, "member %s changed type from %s to %s (same size)", pm->path, om->type,
		    pm->type);
}

/* What differs between @o (ORIG) and @p (PATCHED), in words. */
static void describe(struct diff *d, const struct lpb_layout *p, const struct lpb_layout *o)
{
	bool *renamed = calloc(o->nr_members + 1, sizeof(*renamed));
	char pw[64];

	if (!renamed)
		abort();
	if (p->size != o->size)
		say(d, "size %lld -> %lld bytes", (long long)o->size, (long long)p->size);
	for (size_t i = 0; i < p->nr_members; i++) {
		const struct lpb_layout_member *pm = &p->members[i], *om = find_member(o, pm->path);
		size_t k;

		if (om) {
			member_changes(d, pm, om);
			continue;
		}
		/* the same bytes under a new name: a rename, which often means
		 * the value means something else now */
		for (k = 0; k < o->nr_members; k++)
			if (!renamed[k] && !find_member(p, o->members[k].path) &&
			    same_member(pm, &o->members[k]))
				break;
		if (k < o->nr_members) {
			renamed[k] = true;
			say(d, "member %s renamed to %s", o->members[k].path, pm->path);
			continue;
		}
		where(pw, sizeof(pw), pm);
		say(d, "member %s added at %s (%lld bytes, %s)", pm->path, pw, (long long)pm->size,
		    pm->type);
	}
	for (size_t k = 0; k < o->nr_members; k++) {
		if (renamed[k] || find_member(p, o->members[k].path))
			continue;
		where(pw, sizeof(pw), &o->members[k]);
		say(d, "member %s removed (was at %s)", o->members[k].path, pw);
	}
	/* the same members in another order of declaration only */
	if (!d->nr)
		say(d, "members declared in another order");
	free(renamed);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The functions that use @l: its own users, else those of the type it
 * was reached through ("demo_use, through struct demo_ctx"). */
static char *users_text(const struct lpb_layout_set *set, const struct lpb_layout *l,
			const struct names *funcs, const struct names *vars)
{
	const struct lpb_layout *at = l;
	char *out = cdo_strdup(""), *next;
	int hops;

	for (hops = 0; at && !at->nr_users && at->via && hops < 32; hops++)
		at = lpb_layout_find(set, at->via);
	if (at)
		qsort(at->users, at->nr_users, sizeof(*at->users), cmp_str);
	for (size_t i = 0; at && i < at->nr_users; i++) {
		const struct name_entry *var = find_name(vars, at->users[i]);

		/* a variable the code names: say which function does */
		if (var && var->by && !find_name(funcs, at->users[i]))
			next = cdo_printf("%s%s%s (through the variable %s)", out, i ? ", " : "",
					  var->by, at->users[i]);
		else
			next = cdo_printf("%s%s%s", out, i ? ", " : "", at->users[i]);
		free(out);
		out = next;
	}
	if (at != l && at) {
		next = cdo_printf("%s (through %s%s)", out, l->via,
				  at->name && strcmp(at->name, l->via) ? ", ..." : "");
		free(out);
		out = next;
	}
	return out;
}

static bool allowed(const struct cdo *c, const char *type)
{
	const char *bare = strchr(type, ' ');

	for (size_t i = 0; i < c->opts->nr_allow_layout; i++) {
		const char *a = c->opts->allow_layout[i];

		if (!strcmp(a, type) || (bare && !strcmp(a, bare + 1)))
			return true;
	}
	return false;
}

struct roots {
	struct names funcs, vars;
};

static void record(struct cdo *c, const struct lpb_layout_set *set, const struct lpb_layout *p,
		   struct diff *d, const struct roots *roots)
{
	struct cdo_layout_change *lc = cdo_push(&c->layouts, sizeof(*lc));
	char *users = users_text(set, p, &roots->funcs, &roots->vars), *advice;

	if (d->nr > MAX_CHANGES) {
		char *t = cdo_printf("%s; and %zu more", d->text, d->nr - MAX_CHANGES);

		free(d->text);
		d->text = t;
	}
	lc->type = cdo_strdup(p->name);
	lc->changes = d->text;
	lc->users = users;
	lc->allowed = allowed(c, p->name);
	if (lc->allowed)
		return;
	advice = cdo_printf("keep %s as it is and keep the new state in a shadow variable attached to each object (klp_shadow_get_or_alloc(), see doc/patch-authoring.md); if no object laid out by the old code can reach the new code, or the change is otherwise safe, build with --allow-layout-change '%s'",
			    p->name, p->name);
	cdo_refuse(c, p->name, advice,
		   "%s changed layout (%s), and the patched code uses it: %s. Objects that exist when the livepatch loads were laid out by the old code, and the new code would read and write them with the new layout",
		   p->name, d->text, users);
	free(advice);
}

static int compare_layouts(struct cdo *c, const struct lpb_layout_set *ps,
			   const struct lpb_layout_set *os, const struct roots *roots)
{
	for (size_t i = 0; i < ps->nr; i++) {
		const struct lpb_layout *p = ps->v[i], *o = lpb_layout_find(os, p->name);
		struct diff d = { NULL, 0 };

		/* a type the original does not define (new, or local to a
		 * function) has no objects laid out by the old code */
		if (!o || same_layout(p, o))
			continue;
		describe(&d, p, o);
		cdo_debug(c, "%s: %s", p->name, d.text);
		record(c, ps, p, &d, roots);
	}
	return 0;
}

int cdo_check_layouts(struct cdo *c)
{
	struct roots roots = { 0 };
	struct names types = { 0 };
	struct lpb_layout_set ps = { 0 }, os = { 0 };
	struct lpb_layout_query q = { 0 };
	struct timespec t0, t1;
	int ret = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	collect_roots(c, &roots.funcs, &roots.vars);
	if (!roots.funcs.nr)
		goto out;
	q.funcs = roots.funcs.v;
	q.nr_funcs = roots.funcs.nr;
	q.vars = roots.vars.v;
	q.nr_vars = roots.vars.nr;
	q.follow = true;
	ret = lpb_dwarf_layouts(c->opts->patched, &q, &ps);
	if (!ret && ps.nr) {
		for (size_t i = 0; i < ps.nr; i++)
			add_name(&types, ps.v[i]->name, strlen(ps.v[i]->name));
		memset(&q, 0, sizeof(q));
		q.types = types.v;
		q.nr_types = types.nr;
		ret = lpb_dwarf_layouts(c->opts->orig, &q, &os);
	}
	if (ret == -ENODATA) {
		/* lp-build's objects always have DWARF, and it asks for the
		 * check; objects stripped by hand (other tools' test suites)
		 * get a warning that says what was not checked */
		if (c->opts->require_dwarf)
			cdo_refuse(c, "DWARF",
				   "build the objects with debug information (CONFIG_DEBUG_INFO, which the target needs for its debug vmlinux anyway)",
				   "the objects have no DWARF, so the layouts of the structs the patched code uses cannot be compared");
		c->layouts_unchecked = true; /* report.c warns */
		ret = 0;
	} else if (!ret) {
		ret = compare_layouts(c, &ps, &os, &roots);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		cdo_verbose(c, "struct layouts: %zu type(s) reached from %zu function(s) and %zu variable(s), %zu found in the original, %zu differ (%.1f ms)",
			    ps.nr, roots.funcs.nr, roots.vars.nr, os.nr, c->layouts.nr,
			    (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6);
	}
	lpb_layout_set_free(&ps);
	lpb_layout_set_free(&os);
out:
	free_names(&types);
	free_names(&roots.vars);
	free_names(&roots.funcs);
	return ret;
}
