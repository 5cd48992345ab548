/* SPDX-License-Identifier: GPL-2.0-only */
/* The prepared build tree: a private, cached copy of the user's source with
 * the target config, prepared once per (source, config, compiler, build root,
 * release). */
#ifndef LPB_BUILD_TREE_H
#define LPB_BUILD_TREE_H

#include <stdbool.h>

#include "buildroot.h"
#include "util.h"

struct tree {
	char *src; /* the user's source tree (never written) */
	char *dir; /* cache entry: CACHE/trees/<key> */
	char *build; /* the private copy kbuild runs in: dir/src */
	char *key; /* hex key of the cache entry */
	char *release; /* KERNELRELEASE forced on every make */
	bool hardlinks; /* files link to src by hard links (else symlinks) */
	bool fresh; /* prepared by this run (not reused from the cache) */
	bool objtool_per_object; /* run objtool on each object, as kbuild would
				  * without delay-objtool (see tree.c) */
	int lock_fd; /* flock held while this process uses the tree */
	double prepare_seconds;
	struct strvec journal; /* relative paths currently patched in build */
};

struct tree_opts {
	const char *src;
	const char *config;
	const char *cache;
	const char *release;
	const char *compiler_id; /* what `gcc --version` says, part of the key */
	const struct toolchain *tc; /* CC/HOSTCC/LD and where kbuild runs, part of the key */
	int jobs;
	int verbose;
};

/*
 * Find or create the prepared tree for these options and lock it (a second
 * lp-build on the same tree waits). Also undoes a patch left applied by an
 * interrupted run. Returns 0, or -1 after one message.
 */
int tree_acquire(struct tree *t, const struct tree_opts *o);
void tree_release(struct tree *t);

/* Run make in the tree with the forced release and our flags. */
int tree_make(struct tree *t, const struct tree_opts *o, const char *const *targets,
	      const char *kcflags, struct strbuf *out);

/*
 * Apply the patches inside the private copy. @files are the sources the
 * patches touch; @objects (build outputs: relative .o paths and their .cmd files) are set
 * aside so the original objects survive the patched compile. Everything is
 * journaled first so tree_revert() (or the next run) can undo it.
 */
int tree_apply(struct tree *t, const struct strvec *files, const struct strvec *objects,
	       const struct strvec *patches);
int tree_revert(struct tree *t);

/*
 * Renumber the patched @files of the private copy (after tree_apply) so that
 * every line the patches left unchanged keeps its original number: a patch
 * that only moves lines then changes no __LINE__, no "file:line" string and
 * no line-numbered name, and every difference the diff finds is real.
 */
int tree_pin_lines(struct tree *t, const struct strvec *files, int verbose);

#endif /* LPB_BUILD_TREE_H */
