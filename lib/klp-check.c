// SPDX-License-Identifier: GPL-2.0-only
/* Resolves a livepatch module's symbols the way the kernel will (livepatch
 * symbols by name and sympos, undefined ones against the exports). */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "klp-check.h"
#include "log.h"

#define KLP_SYM_PREFIX ".klp.sym."
#define KLP_RELA_PREFIX ".klp.rela."

static bool is_object(const struct lpb_klp_check_target *t, const char *name, size_t len)
{
	for (size_t i = 0; i < t->nr_objects; i++)
		if (strlen(t->objects[i]) == len && !memcmp(t->objects[i], name, len))
			return true;
	return false;
}

/* ".klp.sym.<obj>.<name>,<pos>": module names have no dots, symbol names
 * may (foo.constprop.0), and the position follows the last comma. */
static int parse_klp_sym(const char *full, char **obj, char **name, unsigned long *pos)
{
	const char *s = full + strlen(KLP_SYM_PREFIX), *dot = strchr(s, '.');
	const char *comma = strrchr(s, ',');
	char *end;

	if (!dot || !comma || comma < dot || dot == s || comma == dot + 1)
		return -EINVAL;
	*pos = strtoul(comma + 1, &end, 10);
	if (*end || end == comma + 1)
		return -EINVAL;
	*obj = strndup(s, dot - s);
	*name = strndup(dot + 1, comma - dot - 1);
	if (!*obj || !*name) {
		free(*obj);
		free(*name);
		return -ENOMEM;
	}
	return 0;
}

/* Does module @obj (an object of the patch) depend on module @dep? Its
 * .modinfo depends= says; names compare with '-' and '_' alike. */
static bool depends_on(const struct lpb_klp_check_target *t, const char *obj, const char *dep)
{
	struct lpb_ksyms *ks = strcmp(obj, "vmlinux") ? t->object(t->ctx, obj) : NULL;
	struct lpb_section *mi = ks ? lpb_find_section(lpb_ksyms_elf(ks), ".modinfo") : NULL;
	const char *p, *end;
	size_t dl = strlen(dep);

	if (!mi || !mi->data)
		return false;
	for (p = mi->data, end = p + mi->size; p < end; p += strnlen(p, end - p) + 1) {
		if (strncmp(p, "depends=", 8))
			continue;
		for (const char *d = p + 8; d < end && *d;) {
			size_t n = strcspn(d, ","), i;

			for (i = 0; n == dl && i < n; i++)
				if (d[i] != dep[i] && !(strchr("-_", d[i]) && strchr("-_", dep[i])))
					break;
			if (n == dl && i == n)
				return true;
			d += n + (d[n] == ',');
		}
	}
	return false;
}

/* The objects whose .klp.rela sections relocate with one livepatch symbol
 * (the "<obj>" of ".klp.rela.<obj>.<section>", not NUL-terminated). */
struct users {
	const char **obj;
	size_t *len;
	size_t n;
};

/*
 * A livepatch symbol of a module that is not an object of the patch (an
 * export of a module the patched one uses): the kernel resolves it when
 * the object whose code it relocates loads, so every such object must
 * depend on that module, which is then loaded first.
 */
static bool resolvable_elsewhere(const struct lpb_klp_check_target *t, const char *obj,
				 const struct users *u)
{
	if (!u || !u->n || !strcmp(obj, "vmlinux"))
		return false;
	for (size_t i = 0; i < u->n; i++) {
		char *m = strndup(u->obj[i], u->len[i]);
		bool ok = m && depends_on(t, m, obj);

		free(m);
		if (!ok)
			return false;
	}
	return true;
}

static void users_free(struct users *u, size_t n)
{
	for (size_t i = 0; u && i < n; i++) {
		free(u[i].obj);
		free(u[i].len);
	}
	free(u);
}

/* For each symbol index of @elf, the objects relocating with it. */
static struct users *symbol_users(struct lpb_elf *elf)
{
	struct users *u = calloc(elf->nr_syms + 1, sizeof(*u));
	struct lpb_section *sec;
	struct lpb_reloc *r;

	if (!u)
		return NULL;
	lpb_for_each_section(elf, sec) {
		const char *obj, *dot;

		/* the name may be shorter than the prefix: test it first */
		if (strncmp(sec->name, KLP_RELA_PREFIX, strlen(KLP_RELA_PREFIX)))
			continue;
		obj = sec->name + strlen(KLP_RELA_PREFIX);
		dot = strchr(obj, '.');
		if (!dot)
			continue;
		/* the file is opened with lazy relocations: these are needed */
		if (lpb_section_load_relocs(sec)) {
			users_free(u, elf->nr_syms + 1);
			return NULL;
		}
		lpb_for_each_reloc(sec, r) {
			struct users *x;

			if (!r->sym || r->sym->index >= elf->nr_syms)
				continue;
			x = &u[r->sym->index];
			x->obj = realloc(x->obj, (x->n + 1) * sizeof(*x->obj));
			x->len = realloc(x->len, (x->n + 1) * sizeof(*x->len));
			if (!x->obj || !x->len)
				continue;
			x->obj[x->n] = obj;
			x->len[x->n++] = (size_t)(dot - obj);
		}
	}
	return u;
}

static int check_klp_symbol(const char *ko, const struct lpb_symbol *s,
			    const struct lpb_klp_check_target *t,
			    const struct users *relocated)
{
	char *obj = NULL, *name = NULL;
	unsigned long pos;
	struct lpb_ksyms *ks;
	unsigned int count;
	int ret = parse_klp_sym(s->name, &obj, &name, &pos);

	if (ret == -EINVAL) {
		lpb_err("%s: livepatch symbol %s is not of the form .klp.sym.OBJECT.NAME,POSITION",
			ko, s->name);
		return 1;
	}
	if (ret)
		return ret;
	if (!is_object(t, obj, strlen(obj)) && !resolvable_elsewhere(t, obj, relocated)) {
		lpb_err("%s: livepatch symbol %s is for %s, which is neither an object of the patch nor a module every object relocated with it depends on: the kernel would not always resolve it",
			ko, s->name, obj);
		ret = 1;
		goto out;
	}
	ks = t->object(t->ctx, obj);
	if (!ks) {
		ret = -ENOENT;
		goto out;
	}
	count = lpb_ksyms_count(ks, name);
	if (!count) {
		lpb_err("%s: the module would not load: it needs %s in %s (%s), which has no such symbol",
			ko, name, obj, s->name);
		ret = 1;
	} else if (!pos && count > 1) {
		lpb_err("%s: the module would not load: %s names %s without a position, but %s has %u symbols of that name",
			ko, s->name, name, obj, count);
		ret = 1;
	} else if (pos > count) {
		lpb_err("%s: the module would not load: %s wants symbol %lu of that name, but %s has %u",
			ko, s->name, pos, obj, count);
		ret = 1;
	}
out:
	free(obj);
	free(name);
	return ret;
}

int lpb_klp_check(const char *ko, const struct lpb_klp_check_target *t,
		  struct lpb_klp_check_stats *stats)
{
	struct lpb_elf *elf = lpb_elf_open(ko, LPB_ELF_LAZY_RELOCS);
	struct lpb_section *sec;
	struct lpb_symbol *s;
	struct users *users;
	int bad = 0;

	*stats = (struct lpb_klp_check_stats){ 0 };
	if (!elf)
		return -EINVAL;
	users = symbol_users(elf);
	lpb_for_each_section(elf, sec) {
		const char *obj, *dot;

		if (strncmp(sec->name, KLP_RELA_PREFIX, strlen(KLP_RELA_PREFIX)))
			continue;
		obj = sec->name + strlen(KLP_RELA_PREFIX);
		dot = strchr(obj, '.');
		if (!dot || !is_object(t, obj, dot - obj)) {
			lpb_err("%s: section %s relocates code for an object the patch does not have: the kernel would never apply it",
				ko, sec->name);
			bad = 1;
		}
	}
	lpb_for_each_symbol(elf, s) {
		int ret = 0;

		if (!s->index || !*s->name || lpb_sym_type(s) == STT_FILE ||
		    lpb_sym_type(s) == STT_SECTION)
			continue;
		if (!strncmp(s->name, KLP_SYM_PREFIX, strlen(KLP_SYM_PREFIX))) {
			if (s->sec || s->shndx != SHN_LIVEPATCH) {
				lpb_err("%s: %s is not a livepatch symbol (SHN_LIVEPATCH)", ko,
					s->name);
				bad = 1;
				continue;
			}
			stats->klp_symbols++;
			ret = check_klp_symbol(ko, s, t,
					       users && s->index < elf->nr_syms ? &users[s->index] :
										NULL);
		} else if (!s->sec && s->shndx == SHN_UNDEF) {
			const struct lpb_export *e = lpb_symvers_find(t->symvers, s->name);

			stats->undefined++;
			if (!e) {
				lpb_err("%s: the module would not load: it needs %s, which the target kernel does not export and no file of the patch defines",
					ko, s->name);
				ret = 1;
			} else if (strcmp(e->modname, "vmlinux")) {
				/* a key of a jump label or static call */
				lpb_warn("%s: the module loads only while module %s is loaded: it uses %s, which %s exports",
					 ko, e->modname, s->name, e->modname);
				stats->needs_modules++;
			}
		}
		if (ret < 0) {
			users_free(users, elf->nr_syms + 1);
			lpb_elf_free(elf);
			return ret;
		}
		bad |= ret;
	}
	users_free(users, elf->nr_syms + 1);
	lpb_elf_free(elf);
	return bad;
}
