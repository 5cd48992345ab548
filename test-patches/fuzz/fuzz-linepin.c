// SPDX-License-Identifier: GPL-2.0-only
/* libFuzzer target for line pinning (lib/line-pin.c), which reads the
 * user's patched sources: the output is the patched text plus #line lines.
 * Input: a flag byte (1: assembler), ORIG, a NUL, PATCHED. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "line-pin.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* lines of @s[0..n), and how many of them start with "#line " */
static size_t count_lines(const char *s, size_t n, size_t *directives)
{
	size_t lines = 0;

	*directives = 0;
	for (size_t i = 0; i < n;) {
		const char *nl = memchr(s + i, '\n', n - i);
		size_t len = nl ? (size_t)(nl - (s + i)) : n - i;

		if (len >= 6 && !memcmp(s + i, "#line ", 6))
			(*directives)++;
		lines++;
		i += len + 1;
	}
	return lines;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data + 1, *sep, *orig, *patched;
	size_t orig_len, patched_len, a, b, o, ad, bd, od;
	struct lpb_pin_stats st;
	char *out;
	size_t out_len;
	int ret;

	if (!size)
		return 0;
	sep = memchr(text, 0, size - 1);
	orig = text;
	orig_len = sep ? (size_t)(sep - text) : size - 1;
	patched = sep ? sep + 1 : text + size - 1;
	patched_len = sep ? size - 1 - orig_len - 1 : 0;
	ret = lpb_line_pin(orig, orig_len, patched, patched_len, data[0] & 1, &out, &out_len, &st);
	if (ret) {
		if ((ret != -ENOMEM && ret != -E2BIG) || out)
			abort();
		return 0;
	}
	a = count_lines(orig, orig_len, &ad);
	b = count_lines(patched, patched_len, &bd);
	o = count_lines(out, out_len, &od);
	/* every line of PATCHED is kept, in order; only #line lines are added */
	if (!out || out_len < patched_len || st.unchanged + st.inserted != b ||
	    st.unchanged > a || st.deleted != a - st.unchanged || o != b + st.directives ||
	    od != bd + st.directives || st.unpinned > st.unchanged) {
		fprintf(stderr, "fuzz-linepin: orig %zu lines, patched %zu, out %zu; unchanged %zu "
			"inserted %zu deleted %zu directives %zu\n", a, b, o, st.unchanged,
			st.inserted, st.deleted, st.directives);
		abort();
	}
	free(out);
	return 0;
}
