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

static int check_klp_symbol(const char *ko, const struct lpb_symbol *s,
			    const struct lpb_klp_check_target *t)
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
	if (!is_object(t, obj, strlen(obj))) {
		lpb_err("%s: livepatch symbol %s is for %s, which is not an object of the patch: the kernel would never resolve it",
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
	int bad = 0;

	*stats = (struct lpb_klp_check_stats){ 0 };
	if (!elf)
		return -EINVAL;
	lpb_for_each_section(elf, sec) {
		const char *obj = sec->name + strlen(KLP_RELA_PREFIX), *dot;

		if (strncmp(sec->name, KLP_RELA_PREFIX, strlen(KLP_RELA_PREFIX)))
			continue;
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
			ret = check_klp_symbol(ko, s, t);
		} else if (!s->sec && s->shndx == SHN_UNDEF) {
			stats->undefined++;
			if (!lpb_symvers_find(t->symvers, s->name)) {
				lpb_err("%s: the module would not load: it needs %s, which the target kernel does not export and no file of the patch defines",
					ko, s->name);
				ret = 1;
			}
		}
		if (ret < 0) {
			lpb_elf_free(elf);
			return ret;
		}
		bad |= ret;
	}
	lpb_elf_free(elf);
	return bad;
}
