/* SPDX-License-Identifier: GPL-2.0-only */
/* Small helpers lp-build's stages share: growable strings and string lists,
 * files (read, atomic write, copy, hash), directories, timing. */
#ifndef LPB_BUILD_UTIL_H
#define LPB_BUILD_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hash.h"

struct strbuf {
	char *buf; /* always NUL-terminated once anything was added */
	size_t len, cap;
};

void sb_addf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_addn(struct strbuf *sb, const char *s, size_t n);
void sb_adds(struct strbuf *sb, const char *s);
/* C string literal contents of @s (quotes not included). */
void sb_add_cquoted(struct strbuf *sb, const char *s);
void sb_reset(struct strbuf *sb);
void sb_free(struct strbuf *sb);
/* Steals the buffer ("" when empty); the strbuf is reset. */
char *sb_detach(struct strbuf *sb);

struct strvec {
	char **v; /* NULL-terminated */
	size_t n, cap;
};

void sv_push(struct strvec *sv, const char *s);
void sv_pushf(struct strvec *sv, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool sv_contains(const struct strvec *sv, const char *s);
bool has_suffix(const char *s, const char *suffix);
void sv_free(struct strvec *sv);

/* A set of strings (its own copies) with O(1) membership: a widely used
 * header reaches thousands of units, too many for sv_contains(). */
struct strset {
	struct lpb_hash h;
};

/* Add a copy of @s; true when it was not there yet. */
bool ss_add(struct strset *set, const char *s);
bool ss_has(const struct strset *set, const char *s);
void ss_free(struct strset *set);

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Whole file into memory (NUL appended, not counted). NULL + message. */
char *read_file(const char *path, size_t *len);
/* Write via a temp file in the same directory, fsync, rename. */
int write_file_atomic(const char *path, const void *data, size_t len, unsigned int mode);
int copy_file(const char *from, const char *to);
/* A hard link where the file system allows it (objects are large), else a
 * copy; @to's directory is made, an existing @to replaced. */
int link_or_copy(const char *from, const char *to);
int mkdir_p(const char *path);
int remove_tree(const char *path);
bool path_exists(const char *path);
bool is_dir(const char *path);
/* Absolute, symlink-free path, or NULL + message. */
char *real_path(const char *path);

/* sha256 of a buffer / file as 64 lowercase hex digits (+ NUL). */
void sha256_hex(const void *data, size_t len, char out[65]);
int sha256_file(const char *path, char out[65]);

double now_seconds(void);

#endif /* LPB_BUILD_UTIL_H */
