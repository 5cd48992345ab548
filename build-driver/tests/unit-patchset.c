// SPDX-License-Identifier: GPL-2.0-only
/* In-process tests of lp-build's patch parser (patchset_parse): the paths it
 * accepts and refuses, including the inputs fuzz-patch found. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "patchset.h"

/* parse @text; 0 and the one file it touches in @file, or -1 */
static int parse(const char *text, char *file, size_t len)
{
	struct patchset ps = { 0 };
	int ret = patchset_parse(&ps, "unit.diff", text);

	*file = 0;
	if (!ret && ps.files.n == 1)
		snprintf(file, len, "%s", ps.files.v[0]);
	else if (!ret)
		ret = -2;
	patchset_free(&ps);
	return ret;
}

static void one_file(const char *plus, const char *want)
{
	char text[512], file[256];
	int ret;

	snprintf(text, sizeof(text), "--- a/x.c\n+++ %s\n@@ -1 +1 @@\n-a\n+b\n", plus);
	ret = parse(text, file, sizeof(file));
	if (want)
		CHECK(!ret && !strcmp(file, want), "'%s': got %d '%s', want '%s'", plus, ret, file,
		      want);
	else
		CHECK(ret == -1, "'%s' accepted as '%s'", plus, file);
}

int main(void)
{
	/* what a tree's paths look like, dots and all */
	one_file("b/fs/proc/cmdline.c", "fs/proc/cmdline.c");
	one_file("b/fs/proc/cmdline.c\t2024-01-01 00:00:00", "fs/proc/cmdline.c");
	one_file("b/fs/..proc/.x..c", "fs/..proc/.x..c");
	one_file("b/.config.c", ".config.c");
	/* paths that leave the tree: fuzz-patch found the trailing ".." */
	one_file("b/fs/proc/..", NULL);
	one_file("b/..", NULL);
	one_file("b/fs/../../etc/x.c", NULL);
	one_file("b/../x.c", NULL);
	one_file("b//etc/passwd", NULL);
	/* no file header at all */
	char file[64];

	CHECK(parse("just text\n", file, sizeof(file)) == -1, "not a diff accepted");
	/* hunk content is content: a removed "-- x" reads "--- x" and an added
	 * "++ y" reads "+++ y", neither a file header (fuzz-patch) */
	CHECK(parse("--- a/x.c\n+++ b/x.c\n@@ -1,2 +1,2 @@\n--- x\n+++ y\n ctx\n", file,
		    sizeof(file)) == 0 && !strcmp(file, "x.c"), "hunk lines taken as headers: '%s'",
	      file);
	/* a trimmed blank context line, then the next file's header */
	CHECK(parse("--- a/x.c\n+++ b/x.c\n@@ -1,3 +1,3 @@\n a\n\n-b\n+c\n"
		    "--- a/y.c\n+++ b/y.c\n@@ -1 +1 @@\n-d\n+e\n", file, sizeof(file)) == -2,
	      "two files expected");
	/* "@@ -5 +5,0 @@": a one-line deletion, counts without commas */
	CHECK(parse("--- a/x.c\n+++ b/x.c\n@@ -5 +4,0 @@\n---- gone\n", file,
		    sizeof(file)) == 0 && !strcmp(file, "x.c"), "one-line hunk: '%s'", file);
	return check_end("patch parser");
}
