/* SPDX-License-Identifier: GPL-2.0-only */
/* The translation units a kernel binary was built from, read from the names
 * of its DWARF compile units: which sources a configuration really compiles. */
#ifndef LPB_DWARF_CUS_H
#define LPB_DWARF_CUS_H

#include <elfutils/libdw.h>

/*
 * Call @fn with the unit DIE and the name of every compile unit of @path
 * (vmlinux or a .ko) that has a name; only unit headers and unit DIEs are
 * read unless @fn reads further. Stops early when @fn returns non-zero and
 * returns that value. Returns 0, -ENODATA when @path has no DWARF, or
 * another negative errno + message.
 */
int lpb_dwarf_each_cu(const char *path, int (*fn)(Dwarf_Die *cu, const char *name, void *arg),
		      void *arg);

/*
 * Call @fn with the name of every compile unit of @path (vmlinux or a .ko),
 * as the compiler recorded it (absolute for O= builds, else relative).
 * Stops early when @fn returns non-zero and returns that value. Returns 0,
 * -ENODATA when @path has no DWARF, or another negative errno + message.
 */
int lpb_dwarf_cu_names(const char *path, int (*fn)(const char *name, void *arg), void *arg);

#endif /* LPB_DWARF_CUS_H */
