// SPDX-License-Identifier: GPL-2.0-only
/* lpctl's small helpers. Out of memory is fatal here (a tool, not lib/):
 * lpctl's state must never be written from a half-built picture. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "util.h"

static void oom(void)
{
	fputs("lpctl: out of memory\n", stderr);
	abort();
}

char *xstrdup(const char *s)
{
	char *p = strdup(s ? s : "");

	if (!p)
		oom();
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		oom();
	va_end(ap);
	return s;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		oom();
	return p;
}

void *xrealloc(void *p, size_t size)
{
	p = realloc(p, size ? size : 1);
	if (!p)
		oom();
	return p;
}

void strv_add(struct strv *sv, const char *s)
{
	if (sv->n + 2 > sv->cap) {
		sv->cap = sv->cap ? sv->cap * 2 : 8;
		sv->v = xrealloc(sv->v, sv->cap * sizeof(*sv->v));
	}
	sv->v[sv->n++] = xstrdup(s);
	sv->v[sv->n] = NULL;
}

void strv_addf(struct strv *sv, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		oom();
	va_end(ap);
	strv_add(sv, s);
	free(s);
}

void strv_free(struct strv *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	*sv = (struct strv){ 0 };
}

int read_fd(int fd, size_t max, uint8_t **data, size_t *len)
{
	size_t cap = 4096, n = 0;
	uint8_t *buf = xcalloc(1, cap);

	for (;;) {
		ssize_t r;

		if (n + 1 >= cap) {
			if (cap > max) {
				free(buf);
				return -EFBIG;
			}
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		r = read(fd, buf + n, cap - n - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			free(buf);
			return r;
		}
		if (r == 0)
			break;
		n += r;
	}
	if (n > max) {
		free(buf);
		return -EFBIG;
	}
	buf[n] = 0;
	*data = buf;
	*len = n;
	return 0;
}

int read_path(const char *path, size_t max, uint8_t **data, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return -errno;
	ret = read_fd(fd, max, data, len);
	close(fd);
	return ret;
}

char *read_line(const char *path)
{
	uint8_t *data;
	size_t len;

	if (read_path(path, 1 << 16, &data, &len))
		return NULL;
	data[strcspn((char *)data, "\n")] = 0;
	return (char *)data;
}

int mkdir_p(const char *path, mode_t mode)
{
	char *p = xstrdup(path);
	int ret = 0;

	for (char *s = p + 1;; s++) {
		if (*s != '/' && *s)
			continue;
		char c = *s;

		*s = 0;
		if (mkdir(p, mode)) {
			if (errno != EEXIST) {
				ret = -errno;
				break;
			}
		} else {
			/*
			 * A new directory survives a crash only once its own
			 * inode and then its parent's entry are on disk (ext2
			 * has no journal to replay either).
			 */
			char *slash = strrchr(p, '/');

			fsync_dir(p);
			if (!slash) {
				fsync_dir("."); /* a relative path's first part */
			} else {
				*slash = 0;
				fsync_dir(slash == p ? "/" : p);
				*slash = '/';
			}
		}
		*s = c;
		if (!c)
			break;
	}
	free(p);
	return ret;
}

int fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int ret = 0;

	if (fd < 0)
		return -errno;
	if (fsync(fd))
		ret = -errno;
	close(fd);
	return ret;
}

static char *dir_of(const char *path)
{
	char *d = xstrdup(path), *slash = strrchr(d, '/');

	if (!slash) {
		free(d);
		return xstrdup(".");
	}
	if (slash == d)
		slash[1] = 0;
	else
		*slash = 0;
	return d;
}

int write_file_atomic(const char *path, const void *data, size_t len, mode_t mode)
{
	char *dir = dir_of(path);
	const char *base = strrchr(path, '/');
	char *tmp = xasprintf("%s/.%s.tmp.%d", dir, base ? base + 1 : path, (int)getpid());
	const uint8_t *p = data;
	int fd, ret = 0;

	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0) {
		ret = -errno;
		goto out;
	}
	while (len) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			ret = w < 0 ? -errno : -EIO;
			break;
		}
		p += w;
		len -= w;
	}
	/* fchmod: the umask must not loosen or tighten what the caller asked */
	if (!ret && fchmod(fd, mode))
		ret = -errno;
	if (!ret && fsync(fd))
		ret = -errno;
	if (close(fd) && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path))
		ret = -errno;
	if (ret)
		unlink(tmp);
	else
		ret = fsync_dir(dir);
out:
	free(tmp);
	free(dir);
	return ret;
}

int sync_fs_of(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	if (syncfs(fd))
		ret = -errno;
	close(fd);
	return ret;
}

int unlink_durable(const char *path)
{
	char *dir;
	int ret;

	if (unlink(path))
		return errno == ENOENT ? 0 : -errno;
	dir = dir_of(path);
	ret = fsync_dir(dir);
	free(dir);
	return ret;
}

void sha256_hex(const void *data, size_t len, char *hex)
{
	unsigned char md[32];
	unsigned int mdlen = 0;

	EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL);
	for (unsigned int i = 0; i < 32; i++)
		sprintf(hex + 2 * i, "%02x", md[i]);
	hex[SHA256_HEX_LEN] = 0;
}

uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void utc_now(char *buf, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

bool valid_module_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 55)
		return false;
	return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

bool str_has_prefix(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}
