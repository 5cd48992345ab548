/* SPDX-License-Identifier: GPL-2.0-only */
/* `lp-build publish`: add built modules to a signed, static patch repository
 * (doc/patch-repository.md). publish.c plans the new index; repo-store.c
 * reads, locks and writes the repository on disk. */
#ifndef LPB_BUILD_PUBLISH_H
#define LPB_BUILD_PUBLISH_H

#include <stdbool.h>

#include "repo-index.h"
#include "util.h"

struct publish_opts {
	const char *outdir; /* built modules to add (NULL: none) */
	const char *repo;
	const char *key, *cert, *hash; /* the index's signing key */
	struct strvec trust; /* other certificates the existing index may be signed by */
	struct strvec revoke; /* RELEASE[:VERSION] */
	struct strvec only; /* RELEASE[:VERSION] whose rollout --rollout changes */
	const char *reason; /* recorded with revocations */
	int rollout; /* -1 when not given */
	bool dry_run, quiet;
};

/* A module of OUTDIR about to be published. */
struct addition {
	char *ko, *json; /* source files */
	char *release, *version, *label;
	struct repo_patch p; /* module/manifest paths set when planned */
};

struct publish {
	const struct publish_opts *o;
	int lock_fd;
	bool had_index; /* the repository had an index (old is valid) */
	struct repo_index old; /* as published (signature verified) */
	char old_sha[65];
	struct repo_index idx; /* as it will be */
	struct addition *adds;
	size_t nr_adds;
	int changes; /* lines of "what changed" printed */
	char now[32];
};

/* ---- repo-store.c ---- */

/* Create REPO if needed and take its lock (waiting, with a note). 0 or -1. */
int repo_lock(struct publish *pb);
void repo_unlock(struct publish *pb);
/* Read REPO/index.json and verify its signature against --cert and --trust;
 * absent: had_index = false. 0, or -1 after a message. */
int repo_load(struct publish *pb);
/* Copy the additions' modules and manifests into place, then sign and
 * write the index (signature first, index last, by rename). 0 or -1. */
int repo_write(struct publish *pb, char sha[65]);
/* Remove module directories and signatures that neither the new nor the
 * previous index names, once they are 10 minutes old. Returns how many
 * module directories went. */
int repo_prune(struct publish *pb, const char *new_sha);

/* `lp-build publish ...`: an exit code. */
int publish_main(int argc, char **argv);

#endif /* LPB_BUILD_PUBLISH_H */
