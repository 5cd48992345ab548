// SPDX-License-Identifier: GPL-2.0-only
/* Compiled units shared between builds and targets: kbuild's compiler name
 * leads to ccache in a directory put first in PATH; ccache runs the real one. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "run.h"
#include "unitcache.h"
#include "util.h"

/* An executable named @name in PATH, or NULL. */
static char *which(const char *name)
{
	const char *path = getenv("PATH");
	char *copy, *dir, *save = NULL, *found = NULL;

	if (!path)
		return NULL;
	copy = xstrdup(path);
	for (dir = strtok_r(copy, ":", &save); dir && !found; dir = strtok_r(NULL, ":", &save)) {
		char *p = xasprintf("%s/%s", *dir ? dir : ".", name);

		if (!access(p, X_OK))
			found = real_path(p);
		free(p);
	}
	free(copy);
	return found;
}

/* @bin/@name -> @target, replaced atomically (other builds may be reading it). */
static int put_link(const char *bin, const char *name, const char *target)
{
	char *path = xasprintf("%s/%s", bin, name), *tmp, cur[4096];
	ssize_t n = readlink(path, cur, sizeof(cur) - 1);
	int ret = 0;

	if (n > 0 && (cur[n] = 0, !strcmp(cur, target))) {
		free(path);
		return 0;
	}
	tmp = xasprintf("%s.%d", path, (int)getpid());
	unlink(tmp);
	if (symlink(target, tmp) || rename(tmp, path)) {
		fprintf(stderr, "lp-build: cannot make %s a link to %s: %s\n", path, target,
			strerror(errno));
		unlink(tmp);
		ret = -1;
	}
	free(tmp);
	free(path);
	return ret;
}

static void off(struct unitcache *uc, char *why)
{
	uc->on = false;
	uc->why_off = why;
}

int unitcache_enable(struct unitcache *uc, const char *cache, const struct toolchain *tc)
{
	const char *env = getenv(UNITCACHE_ENV), *max = getenv(UNITCACHE_MAX_ENV);
	const char *names[] = { tc->cc, tc->hostcc };
	char *ccache, *bin, *path;

	*uc = (struct unitcache){ 0 };
	if (env && !strcmp(env, "0"))
		return 0;
	if (getenv("CCACHE_DISABLE")) {
		off(uc, xstrdup("CCACHE_DISABLE is set"));
		return 0;
	}
	if (tc->root) {
		off(uc, xstrdup("kbuild runs in a build root, which has no ccache"));
		return 0;
	}
	for (size_t i = 0; i < 2; i++)
		if (names[i] && strchr(names[i], '/')) {
			off(uc, xasprintf("the compiler is named by its path (%s), not found in PATH",
					  names[i]));
			return 0;
		}
	ccache = which("ccache");
	if (!ccache) {
		off(uc, xstrdup("ccache is not installed (apt-get install ccache)"));
		return 0;
	}
	uc->dir = xasprintf("%s/ccache", cache);
	bin = xasprintf("%s/bin", uc->dir);
	if (mkdir_p(bin)) {
		free(bin);
		free(ccache);
		return -1;
	}
	for (size_t i = 0; i < 2; i++)
		if (names[i] && put_link(bin, names[i], ccache)) {
			free(bin);
			free(ccache);
			return -1;
		}
	free(ccache);
	path = xasprintf("%s:%s", bin, getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
	setenv("PATH", path, 1);
	free(path);
	free(bin);
	setenv("CCACHE_DIR", uc->dir, 1);
	/* the preprocessed source decides, never the headers' paths and
	 * times alone (direct mode would miss a header that shadows another) */
	setenv("CCACHE_NODIRECT", "1", 1);
	/* trees are in different directories; the compilation directory is
	 * only in the objects' DWARF, which no livepatch carries */
	setenv("CCACHE_NOHASHDIR", "1", 1);
	setenv("CCACHE_COMPILERCHECK", "content", 1);
	setenv("CCACHE_MAXSIZE", max && *max ? max : UNITCACHE_DEFAULT_MAX, 1);
	unsetenv("CCACHE_PREFIX");
	unsetenv("CCACHE_BASEDIR");
	uc->log = xasprintf("%s/stats.%d.log", uc->dir, (int)getpid());
	unlink(uc->log);
	setenv("CCACHE_STATSLOG", uc->log, 1);
	uc->on = true;
	return 0;
}

char *unitcache_unavailable(void)
{
	const char *env = getenv(UNITCACHE_ENV);
	char *ccache;

	if (env && !strcmp(env, "0"))
		return xstrdup(UNITCACHE_ENV "=0");
	if (getenv("CCACHE_DISABLE"))
		return xstrdup("CCACHE_DISABLE is set");
	ccache = which("ccache");
	free(ccache);
	return ccache ? NULL : xstrdup("ccache is not installed (apt-get install ccache)");
}

void unitcache_mark(struct unitcache *uc)
{
	struct stat st;

	uc->mark = uc->on && !stat(uc->log, &st) ? st.st_size : 0;
}

static long unit_index(const struct units *u, const char *file)
{
	for (size_t i = 0; i < u->n; i++)
		if (!strcmp(u->v[i].src, file))
			return (long)i;
	return -1;
}

/*
 * The log holds one record per compiler run: "# INPUT" and then one
 * counter a line ("preprocessed_cache_hit", "cache_miss", ...). A unit
 * may be compiled twice in a phase (its recorded command checked in the
 * original view first, compile.c): its last run counts.
 */
size_t unitcache_hits(const struct unitcache *uc, const struct units *u)
{
	char *text, *line, *save = NULL;
	long cur = -1;
	size_t len, start, hits = 0;
	bool *hit;

	if (!uc->on || !(text = read_file(uc->log, &len)))
		return 0;
	hit = xcalloc(u->n + 1, sizeof(*hit));
	start = (size_t)uc->mark <= len ? (size_t)uc->mark : 0;
	for (line = strtok_r(text + start, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, "# ", 2)) {
			cur = unit_index(u, line + 2);
			if (cur >= 0)
				hit[cur] = false;
		} else if (cur >= 0 && (!strcmp(line, "preprocessed_cache_hit") ||
					!strcmp(line, "direct_cache_hit"))) {
			hit[cur] = true;
		}
	}
	for (size_t i = 0; i < u->n; i++)
		hits += hit[i];
	free(hit);
	free(text);
	return hits;
}

void unitcache_free(struct unitcache *uc)
{
	if (uc->log)
		unlink(uc->log);
	free(uc->log);
	free(uc->dir);
	free(uc->why_off);
	*uc = (struct unitcache){ 0 };
}

/* Run ccache with @args on @cache's ccache directory; its stdout in @out. */
static int ccache_on(const char *cache, const char *const *args, struct strbuf *out)
{
	char *dir = xasprintf("%s/ccache", cache), *ccache = which("ccache");
	struct strvec argv = { 0 };
	int rc = -1;

	if (!ccache || !is_dir(dir))
		goto out;
	/* the environment of this process only: `lp-build cache` runs no build */
	setenv("CCACHE_DIR", dir, 1);
	sv_push(&argv, ccache);
	for (size_t i = 0; args[i]; i++)
		sv_push(&argv, args[i]);
	rc = run_cmd((const char *const *)argv.v, NULL, out ? RUN_QUIET_STDERR : 0, out);
	sv_free(&argv);
out:
	free(ccache);
	free(dir);
	return rc;
}

int unitcache_usage(const char *cache, size_t *files, unsigned long long *bytes)
{
	static const char *const args[] = { "--print-stats", NULL };
	struct strbuf out = { 0 };
	unsigned long long kib = 0, n = 0;
	bool seen = false;

	if (ccache_on(cache, args, &out)) {
		sb_free(&out);
		return -1;
	}
	for (char *l = out.buf; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		if (sscanf(l, "files_in_cache %llu", &n) == 1)
			seen = true;
		sscanf(l, "cache_size_kibibyte %llu", &kib);
	}
	sb_free(&out);
	*files = n;
	*bytes = kib << 10;
	return seen ? 0 : -1;
}

int unitcache_clear(const char *cache)
{
	static const char *const args[] = { "--clear", NULL };
	char *dir = xasprintf("%s/ccache", cache);
	bool present = is_dir(dir);
	int rc;

	free(dir);
	if (!present)
		return 0;
	rc = ccache_on(cache, args, NULL);
	if (rc)
		fprintf(stderr, "lp-build cache: ccache --clear on %s/ccache failed (exit %d)\n",
			cache, rc);
	return rc ? -1 : 0;
}

int unitcache_trim(const char *cache, const char *size)
{
	static const char *const args[] = { "--cleanup", NULL };
	char *dir = xasprintf("%s/ccache", cache);
	bool present = is_dir(dir);
	int rc;

	free(dir);
	if (!present)
		return 0;
	/* ccache reads 0 as "no limit": there it means empty */
	if (!strcmp(size, "0"))
		return unitcache_clear(cache);
	setenv("CCACHE_MAXSIZE", size, 1);
	rc = ccache_on(cache, args, NULL);
	if (rc)
		fprintf(stderr, "lp-build cache: ccache --cleanup on %s/ccache failed (exit %d)\n",
			cache, rc);
	return rc ? -1 : 0;
}
