// SPDX-License-Identifier: GPL-2.0-only
/* Error and warning lines for lib/: stderr only, one line per report, so a
 * tool's stdout stays clean for results and JSON. */
#include <stdarg.h>
#include <stdio.h>

#include "log.h"

static void vreport(const char *what, const char *fmt, va_list ap)
{
	/* Build the line first so concurrent tools do not interleave halves. */
	char buf[2048];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	fprintf(stderr, "%s: %s\n", what, buf);
}

void lpb_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("error", fmt, ap);
	va_end(ap);
}

void lpb_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("warning", fmt, ap);
	va_end(ap);
}
