/* SPDX-License-Identifier: GPL-2.0-only */
/* The pre-flight byte comparison: every function about to be replaced must
 * have the same bytes in our freshly compiled original object as in the
 * target (relocated fields masked), or the tree does not match the kernel. */
#ifndef LPB_BUILD_PREFLIGHT_H
#define LPB_BUILD_PREFLIGHT_H

#include <stddef.h>

#include "ksyms.h"
#include "lpb-meta-read.h"
#include "util.h"

struct preflight_stats {
	size_t functions; /* functions compared */
	size_t bytes; /* bytes compared */
	size_t padding_sites; /* alignment padding of another length in the target */
	size_t resized_branches; /* branches inside a function in another size there */
};

/*
 * Compare each function of @meta (the diff object's .lpb.funcs) whose
 * object is @objname with the original object @orig_path and the target's
 * symbol table @parent (vmlinux or the module's .ko). Returns 0 when all match,
 * 1 on a mismatch (the message names the function and where it differs),
 * -1 on other errors.
 */
int preflight_compare(const struct lpb_meta *meta, const char *objname, const char *orig_path,
		      struct lpb_ksyms *parent, struct preflight_stats *st);

#endif /* LPB_BUILD_PREFLIGHT_H */
