/* SPDX-License-Identifier: GPL-2.0-only */
/* A build's private view of the shared prepared tree: an overlay mount (the
 * tree below, the build's own directory above) seen only by its commands. */
#ifndef LPB_BUILD_OVERLAY_H
#define LPB_BUILD_OVERLAY_H

#include <stdbool.h>

struct overlay {
	char *lower; /* the prepared tree, mounted over itself: same paths for kbuild */
	char *upper; /* what this build's commands write */
	char *work; /* overlayfs' own scratch directory, next to upper */
};

/* Directories under @dir (created): dir/upper and dir/ovl-work over @lower. */
int overlay_init(struct overlay *ov, const char *lower, const char *dir);
void overlay_free(struct overlay *ov);

/*
 * In a child process just forked to run a command: enter a private mount
 * and PID namespace (and, when not root, a user namespace), mount the
 * overlay at ov->lower, then return in a grandchild that may exec the
 * command. The process that called this waits and _exits with the
 * command's status; when it dies (lp-build was killed), everything the
 * command started dies with it, and the mount disappears with the
 * namespace. Returns 0 in the grandchild; never returns elsewhere. Writes
 * a message to stderr and _exits 127 when the namespace cannot be made.
 */
int overlay_enter(const struct overlay *ov);

/*
 * Can this process make such views? 0, or -1 after a message saying what
 * is missing (root, or user namespaces with overlayfs in them).
 */
int overlay_probe(const struct overlay *ov);

/* Where a file of the view is: the upper copy when there is one, else the
 * tree's (no whiteouts are looked at: lp-build's commands only add files). */
char *overlay_path(const struct overlay *ov, const char *rel);

/* Remove @rel from the upper directory (a file this build wrote). */
void overlay_forget(const struct overlay *ov, const char *rel);

#endif /* LPB_BUILD_OVERLAY_H */
