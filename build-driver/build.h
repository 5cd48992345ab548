/* SPDX-License-Identifier: GPL-2.0-only */
/* One lp-build run: the options, and the state its stages pass along, from
 * patch files to a signed module and its manifest. */
#ifndef LPB_BUILD_BUILD_H
#define LPB_BUILD_BUILD_H

#include <stdbool.h>

#include "compile.h"
#include "klp-check.h"
#include "klp-write.h"
#include "kmod.h"
#include "patchset.h"
#include "preflight.h"
#include "target.h"
#include "tree.h"
#include "unitcache.h"
#include "units.h"

struct build_opts {
	const char *src; /* -s: kernel source tree (never modified) */
	const char *config; /* -c: the target's .config */
	const char *vmlinux; /* -v: the target's debug vmlinux */
	const char *outdir; /* -o */
	const char *name; /* -n: module and patch name */
	const char *symvers; /* --symvers: default next to vmlinux */
	const char *modules; /* --modules: where target modules (.ko) are */
	const char *key, *cert; /* --key/--cert: signing */
	const char *hash; /* --hash: signature digest */
	const char *patch_version; /* --patch-version */
	const char *cache; /* --cache or LPB_CACHE */
	const char *cc; /* CC for kbuild, the compiler the check compares */
	const char *hostcc; /* HOSTCC (default: CC) */
	const char *ld; /* LD (default: ld) */
	const char *buildroot; /* run kbuild in this build root (NULL: the host) */
	const char *buildroot_id; /* what identifies the root's contents */
	const char *target_name; /* --target, for messages and the manifest */
	bool replace; /* false with --no-replace */
	bool allow_compiler_mismatch; /* --allow-compiler-mismatch */
	struct strvec allow_layout; /* --allow-layout-change TYPE, for create-diff-object */
	struct strvec allow_ran_once; /* --allow-ran-once FUNC, for create-diff-object */
	int jobs; /* -j */
	int verbose; /* -V (repeatable) */
	bool quiet; /* -q */
	char *const *patches;
	int nr_patches;
};

enum build_stage {
	ST_TARGET,
	ST_PATCHES,
	ST_TREE,
	ST_SELECT,
	ST_COMPILE_ORIG,
	ST_COMPILE_PATCHED,
	ST_DIFF,
	ST_PREFLIGHT,
	ST_LINK,
	ST_POSTLINK,
	ST_LOADCHECK,
	ST_SIGN,
	ST_WRITE,
	NR_STAGES,
};

struct build {
	const struct build_opts *o;
	struct tree_opts topts;
	struct toolchain tc; /* CC/HOSTCC/LD and where kbuild runs */
	char *root_id; /* the build root's identity when no target file gave it */
	char *self_dir; /* where lp-build lives: finds create-diff-object, kmod-template */
	char *template_dir;
	char *cdo; /* create-diff-object */
	struct strvec entry_sizes; /* "--entry-size=SEC=N" from the target's DWARF, once */
	char *symvers;
	char *modules;
	char *work; /* this build's work directory (view.dir) */
	char *name;

	struct target target;
	struct patchset patches;
	struct tree tree;
	struct tree_view view; /* this build's views of the tree, and its work directory */
	struct objcache objcache; /* the tree's original objects */
	struct compile compile;
	struct units units;
	struct unitcache ucache; /* units shared between builds (ccache) */
	size_t ucache_hits[2]; /* units the original, patched compile took from it */
	size_t units_changed; /* units with a functional change */
	size_t units_skipped; /* units including a changed header, not compiled */
	size_t pp_units; /* units preprocessed to decide */
	size_t pp_differ; /* ...whose preprocessed sources differ (compiled) */
	struct kmod_diff *diffs;
	size_t nr_diffs;
	struct preflight_stats preflight;
	bool module_btf; /* the module has BTF (CONFIG_DEBUG_INFO_BTF_MODULES) */
	struct lpb_klp_stats klp;
	struct lpb_klp_check_stats loadcheck;
	bool vermagic_checked; /* the target's version magic was found and compared */
	size_t crcs_checked; /* symbol versions of the module compared with vmlinux's */
	bool this_module_checked; /* struct module's size compared with the target's DWARF */
	struct load_layout *layout; /* loadcheck.c: layouts from the target's DWARF */

	/* loadcheck.c: what the target provides, loaded once */
	struct lpb_ksyms *vmlinux_syms;
	struct strvec module_names;
	struct lpb_ksyms **module_syms; /* parallel to module_names */
	struct lpb_symvers *exports;

	uint8_t *module; /* the final module bytes */
	size_t module_len;
	bool sign;
	double stage_seconds[NR_STAGES];
};

/* Run every stage; returns an lpb_exit code. */
int build_run(struct build *b, const struct build_opts *o);

/* "lp-build: ..." on stderr, unless -q. */
void build_say(const struct build *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The select stage (select.c): b->units planned for @in, the preprocessor
 * asked where it decides; 0 or an exit code, after its messages. */
int build_select(struct build *b, const struct units_in *in);
void build_free(struct build *b);

/* The module name: --name, else lp_<first patch's name>; NULL + message
 * when it is not a valid one. */
char *build_patch_name(const struct build_opts *o);

/* The target module's .ko under the modules directory (NULL + message). */
char *build_find_module(const struct build *b, const char *modname);

/* loadcheck.c: symbols of "vmlinux" or a target module, loaded once per
 * build (NULL + message) */
struct lpb_ksyms *build_object_symbols(struct build *b, const char *objname);
/* loadcheck.c: every object the module has a klp_object for (patched
 * functions, callbacks, or code with livepatch relocations into it), in
 * first-seen order */
void build_patch_objects(const struct build *b, struct strvec *out);
/* loadcheck.c: 0 when every undefined symbol of the diff objects is exported
 * by the target or defined by another of them, 1 (messages) if not, -1 error */
int build_check_references(struct build *b);
/* build.c: close a stage: print what it did and record its time */
void build_stage_done(struct build *b, enum build_stage st, double t0, const char *what);
/* diff-stage.c: create-diff-object on every compiled unit; an exit code */
int build_stage_diff(struct build *b);
/* loadcheck.c: the kernel's own load-time checks of the linked module
 * against the target, as its loader makes them: the version magic, struct
 * module's size and init/exit offsets (the target's DWARF), and the symbol
 * version (CRC) of every vmlinux export it uses. 0 when all pass (what the
 * target's files cannot tell is noted, not refused), 1 after saying which
 * fails and why, -1 on error. */
int build_check_loadable(struct build *b, const char *ko);
/* loadcheck.c: lpb_klp_check() of the linked module against the target */
int build_check_module(struct build *b, const char *ko, struct lpb_klp_check_stats *st);
void build_check_free(struct build *b);

/* The manifest NAME.json. */
char *build_manifest(const struct build *b);

extern const char *const build_stage_names[NR_STAGES];

#endif /* LPB_BUILD_BUILD_H */
