/* SPDX-License-Identifier: GPL-2.0-only */
/* The patch repository's index (index.json, doc/patch-repository.md): its
 * model, reader and writer, and the rules both sides follow: patch version
 * order, the phased-rollout bucket, which patch a machine takes. */
#ifndef LPB_REPO_INDEX_H
#define LPB_REPO_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define REPO_FORMAT "lp-build-patch-repository"
#define REPO_FORMAT_VERSION 1
#define REPO_INDEX "index.json"
#define REPO_SIG_DIR "signatures" /* signatures/<sha256 of index.json>.p7s */
#define REPO_INDEX_MAX (64u << 20)

/* One published build of a patch for one kernel. */
struct repo_patch {
	char *name; /* module name (the livepatch's sysfs name) */
	char *patch_version; /* ordered by repo_vercmp */
	char *sha256; /* of the module file, signature included */
	long long size; /* of the module file */
	char *date; /* when it was published, "YYYY-MM-DDTHH:MM:SSZ" */
	int rollout; /* 0..100: machines whose bucket is below it take it */
	bool replace; /* a cumulative (atomic replace) patch */
	char *module; /* path under the repository root; NULL once removed */
	char *manifest; /* lp-build's NAME.json beside it; NULL with module */
	char *manifest_sha256;
	char **fixes; /* the source patches' file names */
	size_t nr_fixes;
	bool revoked; /* machines must not run it: unload, never insert */
	char *revoked_date, *revoked_reason;
};

/* Everything published for one kernel build (release + version string). */
struct repo_kernel {
	char *release; /* uname -r */
	char *version; /* uname -v */
	char *label; /* ABI.BUILDNO-FLAVOUR, for people */
	struct repo_patch *patches; /* newest patch version first */
	size_t nr_patches;
};

struct repo_index {
	char *repository; /* 32 hex digits fixed when the repository was made */
	long long serial; /* +1 with every publication: older ones are refused */
	char *published; /* when this index was written */
	struct repo_kernel *kernels; /* by release, then version string */
	size_t nr_kernels;
};

/* Parse and check an index (untrusted until its signature verified, and
 * checked all the same): 0, -EBADMSG with a one-line reason, or -ENOMEM. */
int repo_index_parse(const char *text, size_t len, struct repo_index *idx, char *why,
		     size_t why_len);
/* The index as JSON (the form repo_index_parse reads). 0 or -EIO. */
int repo_index_write(FILE *f, const struct repo_index *idx);
void repo_index_free(struct repo_index *idx);
void repo_patch_free(struct repo_patch *p);

/* The kernel entry of @release and @version, or NULL. */
struct repo_kernel *repo_find_kernel(const struct repo_index *idx, const char *release,
				     const char *version);
/* Add an empty kernel entry, kept in order. NULL when out of memory. */
struct repo_kernel *repo_add_kernel(struct repo_index *idx, const char *release,
				    const char *version, const char *label);
/* Insert @p (taken over) in @k's list at its version's place. 0 or -ENOMEM. */
int repo_add_patch(struct repo_kernel *k, struct repo_patch *p);

/*
 * Order of patch versions: runs of digits compare as numbers, anything
 * else byte by byte ("2" < "10", "1.9" < "1.10", "3" < "3a"). <0, 0, >0.
 */
int repo_vercmp(const char *a, const char *b);

/* A machine's bucket (0..99) for one patch: stable for that machine, that
 * repository and that patch, and independent between patches. */
unsigned int repo_bucket(const char *machine_id, const char *repository, const char *release,
			 const char *patch_version);

/*
 * The patch a machine takes from @k: the newest one that is not revoked,
 * still has its module, and whose rollout covers the machine's bucket
 * (@fixed_bucket >= 0 overrides the hash). NULL when none. *@newest is the
 * newest patch that is not revoked and has its module (NULL when none) and
 * *@bucket the machine's bucket for it, to say why it was or was not taken.
 */
const struct repo_patch *repo_select(const struct repo_kernel *k, const char *machine_id,
				     const char *repository, int fixed_bucket,
				     const struct repo_patch **newest, unsigned int *bucket);

/* What may appear in a path: a kernel release or patch version
 * ([A-Za-z0-9._+~-], not starting with '.' or '-', at most 100 bytes). */
bool repo_safe_word(const char *s);
/* A relative path of safe words joined by '/'. */
bool repo_safe_path(const char *s);

/*
 * Read lp-build's manifest (NAME.json) into @p (name, patch_version,
 * replace, fixes, sha256, size) and the target it was built for (*@release,
 * *@version, *@label, malloc'd). 0, or -EBADMSG with a reason.
 */
int repo_patch_from_manifest(const char *text, size_t len, struct repo_patch *p, char **release,
			     char **version, char **label, char *why, size_t why_len);

#endif /* LPB_REPO_INDEX_H */
