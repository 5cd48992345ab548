/* SPDX-License-Identifier: GPL-2.0-only */
/* Directories where kbuild builds a single object twice: their units are
 * compiled through their directory instead (build-driver/kbuild-dirs.c). */
#ifndef LPB_BUILD_KBUILD_DIRS_H
#define LPB_BUILD_KBUILD_DIRS_H

#include "util.h"

/*
 * The directories of @src (relative, no trailing slash) that a Makefile
 * lists together with one of their ancestors, like drivers/Makefile's
 * "input/" and "input/serio/". Scanned once and kept in @cache_file.
 */
int kbuild_twice_reached(const char *src, const char *cache_file, struct strvec *dirs);

/* Is @unit ("drivers/input/serio/i8042.c") in or under one of @dirs? */
bool kbuild_in_dirs(const struct strvec *dirs, const char *unit);

#endif /* LPB_BUILD_KBUILD_DIRS_H */
