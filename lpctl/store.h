/* SPDX-License-Identifier: GPL-2.0-only */
/* lpctl's state on disk, per kernel release, and the lock serialising runs.
 *
 *   STATE/lock                          flock(2) held by the lpctl changing state
 *   STATE/<release>/installed           the patch `lpctl start` applies
 *   STATE/<release>/patches/NAME.ko     its verified module (+ NAME.json manifest)
 *   STATE/<release>/marker              an insertion in progress (crash-loop guard)
 *   STATE/<release>/last                the outcome of the last apply
 *   STATE/<release>/locks/NAME@SHA.lock a locked-out patch: reason and trace
 *
 * Every file but the modules is a checksummed kvfile written atomically. */
#ifndef LPCTL_STORE_H
#define LPCTL_STORE_H

#include "kvfile.h"
#include "lpctl.h"

/* Take the state lock (waiting for another run, with a note). lpb_exit code. */
int store_lock(struct lpctl *c);
void store_unlock(struct lpctl *c);

/* c->rel_dir/@name (malloc'd). */
char *store_path(const struct lpctl *c, const char *name);
/* Create the release directory and its subdirectories (mode 0700). */
int store_prepare(struct lpctl *c);

/* The lock file of patch @name with module SHA-256 @sha. */
char *store_lock_path(const struct lpctl *c, const char *name, const char *sha);
/*
 * Is that patch locked out? 0: no. 1: yes, with *@lock filled (a damaged
 * lock file still locks: its reason then says so).
 */
int store_find_lock(const struct lpctl *c, const char *name, const char *sha, struct kvfile *lock);
/* Lock the patch out: reason, time, boot, and @trace lines (may be NULL). */
int store_write_lock(const struct lpctl *c, const char *name, const char *sha,
		     const char *patch_version, const char *reason, const struct strv *trace);
/* Lock files of @name (NULL: all) of the running release, sorted. */
void store_list_locks(const struct lpctl *c, const char *name, struct strv *paths);

#endif /* LPCTL_STORE_H */
