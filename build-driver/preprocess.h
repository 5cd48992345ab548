/* SPDX-License-Identifier: GPL-2.0-only */
/* Which units a header change reaches for real: those whose preprocessed
 * original and patched sources differ in their tokens. */
#ifndef LPB_BUILD_PREPROCESS_H
#define LPB_BUILD_PREPROCESS_H

#include "compile.h"

struct pp_stats {
	size_t units; /* preprocessed (both sides) */
	size_t cached; /* original sides taken from the object cache */
	size_t differ;
	double seconds;
};

/*
 * Preprocess each of @units ("net/core/dev.c") in the original view (or
 * take its digest from the tree's cache) and in the patched view (the
 * patches applied), and add to @differ those whose token streams differ
 * (line markers and spacing ignored). 0, or -1 after kbuild's output.
 */
int preprocess_compare(struct compile *c, const struct strvec *units, struct strvec *differ,
		       struct pp_stats *st);

/* The digest of a preprocessed text: its tokens, without line markers. */
void preprocess_digest(const char *text, size_t len, char out[65]);

#endif /* LPB_BUILD_PREPROCESS_H */
