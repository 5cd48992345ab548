/* SPDX-License-Identifier: GPL-2.0-only */
/* What a patch changed in a header: only function definitions (the target's
 * DWARF says which units hold their code), or more (macros, types...). */
#ifndef LPB_BUILD_HEADER_CHANGES_H
#define LPB_BUILD_HEADER_CHANGES_H

#include <stddef.h>

#include "util.h"

enum hc_kind {
	HC_NONE, /* comments, blank lines, new inline functions only */
	HC_FUNCS, /* function definitions only: the spans below */
	HC_MACROS, /* macro definitions (and perhaps function definitions): the
		    * macros' uses decide (macro-uses.h) */
	HC_OPAQUE, /* something else (a type, a declaration, a conditional): see reason */
};

struct hc_span {
	int first, last; /* lines of the original header (1-based, inclusive) */
};

struct header_change {
	enum hc_kind kind;
	struct hc_span *funcs; /* definitions the patch changes or removes */
	size_t nr_funcs;
	size_t new_inlines; /* inline functions the patch adds (they only matter
			     * where changed code calls them) */
	struct strvec macros; /* HC_MACROS: the macros defined, changed or removed */
	/* functions and objects the patches declare (added whole): harmless
	 * unless the tree already uses the name (units.c looks) */
	struct strvec new_decls;
	char *reason; /* HC_OPAQUE: what, for people ("line 120 changes a type") */
};

/*
 * Compare a header before (@orig) and after (@patched) the patches. Inside a
 * function definition a change reaches only the code made from it; a
 * changed #define reaches the code using the macro; a change anywhere else
 * (a type, a declaration, a conditional) is HC_OPAQUE. @patched may be NULL
 * (the patches delete the header): opaque. Returns 0 or -1 (out of memory).
 */
int header_changes(const char *orig, size_t orig_len, const char *patched, size_t patched_len,
		   struct header_change *hc);
void header_change_free(struct header_change *hc);

/* A source file's lines as the classifier sees them, for finding where a
 * name is used (macro-uses.c). */
struct hc_text;

struct hc_text *hc_text_parse(const char *text, size_t len);
void hc_text_free(struct hc_text *t);
size_t hc_text_lines(const struct hc_text *t);
/* Line @i (0-based) without comments and without the contents of string
 * and character literals: its identifiers are the code's. */
const char *hc_text_shape(const struct hc_text *t, size_t i);

enum hc_where {
	HW_NOTHING, /* blank or comment */
	HW_FUNCTION, /* a function definition: lines *first..*last (1-based) */
	HW_DEFINE, /* a #define or #undef of *name (malloc'ed) */
	HW_DIRECTIVE, /* another preprocessor directive (#if, #include...) */
	HW_OTHER, /* a declaration, a type, an initializer... */
};

enum hc_where hc_text_where(const struct hc_text *t, size_t i, int *first, int *last,
			    char **name);

/* The parameter list ("a, b, ...") of the function-like macro whose
 * #define line @i is part of (malloc'ed), or NULL. */
char *hc_text_macro_params(const struct hc_text *t, size_t i);

#endif /* LPB_BUILD_HEADER_CHANGES_H */
