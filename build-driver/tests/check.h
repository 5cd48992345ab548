/* SPDX-License-Identifier: GPL-2.0-only */
/* The checks of build-driver's in-process unit tests: CHECK(cond, fmt, ...)
 * counts a check and reports a failed one; check_end() prints the count. */
#ifndef LPB_BUILD_TESTS_CHECK_H
#define LPB_BUILD_TESTS_CHECK_H

#include <stdio.h>

static int checks, failures;

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		checks++;                                                                          \
		if (!(cond)) {                                                                     \
			failures++;                                                                \
			fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                       \
			fprintf(stderr, __VA_ARGS__);                                              \
			fputc('\n', stderr);                                                       \
		}                                                                                  \
	} while (0)

/* "lp-build WHAT tests: N checks, M failed"; the exit status of main */
static inline int check_end(const char *what)
{
	printf("lp-build %s tests: %d checks, %d failed\n", what, checks, failures);
	return failures ? 1 : 0;
}

#endif /* LPB_BUILD_TESTS_CHECK_H */
