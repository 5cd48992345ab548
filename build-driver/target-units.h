/* SPDX-License-Identifier: GPL-2.0-only */
/* What the target kernel was compiled from: the sources of the DWARF compile
 * units of its vmlinux and of its modules, read once per target and cached. */
#ifndef LPB_BUILD_TARGET_UNITS_H
#define LPB_BUILD_TARGET_UNITS_H

#include <stdbool.h>

#include "hash.h"
#include "util.h"

struct target_units {
	char *dir; /* cache directory of this target's index */
	char *vmlinux, *modules; /* the target's binaries (modules may be NULL) */
	struct lpb_hash by_src; /* struct tu_entry by source path */
	bool modules_loaded; /* the modules' units are in by_src */
	bool names_known; /* CU names could be made relative to the tree */
	size_t nr_modules; /* .ko files found under modules */
	struct strvec nodwarf; /* modules without DWARF: their sources are unknown */
};

/*
 * Open the index of @vmlinux (and, on demand, the modules under @modules)
 * in @cache/cu-index/, reading the vmlinux's DWARF the first time.
 * Returns 0, or -1 after one message (a vmlinux without DWARF).
 */
int target_units_open(struct target_units *t, const char *cache, const char *vmlinux,
		      const char *modules);

/* Read the modules' units too (the first time: every .ko under modules,
 * with a progress line; then from the cache). 0 or -1 after a message. */
int target_units_load_modules(struct target_units *t);

/*
 * Is @src (relative to the source tree, e.g. "fs/proc/cmdline.c") the
 * source of a compile unit of vmlinux, or of a module when the modules are
 * loaded? The answer is only meaningful when t->names_known.
 */
bool target_units_has(const struct target_units *t, const char *src);

/* What the compiler wrote before "init/main.c" in the target's DWARF names
 * (the build directory of an O= or absolute build), or NULL: the same in
 * every name of the target, CU or header (malloc'ed). */
char *target_units_prefix(const struct target_units *t);

void target_units_free(struct target_units *t);

#endif /* LPB_BUILD_TARGET_UNITS_H */
