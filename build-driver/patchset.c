// SPDX-License-Identifier: GPL-2.0-only
/* The user's patches: unified diffs in git's a/ b/ layout (-p1). We only
 * read the file headers; patch(1) does the applying. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "patchset.h"
#include "run.h"

/* "+++ b/fs/proc/cmdline.c\t2020-..." -> "fs/proc/cmdline.c", or NULL. */
static char *header_path(const char *line)
{
	const char *p = line + 4, *end, *slash;

	if (!strncmp(p, "/dev/null", 9))
		return NULL;
	end = p + strcspn(p, "\t\n");
	while (end > p && end[-1] == ' ')
		end--;
	slash = memchr(p, '/', end - p);
	if (!slash)
		return NULL;
	slash++;
	return strndup(slash, end - slash);
}

/* A path that would leave the tree: absolute, or with a ".." component
 * anywhere ("fs/.." as well as "../x"; found by fuzz-patch). */
static bool leaves_tree(const char *name)
{
	if (*name == '/')
		return true;
	for (const char *c = name; *c; c += strcspn(c, "/"), c += *c == '/')
		if (c[0] == '.' && c[1] == '.' && (!c[2] || c[2] == '/'))
			return true;
	return false;
}

/* "@@ -A[,B] +C[,D] @@": how many old and new lines the hunk holds. */
static bool hunk_counts(const char *line, long *old_n, long *new_n)
{
	long a, c;
	int n = 0;

	*old_n = *new_n = 1;
	if (sscanf(line, "@@ -%ld,%ld +%ld%n", &a, old_n, &c, &n) == 3 && n)
		line += n;
	else if (sscanf(line, "@@ -%ld +%ld%n", &a, &c, &n) == 2 && n)
		line += n;
	else
		return false;
	if (*line == ',' && sscanf(line, ",%ld", new_n) != 1)
		return false;
	return *old_n >= 0 && *new_n >= 0;
}

/* Inside a hunk, a line is content whatever it starts with: a removed
 * "-- x" reads "--- x" and an added "++ y" reads "+++ y". Returns whether
 * @line was hunk content (and counts it off). */
static bool hunk_line(const char *line, long *old_left, long *new_left)
{
	if (*old_left <= 0 && *new_left <= 0)
		return false;
	switch (*line) {
	case ' ':
	case '\n': /* a context line whose blank was trimmed */
	case '\0':
		(*old_left)--;
		(*new_left)--;
		return true;
	case '-':
		(*old_left)--;
		return true;
	case '+':
		(*new_left)--;
		return true;
	case '\\': /* "\ No newline at end of file" */
		return true;
	default: /* a short hunk: what follows is not its content */
		*old_left = *new_left = 0;
		return false;
	}
}

int patchset_parse(struct patchset *ps, const char *path, const char *text)
{
	const char *line = text;
	char *minus = NULL;
	long old_left = 0, new_left = 0;
	int files = 0;

	for (; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		if (hunk_line(line, &old_left, &new_left))
			continue;
		if (!strncmp(line, "@@ -", 4)) {
			if (!hunk_counts(line, &old_left, &new_left))
				old_left = new_left = 0;
		} else if (!strncmp(line, "--- ", 4)) {
			free(minus);
			minus = header_path(line);
			if (!minus && strncmp(line + 4, "/dev/null", 9))
				minus = xstrdup("");
		} else if (!strncmp(line, "+++ ", 4)) {
			char *plus = header_path(line);
			const char *name = plus ? plus : minus;

			if (!name || !*name || leaves_tree(name)) {
				fprintf(stderr, "lp-build: %s: %s in '%.*s'\n", path,
					name && *name ? "a file outside the source tree (an "
					"absolute path or a '..' component)" :
					"cannot read the file name", (int)strcspn(line, "\n"), line);
				free(plus);
				free(minus);
				return -1;
			}
			if (!plus) {
				fprintf(stderr, "lp-build: %s deletes %s: a livepatch cannot delete "
					"source files\n", path, minus);
				free(minus);
				return -1;
			}
			if (!minus && !sv_contains(&ps->added, plus))
				sv_push(&ps->added, plus);
			if (!sv_contains(&ps->files, plus))
				sv_push(&ps->files, plus);
			free(plus);
			free(minus);
			minus = NULL;
			files++;
		}
	}
	free(minus);
	if (!files) {
		fprintf(stderr, "lp-build: %s is not a unified diff (no '+++' file header)\n",
			path);
		return -1;
	}
	return 0;
}

int patchset_load(struct patchset *ps, char *const *patches, int n)
{
	*ps = (struct patchset){ 0 };
	for (int i = 0; i < n; i++) {
		char hex[65], *abs = real_path(patches[i]), *text;
		size_t len;

		if (!abs)
			return -1;
		text = read_file(abs, &len);
		if (!text) {
			free(abs);
			return -1;
		}
		sha256_hex(text, len, hex);
		sv_push(&ps->paths, abs);
		sv_push(&ps->sha256, hex);
		if (patchset_parse(ps, abs, text)) {
			free(text);
			free(abs);
			return -1;
		}
		free(text);
		free(abs);
	}
	return 0;
}

/*
 * The header line ("@@ -37,7 +37,7 @@ int f(...)") of hunk @hunk (from 1)
 * in the @occurrence-th (from 1) section of @patch_path that changes @file,
 * or NULL. patch(1) numbers hunks per file section, as we count here.
 */
static char *hunk_header(const char *patch_path, const char *file, int occurrence, int hunk)
{
	char *text = read_file(patch_path, NULL), *found = NULL;
	int seen = 0, n = 0;
	bool in_file = false;

	for (const char *line = text; line && *line && !found;
	     line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		if (!strncmp(line, "+++ ", 4)) {
			char *path = header_path(line);

			in_file = path && !strcmp(path, file) && ++seen == occurrence;
			n = 0;
			free(path);
		} else if (in_file && !strncmp(line, "@@ ", 3) && ++n == hunk) {
			found = strndup(line, strcspn(line, "\r\n"));
		}
	}
	free(text);
	return found;
}

/*
 * patch(1)'s report (LC_ALL=C, not silent) in our words: which file, which
 * hunk by its header, where patch looked. Returns how many problems it
 * explained; the caller shows patch's own text when that is 0.
 */
static int explain_failure(const char *patch_path, const char *out)
{
	struct strvec files = { 0 };
	char *file = NULL;
	int occurrence = 0, explained = 0;

	for (const char *line = out; line && *line;
	     line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		size_t len = strcspn(line, "\n");
		int hunk;
		long at;

		if (!strncmp(line, "patching file ", 14)) {
			free(file);
			file = strndup(line + 14, len - 14);
			sv_push(&files, file);
			occurrence = 0;
			for (size_t i = 0; i < files.n; i++)
				occurrence += !strcmp(files.v[i], file);
		} else if (file && sscanf(line, "Hunk #%d FAILED at %ld", &hunk, &at) == 2) {
			char *hdr = hunk_header(patch_path, file, occurrence, hunk);

			fprintf(stderr, "lp-build:   %s: hunk #%d %s%s%sdoes not match the file "
				"(patch looked near line %ld)\n", file, hunk, hdr ? "\"" : "",
				hdr ? hdr : "", hdr ? "\" " : "", at);
			free(hdr);
			explained++;
		} else if (file && !strncmp(line, "Reversed (or previously applied) patch", 38)) {
			fprintf(stderr, "lp-build:   %s: the change is already in the file (the "
				"patch was applied before, or it is reversed)\n", file);
			explained++;
		}
	}
	free(file);
	sv_free(&files);
	return explained;
}

int patchset_check(const struct patchset *ps, const char *src, const char *scratch)
{
	struct strbuf out = { 0 };
	int ret = -1;

	if (remove_tree(scratch) || mkdir_p(scratch))
		return -1;
	for (size_t i = 0; i < ps->files.n; i++) {
		char *from = xasprintf("%s/%s", src, ps->files.v[i]);
		char *to = xasprintf("%s/%s", scratch, ps->files.v[i]);
		char *dir = xstrdup(to);

		*strrchr(dir, '/') = 0;
		if (mkdir_p(dir) || (path_exists(from) && copy_file(from, to))) {
			free(from);
			free(to);
			free(dir);
			goto out;
		}
		if (!path_exists(from) && !sv_contains(&ps->added, ps->files.v[i])) {
			fprintf(stderr, "lp-build: a patch changes %s, which is not in %s "
				"(patches are read with -p1: paths a/... b/... as git diff "
				"writes them)\n", ps->files.v[i], src);
			free(from);
			free(to);
			free(dir);
			goto out;
		}
		free(from);
		free(to);
		free(dir);
	}
	for (size_t i = 0; i < ps->paths.n; i++) {
		/* not silent, in C: its words say which file and hunk failed */
		const char *av[] = { "env", "LC_ALL=C", "patch", "-p1", "--batch", "--forward",
				     "--no-backup-if-mismatch", "-r", "-", "-d", scratch,
				     "-i", ps->paths.v[i], NULL };

		sb_reset(&out);
		if (run_cmd(av, NULL, 0, &out)) {
			fprintf(stderr, "lp-build: %s does not apply to %s%s:\n", ps->paths.v[i],
				src, i ? " (after the patches before it)" : "");
			if (!explain_failure(ps->paths.v[i], out.buf))
				fprintf(stderr, "%s", out.buf ? out.buf : "");
			goto out;
		}
	}
	ret = 0;
out:
	sb_free(&out);
	return ret;
}

void patchset_free(struct patchset *ps)
{
	sv_free(&ps->paths);
	sv_free(&ps->sha256);
	sv_free(&ps->files);
	sv_free(&ps->added);
}
