// SPDX-License-Identifier: GPL-2.0-only
/* Directories kbuild reaches twice for one object: a Makefile listing both
 * "a/" and "a/b/" has a/b/x.o compiled by obj=a (its pattern rule) too. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kbuild-dirs.h"

#define MAGIC "lp-build kbuild-dirs 1\n"
#define TARGET_ARCH_MAKEFILE "arch/x86/Makefile"

/*
 * Why it matters: for the goal drivers/input/serio/i8042.o, obj=drivers
 * descends into every listed subdirectory the goal is under, input/ as well
 * as input/serio/. obj=drivers/input has no rule for serio/, so its pattern
 * rule compiles the object with its own flags (KBUILD_MODFILE names
 * drivers/input/i8042: .modinfo's "file=" differs). In parallel the two
 * compiles race (fixdep: cannot open the .d file); serially the last one
 * wins. The directory goal (drivers/input/serio/) is compiled once, by its
 * own Makefile.
 */

/* The subdirectories one Makefile lists (relative to @base). */
struct listing {
	char *base;
	struct strvec subdirs;
};

struct scan {
	const char *src;
	struct listing *v;
	size_t n;
};

static void add_token(struct listing *l, const char *tok, size_t len)
{
	char *s = strndup(tok, len), *arch;
	char *p = s;

	/* the top Kbuild lists arch/$(SRCARCH)/ */
	while ((arch = strstr(s, "$(SRCARCH)"))) {
		memcpy(arch, "x86", 3);
		memmove(arch + 3, arch + 10, strlen(arch + 10) + 1);
	}

	while (!strncmp(p, "./", 2))
		p += 2;
	if (strchr(p, '$') || strstr(p, "..") || !*p) {
		free(s);
		return;
	}
	p[strlen(p) - 1] = 0; /* the trailing '/' */
	if (*p && !sv_contains(&l->subdirs, p))
		sv_push(&l->subdirs, p);
	free(s);
}

/* Words ending in '/' on the right of assignments. */
static void scan_makefile(struct scan *s, const char *rel_dir, const char *path)
{
	char *text = read_file(path, NULL), *p;
	struct listing *l;

	if (!text)
		return;
	/* continuation lines are one line */
	for (p = text; (p = strstr(p, "\\\n")); )
		p[0] = p[1] = ' ';
	s->v = xrealloc(s->v, (s->n + 1) * sizeof(*s->v));
	l = &s->v[s->n++];
	*l = (struct listing){ .base = xstrdup(rel_dir) };
	for (p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		size_t len = strcspn(p, "\n");
		char *line = strndup(p, len), *hash = strchr(line, '#'), *eq;

		if (hash)
			*hash = 0;
		eq = strchr(line, '=');
		if (eq && line[0] != '\t') {
			char *w = eq + 1;

			while (*w) {
				size_t n;

				w += strspn(w, " \t");
				n = strcspn(w, " \t");
				if (n > 1 && w[n - 1] == '/')
					add_token(l, w, n);
				w += n;
			}
		}
		free(line);
	}
	free(text);
}

static const char *const skip_top[] = { ".git", "Documentation", "tools", "scripts", "usr",
					"LICENSES", "samples", NULL };

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
		char *r, *path;

		if (n[0] == '.')
			continue;
		r = *rel ? xasprintf("%s/%s", rel, n) : xstrdup(n);
		path = xasprintf("%s/%s", abs, n);
		if (e->d_type == DT_DIR) {
			bool skip = false;

			for (size_t i = 0; !*rel && skip_top[i]; i++)
				skip |= !strcmp(n, skip_top[i]);
			skip |= !strcmp(rel, "arch") && strcmp(n, "x86");
			if (!skip)
				scan_dir(s, r);
		} else if (!strcmp(n, "Makefile") || !strcmp(n, "Kbuild")) {
			/* the top Makefile includes the architecture's: its lists
			 * (core-y += arch/x86/, libs-y += arch/x86/lib/) are the top's */
			scan_makefile(s, !strcmp(r, TARGET_ARCH_MAKEFILE) || !*rel ? "" : rel, path);
		}
		free(r);
		free(path);
	}
	closedir(d);
	free(abs);
}

/* Merge the listings of one base (Makefile and Kbuild, top and arch). */
static void find_twice(struct scan *s, struct strvec *dirs)
{
	for (size_t i = 0; i < s->n; i++) {
		struct strvec all = { 0 };

		for (size_t j = 0; j < s->n; j++)
			if (!strcmp(s->v[i].base, s->v[j].base))
				for (size_t k = 0; k < s->v[j].subdirs.n; k++)
					if (!sv_contains(&all, s->v[j].subdirs.v[k]))
						sv_push(&all, s->v[j].subdirs.v[k]);
		for (size_t a = 0; a < all.n; a++) {
			for (size_t b = 0; b < all.n; b++) {
				size_t la = strlen(all.v[a]);
				char *d;

				if (a == b || strncmp(all.v[b], all.v[a], la) || all.v[b][la] != '/')
					continue;
				d = *s->v[i].base ? xasprintf("%s/%s", s->v[i].base, all.v[b]) :
						    xstrdup(all.v[b]);
				if (!sv_contains(dirs, d))
					sv_push(dirs, d);
				free(d);
			}
		}
		sv_free(&all);
	}
}

int kbuild_twice_reached(const char *src, const char *cache_file, struct strvec *dirs)
{
	struct scan s = { .src = src };
	struct strbuf sb = { 0 };
	char *text = cache_file && path_exists(cache_file) ? read_file(cache_file, NULL) : NULL;

	if (text && !strncmp(text, MAGIC, strlen(MAGIC))) {
		char *save = NULL;

		for (char *l = strtok_r(text + strlen(MAGIC), "\n", &save); l;
		     l = strtok_r(NULL, "\n", &save))
			sv_push(dirs, l);
		free(text);
		return 0;
	}
	free(text);
	scan_dir(&s, "");
	find_twice(&s, dirs);
	sb_adds(&sb, MAGIC);
	for (size_t i = 0; i < dirs->n; i++)
		sb_addf(&sb, "%s\n", dirs->v[i]);
	if (cache_file)
		write_file_atomic(cache_file, sb.buf, sb.len, 0644);
	sb_free(&sb);
	for (size_t i = 0; i < s.n; i++) {
		free(s.v[i].base);
		sv_free(&s.v[i].subdirs);
	}
	free(s.v);
	return 0;
}

bool kbuild_in_dirs(const struct strvec *dirs, const char *unit)
{
	for (size_t i = 0; i < dirs->n; i++) {
		size_t n = strlen(dirs->v[i]);

		if (!strncmp(unit, dirs->v[i], n) && unit[n] == '/')
			return true;
	}
	return false;
}
