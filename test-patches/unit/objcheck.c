// SPDX-License-Identifier: GPL-2.0-only
/* Checks a create-diff-object output through lib/: only allowed sections,
 * well-formed .lpb.* metadata with its relocations, aliases where expected. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lpb-elf.h"
#include "lpb-meta.h"

static int failures;

static void fail(const char *fmt, const char *a, const char *b)
{
	fprintf(stderr, "objcheck: ");
	fprintf(stderr, fmt, a, b);
	fputc('\n', stderr);
	failures++;
}

static bool prefix(const char *s, const char *p)
{
	return !strncmp(s, p, strlen(p));
}

/* sections an output may hold: code, data, literal pools, filtered tables,
 * metadata, and the ELF bookkeeping */
static bool allowed(const struct lpb_section *sec)
{
	static const char *const ok[] = {
		".text", ".rodata", ".data", ".bss", ".lpb.funcs", ".lpb.relocs",
		".lpb.callbacks", ".lpb.strings", "__bug_table", "__ex_table",
		"__jump_table", ".altinstructions", ".altinstr_replacement",
		".altinstr_aux", /* static_cpu_has() slow paths of copied code */
		"__mcount_loc", ".orc_unwind", ".smp_locks", ".parainstructions",
		".static_call_sites", ".retpoline_sites", ".return_sites",
		".note.GNU-stack", ".symtab", ".strtab", ".shstrtab", ".rela",
		".init.rodata", "__patchable_function_entries",
		"__dyndbg", /* descriptors of new pr_debug() sites */
		".printk_index", /* pointers to the copied pi_entry of kept sites */
		".fixup", /* 5.10: exception fixup fragments of copied functions */
		".call_sites", ".ibt_endbr_seal", /* objtool's, 6.2+ */
	};
	size_t i;

	if (prefix(sec->name, ".lpb.cb."))
		return false;
	for (i = 0; i < sizeof(ok) / sizeof(*ok); i++)
		if (prefix(sec->name, ok[i]))
			return true;
	return false;
}


static struct lpb_reloc *reloc_at(struct lpb_section *sec, uint64_t off);

/* Set by --linked: the object is several diff objects linked together. */
static bool linked;

/* The string a metadata field names: by its R_X86_64_32 relocation into
 * .lpb.strings (which a link of several diff objects keeps right), which
 * must agree with the field's own offset unless the object is linked. */
static const char *str(struct lpb_section *strings, struct lpb_section *sec, uint64_t field,
		       uint32_t value)
{
	struct lpb_reloc *r = reloc_at(sec, field);
	char where[64];
	int64_t off;

	snprintf(where, sizeof(where), "+%llu", (unsigned long long)field);
	if (!r || r->type != R_X86_64_32 || !r->sym || r->sym->sec != strings) {
		fail("%s%s: string field not relocated into .lpb.strings", sec->name, where);
		return NULL;
	}
	off = (int64_t)r->sym->sym.st_value + r->addend;
	if (!linked && off != value)
		fail("%s%s: string field and its relocation disagree", sec->name, where);
	if (!strings || off < 0 || (uint64_t)off >= strings->size ||
	    memchr((char *)strings->data + off, 0, strings->size - off) == NULL)
		return NULL;
	return (char *)strings->data + off;
}

static struct lpb_reloc *reloc_at(struct lpb_section *sec, uint64_t off)
{
	struct lpb_section *rela = lpb_section_relocs(sec);
	struct lpb_reloc *r;

	if (!rela)
		return NULL;
	lpb_for_each_reloc(rela, r)
		if (r->offset == off)
			return r;
	return NULL;
}

int main(int argc, char **argv)
{
	struct lpb_elf *e;
	struct lpb_section *sec, *strings, *funcs, *relocs, *cbs;
	struct lpb_symbol *s;
	size_t i;

	if (argc == 3 && !strcmp(argv[1], "--linked")) {
		linked = true;
		argv++;
		argc--;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: objcheck [--linked] OUT.o\n");
		return 2;
	}
	e = lpb_elf_open(argv[1], 0);
	if (!e)
		return 1;
	lpb_for_each_section(e, sec) {
		if (!allowed(sec))
			fail("section %s should not be in the output%s", sec->name, "");
		printf("section %s %zu\n", sec->name, sec->size);
	}
	strings = lpb_find_section(e, LPB_SEC_STRINGS);
	funcs = lpb_find_section(e, LPB_SEC_FUNCS);
	relocs = lpb_find_section(e, LPB_SEC_RELOCS);
	cbs = lpb_find_section(e, LPB_SEC_CALLBACKS);
	if (!strings || !funcs || !relocs || !cbs) {
		fail("missing .lpb.* metadata section%s%s", "", "");
		return 1;
	}
	for (i = 0; funcs->size && i < funcs->size / sizeof(struct lpb_func_meta); i++) {
		struct lpb_func_meta m;
		struct lpb_reloc *r;
		char want[512];
		const char *old, *obj;

		memcpy(&m, (char *)funcs->data + i * sizeof(m), sizeof(m));
		old = str(strings, funcs, i * sizeof(m) + offsetof(struct lpb_func_meta, old_name),
			  m.old_name);
		obj = str(strings, funcs, i * sizeof(m) + offsetof(struct lpb_func_meta, objname),
			  m.objname);
		if (!old || !obj) {
			fail("bad string offset in .lpb.funcs%s%s", "", "");
			continue;
		}
		snprintf(want, sizeof(want), "%s%s.%s.%u", LPB_NEW_FUNC_PREFIX, obj, old, m.sympos);
		r = reloc_at(funcs, i * sizeof(m) + offsetof(struct lpb_func_meta, new_func));
		if (!r || r->type != R_X86_64_64 || !r->sym || strcmp(r->sym->name, want) ||
		    lpb_sym_bind(r->sym) != STB_GLOBAL || !r->sym->sec ||
		    !(r->sym->sec->sh.sh_flags & SHF_EXECINSTR))
			fail("func %s: new_func is not relocated to a global alias %s", old, want);
		printf("func %s %s %u\n", old, obj, m.sympos);
	}
	for (i = 0; relocs->size && i < relocs->size / sizeof(struct lpb_reloc_meta); i++) {
		struct lpb_reloc_meta m;
		struct lpb_reloc *r;
		const char *name, *obj, *sym_obj;

		memcpy(&m, (char *)relocs->data + i * sizeof(m), sizeof(m));
		name = str(strings, relocs, i * sizeof(m) + offsetof(struct lpb_reloc_meta, sym_name),
			   m.sym_name);
		obj = str(strings, relocs, i * sizeof(m) + offsetof(struct lpb_reloc_meta, objname),
			  m.objname);
		sym_obj = str(strings, relocs,
			      i * sizeof(m) + offsetof(struct lpb_reloc_meta, sym_objname),
			      m.sym_objname);
		r = reloc_at(relocs, i * sizeof(m) + offsetof(struct lpb_reloc_meta, place));
		if (!name || !obj || !sym_obj) {
			fail("bad string offset in .lpb.relocs%s%s", "", "");
			continue;
		}
		if (!r || !r->sym || !r->sym->sec || !(r->sym->sec->sh.sh_flags & SHF_ALLOC) ||
		    r->addend < 0 || (uint64_t)r->addend >= r->sym->sec->size)
			fail("klp reloc to %s: place is not relocated into an allocated section%s",
			     name, "");
		else
			printf("klp %s %s %u %s+%lld %s\n", name, obj, m.sympos, r->sym->sec->name,
			       (long long)r->addend, sym_obj);
		/* the livepatch relocation must not also be an ordinary one */
		s = lpb_find_symbol(e, name);
		if (s && lpb_is_undef(s))
			fail("%s is both a livepatch relocation and an undefined symbol%s", name, "");
	}
	for (i = 0; cbs->size && i < cbs->size / sizeof(struct lpb_callback_meta); i++) {
		struct lpb_callback_meta m;
		struct lpb_reloc *r;

		memcpy(&m, (char *)cbs->data + i * sizeof(m), sizeof(m));
		r = reloc_at(cbs, i * sizeof(m) + offsetof(struct lpb_callback_meta, fn));
		if (!str(strings, cbs, i * sizeof(m) + offsetof(struct lpb_callback_meta, objname),
			 m.objname))
			fail("callback %s: bad objname%s", r && r->sym ? r->sym->name : "", "");
		if (!r || !r->sym || !prefix(r->sym->name, LPB_CALLBACK_PREFIX))
			fail("callback %s: fn is not relocated to a %s alias", "", LPB_CALLBACK_PREFIX);
		else
			printf("callback %u %s\n", m.kind, r->sym->name);
	}
	lpb_for_each_symbol(e, s) {
		if (lpb_is_undef(s) && *s->name)
			printf("undef %s\n", s->name);
		/* existing code keeps its name but never as a global definition */
		if (s->sec && lpb_sym_bind(s) == STB_GLOBAL && !prefix(s->name, "__lpb_"))
			printf("global %s\n", s->name);
	}
	lpb_elf_free(e);
	return failures ? 1 : 0;
}
