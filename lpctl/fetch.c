// SPDX-License-Identifier: GPL-2.0-only
/* Repository URLs: which schemes are accepted, file:// reads, and the hand
 * over to the network transport for http(s)://. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fetch.h"
#include "util.h"

int fetch_open(struct fetch *f, const char *url, const char *ca_file, bool allow_http, char *why,
	       size_t why_len)
{
	size_t n = strlen(url);
	char *base;

	*f = (struct fetch){ .ca_file = ca_file, .allow_http = allow_http };
	while (n > 1 && url[n - 1] == '/')
		n--;
	base = xasprintf("%.*s", (int)n, url);
	f->base = base;
	if (str_has_prefix(base, "file:///") || str_has_prefix(base, "https://"))
		;
	else if (str_has_prefix(base, "http://") && !allow_http) {
		snprintf(why, why_len,
			 "%s: plain http:// is refused (allow_http = no): use https://, or set "
			 "allow_http = yes in lpctl.conf (the index and modules are still "
			 "verified, but a network attacker could hold back updates)",
			 url);
		goto bad;
	} else if (!str_has_prefix(base, "http://")) {
		snprintf(why, why_len,
			 "%s: not a repository URL (file:///PATH or https://HOST/PATH)", url);
		goto bad;
	}
	if (str_has_prefix(base, "http") && fetch_net_open(f, why, why_len))
		goto bad;
	return 0;
bad:
	free(base);
	f->base = NULL;
	return -1;
}

void fetch_close(struct fetch *f)
{
	if (f->curl)
		fetch_net_close(f);
	free((char *)f->base);
	*f = (struct fetch){ 0 };
}

int fetch_file(struct fetch *f, const char *rel, size_t max, bool fresh, uint8_t **data,
	       size_t *len, char *why, size_t why_len)
{
	char *url = xasprintf("%s/%s", f->base, rel);
	int ret;

	if (str_has_prefix(url, "file://")) {
		ret = read_path(url + strlen("file://"), max, data, len);
		if (ret)
			snprintf(why, why_len, "%s: %s", url,
				 ret == -EFBIG ? "larger than expected" : strerror(-ret));
		ret = ret == -ENOENT ? -ENOENT : ret ? -EIO : 0;
	} else {
		ret = fetch_net_get(f, url, max, fresh, data, len, why, why_len);
	}
	free(url);
	return ret;
}
