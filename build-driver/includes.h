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
 * Scan @src and save the scan in @index (with its .c-file part), unless an
 * earlier scan left both; quiet (it may run beside other work). 0 or -1.
 */
int include_index_make(const char *src, const char *index);

/*
 * The #include lines of @src that name .c files, from a small index kept
 * next to @index (made with it, once per tree). NULL after a message.
 */
struct c_includes;
struct c_includes *c_includes_load(const char *src, const char *index);

/*
 * Add to @tus every .c/.S file that #includes the .c file @file, directly
 * or through other .c files (kernel/sched/build_policy.c for
 * kernel/sched/rt.c); one included by a header is looked up in the whole
 * graph. Returns 0 or -1 after a message.
 */
int c_includes_of(struct c_includes *ci, const char *file, struct strvec *tus);
void c_includes_free(struct c_includes *ci);

/* A tree's whole #include graph, loaded once (from @index, or scanned and
 * saved there) for several lookups. */
struct include_graph;
struct include_graph *include_graph_load(const char *src, const char *index);
void include_graph_free(struct include_graph *g);

/* includers_of() on a loaded graph (@quiet: no line about it). */
int include_graph_includers(struct include_graph *g, const struct strvec *headers,
			    struct strvec *tus, bool quiet);

/*
 * Every file the units @units (relative .c/.S paths) may read through
 * #include, directly or not, themselves first, into @files: each name a
 * directive may mean that exists in @tree (the prepared tree, where the
 * generated headers are too), in the quoted file's directory, the x86
 * include directories, or anywhere the indexed sources end in it. A
 * superset of what the compiler reads. 0 or -1.
 */
int include_graph_forward(struct include_graph *g, const char *tree, const struct strvec *units,
			  struct strvec *files);

#endif /* LPB_BUILD_INCLUDES_H */
