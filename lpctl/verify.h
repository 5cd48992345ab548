/* SPDX-License-Identifier: GPL-2.0-only */
/* Everything lpctl checks before the kernel sees a module: signature by a
 * trusted key, the manifest's SHA-256, and the target kernel's identity. */
#ifndef LPCTL_VERIFY_H
#define LPCTL_VERIFY_H

#include <stdbool.h>

#include "lpctl.h"
#include "manifest.h"
#include "modinfo.h"

struct verified {
	uint8_t *data; /* the module's bytes as checked */
	size_t len;
	char sha256[SHA256_HEX_LEN + 1];
	struct modinfo mi;
	struct manifest mf;
	bool has_manifest;
	char signer[600]; /* subject and file of the trusted certificate */
};

/*
 * Check the module at @path (and the manifest at @manifest, may be NULL)
 * for the running kernel, in this order: signature (unsigned, malformed,
 * untrusted signer, changed content), module metadata (a livepatch built
 * by lp-build), manifest (readable, the module's SHA-256, the same patch
 * and target), target kernel (release, then version string).
 *
 * Returns LPB_EXIT_OK with @v filled, LPB_EXIT_VERIFY with the failed
 * check in @why (one line), or LPB_EXIT_ERROR when a file cannot be read.
 */
int verify_module(const struct lpctl *c, const char *path, const char *manifest, struct verified *v,
		  char *why, size_t why_len);
void verified_free(struct verified *v);

#endif /* LPCTL_VERIFY_H */
