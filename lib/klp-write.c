// SPDX-License-Identifier: GPL-2.0-only
/* The post-link step of lp-build: livepatch relocations are written only
 * after kbuild linked the module, so modpost and the loader never see them
 * as undefined symbols (Documentation/livepatch/module-elf-format.rst). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "klp-write.h"
#include "log.h"
#include "lpb-meta-read.h"

/* Longest names the kernel's klp_resolve_symbols() sscanf accepts. */
#define KLP_MODULE_NAME_LEN 56
#define KLP_SYM_LEN 512

static const char *const meta_sections[] = {
	LPB_SEC_FUNCS, LPB_SEC_RELOCS, LPB_SEC_CALLBACKS, LPB_SEC_STRINGS,
};

static struct lpb_symbol *klp_symbol(struct lpb_elf *elf, const struct lpb_meta_reloc *k,
				     struct lpb_klp_stats *st)
{
	struct lpb_symbol *sym;
	char *name;

	if (strlen(k->sym_objname) >= KLP_MODULE_NAME_LEN || strlen(k->sym_name) >= KLP_SYM_LEN ||
	    strchr(k->sym_objname, '.') || strchr(k->sym_name, ',')) {
		lpb_err("%s: cannot express %s in %s as a livepatch symbol (name too long or "
			"with '.'/',')", elf->path, k->sym_name, k->sym_objname);
		return NULL;
	}
	if (asprintf(&name, ".klp.sym.%s.%s,%u", k->sym_objname, k->sym_name, k->sympos) < 0)
		return NULL;
	sym = lpb_find_symbol(elf, name);
	if (!sym) {
		sym = lpb_elf_add_symbol_shndx(elf, name, STB_GLOBAL, STT_NOTYPE, SHN_LIVEPATCH,
					       0, 0);
		if (sym)
			st->symbols++;
	}
	free(name);
	return sym;
}

static struct lpb_section *klp_rela(struct lpb_elf *elf, const struct lpb_meta_reloc *k,
				    struct lpb_klp_stats *st)
{
	struct lpb_section *rela;
	char *name;

	if (asprintf(&name, ".klp.rela.%s.%s", k->objname, k->sec->name) < 0)
		return NULL;
	rela = lpb_find_section(elf, name);
	if (!rela) {
		rela = lpb_elf_add_rela_section(elf, k->sec, name,
						SHF_ALLOC | SHF_RELA_LIVEPATCH);
		if (rela)
			st->sections++;
	}
	free(name);
	return rela;
}

/*
 * The kernel applies .klp.rela.<obj>.* only for the objects of the patch
 * (those with functions or callbacks): a relocation for any other object
 * would silently never be written.
 */
static int check_object(struct lpb_elf *elf, const struct lpb_meta *m,
			const struct lpb_meta_reloc *k)
{
	for (size_t i = 0; i < m->nr_funcs; i++)
		if (!strcmp(m->funcs[i].objname, k->objname))
			return 0;
	for (size_t i = 0; i < m->nr_callbacks; i++)
		if (!strcmp(m->callbacks[i].objname, k->objname))
			return 0;
	lpb_err("%s: livepatch relocation for %s in object %s, which the patch does not patch",
		elf->path, k->sym_name, k->objname);
	return -EINVAL;
}

/* The loader must not also see an ordinary relocation at that place. */
static int check_place(struct lpb_elf *elf, const struct lpb_meta_reloc *k)
{
	struct lpb_section *rela = lpb_section_relocs(k->sec);
	struct lpb_reloc *r;

	if (rela) {
		lpb_for_each_reloc(rela, r) {
			if (r->offset == k->offset) {
				lpb_err("%s: %s+0x%llx has both an ordinary relocation and a "
					"livepatch relocation for %s", elf->path, k->sec->name,
					(unsigned long long)k->offset, k->sym_name);
				return -EINVAL;
			}
		}
	}
	return 0;
}

int lpb_klp_postlink(const char *in, const char *out, struct lpb_klp_stats *stats)
{
	struct lpb_klp_stats st = { 0 };
	struct lpb_meta meta;
	struct lpb_elf *elf;
	int ret;

	elf = lpb_elf_open(in, 0);
	if (!elf)
		return -EINVAL;
	if (elf->ehdr.e_type != ET_REL) {
		lpb_err("%s: not a kernel module (ELF type %u)", in, elf->ehdr.e_type);
		ret = -EINVAL;
		goto out;
	}
	ret = lpb_meta_read(elf, &meta);
	if (ret)
		goto out;
	for (size_t i = 0; i < meta.nr_relocs && !ret; i++) {
		const struct lpb_meta_reloc *k = &meta.relocs[i];
		struct lpb_symbol *sym;
		struct lpb_section *rela;

		ret = check_object(elf, &meta, k);
		if (!ret)
			ret = check_place(elf, k);
		if (ret)
			break;
		sym = klp_symbol(elf, k, &st);
		rela = sym ? klp_rela(elf, k, &st) : NULL;
		if (!rela) {
			ret = -EINVAL;
			break;
		}
		ret = lpb_reloc_add(rela, k->offset, k->type, sym, k->addend);
		st.relocs++;
	}
	lpb_meta_free(&meta);
	if (ret)
		goto out;
	for (size_t i = 0; i < sizeof(meta_sections) / sizeof(meta_sections[0]); i++) {
		struct lpb_section *sec = lpb_find_section(elf, meta_sections[i]);

		if (sec)
			lpb_section_delete(sec);
	}
	ret = lpb_elf_write(elf, out);
	if (!ret && stats)
		*stats = st;
out:
	lpb_elf_free(elf);
	return ret;
}
