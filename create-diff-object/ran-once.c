// SPDX-License-Identifier: GPL-2.0-only
/* Changed functions the kernel already ran once per instance (a network
 * namespace's init): their new version would only reach later instances. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cdo.h"
#include "dwarf-layout.h"

/*
 * Function pointers of kernel structures that are called once per instance,
 * when the instance is created. In the running kernel they have already run
 * for every instance that exists; a livepatch changes what later instances
 * get, and new code that relies on the new initialisation meets instances
 * set up the old way (the real-fixes corpus: a changed dev_proc_net_init()
 * sized /proc/net/ptype's state anew, and reads in init_net, set up at boot,
 * overran the old, smaller state).
 */
static const struct ran_once {
	const char *type; /* the structure, as DWARF names it */
	const char *member; /* the function pointer */
	const char *instances; /* which instances it already ran for */
} ran_once[] = {
	{ "struct pernet_operations", "init",
	  "every network namespace that exists (init_net since boot)" },
};

#define NR_RAN_ONCE (sizeof(ran_once) / sizeof(*ran_once))

/* a data object of ORIG holding the address of a changed function */
struct holder {
	struct lpb_symbol *func; /* PATCHED function */
	const char *object; /* ORIG data object */
	uint64_t offset; /* where in it */
};

/* ORIG's data objects storing the address of a changed function. */
static size_t find_holders(struct cdo *c, struct holder **out)
{
	struct lpb_section *sec;
	struct holder *v = NULL;
	size_t n = 0, cap = 0;

	lpb_for_each_section(c->orig, sec) {
		struct lpb_reloc **r;
		size_t nr, i;

		if (!sec->priv || S(sec)->kind != K_DATA)
			continue;
		r = cdo_sec_relocs(sec, &nr);
		for (i = 0; i < nr; i++) {
			struct lpb_symbol *t = r[i]->sym, *obj, *p;

			if (!t || !t->sec || !t->sec->priv || S(t->sec)->kind != K_TEXT)
				continue;
			if (lpb_is_section_sym(t))
				t = S(t->sec)->owner;
			if (!t || !lpb_is_func(t) || !t->priv || !(p = Y(t)->twin) ||
			    Y(p)->status != CDO_CHANGED)
				continue;
			obj = lpb_find_symbol_containing(sec, r[i]->offset);
			if (!obj || !lpb_is_object(obj) || !*obj->name)
				continue;
			if (n == cap) {
				cap = cap ? cap * 2 : 8;
				v = realloc(v, cap * sizeof(*v));
				if (!v)
					abort();
			}
			v[n++] = (struct holder){ p, obj->name, r[i]->offset - obj->sym.st_value };
		}
	}
	*out = v;
	return n;
}

static bool used_by(const struct lpb_layout *l, const char *name)
{
	for (size_t i = 0; i < l->nr_users; i++)
		if (!strcmp(l->users[i], name))
			return true;
	return false;
}

static bool allowed(const struct cdo *c, const char *func)
{
	for (size_t i = 0; i < c->opts->nr_allow_ran_once; i++)
		if (!strcmp(c->opts->allow_ran_once[i], func))
			return true;
	return false;
}

static void check_holder(struct cdo *c, const struct lpb_layout_set *set, const struct holder *h)
{
	for (size_t k = 0; k < NR_RAN_ONCE; k++) {
		const struct lpb_layout *l = lpb_layout_find(set, ran_once[k].type);
		char *advice;

		if (!l || !used_by(l, h->object))
			continue;
		for (size_t m = 0; m < l->nr_members; m++) {
			if (strcmp(l->members[m].path, ran_once[k].member) ||
			    l->members[m].offset != (int64_t)h->offset)
				continue;
			if (allowed(c, h->func->name)) {
				struct cdo_note *note = cdo_push(&c->ran_once, sizeof(*note));

				note->name = strdup(h->func->name);
				note->detail = cdo_printf("%s of %s %s", ran_once[k].member,
							  ran_once[k].type, h->object);
				if (!note->name)
					abort();
				continue;
			}
			advice = cdo_printf("leave it unchanged and make the new code work with what the old version set up, doing what existing instances need from a post-patch callback (LPB_POST_PATCH_CALLBACK in <lpb-patch.h>, e.g. over for_each_net()); if the new version is only meant for instances created from now on and nothing else relies on it, build with --allow-ran-once %s", h->func->name);
			cdo_refuse(c, h->func->name, advice,
				   "changed function %s is the %s of %s %s: it already ran for %s, so its new version would only reach instances created after the patch, and changed code relying on it would meet instances set up by the old one",
				   h->func->name, ran_once[k].member, ran_once[k].type, h->object,
				   ran_once[k].instances);
			free(advice);
		}
	}
}

int cdo_check_ran_once(struct cdo *c)
{
	struct lpb_layout_set set = { 0 };
	struct lpb_layout_query q = { 0 };
	const char **vars;
	struct holder *h;
	size_t n = find_holders(c, &h), nv = 0;
	int ret = 0;

	if (!n)
		goto out;
	vars = calloc(n, sizeof(*vars));
	if (!vars)
		abort();
	for (size_t i = 0; i < n; i++) {
		size_t j;

		for (j = 0; j < nv && strcmp(vars[j], h[i].object); j++)
			;
		if (j == nv)
			vars[nv++] = h[i].object;
	}
	q.vars = vars;
	q.nr_vars = nv;
	ret = lpb_dwarf_layouts(c->opts->orig, &q, &set);
	if (ret == -ENODATA) {
		/* no DWARF: cdo_check_layouts refuses (--require-dwarf), or
		 * the report warns of what was not checked */
		c->layouts_unchecked = true;
		ret = 0;
	} else if (!ret) {
		for (size_t i = 0; i < n; i++)
			check_holder(c, &set, &h[i]);
	}
	lpb_layout_set_free(&set);
	free(vars);
out:
	free(h);
	return ret;
}
