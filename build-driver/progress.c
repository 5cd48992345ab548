// SPDX-License-Identifier: GPL-2.0-only
/* Progress lines for long compiles: units done of the total, time spent and
 * an estimate of the time left from the rate so far. */
#include <stdio.h>
#include <unistd.h>

#include "progress.h"
#include "util.h"

/* A terminal is redrawn every second; a log gets a line this often. */
#define LOG_EVERY 5.0
/* Steps shorter than this say nothing (a one-file build stays quiet). */
#define QUIET_FOR 2.0

void progress_start(struct progress *p, const char *what, size_t total, bool quiet)
{
	*p = (struct progress){ .what = what, .total = total, .quiet = quiet };
	p->t0 = p->last = now_seconds();
	p->tty = isatty(2);
}

static void span(char *buf, size_t n, double s)
{
	long t = (long)(s + 0.5);

	if (t >= 3600)
		snprintf(buf, n, "%ldh%02ldm", t / 3600, t / 60 % 60);
	else if (t >= 60)
		snprintf(buf, n, "%ldm%02lds", t / 60, t % 60);
	else
		snprintf(buf, n, "%lds", t);
}

void progress_update(struct progress *p, size_t done)
{
	double now = now_seconds(), elapsed = now - p->t0;
	char spent[32], left[48] = "";

	p->done = done;
	if (p->quiet || elapsed < QUIET_FOR || now - p->last < (p->tty ? 1.0 : LOG_EVERY))
		return;
	p->last = now;
	span(spent, sizeof(spent), elapsed);
	if (done && done < p->total) {
		char eta[32];

		span(eta, sizeof(eta), elapsed / done * (p->total - done));
		snprintf(left, sizeof(left), ", about %s left", eta);
	}
	fprintf(stderr, "%slp-build: %s %zu/%zu unit(s), %s%s%s", p->tty ? "\r" : "", p->what,
		done, p->total, spent, left, p->tty ? "\033[K" : "\n");
	fflush(stderr);
	p->drawn = p->tty;
}

void progress_end(struct progress *p)
{
	if (p->drawn)
		fprintf(stderr, "\r\033[K");
	p->drawn = false;
}
