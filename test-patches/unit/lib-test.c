// SPDX-License-Identifier: GPL-2.0-only
/* In-process tests of lib/: reading, hash lookups, editing and writing back,
 * sympos and FILE-block matching, Module.symvers parsing, DWARF sizes and
 * struct layouts. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "dwarf-layout.h"
#include "dwarf-types.h"
#include "klp-check.h"
#include "ksyms.h"
#include "line-pin.h"
#include "lpb-elf.h"
#include "symvers.h"

static int failures, checks;
static const char *work;

#define CHECK(cond)                                                              \
	do {                                                                     \
		checks++;                                                        \
		if (!(cond)) {                                                   \
			fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); \
			failures++;                                              \
		}                                                                \
	} while (0)

static char *path(const char *name)
{
	static char buf[4][512];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", work, name);
	return buf[i];
}

/* an object built through the API: two functions, data, relocations */
static void test_build_write_read(void)
{
	struct lpb_elf *e = lpb_elf_new("built.o", NULL), *r;
	static const unsigned char code[16] = { 0xe8, 0, 0, 0, 0, 0xc3 };
	struct lpb_section *text, *data, *rela, *sec;
	struct lpb_symbol *f, *g, *x, *u, *s;
	uint64_t zero = 0;

	CHECK(e != NULL);
	text = lpb_elf_add_section(e, ".text.f", SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR,
				   16, 0, code, sizeof(code));
	data = lpb_elf_add_section(e, ".data.x", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, 8, 0,
				   &zero, 8);
	CHECK(text && data);
	lpb_elf_add_symbol_shndx(e, "built.c", STB_LOCAL, STT_FILE, SHN_ABS, 0, 0);
	f = lpb_elf_add_symbol(e, "f", STB_GLOBAL, STT_FUNC, text, 0, 6);
	g = lpb_elf_add_symbol(e, "g", STB_LOCAL, STT_FUNC, text, 6, 4);
	x = lpb_elf_add_symbol(e, "x", STB_LOCAL, STT_OBJECT, data, 0, 8);
	u = lpb_elf_add_symbol(e, "printk", STB_GLOBAL, STT_NOTYPE, NULL, 0, 0);
	CHECK(f && g && x && u);
	rela = lpb_elf_add_rela_section(e, text, NULL, 0);
	CHECK(rela && text->rela == rela && !strcmp(rela->name, ".rela.text.f"));
	CHECK(!lpb_reloc_add(rela, 1, R_X86_64_PLT32, u, -4));
	rela = lpb_elf_add_rela_section(e, data, NULL, 0);
	CHECK(!lpb_reloc_add(rela, 0, R_X86_64_64, lpb_section_symbol(text), 6));
	CHECK(lpb_find_symbol_containing(text, 7) == g);
	CHECK(lpb_find_symbol_at(text, 0) == f);
	CHECK(!lpb_elf_write(e, path("built.o")));
	/* locals come first after a write */
	CHECK(g->index < f->index && x->index < u->index);
	lpb_elf_free(e);

	r = lpb_elf_open(path("built.o"), 0);
	CHECK(r != NULL);
	if (!r)
		return;
	sec = lpb_find_section(r, ".text.f");
	CHECK(sec && sec->size == 16 && !memcmp(sec->data, code, 6));
	s = lpb_find_symbol(r, "f");
	CHECK(s && lpb_is_func(s) && lpb_sym_bind(s) == STB_GLOBAL && s->sec == sec);
	s = lpb_find_symbol(r, "g");
	CHECK(s && s->sym.st_value == 6 && s->file && !strcmp(s->file->name, "built.c"));
	CHECK(sec->rela && sec->rela->nr_relocs == 1 &&
	      !strcmp(sec->rela->relocs[0].sym->name, "printk") &&
	      sec->rela->relocs[0].addend == -4 && sec->rela->relocs[0].type == R_X86_64_PLT32);
	sec = lpb_find_section(r, ".data.x");
	CHECK(sec && sec->rela && sec->rela->relocs[0].sym->sec == lpb_find_section(r, ".text.f") &&
	      sec->rela->relocs[0].addend == 6);
	CHECK(lpb_is_undef(lpb_find_symbol(r, "printk")));
	CHECK(lpb_find_symbol(r, "nonexistent") == NULL);
	lpb_elf_free(r);
}

/* the lead's post-link step: livepatch relocations, SHN_LIVEPATCH symbols,
 * metadata sections removed, written back in place */
static void test_edit_in_place(void)
{
	struct lpb_elf *e = lpb_elf_open(path("built.o"), 0);
	struct lpb_section *text, *klp, *meta;
	struct lpb_symbol *ks;

	CHECK(e != NULL);
	if (!e)
		return;
	text = lpb_find_section(e, ".text.f");
	meta = lpb_elf_add_section(e, ".lpb.funcs", SHT_PROGBITS, 0, 8, 0, NULL, 24);
	CHECK(!lpb_reloc_add(lpb_elf_add_rela_section(e, meta, NULL, 0), 0, R_X86_64_64,
			     lpb_find_symbol(e, "f"), 0));
	CHECK(!lpb_elf_write(e, path("edited.o")));
	lpb_elf_free(e);

	e = lpb_elf_open(path("edited.o"), 0);
	CHECK(e && lpb_find_section(e, ".rela.lpb.funcs"));
	if (!e)
		return;
	text = lpb_find_section(e, ".text.f");
	ks = lpb_elf_add_symbol_shndx(e, ".klp.sym.vmlinux.secret,2", STB_GLOBAL, STT_FUNC,
				      SHN_LIVEPATCH, 0, 0);
	klp = lpb_elf_add_rela_section(e, text, ".klp.rela.vmlinux..text.f",
				       SHF_ALLOC | SHF_RELA_LIVEPATCH);
	CHECK(ks && klp && text->rela != klp);
	CHECK(!lpb_reloc_add(klp, 8, R_X86_64_PC32, ks, -4));
	lpb_section_delete(lpb_find_section(e, ".lpb.funcs"));
	CHECK(lpb_find_section(e, ".lpb.funcs") == NULL);
	CHECK(lpb_find_section(e, ".rela.lpb.funcs") == NULL);
	CHECK(!lpb_elf_write(e, path("edited.o")));
	lpb_elf_free(e);

	e = lpb_elf_open(path("edited.o"), 0);
	CHECK(e != NULL);
	if (!e)
		return;
	klp = lpb_find_section(e, ".klp.rela.vmlinux..text.f");
	CHECK(klp && (klp->sh.sh_flags & SHF_RELA_LIVEPATCH) && klp->base == lpb_find_section(e, ".text.f"));
	CHECK(klp && klp->nr_relocs == 1 && klp->relocs[0].sym->shndx == SHN_LIVEPATCH &&
	      !strcmp(klp->relocs[0].sym->name, ".klp.sym.vmlinux.secret,2"));
	CHECK(lpb_find_section(e, ".lpb.funcs") == NULL);
	/* the ordinary .rela.text.f is still the section's own */
	CHECK(lpb_find_section(e, ".text.f")->rela == lpb_find_section(e, ".rela.text.f"));
	lpb_elf_free(e);
}

/* many symbols: every name found through the hash, quickly */
static void test_many_symbols(void)
{
	struct lpb_elf *e = lpb_elf_new("many.o", NULL), *r;
	struct lpb_section *text = lpb_elf_add_section(e, ".text", SHT_PROGBITS,
						       SHF_ALLOC | SHF_EXECINSTR, 16, 0,
						       NULL, 40000 * 4);
	struct timespec t0, t1;
	char name[32];
	int i, found = 0;

	for (i = 0; i < 40000; i++) {
		snprintf(name, sizeof(name), "sym_%d", i);
		lpb_elf_add_symbol(e, name, i % 2 ? STB_GLOBAL : STB_LOCAL, STT_FUNC, text,
				   i * 4, 4);
	}
	CHECK(!lpb_elf_write(e, path("many.o")));
	lpb_elf_free(e);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	r = lpb_elf_open(path("many.o"), 0);
	CHECK(r != NULL);
	if (!r)
		return;
	for (i = 0; i < 40000; i++) {
		struct lpb_symbol *s;

		snprintf(name, sizeof(name), "sym_%d", i);
		s = lpb_find_symbol(r, name);
		found += s && s->sym.st_value == (uint64_t)i * 4 &&
			 lpb_find_symbol_containing(s->sec, i * 4 + 2) == s;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	CHECK(found == 40000);
	/* a linear lookup would take seconds here */
	CHECK((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000 < 2000);
	lpb_elf_free(r);
}

/* a target linked from three files, two named cmdline.c */
static struct lpb_elf *make_parent(void)
{
	struct lpb_elf *e = lpb_elf_new("parent", NULL);
	struct lpb_section *t = lpb_elf_add_section(e, ".text", SHT_PROGBITS,
						    SHF_ALLOC | SHF_EXECINSTR, 16, 0, NULL, 0x100);

	/* block 1: cmdline.c with show + a_only; block 2: cmdline.c with
	 * show + b_only; block 3: meminfo.c with show */
	lpb_elf_add_symbol_shndx(e, "cmdline.c", STB_LOCAL, STT_FILE, SHN_ABS, 0, 0);
	lpb_elf_add_symbol(e, "show", STB_LOCAL, STT_FUNC, t, 0x80, 8);
	lpb_elf_add_symbol(e, "a_only", STB_LOCAL, STT_FUNC, t, 0x88, 8);
	lpb_elf_add_symbol_shndx(e, "cmdline.c", STB_LOCAL, STT_FILE, SHN_ABS, 0, 0);
	lpb_elf_add_symbol(e, "show", STB_LOCAL, STT_FUNC, t, 0x10, 8);
	lpb_elf_add_symbol(e, "b_only", STB_LOCAL, STT_FUNC, t, 0x18, 8);
	lpb_elf_add_symbol_shndx(e, "meminfo.c", STB_LOCAL, STT_FILE, SHN_ABS, 0, 0);
	lpb_elf_add_symbol(e, "show", STB_LOCAL, STT_FUNC, t, 0x40, 8);
	lpb_elf_add_symbol(e, "unique_global", STB_GLOBAL, STT_FUNC, t, 0x50, 8);
	/* FILE blocks are a property of a symbol table on disk */
	CHECK(!lpb_elf_write(e, path("parent.o")));
	lpb_elf_free(e);
	e = lpb_elf_open(path("parent.o"), 0);
	CHECK(e != NULL);
	return e;
}

static void test_ksyms(void)
{
	struct lpb_elf *e = make_parent();
	struct lpb_ksyms *ks;
	struct lpb_kblock blk;
	const struct lpb_symbol *s;
	const char *want_b[] = { "show", "b_only" }, *want_show[] = { "show" };

	/* as a module (ET_REL): symbol-table order -> show is 1, 2, 3 */
	ks = lpb_ksyms_from_elf(e, false);
	CHECK(ks != NULL);
	CHECK(lpb_ksyms_count(ks, "show") == 3);
	CHECK(!lpb_ksyms_match(ks, "cmdline.o", "cmdline.c", want_b, 2, &blk));
	s = lpb_ksyms_find_local(ks, &blk, "show");
	CHECK(s && s->sym.st_value == 0x10 && lpb_ksyms_sympos(ks, s) == 2);
	CHECK(lpb_ksyms_find_local(ks, &blk, "a_only") == NULL);
	s = lpb_ksyms_find_global(ks, "unique_global");
	CHECK(s && lpb_ksyms_sympos(ks, s) == 0);
	/* the set decides: a block holding only "show" is ambiguous between
	 * the two cmdline.c blocks, and the basename picks meminfo.c */
	fprintf(stderr, "(an error about several FILE blocks is expected here)\n");
	CHECK(lpb_ksyms_match(ks, "cmdline.o", "cmdline.c", want_show, 1, &blk) == -EEXIST);
	CHECK(!lpb_ksyms_match(ks, "meminfo.o", "meminfo.c", want_show, 1, &blk) &&
	      !strcmp(blk.file->name, "meminfo.c"));
	lpb_ksyms_free(ks);

	/* as vmlinux: kallsyms (address) order -> 0x10 is 1st, 0x40 2nd, 0x80 3rd */
	lpb_elf_free(e);
	e = lpb_elf_open(path("parent.o"), 0);
	e->ehdr.e_type = ET_EXEC;
	ks = lpb_ksyms_from_elf(e, true);
	CHECK(ks != NULL);
	CHECK(!lpb_ksyms_match(ks, "cmdline.o", "cmdline.c", want_b, 2, &blk));
	s = lpb_ksyms_find_local(ks, &blk, "show");
	CHECK(s && lpb_ksyms_sympos(ks, s) == 1);
	CHECK(!lpb_ksyms_match(ks, "meminfo.o", "meminfo.c", want_show, 1, &blk));
	s = lpb_ksyms_find_local(ks, &blk, "show");
	CHECK(s && lpb_ksyms_sympos(ks, s) == 2);
	lpb_ksyms_free(ks);
}

static void test_symvers(void)
{
	FILE *f = fopen(path("Module.symvers"), "w");
	struct lpb_symvers *sv;
	const struct lpb_export *x;

	fprintf(f, "0x12345678\tprintk\tvmlinux\tEXPORT_SYMBOL\t\n"
		   "0x0000abcd\tmisc_fn\tfs/binfmt_misc\tEXPORT_SYMBOL_GPL\tMY_NS\n"
		   "0x00000001\told_style\tvmlinux\tEXPORT_SYMBOL\n");
	fclose(f);
	sv = lpb_symvers_load(path("Module.symvers"));
	CHECK(sv && lpb_symvers_count(sv) == 3);
	if (sv) {
		x = lpb_symvers_find(sv, "misc_fn");
		CHECK(x && x->gpl_only && x->crc == 0xabcd && !strcmp(x->ns, "MY_NS") &&
		      !strcmp(x->module, "fs/binfmt_misc"));
		x = lpb_symvers_find(sv, "printk");
		CHECK(x && !x->gpl_only && !strcmp(x->module, "vmlinux"));
		CHECK(lpb_symvers_find(sv, "old_style") != NULL);
		CHECK(lpb_symvers_find(sv, "not_there") == NULL);
		lpb_symvers_free(sv);
	}
	f = fopen(path("bad.symvers"), "w");
	fprintf(f, "0x1\tok\tvmlinux\tEXPORT_SYMBOL\ngarbage line\n");
	fclose(f);
	fprintf(stderr, "(an error about bad.symvers:2 is expected here)\n");
	CHECK(lpb_symvers_load(path("bad.symvers")) == NULL);
}

static void test_dwarf(void)
{
	char cmd[1024];
	struct lpb_type_query q[6] = {
		{ .type = "bug_entry", .member = "line" },
		{ .type = "jump_entry" },
		{ .type = "not_a_struct" },
		{ .type = "_ddebug", .member = "lineno" },
		{ .type = "_ddebug", .member = "flags" },
		{ .type = "alt_instr", .member = "replacementlen" },
	};
	FILE *f = fopen(path("types.c"), "w");

	fprintf(f, "struct bug_entry { int a; int b; unsigned short line; unsigned short flags; };\n"
		   "struct jump_entry { int code, target; long key; };\n"
		   "struct bug_entry be; struct jump_entry je;\n"
		   "struct _ddebug { const char *m, *f, *n, *fmt; unsigned int lineno:18;\n"
		   "  unsigned int class_id:6; unsigned int flags:8; long key; } dd;\n"
		   "typedef unsigned char u8;\n"
		   "struct alt_instr { int instr_offset, repl_offset; unsigned short cpuid;\n"
		   "  u8 instrlen; u8 replacementlen; } __attribute__((packed)) ai;\n");
	fclose(f);
	snprintf(cmd, sizeof(cmd), "gcc -g -c -o %s %s", path("types.o"), path("types.c"));
	CHECK(system(cmd) == 0);
	CHECK(lpb_dwarf_types(path("types.o"), q, 6) == 5);
	CHECK(q[0].size == 12 && q[0].offset == 8 && q[0].bit_size == -1 && q[0].member_size == 2);
	CHECK(q[1].member_size == -1);
	/* a member's size through its typedef */
	CHECK(q[5].size == 12 && q[5].offset == 11 && q[5].member_size == 1);
	CHECK(q[1].size == 16);
	CHECK(q[2].size == -1);
	/* bitfields: first bit from the start of the struct, width */
	CHECK(q[3].size == 48 && q[3].bit_offset == 256 && q[3].bit_size == 18 && q[3].offset == 32);
	CHECK(q[4].bit_offset == 280 && q[4].bit_size == 8);
	/* the same from DWARF 4, where GCC gives DW_AT_data_member_location + DW_AT_bit_offset */
	snprintf(cmd, sizeof(cmd), "gcc -gdwarf-4 -gstrict-dwarf -c -o %s %s", path("types4.o"),
		 path("types.c"));
	CHECK(system(cmd) == 0);
	CHECK(lpb_dwarf_types(path("types4.o"), q, 6) == 5);
	CHECK(q[3].bit_offset == 256 && q[3].bit_size == 18);
	CHECK(q[4].bit_offset == 280 && q[4].bit_size == 8);
}

/* Numbers __LINE__ gives each "int v_TAG = __LINE__;" of @text, through the
 * real preprocessor: "TAG=N" lines, in order. */
static char *preprocessed_lines(const char *name, const char *text)
{
	char cmd[1024], *buf = NULL;
	size_t cap = 0;
	FILE *f = fopen(path(name), "w");

	if (!f)
		return NULL;
	fputs(text, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd),
		 "gcc -E -P %s | sed -n 's/.*int v_\\([a-z0-9]*\\) = \\([0-9]*\\);.*/\\1=\\2/p'",
		 path(name));
	f = popen(cmd, "r");
	if (!f)
		return NULL;
	if (getdelim(&buf, &cap, 0, f) < 0) {
		free(buf);
		buf = NULL;
	}
	pclose(f);
	return buf;
}

static void test_line_pin(void)
{
	static const char orig[] =
		"#define W(x) x\n"			/* 1 */
		"int v_a = __LINE__;\n"			/* 2 */
		"/* a comment\n"			/* 3 */
		"   that goes on */\n"			/* 4 */
		"int v_b = __LINE__;\n"			/* 5 */
		"#if 0\n"				/* 6 */
		"int v_dead = __LINE__;\n"		/* 7 */
		"#endif\n"				/* 8 */
		"int v_c = __LINE__;\n"			/* 9 */
		"int f(int a,\n"			/* 10 */
		"      int b);\n"			/* 11 */
		"int v_d = W(__LINE__);\n"		/* 12 */
		"#define M \\\n"			/* 13 */
		"  1\n"					/* 14 */
		"int v_e = __LINE__;\n"			/* 15 */
		"int v_gone = __LINE__;\n"		/* 16 */
		"int v_f = __LINE__;\n";		/* 17 */
	static const char patched[] =
		"#define W(x) x\n"
		"\n"					/* added */
		"int v_a = __LINE__;\n"
		"/* a comment\n"
		"   added inside it\n"			/* added in a comment */
		"   that goes on */\n"
		"int v_b = __LINE__;\n"
		"#if 0\n"
		"int v_new0 = __LINE__;\n"		/* added in a skipped group */
		"int v_dead = __LINE__;\n"
		"#endif\n"
		"int v_c = __LINE__;\n"
		"int f(int a,\n"
		"      int z,\n"			/* added inside parentheses */
		"      int b);\n"
		"int v_d = W(__LINE__);\n"
		"#define M \\\n"
		"  2 + \\\n"				/* changed in a macro */
		"  1\n"
		"int v_e = __LINE__;\n"
		"int v_new = __LINE__;\n"		/* added, v_gone removed */
		"int v_f = __LINE__;\n";
	struct lpb_pin_stats st;
	char *out = NULL, *want, *got;
	size_t len;

	CHECK(lpb_line_pin(orig, strlen(orig), orig, strlen(orig), false, &out, &len, &st) == 0);
	CHECK(out && len == strlen(orig) && !memcmp(out, orig, len) && st.directives == 0);
	free(out);

	CHECK(lpb_line_pin(orig, strlen(orig), patched, strlen(patched), false, &out, &len, &st) == 0);
	CHECK(st.inserted == 6 && st.deleted == 1 && st.unchanged == 16);
	want = preprocessed_lines("pin-orig.c", orig);
	got = out ? preprocessed_lines("pin-out.c", out) : NULL;
	/* every unchanged line has its original number; new ones their own */
	CHECK(want && !strcmp(want, "a=2\nb=5\nc=9\nd=12\ne=15\ngone=16\nf=17\n"));
	CHECK(got && !strcmp(got, "a=2\nb=5\nc=9\nd=12\ne=15\nnew=21\nf=17\n"));
	if (got && strcmp(got, "a=2\nb=5\nc=9\nd=12\ne=15\nnew=21\nf=17\n"))
		fprintf(stderr, "pinned:\n%s\n--- gives\n%s", out, got);
	/* the lines between a change and the next place a directive may go:
	 * the comment's end, a parameter, a macro's last line */
	CHECK(st.unpinned == 3 && st.first_unpinned == 6);
	free(want);
	free(got);
	free(out);

	/* no trailing newline, nothing in common */
	CHECK(lpb_line_pin("a\nb", 3, "c", 1, false, &out, &len, &st) == 0);
	CHECK(out && len == 1 && out[0] == 'c' && st.inserted == 1 && st.deleted == 2);
	free(out);
	CHECK(lpb_line_pin("", 0, "", 0, false, &out, &len, &st) == 0 && out && len == 0);
	free(out);
}

static struct lpb_ksyms *check_object(void *ctx, const char *objname)
{
	return strcmp(objname, "vmlinux") ? NULL : ctx;
}

/* A module with one livepatch or undefined symbol @name: can it load? */
static int klp_check_one(struct lpb_ksyms *ks, const struct lpb_symvers *sv, const char *name,
			 bool klp)
{
	static const char *const objects[] = { "vmlinux" };
	struct lpb_klp_check_target t = { check_object, ks, sv, objects, 1 };
	struct lpb_klp_check_stats st;
	struct lpb_elf *e = lpb_elf_new("module", NULL);
	struct lpb_section *text = lpb_elf_add_section(e, ".text", SHT_PROGBITS,
						       SHF_ALLOC | SHF_EXECINSTR, 16, 0, NULL, 16);

	lpb_elf_add_symbol(e, "lpb_new_fn", STB_GLOBAL, STT_FUNC, text, 0, 16);
	if (klp)
		lpb_elf_add_symbol_shndx(e, name, STB_GLOBAL, STT_NOTYPE, SHN_LIVEPATCH, 0, 0);
	else
		lpb_elf_add_symbol(e, name, STB_GLOBAL, STT_NOTYPE, NULL, 0, 0);
	CHECK(!lpb_elf_write(e, path("klp-module.ko")));
	lpb_elf_free(e);
	return lpb_klp_check(path("klp-module.ko"), &t, &st);
}

/* The target's modules for klp_check_export(): "ceph" (whose .modinfo
 * says what it depends on) and "libceph" (which defines ceph_export). */
struct export_targets {
	struct lpb_ksyms *ceph, *libceph;
};

static struct lpb_ksyms *export_object(void *ctx, const char *objname)
{
	struct export_targets *x = ctx;

	return !strcmp(objname, "ceph") ? x->ceph : !strcmp(objname, "libceph") ? x->libceph : NULL;
}

static struct lpb_ksyms *target_module(const char *name, const char *modinfo, size_t len)
{
	struct lpb_elf *e = lpb_elf_new(name, NULL);
	struct lpb_section *text = lpb_elf_add_section(e, ".text", SHT_PROGBITS,
						       SHF_ALLOC | SHF_EXECINSTR, 16, 0, NULL, 16);

	lpb_elf_add_section(e, ".modinfo", SHT_PROGBITS, SHF_ALLOC, 1, 0, modinfo, len);
	lpb_elf_add_symbol(e, "ceph_export", STB_GLOBAL, STT_FUNC, text, 0, 16);
	return lpb_ksyms_from_elf(e, true);
}

/*
 * A livepatch of module ceph whose code calls an export of libceph: the
 * relocation is resolved in libceph, which the kernel has loaded first only
 * when ceph depends on it (@modinfo of ceph). Read back from the file, as
 * lp-build does (relocations loaded lazily).
 */
static int klp_check_export(const char *modinfo, size_t len)
{
	static const char *const objects[] = { "vmlinux", "ceph" };
	struct export_targets x = { target_module("ceph", modinfo, len),
				    target_module("libceph", "", 1) };
	struct lpb_klp_check_target t = { export_object, &x, NULL, objects, 2 };
	struct lpb_klp_check_stats st;
	struct lpb_elf *e = lpb_elf_new("module", NULL);
	struct lpb_section *text = lpb_elf_add_section(e, ".text.ceph_fn", SHT_PROGBITS,
						       SHF_ALLOC | SHF_EXECINSTR, 16, 0, NULL, 16);
	struct lpb_section *rela = lpb_elf_add_rela_section(e, text, ".klp.rela.ceph..text.ceph_fn",
							    SHF_ALLOC | SHF_RELA_LIVEPATCH);
	struct lpb_symbol *sym;
	int ret;

	lpb_elf_add_symbol(e, "ceph_fn", STB_GLOBAL, STT_FUNC, text, 0, 16);
	sym = lpb_elf_add_symbol_shndx(e, ".klp.sym.libceph.ceph_export,0", STB_GLOBAL,
				       STT_NOTYPE, SHN_LIVEPATCH, 0, 0);
	CHECK(rela && sym && !lpb_reloc_add(rela, 4, R_X86_64_PLT32, sym, -4));
	CHECK(!lpb_elf_write(e, path("klp-export.ko")));
	lpb_elf_free(e);
	ret = lpb_klp_check(path("klp-export.ko"), &t, &st);
	lpb_ksyms_free(x.ceph);
	lpb_ksyms_free(x.libceph);
	return ret;
}

static void test_klp_check_export(void)
{
	static const char deps[] = "license=GPL\0depends=fscache,libceph,netfs\0";
	static const char other[] = "license=GPL\0depends=fscache,netfs\0";

	CHECK(klp_check_export(deps, sizeof(deps)) == 0);
	fprintf(stderr, "(an error about libceph, which ceph does not depend on, is expected here)\n");
	CHECK(klp_check_export(other, sizeof(other)) == 1);
}

static void test_klp_check(void)
{
	struct lpb_elf *e = make_parent();
	struct lpb_symvers *sv;
	struct lpb_ksyms *ks;
	FILE *f = fopen(path("check.symvers"), "w");

	fputs("0x12345678\tprintk\tvmlinux\tEXPORT_SYMBOL\t\n", f);
	fclose(f);
	sv = lpb_symvers_load(path("check.symvers"));
	e->ehdr.e_type = ET_EXEC;
	ks = lpb_ksyms_from_elf(e, true);
	CHECK(ks && sv);
	fprintf(stderr, "(five errors about modules that would not load are expected here)\n");
	/* three "show" in the target: positions 1..3 resolve, 0 and 4 do not */
	CHECK(klp_check_one(ks, sv, ".klp.sym.vmlinux.show,2", true) == 0);
	CHECK(klp_check_one(ks, sv, ".klp.sym.vmlinux.show,3", true) == 0);
	CHECK(klp_check_one(ks, sv, ".klp.sym.vmlinux.show,0", true) == 1);
	CHECK(klp_check_one(ks, sv, ".klp.sym.vmlinux.show,4", true) == 1);
	CHECK(klp_check_one(ks, sv, ".klp.sym.vmlinux.unique_global,0", true) == 0);
	/* a global the patch meant to add but did not: "symbol not found" */
	CHECK(klp_check_one(ks, sv, ".klp.sym.vmlinux.lpb_new_helper,0", true) == 1);
	/* an object the patch has no klp_object for */
	CHECK(klp_check_one(ks, sv, ".klp.sym.xfs.xfs_foo,0", true) == 1);
	/* undefined symbols: only exports resolve */
	CHECK(klp_check_one(ks, sv, "printk", false) == 0);
	CHECK(klp_check_one(ks, sv, "unique_global", false) == 1);
	lpb_ksyms_free(ks);
	lpb_symvers_free(sv);
}

static const struct lpb_layout_member *member(const struct lpb_layout *l, const char *path)
{
	for (size_t i = 0; l && i < l->nr_members; i++)
		if (!strcmp(l->members[i].path, path))
			return &l->members[i];
	return NULL;
}

/* layouts reached from a function: through parameters, pointers, members,
 * a variable; anonymous members spelled out; typedefs dropped from types */
static void test_layouts_of(const char *obj)
{
	const char *funcs[] = { "use" }, *vars[] = { "global_state" };
	const char *types[] = { "struct leaf", "refs_t", "struct nothing" };
	struct lpb_layout_query q = { .funcs = funcs, .nr_funcs = 1, .vars = vars, .nr_vars = 1,
				      .follow = true };
	struct lpb_layout_query byname = { .types = types, .nr_types = 3 };
	struct lpb_layout_set s = { 0 }, t = { 0 };
	const struct lpb_layout *top, *leaf, *state, *unused;
	const struct lpb_layout_member *m;

	CHECK(lpb_dwarf_layouts(obj, &q, &s) == 0);
	top = lpb_layout_find(&s, "struct top");
	leaf = lpb_layout_find(&s, "struct leaf");
	state = lpb_layout_find(&s, "struct state");
	unused = lpb_layout_find(&s, "struct unused");
	CHECK(top && leaf && state && unused);
	/* an anonymous struct embedded through its typedef is spelled out in
	 * place, not listed on its own */
	CHECK(!lpb_layout_find(&s, "refs_t"));
	CHECK(unused && unused->via && !strcmp(unused->via, "struct state"));
	CHECK(top && top->size == 48 && top->nr_users == 1 && !strcmp(top->users[0], "use"));
	/* reached only through a pointer member of struct top */
	CHECK(leaf && leaf->nr_users == 0 && leaf->via && !strcmp(leaf->via, "struct top"));
	CHECK(state && state->nr_users == 1 && !strcmp(state->users[0], "global_state"));
	m = member(top, "len");
	CHECK(m && m->offset == 0 && m->size == 4 && !strcmp(m->type, "unsigned int"));
	m = member(top, "sport"); /* anonymous struct in an anonymous union */
	CHECK(m && m->offset == 6 && m->size == 2);
	m = member(top, "u.raw"); /* a member of an unnamed union type */
	CHECK(m && m->offset == 8);
	m = member(top, "mode");
	CHECK(m && m->bit_offset == 96 && m->bit_size == 3 && m->offset == 12);
	m = member(top, "leaf");
	CHECK(m && m->offset == 16 && !strcmp(m->type, "struct leaf *"));
	m = member(top, "names");
	CHECK(m && m->size == 16 && !strcmp(m->type, "char [2][8]"));
	m = member(top, "r.counter"); /* an anonymous struct named by a typedef */
	CHECK(m && m->offset == 40);
	lpb_layout_set_free(&s);
	/* by name, not followed */
	CHECK(lpb_dwarf_layouts(obj, &byname, &t) == 0);
	CHECK(t.nr == 2 && lpb_layout_find(&t, "struct leaf") && lpb_layout_find(&t, "refs_t"));
	m = member(lpb_layout_find(&t, "struct leaf"), "y");
	CHECK(m && m->offset == 8 && !strcmp(m->type, "long int"));
	lpb_layout_set_free(&t);
}

static void test_layouts(void)
{
	char cmd[1024];
	FILE *f = fopen(path("layouts.c"), "w");

	fprintf(f, "typedef unsigned int len_t;\n"
		   "typedef struct { int counter; } refs_t;\n"
		   "struct leaf { long x, y; };\n"
		   "struct unused { int z; };\n"
		   "struct state { long hits; struct unused *never_followed_from_here; };\n"
		   "struct top {\n"
		   "  len_t len;\n"
		   "  union { struct { unsigned short dport, sport; }; unsigned int both; };\n"
		   "  union { unsigned int raw; } u;\n"
		   "  unsigned int mode:3, prio:4;\n"
		   "  struct leaf *leaf;\n"
		   "  char names[2][8];\n"
		   "  refs_t r;\n"
		   "};\n"
		   "struct state global_state;\n"
		   "int use(struct top *t) { global_state.hits++; return t->len + t->leaf->y; }\n");
	fclose(f);
	/* -ffunction-sections: relocations against several sections */
	snprintf(cmd, sizeof(cmd), "gcc -O2 -g -ffunction-sections -c -o %s %s", path("layouts.o"),
		 path("layouts.c"));
	CHECK(system(cmd) == 0);
	test_layouts_of(path("layouts.o"));
	snprintf(cmd, sizeof(cmd), "gcc -O2 -gdwarf-4 -gstrict-dwarf -c -o %s %s", path("layouts4.o"),
		 path("layouts.c"));
	CHECK(system(cmd) == 0);
	test_layouts_of(path("layouts4.o"));
	CHECK(lpb_dwarf_layouts(path("layouts.c"), &(struct lpb_layout_query){ 0 },
				&(struct lpb_layout_set){ 0 }) < 0);
}

int main(int argc, char **argv)
{
	work = argc > 1 ? argv[1] : "/tmp/lpb-lib-test";
	mkdir(work, 0755);
	test_build_write_read();
	test_edit_in_place();
	test_many_symbols();
	test_ksyms();
	test_symvers();
	test_dwarf();
	test_line_pin();
	test_klp_check();
	test_klp_check_export();
	test_layouts();
	printf("lib tests: %d checks, %d failed\n", checks, failures);
	return failures ? 1 : 0;
}
