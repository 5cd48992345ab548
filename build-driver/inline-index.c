// SPDX-License-Identifier: GPL-2.0-only
/* (header, function) -> the target's units holding its code, read from the
 * DWARF of the vmlinux and every module once, kept next to the CU index. */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dwarf-funcs.h"
#include "inline-index.h"

#define MAGIC "lp-build inline-index 1\n"

struct unit_id {
	struct lpb_hnode node;
	const char *src; /* in ii->units */
	unsigned int id;
};

static unsigned int unit_id(struct inline_index *ii, const char *src)
{
	uint32_t h = lpb_str_hash(src);
	struct lpb_hnode *n;
	struct unit_id *u;

	lpb_hash_for_each_possible(&ii->unit_ids, n, h) {
		u = container_of(n, struct unit_id, node);
		if (!strcmp(u->src, src))
			return u->id;
	}
	u = xcalloc(1, sizeof(*u));
	u->id = (unsigned int)ii->units.n;
	sv_push(&ii->units, src);
	u->src = ii->units.v[u->id];
	lpb_hash_add(&ii->unit_ids, &u->node, h);
	return u->id;
}

static uint32_t func_hash(const char *header, const char *name)
{
	return lpb_str_hash(header) * 31 + lpb_str_hash(name);
}

static struct ii_func *func(struct inline_index *ii, const char *header, int line,
			    const char *name)
{
	uint32_t h = func_hash(header, name);
	struct lpb_hnode *n;
	struct ii_func *f;

	lpb_hash_for_each_possible(&ii->funcs, n, h) {
		f = container_of(n, struct ii_func, node);
		if (f->line == line && !strcmp(f->header, header) && !strcmp(f->name, name))
			return f;
	}
	f = xcalloc(1, sizeof(*f));
	f->header = xstrdup(header);
	f->line = line;
	f->name = xstrdup(name);
	lpb_hash_add(&ii->funcs, &f->node, h);
	lpb_hash_add(&ii->by_header, &f->hdr_node, lpb_str_hash(header));
	return f;
}

static void func_add_unit(struct ii_func *f, unsigned int id)
{
	for (size_t i = f->n; i > 0 && i + 8 > f->n; i--)
		if (f->units[i - 1] == id)
			return;
	if (f->n == f->cap) {
		f->cap = f->cap ? 2 * f->cap : 4;
		f->units = xrealloc(f->units, f->cap * sizeof(*f->units));
	}
	f->units[f->n++] = id;
}

/* A DWARF path as a path of the source tree: without the build directory
 * the target's names start with, "./" or "a/../". */
static char *tree_path(const char *prefix, const char *name)
{
	size_t pl = prefix ? strlen(prefix) : 0;
	char *out, *p, *q;

	if (pl && !strncmp(name, prefix, pl))
		name += pl;
	while (!strncmp(name, "./", 2))
		name += 2;
	out = xstrdup(name);
	/* "arch/x86/include/asm/../../../include/linux/x.h" and the like */
	while ((p = strstr(out, "/../"))) {
		*p = 0;
		q = strrchr(out, '/');
		q = q ? q + 1 : out;
		memmove(q, p + 4, strlen(p + 4) + 1);
	}
	while ((p = strstr(out, "/./")))
		memmove(p, p + 2, strlen(p + 2) + 1);
	return out;
}

/* ---- making the index ---- */

struct walk {
	struct inline_index *ii;
	const char *prefix;
	char *last_cu; /* the CU being read, as a tree path */
	unsigned int last_id;
};

static int note_func(const struct lpb_dwarf_func *df, void *arg)
{
	struct walk *w = arg;
	char *hdr;

	if (!w->last_cu || strcmp(w->last_cu + strlen(w->last_cu) + 1, df->cu)) {
		char *cu = tree_path(w->prefix, df->cu);
		size_t a = strlen(cu), b = strlen(df->cu);

		/* the tree path, then the raw name it came from */
		free(w->last_cu);
		w->last_cu = xmalloc(a + b + 2);
		memcpy(w->last_cu, cu, a + 1);
		memcpy(w->last_cu + a + 1, df->cu, b + 1);
		w->last_id = has_suffix(cu, ".mod.c") ? (unsigned int)-1 : unit_id(w->ii, cu);
		free(cu);
	}
	if (w->last_id == (unsigned int)-1)
		return 0;
	hdr = tree_path(w->prefix, df->file);
	func_add_unit(func(w->ii, hdr, df->line, df->name), w->last_id);
	free(hdr);
	return 0;
}

static int save(const struct inline_index *ii, const char *path)
{
	struct strbuf sb = { 0 };
	int ret;

	sb_adds(&sb, MAGIC);
	for (size_t i = 0; i < ii->units.n; i++)
		sb_addf(&sb, "u\t%s\n", ii->units.v[i]);
	for (size_t b = 0; b < ii->funcs.nr_buckets; b++) {
		for (struct lpb_hnode *n = ii->funcs.buckets[b]; n; n = n->next) {
			struct ii_func *f = container_of(n, struct ii_func, node);

			sb_addf(&sb, "f\t%s\t%d\t%s\t", f->header, f->line, f->name);
			for (size_t i = 0; i < f->n; i++)
				sb_addf(&sb, "%s%u", i ? " " : "", f->units[i]);
			sb_adds(&sb, "\n");
		}
	}
	ret = write_file_atomic(path, sb.buf, sb.len, 0644);
	sb_free(&sb);
	return ret;
}

/* Merge an index file into @ii (its unit ids are its own). */
static int load(struct inline_index *ii, const char *path)
{
	char *text = path_exists(path) ? read_file(path, NULL) : NULL, *line, *save_p = NULL;
	unsigned int *map = NULL;
	size_t nmap = 0, cap = 0;
	struct stat st;

	if (!text || strncmp(text, MAGIC, strlen(MAGIC))) {
		free(text);
		return -1;
	}
	if (!stat(path, &st))
		ii->bytes += (size_t)st.st_size;
	for (line = strtok_r(text + strlen(MAGIC), "\n", &save_p); line;
	     line = strtok_r(NULL, "\n", &save_p)) {
		if (!strncmp(line, "u\t", 2)) {
			if (nmap == cap) {
				cap = cap ? 2 * cap : 1024;
				map = xrealloc(map, cap * sizeof(*map));
			}
			map[nmap++] = unit_id(ii, line + 2);
		} else if (!strncmp(line, "f\t", 2)) {
			char *hdr = line + 2, *ln = strchr(hdr, '\t'), *name, *ids, *p;
			struct ii_func *f;

			if (!ln || !(name = strchr(ln + 1, '\t')) || !(ids = strchr(name + 1, '\t')))
				continue;
			*ln++ = 0;
			*name++ = 0;
			*ids++ = 0;
			f = func(ii, hdr, atoi(ln), name);
			for (p = ids; *p;) {
				char *end;
				unsigned long id = strtoul(p, &end, 10);

				if (end == p)
					break;
				if (id < nmap)
					func_add_unit(f, map[id]);
				p = end;
			}
		}
	}
	free(map);
	free(text);
	return 0;
}

static void ii_clear(struct inline_index *ii)
{
	for (size_t b = 0; b < ii->funcs.nr_buckets; b++) {
		struct lpb_hnode *n = ii->funcs.buckets[b], *next;

		for (; n; n = next) {
			struct ii_func *f = container_of(n, struct ii_func, node);

			next = n->next;
			free(f->header);
			free(f->name);
			free(f->units);
			free(f);
		}
	}
	lpb_hash_free(&ii->funcs);
	lpb_hash_free(&ii->by_header);
	for (size_t b = 0; b < ii->unit_ids.nr_buckets; b++) {
		struct lpb_hnode *n = ii->unit_ids.buckets[b], *next;

		for (; n; n = next) {
			next = n->next;
			free(container_of(n, struct unit_id, node));
		}
	}
	lpb_hash_free(&ii->unit_ids);
	sv_free(&ii->units);
}

void inline_index_free(struct inline_index *ii)
{
	ii_clear(ii);
	*ii = (struct inline_index){ 0 };
}

static struct strvec *ko_list_ctx;

static int list_ko(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	if (flag == FTW_F && has_suffix(path, ".ko"))
		sv_push(ko_list_ctx, path);
	return 0;
}

/* One worker's share of the modules (every @jobs'th from @k), to @out. */
static int index_modules(const struct strvec *kos, size_t k, int jobs, const char *prefix,
			 const char *out, bool report)
{
	struct inline_index part = { 0 };
	struct walk w = { .ii = &part, .prefix = prefix };
	double t0 = now_seconds(), last = t0;
	int ret;

	for (size_t i = k; i < kos->n; i += jobs) {
		lpb_dwarf_header_funcs(kos->v[i], note_func, &w);
		if (report && now_seconds() - last > 10) {
			last = now_seconds();
			fprintf(stderr, "lp-build: ... %zu of %zu modules read (%.0f s)\n", i + 1,
				kos->n, last - t0);
		}
	}
	free(w.last_cu);
	ret = save(&part, out);
	ii_clear(&part);
	return ret;
}

/* The modules' index, read by @jobs processes, each writing a part. */
static int build_modules(struct inline_index *ii, const char *modules, const char *prefix,
			 const char *path, int jobs)
{
	struct strvec kos = { 0 };
	pid_t *pids, me = getpid(); /* parts of concurrent builds do not mix */
	int ret = 0;

	ko_list_ctx = &kos;
	nftw(modules, list_ko, 32, FTW_PHYS);
	ko_list_ctx = NULL;
	if (jobs < 1)
		jobs = 1;
	pids = xcalloc(jobs, sizeof(*pids));
	for (int k = 1; k < jobs; k++) {
		char *part = xasprintf("%s.%d.part%d", path, (int)me, k);

		pids[k] = fork();
		if (pids[k] == 0)
			_exit(index_modules(&kos, k, jobs, prefix, part, false) ? 1 : 0);
		free(part);
	}
	{
		char *part = xasprintf("%s.%d.part0", path, (int)me);

		ret = index_modules(&kos, 0, jobs, prefix, part, true);
		free(part);
	}
	for (int k = 1; k < jobs; k++) {
		int status;

		if (pids[k] < 0 || waitpid(pids[k], &status, 0) < 0 || !WIFEXITED(status) ||
		    WEXITSTATUS(status))
			ret = -1;
	}
	/* one file for the next build: the parts merged */
	if (!ret) {
		struct inline_index all = { 0 };

		for (int k = 0; k < jobs && !ret; k++) {
			char *part = xasprintf("%s.%d.part%d", path, (int)me, k);

			ret = load(&all, part);
			unlink(part);
			free(part);
		}
		if (!ret)
			ret = save(&all, path);
		ii_clear(&all);
	}
	free(pids);
	sv_free(&kos);
	if (ret)
		fprintf(stderr, "lp-build: could not index the functions of the modules under %s\n",
			modules);
	return ret ? ret : load(ii, path);
}

int inline_index_open(struct inline_index *ii, struct target_units *tu, int jobs)
{
	char *path = xasprintf("%s/inlines-vmlinux", tu->dir), *prefix = target_units_prefix(tu);
	double t0 = now_seconds();
	bool made = false;
	int ret = 0;

	*ii = (struct inline_index){ 0 };
	if (load(ii, path)) {
		struct inline_index v = { 0 };
		struct walk w = { .ii = &v, .prefix = prefix };

		fprintf(stderr, "lp-build: indexing the functions defined in headers and the units "
			"holding their code, from the target's DWARF (once for this target) ...\n");
		made = true;
		ret = lpb_dwarf_header_funcs(tu->vmlinux, note_func, &w);
		free(w.last_cu);
		if (ret) {
			fprintf(stderr, "lp-build: cannot read the functions of %s from its DWARF\n",
				tu->vmlinux);
			ii_clear(&v);
			goto out;
		}
		ret = save(&v, path) || load(ii, path);
		ii_clear(&v);
		if (ret)
			goto out;
	}
	if (tu->modules) {
		char *real = real_path(tu->modules), hex[65], *mpath;

		if (!real) {
			ret = -1;
			goto out;
		}
		sha256_hex(real, strlen(real), hex);
		hex[16] = 0;
		mpath = xasprintf("%s/inlines-modules-%s", tu->dir, hex);
		if (load(ii, mpath)) {
			if (!made)
				fprintf(stderr, "lp-build: indexing the functions of the target's "
					"modules (once for this target) ...\n");
			made = true;
			ret = build_modules(ii, real, prefix, mpath, jobs);
		}
		free(mpath);
		free(real);
	}
	if (made && !ret) {
		ii->build_seconds = now_seconds() - t0;
		fprintf(stderr, "lp-build: indexed %zu function(s) of headers in %zu unit(s) in "
			"%.1f s (%.1f MB)\n", (size_t)ii->funcs.count, ii->units.n,
			ii->build_seconds, ii->bytes / 1e6);
	}
out:
	free(prefix);
	free(path);
	return ret;
}

size_t inline_index_lookup(const struct inline_index *ii, const char *header, int first,
			   int last, struct ii_func ***out)
{
	struct lpb_hnode *n;
	size_t k = 0;

	*out = NULL;
	lpb_hash_for_each_possible(&ii->by_header, n, lpb_str_hash(header)) {
		struct ii_func *f = container_of(n, struct ii_func, hdr_node);

		if (strcmp(f->header, header) || f->line < first || f->line > last)
			continue;
		*out = xrealloc(*out, (k + 1) * sizeof(**out));
		(*out)[k++] = f;
	}
	return k;
}
