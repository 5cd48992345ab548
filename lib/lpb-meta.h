/* SPDX-License-Identifier: GPL-2.0-only */
/* The metadata create-diff-object leaves in its output object for lp-build:
 * which functions to patch, which livepatch relocations to write, callbacks. */
#ifndef LPB_META_H
#define LPB_META_H

#include <stdint.h>

/*
 * All three sections are non-allocated (sh_flags 0), so they survive the
 * kbuild link of the livepatch module untouched (ld -r keeps their
 * relocations) and never reach kernel memory: lp-build's post-link step
 * reads them from the linked .ko, writes the real .klp.rela.* sections and
 * .klp.sym.* symbols, and then removes them.
 *
 * Fields holding an address are 0 in the file; the address is given by an
 * R_X86_64_64 relocation at that field in .rela<section>. Strings are
 * offsets into LPB_SEC_STRINGS (NUL-terminated), each also given by an
 * R_X86_64_32 relocation against that section: a module linked from several
 * diff objects has their string sections concatenated, and only the
 * relocation still points at the right string there.
 */
#define LPB_SEC_FUNCS ".lpb.funcs"
#define LPB_SEC_RELOCS ".lpb.relocs"
#define LPB_SEC_CALLBACKS ".lpb.callbacks"
#define LPB_SEC_STRINGS ".lpb.strings"

/* Prefix of the global alias create-diff-object gives every new function
 * body and callback, so the generated module source can name it:
 * "__lpb_new.<objname>.<old name>.<sympos>" and
 * "__lpb_cb.<objname>.<kind>.<unit>.<function>" (<unit>: the source file,
 * other characters than letters, digits, '_' and '.' made '_'). */
#define LPB_NEW_FUNC_PREFIX "__lpb_new."
#define LPB_CALLBACK_PREFIX "__lpb_cb."

/* One per function to patch, in LPB_SEC_FUNCS. */
struct lpb_func_meta {
	uint64_t new_func; /* relocation -> the alias of the new function */
	uint32_t old_name; /* name of the function in the running kernel */
	uint32_t objname; /* "vmlinux" or the module name (KBUILD_MODNAME) */
	uint32_t sympos; /* klp old_sympos: 0 when the name is unique in objname */
	uint32_t flags; /* reserved, 0 */
};

/* One per livepatch relocation, in LPB_SEC_RELOCS. */
struct lpb_reloc_meta {
	uint64_t place; /* relocation -> section being relocated + offset */
	int64_t addend; /* addend of the relocation to write */
	uint32_t type; /* R_X86_64_* type of the relocation to write */
	uint32_t sym_name; /* name of the target symbol in sym_objname */
	uint32_t objname; /* the object whose code is relocated: "vmlinux" or a module */
	uint32_t sympos; /* position among same-named symbols, 0 if unique */
	/* the object the symbol is in: objname, or the module that exports it
	 * (a module the relocated one depends on, so loaded before it) */
	uint32_t sym_objname;
};

enum lpb_callback_kind {
	LPB_CB_PRE_PATCH = 0,
	LPB_CB_POST_PATCH = 1,
	LPB_CB_PRE_UNPATCH = 2,
	LPB_CB_POST_UNPATCH = 3,
};

/*
 * What the callback macros of kmod-template/include/lpb-patch.h leave in
 * section LPB_CALLBACK_DECL_PREFIX<kind> of a patched object: one entry per
 * callback, its function (an R_X86_64_64 relocation, addend 0) and the
 * source line of the declaration, which orders the callbacks of one kind
 * within a file. The header spells the same layout in kernel C.
 */
#define LPB_CALLBACK_DECL_PREFIX ".lpb.cb."
struct lpb_callback_decl {
	uint64_t fn;
	uint64_t line;
};

/* One per callback, in LPB_SEC_CALLBACKS, in the order they run at patch
 * time: by kind, then by declaration line. */
struct lpb_callback_meta {
	uint64_t fn; /* relocation -> the alias of the callback function */
	uint32_t kind; /* enum lpb_callback_kind */
	uint32_t objname; /* object whose (un)patching runs the callback */
};

#endif /* LPB_META_H */
