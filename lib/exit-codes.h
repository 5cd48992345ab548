/* SPDX-License-Identifier: GPL-2.0-only */
/* Exit codes of every lp-build tool, in one place (each man page lists the
 * ones its tool uses). Scripts rely on them: never renumber. */
#ifndef LPB_EXIT_CODES_H
#define LPB_EXIT_CODES_H

enum lpb_exit {
	LPB_EXIT_OK = 0, /* success */
	LPB_EXIT_ERROR = 1, /* bad input, usage, or a tool failed */
	LPB_EXIT_UNPATCHABLE = 2, /* the change cannot be live-patched */
	LPB_EXIT_NO_CHANGE = 3, /* no functional change */
	LPB_EXIT_PATCH_APPLY = 4, /* lp-build: a patch does not apply to the source */
	LPB_EXIT_MISMATCH = 5, /* lp-build: source/config/compiler do not match the target */
	LPB_EXIT_TARGET_UNKNOWN = 6, /* lp-build: target kernel identity cannot be read */
	LPB_EXIT_VERIFY = 10, /* lpctl: verification refused the module */
	LPB_EXIT_LOCKED = 11, /* lpctl: the patch is locked out */
	LPB_EXIT_KERNEL_BUG = 12, /* lpctl: inserted, but the kernel reported a bug */
	LPB_EXIT_STALLED = 13, /* lpctl: the transition did not finish */
};

#endif /* LPB_EXIT_CODES_H */
