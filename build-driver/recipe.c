// SPDX-License-Identifier: GPL-2.0-only
/* Replaying kbuild's recorded command for one unit: the compiler and what
 * kbuild runs with it (objtool), without make's walk of the tree. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buildroot.h"
#include "lpb-elf.h"
#include "recipe.h"
#include "run.h"

/* make's escapes in a .cmd file (scripts/Kbuild.include, make-cmd) */
static const struct {
	const char *from, *to;
} unescape[] = {
	{ "$$", "$" },
	{ "$(pound)", "#" },
};

char *recipe_parse(const char *cmd_text, const char *obj)
{
	static const char *const prefixes[] = { "cmd_", "savedcmd_" };
	size_t len = strcspn(cmd_text, "\n");
	struct strbuf sb = { 0 };
	const char *p = NULL, *end = cmd_text + len;

	for (size_t i = 0; i < (sizeof(prefixes) / sizeof(prefixes[0])) && !p; i++) {
		char *head = xasprintf("%s%s := ", prefixes[i], obj);

		if (!strncmp(cmd_text, head, strlen(head)))
			p = cmd_text + strlen(head);
		free(head);
	}
	if (!p)
		return NULL;
	while (p < end) {
		size_t i;

		if (*p != '$') {
			sb_addn(&sb, p++, 1);
			continue;
		}
		for (i = 0; i < (sizeof(unescape) / sizeof(unescape[0])); i++) {
			size_t n = strlen(unescape[i].from);

			if ((size_t)(end - p) >= n && !strncmp(p, unescape[i].from, n)) {
				sb_adds(&sb, unescape[i].to);
				p += n;
				break;
			}
		}
		if (i == (sizeof(unescape) / sizeof(unescape[0]))) {
			/* a make expansion kbuild left in: not a plain command */
			sb_free(&sb);
			return NULL;
		}
	}
	if (!sb.len) {
		sb_free(&sb);
		return NULL;
	}
	return sb_detach(&sb);
}

/* @a and @b equal but for the lengths of runs of blanks, leading ones too */
static bool same_words(const char *a, size_t na, const char *b)
{
	const char *ea = a + na;

	for (;;) {
		while (a < ea && (*a == ' ' || *a == '\t'))
			a++;
		while (*b == ' ' || *b == '\t')
			b++;
		if (a == ea || !*b)
			return a == ea && !*b;
		while (a < ea && *b && *a == *b && *a != ' ' && *a != '\t')
			a++, b++;
		if (a < ea && *a != ' ' && *a != '\t')
			return false;
		if (*b && *b != ' ' && *b != '\t')
			return false;
	}
}

/* does the line [@p, @p + @n) name @obj as a word of its own? */
static bool names_obj(const char *p, size_t n, const char *obj)
{
	size_t len = strlen(obj);

	for (const char *q = p; q + len <= p + n; q++) {
		if (strncmp(q, obj, len))
			continue;
		if ((q == p || q[-1] == ' ' || q[-1] == '\t') &&
		    (q + len == p + n || q[len] == ' ' || q[len] == '\t' || q[len] == ';'))
			return true;
	}
	return false;
}

char *recipe_from_output(const char *out, const char *recipe, const char *obj)
{
	struct strbuf sb = { 0 };
	bool found = false;
	size_t extra = 0;

	for (const char *p = out; p && *p;) {
		size_t n = strcspn(p, "\n");
		const char *start = p;

		while (start < p + n && (*start == ' ' || *start == '\t'))
			start++;
		if (!found && same_words(p, n, recipe)) {
			found = true;
			sb_adds(&sb, recipe);
		} else if (found && names_obj(start, (size_t)(p + n - start), obj)) {
			sb_adds(&sb, "\n");
			sb_addn(&sb, start, (size_t)(p + n - start));
			extra++;
		}
		p += n + (p[n] == '\n');
	}
	if (!found || !extra) {
		sb_free(&sb);
		return NULL;
	}
	return sb_detach(&sb);
}

int recipe_run(const struct tree *t, const struct tree_opts *o, const struct overlay *view,
	       const char *obj, const char *recipe, struct strbuf *out)
{
	struct run_env env = { .view = view };
	struct strvec av = { 0 };
	char *own = xasprintf("%s/%s", view->upper, obj);
	int rc;

	/* the compiler and objtool write the object in place: never through
	 * a hard link into the object cache */
	if (unlink(own) && errno != ENOENT) {
		fprintf(stderr, "lp-build: cannot remove %s: %s\n", own, strerror(errno));
		free(own);
		return -1;
	}
	free(own);
	toolchain_wrap(o->tc, &av);
	sv_push(&av, "sh");
	sv_push(&av, "-c");
	sv_push(&av, "cd \"$1\" && set -e && eval \"$2\"");
	sv_push(&av, "sh");
	sv_push(&av, t->build);
	sv_push(&av, recipe);
	if (o->verbose > 1)
		fprintf(stderr, "lp-build: + (in %s) %s\n", t->build, recipe);
	rc = run_cmd_env((const char *const *)av.v, NULL, 0, out, &env);
	sv_free(&av);
	return rc ? -1 : 0;
}

bool recipe_exports(const char *obj_path)
{
	struct lpb_elf *elf = lpb_elf_open(obj_path, LPB_ELF_LAZY_RELOCS);
	bool found = !elf; /* unreadable: let kbuild decide */

	for (size_t i = 1; elf && i < elf->nr_syms && !found; i++)
		found = elf->syms[i]->name && strstr(elf->syms[i]->name, "__ksymtab");
	lpb_elf_free(elf);
	return found;
}
