/* SPDX-License-Identifier: GPL-2.0-only */
/* Functions defined in headers and the compile units holding their code,
 * from DWARF: which units a changed static inline can have changed. */
#ifndef LPB_DWARF_FUNCS_H
#define LPB_DWARF_FUNCS_H

struct lpb_dwarf_func {
	const char *cu; /* the compile unit's name, as the compiler recorded it */
	const char *file; /* where the function is declared (a header) */
	int line; /* DW_AT_decl_line: the line of its name */
	const char *name;
};

/*
 * Call @fn for every function of @path (vmlinux or a .ko) that is declared
 * in a header (a name ending in ".h") and has code, or had it, in a compile
 * unit: an abstract instance (inlined there, even where the inlined body
 * folded away) or an out-of-line copy, once per unit. Declarations are
 * not reported. Stops when @fn returns non-zero and returns that value.
 * Returns 0, -ENODATA when @path has no DWARF, or another negative errno.
 */
int lpb_dwarf_header_funcs(const char *path, int (*fn)(const struct lpb_dwarf_func *f, void *arg),
			   void *arg);

#endif /* LPB_DWARF_FUNCS_H */
