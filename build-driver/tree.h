/* SPDX-License-Identifier: GPL-2.0-only */
/* The prepared build tree: a private, cached copy of the user's source with
 * the target config, prepared once per (source, config, compiler, build root,
 * release). */
#ifndef LPB_BUILD_TREE_H
#define LPB_BUILD_TREE_H

#include <stdbool.h>

#include "buildroot.h"
#include "util.h"

#include "overlay.h"
#include "run.h"

struct tree {
	char *src; /* the user's source tree (never written) */
	char *dir; /* cache entry: CACHE/trees/<key> */
	char *build; /* the private copy kbuild runs in: dir/src (builds never write it) */
	char *key; /* hex key of the cache entry */
	char *release; /* KERNELRELEASE forced on every make */
	bool fresh; /* prepared by this run (not reused from the cache) */
	bool objtool_per_object; /* run objtool on each object, as kbuild would
				  * without delay-objtool (see tree.c) */
	int lock_fd; /* flock: shared while a build uses the tree, exclusive while preparing */
	double prepare_seconds;
};

struct tree_opts {
	const char *src;
	const char *config;
	const char *cache;
	const char *release;
	const char *compiler_id; /* what `gcc --version` says, part of the key */
	const struct toolchain *tc; /* CC/HOSTCC/LD and where kbuild runs, part of the key */
	const char *kcflags; /* KCFLAGS of every unit compile: the tree is prepared with them */
	int jobs;
	int verbose;
};

/*
 * Find or create the prepared tree for these options and hold it shared
 * (builds share it; one that must prepare it, or bring it up to date for
 * o->kcflags, takes it exclusively for that long). Returns 0, or -1 after
 * one message.
 */
int tree_acquire(struct tree *t, const struct tree_opts *o);
void tree_release(struct tree *t);

/* How the tree's config differs from the target's @config, harmless
 * options (compiler text, signing settings) left out: @set gets the
 * "CONFIG_X=v" lines kbuild set while preparing @t that @config does not
 * have, @lost (may be NULL) the lines of @config the tree does not have
 * (options this source does not offer, or whose dependencies it lacks:
 * Debian's rt flavour's CONFIG_PREEMPT_RT=y in a source without the rt patch
 * set). Either means the config is for another source. 0, or -1 when a
 * config cannot be read. */
int tree_config_drift(const struct tree *t, const char *config, struct strvec *set,
		      struct strvec *lost);

/* Where the scan of the tree's #include lines is kept (includes.h); a new
 * tree gets it while it is prepared. Malloc'ed. */
char *tree_include_index(const struct tree *t);

/*
 * One build's private views of the tree: kbuild runs in an overlay of it
 * (overlay.h), one showing the tree as it is and one with the patches
 * applied, so builds never write the shared tree nor wait for each other.
 */
struct tree_view {
	char *dir; /* CACHE/trees/<key>/work/<name>: the build's outputs */
	char *name; /* the patch name, or name.2... while another build of it runs */
	int lock_fd; /* work/<name>.lock, held while the build runs */
	struct overlay orig; /* the tree as it is: original compiles */
	struct overlay patched; /* with the patches: patched compiles, the link */
};

/*
 * Make @v for a build called @name (views of a killed build are removed
 * first), with @template_inc (the patch authors' headers) at ./.lpb/include
 * of the patched view. 0, or -1 after a message.
 */
int tree_view_open(struct tree *t, const struct tree_opts *o, const char *name,
		   const char *template_inc, struct tree_view *v);
/* Remove the views (the build's kbuild outputs); the outputs stay. */
void tree_view_close(struct tree_view *v);

/* Run make in the tree with the forced release and our flags; in the view
 * @env->view when given (NULL: in the tree itself, only while preparing). */
int tree_make(struct tree *t, const struct tree_opts *o, const struct run_env *env,
	      const char *const *targets, const char *kcflags, struct strbuf *out);

/* Apply the patches in @v's patched view: private copies of @files (the
 * sources they touch), then patch(1) run in the view. */
int tree_apply(struct tree *t, const struct tree_opts *o, struct tree_view *v,
	       const struct strvec *files, const struct strvec *patches);

/*
 * Renumber the patched @files of the view (after tree_apply) so that every
 * line the patches left unchanged keeps its original number: a patch that
 * only moves lines then changes no __LINE__, no "file:line" string and no
 * line-numbered name, and every difference the diff finds is real.
 */
int tree_pin_lines(struct tree *t, struct tree_view *v, const struct strvec *files, int verbose);

#endif /* LPB_BUILD_TREE_H */
