/* SPDX-License-Identifier: GPL-2.0-only */
/* Targets by name (--target debian:RELEASE): lpb-target fetches and caches
 * what one needs and describes it in a target file, read here. */
#ifndef LPB_BUILD_TARGETFILE_H
#define LPB_BUILD_TARGETFILE_H

#include <stdbool.h>

#include "util.h"

struct target_file {
	char *path; /* the target file lpb-target wrote */
	struct strvec keys, vals; /* its KEY=VALUE lines, in order */
};

/* The lpb-target script next to lp-build (or $LPB_TARGET_TOOL); NULL + message. */
char *lpb_target_tool(void);

/*
 * Run `lpb-target fetch SPEC` (its progress on our stderr) and read the
 * target file it prints. Returns 0, or -1 after one message.
 */
int target_file_fetch(struct target_file *tf, const char *spec, const char *cache, int jobs,
		      bool refresh);

/* Read a target file: KEY=VALUE lines, VALUE plain or in single quotes. */
int target_file_read(struct target_file *tf, const char *path);

/* The value of @key, "" when the file sets it empty, NULL when it lacks it. */
const char *target_file_get(const struct target_file *tf, const char *key);

/* Run lpb-target with @args (a subcommand and its arguments), output ours;
 * its exit status. */
int lpb_target_run(const char *cache, const char *const *args);

void target_file_free(struct target_file *tf);

#endif /* LPB_BUILD_TARGETFILE_H */
