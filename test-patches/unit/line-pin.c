// SPDX-License-Identifier: GPL-2.0-only
/* line-pin ORIG PATCHED: prints PATCHED renumbered like ORIG, as lp-build
 * compiles a patched source; the fixtures compile their patched.c through it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "line-pin.h"

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0;

	if (!f) {
		perror(path);
		return NULL;
	}
	*len = 0;
	for (;;) {
		if (*len + 4096 > cap) {
			cap = cap ? cap * 2 : 65536;
			buf = realloc(buf, cap);
			if (!buf)
				abort();
		}
		size_t n = fread(buf + *len, 1, cap - *len, f);

		if (!n)
			break;
		*len += n;
	}
	fclose(f);
	return buf;
}

int main(int argc, char **argv)
{
	struct lpb_pin_stats st;
	size_t ol, pl, outl;
	char *o, *p, *out;
	int rc;

	if (argc != 3) {
		fprintf(stderr, "usage: line-pin ORIG PATCHED > OUT\n");
		return 2;
	}
	o = slurp(argv[1], &ol);
	p = slurp(argv[2], &pl);
	if (!o || !p)
		return 1;
	rc = lpb_line_pin(o, ol, p, pl, strstr(argv[2], ".S") != NULL, &out, &outl, &st);
	if (rc) {
		fprintf(stderr, "line-pin: %s: %s\n", argv[2], strerror(-rc));
		return 1;
	}
	fwrite(out, 1, outl, stdout);
	fprintf(stderr, "line-pin: %zu added, %zu removed, %zu directives, %zu unpinned\n",
		st.inserted, st.deleted, st.directives, st.unpinned);
	free(o);
	free(p);
	free(out);
	return 0;
}
