/* SPDX-License-Identifier: GPL-2.0-only */
/* The layouts of structs and unions (size, members, offsets, bitfields,
 * member types) that functions and variables reach, read from DWARF. */
#ifndef LPB_DWARF_LAYOUT_H
#define LPB_DWARF_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hash.h"

struct lpb_layout_member {
	char *path; /* "len"; "u.len" inside a member of an unnamed type; an
		     * anonymous struct/union's members are the parent's */
	int64_t offset; /* bytes from the start of the type */
	int64_t bit_offset; /* a bitfield's first bit from the start of the
			     * type (byte j, bit k is j * 8 + k), else -1 */
	int64_t bit_size; /* a bitfield's width, else -1 */
	int64_t size; /* bytes of the member's type, -1 if unknown */
	char *type; /* the member's type without typedefs and qualifiers:
		     * "unsigned int", "struct foo *", "char [16]" */
};

struct lpb_layout {
	char *name; /* "struct foo", "union bar", or the typedef naming an
		     * anonymous struct ("atomic_t") */
	int64_t size;
	struct lpb_layout_member *members;
	size_t nr_members;
	char **users; /* roots whose own DWARF names the type */
	size_t nr_users;
	char *via; /* the first type it was reached through (NULL: a root's) */
	struct lpb_hnode node; /* by name */
};

struct lpb_layout_set {
	struct lpb_layout **v;
	size_t nr, cap;
	struct lpb_hash names;
	/* the strings and layouts live in blocks freed together: a large
	 * object has thousands of members */
	void **blocks;
	size_t nr_blocks;
	char *cur; /* free space of the last block */
	size_t left;
};

struct lpb_layout_query {
	const char *const *funcs; /* functions by DWARF name (foo for foo.isra.0) */
	size_t nr_funcs;
	const char *const *vars; /* file-scope variables by name */
	size_t nr_vars;
	const char *const *types; /* layouts wanted by name, not followed */
	size_t nr_types;
	bool follow; /* also every type the members reach, through pointers */
};

/*
 * Read from the DWARF of @path (relocations applied) the layouts of the
 * types that the query's functions (parameters, locals, return types, those
 * of the functions inlined into them) and variables use, and of the types
 * named in it; with @follow, transitively through members and pointers.
 * One pass over the object. Returns 0, -ENODATA when @path has no DWARF, or
 * another negative errno after a message.
 */
int lpb_dwarf_layouts(const char *path, const struct lpb_layout_query *q,
		      struct lpb_layout_set *out);
struct lpb_layout *lpb_layout_find(const struct lpb_layout_set *s, const char *name);
void lpb_layout_set_free(struct lpb_layout_set *s);

#endif /* LPB_DWARF_LAYOUT_H */
