/* SPDX-License-Identifier: GPL-2.0-only */
/* The target's units holding the code of each function defined in a header
 * (inlined or out of line), from its DWARF, indexed once per target. */
#ifndef LPB_BUILD_INLINE_INDEX_H
#define LPB_BUILD_INLINE_INDEX_H

#include "hash.h"
#include "target-units.h"
#include "util.h"

struct ii_func {
	struct lpb_hnode node; /* by header and name */
	struct lpb_hnode hdr_node; /* by header */
	char *header; /* "include/linux/seq_file.h" */
	int line; /* of its name in the target's (original) header */
	char *name;
	unsigned int *units; /* ids of the units holding its code */
	size_t n, cap;
};

struct inline_index {
	struct lpb_hash funcs; /* struct ii_func by header and name */
	struct lpb_hash by_header; /* struct ii_func by header */
	struct strvec units; /* unit sources ("fs/ext4/super.c") by id */
	struct lpb_hash unit_ids;
	double build_seconds; /* time spent making the index in this run (0: read) */
	size_t bytes; /* size of the index files */
};

/*
 * Load the index of the target @tu describes (vmlinux, and the modules when
 * it has them), making it the first time with up to @jobs processes (a
 * distribution kernel's modules take most of it). 0, or -1 after a message.
 */
int inline_index_open(struct inline_index *ii, struct target_units *tu, int jobs);
void inline_index_free(struct inline_index *ii);

/* The functions of @header whose name is on a line in [first, last] of it,
 * into *@out (malloc'ed array); how many. */
size_t inline_index_lookup(const struct inline_index *ii, const char *header, int first,
			   int last, struct ii_func ***out);

#endif /* LPB_BUILD_INLINE_INDEX_H */
