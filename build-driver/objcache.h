/* SPDX-License-Identifier: GPL-2.0-only */
/* What compiling or preprocessing an original unit gave, kept per prepared
 * tree so no build compiles the same original twice (evicted by size). */
#ifndef LPB_BUILD_OBJCACHE_H
#define LPB_BUILD_OBJCACHE_H

#include <stdbool.h>

#include "hash.h"
#include "util.h"

/*
 * An entry is valid while the files kbuild recorded as its dependencies
 * (the .cmd file's deps list: the source and every header it read) are
 * unchanged, with the same flags: a pure function of the prepared tree,
 * the unit, the flags and the compiler (the tree's key).
 */
struct objcache {
	char *dir; /* CACHE/trees/<key>/objects */
	char *lower; /* the prepared tree: dependency paths are relative to it */
	char *flags; /* KCFLAGS and make variables the entries were made with */
	unsigned long long max_bytes; /* eviction threshold */
	struct lpb_hash stats; /* dependency file -> its stat, once per build */
	size_t hits, stored;
};

/* Default size limit per prepared tree, and the variable that changes it. */
#define OBJCACHE_DEFAULT_MAX (4ULL << 30)
#define OBJCACHE_MAX_ENV "LPB_OBJECT_CACHE_MAX"

/* "4G", "500M", "0" (no cache): the limit, or -1 for a bad value. */
long long objcache_parse_size(const char *s);

int objcache_open(struct objcache *c, const char *tree_dir, const char *lower,
		  const char *flags);
void objcache_close(struct objcache *c);

/*
 * The cached original object of @obj ("fs/proc/cmdline.o"), linked (or
 * copied) to @dst, and kbuild's .cmd file of it in *@cmd (malloc'ed).
 * true on a hit; false when absent or stale (nothing written).
 */
bool objcache_get(struct objcache *c, const char *obj, const char *dst, char **cmd);

/* Keep the object kbuild just made (@obj_path, with its .cmd file @cmd_path). */
int objcache_put(struct objcache *c, const char *obj, const char *obj_path, const char *cmd_path);

/* What running an entry's recorded command was seen to do (recipe.h). */
enum objcache_replay {
	OBJCACHE_REPLAY_UNKNOWN, /* not tried for this entry yet */
	OBJCACHE_REPLAY_YES,	 /* it made the cached object again, byte for byte */
	OBJCACHE_REPLAY_NO,	 /* it failed, or made other bytes */
};

/*
 * kbuild's .cmd text of @obj's valid entry (malloc'ed), or NULL; *@replay
 * what running its recorded command was seen to do for this entry
 * (objcache_mark_replay; a newer entry of the unit starts unknown again),
 * and when that was a command other than the .cmd's own (kbuild's rule
 * as make printed it, recipe.h), that command in *@recipe (else NULL).
 */
char *objcache_cmd(struct objcache *c, const char *obj, enum objcache_replay *replay,
		   char **recipe);
/* Keep what running @recipe (NULL: the .cmd's own command) was seen to do. */
int objcache_mark_replay(struct objcache *c, const char *obj, bool same_bytes,
			 const char *recipe);
/* Where the entry's object is (malloc'ed; it may not exist). */
char *objcache_object_path(const struct objcache *c, const char *obj);

/* The digest of @unit's preprocessed original ("net/core/dev.i"), or false. */
bool objcache_get_digest(struct objcache *c, const char *unit, char digest[65]);
int objcache_put_digest(struct objcache *c, const char *unit, const char *cmd_path,
			const char *digest);

/* Evict least recently used entries until the cache is under its limit. */
void objcache_trim(struct objcache *c);

/*
 * The same for the objects directory @dir of any tree: when it holds more
 * than @max_bytes, evict least recently used entries until it holds
 * @target (0: every entry). A build using an evicted entry meanwhile
 * compiles it again. Returns how many entries went.
 */
size_t objcache_trim_dir(const char *dir, unsigned long long max_bytes,
			 unsigned long long target);

/* Entries and bytes under @dir (a tree's objects directory). */
void objcache_usage(const char *dir, size_t *entries, unsigned long long *bytes);

#endif /* LPB_BUILD_OBJCACHE_H */
