/* SPDX-License-Identifier: GPL-2.0-only */
/* Line pinning: rewrites a patched source so that every line the patch left
 * unchanged keeps its original line number (#line directives after changes). */
#ifndef LPB_LINE_PIN_H
#define LPB_LINE_PIN_H

#include <stdbool.h>
#include <stddef.h>

struct lpb_pin_stats {
	size_t unchanged; /* lines of the patched text that are original lines */
	size_t inserted; /* lines the patch added */
	size_t deleted; /* original lines the patch removed */
	size_t directives; /* #line directives written */
	/* unchanged lines whose number could not be pinned: they follow a
	 * change inside a comment, a continued line or an open parenthesis
	 * and come before the next place a directive may go */
	size_t unpinned;
	size_t first_unpinned; /* patched line number of the first, 0 if none */
};

/*
 * Pin the line numbers of @patched (the text after the patch) to those of
 * @orig (the text before it). With __LINE__ the same for every unchanged
 * line, a patch that only moves lines changes no object code, and any
 * remaining difference in the objects is a real one.
 *
 * @assembler: the text is a .S file (no C strings or character literals to
 * track: its comments may hold apostrophes).
 *
 * Lines the patch added keep the number they have in the patched file, so
 * messages from new code name the line the author sees.
 *
 * Returns 0 and a malloc'ed text in *@out (length *@out_len), or -ENOMEM, or
 * -E2BIG when the texts differ too much to align (then nothing is written).
 */
int lpb_line_pin(const char *orig, size_t orig_len, const char *patched, size_t patched_len,
		 bool assembler, char **out, size_t *out_len, struct lpb_pin_stats *stats);

/*
 * The alignment line pinning uses, for others: for each line of @patched,
 * the index of the line of @orig it is, or -1 for a line the patch added
 * (*@map, malloc'ed, *@nr_patched entries). 0, -ENOMEM or -E2BIG.
 */
int lpb_line_map(const char *orig, size_t orig_len, const char *patched, size_t patched_len,
		 long **map, size_t *nr_orig, size_t *nr_patched);

#endif /* LPB_LINE_PIN_H */
