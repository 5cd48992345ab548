/* SPDX-License-Identifier: GPL-2.0-only */
/* Symbol table of a livepatch target (vmlinux or a module): FILE-block
 * matching to find an object's local symbols, and klp sympos computation. */
#ifndef LPB_KSYMS_H
#define LPB_KSYMS_H

#include <stdbool.h>

#include "lpb-elf.h"

/*
 * sympos follows the kernel's klp_find_object_symbol(): the 1-based position
 * of a symbol among the symbols of the same name in the object, in kallsyms
 * order, or 0 when the name is unique there. kallsyms order is address order
 * for vmlinux (ET_EXEC) and symbol-table order for a module (ET_REL .ko);
 * only defined, allocated FUNC/OBJECT/NOTYPE symbols take part.
 */
struct lpb_ksyms;

/* FILE block of the target matched for one object (see lpb_ksyms_match). */
struct lpb_kblock {
	const struct lpb_symbol *file; /* the FILE symbol opening the block */
	unsigned int matched; /* object locals found in the block */
	unsigned int wanted; /* object locals looked for */
};

/* Load @path (vmlinux, a .ko or any ELF with a symbol table). */
struct lpb_ksyms *lpb_ksyms_load(const char *path);
/* Use an already opened model; @own: free it with the table. */
struct lpb_ksyms *lpb_ksyms_from_elf(struct lpb_elf *elf, bool own);
void lpb_ksyms_free(struct lpb_ksyms *ks);
struct lpb_elf *lpb_ksyms_elf(const struct lpb_ksyms *ks);

/* Whether @sym (a symbol of the target) takes part in sympos counting. */
bool lpb_ksyms_counts(const struct lpb_ksyms *ks, const struct lpb_symbol *sym);
/* How many counted symbols are named @name. */
unsigned int lpb_ksyms_count(const struct lpb_ksyms *ks, const char *name);
/* sympos of @sym (a counted symbol of the target), 0 if its name is unique. */
unsigned int lpb_ksyms_sympos(const struct lpb_ksyms *ks,
			      const struct lpb_symbol *sym);

/*
 * Find the FILE block of the target that holds the locals of one object.
 * @names are the object's local FUNC/OBJECT names, @basename its FILE symbol
 * (may be NULL). The block with most of @names wins; a tie is broken by the
 * basename and then by the block having no extra locals; a remaining tie or
 * no match at all fails with a message (-ENOENT / -EEXIST). The set decides,
 * not the basename: FILE symbols are basenames and several files share one.
 */
int lpb_ksyms_match(const struct lpb_ksyms *ks, const char *objpath,
		    const char *basename, const char *const *names, size_t nr,
		    struct lpb_kblock *out);

/* The local of that name in @blk, or NULL. */
const struct lpb_symbol *lpb_ksyms_find_local(const struct lpb_ksyms *ks,
					      const struct lpb_kblock *blk,
					      const char *name);
/* The counted non-local symbol of that name, or NULL. */
const struct lpb_symbol *lpb_ksyms_find_global(const struct lpb_ksyms *ks,
					       const char *name);

#endif /* LPB_KSYMS_H */
