/* SPDX-License-Identifier: GPL-2.0-only */
/* Generating the livepatch module's source from kmod-template/ and the diff
 * objects' metadata, and linking it with the target's kbuild. */
#ifndef LPB_BUILD_KMOD_H
#define LPB_BUILD_KMOD_H

#include <stdbool.h>

#include "lpb-meta-read.h"
#include "patchset.h"
#include "target.h"
#include "linkcache.h"
#include "tree.h"

struct kmod_diff {
	const char *path; /* the diff object */
	const char *src; /* the source file it came from, for messages */
	struct lpb_meta meta; /* its decoded .lpb.* metadata */
	struct lpb_elf *elf; /* the model the metadata points into */
};

struct kmod_spec {
	const char *name; /* module (and klp patch) name */
	const char *patch_version;
	bool replace;
	const struct target *target;
	const struct patchset *patches;
	const char *template_dir; /* kmod-template/ */
	struct kmod_diff *diffs;
	size_t nr_diffs;
};

/* Write Kbuild, livepatch-main.c, lpb-patch-data.h and the diff objects
 * into @dir (emptied first). Returns 0 or -1 after a message. */
int kmod_generate(const struct kmod_spec *spec, const char *dir);

/* The generated lpb-patch-data.h, for tests and -v; NULL after a message
 * when two files' callbacks would collide. */
char *kmod_patch_data(const struct kmod_spec *spec);

/* What the link did beyond linking. */
enum kmod_btf {
	KMOD_BTF_NONE, /* the target's config generates no BTF for modules */
	KMOD_BTF_MADE, /* split BTF made against the target's vmlinux */
};

/* Link @dir with kbuild in @v's patched view of the prepared tree; the
 * module is @ko (dir/NAME.ko). When the target's config makes BTF for
 * modules, it is made against @vmlinux (the target's, whose .BTF the
 * running kernel has); *btf says which. When every input is the same as an
 * earlier link's in this tree, that module is taken instead (linkcache.h;
 * *@reused true). */
int kmod_build(struct tree *t, const struct tree_opts *o, struct tree_view *v, const char *dir,
	       const char *vmlinux, const char *ko, const struct linkcache_inputs *in,
	       enum kmod_btf *btf, bool *reused);

#endif /* LPB_BUILD_KMOD_H */
