/* SPDX-License-Identifier: GPL-2.0-only */
/* A unit compiled again without kbuild: the command kbuild recorded for it
 * in its .cmd file, run as kbuild ran it, in one of the build's views. */
#ifndef LPB_BUILD_RECIPE_H
#define LPB_BUILD_RECIPE_H

#include <stdbool.h>

#include "overlay.h"
#include "tree.h"

/* "0": kbuild compiles every unit (no recorded command replayed) */
#define RECIPE_ENV "LPB_RECORDED_COMMANDS"

/*
 * The shell command of @obj's record (the "cmd_OBJ := ..." or
 * "savedcmd_OBJ := ..." line of kbuild's .cmd text @cmd_text, make's
 * escapes undone), or NULL when the text has no such line or one this
 * code does not understand (malloc'ed).
 */
char *recipe_parse(const char *cmd_text, const char *obj);

/*
 * kbuild's whole rule for @obj as make printed it (V=1) in @out: the line
 * of the recorded command @recipe (spaces compared loosely) and every
 * later line naming @obj, one command a line (on 5.10 the compiler, then
 * objtool and what else the rule runs beside its recorded command). NULL
 * when @recipe's line is not in @out or nothing follows it (malloc'ed).
 */
char *recipe_from_output(const char *out, const char *recipe, const char *obj);

/*
 * Run @recipe in @view of @t's tree, from the tree's top as kbuild does
 * ("set -e", the build root when there is one), after removing the view's
 * own copy of @obj (it may be a link to a cached object). 0, or -1 with
 * the command's output in @out.
 */
int recipe_run(const struct tree *t, const struct tree_opts *o, const struct overlay *view,
	       const char *obj, const char *recipe, struct strbuf *out);

/*
 * Does the object at @obj_path export a symbol (kbuild's own test: a
 * __ksymtab symbol)? Then kbuild's rule does more than the recorded
 * command on some kernels (before 5.19, modversions relinks the object
 * with its CRCs), a step an original that exports nothing never showed.
 */
bool recipe_exports(const char *obj_path);

#endif /* LPB_BUILD_RECIPE_H */
