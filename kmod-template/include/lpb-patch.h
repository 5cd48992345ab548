/* SPDX-License-Identifier: GPL-2.0-only */
/* For patch authors: include from a patched source file to declare livepatch
 * callbacks; shadow variables come with <linux/livepatch.h> (klp_shadow_*). */
#ifndef LPB_PATCH_H
#define LPB_PATCH_H

#include <linux/compiler.h>
#include <linux/livepatch.h>

/*
 * A callback runs when the object this source file belongs to (vmlinux, or
 * the module it is built into) is patched or unpatched, including when that
 * module loads after the livepatch. A failing pre-patch callback (non-zero
 * return) refuses the patch for that object. One callback of each kind per
 * object. lp-build collects the pointers these macros leave in .lpb.cb.*.
 */
typedef int (*lpb_pre_patch_fn)(struct klp_object *obj);
typedef void (*lpb_obj_fn)(struct klp_object *obj);

#define __LPB_CALLBACK(kind, type, fn)                                              \
	static type __lpb_cb_##kind __used __section(".lpb.cb." #kind) = (fn)

#define LPB_PRE_PATCH_CALLBACK(fn) __LPB_CALLBACK(pre_patch, lpb_pre_patch_fn, fn)
#define LPB_POST_PATCH_CALLBACK(fn) __LPB_CALLBACK(post_patch, lpb_obj_fn, fn)
#define LPB_PRE_UNPATCH_CALLBACK(fn) __LPB_CALLBACK(pre_unpatch, lpb_obj_fn, fn)
#define LPB_POST_UNPATCH_CALLBACK(fn) __LPB_CALLBACK(post_unpatch, lpb_obj_fn, fn)

#endif /* LPB_PATCH_H */
