/* SPDX-License-Identifier: GPL-2.0-only */
/* create-diff-object: the context shared by the steps of the pipeline
 * (correlate, compare, include, classify, special sections, output, report). */
#ifndef CDO_H
#define CDO_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "ksyms.h"
#include "lpb-elf.h"
#include "symvers.h"

enum cdo_status {
	CDO_SAME = 0,
	CDO_CHANGED,
	CDO_NEW,
};

/* What a section is for the diff (decides compare / include / copy). */
enum cdo_kind {
	K_NONE = 0, /* headers, symbol/string tables, relocations */
	K_TEXT, /* code */
	K_DATA, /* allocated data: .data/.rodata/.bss and friends */
	K_STRINGS, /* SHF_MERGE|SHF_STRINGS: string literals, no symbols */
	K_CONST, /* SHF_MERGE constants (.rodata.cst16...) */
	K_SPECIAL, /* per-call-site tables filtered to included functions */
	K_CALLBACK, /* .lpb.cb.*: callback declarations */
	K_DROP, /* never output: .discard.*, .comment, .note.*, debug info */
	K_UNSUPPORTED, /* kernel tables a livepatch cannot add to */
};

struct cdo_special; /* special.c */
struct cdo_frags; /* fragment.c */

/* per-section state (sec->priv), for both objects */
struct cdo_sec {
	struct lpb_section *twin;
	enum cdo_kind kind;
	enum cdo_status status;
	const struct cdo_special *special;
	struct lpb_symbol *owner; /* the one FUNC/OBJECT covering the section */
	bool anon; /* allocated, no FUNC/OBJECT symbols, not strings/special */
	bool include; /* PATCHED: copied into the output */
	bool site; /* PATCHED: per-call-site data a kept table entry points at */
	const char *why; /* PATCHED: name of what pulled it in */
	struct lpb_section *out; /* PATCHED: the copy in the output */
	struct cdo_frags *frags; /* fragment.c: a section of fragments (lazy) */
	struct lpb_reloc **sorted; /* relocations sorted by offset (lazy) */
	size_t nr_sorted;
};

/* per-symbol state (sym->priv), for both objects */
struct cdo_sym {
	struct lpb_symbol *twin;
	enum cdo_status status;
	bool line_only; /* PATCHED: differs from its twin only by __LINE__ */
	/* PATCHED: changed only because string literals it uses differ in
	 * digits ("fs/dcache.c:2889" -> ":2890": a line number in a string);
	 * the first such pair, pointing into the objects' string sections */
	const char *line_string_old, *line_string_new;
	bool changed_by_child; /* PATCHED: a .cold/.part child or owned table changed */
	bool via_callers; /* PATCHED: changed, not redirectable (no __fentry__),
			   * only called: copied privately, its callers are patched */
	struct lpb_symbol *cause; /* PATCHED: the changed constant it changed
				   * through (const-data.c) */
	struct lpb_symbol *parent; /* .cold/.part child: its parent function */
	struct lpb_symbol *alias; /* another name of its section's owner (same
				   * address and size): patched through the owner */
	bool cold; /* a .cold child (always copied with its parent) */
	/* function padding (CONFIG_CALL_PADDING): the function this symbol is
	 * the prefix of (objtool's __pfx_<name>, clang's __cfi_<name>), and
	 * for a function, the padding bytes before it at the start of its
	 * section (in the profile's words: its prefix area) */
	struct lpb_symbol *prefix_of;
	uint32_t pad;
	bool patch; /* PATCHED: gets a .lpb.funcs entry */
	bool include; /* PATCHED: copied (through its section) */
	struct lpb_symbol *out; /* PATCHED: the copy in the output */
	char *norm; /* name without GCC's numeric suffixes */
	bool numbered; /* a numbered static (count.3, __key.12, __UNIQUE_ID_x7) */
	int64_t sympos; /* ORIG: cached sympos, -1 until resolved */
};

enum cdo_ref_kind {
	REF_EXPORTED, /* an ordinary relocation, resolved against the exports */
	REF_KLP, /* a livepatch relocation into the running kernel */
	REF_PATCH, /* an ordinary relocation to a global that is in neither the
		    * target nor its exports: another file of the same patch
		    * adds it (lp-build checks, before writing the module, that
		    * one does) */
};

struct cdo_klp {
	const char *section; /* output section being relocated */
	struct lpb_section *out_sec;
	uint64_t offset;
	uint32_t type;
	int64_t addend;
	const char *symbol;
	const char *sym_obj; /* the module exporting it, or NULL: the target's */
	unsigned int sympos;
	const char *from; /* the included item holding the reference */
};

struct cdo_refusal {
	char *symbol;
	char *reason;
	char *advice;
};

struct cdo_note {
	char *name;
	char *detail;
};

/* a changed constant copied for the functions using it (const-data.c) */
struct cdo_copied {
	char *name;
	char *users; /* space-separated functions and constants naming it */
	char *root; /* the changed constant it points at, or NULL */
};

/* a struct/union whose layout differs, used by the patched code (layout.c) */
struct cdo_layout_change {
	char *type; /* "struct foo" */
	char *changes; /* what differs, in words */
	char *users; /* the functions using it */
	bool allowed; /* --allow-layout-change */
};

struct cdo_list {
	void *v;
	size_t nr, cap, elem;
};

struct cdo_opts {
	const char *orig, *patched, *out;
	const char *parent, *parent_name, *symvers, *json;
	const char *unit_name; /* --unit-name: the source file, names callback aliases */
	struct cdo_entsize {
		const char *section;
		uint64_t size;
	} entsizes[32];
	size_t nr_entsizes;
	const char *allow_layout[64]; /* --allow-layout-change TYPE */
	size_t nr_allow_layout;
	const char *allow_ran_once[64]; /* --allow-ran-once FUNC */
	size_t nr_allow_ran_once;
	bool require_dwarf; /* --require-dwarf: no DWARF is a refusal */
	int verbose;
};

struct cdo {
	const struct cdo_opts *opts;
	const char *objname; /* "vmlinux" or the module name */
	struct lpb_elf *orig, *patched, *out;
	struct lpb_ksyms *parent;
	struct lpb_symvers *symvers;
	struct lpb_kblock block; /* FILE block of ORIG in the parent */
	bool block_done, block_ok;
	bool no_ffs; /* an object without -ffunction-sections */
	bool layouts_unchecked; /* no DWARF: struct layouts not compared */

	struct cdo_list refusals; /* struct cdo_refusal */
	struct cdo_list ignored; /* struct cdo_note: line-number-only changes */
	struct cdo_list included; /* struct cdo_note: item + why */
	struct cdo_list klps; /* struct cdo_klp */
	struct cdo_list exported; /* char *: names of exported references */
	struct cdo_list from_patch; /* char *: references of kind REF_PATCH */
	struct cdo_list callbacks; /* struct cdo_note: kind + function */
	struct cdo_list removed; /* char *: ORIG functions gone in PATCHED */
	struct cdo_list modinfo; /* struct cdo_note: .modinfo entry + "added"/"removed",
				  * left as built */
	struct cdo_list frozen; /* struct cdo_note: function + dynamic debug
				 * descriptor whose jump label was left out */
	struct cdo_list copied; /* struct cdo_copied: changed constants copied */
	struct cdo_list layouts; /* struct cdo_layout_change */
	struct cdo_list ran_once; /* struct cdo_note: function + what ran it,
				   * built under --allow-ran-once */

	struct cdo_tables *tables; /* special.c: per-object table indexes */
	struct cdo_list line_bits; /* line-data.c: struct cdo_line_bits, line members of data */
	struct cdo_list members; /* special.c: struct cdo_member, sizes and members
				  * of table structs from DWARF */
	struct cdo_list strings; /* output.c: .lpb.strings being built */
	struct lpb_section *strings_sec; /* output.c: .lpb.strings, created before
					  * the entries pointing into it, filled last */
};

static inline struct cdo_sec *S(const struct lpb_section *sec)
{
	return sec->priv;
}

static inline struct cdo_sym *Y(const struct lpb_symbol *sym)
{
	return sym->priv;
}

/* util.c */
void *cdo_push(struct cdo_list *l, size_t elem);
void cdo_list_free(struct cdo_list *l, void (*fn)(void *));
char *cdo_strdup(const char *s);
char *cdo_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cdo_refuse(struct cdo *c, const char *symbol, const char *advice,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void cdo_verbose(const struct cdo *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* -vv: why a comparison found a difference */
void cdo_debug(const struct cdo *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool cdo_is_pcrel(uint32_t type);
/* Distance from a PC-relative field of code section @sec to the end of its
 * instruction (4, plus the immediate after a RIP-relative displacement):
 * the field's target is addend + this. */
int64_t cdo_pcrel_bias(const struct lpb_section *sec, const struct lpb_reloc *r);
const char *cdo_reloc_name(uint32_t type);
struct lpb_reloc **cdo_sec_relocs(struct lpb_section *sec, size_t *nr);
/* relocations of @sec whose offsets lie in [start, end) */
struct lpb_reloc **cdo_relocs_in(struct lpb_section *sec, uint64_t start,
				 uint64_t end, size_t *nr);
bool cdo_has_fentry(struct lpb_symbol *func);
/* The function whose code (or padding before it, named __pfx_ or not) is
 * at offset @at of code section @sec, or NULL. */
struct lpb_symbol *cdo_func_at(struct lpb_section *sec, int64_t at);
/* compare.c: whether two relocations (of @pf and @of) mean the same target:
 * paired symbols, same-named globals, or equal string/constant contents */
bool cdo_target_equal(struct lpb_section *pf, const struct lpb_reloc *rp,
		      struct lpb_section *of, const struct lpb_reloc *ro);
/* compare.c: whether [pstart, pstart+size) of @ps and [ostart, ...) of @os
 * differ in bytes or relocations (*bytes_only: only in bytes) */
bool cdo_range_differs(const struct cdo *c, struct lpb_section *ps, uint64_t pstart,
		       struct lpb_section *os, uint64_t ostart, uint64_t size,
		       bool *bytes_only);

/* pipeline.c: opens c->opts->orig and ->patched (and the parent, symvers),
 * runs the steps below and writes c->opts->out; returns an LPB_EXIT_* code.
 * cdo_free() releases everything cdo_run() built, even half-way. */
int cdo_run(struct cdo *c);
void cdo_free(struct cdo *c);

/* profile.c: the conventions the original object follows, detected */
struct cdo_profile {
	size_t functions; /* FUNC symbols, prefix symbols aside */
	uint32_t padding; /* bytes of padding before functions (CALL_PADDING) */
	size_t prefix_symbols; /* __pfx_<name> / __cfi_<name> (objtool --prefix) */
	size_t endbr; /* functions starting with ENDBR64 (IBT) */
	size_t fentry; /* functions with an ftrace call site */
	bool objtool; /* objtool's tables present (ORC, return sites...) */
	size_t fragments; /* .fixup fragments (5.10) */
	const char *exports; /* the export form seen, NULL if none */
	const char *dyndbg; /* the descriptor naming seen, NULL if none */
};
struct json_writer;
void cdo_profile(struct cdo *c, struct cdo_profile *p);
void cdo_profile_json(struct cdo *c, struct json_writer *w);
void cdo_profile_say(struct cdo *c);

/* correlate.c: pairing helpers shared with sites.c */
bool cdo_same_class(struct lpb_symbol *a, struct lpb_symbol *b);
void cdo_pair(struct lpb_symbol *o, struct lpb_symbol *p);
bool cdo_pairable(struct lpb_symbol *s);
/* sites.c: pr_debug() descriptors paired by module, function, file, format */
void cdo_pair_sites(struct cdo *c);

/* the pipeline, in order (each returns 0 or -errno after a message) */
int cdo_setup(struct cdo *c); /* correlate.c: states, kinds, resolution */
int cdo_correlate(struct cdo *c); /* correlate.c */
int cdo_compare(struct cdo *c); /* compare.c */
int cdo_check(struct cdo *c); /* include.c: refusals */
int cdo_include(struct cdo *c); /* include.c: closure */
int cdo_classify(struct cdo *c, struct lpb_symbol *target,
		 enum cdo_ref_kind *kind, const char **name, const char **sym_obj,
		 unsigned int *sympos); /* classify.c */
/* classify.c: a global of the target by name alone (neither object has it) */
int cdo_classify_global(struct cdo *c, const char *name, enum cdo_ref_kind *kind,
			const char **sym_obj, unsigned int *sympos);
/* classify.c: does the target (or Module.symvers) export @name? */
bool cdo_is_export(struct cdo *c, const char *name);
int cdo_resolve_sympos(struct cdo *c, struct lpb_symbol *orig_sym,
		       unsigned int *sympos); /* classify.c */
int cdo_check_layouts(struct cdo *c); /* layout.c: after the closure */
int cdo_check_ran_once(struct cdo *c); /* ran-once.c: after the closure */
int cdo_output(struct cdo *c); /* output.c */
int cdo_report(struct cdo *c, int exit_code, FILE *human); /* report.c */

/* special.c */
const struct cdo_special *cdo_special_lookup(const char *secname);
int cdo_special_entsize(struct cdo *c, struct lpb_section *sec, uint64_t *size);
/* The function whose code a table entry at [off, off+size) points into. */
struct lpb_symbol *cdo_entry_owner(struct lpb_section *sec, uint64_t off,
				   uint64_t size);
int cdo_compare_special(struct cdo *c, struct lpb_symbol *pf,
			struct lpb_symbol *of, bool *differs, bool *line_only);
int cdo_output_special(struct cdo *c);
void cdo_special_free(struct cdo *c);
/* Calls @fn for every relocation of every table entry owned by @func (a
 * PATCHED function), with the entry's table section. */
int cdo_special_visit(struct cdo *c, struct lpb_symbol *func,
		      int (*fn)(struct cdo *c, struct lpb_section *table,
				struct lpb_reloc *r, void *arg),
		      void *arg);
bool cdo_special_has_key(const struct cdo_special *d);
/* what uses a table's keys ("jump label"), and advice for a refused key */
const char *cdo_special_key_use(const struct cdo_special *d, const char **advice);
/* entries point at per-site structs, copied with the entries kept */
bool cdo_special_is_indirect(const struct cdo_special *d);
/* --print-entry-sizes: SECTION=N for every table struct in @elf's DWARF */
int cdo_print_entry_sizes(const char *elf, FILE *out);
/* const-data.c: one round of changes flowing from changed constants to
 * the code and constants reading them (true when something moved); the
 * refusals for constants the running kernel reaches otherwise, and the
 * notes for those copied; " (it uses the changed constant X)" or "". */
bool cdo_const_propagate(struct cdo *c);
int cdo_check_consts(struct cdo *c);
char *cdo_cause_text(struct lpb_symbol *s);
/* line-data.c: whether data objects @p (PATCHED) and @o (ORIG) differ only
 * in a line number member (dynamic debug descriptors after a line shift). */
bool cdo_data_line_only(struct cdo *c, struct lpb_symbol *p, struct lpb_symbol *o);
bool cdo_line_data_unlocated(struct cdo *c, struct lpb_symbol *p); /* line-data.c */
/* Whether @sec holds data objects with a line number (__dyndbg). */
bool cdo_is_line_data(const struct lpb_section *sec);

/* fragment.c: sections of code fragments without symbols, each entered
 * from one table entry (5.10's .fixup, from __ex_table) */
bool cdo_is_fragmented(const struct lpb_section *sec);
/* where relocation @r of section @from points in its target's section (the
 * addend, plus the PC-relative bias in code) */
int64_t cdo_reloc_target_off(const struct lpb_section *from, const struct lpb_reloc *r);
/* the fragment of @sec holding offset @at: [*start, *end) */
bool cdo_fragment(struct lpb_section *sec, uint64_t at, uint64_t *start, uint64_t *end);
/* whether the fragments two relocations (PATCHED's @rp of @pfrom, ORIG's @ro
 * of @ofrom) point into differ, in length, place or contents */
bool cdo_fragment_differs(const struct cdo *c, struct lpb_section *pfrom,
			  const struct lpb_reloc *rp, struct lpb_section *ofrom,
			  const struct lpb_reloc *ro);
/* marks the fragment holding @at copied; false if it already was */
bool cdo_fragment_include(struct lpb_section *sec, uint64_t at, uint64_t *start,
			  uint64_t *end);
bool cdo_fragment_included(struct lpb_section *sec, uint64_t at);
/* the output section and addend for a relocation @r (of @from) into a
 * copied fragment of @sec; -1 if that fragment was not copied */
int cdo_fragment_out(struct lpb_section *sec, const struct lpb_section *from,
		     const struct lpb_reloc *r, struct lpb_section **out, int64_t *addend);
size_t cdo_fragment_count(struct lpb_section *sec);
int cdo_output_fragments(struct cdo *c);
void cdo_fragments_free(struct lpb_elf *elf);

/* output.c: a relocation at @off of @out_sec to the target's global @name
 * (which must outlive the output), exported or a livepatch relocation */
int cdo_emit_named_reloc(struct cdo *c, struct lpb_section *out_sec, uint64_t off,
			 uint32_t type, int64_t addend, const char *name);
/* runtime-const.c: a kept entry @k of a runtime-constant table: the copied
 * code made to read the variable, or a refusal */
struct cdo_table;
int cdo_runtime_const(struct cdo *c, struct cdo_table *t, size_t k);

/* output.c: the relocation @r of an included PATCHED section, copied to
 * @out_sec at @off: an ordinary relocation, or a .lpb.relocs entry. */
int cdo_emit_reloc(struct cdo *c, struct lpb_section *from, struct lpb_section *out_sec,
		   uint64_t off, struct lpb_reloc *r);

#endif /* CDO_H */
