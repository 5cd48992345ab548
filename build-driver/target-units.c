// SPDX-License-Identifier: GPL-2.0-only
/* What the target kernel was compiled from, from the names of the DWARF
 * compile units of its vmlinux and modules, cached per target binary. */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dwarf-cus.h"
#include "target-units.h"

/* Bump when the index files change. */
#define INDEX_FORMAT 1
#define INDEX_MAGIC "lp-build cu-index"

struct tu_entry {
	struct lpb_hnode node; /* by src */
	char *src;
};

static void add_src(struct target_units *t, const char *src)
{
	struct tu_entry *e;

	if (target_units_has(t, src))
		return;
	e = xcalloc(1, sizeof(*e));
	e->src = xstrdup(src);
	lpb_hash_add(&t->by_src, &e->node, lpb_str_hash(src));
}

bool target_units_has(const struct target_units *t, const char *src)
{
	struct lpb_hnode *n;

	lpb_hash_for_each_possible(&t->by_src, n, lpb_str_hash(src))
		if (!strcmp(container_of(n, struct tu_entry, node)->src, src))
			return true;
	return false;
}

/*
 * CU names as the compiler recorded them: relative ("fs/x.c", "./fs/x.c")
 * or, for a build with O=, through the source directory, whatever its
 * spelling. vmlinux always has init/main.c: what stands before it is that
 * spelling, and it is the same for the modules of the same build.
 */
struct cu_walk {
	char *prefix; /* before "init/main.c"; NULL until found */
	struct strvec srcs; /* relative sources */
	size_t foreign; /* names outside the source tree */
};

static int find_prefix(const char *name, void *arg)
{
	struct cu_walk *w = arg;
	size_t n = strlen(name), m = strlen("init/main.c");

	if (n >= m && !strcmp(name + n - m, "init/main.c") && (n == m || name[n - m - 1] == '/')) {
		w->prefix = strndup(name, n - m);
		return 1;
	}
	return 0;
}

static int note_cu(const char *name, void *arg)
{
	struct cu_walk *w = arg;
	size_t pl = w->prefix ? strlen(w->prefix) : 0;

	if (pl && !strncmp(name, w->prefix, pl))
		name += pl;
	else if (!strncmp(name, "./", 2))
		name += 2;
	else if (name[0] == '/' || !strncmp(name, "../", 3))
		w->foreign++;
	if (!has_suffix(name, ".mod.c"))
		sv_push(&w->srcs, name);
	return 0;
}

static char *target_key(const char *vmlinux)
{
	struct strbuf sb = { 0 };
	struct stat st;
	char hex[65];

	if (stat(vmlinux, &st))
		return NULL;
	sb_addf(&sb, "format %d\nvmlinux %s %lld %lld %llu\n", INDEX_FORMAT, vmlinux,
		(long long)st.st_size, (long long)st.st_mtime, (unsigned long long)st.st_ino);
	sha256_hex(sb.buf, sb.len, hex);
	hex[16] = 0;
	sb_free(&sb);
	return xstrdup(hex);
}

/* "lp-build cu-index 1\n" then KEY\tVALUE lines; NULL when absent or stale. */
static char *read_index(const char *path)
{
	char *text, *magic = xasprintf("%s %d\n", INDEX_MAGIC, INDEX_FORMAT);
	bool ok;

	if (!path_exists(path)) {
		free(magic);
		return NULL;
	}
	text = read_file(path, NULL);
	ok = text && !strncmp(text, magic, strlen(magic));
	free(magic);
	if (!ok) {
		free(text);
		return NULL;
	}
	return text;
}

/* Each "KEY\tVALUE" line of @text after the first, to @fn. */
static void each_line(char *text, void (*fn)(struct target_units *t, const char *key,
					      const char *value), struct target_units *t)
{
	char *line, *save = NULL;

	line = strtok_r(text, "\n", &save); /* the magic line */
	for (line = strtok_r(NULL, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *tab = strchr(line, '\t');

		if (!tab)
			continue;
		*tab = 0;
		fn(t, line, tab + 1);
	}
}

static void vmlinux_line(struct target_units *t, const char *key, const char *value)
{
	if (!strcmp(key, "unit"))
		add_src(t, value);
	else if (!strcmp(key, "names"))
		t->names_known = !strcmp(value, "relative");
}

static int index_vmlinux(struct target_units *t, const char *path)
{
	struct cu_walk w = { 0 };
	struct strbuf sb = { 0 };
	int rc;

	lpb_dwarf_cu_names(t->vmlinux, find_prefix, &w);
	rc = lpb_dwarf_cu_names(t->vmlinux, note_cu, &w);
	if (rc < 0) {
		fprintf(stderr, "lp-build: %s has no DWARF: cannot tell which sources the target "
			"is built from; use the debug vmlinux\n", t->vmlinux);
		free(w.prefix);
		sv_free(&w.srcs);
		return -1;
	}
	/* names we cannot place in the tree: better no answer than a wrong one */
	t->names_known = w.srcs.n && w.foreign * 2 < w.srcs.n;
	sb_addf(&sb, "%s %d\nnames\t%s\n", INDEX_MAGIC, INDEX_FORMAT,
		t->names_known ? "relative" : "unknown");
	for (size_t i = 0; i < w.srcs.n; i++) {
		add_src(t, w.srcs.v[i]);
		sb_addf(&sb, "unit\t%s\n", w.srcs.v[i]);
	}
	if (w.prefix)
		sb_addf(&sb, "prefix\t%s\n", w.prefix);
	rc = write_file_atomic(path, sb.buf, sb.len, 0644);
	sb_free(&sb);
	sv_free(&w.srcs);
	free(w.prefix);
	return rc;
}

int target_units_open(struct target_units *t, const char *cache, const char *vmlinux,
		      const char *modules)
{
	char *key, *path, *text;
	int ret = 0;

	*t = (struct target_units){ 0 };
	t->vmlinux = real_path(vmlinux);
	t->modules = modules ? xstrdup(modules) : NULL;
	key = t->vmlinux ? target_key(t->vmlinux) : NULL;
	if (!key)
		return -1;
	t->dir = xasprintf("%s/cu-index/%s", cache, key);
	free(key);
	if (mkdir_p(t->dir))
		return -1;
	path = xasprintf("%s/vmlinux", t->dir);
	text = read_index(path);
	if (text)
		each_line(text, vmlinux_line, t);
	else
		ret = index_vmlinux(t, path);
	free(text);
	free(path);
	return ret;
}

/* ---- modules: every .ko under the modules directory ---- */

struct ko_walk {
	struct target_units *t;
	struct strbuf out; /* the index being written */
	char *prefix;
	size_t done;
	double t0, last_report;
};

static struct ko_walk *ko_walk_ctx;

static int visit_ko(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	struct ko_walk *k = ko_walk_ctx;
	struct cu_walk w = { .prefix = k->prefix };
	char *name;
	int rc;

	if (flag != FTW_F || !has_suffix(path, ".ko"))
		return 0;
	name = strndup(path + ftw->base, strlen(path + ftw->base) - 3);
	for (char *p = name; *p; p++)
		if (*p == '-')
			*p = '_';
	k->t->nr_modules++;
	rc = lpb_dwarf_cu_names(path, note_cu, &w);
	if (rc < 0) {
		sv_push(&k->t->nodwarf, name);
		sb_addf(&k->out, "nodwarf\t%s\n", name);
	}
	for (size_t i = 0; i < w.srcs.n; i++) {
		add_src(k->t, w.srcs.v[i]);
		sb_addf(&k->out, "unit\t%s\n", w.srcs.v[i]);
	}
	sv_free(&w.srcs);
	free(name);
	/* a distribution has thousands of modules: say that we are busy */
	if (now_seconds() - k->last_report > 10) {
		k->last_report = now_seconds();
		fprintf(stderr, "lp-build: ... %zu modules read\n", k->t->nr_modules);
	}
	return 0;
}

static void modules_line(struct target_units *t, const char *key, const char *value)
{
	if (!strcmp(key, "unit"))
		add_src(t, value);
	else if (!strcmp(key, "nodwarf"))
		sv_push(&t->nodwarf, value);
	else if (!strcmp(key, "modules"))
		t->nr_modules = strtoul(value, NULL, 10);
}

/* The vmlinux index keeps the prefix the modules' names share. */
char *target_units_prefix(const struct target_units *t)
{
	char *path = xasprintf("%s/vmlinux", t->dir), *text = read_index(path), *p, *r = NULL;

	free(path);
	p = text ? strstr(text, "\nprefix\t") : NULL;
	if (p) {
		p += strlen("\nprefix\t");
		r = strndup(p, strcspn(p, "\n"));
	}
	free(text);
	return r;
}

int target_units_load_modules(struct target_units *t)
{
	struct ko_walk k = { .t = t };
	char *path, *text, *real;
	int ret = 0;

	if (t->modules_loaded || !t->modules)
		return 0;
	t->modules_loaded = true;
	real = real_path(t->modules);
	if (!real)
		return -1;
	/* one index per modules directory of this vmlinux */
	{
		char hex[65], *name;

		sha256_hex(real, strlen(real), hex);
		hex[16] = 0;
		name = xasprintf("modules-%s", hex);
		path = xasprintf("%s/%s", t->dir, name);
		free(name);
	}
	text = read_index(path);
	if (text) {
		each_line(text, modules_line, t);
		goto out;
	}
	fprintf(stderr, "lp-build: indexing the sources of the modules under %s (once for "
		"this target) ...\n", real);
	k.prefix = target_units_prefix(t);
	k.t0 = k.last_report = now_seconds();
	sb_addf(&k.out, "%s %d\n", INDEX_MAGIC, INDEX_FORMAT);
	ko_walk_ctx = &k;
	nftw(real, visit_ko, 32, FTW_PHYS);
	ko_walk_ctx = NULL;
	sb_addf(&k.out, "modules\t%zu\n", t->nr_modules);
	ret = write_file_atomic(path, k.out.buf, k.out.len, 0644);
	fprintf(stderr, "lp-build: %zu modules read in %.1f s (%zu without DWARF)\n",
		t->nr_modules, now_seconds() - k.t0, t->nodwarf.n);
	sb_free(&k.out);
	free(k.prefix);
out:
	free(text);
	free(path);
	free(real);
	return ret;
}

void target_units_free(struct target_units *t)
{
	for (size_t b = 0; b < t->by_src.nr_buckets; b++) {
		struct lpb_hnode *n = t->by_src.buckets[b], *next;

		for (; n; n = next) {
			struct tu_entry *e = container_of(n, struct tu_entry, node);

			next = n->next;
			free(e->src);
			free(e);
		}
	}
	lpb_hash_free(&t->by_src);
	sv_free(&t->nodwarf);
	free(t->dir);
	free(t->vmlinux);
	free(t->modules);
	*t = (struct target_units){ 0 };
}
