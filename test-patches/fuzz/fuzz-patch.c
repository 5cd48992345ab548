// SPDX-License-Identifier: GPL-2.0-only
/* libFuzzer target for lp-build's patch parser: any text as a patch file;
 * what it accepts must name only files inside the source tree. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "patchset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A path lp-build copies from the source tree and patch(1) writes: relative
 * and without a ".." component, so it stays inside the tree. */
static void check_path(const char *what, const char *p)
{
	const char *c = p;

	if (!*p || *p == '/')
		goto bad;
	for (;;) {
		size_t n = strcspn(c, "/");

		if (n == 2 && c[0] == '.' && c[1] == '.')
			goto bad;
		if (!c[n])
			return;
		c += n + 1;
	}
bad:
	fprintf(stderr, "fuzz-patch: the parser accepted %s path '%s'\n", what, p);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct patchset ps = { 0 };
	char *text = malloc(size + 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;
	if (!patchset_parse(&ps, "fuzz.diff", text)) {
		if (!ps.files.n)
			abort();
		for (size_t i = 0; i < ps.files.n; i++)
			check_path("touched", ps.files.v[i]);
		for (size_t i = 0; i < ps.added.n; i++)
			if (!sv_contains(&ps.files, ps.added.v[i]))
				abort();
	}
	patchset_free(&ps);
	free(text);
	return 0;
}
