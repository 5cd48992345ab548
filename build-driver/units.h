/* SPDX-License-Identifier: GPL-2.0-only */
/* Translation units a patch touches: which to compile, where each one is
 * linked (vmlinux or a module), and their original and patched objects. */
#ifndef LPB_BUILD_UNITS_H
#define LPB_BUILD_UNITS_H

#include <stdbool.h>

#include "patchset.h"
#include "tree.h"

/* Why a unit is compiled (a changed header's units are counted by it). */
enum unit_reason {
	UR_CHANGED, /* the patches change the file */
	UR_INCLUDES_C, /* it #includes a changed .c file */
	UR_DWARF, /* the target's DWARF has a changed header function's code in it */
	UR_MACRO_USE, /* its own text uses a changed macro */
	UR_PREPROCESSED, /* its preprocessed source changes */
	UR_NOT_PREPROCESSED, /* it includes a changed header and cannot be preprocessed alone */
	NR_UNIT_REASONS
};

/* Each reason's key in the manifest ("dwarf") and its words in messages. */
struct unit_reason_name {
	const char *key, *text;
};
extern const struct unit_reason_name unit_reasons[NR_UNIT_REASONS];

struct unit {
	char *src; /* relative source path, e.g. "fs/proc/cmdline.c" */
	char *obj; /* relative object path, e.g. "fs/proc/cmdline.o" */
	char *cmd; /* kbuild's record of the command, e.g. "fs/proc/.cmdline.o.cmd" */
	char *objname; /* "vmlinux" or the module it is linked into */
	char *orig, *patched, *diff, *json; /* absolute paths in the work directory */
	bool via_header; /* found through a changed header, may turn out unchanged */
	char *via; /* the changed .c file this unit #includes (kernel/sched/rt.c
		    * for kernel/sched/build_policy.c), or NULL */
	bool cached; /* the original object came from the tree's object cache */
	bool in_objcache; /* the object cache has its original's entry (taken
			   * from it, or kept by this build's compile) */
	enum unit_reason reason;
	char *why; /* why it is compiled, in detail, for -V and the manifest */
	int diff_rc; /* create-diff-object's exit code */
};

struct units {
	struct unit *v;
	size_t n;
	struct strvec skipped; /* changed sources the target is not built from */
	/* changed headers: */
	struct strvec includers; /* built units that include one (the outer bound) */
	struct strvec preprocess; /* units whose preprocessed sources decide */
	size_t by_reason[NR_UNIT_REASONS];
	double index_seconds; /* making the target's inline index (0: cached) */
};

/* What the planner reads besides the patches. */
struct units_in {
	const char *src; /* the user's source tree: headers before the patches */
	const char *work; /* the work directory: work/patched-src/ holds them after */
	const char *tree; /* the prepared tree: the headers as compiled, generated ones too */
	const char *index; /* the tree's #include index */
	const char *cache, *vmlinux, *modules; /* the target (its DWARF, indexed under cache) */
	int jobs; /* processes for making the target's inline index */
	int verbose; /* -V: list every selected and skipped unit */
};

/*
 * The units to compile for @ps: each changed .c/.S file the target is built
 * from, the built units that #include a changed .c file, and for a changed
 * header: where only function definitions changed, the units the target's
 * DWARF says hold their code (inlined or out of line); for any other change
 * (a macro, a type, a declaration) the built units including it are left
 * in u->preprocess, for preprocess_compare() to decide. "Built" as the DWARF
 * of the vmlinux and of the modules says, indexed once per target. Changed
 * files the target does not build are skipped with a note. Refuses changes
 * to build files. Returns 0, 1 when the target is built from none of the
 * changed files (nothing to livepatch), or -1; each after its messages.
 */
int units_plan(struct units *u, const struct patchset *ps, const struct units_in *in);

/* Add @src to the units (a changed header reaches it), said why. */
void units_add(struct units *u, const char *src, const char *work, enum unit_reason reason,
	       const char *why);

void units_free(struct units *u);

#endif /* LPB_BUILD_UNITS_H */
