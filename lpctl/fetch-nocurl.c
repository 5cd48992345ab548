// SPDX-License-Identifier: GPL-2.0-only
/* The network transport of lpctl.static: none. libcurl and its TLS stack do
 * not link statically on Debian, so this build reads file:// repositories. */
#include <errno.h>
#include <stdio.h>

#include "fetch.h"

int fetch_net_open(struct fetch *f, char *why, size_t why_len)
{
	snprintf(why, why_len,
		 "%s: this lpctl (the static build) fetches file:// repositories only; use the "
		 "dynamically linked lpctl (with libcurl) for http(s)://, or mirror the "
		 "repository to a local directory",
		 f->base);
	return -1;
}

void fetch_net_close(struct fetch *f)
{
}

int fetch_net_get(struct fetch *f, const char *url, size_t max, bool fresh, uint8_t **data,
		  size_t *len, char *why, size_t why_len)
{
	fetch_net_open(f, why, why_len);
	return -EIO;
}
