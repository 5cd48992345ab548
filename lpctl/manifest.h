/* SPDX-License-Identifier: GPL-2.0-only */
/* The manifest lp-build writes next to a module (NAME.json): the module's
 * SHA-256, the target kernel, the source patches (the "fixes") and the
 * functions it replaces. */
#ifndef LPCTL_MANIFEST_H
#define LPCTL_MANIFEST_H

#include <stddef.h>

#include "util.h"

struct manifest_patch {
	char *file; /* the source patch's file name */
	char *sha256; /* of the source patch */
};

struct manifest {
	char *name;
	char *patch_version;
	int replace; /* 1, 0, or -1 when absent */
	char *target_release, *target_version, *target_label;
	struct manifest_patch *patches;
	size_t nr_patches;
	struct strv functions; /* "OBJECT:FUNCTION" (",SYMPOS" when not 0) */
	char *module_file;
	char *module_sha256; /* of the whole .ko, signature included */
	long long module_size; /* -1 when absent */
};

/* 0, or -EBADMSG with a one-line reason in @why (not JSON, a required key
 * missing or of the wrong type). */
int manifest_parse(const char *text, size_t len, struct manifest *m, char *why, size_t why_len);
/* manifest_parse on the file at @path; -errno when it cannot be read. */
int manifest_load(const char *path, struct manifest *m, char *why, size_t why_len);
void manifest_free(struct manifest *m);

#endif /* LPCTL_MANIFEST_H */
