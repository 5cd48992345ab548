/* SPDX-License-Identifier: GPL-2.0-only */
/* What a patch changed in a header: only function definitions (the target's
 * DWARF says which units hold their code), or more (macros, types...). */
#ifndef LPB_BUILD_HEADER_CHANGES_H
#define LPB_BUILD_HEADER_CHANGES_H

#include <stddef.h>

enum hc_kind {
	HC_NONE, /* comments, blank lines, new inline functions only */
	HC_FUNCS, /* function definitions only: the spans below */
	HC_OPAQUE, /* something DWARF cannot attribute: see reason */
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
	char *reason; /* HC_OPAQUE: what, for people ("line 120: a macro") */
};

/*
 * Compare a header before (@orig) and after (@patched) the patches. Inside a
 * function definition a change reaches only the code made from it; a
 * change anywhere else (a #define, a type, a declaration, a conditional) is
 * HC_OPAQUE. @patched may be NULL (the patches delete the header): opaque.
 * Returns 0 or -1 (out of memory).
 */
int header_changes(const char *orig, size_t orig_len, const char *patched, size_t patched_len,
		   struct header_change *hc);
void header_change_free(struct header_change *hc);

#endif /* LPB_BUILD_HEADER_CHANGES_H */
