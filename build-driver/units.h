/* SPDX-License-Identifier: GPL-2.0-only */
/* Translation units a patch touches: which to compile, where each one is
 * linked (vmlinux or a module), and their original and patched objects. */
#ifndef LPB_BUILD_UNITS_H
#define LPB_BUILD_UNITS_H

#include <stdbool.h>

#include "patchset.h"
#include "tree.h"

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
	int diff_rc; /* create-diff-object's exit code */
};

struct units {
	struct unit *v;
	size_t n;
	struct strvec skipped; /* changed sources the target is not built from */
};

/*
 * The units to compile for @ps: each changed .c/.S file the target is built
 * from, the built units that #include a changed .c file, and for each
 * changed header the units of @src that include it (directly or through
 * other headers); "built" as the DWARF of @vmlinux and of the modules under
 * @modules says, indexed once per target under @cache. Changed files the
 * target does not build are skipped with a note. Refuses changes to build
 * files. @work is the work directory. Returns 0, 1 when the target is built
 * from none of the changed files (nothing to livepatch), or -1; each after
 * its messages.
 */
int units_plan(struct units *u, const struct patchset *ps, const char *src, const char *work,
	       const char *cache, const char *vmlinux, const char *modules);

void units_free(struct units *u);

#endif /* LPB_BUILD_UNITS_H */
