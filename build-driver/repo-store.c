// SPDX-License-Identifier: GPL-2.0-only
/* The patch repository on disk: its lock, the verified current index, and
 * the order of writes that keeps every reader safe: modules first, then the
 * index's signature under the index's own hash, then the index by rename. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cms.h"
#include "publish.h"

#define LOCK_NAME ".lp-build-publish.lock"
/* A file neither of the last two indexes names goes once it is this old: a
 * reader that fetched an older index a moment ago still finds its files. */
#define GRACE_S (10 * 60)

static void fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

int repo_lock(struct publish *pb)
{
	char *path = xasprintf("%s/%s", pb->o->repo, LOCK_NAME);
	int fd = -1;

	pb->lock_fd = -1;
	if (mkdir_p(pb->o->repo))
		goto out;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		fprintf(stderr, "lp-build publish: cannot open %s: %s\n", path, strerror(errno));
		goto out;
	}
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		fprintf(stderr, "lp-build publish: waiting for another publisher of %s\n",
			pb->o->repo);
		while (flock(fd, LOCK_EX) && errno == EINTR)
			;
	}
	pb->lock_fd = fd;
	fd = -1;
out:
	if (fd >= 0)
		close(fd);
	free(path);
	return pb->lock_fd >= 0 ? 0 : -1;
}

void repo_unlock(struct publish *pb)
{
	if (pb->lock_fd >= 0)
		close(pb->lock_fd);
	pb->lock_fd = -1;
}

/* The certificates the current index may be signed by: --cert, --trust. */
static const char **trusted(const struct publish *pb)
{
	const char **v = xcalloc(pb->o->trust.n + 2, sizeof(*v));
	size_t n = 0;

	if (pb->o->cert)
		v[n++] = pb->o->cert;
	for (size_t i = 0; i < pb->o->trust.n; i++)
		v[n++] = pb->o->trust.v[i];
	return v;
}

int repo_load(struct publish *pb)
{
	char *path = xasprintf("%s/%s", pb->o->repo, REPO_INDEX), *sig_path = NULL, *text = NULL;
	char *sig = NULL, why[400];
	const char **certs = NULL;
	size_t len, sig_len;
	int ret = -1;

	pb->had_index = false;
	if (!path_exists(path)) {
		ret = 0;
		goto out;
	}
	text = read_file(path, &len);
	if (!text)
		goto out;
	sha256_hex(text, len, pb->old_sha);
	sig_path = xasprintf("%s/%s/%s.p7s", pb->o->repo, REPO_SIG_DIR, pb->old_sha);
	if (!path_exists(sig_path)) {
		fprintf(stderr,
			"lp-build publish: %s has no signature (%s is missing): the index was "
			"changed outside lp-build publish; restore it from a backup, or move the "
			"repository away and publish anew\n",
			path, sig_path);
		goto out;
	}
	sig = read_file(sig_path, &sig_len);
	if (!sig)
		goto out;
	certs = trusted(pb);
	if (lpb_cms_verify(text, len, (uint8_t *)sig, sig_len, certs, why, sizeof(why))) {
		fprintf(stderr,
			"lp-build publish: the published index %s does not verify against %s%s "
			"(%s): it was changed outside lp-build publish, or signed by another key "
			"(--trust OLD_CERT accepts an index signed by a previous key)\n",
			path, pb->o->cert, pb->o->trust.n ? " or the --trust certificates" : "",
			why);
		goto out;
	}
	if (repo_index_parse(text, len, &pb->old, why, sizeof(why))) {
		fprintf(stderr, "lp-build publish: %s: %s\n", path, why);
		goto out;
	}
	pb->had_index = true;
	ret = 0;
out:
	free(certs);
	free(sig);
	free(sig_path);
	free(text);
	free(path);
	return ret;
}

/* Copy @from to @to (0644) unless @to already holds the same bytes. */
static int place(const char *from, const char *to, const char *want_sha)
{
	char have[65];
	size_t len;
	char *data;
	int ret;

	if (path_exists(to) && !sha256_file(to, have) && !strcmp(have, want_sha))
		return 0;
	data = read_file(from, &len);
	if (!data)
		return -1;
	sha256_hex(data, len, have);
	if (strcmp(have, want_sha)) {
		/* changed since it was checked: never publish what was not checked */
		fprintf(stderr, "lp-build publish: %s changed while being published\n", from);
		free(data);
		return -1;
	}
	ret = write_file_atomic(to, data, len, 0644);
	free(data);
	return ret;
}

static int write_modules(struct publish *pb)
{
	for (size_t i = 0; i < pb->nr_adds; i++) {
		const struct addition *a = &pb->adds[i];
		char *ko = xasprintf("%s/%s", pb->o->repo, a->p.module);
		char *mf = xasprintf("%s/%s", pb->o->repo, a->p.manifest);
		char *dir = xstrdup(ko), *rel;
		int ret;

		*strrchr(dir, '/') = 0;
		ret = mkdir_p(dir);
		if (!ret)
			ret = place(a->ko, ko, a->p.sha256);
		if (!ret)
			ret = place(a->json, mf, a->p.manifest_sha256);
		if (!ret) {
			fsync_dir(dir);
			rel = xstrdup(dir);
			*strrchr(rel, '/') = 0;
			fsync_dir(rel);
			free(rel);
		}
		free(dir);
		free(ko);
		free(mf);
		if (ret)
			return -1;
	}
	return 0;
}

int repo_write(struct publish *pb, char sha[65])
{
	char *text = NULL, *sigdir = NULL, *sig_path = NULL, *path = NULL;
	uint8_t *sig = NULL;
	size_t len = 0, sig_len;
	FILE *f;
	int ret = -1;

	if (write_modules(pb))
		return -1;
	f = open_memstream(&text, &len);
	if (!f || repo_index_write(f, &pb->idx) || fclose(f)) {
		fprintf(stderr, "lp-build publish: cannot format the index\n");
		goto out;
	}
	sha256_hex(text, len, sha);
	if (lpb_cms_sign(text, len, pb->o->key, pb->o->cert, pb->o->hash, &sig, &sig_len))
		goto out;
	/* the signature is in place before an index that needs it */
	sigdir = xasprintf("%s/%s", pb->o->repo, REPO_SIG_DIR);
	sig_path = xasprintf("%s/%s.p7s", sigdir, sha);
	if (mkdir_p(sigdir) || write_file_atomic(sig_path, sig, sig_len, 0644))
		goto out;
	fsync_dir(sigdir);
	path = xasprintf("%s/%s", pb->o->repo, REPO_INDEX);
	if (write_file_atomic(path, text, len, 0644))
		goto out;
	fsync_dir(pb->o->repo);
	ret = 0;
out:
	free(text);
	free(sig);
	free(sigdir);
	free(sig_path);
	free(path);
	return ret;
}

static bool named_by(const struct repo_index *idx, const char *dir)
{
	size_t n = strlen(dir);

	for (size_t i = 0; i < idx->nr_kernels; i++)
		for (size_t j = 0; j < idx->kernels[i].nr_patches; j++) {
			const char *m = idx->kernels[i].patches[j].module;

			if (m && !strncmp(m, dir, n) && m[n] == '/')
				return true;
		}
	return false;
}

static bool older_than_grace(const char *path)
{
	struct stat st;

	return !stat(path, &st) && st.st_mtime + GRACE_S < time(NULL);
}

/* A directory lp-build publish made, <release>/<16 hex digits>/ holding
 * nothing but .ko and .json files (anything else is left alone), whose
 * files are all past the grace period. */
static bool ours_and_old(const char *path, const char *name)
{
	DIR *d;
	struct dirent *e;
	bool ok = strlen(name) == 16 && strspn(name, "0123456789abcdef") == 16;

	d = ok ? opendir(path) : NULL;
	while (d && (e = readdir(d))) {
		const char *dot = strrchr(e->d_name, '.');
		char *p;

		if (e->d_name[0] == '.' && (!e->d_name[1] || !strcmp(e->d_name, "..")))
			continue;
		if (!dot || (strcmp(dot, ".ko") && strcmp(dot, ".json")))
			ok = false;
		p = xasprintf("%s/%s", path, e->d_name);
		if (!older_than_grace(p))
			ok = false;
		free(p);
	}
	if (d)
		closedir(d);
	return ok && d;
}

static int prune_modules(struct publish *pb)
{
	DIR *top = opendir(pb->o->repo);
	struct dirent *r;
	int removed = 0;

	while (top && (r = readdir(top))) {
		char *rdir = xasprintf("%s/%s", pb->o->repo, r->d_name);
		DIR *sub = repo_safe_word(r->d_name) && is_dir(rdir) ? opendir(rdir) : NULL;
		struct dirent *m;
		bool empty = true;

		while (sub && (m = readdir(sub))) {
			char *rel = xasprintf("%s/%s", r->d_name, m->d_name);
			char *full = xasprintf("%s/%s", rdir, m->d_name);

			if (m->d_name[0] != '.') {
				if (!named_by(&pb->idx, rel) &&
				    !(pb->had_index && named_by(&pb->old, rel)) &&
				    ours_and_old(full, m->d_name) && !remove_tree(full))
					removed++;
				else
					empty = false;
			}
			free(rel);
			free(full);
		}
		if (sub) {
			closedir(sub);
			if (empty)
				rmdir(rdir);
			fsync_dir(rdir);
		}
		free(rdir);
	}
	if (top)
		closedir(top);
	fsync_dir(pb->o->repo);
	return removed;
}

int repo_prune(struct publish *pb, const char *new_sha)
{
	char *sigdir = xasprintf("%s/%s", pb->o->repo, REPO_SIG_DIR);
	DIR *d = opendir(sigdir);
	struct dirent *e;
	int removed = prune_modules(pb);

	/* a reader that fetched the previous index still finds its signature */
	while (d && (e = readdir(d))) {
		size_t n = strlen(e->d_name);
		char *p;

		if (n != 64 + 4 || strcmp(e->d_name + 64, ".p7s") ||
		    !strncmp(e->d_name, new_sha, 64) ||
		    (pb->had_index && !strncmp(e->d_name, pb->old_sha, 64)))
			continue;
		p = xasprintf("%s/%s", sigdir, e->d_name);
		if (older_than_grace(p))
			unlink(p);
		free(p);
	}
	if (d) {
		closedir(d);
		fsync_dir(sigdir);
	}
	free(sigdir);
	return removed;
}
