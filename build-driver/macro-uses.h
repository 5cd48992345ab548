/* SPDX-License-Identifier: GPL-2.0-only */
/* Where changed macros are used: in functions of headers (the target's
 * DWARF then says which units hold their code), in units' own text, or in
 * declarations of headers (whose includers the preprocessor must decide). */
#ifndef LPB_BUILD_MACRO_USES_H
#define LPB_BUILD_MACRO_USES_H

#include "util.h"

/* A function definition of a header whose body uses a changed macro. */
struct mu_func {
	char *file; /* "include/net/sock.h" */
	int first, last; /* its lines (1-based) */
	char *macro; /* the (first) changed macro it uses */
};

struct macro_uses {
	struct strvec names; /* the changed macros and every macro using one */
	struct strvec files; /* .c/.S files using a name outside a macro definition */
	struct strvec file_macro; /* for each of them: the name */
	struct mu_func *funcs; /* header functions using a name */
	size_t nr_funcs;
	struct strvec opaque; /* headers using a name outside functions and macros */
	struct strvec opaque_why; /* for each: "line 12 uses SOCK_MIN_RCVBUF" */
	size_t definitions; /* #define or #undef lines of the names themselves (for a
			     * new declaration: its name is taken) */
	size_t scanned; /* files read */
	size_t passes; /* until no new macro used a name */
};

/*
 * Find the uses of the macros @changed in @files (paths relative to
 * @tree, which holds the original text: the prepared tree), following
 * every macro whose definition uses one (through ## too, conservatively)
 * until no new one appears. A file whose braces do not balance has its
 * uses counted as declarations. 0, or -1 after a message.
 */
int macro_uses_find(struct macro_uses *mu, const char *tree, const struct strvec *files,
		    const struct strvec *changed);
void macro_uses_free(struct macro_uses *mu);

#endif /* LPB_BUILD_MACRO_USES_H */
