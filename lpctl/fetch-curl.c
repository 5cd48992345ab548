// SPDX-License-Identifier: GPL-2.0-only
/* The network transport: libcurl, certificates verified (peer and host name),
 * redirects only to allowed schemes, sizes and stalls bounded. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "fetch.h"
#include "util.h"

#define CONNECT_TIMEOUT_S 20L
#define STALL_S 60L /* slower than 100 bytes/s for this long: give up */

struct sink {
	uint8_t *buf;
	size_t len, cap, max;
	bool too_big;
};

static size_t on_data(char *p, size_t size, size_t n, void *arg)
{
	struct sink *s = arg;
	size_t add = size * n;

	if (s->len + add > s->max) {
		s->too_big = true;
		return 0; /* aborts the transfer */
	}
	if (s->len + add + 1 > s->cap) {
		s->cap = (s->len + add + 1) * 2;
		s->buf = xrealloc(s->buf, s->cap);
	}
	memcpy(s->buf + s->len, p, add);
	s->len += add;
	return add;
}

int fetch_net_open(struct fetch *f, char *why, size_t why_len)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) || !(f->curl = curl_easy_init())) {
		snprintf(why, why_len, "cannot start libcurl");
		return -1;
	}
	return 0;
}

void fetch_net_close(struct fetch *f)
{
	curl_easy_cleanup(f->curl);
	f->curl = NULL;
	curl_global_cleanup();
}

int fetch_net_get(struct fetch *f, const char *url, size_t max, bool fresh, uint8_t **data,
		  size_t *len, char *why, size_t why_len)
{
	const char *protos = f->allow_http ? "https,http" : "https";
	char err[CURL_ERROR_SIZE] = "";
	struct sink s = { .max = max };
	struct curl_slist *hdr = NULL;
	CURL *h = f->curl;
	long status = 0;
	CURLcode rc;

	curl_easy_reset(h);
	if (fresh)
		hdr = curl_slist_append(hdr, "Cache-Control: no-cache");
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, protos);
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, protos);
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	if (f->ca_file)
		curl_easy_setopt(h, CURLOPT_CAINFO, f->ca_file);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT_S);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 100L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, STALL_S);
	curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)max);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "lpctl/" LPB_VERSION);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, err);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &s);
	rc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(hdr);
	if (rc == CURLE_OK && status == 200) {
		if (!s.buf)
			s.buf = xcalloc(1, 1);
		s.buf[s.len] = 0;
		*data = s.buf;
		*len = s.len;
		return 0;
	}
	if (s.too_big || rc == CURLE_FILESIZE_EXCEEDED)
		snprintf(why, why_len, "%s: larger than %zu bytes", url, max);
	else if (rc != CURLE_OK)
		snprintf(why, why_len, "%s: %s", url, *err ? err : curl_easy_strerror(rc));
	else
		snprintf(why, why_len, "%s: the server answered HTTP %ld", url, status);
	free(s.buf);
	return rc == CURLE_OK && (status == 404 || status == 410) ? -ENOENT : -EIO;
}
