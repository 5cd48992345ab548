/* SPDX-License-Identifier: GPL-2.0-only */
/* Lets patches written for kpatch build unchanged with lp-build: kpatch's
 * callback, printk, static call and syscall macros map onto lp-build's own
 * or the kernel's; its escape hatches are refused with what to do instead. */
#ifndef LPB_KPATCH_MACROS_H
#define LPB_KPATCH_MACROS_H

#include <linux/printk.h>
#include <linux/static_call.h>
#include <linux/types.h>

#include "lpb-patch.h"
/* kpatch's kpatch-macros.h brings its syscall macros along */
#include "kpatch-syscall.h"

/*
 * Callbacks: kpatch's names for lp-build's (see lpb-patch.h), with the same
 * return convention (a pre-patch callback returns 0, or a negative errno to
 * refuse the patch for its object). The object arrives as patch_object.
 * The trailing ';' matches kpatch's macros, which patches may use without
 * one.
 */
typedef struct klp_object patch_object;
typedef int (*kpatch_pre_patch_call_t)(patch_object *obj);
typedef void (*kpatch_post_patch_call_t)(patch_object *obj);
typedef void (*kpatch_pre_unpatch_call_t)(patch_object *obj);
typedef void (*kpatch_post_unpatch_call_t)(patch_object *obj);

#define KPATCH_PRE_PATCH_CALLBACK(fn) LPB_PRE_PATCH_CALLBACK(fn);
#define KPATCH_POST_PATCH_CALLBACK(fn) LPB_POST_PATCH_CALLBACK(fn);
#define KPATCH_PRE_UNPATCH_CALLBACK(fn) LPB_PRE_UNPATCH_CALLBACK(fn);
#define KPATCH_POST_UNPATCH_CALLBACK(fn) LPB_POST_UNPATCH_CALLBACK(fn);

/*
 * kpatch hides printk behind a condition so that GCC does not move the
 * surrounding path to .text.unlikely (printk is __cold). lp-build follows
 * such .cold parts with their function, so a plain printk is right here.
 */
#define KPATCH_PRINTK(fmt, ...) ((void)printk(fmt, ##__VA_ARGS__))
#define KPATCH_PRINTK_DEFERRED(fmt, ...) ((void)printk_deferred(fmt, ##__VA_ARGS__))

/*
 * A static call made as an ordinary indirect call through the key's
 * current target: new code then needs no static call site of its own
 * (the kernel cannot update sites in a livepatch whose key lives in a
 * module, or whose key the module reaches only through a livepatch
 * relocation).
 */
#define KPATCH_STATIC_CALL(name) \
	((typeof(&STATIC_CALL_TRAMP(name)))READ_ONCE(STATIC_CALL_KEY(name).func))

/*
 * kpatch's escape hatches and its older interfaces. lp-build names them
 * before compiling, with the same advice (build-driver/kpatch-compat.c);
 * these definitions only stop a use it could not see, such as one inside
 * another macro.
 */
#define __LPB_KPATCH_REFUSED(what, instead) \
	_Static_assert(0, "lp-build does not support " what ": " instead)

#define KPATCH_IGNORE_SECTION(sec) \
	__LPB_KPATCH_REFUSED("KPATCH_IGNORE_SECTION", "remove it; lp-build never skips a changed section on request")
#define KPATCH_IGNORE_FUNCTION(fn) \
	__LPB_KPATCH_REFUSED("KPATCH_IGNORE_FUNCTION", "remove it; a function whose only change is a line number is not patched anyway")
#define KPATCH_IGNORE_STATIC(var) \
	__LPB_KPATCH_REFUSED("KPATCH_IGNORE_STATIC", "remove it; lp-build pairs static locals by their use")
#define KPATCH_FORCE_UNSAFE(fn) \
	__LPB_KPATCH_REFUSED("KPATCH_FORCE_UNSAFE", "remove it; livepatch's consistency model has no per-function override")
#define KPATCH_LOAD_HOOK(fn) \
	__LPB_KPATCH_REFUSED("KPATCH_LOAD_HOOK", "declare a post-patch callback (KPATCH_POST_PATCH_CALLBACK)")
#define KPATCH_UNLOAD_HOOK(fn) \
	__LPB_KPATCH_REFUSED("KPATCH_UNLOAD_HOOK", "declare a pre-unpatch callback (KPATCH_PRE_UNPATCH_CALLBACK)")
#define __LPB_KPATCH_WARN_REFUSED(name) \
	({ __LPB_KPATCH_REFUSED(name, "use WARN()/WARN_ON(): lp-build recognises line-number-only changes"); 0; })
#define KPATCH_WARN_LINE(line, cond, ...) __LPB_KPATCH_WARN_REFUSED("KPATCH_WARN_LINE")
#define KPATCH_WARN_ON_LINE(line, cond) __LPB_KPATCH_WARN_REFUSED("KPATCH_WARN_ON_LINE")
#define KPATCH_WARN_ON_SMP_LINE(line, cond) __LPB_KPATCH_WARN_REFUSED("KPATCH_WARN_ON_SMP_LINE")
#define __kpatch_ignore \
	__attribute__((__error__("lp-build does not support __kpatch_ignore: remove it")))

/* kpatch's old shadow variables, from its core module that livepatch
 * replaced: a call is a compile error that says what to use. */
#define __LPB_KPATCH_SHADOW(name, instead) \
	__attribute__((__error__("lp-build does not support " name ": use " instead \
				 " from <linux/livepatch.h> with a numeric id")))
extern void *kpatch_shadow_alloc(void *obj, char *var, size_t size, gfp_t gfp)
	__LPB_KPATCH_SHADOW("kpatch_shadow_alloc", "klp_shadow_get_or_alloc()");
extern void *kpatch_shadow_get(void *obj, char *var)
	__LPB_KPATCH_SHADOW("kpatch_shadow_get", "klp_shadow_get()");
extern void kpatch_shadow_free(void *obj, char *var)
	__LPB_KPATCH_SHADOW("kpatch_shadow_free", "klp_shadow_free()");

#endif /* LPB_KPATCH_MACROS_H */
