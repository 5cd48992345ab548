// SPDX-License-Identifier: GPL-2.0-only
/* Nothing that cannot load leaves lp-build: references between the diff
 * objects are checked before linking, every symbol of the module after. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build.h"
#include "dwarf-types.h"
#include "klp-check.h"
#include "tree.h"

struct lpb_ksyms *build_object_symbols(struct build *b, const char *objname)
{
	struct lpb_ksyms *ks;
	char *path;

	if (!strcmp(objname, "vmlinux")) {
		if (!b->vmlinux_syms)
			b->vmlinux_syms = lpb_ksyms_load(b->target.vmlinux);
		return b->vmlinux_syms;
	}
	for (size_t i = 0; i < b->module_names.n; i++)
		if (!strcmp(b->module_names.v[i], objname))
			return b->module_syms[i];
	path = build_find_module(b, objname);
	ks = path ? lpb_ksyms_load(path) : NULL;
	free(path);
	if (!ks)
		return NULL;
	sv_push(&b->module_names, objname);
	b->module_syms = xrealloc(b->module_syms, b->module_names.n * sizeof(*b->module_syms));
	b->module_syms[b->module_names.n - 1] = ks;
	return ks;
}

static struct lpb_ksyms *object_symbols(void *ctx, const char *objname)
{
	return build_object_symbols(ctx, objname);
}

static int load_exports(struct build *b)
{
	if (!b->exports)
		b->exports = lpb_symvers_load(b->symvers);
	return b->exports ? 0 : -1;
}

static bool defined_by_patch(const struct build *b, const char *name)
{
	for (size_t i = 0; i < b->nr_diffs; i++) {
		struct lpb_symbol *s = lpb_find_symbol(b->diffs[i].elf, name);

		if (s && s->sec && lpb_sym_bind(s) != STB_LOCAL)
			return true;
	}
	return false;
}

int build_check_references(struct build *b)
{
	size_t bad = 0;

	if (load_exports(b))
		return -1;
	for (size_t i = 0; i < b->nr_diffs; i++) {
		struct lpb_symbol *s;

		lpb_for_each_symbol(b->diffs[i].elf, s) {
			if (s->sec || s->shndx != SHN_UNDEF || !*s->name || !s->index ||
			    lpb_symvers_find(b->exports, s->name) || defined_by_patch(b, s->name))
				continue;
			fprintf(stderr, "lp-build: %s: the patched code uses %s, which neither the "
				"target kernel exports nor any file of the patch defines (is it "
				"built with this kernel's config? a new function the patch adds "
				"must not be static if another file calls it)\n",
				b->diffs[i].src, s->name);
			bad++;
		}
	}
	return bad ? 1 : 0;
}

void build_patch_objects(const struct build *b, struct strvec *out)
{
	for (size_t i = 0; i < b->nr_diffs; i++) {
		const struct lpb_meta *m = &b->diffs[i].meta;

		for (size_t j = 0; j < m->nr_funcs; j++)
			if (!sv_contains(out, m->funcs[j].objname))
				sv_push(out, m->funcs[j].objname);
		for (size_t j = 0; j < m->nr_callbacks; j++)
			if (!sv_contains(out, m->callbacks[j].objname))
				sv_push(out, m->callbacks[j].objname);
		for (size_t j = 0; j < m->nr_relocs; j++)
			if (!sv_contains(out, m->relocs[j].objname))
				sv_push(out, m->relocs[j].objname);
	}
}

int build_check_module(struct build *b, const char *ko, struct lpb_klp_check_stats *st)
{
	struct strvec objects = { 0 };
	struct lpb_klp_check_target t = {
		.object = object_symbols,
		.ctx = b,
	};
	int ret;

	if (load_exports(b))
		return -1;
	build_patch_objects(b, &objects);
	t.symvers = b->exports;
	t.objects = (const char *const *)objects.v;
	t.nr_objects = objects.n;
	ret = lpb_klp_check(ko, &t, st);
	sv_free(&objects);
	return ret;
}

/* The vermagic the target kernel holds modules to: the string its module
 * loader keeps in the local object "vermagic" (kernel/module.c, from 5.19
 * kernel/module/main.c). Malloc'ed; NULL when the vmlinux has none. */
static char *target_vermagic(struct build *b)
{
	struct lpb_ksyms *ks = build_object_symbols(b, "vmlinux");
	struct lpb_elf *elf = ks ? lpb_ksyms_elf(ks) : NULL;
	struct lpb_symbol *s;

	if (!elf)
		return NULL;
	lpb_for_each_symbol(elf, s) {
		const char *data;
		uint64_t off;

		if (!lpb_is_object(s) || !s->sec || strcmp(s->name, "vermagic"))
			continue;
		data = lpb_section_data(s->sec);
		off = s->sym.st_value - s->sec->sh.sh_addr;
		if (!data || s->sym.st_value < s->sec->sh.sh_addr || !s->sym.st_size ||
		    off + s->sym.st_size > s->sec->size)
			continue;
		return strndup(data + off, s->sym.st_size);
	}
	return NULL;
}

/* The module's vermagic and whether it carries symbol CRCs (__versions). */
static char *module_vermagic(const struct lpb_elf *elf, bool *crcs)
{
	struct lpb_section *mi, *versions;
	const char *p, *end;
	char *ret = NULL;

	versions = lpb_find_section(elf, "__versions");
	*crcs = versions && versions->size;
	mi = lpb_find_section(elf, ".modinfo");
	p = mi ? lpb_section_data(mi) : NULL;
	for (end = p ? p + mi->size : NULL; p && p < end; p += strnlen(p, end - p) + 1)
		if (!strncmp(p, "vermagic=", 9) && !ret)
			ret = strndup(p + 9, strnlen(p, end - p) - 9);
	return ret;
}

/* As the kernel's same_magic(): with CRCs the release before the first
 * space is not compared (modversions vouch for the interfaces). */
static bool same_magic(const char *a, const char *b, bool crcs)
{
	if (crcs) {
		a += strcspn(a, " ");
		b += strcspn(b, " ");
	}
	return !strcmp(a, b);
}

/* Options whose value version magic records (include/linux/vermagic.h), or
 * that decide one of those: said first when the magic differs. */
static bool drift_in_magic(const char *line)
{
	static const char *const names[] = {
		"CONFIG_SMP=", "CONFIG_PREEMPT", "CONFIG_ARCH_SUPPORTS_RT=", "CONFIG_MODULE_UNLOAD=",
		"CONFIG_MODVERSIONS=", "CONFIG_RANDSTRUCT",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++)
		if (!strncmp(line, names[i], strlen(names[i])))
			return true;
	return false;
}

/* Up to 8 lines of @drift, those version magic records first: options of
 * @config the tree lost (@lost), or that the tree has and @config does not. */
static void drift_say(const struct strvec *drift, bool lost, const char *config)
{
	size_t said = 0;

	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < drift->n && said < 8; i++) {
			if (drift_in_magic(drift->v[i]) != !pass)
				continue;
			if (lost)
				fprintf(stderr, "  %s has %s; the tree could not keep it\n", config,
					drift->v[i]);
			else
				fprintf(stderr, "  the tree has %s; %s does not\n", drift->v[i], config);
			said++;
		}
	if (drift->n > said)
		fprintf(stderr, "  (%zu more)\n", drift->n - said);
}

static int check_vermagic(struct build *b, const struct lpb_elf *mod, const char *ko)
{
	char *want = target_vermagic(b), *have;
	struct strvec set = { 0 }, lost = { 0 };
	bool crcs = false;
	int ret = 0;

	if (!want) {
		build_say(b, "note: %s has no vermagic symbol: the module's version magic "
			  "was not compared with the target's\n", b->target.vmlinux);
		return 0;
	}
	have = module_vermagic(mod, &crcs);
	if (!have) {
		fprintf(stderr, "lp-build: %s has no vermagic in .modinfo\n", ko);
		free(want);
		return -1;
	}
	b->vermagic_checked = true;
	if (!same_magic(have, want, crcs)) {
		fprintf(stderr, "lp-build: the module's version magic \"%s\" is not the target "
			"kernel's \"%s\": the kernel would refuse to load it, so nothing is "
			"written. Version magic records SMP, the preemption model, module "
			"unloading and modversions; the tree prepared from the source (-s) and "
			"config (-c) differs from the target there: the config is not the one "
			"the target was built with, or the source lacks patches the target was "
			"built with (Debian's rt flavours: PREEMPT_RT comes from Debian's rt "
			"patch set, which its linux-source package does not apply). Build from "
			"the target's own config and source\n", have, want);
		if (!tree_config_drift(&b->tree, b->topts.config, &set, &lost)) {
			drift_say(&lost, true, b->topts.config);
			drift_say(&set, false, b->topts.config);
		}
		ret = 1;
	}
	sv_free(&set);
	sv_free(&lost);
	free(have);
	free(want);
	return ret;
}

/* The bytes at address @addr of the vmlinux @elf, @len of them in one
 * section, or NULL. */
static const uint8_t *vm_bytes(const struct lpb_elf *elf, uint64_t addr, size_t len)
{
	struct lpb_section *sec;

	lpb_for_each_section(elf, sec) {
		const uint8_t *d = lpb_section_data(sec);

		if (d && sec->sh.sh_addr && addr >= sec->sh.sh_addr &&
		    addr - sec->sh.sh_addr + len <= sec->size)
			return d + (addr - sec->sh.sh_addr);
	}
	return NULL;
}

/* Layouts the load checks read, from the target's DWARF (once a build). */
struct load_layout {
	struct lpb_type_query mod, mod_init, mod_exit; /* struct module */
	struct lpb_type_query ksym_rel, ksym_abs; /* kernel_symbol: name_offset, name */
	struct lpb_type_query mv_crc, mv_name; /* modversion_info: crc, name */
};

static struct load_layout *load_layout(struct build *b)
{
	struct load_layout *l = b->layout;

	if (l)
		return l->mod.size > 0 || l->ksym_rel.size > 0 ? l : NULL;
	l = b->layout = xcalloc(1, sizeof(*l));
	l->mod.type = l->mod_init.type = l->mod_exit.type = "module";
	l->mod_init.member = "init";
	l->mod_exit.member = "exit";
	l->ksym_rel.type = l->ksym_abs.type = "kernel_symbol";
	l->ksym_rel.member = "name_offset";
	l->ksym_abs.member = "name";
	l->mv_crc.type = l->mv_name.type = "modversion_info";
	l->mv_crc.member = "crc";
	l->mv_name.member = "name";
	/* the queries are the consecutive members of the struct */
	if (lpb_dwarf_types(b->target.vmlinux, &l->mod, sizeof(*l) / sizeof(l->mod)) <= 0)
		return NULL;
	return l->mod.size > 0 || l->ksym_rel.size > 0 ? l : NULL;
}

/*
 * The symbol version (CRC) the target kernel holds for its export @name, as
 * its module loader finds it: the __ksymtab[_gpl] entry of that name (struct
 * kernel_symbol: the name place-relative, name_offset, on x86-64 since 4.19,
 * else a pointer) and, at the same index, __kcrctab[_gpl] (a u32 each). 1
 * and *@crc when found, 0 when vmlinux does not export @name (a module does),
 * -1 when its tables are not of a form known here (not checked).
 */
static int target_crc(const struct lpb_elf *elf, const struct load_layout *l, const char *name,
		      uint32_t *crc)
{
	static const char *const tabs[][2] = {
		{ "__ksymtab", "__kcrctab" }, { "__ksymtab_gpl", "__kcrctab_gpl" },
	};
	int64_t esz = l->ksym_rel.size, at_name = l->ksym_rel.offset;
	bool rel = at_name >= 0, any = false;

	if (!rel)
		at_name = l->ksym_abs.offset;
	if (esz <= 0 || at_name < 0 || at_name + (rel ? 4 : 8) > esz)
		return -1;
	for (size_t t = 0; t < 2; t++) {
		struct lpb_section *ks = lpb_find_section(elf, tabs[t][0]);
		struct lpb_section *kc = lpb_find_section(elf, tabs[t][1]);
		const uint8_t *kd = ks ? lpb_section_data(ks) : NULL;
		const uint8_t *cd = kc ? lpb_section_data(kc) : NULL;
		size_t n = ks ? ks->size / esz : 0;

		if (!kd || !cd || ks->size % esz || kc->size != n * sizeof(*crc))
			continue;
		any = true;
		for (size_t i = 0; i < n; i++) {
			uint64_t field = ks->sh.sh_addr + i * esz + at_name, addr;
			const char *sym;

			if (rel) {
				int32_t off;

				memcpy(&off, kd + i * esz + at_name, sizeof(off));
				addr = field + (int64_t)off;
			} else {
				memcpy(&addr, kd + i * esz + at_name, sizeof(addr));
			}
			sym = (const char *)vm_bytes(elf, addr, strlen(name) + 1);
			if (!sym || strcmp(sym, name))
				continue;
			memcpy(crc, cd + i * sizeof(*crc), sizeof(*crc));
			return 1;
		}
	}
	return any ? 0 : -1;
}

static int check_crcs(struct build *b, const struct lpb_elf *mod)
{
	struct lpb_ksyms *ks = build_object_symbols(b, "vmlinux");
	struct lpb_elf *vm = ks ? lpb_ksyms_elf(ks) : NULL;
	const struct load_layout *l = load_layout(b);
	struct lpb_section *v;
	const uint8_t *d;
	int64_t esz, at_crc, at_name, name_len;
	int bad = 0;

	if (!vm)
		return -1;
	/* no modversion_info in the DWARF (no modversions): nothing to compare */
	if (!l || l->mv_crc.size <= 0 || l->mv_crc.offset < 0 || l->mv_name.offset < 0 ||
	    l->mv_crc.member_size != 8)
		return 0;
	esz = l->mv_crc.size;
	at_crc = l->mv_crc.offset;
	at_name = l->mv_name.offset;
	name_len = esz - at_name;
	v = lpb_find_section(mod, "__versions");
	d = v ? lpb_section_data(v) : NULL;
	for (size_t i = 0; d && name_len > 0 && i + esz <= v->size; i += esz) {
		char *name = strndup((const char *)d + i + at_name, name_len);
		uint64_t have;
		uint32_t want;
		int found = name ? target_crc(vm, l, name, &want) : -1;

		memcpy(&have, d + i + at_crc, sizeof(have));
		if (found <= 0) {
			free(name);
			if (found < 0)
				break;
			continue;
		}
		b->crcs_checked++;
		if ((uint32_t)have != want && !bad++)
			fprintf(stderr, "lp-build: the module's symbol versions are not the target "
				"kernel's: the kernel would refuse to load it (\"disagrees about "
				"version of symbol\"), so nothing is written. They come from the "
				"Module.symvers given (%s), which is not the target's: use the one "
				"of the target's own build (Debian: linux-headers-RELEASE's "
				"Module.symvers)\n", b->symvers);
		if ((uint32_t)have != want && bad <= 5)
			fprintf(stderr, "  %s: 0x%08x in the module, 0x%08x in %s\n", name,
				(uint32_t)have, want, b->target.vmlinux);
		free(name);
	}
	return bad ? 1 : 0;
}

/*
 * The module's struct module, .gnu.linkonce.this_module, as the target's
 * loader reads it: its size (6.12 refuses another) and where its init and
 * exit pointers are (the relocations against init_module and cleanup_module:
 * the loader calls mod->init and, on unload, mod->exit). struct module is
 * cacheline-aligned, so a config that moves members (kprobes' four fields
 * precede exit) may leave the size alone.
 */
static int check_this_module(struct build *b, const struct lpb_elf *mod, const char *ko)
{
	const struct load_layout *l = load_layout(b);
	const struct lpb_type_query *q[] = { l ? &l->mod_init : NULL, l ? &l->mod_exit : NULL };
	static const char *const fn[] = { "init_module", "cleanup_module" };
	struct lpb_section *sec, *rela;
	struct lpb_reloc *r;
	int ret = 0;

	if (!l || l->mod.size <= 0) {
		build_say(b, "note: %s's DWARF has no struct module: the module's was not "
			  "compared with the target's\n", b->target.vmlinux);
		return 0;
	}
	sec = lpb_find_section(mod, ".gnu.linkonce.this_module");
	rela = sec ? lpb_section_relocs(sec) : NULL;
	if (!sec) {
		fprintf(stderr, "lp-build: %s has no .gnu.linkonce.this_module\n", ko);
		return -1;
	}
	if ((int64_t)sec->size != l->mod.size) {
		fprintf(stderr, "lp-build: the module's struct module is %zu bytes, the target "
			"kernel's is %" PRId64 " (its DWARF)", sec->size, l->mod.size);
		ret = 1;
	}
	lpb_for_each_reloc(rela, r)
		for (size_t i = 0; i < 2 && !ret; i++)
			if (r->sym && !strcmp(r->sym->name, fn[i]) && q[i]->offset >= 0 &&
			    (int64_t)r->offset != q[i]->offset) {
				fprintf(stderr, "lp-build: the module's struct module has %s at "
					"offset %" PRIu64 ", the target kernel's at %" PRId64
					" (its DWARF)", q[i]->member, r->offset, q[i]->offset);
				ret = 1;
			}
	if (ret)
		fprintf(stderr, ": the kernel would refuse the module or call the wrong "
			"pointer, so nothing is written. The tree's config differs from the "
			"target's in what struct module holds: the config (-c) is not the one "
			"the target was built with, or the source lacks patches the target "
			"was built with\n");
	else
		b->this_module_checked = true;
	return ret;
}

int build_check_loadable(struct build *b, const char *ko)
{
	struct lpb_elf *mod = lpb_elf_open(ko, LPB_ELF_LAZY_RELOCS);
	int ret;

	if (!mod)
		return -1;
	ret = check_vermagic(b, mod, ko);
	if (!ret)
		ret = check_this_module(b, mod, ko);
	if (!ret)
		ret = check_crcs(b, mod);
	lpb_elf_free(mod);
	return ret;
}

void build_check_free(struct build *b)
{
	free(b->layout);
	lpb_ksyms_free(b->vmlinux_syms);
	for (size_t i = 0; i < b->module_names.n; i++)
		lpb_ksyms_free(b->module_syms[i]);
	free(b->module_syms);
	sv_free(&b->module_names);
	lpb_symvers_free(b->exports);
}
