// SPDX-License-Identifier: GPL-2.0-only
/* The prepared tree's cache of original objects and preprocessed digests:
 * valid while kbuild's recorded dependencies and the flags are unchanged. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "objcache.h"

/* 2: entries carry the make variables too (objtool per object) */
#define META_MAGIC "lp-build objcache 2\n"

struct dep_stat {
	struct lpb_hnode node;
	char *path;
	char line[96]; /* "size mtime" or "-" */
};

long long objcache_parse_size(const char *s)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || v < 0)
		return -1;
	switch (*end) {
	case 'k': case 'K': v *= 1024; end++; break;
	case 'm': case 'M': v *= 1024.0 * 1024; end++; break;
	case 'g': case 'G': v *= 1024.0 * 1024 * 1024; end++; break;
	case 't': case 'T': v *= 1024.0 * 1024 * 1024 * 1024; end++; break;
	}
	return *end ? -1 : (long long)v;
}

int objcache_open(struct objcache *c, const char *tree_dir, const char *lower,
		  const char *flags)
{
	const char *env = getenv(OBJCACHE_MAX_ENV);

	*c = (struct objcache){ .max_bytes = OBJCACHE_DEFAULT_MAX };
	if (env && *env) {
		long long v = objcache_parse_size(env);

		if (v < 0) {
			fprintf(stderr, "lp-build: %s=%s is not a size (e.g. 4G, 500M, 0)\n",
				OBJCACHE_MAX_ENV, env);
			return -1;
		}
		c->max_bytes = (unsigned long long)v;
	}
	c->dir = xasprintf("%s/objects", tree_dir);
	c->lower = xstrdup(lower);
	c->flags = xstrdup(flags);
	for (char *p = c->flags; *p; p++)
		if (*p == '\n')
			*p = ' ';
	return mkdir_p(c->dir);
}

void objcache_close(struct objcache *c)
{
	for (size_t b = 0; b < c->stats.nr_buckets; b++) {
		struct lpb_hnode *n = c->stats.buckets[b], *next;

		for (; n; n = next) {
			struct dep_stat *d = container_of(n, struct dep_stat, node);

			next = n->next;
			free(d->path);
			free(d);
		}
	}
	lpb_hash_free(&c->stats);
	free(c->dir);
	free(c->lower);
	free(c->flags);
	*c = (struct objcache){ 0 };
}

static const char *dep_line(struct objcache *c, const char *path)
{
	uint32_t h = lpb_str_hash(path);
	struct lpb_hnode *n;
	struct dep_stat *d;
	struct stat st;
	char *abs;

	lpb_hash_for_each_possible(&c->stats, n, h) {
		d = container_of(n, struct dep_stat, node);
		if (!strcmp(d->path, path))
			return d->line;
	}
	d = xcalloc(1, sizeof(*d));
	d->path = xstrdup(path);
	abs = path[0] == '/' ? xstrdup(path) : xasprintf("%s/%s", c->lower, path);
	if (stat(abs, &st))
		strcpy(d->line, "-");
	else
		snprintf(d->line, sizeof(d->line), "%lld %lld.%09ld", (long long)st.st_size,
			 (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	free(abs);
	lpb_hash_add(&c->stats, &d->node, h);
	return d->line;
}

/*
 * The state of what kbuild recorded in @cmd as the unit's inputs: its
 * source and every header it read ("$(wildcard include/config/...)" lines
 * follow the config, which is the tree's). Files outside the tree (the
 * compiler's own headers) belong to the compiler, part of the tree's key.
 */
static int deps_digest(struct objcache *c, const char *cmd, char out[65])
{
	struct strbuf sb = { 0 };
	const char *p = cmd;
	bool in_deps = false, any = false;
	size_t lower_len = strlen(c->lower);

	while (*p) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		char *line = strndup(p, len), *s = line, *e;
		bool cont;

		while (*s == ' ' || *s == '\t')
			s++;
		e = s + strlen(s);
		while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
			*--e = 0;
		cont = e > s && e[-1] == '\\';
		if (cont) {
			*--e = 0;
			while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
				*--e = 0;
		}
		if (!strncmp(s, "source_", 7) && strstr(s, ":= ")) {
			char *path = strstr(s, ":= ") + 3;

			sb_addf(&sb, "%s %s\n", path, dep_line(c, path));
			any = true;
		} else if (!strncmp(s, "deps_", 5) && strstr(s, ":=")) {
			in_deps = cont;
		} else if (in_deps) {
			if (*s && strncmp(s, "$(wildcard", 10) &&
			    (s[0] != '/' || !strncmp(s, c->lower, lower_len))) {
				sb_addf(&sb, "%s %s\n", s, dep_line(c, s));
				any = true;
			}
			in_deps = cont;
		}
		free(line);
		p += len + (eol ? 1 : 0);
	}
	if (any)
		sha256_hex(sb.buf, sb.len, out);
	sb_free(&sb);
	return any ? 0 : -1;
}

static char *entry_path(const struct objcache *c, const char *rel, const char *suffix)
{
	return xasprintf("%s/%s%s", c->dir, rel, suffix);
}

/* "KEY VALUE" of a meta file, or NULL. */
static char *meta_value(const char *meta, const char *key)
{
	size_t n = strlen(key);

	for (const char *p = meta; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, key, n) && p[n] == ' ')
			return strndup(p + n + 1, strcspn(p + n + 1, "\n"));
	return NULL;
}

/* The meta and .cmd of @rel when they are current; both malloc'ed. */
static bool entry_valid(struct objcache *c, const char *rel, char **meta_out, char **cmd_out)
{
	char *meta_path = entry_path(c, rel, ".meta"), *cmd_path = entry_path(c, rel, ".cmd");
	char *meta = NULL, *cmd = NULL, *flags = NULL, *deps = NULL, hex[65];
	bool ok = false;

	if (!path_exists(meta_path))
		goto out;
	meta = read_file(meta_path, NULL);
	cmd = meta ? read_file(cmd_path, NULL) : NULL;
	if (!cmd || strncmp(meta, META_MAGIC, strlen(META_MAGIC)))
		goto out;
	flags = meta_value(meta, "flags");
	deps = meta_value(meta, "deps");
	ok = flags && deps && !strcmp(flags, c->flags) && !deps_digest(c, cmd, hex) &&
	     !strcmp(hex, deps);
	if (ok)
		utimensat(AT_FDCWD, meta_path, NULL, 0); /* recently used */
out:
	if (ok) {
		*meta_out = meta;
		*cmd_out = cmd;
	} else {
		free(meta);
		free(cmd);
	}
	free(flags);
	free(deps);
	free(meta_path);
	free(cmd_path);
	return ok;
}

bool objcache_get(struct objcache *c, const char *obj, const char *dst, char **cmd)
{
	char *meta, *path, *size;
	struct stat st;
	bool ok;

	if (!c->max_bytes || !entry_valid(c, obj, &meta, cmd))
		return false;
	path = entry_path(c, obj, "");
	size = meta_value(meta, "size");
	/* a truncated object (the machine went down after the rename) is a miss */
	ok = size && !stat(path, &st) && (long long)st.st_size == atoll(size) &&
	     !link_or_copy(path, dst);
	if (ok)
		c->hits++;
	else {
		free(*cmd);
		*cmd = NULL;
	}
	free(size);
	free(path);
	free(meta);
	return ok;
}

/* A mark holds the meta it was made for: alone when the .cmd's command
 * made the object again, after "rule\n" when the rule in OBJ.recipe did,
 * after "no\n" when neither did. A newer entry voids any of them, and an
 * lp-build that knows only the first reads the others as not checked. */
#define REPLAY_NO_PREFIX "no\n"
#define REPLAY_RULE_PREFIX "rule\n"

/* @mark is @prefix then @meta */
static bool mark_is(const char *mark, const char *prefix, const char *meta)
{
	size_t n = strlen(prefix);

	return mark && !strncmp(mark, prefix, n) && !strcmp(mark + n, meta);
}

char *objcache_cmd(struct objcache *c, const char *obj, enum objcache_replay *replay,
		   char **recipe)
{
	char *meta, *cmd, *path, *mark;

	*replay = OBJCACHE_REPLAY_UNKNOWN;
	*recipe = NULL;
	if (!c->max_bytes || !entry_valid(c, obj, &meta, &cmd))
		return NULL;
	path = entry_path(c, obj, ".replay");
	mark = path_exists(path) ? read_file(path, NULL) : NULL;
	if (mark_is(mark, "", meta)) {
		*replay = OBJCACHE_REPLAY_YES;
	} else if (mark_is(mark, REPLAY_RULE_PREFIX, meta)) {
		free(path);
		/* written before the mark */
		path = entry_path(c, obj, ".recipe");
		*recipe = path_exists(path) ? read_file(path, NULL) : NULL;
		*replay = *recipe ? OBJCACHE_REPLAY_YES : OBJCACHE_REPLAY_UNKNOWN;
	} else if (mark_is(mark, REPLAY_NO_PREFIX, meta)) {
		*replay = OBJCACHE_REPLAY_NO;
	}
	free(mark);
	free(path);
	free(meta);
	return cmd;
}

char *objcache_object_path(const struct objcache *c, const char *obj)
{
	return entry_path(c, obj, "");
}

int objcache_mark_replay(struct objcache *c, const char *obj, bool same_bytes,
			 const char *recipe)
{
	char *meta_path = entry_path(c, obj, ".meta"), *path = entry_path(c, obj, ".replay");
	char *meta = read_file(meta_path, NULL), *mark, *rpath = entry_path(c, obj, ".recipe");
	int ret = -1;

	int bad = recipe && same_bytes ? write_file_atomic(rpath, recipe, strlen(recipe), 0644) :
					 unlink(rpath) && errno != ENOENT;

	if (bad) {
		fprintf(stderr, "lp-build: cannot write %s: %s\n", rpath, strerror(errno));
		free(meta);
		meta = NULL;
	}
	free(rpath);
	if (meta) {
		mark = xasprintf("%s%s", !same_bytes ? REPLAY_NO_PREFIX :
					 recipe	   ? REPLAY_RULE_PREFIX :
						     "", meta);
		ret = write_file_atomic(path, mark, strlen(mark), 0644);
		free(mark);
	}
	free(meta);
	free(meta_path);
	free(path);
	return ret;
}

/* Write @meta, then rename the files in (the meta last: it makes the entry). */
static int commit(struct objcache *c, const char *rel, const char *obj_path, const char *cmd_path,
		  const char *meta)
{
	/* two builds may keep the same unit at once: their own temporaries */
	char *sfx = xasprintf(".tmp.%d", (int)getpid()), *csfx = xasprintf(".cmd%s", sfx);
	char *tmp_obj = NULL, *tmp_cmd = entry_path(c, rel, csfx);
	char *dst_cmd = entry_path(c, rel, ".cmd"), *dst_meta = entry_path(c, rel, ".meta");
	char *dst_obj = NULL;
	int ret;

	ret = link_or_copy(cmd_path, tmp_cmd);
	if (!ret && obj_path) {
		tmp_obj = entry_path(c, rel, sfx);
		dst_obj = entry_path(c, rel, "");
		ret = link_or_copy(obj_path, tmp_obj) || rename(tmp_obj, dst_obj);
	}
	ret = ret || rename(tmp_cmd, dst_cmd) ||
	      write_file_atomic(dst_meta, meta, strlen(meta), 0644);
	if (ret) {
		unlink(tmp_cmd);
		if (tmp_obj)
			unlink(tmp_obj);
	}
	free(sfx);
	free(csfx);
	free(tmp_obj);
	free(tmp_cmd);
	free(dst_obj);
	free(dst_cmd);
	free(dst_meta);
	return ret;
}

int objcache_put(struct objcache *c, const char *obj, const char *obj_path, const char *cmd_path)
{
	char *cmd, *meta, hex[65];
	struct stat st;
	int ret;

	if (!c->max_bytes)
		return 0;
	cmd = read_file(cmd_path, NULL);
	if (!cmd || stat(obj_path, &st) || deps_digest(c, cmd, hex)) {
		free(cmd);
		return 0; /* nothing to validate it by: not kept */
	}
	meta = xasprintf("%sflags %s\ndeps %s\nsize %lld\n", META_MAGIC, c->flags, hex,
			 (long long)st.st_size);
	ret = commit(c, obj, obj_path, cmd_path, meta);
	if (!ret)
		c->stored++;
	free(meta);
	free(cmd);
	return ret;
}

bool objcache_get_digest(struct objcache *c, const char *unit, char digest[65])
{
	char *meta, *cmd, *d;
	bool ok;

	if (!c->max_bytes || !entry_valid(c, unit, &meta, &cmd))
		return false;
	d = meta_value(meta, "digest");
	ok = d && strlen(d) == 64;
	if (ok) {
		memcpy(digest, d, 65);
		c->hits++;
	}
	free(d);
	free(meta);
	free(cmd);
	return ok;
}

int objcache_put_digest(struct objcache *c, const char *unit, const char *cmd_path,
			const char *digest)
{
	char *cmd, *meta, hex[65];
	int ret;

	if (!c->max_bytes)
		return 0;
	cmd = read_file(cmd_path, NULL);
	if (!cmd || deps_digest(c, cmd, hex)) {
		free(cmd);
		return 0;
	}
	meta = xasprintf("%sflags %s\ndeps %s\ndigest %s\n", META_MAGIC, c->flags, hex, digest);
	ret = commit(c, unit, NULL, cmd_path, meta);
	free(meta);
	free(cmd);
	return ret;
}

/* ---- size ---- */

struct entry_age {
	char *meta;
	double used;
};

struct walk {
	unsigned long long bytes;
	size_t entries;
	struct entry_age *v;
	size_t n, cap;
	bool collect;
};

static struct walk *walk_ctx;

static int visit(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	struct walk *w = walk_ctx;

	if (flag != FTW_F)
		return 0;
	w->bytes += (unsigned long long)st->st_blocks * 512;
	if (!has_suffix(path, ".meta"))
		return 0;
	w->entries++;
	if (!w->collect)
		return 0;
	if (w->n == w->cap) {
		w->cap = w->cap ? 2 * w->cap : 256;
		w->v = xrealloc(w->v, w->cap * sizeof(*w->v));
	}
	w->v[w->n++] = (struct entry_age){
		.meta = xstrdup(path),
		.used = st->st_mtim.tv_sec + st->st_mtim.tv_nsec / 1e9,
	};
	return 0;
}

static void walk(const char *dir, struct walk *w)
{
	walk_ctx = w;
	nftw(dir, visit, 32, FTW_PHYS);
	walk_ctx = NULL;
}

void objcache_usage(const char *dir, size_t *entries, unsigned long long *bytes)
{
	struct walk w = { 0 };

	if (is_dir(dir))
		walk(dir, &w);
	*entries = w.entries;
	*bytes = w.bytes;
}

static int by_age(const void *a, const void *b)
{
	const struct entry_age *x = a, *y = b;

	return x->used < y->used ? -1 : x->used > y->used;
}

/* Remove one entry, its meta first (no reader trusts the rest after that). */
static unsigned long long drop_entry(const char *meta)
{
	size_t n = strlen(meta) - strlen(".meta");
	char *base = strndup(meta, n), *cmd = xasprintf("%s.cmd", base);
	unsigned long long freed = 0;
	char *replay = xasprintf("%s.replay", base), *recipe = xasprintf("%s.recipe", base);
	const char *files[] = { meta, base, cmd, replay, recipe };
	struct stat st;

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		if (!lstat(files[i], &st) && !unlink(files[i]))
			freed += (unsigned long long)st.st_blocks * 512;
	}
	free(base);
	free(cmd);
	free(replay);
	free(recipe);
	return freed;
}

size_t objcache_trim_dir(const char *dir, unsigned long long max_bytes,
			 unsigned long long target)
{
	struct walk w = { .collect = true };
	size_t dropped = 0;

	if (!is_dir(dir))
		return 0;
	walk(dir, &w);
	if (w.bytes > max_bytes) {
		/* least recently used first: objcache_get touches the meta */
		qsort(w.v, w.n, sizeof(*w.v), by_age);
		for (size_t i = 0; i < w.n && (w.bytes > target || !target); i++) {
			unsigned long long freed = drop_entry(w.v[i].meta);

			w.bytes = freed < w.bytes ? w.bytes - freed : 0;
			dropped++;
		}
	}
	for (size_t i = 0; i < w.n; i++)
		free(w.v[i].meta);
	free(w.v);
	return dropped;
}

void objcache_trim(struct objcache *c)
{
	/* down to 80%: not a walk of the whole cache after every build */
	objcache_trim_dir(c->dir, c->max_bytes, c->max_bytes / 10 * 8);
}
