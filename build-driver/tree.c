// SPDX-License-Identifier: GPL-2.0-only
/* The prepared build tree: a symlink copy of the user's source, configured
 * and prepared once, patched only inside the copy under a journal. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "includes.h"
#include "jobserver.h"
#include "run.h"
#include "line-pin.h"
#include "tree.h"

/* Bump when the layout of a cache entry changes. */
#define TREE_FORMAT 2

static char *tree_key(const struct tree_opts *o, const char *src)
{
	struct strbuf sb = { 0 };
	struct stat st;
	char *mk = xasprintf("%s/Makefile", src), *config, hex[65];
	size_t len = 0;

	config = read_file(o->config, &len);
	if (!config || stat(mk, &st)) {
		if (config)
			fprintf(stderr, "lp-build: %s has no Makefile: is it a kernel source tree?\n",
				src);
		free(mk);
		free(config);
		return NULL;
	}
	/* host tools built while preparing run where kbuild runs: the build
	 * root (and the compiler in it) is part of the key */
	sb_addf(&sb, "format %d\nsrc %s\nmakefile %lld %lld %llu\nrelease %s\ncompiler %s\n"
		"cc %s\nhostcc %s\nld %s\nbuildroot %s %s\n%s",
		TREE_FORMAT, src, (long long)st.st_size, (long long)st.st_mtime,
		(unsigned long long)st.st_ino, o->release, o->compiler_id, o->tc->cc,
		o->tc->hostcc ? o->tc->hostcc : "", o->tc->ld ? o->tc->ld : "",
		o->tc->root ? o->tc->root : "-", o->tc->root_id ? o->tc->root_id : "",
		o->tc->no_rust ? "" : "rustc from PATH\n");
	sb_addn(&sb, config, len);
	sha256_hex(sb.buf, sb.len, hex);
	hex[16] = 0;
	sb_free(&sb);
	free(mk);
	free(config);
	return xstrdup(hex);
}

/*
 * Trees used by lp-build before per-build views were patched in place under
 * a journal ("file REL" patched, "object REL" set aside in saved/). One
 * left by a killed build is undone before anything uses the tree again.
 */
static int undo_legacy_journal(struct tree *t)
{
	char *path = xasprintf("%s/journal", t->dir), *data, *line, *save = NULL;
	int ret = 0;

	if (!path_exists(path)) {
		free(path);
		return 0;
	}
	data = read_file(path, NULL);
	if (!data) {
		free(path);
		return -1;
	}
	fprintf(stderr, "lp-build: undoing a patch an interrupted run left in %s\n", t->build);
	for (line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		bool object = !strncmp(line, "object ", 7);
		const char *rel = line + (object ? 7 : 5);
		char *dst = xasprintf("%s/%s", t->build, rel);
		char *orig = xasprintf("%s/%s", t->src, rel);
		char *flat = xstrdup(rel), *saved;

		for (char *p = flat; *p; p++)
			if (*p == '/')
				*p = '%';
		saved = xasprintf("%s/saved/%s", t->dir, flat);
		if (unlink(dst) && errno != ENOENT)
			ret = -1;
		if (object && path_exists(saved) && rename(saved, dst))
			ret = -1;
		if (!object && path_exists(orig) && symlink(orig, dst))
			ret = -1;
		free(dst);
		free(orig);
		free(flat);
		free(saved);
	}
	free(data);
	if (ret)
		fprintf(stderr, "lp-build: cannot undo the interrupted run's patch in %s: %s\n",
			t->build, strerror(errno));
	else
		unlink(path);
	free(path);
	return ret;
}

static int make_argv(struct tree *t, const struct tree_opts *o, struct strvec *av,
		     const char *kcflags)
{
	toolchain_wrap(o->tc, av);
	sv_push(av, "make");
	sv_pushf(av, "-C%s", t->build);
	/* under a jobserver (a batch run, or a make that runs lp-build) the
	 * slots are shared: a -jN here would take N more */
	if (!jobserver_inherited())
		sv_pushf(av, "-j%d", o->jobs);
	if (!o->verbose)
		sv_push(av, "-s");
	sv_pushf(av, "KERNELRELEASE=%s", t->release);
	toolchain_make_vars(o->tc, av);
	if (t->objtool_per_object)
		sv_push(av, "objtool-enabled=$(if $(is-standard-object),y)");
	if (kcflags)
		sv_pushf(av, "KCFLAGS=%s", kcflags);
	return 0;
}

int tree_make(struct tree *t, const struct tree_opts *o, const struct run_env *env,
	      const char *const *targets, const char *kcflags, struct strbuf *out)
{
	struct strvec av = { 0 };
	int rc;

	make_argv(t, o, &av, kcflags);
	for (size_t i = 0; targets[i]; i++)
		sv_push(&av, targets[i]);
	if (o->verbose > 1) {
		char *s = argv_to_string((const char *const *)av.v);

		fprintf(stderr, "lp-build: + %s\n", s);
		free(s);
	}
	rc = run_cmd_env((const char *const *)av.v, NULL, o->verbose > 1 ? RUN_ECHO : 0, out, env);
	sv_free(&av);
	return rc;
}

/* Show the last lines of a failed step's output. */
static void show_tail(const struct strbuf *out, int lines)
{
	const char *p;
	int n = 0;

	if (!out->len)
		return;
	for (p = out->buf + out->len - 1; p > out->buf; p--)
		if (*p == '\n' && ++n > lines) {
			p++;
			break;
		}
	fprintf(stderr, "%s", p);
	if (out->buf[out->len - 1] != '\n')
		fputc('\n', stderr);
}

char *tree_include_index(const struct tree *t)
{
	return xasprintf("%s/work/includes.idx", t->dir);
}

/*
 * Scan the source's #include lines (what the select stage reads) in a child
 * beside the preparation: the scan mostly waits for the disk, make mostly
 * computes, so a new tree does not pay for both (on a source not in the page
 * cache the scan alone takes ~15 s). -1 when it cannot start: the select
 * stage then scans by itself.
 */
static pid_t start_include_scan(const struct tree *t)
{
	char *index = tree_include_index(t), *work = xasprintf("%s/work", t->dir);
	pid_t pid = -1, parent = getpid();

	if (!mkdir_p(work)) {
		fflush(NULL);
		pid = fork();
		if (pid == 0) {
			/* it dies with lp-build, which may be killed while preparing */
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (getppid() != parent)
				_exit(1);
			_exit(include_index_make(t->src, index) ? 1 : 0);
		}
	}
	free(work);
	free(index);
	return pid;
}

/* Wait for the scan (@stop: stop it first, the build ends); a failed one
 * only means the select stage scans. */
static void finish_include_scan(pid_t pid, bool stop)
{
	int status;

	if (pid > 0 && stop)
		kill(pid, SIGKILL);
	while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
}

static int prepare_tree(struct tree *t, const struct tree_opts *o)
{
	static const char *const prep[] = { "prepare", "modules_prepare", NULL };
	static const char *const olddef[] = { "olddefconfig", NULL };
	static const char *const mrproper[] = { "mrproper", NULL };
	struct strbuf out = { 0 };
	char *tmp = xasprintf("%s/src.tmp", t->dir), *cfg;
	const char *cp[] = { "cp", "-as", t->src, tmp, NULL };
	double t0 = now_seconds();
	int ret = -1;

	fprintf(stderr, "lp-build: preparing a private build tree for %s (cached in %s)\n",
		t->src, t->dir);
	remove_tree(tmp);
	remove_tree(t->build);
	if (run_cmd(cp, NULL, 0, &out)) {
		show_tail(&out, 5);
		fprintf(stderr, "lp-build: cannot copy %s into the cache\n", t->src);
		goto out;
	}
	if (rename(tmp, t->build)) {
		fprintf(stderr, "lp-build: cannot rename %s: %s\n", tmp, strerror(errno));
		goto out;
	}
	/*
	 * A configured or built source tree would bring its generated files
	 * and objects along as symlinks, and the compiler would write through
	 * them into the user's tree: remove them (unlinking only the links).
	 */
	cfg = xasprintf("%s/.config", t->build);
	if (path_exists(cfg) && tree_make(t, o, NULL, mrproper, NULL, &out)) {
		show_tail(&out, 10);
		free(cfg);
		goto out;
	}
	if (copy_file(o->config, cfg)) {
		free(cfg);
		goto out;
	}
	sb_reset(&out);
	if (tree_make(t, o, NULL, olddef, o->kcflags, &out)) {
		show_tail(&out, 10);
		fprintf(stderr, "lp-build: make olddefconfig failed with %s\n", o->config);
		free(cfg);
		goto out;
	}
	free(cfg);
	sb_reset(&out);
	if (tree_make(t, o, NULL, prep, o->kcflags, &out)) {
		show_tail(&out, 20);
		fprintf(stderr, "lp-build: make prepare modules_prepare failed in %s\n", t->build);
		goto out;
	}
	t->prepare_seconds = now_seconds() - t0;
	ret = 0;
out:
	sb_free(&out);
	free(tmp);
	return ret;
}

/* A new tree: prepared, and its #include lines scanned beside. */
static int prepare(struct tree *t, const struct tree_opts *o)
{
	pid_t scan = start_include_scan(t);
	int ret = prepare_tree(t, o);

	finish_include_scan(scan, ret || lpb_interrupted);
	return ret;
}

/*
 * Options whose value does not reach the code of a translation unit:
 * the compiler (its identity is checked against the vmlinux's .comment
 * instead; Debian builds with CC=gcc-12, so its text says "gcc-12") and
 * build and signing settings that distributions leave out of the config
 * they ship (Debian's /boot/config-* has none of the others).
 */
static bool drift_is_harmless(const char *line, const char *mine)
{
	static const char *const names[] = {
		"CONFIG_CC_VERSION_TEXT", "CONFIG_BUILD_SALT", "CONFIG_MODULE_SIG_ALL",
		"CONFIG_MODULE_SIG_KEY", "CONFIG_SYSTEM_TRUSTED_KEYS",
	};
	size_t i, n;

	for (i = 0; i < sizeof(names) / sizeof(*names); i++) {
		char *set, *unset;
		bool absent;

		n = strlen(names[i]);
		if (strncmp(line, names[i], n) || line[n] != '=')
			continue;
		if (i == 0)
			return true;
		set = xasprintf("\n%s=", names[i]);
		unset = xasprintf("\n# %s is not set", names[i]);
		absent = !strstr(mine, set) && !strstr(mine, unset);
		free(set);
		free(unset);
		return absent;
	}
	return false;
}

/* The CONFIG_ lines of @text that @other lacks, harmless ones left out. */
static void config_lines_missing(const char *text, const char *other, struct strvec *out)
{
	char *copy = xstrdup(text), *line, *save = NULL;

	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *needle;

		if (strncmp(line, "CONFIG_", 7))
			continue;
		needle = xasprintf("\n%s\n", line);
		if (!strstr(other, needle) && strncmp(other, needle + 1, strlen(needle) - 1) &&
		    !drift_is_harmless(line, other))
			sv_push(out, line);
		free(needle);
	}
	free(copy);
}

int tree_config_drift(const struct tree *t, const char *config, struct strvec *set,
		      struct strvec *lost)
{
	char *mine = read_file(config, NULL);
	char *path = xasprintf("%s/.config", t->build);
	char *used = read_file(path, NULL);
	int ret = -1;

	if (mine && used) {
		config_lines_missing(used, mine, set);
		if (lost)
			config_lines_missing(mine, used, lost);
		ret = 0;
	}
	free(mine);
	free(used);
	free(path);
	return ret;
}

static void check_config_drift(const struct tree *t, const char *config)
{
	struct strvec set = { 0 }, lost = { 0 };

	if (!tree_config_drift(t, config, &set, &lost) && (set.n || lost.n)) {
		for (size_t i = 0; i < lost.n && i < 5; i++)
			fprintf(stderr, "lp-build: warning: %s has %s, which this source "
				"does not offer (or not with the rest of the config)\n",
				config, lost.v[i]);
		for (size_t i = 0; i < set.n && i < 5; i++)
			fprintf(stderr, "lp-build: warning: kbuild set %s, which %s "
				"does not have\n", set.v[i], config);
		fprintf(stderr, "lp-build: warning: %zu option(s) differ between %s and what "
			"this source accepts: the config may be for another kernel, or the "
			"source may lack patches the kernel was built with\n",
			set.n + lost.n, config);
	}
	sv_free(&set);
	sv_free(&lost);
}

/* What the entry was prepared for, for people and `lp-build targets`. */
static int write_info(const struct tree *t, const struct tree_opts *o)
{
	char *path = xasprintf("%s/info", t->dir), *cfg = real_path(o->config);
	char *text = xasprintf("src %s\nconfig %s\nrelease %s\ncompiler %s\ncc %s\n"
			       "buildroot %s\nprepare_seconds %.1f\n", t->src, cfg ? cfg : o->config,
			       t->release, o->compiler_id, o->tc->cc,
			       o->tc->root ? o->tc->root : "-", t->prepare_seconds);
	int ret = write_file_atomic(path, text, strlen(text), 0644);

	free(text);
	free(cfg);
	free(path);
	return ret;
}

/*
 * Under these options kbuild runs objtool once on vmlinux.o, and on each
 * module of several objects once it is linked, instead of on every object
 * (scripts/Makefile.lib's delay-objtool, 5.18+). The objects lp-build
 * compiles would then have no ORC, return sites or call sites, and the
 * livepatch module's link would run objtool on code whose livepatch
 * relocations are still holes: it stops at the first such call ("unannotated
 * intra-function call") and the module gets no ORC, so stack traces through
 * the new code are unreliable and transitions stall. So every object is
 * given objtool's run of its own, as kbuild does without these options
 * (objtool-enabled, overridden on make's command line; the livepatch module
 * itself is marked non-standard in its Kbuild so the link does not run it
 * again).
 */
static const char *const delay_objtool_options[] = {
	"CONFIG_X86_KERNEL_IBT", "CONFIG_LTO_CLANG",
};

static bool delays_objtool(const struct tree *t)
{
	char *path = xasprintf("%s/.config", t->build), *cfg = read_file(path, NULL);
	bool yes = false;

	for (size_t i = 0; cfg && i < sizeof(delay_objtool_options) / sizeof(*delay_objtool_options); i++) {
		char *want = xasprintf("\n%s=y\n", delay_objtool_options[i]);

		yes |= strstr(cfg, want) != NULL;
		free(want);
	}
	free(path);
	free(cfg);
	return yes;
}

/* Does the command kbuild recorded for @rel (its .cmd file) contain @flags? */
static bool recorded_with(const struct tree *t, const char *rel, const char *flags)
{
	char *path = xasprintf("%s/%s", t->build, rel);
	char *text = path_exists(path) ? read_file(path, NULL) : NULL;
	char *want = xasprintf(" %s ", flags);
	bool ok;

	if (text)
		text[strcspn(text, "\n")] = 0;
	ok = text && strstr(text, want);
	free(text);
	free(want);
	free(path);
	return ok;
}

/* What a prepare run compiled its objects with (kernel/bounds.s is one of
 * them) and its host programs (fixdep is the first): builds use the same
 * KCFLAGS and HOSTCFLAGS, so kbuild finds the prepared outputs up to date
 * instead of remaking them in every build's view. */
static bool prepared_with(const struct tree *t, const char *kcflags)
{
	return recorded_with(t, "kernel/.bounds.s.cmd", kcflags) &&
	       recorded_with(t, "scripts/basic/.fixdep.cmd", TOOLCHAIN_HOSTCFLAGS);
}

/* Under the exclusive lock: prepare the tree, or bring it up to date. */
static int prepare_locked(struct tree *t, const struct tree_opts *o)
{
	static const char *const prep[] = { "prepare", "modules_prepare", NULL };
	char *stamp = xasprintf("%s/prepared", t->dir);
	int ret = 0;

	if (!path_exists(stamp)) {
		t->fresh = true;
		ret = prepare(t, o);
		if (!ret) {
			check_config_drift(t, o->config);
			ret = write_info(t, o);
		}
		if (!ret)
			ret = write_file_atomic(stamp, "1\n", 2, 0644);
	} else {
		ret = undo_legacy_journal(t);
		if (!ret && !prepared_with(t, o->kcflags)) {
			struct strbuf out = { 0 };
			double t0 = now_seconds();

			fprintf(stderr, "lp-build: updating the prepared tree %s for this lp-build's "
				"compiler flags (once) ...\n", t->dir);
			ret = tree_make(t, o, NULL, prep, o->kcflags, &out);
			if (ret) {
				show_tail(&out, 20);
				fprintf(stderr, "lp-build: make prepare failed in %s\n", t->build);
				ret = -1;
			} else {
				fprintf(stderr, "lp-build: prepared tree updated in %.1f s\n",
					now_seconds() - t0);
			}
			sb_free(&out);
		}
	}
	free(stamp);
	return ret;
}

/* Ready to share: prepared, with our flags, no in-place patch left. */
static bool ready(const struct tree *t, const struct tree_opts *o)
{
	char *stamp = xasprintf("%s/prepared", t->dir), *journal = xasprintf("%s/journal", t->dir);
	bool ok = path_exists(stamp) && !path_exists(journal) && prepared_with(t, o->kcflags);

	free(stamp);
	free(journal);
	return ok;
}

static int lock_tree(struct tree *t, int how)
{
	if (!flock(t->lock_fd, how | LOCK_NB))
		return 0;
	fprintf(stderr, "lp-build: waiting for another lp-build %s %s\n",
		how == LOCK_EX ? "using" : "preparing", t->dir);
	if (!flock(t->lock_fd, how))
		return 0;
	fprintf(stderr, "lp-build: cannot lock %s: %s\n", t->dir, strerror(errno));
	return -1;
}

/*
 * Builds share the tree under a shared lock and never write to it (each has
 * its own view, see tree_view_open): they wait for one another only while
 * one prepares the tree or brings it up to date, under the exclusive lock.
 */
int tree_acquire(struct tree *t, const struct tree_opts *o)
{
	char *lock;

	*t = (struct tree){ .lock_fd = -1 };
	t->src = real_path(o->src);
	if (!t->src)
		return -1;
	t->key = tree_key(o, t->src);
	if (!t->key)
		return -1;
	t->dir = xasprintf("%s/trees/%s", o->cache, t->key);
	t->build = xasprintf("%s/src", t->dir);
	t->release = xstrdup(o->release);
	if (mkdir_p(t->dir))
		return -1;
	lock = xasprintf("%s/lock", t->dir);
	t->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (t->lock_fd < 0) {
		fprintf(stderr, "lp-build: cannot open lock %s: %s\n", lock, strerror(errno));
		free(lock);
		return -1;
	}
	free(lock);
	for (int tries = 0; tries < 5; tries++) {
		if (lock_tree(t, LOCK_SH))
			return -1;
		if (ready(t, o)) {
			t->objtool_per_object = delays_objtool(t);
			return 0;
		}
		/* (not atomic: flock drops the shared lock first; ready() is
		 * asked again under the shared one, in case the tree went) */
		if (lock_tree(t, LOCK_EX) || prepare_locked(t, o))
			return -1;
	}
	fprintf(stderr, "lp-build: %s keeps changing under this build (another lp-build "
		"clearing the cache?)\n", t->dir);
	return -1;
}

void tree_release(struct tree *t)
{
	if (t->lock_fd >= 0)
		close(t->lock_fd);
	free(t->src);
	free(t->dir);
	free(t->build);
	free(t->key);
	free(t->release);
	*t = (struct tree){ .lock_fd = -1 };
}

/* ---- one build's views ---- */

static const char *const view_dirs[] = { "orig-view", "patched-view" };

/*
 * A work directory whose lock nobody holds belongs to a build that ended:
 * its views (the kbuild outputs of a killed build, perhaps half written)
 * are never read again; its outputs stay for people to look at.
 */
static void remove_stale_views(const char *work)
{
	DIR *d = opendir(work);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);
		char *lock, *dir;
		int fd;

		if (n < 6 || strcmp(e->d_name + n - 5, ".lock"))
			continue;
		lock = xasprintf("%s/%s", work, e->d_name);
		fd = open(lock, O_RDWR | O_CLOEXEC);
		if (fd >= 0 && !flock(fd, LOCK_EX | LOCK_NB)) {
			for (size_t i = 0; i < sizeof(view_dirs) / sizeof(*view_dirs); i++) {
				dir = xasprintf("%s/%.*s/%s", work, (int)(n - 5), e->d_name,
						view_dirs[i]);
				if (path_exists(dir))
					remove_tree(dir);
				free(dir);
			}
		}
		if (fd >= 0)
			close(fd);
		free(lock);
	}
	closedir(d);
}

/* The patch authors' headers (lpb-patch.h, kpatch-macros.h), at the one
 * path every build's KCFLAGS names: ./.lpb/include in the tree. */
static int add_template_headers(const struct tree_view *v, const char *template_inc)
{
	char *dst = xasprintf("%s/.lpb/include", v->patched.upper);
	DIR *d = opendir(template_inc);
	struct dirent *e;
	int ret = mkdir_p(dst);

	while (!ret && d && (e = readdir(d))) {
		char *from, *to;

		if (e->d_name[0] == '.')
			continue;
		from = xasprintf("%s/%s", template_inc, e->d_name);
		to = xasprintf("%s/%s", dst, e->d_name);
		ret = copy_file(from, to);
		free(from);
		free(to);
	}
	if (d)
		closedir(d);
	free(dst);
	return ret;
}

static bool probed;

int tree_view_open(struct tree *t, const struct tree_opts *o, const char *name,
		   const char *template_inc, struct tree_view *v)
{
	char *work = xasprintf("%s/work", t->dir);
	int ret = -1;

	*v = (struct tree_view){ .lock_fd = -1 };
	if (mkdir_p(work))
		goto out;
	remove_stale_views(work);
	/* NAME, or NAME.2, NAME.3... while another build of that name runs */
	for (int i = 1; i < 100 && v->lock_fd < 0; i++) {
		char *lock;

		free(v->name);
		v->name = i == 1 ? xstrdup(name) : xasprintf("%s.%d", name, i);
		lock = xasprintf("%s/%s.lock", work, v->name);
		v->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
		if (v->lock_fd >= 0 && flock(v->lock_fd, LOCK_EX | LOCK_NB)) {
			close(v->lock_fd);
			v->lock_fd = -1;
		}
		free(lock);
	}
	if (v->lock_fd < 0) {
		fprintf(stderr, "lp-build: no free work directory for %s in %s\n", name, work);
		goto out;
	}
	v->dir = xasprintf("%s/%s", work, v->name);
	if (remove_tree(v->dir) || mkdir_p(v->dir))
		goto out;
	for (size_t i = 0; i < 2; i++) {
		char *dir = xasprintf("%s/%s", v->dir, view_dirs[i]);
		int rc = overlay_init(i ? &v->patched : &v->orig, t->build, dir);

		free(dir);
		if (rc)
			goto out;
	}
	if (template_inc && add_template_headers(v, template_inc))
		goto out;
	if (!probed && overlay_probe(&v->orig))
		goto out;
	probed = true;
	ret = 0;
out:
	free(work);
	return ret;
}

void tree_view_close(struct tree_view *v)
{
	/* the views hold every kbuild output of the build: gone with it */
	for (size_t i = 0; v->dir && i < sizeof(view_dirs) / sizeof(*view_dirs); i++) {
		char *dir = xasprintf("%s/%s", v->dir, view_dirs[i]);

		remove_tree(dir);
		free(dir);
	}
	overlay_free(&v->orig);
	overlay_free(&v->patched);
	if (v->lock_fd >= 0)
		close(v->lock_fd);
	free(v->dir);
	free(v->name);
	*v = (struct tree_view){ .lock_fd = -1 };
}

/* A private copy of the user's @rel in the patched view, for patch to edit. */
static int materialise(const struct tree *t, const struct tree_view *v, const char *rel)
{
	char *orig = xasprintf("%s/%s", t->src, rel);
	char *dst = xasprintf("%s/%s", v->patched.upper, rel);
	char *dir = xstrdup(dst);
	int ret = 0;

	*strrchr(dir, '/') = 0;
	if (path_exists(orig)) {
		size_t len;
		char *data = read_file(orig, &len);
		struct stat st;

		if (!data || stat(orig, &st) || mkdir_p(dir) ||
		    write_file_atomic(dst, data, len, st.st_mode & 0777))
			ret = -1;
		free(data);
	}
	free(dir);
	free(dst);
	free(orig);
	return ret;
}

int tree_apply(struct tree *t, const struct tree_opts *o, struct tree_view *v,
	       const struct strvec *files, const struct strvec *patches)
{
	struct run_env env = { .view = &v->patched };
	struct strbuf out = { 0 };

	for (size_t i = 0; i < files->n; i++)
		if (materialise(t, v, files->v[i]))
			return -1;
	/* patch runs in the view: a file it deletes is hidden there, not here */
	for (size_t i = 0; i < patches->n; i++) {
		const char *av[] = { "patch", "-p1", "--batch", "--forward", "-s",
				     "--no-backup-if-mismatch", "-r", "-", "-d", t->build,
				     "-i", patches->v[i], NULL };

		if (run_cmd_env(av, NULL, 0, &out, &env)) {
			show_tail(&out, 10);
			fprintf(stderr, "lp-build: %s does not apply in the build tree\n",
				patches->v[i]);
			sb_free(&out);
			return -1;
		}
	}
	sb_free(&out);
	return 0;
}

/* One patched file of the view, renumbered like its original. */
static int pin_file(struct tree *t, struct tree_view *v, const char *rel, int verbose)
{
	char *orig_path = xasprintf("%s/%s", t->src, rel);
	char *dst = xasprintf("%s/%s", v->patched.upper, rel);
	size_t orig_len, len, out_len;
	char *orig = NULL, *text = NULL, *out = NULL;
	struct lpb_pin_stats st;
	struct stat sb;
	int ret = 0;

	/* a file the patch adds or removes has no numbering to keep */
	if (!path_exists(orig_path) || !path_exists(dst))
		goto out;
	orig = read_file(orig_path, &orig_len);
	text = read_file(dst, &len);
	if (!orig || !text || stat(dst, &sb)) {
		ret = -1;
		goto out;
	}
	ret = lpb_line_pin(orig, orig_len, text, len, has_suffix(rel, ".S"), &out, &out_len, &st);
	if (ret == -E2BIG) {
		fprintf(stderr, "lp-build: note: %s changes too much to keep its line numbers: "
			"a __LINE__ that moved counts as a change\n", rel);
		ret = 0;
		goto out;
	}
	if (ret) {
		fprintf(stderr, "lp-build: cannot renumber %s: %s\n", rel, strerror(-ret));
		ret = -1;
		goto out;
	}
	if (st.directives)
		ret = write_file_atomic(dst, out, out_len, sb.st_mode & 0777);
	if (verbose)
		fprintf(stderr, "lp-build: %s: %zu line(s) added, %zu removed, %zu #line "
			"directive(s)\n", rel, st.inserted, st.deleted, st.directives);
	if (st.unpinned && verbose)
		fprintf(stderr, "lp-build: %s: %zu unchanged line(s) from line %zu on follow a "
			"change inside a comment, a macro or parentheses and keep a shifted "
			"number: a __LINE__ there counts as a change\n", rel, st.unpinned,
			st.first_unpinned);
out:
	free(orig_path);
	free(dst);
	free(orig);
	free(text);
	free(out);
	return ret;
}

int tree_pin_lines(struct tree *t, struct tree_view *v, const struct strvec *files, int verbose)
{
	for (size_t i = 0; i < files->n; i++) {
		char *from = xasprintf("%s/%s", v->patched.upper, files->v[i]);
		char *keep = xasprintf("%s/patched-src/%s", v->dir, files->v[i]);
		int ret = 0;

		/* as the patches made it, for people and for classifying headers */
		if (path_exists(from))
			ret = link_or_copy(from, keep);
		free(from);
		free(keep);
		if (ret || pin_file(t, v, files->v[i], verbose))
			return -1;
	}
	return 0;
}
