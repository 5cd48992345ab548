/* SPDX-License-Identifier: GPL-2.0-only */
/* lpctl's state files: "key=value" lines closed by a SHA-256 checksum line,
 * written atomically, so a half-written or damaged file is recognised. */
#ifndef LPCTL_KVFILE_H
#define LPCTL_KVFILE_H

#include <stddef.h>

struct kv {
	char *key;
	char *val;
};

/* The records of one file, in order; a key may repeat (trace lines). */
struct kvfile {
	char *kind; /* from the header line "# lpctl KIND v1" */
	struct kv *v;
	size_t n, cap;
};

void kv_set(struct kvfile *f, const char *key, const char *val);
void kv_setf(struct kvfile *f, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Append a record even if the key exists (repeated keys). */
void kv_add(struct kvfile *f, const char *key, const char *val);
/* The first value of @key, or NULL. */
const char *kv_get(const struct kvfile *f, const char *key);
void kvfile_free(struct kvfile *f);

/* The file's bytes, header to checksum line (malloc'd, NUL-terminated). */
char *kvfile_format(const struct kvfile *f, size_t *len);
/* Parse bytes produced by kvfile_format. 0, or -EBADMSG with a one-line
 * reason in @why: incomplete (no checksum line: truncated, half-written),
 * checksum mismatch (damaged), or a malformed line. */
int kvfile_parse(const char *text, size_t len, struct kvfile *f, char *why, size_t why_len);

/* Atomic, durable write (temp + fsync + rename + fsync dir); mode 0600. */
int kvfile_write(const char *path, const struct kvfile *f);
/* -ENOENT when absent, -EBADMSG (see kvfile_parse) when not trustworthy. */
int kvfile_read(const char *path, struct kvfile *f, char *why, size_t why_len);

#endif /* LPCTL_KVFILE_H */
