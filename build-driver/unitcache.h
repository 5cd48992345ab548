/* SPDX-License-Identifier: GPL-2.0-only */
/* Compiled units shared between builds and targets: kbuild's compiler runs
 * through ccache, so a unit compiled once is not compiled again anywhere. */
#ifndef LPB_BUILD_UNITCACHE_H
#define LPB_BUILD_UNITCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "buildroot.h"
#include "units.h"

/*
 * A unit is taken from the cache when its preprocessed source, its
 * compiler arguments and the compiler binary are the same as a compile's
 * before (ccache in preprocessor mode, never direct mode: a new header
 * that would shadow an old one is seen). kbuild passes relative paths, so
 * this holds across prepared trees: the same fix for several targets whose
 * sources agree compiles the unit once; so does tree preparation for trees
 * of one source version (kbuild's host tools, bounds.c, asm-offsets.c).
 * The objects' DWARF then names the first tree as compilation directory,
 * which nothing lp-build builds from reads.
 */
struct unitcache {
	bool on;
	char *dir; /* CACHE/ccache: ccache's own directory (CCACHE_DIR) */
	char *why_off; /* why it is off (NULL: on, or not wanted) */
	char *log; /* this build's ccache statistics log */
	off_t mark; /* where the current compile's records begin */
};

/* Default size limit of the cache, and the variables that change it. */
#define UNITCACHE_DEFAULT_MAX "4G"
#define UNITCACHE_ENV "LPB_UNIT_CACHE" /* "0": off */
#define UNITCACHE_MAX_ENV "LPB_UNIT_CACHE_MAX"

/*
 * Route @tc's compilers through ccache for every make this process runs
 * (PATH and CCACHE_* in its environment), when ccache is installed, kbuild
 * runs on the host (a build root has no ccache) and LPB_UNIT_CACHE is not
 * 0. Otherwise uc->why_off says why. 0, or -1 after a message.
 */
int unitcache_enable(struct unitcache *uc, const char *cache, const struct toolchain *tc);

/* Why compiled units cannot be shared on this machine (malloc'ed), or NULL
 * when they can (ccache installed, LPB_UNIT_CACHE not 0). */
char *unitcache_unavailable(void);

/* A compile of @u's units begins. */
void unitcache_mark(struct unitcache *uc);

/* How many of @u's units the compile since the mark took from the cache. */
size_t unitcache_hits(const struct unitcache *uc, const struct units *u);

void unitcache_free(struct unitcache *uc);

/*
 * `lp-build cache` on the cache directory @cache (its ccache/): what it
 * holds (-1 when there is none or ccache is missing), and emptying it or
 * evicting down to @size ("500M"; "0" empties). 0, or -1 after a message.
 */
int unitcache_usage(const char *cache, size_t *files, unsigned long long *bytes);
int unitcache_clear(const char *cache);
int unitcache_trim(const char *cache, const char *size);

#endif /* LPB_BUILD_UNITCACHE_H */
