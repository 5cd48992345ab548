/* SPDX-License-Identifier: GPL-2.0-only */
/* Progress of long steps (compiling or preprocessing many units): a status
 * line kept up to date on a terminal, a line every few seconds elsewhere. */
#ifndef LPB_BUILD_PROGRESS_H
#define LPB_BUILD_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>

struct progress {
	const char *what; /* "compile-original", ... */
	const char *unit_word; /* "unit(s)" */
	size_t done, total;
	double t0, last; /* start, last report */
	bool tty; /* stderr is a terminal: one line, redrawn */
	bool drawn; /* a status line is on the terminal */
	bool quiet;
};

void progress_start(struct progress *p, const char *what, size_t total, bool quiet);
/* @done of total finished: report when one is due. */
void progress_update(struct progress *p, size_t done);
/* Clear the status line (a stage line follows). */
void progress_end(struct progress *p);

#endif /* LPB_BUILD_PROGRESS_H */
