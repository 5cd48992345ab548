// SPDX-License-Identifier: GPL-2.0-only
/* kpatch's macros that lp-build refuses, found in the lines a patch adds
 * before anything is compiled, each named with what to do instead. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kpatch-compat.h"

/*
 * kpatch's interfaces with no lp-build equivalent. The supported ones
 * (callbacks, KPATCH_PRINTK*, KPATCH_STATIC_CALL, KPATCH_SYSCALL_DEFINE*)
 * are in kmod-template/include/kpatch-macros.h and kpatch-syscall.h.
 */
static const struct refused_name {
	const char *name;
	const char *why; /* what the name asks for, and why lp-build will not */
	const char *instead;
} refused[] = {
	{ "KPATCH_IGNORE_SECTION",
	  "asks to leave a changed section out of the livepatch; lp-build never drops a change on request",
	  "remove it: lp-build copes with the sections kpatch needed it for (syscall metadata, line-number tables) and refuses a change it cannot patch with the reason" },
	{ "KPATCH_IGNORE_FUNCTION",
	  "asks to leave a changed function unpatched; lp-build never drops a change on request",
	  "remove it: a function whose only change is a line number is not patched anyway, one that really changed must be patched (or is refused with the reason)" },
	{ "__kpatch_ignore",
	  "asks to leave a changed function unpatched; lp-build never drops a change on request",
	  "remove it: a function whose only change is a line number is not patched anyway" },
	{ "KPATCH_IGNORE_STATIC",
	  "asks not to pair a static local variable with the running kernel's",
	  "remove it: lp-build pairs static locals by their use and refuses what it cannot pair" },
	{ "KPATCH_FORCE_UNSAFE",
	  "bypasses kpatch's old stack check for one function; livepatch's consistency model has no per-function override",
	  "remove it; if the transition stalls because a task sleeps in the function, patch its callers instead or see lpctl's stall policy (doc/operators-guide.md)" },
	{ "KPATCH_LOAD_HOOK", "is kpatch's old load hook",
	  "declare the function as a post-patch callback: KPATCH_POST_PATCH_CALLBACK(fn), fn taking a patch_object *" },
	{ "KPATCH_UNLOAD_HOOK", "is kpatch's old unload hook",
	  "declare the function as a pre-unpatch callback: KPATCH_PRE_UNPATCH_CALLBACK(fn), fn taking a patch_object *" },
	{ "KPATCH_WARN_LINE", "pins a WARN's line number",
	  "use WARN(): lp-build recognises functions whose only change is a line number" },
	{ "KPATCH_WARN_ON_LINE", "pins a WARN_ON's line number",
	  "use WARN_ON(): lp-build recognises functions whose only change is a line number" },
	{ "KPATCH_WARN_ON_SMP_LINE", "pins a WARN_ON_SMP's line number",
	  "use WARN_ON_SMP(): lp-build recognises functions whose only change is a line number" },
	{ "kpatch_shadow_alloc", "is the shadow variable API of kpatch's old core module",
	  "use klp_shadow_get_or_alloc() from <linux/livepatch.h>, with a numeric id instead of the name" },
	{ "kpatch_shadow_get", "is the shadow variable API of kpatch's old core module",
	  "use klp_shadow_get() from <linux/livepatch.h>, with a numeric id instead of the name" },
	{ "kpatch_shadow_free", "is the shadow variable API of kpatch's old core module",
	  "use klp_shadow_free() from <linux/livepatch.h>, with a numeric id instead of the name" },
};

static bool ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* @name as a whole identifier in @line (length @len). */
static bool has_word(const char *line, size_t len, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; i + n <= len; i++) {
		if (memcmp(line + i, name, n))
			continue;
		if ((i == 0 || !ident_char(line[i - 1])) &&
		    (i + n == len || !ident_char(line[i + n])))
			return true;
	}
	return false;
}

/* A line that only continues or opens a comment: names in prose are fine. */
static bool comment_line(const char *line, size_t len)
{
	size_t i = 0;

	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	return i < len && (line[i] == '*' || (line[i] == '/' && i + 1 < len &&
					      (line[i + 1] == '*' || line[i + 1] == '/')));
}

/* "+++ b/fs/x.c\t..." -> "fs/x.c" (the -p1 name), for messages. */
static char *plus_path(const char *line, size_t len)
{
	const char *p = line + 4, *end = line + strcspn(line, "\t\n");
	const char *slash = memchr(p, '/', end - p);

	if (end > line + len)
		end = line + len;
	return slash ? strndup(slash + 1, end - slash - 1) : strndup(p, end - p);
}

static int scan_patch(const char *patch, const char *text)
{
	const char *base = strrchr(patch, '/') ? strrchr(patch, '/') + 1 : patch;
	char *file = NULL;
	long lineno = 0;
	int found = 0;

	for (const char *line = text; line && *line;
	     line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		size_t len = strcspn(line, "\n");
		long start;

		if (!strncmp(line, "+++ ", 4)) {
			free(file);
			file = plus_path(line, len);
			continue;
		}
		if (!strncmp(line, "@@ ", 3)) {
			const char *plus = strstr(line, " +");

			lineno = plus && sscanf(plus + 2, "%ld", &start) == 1 ? start : 0;
			continue;
		}
		if (!file || (line[0] != '+' && line[0] != ' '))
			continue;
		if (line[0] == '+' && !comment_line(line + 1, len - 1)) {
			for (size_t i = 0; i < sizeof(refused) / sizeof(*refused); i++) {
				if (!has_word(line + 1, len - 1, refused[i].name))
					continue;
				fprintf(stderr, "lp-build: %s:%ld (%s): %s %s\n  advice: %s\n", file,
					lineno, base, refused[i].name, refused[i].why,
					refused[i].instead);
				found++;
			}
		}
		lineno++;
	}
	free(file);
	return found;
}

int kpatch_compat_check(const struct patchset *ps)
{
	int found = 0;

	for (size_t i = 0; i < ps->paths.n; i++) {
		char *text = read_file(ps->paths.v[i], NULL);

		if (!text)
			return -1;
		found += scan_patch(ps->paths.v[i], text);
		free(text);
	}
	return found;
}
