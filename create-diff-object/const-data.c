// SPDX-License-Identifier: GPL-2.0-only
/* Changed constants (local read-only data): the code and data that reach
 * them, so a changed table is copied for its users or refused, never lost. */
#include <stdlib.h>
#include <string.h>

#include "cdo.h"
#include "log.h"

static bool in_init(const struct lpb_section *sec)
{
	return !strncmp(sec->name, ".init.", 6) || !strncmp(sec->name, ".exit.", 6);
}

/* A local read-only object: only code and data of this file can name it. */
static bool is_const(const struct lpb_symbol *s)
{
	return s && s->priv && s->sec && lpb_is_object(s) && S(s->sec)->kind == K_DATA &&
	       lpb_sym_bind(s) == STB_LOCAL && !(s->sec->sh.sh_flags & SHF_WRITE);
}

/* A constant the livepatch can give its users a new copy of: nothing else
 * can hold its address, except pointers stored at run time. Init data is
 * not: it was used at boot and freed. */
static bool copyable(const struct lpb_symbol *s)
{
	return is_const(s) && !in_init(s->sec);
}

static bool changed_const(const struct lpb_symbol *s)
{
	return is_const(s) && Y(s)->status == CDO_CHANGED;
}

static bool any_changed_const(struct cdo *c)
{
	struct lpb_symbol *p;

	lpb_for_each_symbol(c->patched, p)
		if (changed_const(p))
			return true;
	return false;
}

static void mark(struct lpb_symbol *s, struct lpb_symbol *cause)
{
	Y(s)->status = CDO_CHANGED;
	Y(s)->changed_by_child = true;
	Y(s)->cause = cause;
}

/* A changed constant changes what reads it: the functions naming it, the
 * constants pointing at it (a nested netlink policy, an operations table)
 * and anonymous read-only data. Data that cannot be copied is left alone
 * here; cdo_check_consts() refuses it. */
bool cdo_const_propagate(struct cdo *c)
{
	struct lpb_section *sec;
	bool any = false;

	if (!any_changed_const(c))
		return false;
	lpb_for_each_section(c->patched, sec) {
		enum cdo_kind kind = S(sec)->kind;
		struct lpb_reloc **r;
		size_t n, i;

		if (kind != K_TEXT && kind != K_DATA)
			continue;
		r = cdo_sec_relocs(sec, &n);
		for (i = 0; i < n; i++) {
			struct lpb_symbol *t = r[i]->sym, *from;

			if (!changed_const(t))
				continue;
			from = lpb_find_symbol_containing(sec, r[i]->offset);
			if (from && from != t && from->priv && Y(from)->status == CDO_SAME &&
			    (kind == K_TEXT ? lpb_is_func(from) : copyable(from))) {
				mark(from, t);
				any = true;
			} else if (!from && S(sec)->anon && S(sec)->status == CDO_SAME &&
				   (kind == K_TEXT || !(sec->sh.sh_flags & SHF_WRITE))) {
				S(sec)->status = CDO_CHANGED;
				any = true;
			}
		}
	}
	return any;
}

/* The constant the user changed, at the end of @s's chain of causes. */
static struct lpb_symbol *root_cause(struct lpb_symbol *s)
{
	while (Y(s)->cause && changed_const(Y(s)->cause))
		s = Y(s)->cause;
	return s;
}

char *cdo_cause_text(struct lpb_symbol *s)
{
	struct lpb_symbol *t = Y(s)->cause, *root;

	if (!t)
		return cdo_strdup("");
	root = root_cause(t);
	if (root == t)
		return cdo_printf(" (it uses the changed constant %s)", t->name);
	return cdo_printf(" (it uses %s, which points at the changed constant %s)", t->name,
			  root->name);
}

/* What the running kernel keeps that points at a changed constant. */
static const char *holder_kind(struct lpb_section *sec, struct lpb_symbol *from)
{
	if (S(sec)->kind == K_UNSUPPORTED)
		return "a kernel table";
	if (in_init(sec))
		return "init data, used at boot";
	if (sec->sh.sh_flags & SHF_WRITE)
		return "writable data";
	if (from && lpb_sym_bind(from) != STB_LOCAL)
		return "a global constant other files may use";
	return "data the livepatch cannot replace";
}

/* "through A, B" for the constants between @t and its root, or "" */
static char *chain_text(struct lpb_symbol *t)
{
	struct lpb_symbol *root = root_cause(t), *s;
	char *out = cdo_strdup(""), *next;

	for (s = t; s != root; s = Y(s)->cause) {
		next = cdo_printf("%s%s%s", out, *out ? ", " : " through ", s->name);
		free(out);
		out = next;
	}
	return out;
}

static void refuse_holder(struct cdo *c, struct lpb_symbol *t, struct lpb_section *sec,
			  struct lpb_symbol *from)
{
	struct lpb_symbol *root = root_cause(t);
	const char *holder = from ? from->name : sec->name;
	char *chain = chain_text(t), *advice;

	if ((sec->sh.sh_flags & SHF_WRITE) && S(sec)->kind == K_DATA && !in_init(sec))
		advice = cdo_printf("keep %s unchanged and make the functions that use the values check the new condition themselves (for a netlink policy: validate the attribute in its handler); or define a new table and point %s at it from a post-patch callback (LPB_POST_PATCH_CALLBACK in <lpb-patch.h>), and back from a pre-unpatch callback",
				    root->name, holder);
	else
		advice = cdo_printf("keep %s unchanged and make the functions that use the values check the new condition themselves (for a netlink policy: validate the attribute in its handler)",
				    root->name);
	cdo_refuse(c, root->name, advice,
		   "changed constant %s is reached from %s (%s)%s: the running kernel goes on reading the old table through it, and a livepatch cannot make existing data point at a new copy",
		   root->name, holder, holder_kind(sec, from), chain);
	free(chain);
	free(advice);
}

/* Per changed constant: who reads it. */
struct const_use {
	struct cdo_list users; /* char *: functions and constants naming it */
	bool referenced;
};

static void add_user(struct const_use *u, struct lpb_symbol *from)
{
	char **v = u->users.v;
	size_t i;

	u->referenced = true;
	for (i = 0; i < u->users.nr; i++)
		if (!strcmp(v[i], from->name))
			return;
	*(char **)cdo_push(&u->users, sizeof(char *)) = from->name;
}

static void collect_uses(struct cdo *c, struct const_use **uses)
{
	struct lpb_section *sec;

	lpb_for_each_section(c->patched, sec) {
		enum cdo_kind kind = S(sec)->kind;
		struct lpb_reloc **r;
		size_t n, i;

		if (kind == K_NONE || kind == K_DROP || lpb_is_rela(sec))
			continue;
		r = cdo_sec_relocs(sec, &n);
		for (i = 0; i < n; i++) {
			struct lpb_symbol *t = r[i]->sym, *from;
			struct const_use *u;

			if (!changed_const(t) || !copyable(t))
				continue;
			u = uses[t->index];
			from = lpb_find_symbol_containing(sec, r[i]->offset);
			if (from == t)
				continue;
			/* per-call-site tables (a printk index entry) travel
			 * with the function owning the entry */
			if (kind == K_SPECIAL) {
				u->referenced = true;
			} else if (kind == K_TEXT) {
				if (from && lpb_is_func(from))
					add_user(u, from);
				else
					u->referenced = true;
			} else if (kind == K_DATA && from && copyable(from)) {
				add_user(u, from);
			} else if (kind == K_DATA && !from && S(sec)->anon &&
				   !(sec->sh.sh_flags & SHF_WRITE)) {
				u->referenced = true;
			} else {
				refuse_holder(c, t, sec, from);
				u->referenced = true;
			}
		}
	}
}

static void note_copy(struct cdo *c, struct lpb_symbol *t, struct const_use *u)
{
	struct cdo_copied *cp = cdo_push(&c->copied, sizeof(*cp));
	char **v = u->users.v, *users = cdo_strdup(""), *next;
	size_t i;

	for (i = 0; i < u->users.nr; i++) {
		next = cdo_printf("%s%s%s", users, i ? " " : "", v[i]);
		free(users);
		users = next;
	}
	cp->name = cdo_strdup(t->name);
	cp->users = users;
	cp->root = root_cause(t) == t ? NULL : cdo_strdup(root_cause(t)->name);
}

int cdo_check_consts(struct cdo *c)
{
	struct const_use **uses;
	struct lpb_symbol *p;

	if (!any_changed_const(c))
		return 0;
	uses = calloc(c->patched->nr_syms, sizeof(*uses));
	if (!uses)
		abort();
	lpb_for_each_symbol(c->patched, p)
		if (changed_const(p) && copyable(p) && !(uses[p->index] = calloc(1, sizeof(**uses))))
			abort();
	collect_uses(c, uses);
	lpb_for_each_symbol(c->patched, p) {
		struct const_use *u = uses[p->index];

		if (!u)
			continue;
		if (!u->referenced)
			cdo_refuse(c, p->name,
				   "keep it unchanged and put the change in the code that uses the values",
				   "changed constant %s: nothing in this object refers to it (it is kept by __used, or found by its section or its name), so the running kernel reaches it in a way a livepatch cannot redirect",
				   p->name);
		else if (u->users.nr)
			note_copy(c, p, u);
		cdo_list_free(&u->users, NULL);
		free(u);
	}
	free(uses);
	return 0;
}
