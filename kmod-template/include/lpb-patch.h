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
 * return, a negative errno) refuses the patch for that object.
 *
 * Any number of callbacks of each kind, in any number of files: the patch
 * callbacks run in patch order (files in the order the patches name them,
 * then in declaration order), the unpatch callbacks in the reverse order.
 * When a pre-patch callback fails, the post-unpatch callbacks of the files
 * before it run (those files were set up) and the object is not patched;
 * the failing callback undoes its own work.
 *
 * Each declaration leaves { function, line } in .lpb.cb.<kind>, which
 * create-diff-object reads (struct lpb_callback_decl in lp-build's
 * lib/lpb-meta.h); pass the function's name.
 */
typedef int (*lpb_pre_patch_fn)(struct klp_object *obj);
typedef void (*lpb_obj_fn)(struct klp_object *obj);

#define __LPB_CALLBACK(kind, type, fn)                                             \
	static const struct {                                                      \
		type func;                                                         \
		unsigned long line;                                                \
	} __lpb_cb_##kind##_##fn __used __aligned(8)                               \
		__section(".lpb.cb." #kind) = { (fn), __LINE__ }

#define LPB_PRE_PATCH_CALLBACK(fn) __LPB_CALLBACK(pre_patch, lpb_pre_patch_fn, fn)
#define LPB_POST_PATCH_CALLBACK(fn) __LPB_CALLBACK(post_patch, lpb_obj_fn, fn)
#define LPB_PRE_UNPATCH_CALLBACK(fn) __LPB_CALLBACK(pre_unpatch, lpb_obj_fn, fn)
#define LPB_POST_UNPATCH_CALLBACK(fn) __LPB_CALLBACK(post_unpatch, lpb_obj_fn, fn)

#endif /* LPB_PATCH_H */
