// SPDX-License-Identifier: GPL-2.0-only
/* The tree's cache of linked livepatch modules: kbuild's module link (make's
 * walk, modpost, BTF) skipped when every input is the same as before. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "linkcache.h"
#include "util.h"

static void add_stat(struct strbuf *sb, const char *what, const char *path)
{
	struct stat st;

	if (stat(path, &st))
		sb_addf(sb, "%s %s -\n", what, path);
	else
		sb_addf(sb, "%s %s %lld %lld.%09ld %llu\n", what, path, (long long)st.st_size,
			(long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
			(unsigned long long)st.st_ino);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* name, size and sha256 of each file of @dir, in name order */
static int add_files(struct strbuf *sb, const char *dir)
{
	struct strvec names = { 0 };
	struct dirent *de;
	DIR *d = opendir(dir);
	int ret = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			sv_push(&names, de->d_name);
	closedir(d);
	qsort(names.v, names.n, sizeof(*names.v), cmp_names);
	for (size_t i = 0; i < names.n && !ret; i++) {
		char *path = xasprintf("%s/%s", dir, names.v[i]), hex[65];
		struct stat st;

		/* kmod_generate writes plain files only: anything else is unknown */
		if (lstat(path, &st) || !S_ISREG(st.st_mode) || sha256_file(path, hex))
			ret = -1;
		else
			sb_addf(sb, "file %s %lld %s\n", names.v[i], (long long)st.st_size, hex);
		free(path);
	}
	sv_free(&names);
	return ret;
}

int linkcache_key(const struct tree *t, const struct tree_opts *o, const char *dir,
		  const char *kcflags, const char *vmlinux, bool btf,
		  const struct linkcache_inputs *in, char key[65])
{
	const char *root = o->tc->root ? o->tc->root : "";
	const char *tools[] = { o->tc->cc, o->tc->ld ? o->tc->ld : "ld", "pahole" };
	struct strbuf sb = { 0 };
	char *p;
	int ret;

	sb_addf(&sb, "lp-build linkcache 1 %s\ntree %s\ndir %s\nkcflags %s\nrelease %s\n",
		LPB_VERSION, t->dir, dir, kcflags, t->release);
	/* another lp-build may drive kbuild's link otherwise */
	add_stat(&sb, "lp-build", "/proc/self/exe");
	/* a tree prepared again (other KCFLAGS) has new host tools and scripts */
	p = xasprintf("%s/prepared", t->dir);
	add_stat(&sb, "prepared", p);
	free(p);
	/* the programs the link runs and what is installed where it runs (an
	 * upgraded binutils, pahole or compiler is a new key) */
	for (size_t i = 0; i < sizeof(tools) / sizeof(tools[0]); i++) {
		p = xasprintf("%s/usr/bin/%s", root, tools[i]);
		add_stat(&sb, "tool", p);
		free(p);
	}
	p = xasprintf("%s/var/lib/dpkg/status", root);
	add_stat(&sb, "packages", p);
	free(p);
	if (btf)
		add_stat(&sb, "btf-base", vmlinux);
	sb_addf(&sb, "inputs %s\n", in->text ? in->text : "");
	ret = add_files(&sb, dir);
	for (size_t i = 0; !ret && i < 4 && in->dirs[i]; i++) {
		sb_addf(&sb, "dir %s\n", in->dirs[i]);
		ret = add_files(&sb, in->dirs[i]);
	}
	for (size_t i = 0; !ret && i < 4 && in->files[i]; i++) {
		char hex[65];

		ret = sha256_file(in->files[i], hex);
		sb_addf(&sb, "input %s %s\n", in->files[i], hex);
	}
	if (!ret)
		sha256_hex(sb.buf, sb.len, key);
	sb_free(&sb);
	return ret;
}

static char *entry(const struct tree *t, const char *key)
{
	return xasprintf("%s/links/%s.ko", t->dir, key);
}

bool linkcache_get(const struct tree *t, const char *key, const char *dst)
{
	char *path = entry(t, key);
	/* a copy: later stages must never write through into the cache */
	bool ok = path_exists(path) && !copy_file(path, dst);

	if (ok)
		utimensat(AT_FDCWD, path, NULL, 0); /* recently used */
	free(path);
	return ok;
}

struct old {
	char *path;
	struct timespec used;
};

static int cmp_used(const void *a, const void *b)
{
	const struct old *x = a, *y = b;

	if (x->used.tv_sec != y->used.tv_sec)
		return x->used.tv_sec < y->used.tv_sec ? -1 : 1;
	if (x->used.tv_nsec != y->used.tv_nsec)
		return x->used.tv_nsec < y->used.tv_nsec ? -1 : 1;
	return 0;
}

/* the least recently used beyond @keep go; how many went */
static size_t trim(const char *dir, size_t keep)
{
	struct old *v = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *d = opendir(dir);

	size_t gone = 0;

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		struct stat st;
		char *path;
		size_t len = strlen(de->d_name);

		if (len < 4 || strcmp(de->d_name + len - 3, ".ko"))
			continue;
		path = xasprintf("%s/%s", dir, de->d_name);
		if (stat(path, &st)) {
			free(path);
			continue;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			v = xrealloc(v, cap * sizeof(*v));
		}
		v[n++] = (struct old){ .path = path, .used = st.st_mtim };
	}
	closedir(d);
	qsort(v, n, sizeof(*v), cmp_used);
	for (size_t i = 0; i < n; i++) {
		if (i + keep < n && !unlink(v[i].path))
			gone++;
		free(v[i].path);
	}
	free(v);
	return gone;
}

size_t linkcache_clear(const char *tree_dir)
{
	char *dir = xasprintf("%s/links", tree_dir);
	size_t gone = trim(dir, 0);

	free(dir);
	return gone;
}

void linkcache_put(const struct tree *t, const char *key, const char *ko)
{
	char *dir = xasprintf("%s/links", t->dir), *path = entry(t, key);

	/* a copy (written aside, then renamed in), never a link to the
	 * build's own file */
	if (!mkdir_p(dir) && !copy_file(ko, path))
		trim(dir, LINKCACHE_KEEP);
	free(path);
	free(dir);
}
