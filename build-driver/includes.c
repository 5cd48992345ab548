// SPDX-License-Identifier: GPL-2.0-only
/* Reverse include graph of a kernel source tree, built from the #include
 * lines of every source and header (a few seconds for a whole tree). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hash.h"
#include "includes.h"

/* One #include directive, indexed by the basename of what it names. */
struct directive {
	char *includer; /* relative path of the including file */
	char *spec; /* what it names: "linux/foo.h" or "../bar.h" */
	bool quoted;
	struct lpb_hnode node; /* keyed by basename of spec */
	struct lpb_hnode node2; /* include_graph_forward(): a file's first directive, by its basename */
};

struct scan {
	const char *src;
	struct lpb_hash by_base;
	struct directive **all;
	size_t n, cap;
};

#define TARGET_ARCH "x86"

/* Directories that never hold kernel code compiled into a livepatch. */
static const char *const skip_dirs[] = { ".git", "Documentation", "tools", "scripts", "usr",
					 "LICENSES", NULL };

static const char *base_of(const char *p)
{
	const char *b = strrchr(p, '/');

	return b ? b + 1 : p;
}

static void add_directive(struct scan *s, const char *includer, const char *spec, size_t len,
			  bool quoted)
{
	struct directive *d = xcalloc(1, sizeof(*d));

	d->includer = xstrdup(includer);
	d->spec = strndup(spec, len);
	d->quoted = quoted;
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 4096;
		s->all = xrealloc(s->all, s->cap * sizeof(*s->all));
	}
	s->all[s->n++] = d;
	lpb_hash_add(&s->by_base, &d->node, lpb_str_hash(base_of(d->spec)));
}

static void scan_file(struct scan *s, const char *rel, const char *abs)
{
	char *text = read_file(abs, NULL), *p;

	if (!text)
		return;
	for (p = text; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		char *q = p, close;

		while (*q == ' ' || *q == '\t')
			q++;
		if (*q != '#')
			continue;
		q++;
		while (*q == ' ' || *q == '\t')
			q++;
		if (strncmp(q, "include", 7))
			continue;
		q += 7;
		while (*q == ' ' || *q == '\t')
			q++;
		if (*q != '<' && *q != '"')
			continue;
		close = *q == '<' ? '>' : '"';
		p = q + 1;
		q = strchr(p, close);
		if (q && !memchr(p, '\n', q - p))
			add_directive(s, rel, p, q - p, close == '"');
		p = q ? q : p;
	}
	free(text);
}

static void scan_dir(struct scan *s, const char *rel)
{
	char *abs = *rel ? xasprintf("%s/%s", s->src, rel) : xstrdup(s->src);
	DIR *d = opendir(abs);
	struct dirent *e;

	if (!d) {
		free(abs);
		return;
	}
	while ((e = readdir(d))) {
		const char *n = e->d_name;
		size_t len = strlen(n);
		char *r;

		if (n[0] == '.')
			continue;
		r = *rel ? xasprintf("%s/%s", rel, n) : xstrdup(n);
		if (e->d_type == DT_DIR) {
			bool skip = false;

			for (size_t i = 0; !*rel && skip_dirs[i]; i++)
				skip |= !strcmp(n, skip_dirs[i]);
			/* only the target architecture's code is ever built */
			skip |= !strcmp(rel, "arch") && strcmp(n, TARGET_ARCH);
			if (!skip)
				scan_dir(s, r);
		} else if (len > 2 && n[len - 2] == '.' &&
			   (n[len - 1] == 'c' || n[len - 1] == 'h' || n[len - 1] == 'S')) {
			char *fa = xasprintf("%s/%s", abs, n);

			scan_file(s, r, fa);
			free(fa);
		}
		free(r);
	}
	closedir(d);
	free(abs);
}

/* Normalise "a/b/../c.h" into "a/c.h" in place. */
static void normalise(char *p)
{
	char *out = p, *seg = p;

	while (*seg) {
		char *end = strchr(seg, '/');
		size_t len = end ? (size_t)(end - seg) : strlen(seg);

		if (len == 2 && !strncmp(seg, "..", 2)) {
			if (out > p) {
				out--;
				while (out > p && out[-1] != '/')
					out--;
			}
		} else if (!(len == 1 && seg[0] == '.') && len) {
			memmove(out, seg, len);
			out += len;
			if (end)
				*out++ = '/';
		}
		seg = end ? end + 1 : seg + len;
	}
	if (out > p && out[-1] == '/')
		out--;
	*out = 0;
}

static bool names(const struct scan *s, const struct directive *d, const char *header)
{
	size_t hl = strlen(header), sl = strlen(d->spec);

	if (d->quoted) {
		char *dir = xstrdup(d->includer), *slash = strrchr(dir, '/'), *full, *abs;
		bool same, local;

		if (slash)
			*slash = 0;
		full = slash ? xasprintf("%s/%s", dir, d->spec) : xstrdup(d->spec);
		normalise(full);
		same = !strcmp(full, header);
		abs = xasprintf("%s/%s", s->src, full);
		/* "x.h" found next to the includer never reaches a header elsewhere */
		local = !same && path_exists(abs);
		free(abs);
		free(full);
		free(dir);
		if (same || local)
			return same;
	}
	/* <linux/foo.h> names include/linux/foo.h, arch/x86/include/linux/foo.h... */
	return !strstr(d->spec, "..") && hl > sl && header[hl - sl - 1] == '/' &&
	       !strcmp(header + hl - sl, d->spec);
}

static bool names_c_file(const char *spec)
{
	size_t n = strlen(spec);

	return n > 2 && spec[n - 2] == '.' && spec[n - 1] == 'c';
}

/* The small index next to @index: only the #include lines naming a .c file,
 * which every build of a .c file reads (the whole graph takes seconds). */
static char *c_index_path(const char *index)
{
	return xasprintf("%s-c", index);
}

/* The scan of a tree, saved so later builds of the same tree skip it: the
 * whole graph at @path, the lines naming .c files at c_index_path(@path). */
static int save_index(const struct scan *s, const char *path)
{
	struct strbuf sb = { 0 }, cb = { 0 };
	char *cpath = c_index_path(path);
	int ret;

	for (size_t i = 0; i < s->n; i++) {
		struct strbuf *to = names_c_file(s->all[i]->spec) ? &cb : NULL;

		sb_addf(&sb, "%s\t%c\t%s\n", s->all[i]->includer, s->all[i]->quoted ? 'q' : 'a',
			s->all[i]->spec);
		if (to)
			sb_addf(to, "%s\t%c\t%s\n", s->all[i]->includer,
				s->all[i]->quoted ? 'q' : 'a', s->all[i]->spec);
	}
	/* the small one last: its presence means both are complete */
	ret = write_file_atomic(path, sb.buf ? sb.buf : "", sb.len, 0644) ||
	      write_file_atomic(cpath, cb.buf ? cb.buf : "", cb.len, 0644);
	sb_free(&sb);
	sb_free(&cb);
	free(cpath);
	return ret;
}

static int load_index(struct scan *s, const char *path)
{
	char *text = read_file(path, NULL), *line, *save = NULL;

	if (!text)
		return -1;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *t1 = strchr(line, '\t'), *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;

		if (!t2)
			continue;
		*t1 = 0;
		add_directive(s, line, t2 + 1, strlen(t2 + 1), t1[1] == 'q');
	}
	free(text);
	return 0;
}

static void scan_free(struct scan *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->all[i]->includer);
		free(s->all[i]->spec);
		free(s->all[i]);
	}
	free(s->all);
	lpb_hash_free(&s->by_base);
}

static bool is_unit(const char *path)
{
	size_t n = strlen(path);

	return n > 2 && path[n - 2] == '.' && (path[n - 1] == 'c' || path[n - 1] == 'S');
}

/* Both indexes of the tree @src at @index, made unless they exist (from the
 * whole graph when only the small one is missing); @say: tell the user. */
static int index_ensure(const char *src, const char *index, bool say)
{
	struct scan s = { .src = src };
	char *cpath = c_index_path(index);
	int ret = 0;

	if (!path_exists(cpath) || !path_exists(index)) {
		if (!path_exists(index) || load_index(&s, index)) {
			if (say)
				fprintf(stderr, "lp-build: scanning the #include lines of %s "
					"(once per build tree) ...\n", src);
			scan_dir(&s, "");
		}
		ret = save_index(&s, index);
		scan_free(&s);
	}
	free(cpath);
	return ret;
}

int include_index_make(const char *src, const char *index)
{
	return index_ensure(src, index, false);
}

/* The #include lines of a tree that name .c files, loaded once per build. */
struct c_includes {
	struct scan s;
	char *index; /* the whole graph, for a .c file included by a header */
};

struct c_includes *c_includes_load(const char *src, const char *index)
{
	struct c_includes *ci = xcalloc(1, sizeof(*ci));
	char *cpath = c_index_path(index);
	int ret;

	ci->s.src = src;
	ci->index = xstrdup(index);
	/* the first build of a .c file in a tree whose scan did not run
	 * beside its preparation makes both indexes */
	ret = index_ensure(src, index, true) || load_index(&ci->s, cpath);
	free(cpath);
	if (ret) {
		c_includes_free(ci);
		return NULL;
	}
	return ci;
}

int c_includes_of(struct c_includes *ci, const char *file, struct strvec *tus)
{
	struct strvec queue = { 0 }, headers = { 0 };
	int ret = 0;

	sv_push(&queue, file);
	/* breadth-first over .c files including .c files; queue doubles as
	 * the visited set */
	for (size_t qi = 0; qi < queue.n; qi++) {
		const char *f = queue.v[qi];
		struct lpb_hnode *n;

		lpb_hash_for_each_possible(&ci->s.by_base, n, lpb_str_hash(base_of(f))) {
			struct directive *d = container_of(n, struct directive, node);

			if (strcmp(base_of(d->spec), base_of(f)) || !names(&ci->s, d, f))
				continue;
			if (is_unit(d->includer)) {
				if (!sv_contains(&queue, d->includer))
					sv_push(&queue, d->includer);
				if (!sv_contains(tus, d->includer))
					sv_push(tus, d->includer);
			} else if (!sv_contains(&headers, d->includer)) {
				sv_push(&headers, d->includer);
			}
		}
	}
	/* a .c file included by a header: rare, the whole graph knows */
	if (headers.n)
		ret = includers_of(ci->s.src, ci->index, &headers, tus);
	sv_free(&queue);
	sv_free(&headers);
	return ret;
}

void c_includes_free(struct c_includes *ci)
{
	if (!ci)
		return;
	scan_free(&ci->s);
	free(ci->index);
	free(ci);
}

/* The whole graph of a tree, loaded once for a build (several lookups). */
struct include_graph {
	struct scan s;
	double load_seconds;
};

struct include_graph *include_graph_load(const char *src, const char *index)
{
	struct include_graph *g = xcalloc(1, sizeof(*g));
	double t0 = now_seconds();

	g->s.src = src;
	if (!index || !path_exists(index) || load_index(&g->s, index)) {
		scan_dir(&g->s, "");
		if (index)
			save_index(&g->s, index);
	}
	g->load_seconds = now_seconds() - t0;
	return g;
}

void include_graph_free(struct include_graph *g)
{
	if (!g)
		return;
	scan_free(&g->s);
	free(g);
}

int include_graph_includers(struct include_graph *g, const struct strvec *headers,
			    struct strvec *tus, bool quiet)
{
	struct scan *s = &g->s;
	struct strvec queue = { 0 };
	struct strset seen = { 0 }, found = { 0 };
	double t0 = now_seconds();

	for (size_t i = 0; i < tus->n; i++)
		ss_add(&found, tus->v[i]);
	for (size_t i = 0; i < headers->n; i++)
		if (ss_add(&seen, headers->v[i]))
			sv_push(&queue, headers->v[i]);
	/* breadth-first over headers; queue doubles as the visited set */
	for (size_t qi = 0; qi < queue.n; qi++) {
		const char *h = queue.v[qi];
		struct lpb_hnode *n;

		lpb_hash_for_each_possible(&s->by_base, n, lpb_str_hash(base_of(h))) {
			struct directive *d = container_of(n, struct directive, node);
			size_t len = strlen(d->includer);

			if (strcmp(base_of(d->spec), base_of(h)) || !names(s, d, h))
				continue;
			if (d->includer[len - 1] == 'h') {
				if (ss_add(&seen, d->includer))
					sv_push(&queue, d->includer);
			} else if (ss_add(&found, d->includer)) {
				sv_push(tus, d->includer);
			}
		}
	}
	if (!quiet)
		fprintf(stderr, "lp-build: %zu changed header(s) reach %zu translation unit(s) "
			"through %zu header(s) (scanned %zu #include lines in %.1f s)\n",
			headers->n, tus->n, queue.n, s->n, now_seconds() - t0 + g->load_seconds);
	g->load_seconds = 0;
	sv_free(&queue);
	ss_free(&seen);
	ss_free(&found);
	return 0;
}

int includers_of(const char *src, const char *index, const struct strvec *headers,
		 struct strvec *tus)
{
	struct include_graph *g = include_graph_load(src, index);
	int ret = include_graph_includers(g, headers, tus, false);

	include_graph_free(g);
	return ret;
}

/* ---- forward: what a set of units may read ---- */

/* Where <spec> is looked for, in kbuild's order for x86 (every one that
 * exists is taken: a superset never misses a file the compiler reads). */
static const char *const system_dirs[] = {
	"arch/x86/include", "arch/x86/include/generated", "include", "arch/x86/include/uapi",
	"arch/x86/include/generated/uapi", "include/uapi", "include/generated/uapi",
};

/* What kbuild passes with -include to every unit. */
static const char *const forced_includes[] = {
	"include/linux/compiler-version.h", "include/linux/kconfig.h",
	"include/linux/compiler_types.h",
};

/* The directives of one file: a run of s->all (a file's are contiguous). */
struct file_dirs {
	struct lpb_hnode node;
	const char *path;
	size_t first, n;
};

struct forward {
	struct scan *s;
	const char *tree; /* where files are looked for: generated headers too */
	struct lpb_hash by_file; /* struct file_dirs by includer */
	struct lpb_hash by_path_base; /* one directive per includer, by the includer's basename */
	struct strset seen;
	struct strvec *files;
};

static struct file_dirs *dirs_of(struct forward *f, const char *path)
{
	uint32_t h = lpb_str_hash(path);
	struct lpb_hnode *n;

	lpb_hash_for_each_possible(&f->by_file, n, h) {
		struct file_dirs *d = container_of(n, struct file_dirs, node);

		if (!strcmp(d->path, path))
			return d;
	}
	return NULL;
}

static void index_files(struct forward *f, size_t from)
{
	for (size_t i = from; i < f->s->n;) {
		struct file_dirs *d = xcalloc(1, sizeof(*d));
		size_t j = i;

		while (j < f->s->n && !strcmp(f->s->all[j]->includer, f->s->all[i]->includer))
			j++;
		*d = (struct file_dirs){ .path = f->s->all[i]->includer, .first = i, .n = j - i };
		lpb_hash_add(&f->by_file, &d->node, lpb_str_hash(d->path));
		lpb_hash_add(&f->by_path_base, &f->s->all[i]->node2, lpb_str_hash(base_of(d->path)));
		i = j;
	}
}

static void visit(struct forward *f, const char *path)
{
	if (ss_add(&f->seen, path))
		sv_push(f->files, path);
}

static bool in_tree(const struct forward *f, const char *rel)
{
	char *abs = xasprintf("%s/%s", f->tree, rel);
	bool ok = path_exists(abs);

	free(abs);
	return ok;
}

/* Every file a directive of @includer may name. */
static void resolve(struct forward *f, const struct directive *d)
{
	bool found = false;
	size_t sl = strlen(d->spec);
	struct lpb_hnode *n;

	if (d->quoted) {
		char *dir = xstrdup(d->includer), *slash = strrchr(dir, '/');
		char *full = slash ? (*slash = 0, xasprintf("%s/%s", dir, d->spec)) :
				     xstrdup(d->spec);

		normalise(full);
		if (in_tree(f, full)) {
			visit(f, full);
			found = true;
		}
		free(full);
		free(dir);
	}
	for (size_t i = 0; !strstr(d->spec, "..") &&
			   i < sizeof(system_dirs) / sizeof(*system_dirs); i++) {
		char *p = xasprintf("%s/%s", system_dirs[i], d->spec);

		if (in_tree(f, p)) {
			visit(f, p);
			found = true;
		}
		free(p);
	}
	if (found)
		return;
	/* a directory's own -I: any indexed file the spec's path ends */
	lpb_hash_for_each_possible(&f->by_path_base, n, lpb_str_hash(base_of(d->spec))) {
		const struct directive *x = container_of(n, struct directive, node2);
		size_t hl = strlen(x->includer);

		if (hl > sl && x->includer[hl - sl - 1] == '/' &&
		    !strcmp(x->includer + hl - sl, d->spec))
			visit(f, x->includer);
	}
}

int include_graph_forward(struct include_graph *g, const char *tree, const struct strvec *units,
			 struct strvec *files)
{
	struct forward f = { .s = &g->s, .tree = tree, .files = files };

	index_files(&f, 0);
	for (size_t i = 0; i < sizeof(forced_includes) / sizeof(*forced_includes); i++)
		visit(&f, forced_includes[i]);
	for (size_t i = 0; i < units->n; i++)
		visit(&f, units->v[i]);
	/* breadth-first; files doubles as the queue */
	for (size_t qi = 0; qi < files->n; qi++) {
		const char *path = files->v[qi];
		struct file_dirs *d = dirs_of(&f, path);

		if (!d && !has_suffix(path, ".c")) {
			/* a generated header (asm/ wrappers): not in the source's index */
			char *abs = xasprintf("%s/%s", tree, path);
			size_t before = f.s->n;

			scan_file(f.s, path, abs);
			free(abs);
			index_files(&f, before);
			d = dirs_of(&f, path);
		}
		for (size_t k = 0; d && k < d->n; k++)
			resolve(&f, f.s->all[d->first + k]);
	}
	for (size_t b = 0; b < f.by_file.nr_buckets; b++) {
		struct lpb_hnode *n = f.by_file.buckets[b], *next;

		for (; n; n = next) {
			next = n->next;
			free(container_of(n, struct file_dirs, node));
		}
	}
	lpb_hash_free(&f.by_file);
	lpb_hash_free(&f.by_path_base);
	ss_free(&f.seen);
	return 0;
}
