/* SPDX-License-Identifier: GPL-2.0-only */
/* Lets patches written for kpatch build unchanged with lp-build: the kpatch
 * callback macro names map onto lp-build's own (see lpb-patch.h). */
#ifndef LPB_KPATCH_MACROS_H
#define LPB_KPATCH_MACROS_H

#include "lpb-patch.h"

/* kpatch's callbacks receive the patched object under this name. */
typedef struct klp_object patch_object;

#define KPATCH_PRE_PATCH_CALLBACK(fn) LPB_PRE_PATCH_CALLBACK(fn)
#define KPATCH_POST_PATCH_CALLBACK(fn) LPB_POST_PATCH_CALLBACK(fn)
#define KPATCH_PRE_UNPATCH_CALLBACK(fn) LPB_PRE_UNPATCH_CALLBACK(fn)
#define KPATCH_POST_UNPATCH_CALLBACK(fn) LPB_POST_UNPATCH_CALLBACK(fn)

/* kpatch's escape hatches bypass its safety checks; lp-build has no
 * equivalent, so a patch using them fails to build with a clear reason. */
#define KPATCH_IGNORE_SECTION(_sec) \
	_Static_assert(0, "lp-build does not support KPATCH_IGNORE_SECTION")
#define KPATCH_IGNORE_FUNCTION(_fn) \
	_Static_assert(0, "lp-build does not support KPATCH_IGNORE_FUNCTION")
#define KPATCH_FORCE_UNSAFE(_fn) \
	_Static_assert(0, "lp-build does not support KPATCH_FORCE_UNSAFE")

#endif /* LPB_KPATCH_MACROS_H */
