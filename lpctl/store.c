// SPDX-License-Identifier: GPL-2.0-only
/* The state directory: layout, the run lock, lock-out files. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "store.h"

int store_lock(struct lpctl *c)
{
	char *path = xasprintf("%s/lock", c->state_dir);
	char pid[32];
	int fd, ret;

	ret = mkdir_p(c->state_dir, 0700);
	if (ret) {
		lpctl_errf(c, "cannot create %s: %s", c->state_dir, strerror(-ret));
		free(path);
		return LPB_EXIT_ERROR;
	}
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd >= 0) {
		/* new: make it durable, or a crash leaves an entry to nowhere */
		fsync(fd);
		fsync_dir(c->state_dir);
	} else if (errno == EEXIST) {
		fd = open(path, O_RDWR | O_CLOEXEC);
	}
	if (fd < 0) {
		lpctl_errf(c, "cannot open %s: %s", path, strerror(errno));
		free(path);
		return LPB_EXIT_ERROR;
	}
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		char other[32] = "";
		ssize_t n = pread(fd, other, sizeof(other) - 1, 0);

		other[n > 0 ? n : 0] = 0;
		other[strcspn(other, "\n")] = 0;
		if (*other)
			lpctl_errf(c, "waiting for another lpctl run (pid %s) to finish", other);
		else
			lpctl_errf(c, "waiting for another lpctl run to finish");
		while (flock(fd, LOCK_EX) && errno == EINTR)
			;
	}
	snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	/* the pid is only informative: a failure to record it is harmless */
	if (!ftruncate(fd, 0))
		(void)!pwrite(fd, pid, strlen(pid), 0);
	c->lock_fd = fd;
	free(path);
	return 0;
}

void store_unlock(struct lpctl *c)
{
	if (c->lock_fd >= 0) {
		(void)!ftruncate(c->lock_fd, 0);
		close(c->lock_fd); /* releases the flock */
		c->lock_fd = -1;
	}
}

char *store_path(const struct lpctl *c, const char *name)
{
	return xasprintf("%s/%s", c->rel_dir, name);
}

int store_prepare(struct lpctl *c)
{
	static const char *const sub[] = { "patches", "locks" };
	char *real = realpath(c->state_dir, NULL);

	/*
	 * The state directory may have been made by someone else (a package,
	 * a link to another disk) without syncing its entry: sync it, so the
	 * crash marker is found after a crash.
	 */
	if (real) {
		char *slash = strrchr(real, '/');

		fsync_dir(real);
		if (slash && slash != real) {
			*slash = 0;
			fsync_dir(real);
		}
		free(real);
	}
	for (size_t i = 0; i < 2; i++) {
		char *p = store_path(c, sub[i]);
		int ret = mkdir_p(p, 0700);

		if (ret) {
			lpctl_errf(c, "cannot create %s: %s", p, strerror(-ret));
			free(p);
			return LPB_EXIT_ERROR;
		}
		free(p);
	}
	return 0;
}

char *store_lock_path(const struct lpctl *c, const char *name, const char *sha)
{
	return xasprintf("%s/locks/%s@%.16s.lock", c->rel_dir, name, sha);
}

int store_find_lock(const struct lpctl *c, const char *name, const char *sha, struct kvfile *lock)
{
	char *path = store_lock_path(c, name, sha);
	char why[160];
	int ret = kvfile_read(path, lock, why, sizeof(why));

	if (ret == -ENOENT) {
		free(path);
		return 0;
	}
	if (ret) {
		/* a damaged lock file locks: never trust it to mean "unlocked" */
		kvfile_free(lock);
		lock->kind = xstrdup("lock");
		kv_set(lock, "name", name);
		kv_set(lock, "sha256", sha);
		kv_setf(lock, "reason", "the lock file %s is damaged (%s); treated as locked", path,
			why);
	}
	free(path);
	return 1;
}

int store_write_lock(const struct lpctl *c, const char *name, const char *sha,
		     const char *patch_version, const char *reason, const struct strv *trace)
{
	struct kvfile f = { .kind = xstrdup("lock") };
	char now[32], *path;
	int ret;

	utc_now(now, sizeof(now));
	kv_set(&f, "name", name);
	kv_set(&f, "sha256", sha);
	kv_set(&f, "patch_version", patch_version ? patch_version : "");
	kv_set(&f, "reason", reason);
	kv_set(&f, "locked_at", now);
	kv_set(&f, "boot_id", c->boot_id);
	kv_set(&f, "kernel", c->release);
	for (size_t i = 0; trace && i < trace->n; i++)
		kv_add(&f, "trace", trace->v[i]);
	path = store_lock_path(c, name, sha);
	ret = kvfile_write(path, &f);
	if (!ret)
		ret = sync_fs_of(c->rel_dir); /* the kernel may be unwell: no delay */
	free(path);
	kvfile_free(&f);
	return ret;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void store_list_locks(const struct lpctl *c, const char *name, struct strv *paths)
{
	char *dir = store_path(c, "locks");
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t nl = name ? strlen(name) : 0;

	if (d) {
		while ((e = readdir(d))) {
			const char *dot = strrchr(e->d_name, '.');

			if (e->d_name[0] == '.' || !dot || strcmp(dot, ".lock"))
				continue;
			if (name && (strncmp(e->d_name, name, nl) || e->d_name[nl] != '@'))
				continue;
			strv_addf(paths, "%s/%s", dir, e->d_name);
		}
		closedir(d);
	}
	if (paths->n)
		qsort(paths->v, paths->n, sizeof(*paths->v), cmp_str);
	free(dir);
}
