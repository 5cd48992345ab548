/* SPDX-License-Identifier: GPL-2.0-only */
/* Linked modules kept in the prepared tree's cache entry: a build whose link
 * inputs are all the same as an earlier one's takes that module again. */
#ifndef LPB_BUILD_LINKCACHE_H
#define LPB_BUILD_LINKCACHE_H

#include <stdbool.h>
#include <stddef.h>

#include "tree.h"

#define LINKCACHE_ENV "LPB_LINK_CACHE" /* "0": off (kbuild links every time) */

/* how many linked modules a tree keeps (the least recently used go) */
#define LINKCACHE_KEEP 32

/* What else the link reads that the tree's key does not cover. */
struct linkcache_inputs {
	const char *text; /* e.g. the patches' sha256: the patched view's sources */
	const char *files[4]; /* e.g. the target's Module.symvers (NULL-ended) */
	const char *dirs[4]; /* e.g. the template's headers (flat; NULL-ended) */
};

/*
 * The key of linking @dir (kmod_generate's output, nothing else in it yet)
 * in @t with @kcflags, BTF against @vmlinux when @btf: every input file's
 * name and bytes (@dir's and @in's), the tree, the tools the link runs and
 * the packages installed where it runs. 64 hex digits + NUL in @key; -1
 * when a file cannot be read (then nothing is cached).
 */
int linkcache_key(const struct tree *t, const struct tree_opts *o, const char *dir,
		  const char *kcflags, const char *vmlinux, bool btf,
		  const struct linkcache_inputs *in, char key[65]);

/* The module linked before for @key, copied to @dst; false when none. */
bool linkcache_get(const struct tree *t, const char *key, const char *dst);

/* Keep @ko (just linked by kbuild) for @key; failures only cost a link. */
void linkcache_put(const struct tree *t, const char *key, const char *ko);

/* Remove every module the tree at @tree_dir keeps; how many went. */
size_t linkcache_clear(const char *tree_dir);

#endif /* LPB_BUILD_LINKCACHE_H */
