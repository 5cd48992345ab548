/* SPDX-License-Identifier: GPL-2.0-only */
/* The user's patches: which files they touch, their checksums, and whether
 * they apply (in order) to the source tree, checked before any build work. */
#ifndef LPB_BUILD_PATCHSET_H
#define LPB_BUILD_PATCHSET_H

#include "util.h"

struct patchset {
	struct strvec paths; /* absolute paths of the patch files, in order */
	struct strvec sha256; /* hex sha256 of each patch file */
	struct strvec files; /* every source file touched (relative, -p1), unique */
	struct strvec added; /* files a patch creates */
};

/* Add the files one patch's @text touches to @ps (@path names it in
 * messages). -1 + message when it is not a usable unified diff. */
int patchset_parse(struct patchset *ps, const char *path, const char *text);

/* Read the patches and list the files they touch. -1 + message on failure. */
int patchset_load(struct patchset *ps, char *const *patches, int n);

/*
 * Apply the patches in order to copies of the touched files of @src inside
 * @scratch. 0 when they apply; otherwise prints which patch failed and
 * patch(1)'s own words, and returns -1.
 */
int patchset_check(const struct patchset *ps, const char *src, const char *scratch);

void patchset_free(struct patchset *ps);

#endif /* LPB_BUILD_PATCHSET_H */
