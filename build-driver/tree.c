// SPDX-License-Identifier: GPL-2.0-only
/* The prepared build tree: a symlink copy of the user's source, configured
 * and prepared once, patched only inside the copy under a journal. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

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

static char *journal_path(const struct tree *t)
{
	return xasprintf("%s/journal", t->dir);
}

static int write_journal(struct tree *t)
{
	struct strbuf sb = { 0 };
	char *path = journal_path(t);
	int ret;

	for (size_t i = 0; i < t->journal.n; i++)
		sb_addf(&sb, "%s\n", t->journal.v[i]);
	ret = write_file_atomic(path, sb.buf ? sb.buf : "", sb.len, 0644);
	sb_free(&sb);
	free(path);
	return ret;
}

/* Put back @rel in the copy: a symlink to the user's file, or nothing. */
static int relink(struct tree *t, const char *rel)
{
	char *dst = xasprintf("%s/%s", t->build, rel);
	char *orig = xasprintf("%s/%s", t->src, rel);
	int ret = 0;

	if (unlink(dst) && errno != ENOENT)
		ret = -1;
	if (!ret && path_exists(orig) && symlink(orig, dst))
		ret = -1;
	if (ret)
		fprintf(stderr, "lp-build: cannot restore %s in the build tree: %s\n", dst,
			strerror(errno));
	free(dst);
	free(orig);
	return ret;
}

static char *saved_path(const struct tree *t, const char *rel)
{
	char *flat = xstrdup(rel), *p;

	for (p = flat; *p; p++)
		if (*p == '/')
			*p = '%';
	p = xasprintf("%s/saved/%s", t->dir, flat);
	free(flat);
	return p;
}

/* Journal entries: "file REL" (patched file) or "object REL" (saved). */
int tree_revert(struct tree *t)
{
	int ret = 0;

	for (size_t i = 0; i < t->journal.n; i++) {
		const char *e = t->journal.v[i];

		if (!strncmp(e, "file ", 5)) {
			ret |= relink(t, e + 5);
		} else if (!strncmp(e, "object ", 7)) {
			char *saved = saved_path(t, e + 7);
			char *dst = xasprintf("%s/%s", t->build, e + 7);

			if (path_exists(saved)) {
				if (rename(saved, dst)) {
					fprintf(stderr, "lp-build: cannot restore %s: %s\n", dst,
						strerror(errno));
					ret = -1;
				}
			} else {
				unlink(dst);
			}
			free(saved);
			free(dst);
		}
	}
	if (!ret) {
		char *path = journal_path(t);

		unlink(path);
		free(path);
		sv_free(&t->journal);
	}
	return ret;
}

static int load_journal(struct tree *t)
{
	char *path = journal_path(t), *data, *line, *save = NULL;

	if (!path_exists(path)) {
		free(path);
		return 0;
	}
	data = read_file(path, NULL);
	free(path);
	if (!data)
		return -1;
	for (line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		sv_push(&t->journal, line);
	free(data);
	fprintf(stderr, "lp-build: undoing a patch an interrupted run left in %s\n", t->build);
	return tree_revert(t);
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

int tree_make(struct tree *t, const struct tree_opts *o, const char *const *targets,
	      const char *kcflags, struct strbuf *out)
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
	rc = run_cmd((const char *const *)av.v, NULL, o->verbose > 1 ? RUN_ECHO : 0, out);
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

static int prepare(struct tree *t, const struct tree_opts *o)
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
	if (path_exists(cfg) && tree_make(t, o, mrproper, NULL, &out)) {
		show_tail(&out, 10);
		free(cfg);
		goto out;
	}
	if (copy_file(o->config, cfg)) {
		free(cfg);
		goto out;
	}
	sb_reset(&out);
	if (tree_make(t, o, olddef, NULL, &out)) {
		show_tail(&out, 10);
		fprintf(stderr, "lp-build: make olddefconfig failed with %s\n", o->config);
		free(cfg);
		goto out;
	}
	free(cfg);
	sb_reset(&out);
	if (tree_make(t, o, prep, NULL, &out)) {
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

/* Options kbuild changed while preparing: the config is for another source. */
static void check_config_drift(const struct tree *t, const char *config)
{
	char *mine = read_file(config, NULL);
	char *path = xasprintf("%s/.config", t->build);
	char *used = read_file(path, NULL);
	char *line, *save = NULL;
	int drift = 0;

	if (!mine || !used)
		goto out;
	for (line = strtok_r(used, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *needle;

		if (strncmp(line, "CONFIG_", 7))
			continue;
		needle = xasprintf("\n%s\n", line);
		if (!strstr(mine, needle) && strncmp(mine, needle + 1, strlen(needle) - 1) &&
		    !drift_is_harmless(line, mine)) {
			if (drift < 5)
				fprintf(stderr, "lp-build: warning: kbuild set %s, which %s "
					"does not have\n", line, config);
			drift++;
		}
		free(needle);
	}
	if (drift)
		fprintf(stderr, "lp-build: warning: %d option(s) differ between %s and what "
			"this source accepts: the config may be for another kernel\n",
			drift, config);
out:
	free(mine);
	free(used);
	free(path);
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

int tree_acquire(struct tree *t, const struct tree_opts *o)
{
	char *lock, *stamp;
	int ret = -1;

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
	if (flock(t->lock_fd, LOCK_EX | LOCK_NB)) {
		fprintf(stderr, "lp-build: waiting for another lp-build using %s\n", t->dir);
		if (flock(t->lock_fd, LOCK_EX)) {
			fprintf(stderr, "lp-build: cannot lock %s: %s\n", lock, strerror(errno));
			free(lock);
			return -1;
		}
	}
	free(lock);

	stamp = xasprintf("%s/prepared", t->dir);
	if (path_exists(stamp)) {
		ret = load_journal(t);
	} else {
		t->fresh = true;
		ret = prepare(t, o);
		if (!ret) {
			check_config_drift(t, o->config);
			ret = write_info(t, o);
		}
		if (!ret)
			ret = write_file_atomic(stamp, "1\n", 2, 0644);
	}
	free(stamp);
	if (!ret)
		t->objtool_per_object = delays_objtool(t);
	return ret;
}

void tree_release(struct tree *t)
{
	if (t->journal.n)
		tree_revert(t);
	if (t->lock_fd >= 0)
		close(t->lock_fd);
	free(t->src);
	free(t->dir);
	free(t->build);
	free(t->key);
	free(t->release);
	sv_free(&t->journal);
	*t = (struct tree){ .lock_fd = -1 };
}

/* Replace the symlink at @rel by a private copy of the file it points to. */
static int materialise(struct tree *t, const char *rel)
{
	char *dst = xasprintf("%s/%s", t->build, rel);
	char *orig = xasprintf("%s/%s", t->src, rel);
	int ret = 0;

	if (path_exists(orig)) {
		size_t len;
		char *data = read_file(orig, &len);
		struct stat st;

		if (!data || stat(orig, &st) || unlink(dst) ||
		    write_file_atomic(dst, data, len, st.st_mode & 0777))
			ret = -1;
		free(data);
	} else {
		unlink(dst);
	}
	free(dst);
	free(orig);
	return ret;
}

int tree_apply(struct tree *t, const struct strvec *files, const struct strvec *objects,
	       const struct strvec *patches)
{
	struct strbuf out = { 0 };
	char *saved_dir = xasprintf("%s/saved", t->dir);

	mkdir_p(saved_dir);
	free(saved_dir);
	/* Journal first, so an interruption at any point can be undone. */
	for (size_t i = 0; i < objects->n; i++)
		sv_pushf(&t->journal, "object %s", objects->v[i]);
	for (size_t i = 0; i < files->n; i++)
		sv_pushf(&t->journal, "file %s", files->v[i]);
	if (write_journal(t))
		return -1;
	for (size_t i = 0; i < t->journal.n; i++) {
		const char *e = t->journal.v[i];

		if (!strncmp(e, "object ", 7)) {
			char *src = xasprintf("%s/%s", t->build, e + 7);
			char *saved = saved_path(t, e + 7);

			if (path_exists(src) && rename(src, saved)) {
				fprintf(stderr, "lp-build: cannot set %s aside: %s\n", src,
					strerror(errno));
				free(src);
				free(saved);
				goto fail;
			}
			free(src);
			free(saved);
		} else if (materialise(t, e + 5)) {
			goto fail;
		}
	}
	for (size_t i = 0; i < patches->n; i++) {
		const char *av[] = { "patch", "-p1", "--batch", "--forward", "-s",
				     "--no-backup-if-mismatch", "-r", "-", "-d", t->build,
				     "-i", patches->v[i], NULL };

		if (run_cmd(av, NULL, 0, &out)) {
			show_tail(&out, 10);
			fprintf(stderr, "lp-build: %s does not apply in the build tree\n",
				patches->v[i]);
			goto fail;
		}
	}
	sb_free(&out);
	return 0;
fail:
	sb_free(&out);
	tree_revert(t);
	return -1;
}

/* One patched file of the private copy, renumbered like its original. */
static int pin_file(struct tree *t, const char *rel, int verbose)
{
	char *orig_path = xasprintf("%s/%s", t->src, rel);
	char *dst = xasprintf("%s/%s", t->build, rel);
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

int tree_pin_lines(struct tree *t, const struct strvec *files, int verbose)
{
	for (size_t i = 0; i < files->n; i++)
		if (pin_file(t, files->v[i], verbose))
			return -1;
	return 0;
}

