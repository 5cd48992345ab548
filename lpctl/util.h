/* SPDX-License-Identifier: GPL-2.0-only */
/* lpctl's small helpers: strings, whole-file reads, durable writes (fsync of
 * the file and its directory), SHA-256, clocks. */
#ifndef LPCTL_UTIL_H
#define LPCTL_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define SHA256_HEX_LEN 64

char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t size);

/* A growing array of strings (NULL-terminated once non-empty). */
struct strv {
	char **v;
	size_t n, cap;
};
void strv_add(struct strv *sv, const char *s);
void strv_addf(struct strv *sv, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void strv_free(struct strv *sv);

/* Whole content of the file open on @fd (at most @max bytes, else -EFBIG).
 * *@data is NUL-terminated (not counted in *@len). */
int read_fd(int fd, size_t max, uint8_t **data, size_t *len);
/* The same for @path; -errno when it cannot be opened. */
int read_path(const char *path, size_t max, uint8_t **data, size_t *len);
/* First line of a small file (sysfs, procfs) without the newline, or NULL. */
char *read_line(const char *path);

/* Create @path and missing parents with @mode, durably (each new
 * directory's parent is synced). */
int mkdir_p(const char *path, mode_t mode);
/* Flush a directory entry (after rename/unlink) to disk. */
int fsync_dir(const char *dir);
/* Write @path atomically and durably: a temp file in the same directory,
 * fsync, rename over @path, fsync of the directory. */
int write_file_atomic(const char *path, const void *data, size_t len, mode_t mode);
/* Write back everything dirty on @path's file system (allocation bitmaps
 * included: without a journal, fsync alone leaves them behind). */
int sync_fs_of(const char *path);
/* unlink + fsync of the directory; 0 when @path did not exist. */
int unlink_durable(const char *path);

/* Lower-case hex SHA-256 of @data into @hex (SHA256_HEX_LEN + 1 bytes). */
void sha256_hex(const void *data, size_t len, char *hex);

uint64_t mono_ms(void);
/* UTC wall-clock time as "YYYY-MM-DDTHH:MM:SSZ" into @buf (>= 21 bytes). */
void utc_now(char *buf, size_t len);

/* true if @s is a valid kernel module name: [A-Za-z0-9_-], 1..55 chars. */
bool valid_module_name(const char *s);
bool str_has_prefix(const char *s, const char *prefix);

#endif /* LPCTL_UTIL_H */
