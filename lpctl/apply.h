/* SPDX-License-Identifier: GPL-2.0-only */
/* Applying a verified patch under watch, and taking patches off again:
 * crash marker, insertion, transition watch with the stall policy, kernel
 * log watch until the patch has settled, lock-out on trouble. */
#ifndef LPCTL_APPLY_H
#define LPCTL_APPLY_H

#include "lpctl.h"
#include "verify.h"

/*
 * Insert the module at @ko (the stored, just verified copy described by @v)
 * and watch it: the transition (c->conf.timeout_s, c->conf.stall), then the
 * kernel log for c->conf.settle_s. Returns an lpb_exit code: OK (applied and
 * settled), ERROR (not inserted, or the patch vanished), KERNEL_BUG (the
 * patch is now locked out), STALLED (the policy was followed).
 */
int apply_patch(struct lpctl *c, const char *ko, const struct verified *v);

/* Disable livepatch @name and wait for the kernel to drop it (the stall
 * policy applies: "reverse" re-enables it). lpb_exit code. */
int apply_disable(struct lpctl *c, const char *name);

/* Remove module @name, retrying for @secs while the kernel still holds it.
 * 0 or -errno (-ENOENT is success: it was not loaded). */
int apply_remove_module(struct lpctl *c, const char *name, unsigned int secs);

/*
 * The crash-loop guard: a marker left by an insertion that never settled.
 * From an earlier boot the machine went down while applying that patch: it
 * is locked out (with pstore's records when there are any). From this boot
 * an lpctl run was interrupted: it is locked out only if the kernel log
 * since its insertion shows trouble. The marker is then removed. Returns
 * 0, or LPB_EXIT_ERROR when the state cannot be written.
 */
int apply_check_marker(struct lpctl *c);

#endif /* LPCTL_APPLY_H */
