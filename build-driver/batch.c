// SPDX-License-Identifier: GPL-2.0-only
/* Batch builds: from the targets a run names (several --target, --targets
 * FILE, release patterns) to the exact sets to build, then run and report. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "batch.h"
#include "exit-codes.h"
#include "run.h"
#include "targetfile.h"
#include "unitcache.h"

static bool is_pattern(const char *spec)
{
	return strpbrk(spec, "*?[") != NULL;
}

bool batch_wanted(const struct strvec *specs, bool from_file)
{
	if (from_file || specs->n > 1)
		return true;
	return specs->n == 1 && is_pattern(specs->v[0]);
}

int batch_read_targets(const char *path, struct strvec *specs)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	char *line = NULL;
	size_t cap = 0;
	size_t before = specs->n;

	if (!f) {
		fprintf(stderr, "lp-build: --targets %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (getline(&line, &cap, f) > 0) {
		char *p = line, *end;

		p += strspn(p, " \t");
		end = p + strcspn(p, "#\r\n");
		while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		*end = 0;
		if (*p)
			sv_push(specs, p);
	}
	free(line);
	if (f != stdin)
		fclose(f);
	if (specs->n == before) {
		fprintf(stderr, "lp-build: --targets %s names no target (one a line, e.g. "
			"debian:6.1.0-57-cloud-amd64; '#' starts a comment)\n", path);
		return -1;
	}
	return 0;
}

/* Options that name one kernel's files cannot apply to several kernels. */
static int check_opts(const struct build_opts *o)
{
	const struct {
		const char *val, *opt;
	} one_kernel[] = {
		{ o->src, "-s" }, { o->config, "-c" }, { o->vmlinux, "-v" },
		{ o->symvers, "--symvers" }, { o->modules, "--modules" },
		{ o->buildroot, "--buildroot" },
	};

	for (size_t i = 0; i < sizeof(one_kernel) / sizeof(*one_kernel); i++)
		if (one_kernel[i].val) {
			fprintf(stderr, "lp-build: %s names one kernel's files: it cannot go with "
				"several targets (each target brings its own)\n", one_kernel[i].opt);
			return -1;
		}
	if (!!o->key != !!o->cert) {
		fprintf(stderr, "lp-build: --key and --cert go together\n");
		return -1;
	}
	if (!o->nr_patches) {
		fprintf(stderr, "lp-build: no patch given; see lp-build --help\n");
		return -1;
	}
	for (int i = 0; i < o->nr_patches; i++)
		if (!path_exists(o->patches[i])) {
			fprintf(stderr, "lp-build: patch %s does not exist\n", o->patches[i]);
			return -1;
		}
	if (mkdir_p(o->outdir) || access(o->outdir, W_OK)) {
		fprintf(stderr, "lp-build: cannot write into the output directory %s\n", o->outdir);
		return -1;
	}
	return 0;
}

static struct batch_target *add_target(struct batch *b, const char *spec)
{
	struct batch_target *t;

	b->v = xrealloc(b->v, (b->n + 1) * sizeof(*b->v));
	t = &b->v[b->n++];
	*t = (struct batch_target){ .spec = xstrdup(spec), .same_as = -1, .functions = -1,
				    .unit_cache_hits = -1 };
	return t;
}

static void fail_target(struct batch_target *t, int rc, const char *outcome, char *message)
{
	t->state = BT_DONE;
	t->rc = rc;
	t->outcome = outcome;
	free(t->message);
	t->message = message;
}

/* "ok SPEC debian:R=V SERIES R V cached|new", "skip ...", "fail SPEC WHY" */
static void take_line(struct batch *b, char *line)
{
	char *f[7] = { 0 }, *save = NULL;
	size_t n = 0;

	for (char *p = strtok_r(line, "\t", &save); p && n < 7; p = strtok_r(NULL, "\t", &save))
		f[n++] = p;
	if (n >= 3 && !strcmp(f[0], "fail")) {
		fail_target(add_target(b, f[1]), LPB_EXIT_ERROR, "not found", xstrdup(f[2]));
	} else if (n == 7 && !strcmp(f[0], "ok")) {
		struct batch_target *t = add_target(b, f[1]);

		t->resolved = xstrdup(f[2]);
		t->series = xstrdup(f[3]);
		t->release = xstrdup(f[4]);
		t->version = xstrdup(f[5]);
		t->was_cached = !strcmp(f[6], "cached");
	}
	/* "skip": a release a pattern matched that has no complete set; lpb-target
	 * said why on stderr, and it is no target of this run */
}

/* Every spec to the sets it names, through lpb-target (progress on stderr). */
static int resolve(struct batch *b, const struct strvec *specs, bool refresh)
{
	char *tool = lpb_target_tool();
	struct strvec av = { 0 };
	struct strbuf out = { 0 };
	char *line, *save = NULL;
	int rc;

	if (!tool)
		return -1;
	setenv("LPB_CACHE", b->o->cache, 1);
	sv_push(&av, tool);
	sv_push(&av, "resolve");
	if (refresh)
		sv_push(&av, "--refresh");
	for (size_t i = 0; i < specs->n; i++)
		sv_push(&av, specs->v[i]);
	if (!b->o->quiet)
		fprintf(stderr, "lp-build: batch: finding the package sets of %zu target name(s)\n",
			specs->n);
	rc = run_cmd((const char *const *)av.v, NULL, RUN_PASS_STDERR, &out);
	sv_free(&av);
	free(tool);
	/* 1: some names found nothing, each said on its own line */
	if (rc != 0 && rc != 1) {
		fprintf(stderr, "lp-build: lpb-target resolve exited with %d (see above)\n", rc);
		sb_free(&out);
		return -1;
	}
	for (line = strtok_r(out.buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		take_line(b, line);
	sb_free(&out);
	if (!b->n) {
		fprintf(stderr, "lp-build: the targets name no kernel to build for\n");
		return -1;
	}
	return 0;
}

/*
 * A set named twice (debian:bookworm-6.1 and its release, a pattern and a
 * --targets line) is built once; two versions of one release would need the
 * same OUTDIR/<release>/: the second is refused.
 */
static void dedupe(struct batch *b)
{
	for (size_t i = 0; i < b->n; i++) {
		struct batch_target *t = &b->v[i];

		if (!t->resolved)
			continue;
		for (size_t k = 0; k < i; k++) {
			struct batch_target *o = &b->v[k];

			if (!o->resolved || o->same_as >= 0 || strcmp(o->release, t->release))
				continue;
			if (!strcmp(o->resolved, t->resolved)) {
				t->same_as = (int)k;
				t->state = BT_DONE;
			} else {
				fail_target(t, LPB_EXIT_ERROR, "refused",
					    xasprintf("%s also builds release %s (%s), in the same "
						      "%s/%s/: build %s in another run", o->spec,
						      t->release, o->resolved, b->o->outdir, t->release,
						      t->resolved));
				free(t->resolved);
				t->resolved = NULL;
			}
			break;
		}
		if (t->resolved && t->same_as < 0) {
			t->dir = xasprintf("%s/%s", b->o->outdir, t->release);
			t->log = xasprintf("%s/lp-build.log", t->dir);
		}
	}
}

/* Release directories of an earlier run that this one does not build:
 * lp-build publish would add them too. */
static void warn_foreign_dirs(const struct batch *b)
{
	DIR *d = opendir(b->o->outdir);
	struct dirent *e;

	while (d && (e = readdir(d))) {
		bool ours = false;
		char *p;

		if (e->d_name[0] == '.')
			continue;
		p = xasprintf("%s/%s", b->o->outdir, e->d_name);
		for (size_t i = 0; i < b->n && !ours; i++)
			ours = b->v[i].release && !strcmp(b->v[i].release, e->d_name);
		if (!ours && is_dir(p))
			fprintf(stderr, "lp-build: warning: %s is not a target of this run: "
				"lp-build publish %s would publish what it holds too (use an "
				"empty output directory per batch)\n", p, b->o->outdir);
		free(p);
	}
	if (d)
		closedir(d);
}

static char *self_exe(void)
{
	char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);

	if (n <= 0) {
		fprintf(stderr, "lp-build: cannot find its own executable: %s\n", strerror(errno));
		return NULL;
	}
	buf[n] = 0;
	return xstrdup(buf);
}

static void batch_free(struct batch *b)
{
	for (size_t i = 0; i < b->n; i++) {
		struct batch_target *t = &b->v[i];

		free(t->spec);
		free(t->resolved);
		free(t->series);
		free(t->release);
		free(t->version);
		free(t->dir);
		free(t->log);
		free(t->target_file);
		free(t->message);
		free(t->stages_json);
	}
	free(b->v);
	free(b->name);
	free(b->self);
}

int batch_main(const struct build_opts *o, const struct strvec *specs, bool refresh)
{
	struct batch b = { .o = o, .t0 = now_seconds() };
	int rc = LPB_EXIT_ERROR;

	if (check_opts(o))
		return LPB_EXIT_ERROR;
	b.name = build_patch_name(o);
	b.self = self_exe();
	if (!b.name || !b.self || mkdir_p(o->cache))
		goto out;
	if (resolve(&b, specs, refresh))
		goto out;
	dedupe(&b);
	warn_foreign_dirs(&b);
	{
		char *why = unitcache_unavailable();

		if (why && !o->quiet)
			fprintf(stderr, "lp-build: note: targets will not share compiled units: %s\n",
				why);
		free(why);
	}
	if (batch_run(&b))
		goto out;
	rc = batch_report(&b);
out:
	batch_free(&b);
	return rc;
}
