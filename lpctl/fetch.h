/* SPDX-License-Identifier: GPL-2.0-only */
/* Fetching a patch repository's files: file:// from the local file system,
 * https:// (and http:// when allowed) through libcurl with certificate
 * verification. lpctl.static has no libcurl: it fetches file:// only. */
#ifndef LPCTL_FETCH_H
#define LPCTL_FETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fetch {
	const char *base; /* the repository's URL, no trailing '/' */
	const char *ca_file; /* NULL: the system's CA certificates */
	bool allow_http;
	void *curl; /* the transfer handle, reused for every file */
};

/*
 * Check @url's scheme (file://, https://, http:// only with @allow_http)
 * and get ready. 0, or -1 with a one-line reason in @why.
 */
int fetch_open(struct fetch *f, const char *url, const char *ca_file, bool allow_http, char *why,
	       size_t why_len);
void fetch_close(struct fetch *f);

/*
 * The file at @rel (a path under the repository) into memory: at most @max
 * bytes (NUL-terminated, not counted). @fresh asks caches in between for a
 * current copy (the index). 0, or with a one-line reason in @why (the URL
 * and what went wrong): -ENOENT when the repository has no such file (HTTP
 * 404 or 410), -EIO for anything else (HTTP status, TLS, connection).
 */
int fetch_file(struct fetch *f, const char *rel, size_t max, bool fresh, uint8_t **data,
	       size_t *len, char *why, size_t why_len);

/* ---- the transport over the network (fetch-curl.c, or fetch-nocurl.c) ---- */
int fetch_net_open(struct fetch *f, char *why, size_t why_len);
void fetch_net_close(struct fetch *f);
/* @url into memory: as fetch_file */
int fetch_net_get(struct fetch *f, const char *url, size_t max, bool fresh, uint8_t **data,
		  size_t *len, char *why, size_t why_len);

#endif /* LPCTL_FETCH_H */
