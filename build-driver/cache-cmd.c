// SPDX-License-Identifier: GPL-2.0-only
/* lp-build cache: what the caches of compiled units hold (each prepared
 * tree's object cache, the shared unit cache), and clearing or trimming them. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cache-cmd.h"
#include "exit-codes.h"
#include "json.h"
#include "linkcache.h"
#include "objcache.h"
#include "unitcache.h"
#include "util.h"

static const char usage_text[] =
	"usage: lp-build cache [--cache DIR] [--json]\n"
	"       lp-build cache --clear [--tree KEY] [--cache DIR]\n"
	"       lp-build cache --trim SIZE [--tree KEY] [--cache DIR]\n"
	"\n"
	"Compiled original units are kept so no build compiles one twice: first in\n"
	"each prepared tree's object cache (original objects, preprocessed digests),\n"
	"then in the unit cache (ccache in DIR/ccache), shared between trees and\n"
	"targets. Without options: each tree's source, release and object cache,\n"
	"and the unit cache (entries, size).\n"
	"  --clear       remove every entry and the trees' linked modules (with\n"
	"                --tree: of the tree KEY only, the shared unit cache is\n"
	"                left alone)\n"
	"  --trim SIZE   evict least recently used entries down to SIZE (500M, 2G),\n"
	"                in each tree's object cache and in the unit cache\n"
	"  --json        the listing as JSON\n"
	"Builds evict by themselves above " OBJCACHE_MAX_ENV " (default 4G per tree)\n"
	"and " UNITCACHE_MAX_ENV " (default " UNITCACHE_DEFAULT_MAX ").\n";

struct tree_entry {
	char *key, *src, *release, *objects;
	size_t entries;
	unsigned long long bytes;
	double used; /* when a build last used the tree (its lock file) */
};

/* "KEY VALUE" of the tree's info file. */
static char *info_value(const char *info, const char *key)
{
	size_t n = strlen(key);

	for (const char *p = info; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, key, n) && p[n] == ' ')
			return strndup(p + n + 1, strcspn(p + n + 1, "\n"));
	return NULL;
}

static int by_key(const void *a, const void *b)
{
	return strcmp(((const struct tree_entry *)a)->key, ((const struct tree_entry *)b)->key);
}

/* The prepared trees under @cache (only @only when given). */
static size_t list_trees(const char *cache, const char *only, struct tree_entry **out)
{
	char *dir = xasprintf("%s/trees", cache);
	DIR *d = opendir(dir);
	struct tree_entry *v = NULL;
	struct dirent *e;
	size_t n = 0;

	while (d && (e = readdir(d))) {
		char *tdir, *info_path, *info, *lock;
		struct tree_entry *t;
		struct stat st;

		if (e->d_name[0] == '.' || (only && strcmp(e->d_name, only)))
			continue;
		tdir = xasprintf("%s/%s", dir, e->d_name);
		if (!is_dir(tdir)) {
			free(tdir);
			continue;
		}
		v = xrealloc(v, (n + 1) * sizeof(*v));
		t = &v[n++];
		*t = (struct tree_entry){ .key = xstrdup(e->d_name) };
		info_path = xasprintf("%s/info", tdir);
		info = path_exists(info_path) ? read_file(info_path, NULL) : NULL;
		t->src = info ? info_value(info, "src") : NULL;
		t->release = info ? info_value(info, "release") : NULL;
		t->objects = xasprintf("%s/objects", tdir);
		objcache_usage(t->objects, &t->entries, &t->bytes);
		lock = xasprintf("%s/lock", tdir);
		if (!stat(lock, &st))
			t->used = st.st_mtim.tv_sec;
		free(lock);
		free(info);
		free(info_path);
		free(tdir);
	}
	if (d)
		closedir(d);
	free(dir);
	if (n)
		qsort(v, n, sizeof(*v), by_key);
	*out = v;
	return n;
}

static void trees_free(struct tree_entry *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].key);
		free(v[i].src);
		free(v[i].release);
		free(v[i].objects);
	}
	free(v);
}

static void human_size(char *buf, size_t len, unsigned long long b)
{
	if (b >= 1ULL << 30)
		snprintf(buf, len, "%.1fG", b / (double)(1ULL << 30));
	else if (b >= 1ULL << 20)
		snprintf(buf, len, "%.1fM", b / (double)(1ULL << 20));
	else
		snprintf(buf, len, "%lluK", b >> 10);
}

static void show(const char *cache, struct tree_entry *v, size_t n, bool json)
{
	unsigned long long total = 0, ubytes = 0;
	size_t entries = 0, ufiles = 0;
	bool unit = !unitcache_usage(cache, &ufiles, &ubytes);
	char size[32];

	if (json) {
		struct json_writer w = { .f = stdout };

		jw_begin_object(&w, NULL);
		jw_string(&w, "cache", cache);
		jw_begin_array(&w, "trees");
		for (size_t i = 0; i < n; i++) {
			jw_begin_object(&w, NULL);
			jw_string(&w, "key", v[i].key);
			jw_string(&w, "source", v[i].src);
			jw_string(&w, "release", v[i].release);
			jw_int(&w, "object_entries", (long long)v[i].entries);
			jw_int(&w, "object_bytes", (long long)v[i].bytes);
			jw_end_object(&w);
		}
		jw_end_array(&w);
		if (unit) {
			char *dir = xasprintf("%s/ccache", cache);

			jw_begin_object(&w, "unit_cache");
			jw_string(&w, "dir", dir);
			free(dir);
			jw_int(&w, "files", (long long)ufiles);
			jw_int(&w, "bytes", (long long)ubytes);
			jw_end_object(&w);
		} else {
			jw_null(&w, "unit_cache");
		}
		jw_end_object(&w);
		putchar('\n');
		return;
	}
	printf("%-16s  %-30s  %8s  %8s  %s\n", "TREE", "RELEASE", "OBJECTS", "SIZE", "SOURCE");
	for (size_t i = 0; i < n; i++) {
		human_size(size, sizeof(size), v[i].bytes);
		printf("%-16s  %-30s  %8zu  %8s  %s\n", v[i].key,
		       v[i].release ? v[i].release : "-", v[i].entries, size,
		       v[i].src ? v[i].src : "(not prepared)");
		total += v[i].bytes;
		entries += v[i].entries;
	}
	human_size(size, sizeof(size), total);
	printf("%zu tree(s) in %s/trees: %zu cached object(s), %s\n", n, cache, entries, size);
	if (unit) {
		human_size(size, sizeof(size), ubytes);
		printf("unit cache %s/ccache (shared by every tree): %zu file(s), %s\n", cache,
		       ufiles, size);
	} else {
		char *why = unitcache_unavailable();

		printf("unit cache %s/ccache: none (%s)\n", cache,
		       why ? why : "no build has used it yet");
		free(why);
	}
}

int cache_main(int argc, char **argv, const char *default_cache)
{
	const char *cache = default_cache, *only = NULL, *trim = NULL;
	bool json = false, clear = false;
	struct tree_entry *v;
	long long max = 0;
	int rc = 0;
	size_t n;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			json = true;
		} else if (!strcmp(argv[i], "--clear")) {
			clear = true;
		} else if (!strcmp(argv[i], "--trim") && i + 1 < argc) {
			trim = argv[++i];
		} else if (!strcmp(argv[i], "--tree") && i + 1 < argc) {
			only = argv[++i];
		} else if (!strcmp(argv[i], "--cache") && i + 1 < argc) {
			cache = argv[++i];
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			fputs(usage_text, stdout);
			return 0;
		} else {
			fputs(usage_text, stderr);
			return LPB_EXIT_ERROR;
		}
	}
	if (clear && trim) {
		fprintf(stderr, "lp-build cache: --clear or --trim, not both\n");
		return LPB_EXIT_ERROR;
	}
	if (trim && (max = objcache_parse_size(trim)) < 0) {
		fprintf(stderr, "lp-build cache: --trim %s is not a size (e.g. 500M, 2G)\n", trim);
		return LPB_EXIT_ERROR;
	}
	n = list_trees(cache, only, &v);
	if (only && !n) {
		fprintf(stderr, "lp-build cache: no prepared tree %s in %s/trees (lp-build cache "
			"lists them)\n", only, cache);
		return LPB_EXIT_ERROR;
	}
	if (clear || trim) {
		size_t dropped = 0;

		/* entries go meta first: a build reading one meanwhile misses
		 * and compiles that unit again, it never takes half an entry */
		for (size_t i = 0; i < n; i++)
			dropped += objcache_trim_dir(v[i].objects, (unsigned long long)max,
						     (unsigned long long)max);
		fprintf(stderr, "lp-build cache: removed %zu entr%s of the object cache%s\n",
			dropped, dropped == 1 ? "y" : "ies", n == 1 ? "" : "s");
		if (clear) {
			size_t links = 0;

			for (size_t i = 0; i < n; i++) {
				char *tdir = xstrdup(v[i].objects);

				*strrchr(tdir, '/') = 0;
				links += linkcache_clear(tdir);
				free(tdir);
			}
			if (links)
				fprintf(stderr, "lp-build cache: removed %zu linked module%s (the "
					"trees' link caches)\n", links, links == 1 ? "" : "s");
		}
		/* the unit cache is shared: a --tree of one tree leaves it */
		if (!only && (clear ? unitcache_clear(cache) : unitcache_trim(cache, trim)))
			rc = LPB_EXIT_ERROR;
		trees_free(v, n);
		n = list_trees(cache, only, &v);
	}
	show(cache, v, n, json);
	trees_free(v, n);
	return rc;
}
