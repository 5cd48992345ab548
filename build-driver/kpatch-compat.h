/* SPDX-License-Identifier: GPL-2.0-only */
/* kpatch's macros that lp-build refuses, named from the patches before
 * anything is compiled (the supported ones live in kmod-template/include/). */
#ifndef LPB_BUILD_KPATCH_COMPAT_H
#define LPB_BUILD_KPATCH_COMPAT_H

#include "patchset.h"

/*
 * Look through the lines the patches add for kpatch interfaces lp-build
 * does not support; print each use (file:line, what it asks for, what to
 * do instead). Returns how many were found, or -1 if a patch cannot be read.
 */
int kpatch_compat_check(const struct patchset *ps);

#endif /* LPB_BUILD_KPATCH_COMPAT_H */
