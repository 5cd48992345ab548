/* SPDX-License-Identifier: GPL-2.0-only */
/* Which translation units include a header, directly or through other
 * headers, found by scanning #include lines (no kernel build needed). */
#ifndef LPB_BUILD_INCLUDES_H
#define LPB_BUILD_INCLUDES_H

#include "util.h"

/*
 * Add to @tus every .c/.S file of @src that includes one of @headers
 * (relative paths). Matching is by path suffix, so it errs towards more
 * units, never fewer: extra ones are compiled and then found unchanged.
 * The scan is saved in @index (when not NULL) and reused from there.
 */
int includers_of(const char *src, const char *index, const struct strvec *headers,
		 struct strvec *tus);

/*
 * Add to @tus every .c/.S file of @src that #includes the .c file @file,
 * directly or through other .c files (kernel/sched/build_policy.c for
 * kernel/sched/rt.c). Reads a small index of the #include lines that name
 * .c files, kept next to @index and made with it the first time.
 */
int c_includers_of(const char *src, const char *index, const char *file, struct strvec *tus);

#endif /* LPB_BUILD_INCLUDES_H */
