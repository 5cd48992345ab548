// SPDX-License-Identifier: GPL-2.0-only
/* Running a batch: each target's fetch, then its build, as lp-build
 * processes holding one job slot each; their makes share the rest. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "batch.h"
#include "exit-codes.h"
#include "jobserver.h"
#include "json.h"
#include "run.h"

/* How long the run may go without a word when nothing finishes. */
#define QUIET_SECONDS 60

struct job {
	struct batch_target *t;
	bool build; /* its build, else its fetch */
	pid_t pid;
	char token;
	bool implicit;
	double t0;
};

struct runner {
	struct batch *b;
	struct jobserver js;
	struct job *jobs; /* running */
	size_t nr_jobs;
	size_t done, total; /* targets finished / to build */
	int sigchld_pipe[2];
};

static int sigchld_fd = -1;

static void on_sigchld(int sig)
{
	int saved = errno;

	if (sigchld_fd >= 0 && write(sigchld_fd, "c", 1) < 0) {
		/* the pipe is full: a wake-up is pending anyway */
	}
	errno = saved;
}

static const char *label(const struct batch_target *t)
{
	return t->resolved ? t->resolved : t->spec;
}

static void say(const struct runner *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void say(const struct runner *r, const char *fmt, ...)
{
	va_list ap;

	if (r->b->o->quiet)
		return;
	va_start(ap, fmt);
	fprintf(stderr, "lp-build: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* "lp-build: compile-original   0.53 s  1 unit(s)": a stage's time, not news */
static bool is_stage_line(const char *text)
{
	char *end;

	text += strcspn(text, " ");
	text += strspn(text, " ");
	strtod(text, &end);
	return end != text && !strncmp(end, " s", 2);
}

/*
 * Why a job failed, as its log says: the last error line, else the last
 * line lp-build wrote that is not a stage's time, else the last line.
 */
static char *log_reason(const char *path)
{
	char *text = read_file(path, NULL), *line, *save = NULL;
	char *error = NULL, *ours = NULL, *last = NULL, *r;

	if (!text)
		return xstrdup("(no log)");
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (!*line)
			continue;
		last = line;
		if (strstr(line, "error:") || strstr(line, "refused"))
			error = line;
		else if (!strncmp(line, "lp-build: ", 10) && !is_stage_line(line + 10) &&
			 strncmp(line + 10, "note:", 5) && strncmp(line + 10, "warning:", 8))
			ours = line;
	}
	r = error ? error : ours ? ours : last;
	/* the table says whose it is: no "lp-build: " and indentation */
	if (r && !strncmp(r, "lp-build: ", 10))
		r += 10;
	r = xstrdup(r ? r + strspn(r, " \t") : "(empty log)");
	free(text);
	return r;
}

static void build_argv(const struct runner *r, const struct batch_target *t, bool build,
		       struct strvec *av)
{
	const struct build_opts *o = r->b->o;

	sv_push(av, r->b->self);
	if (!build) {
		sv_push(av, "fetch");
		sv_push(av, "--cache");
		sv_push(av, o->cache);
		sv_push(av, t->resolved);
		return;
	}
	sv_push(av, "--target");
	sv_push(av, t->resolved);
	sv_push(av, "-o");
	sv_push(av, t->dir);
	sv_push(av, "-n");
	sv_push(av, r->b->name);
	/* its makes take their slots from the jobserver; -j1 for the rest */
	sv_push(av, "-j1");
	sv_push(av, "--cache");
	sv_push(av, o->cache);
	sv_push(av, "--patch-version");
	sv_push(av, o->patch_version);
	sv_push(av, "--hash");
	sv_push(av, o->hash);
	if (o->key) {
		sv_push(av, "--key");
		sv_push(av, o->key);
		sv_push(av, "--cert");
		sv_push(av, o->cert);
	}
	if (!o->replace)
		sv_push(av, "--no-replace");
	if (o->allow_compiler_mismatch)
		sv_push(av, "--allow-compiler-mismatch");
	if (o->cc) {
		sv_push(av, "--cc");
		sv_push(av, o->cc);
	}
	for (size_t i = 0; i < o->allow_layout.n; i++) {
		sv_push(av, "--allow-layout-change");
		sv_push(av, o->allow_layout.v[i]);
	}
	for (size_t i = 0; i < o->allow_ran_once.n; i++) {
		sv_push(av, "--allow-ran-once");
		sv_push(av, o->allow_ran_once.v[i]);
	}
	for (int i = 0; i < o->verbose; i++)
		sv_push(av, "-V");
	sv_push(av, "--");
	for (int i = 0; i < o->nr_patches; i++)
		sv_push(av, o->patches[i]);
}

/* In the child: its output to the target's log, then lp-build. */
static void exec_job(const struct runner *r, const struct batch_target *t, bool build)
{
	struct strvec av = { 0 };
	char *tf = xasprintf("%s/.target-file", t->dir);
	int log, out, devnull;

	/* a process group of its own: stopping the run stops its makes and
	 * compilers too (lp-build undoes a killed compile on its next run, as
	 * after a Ctrl-C at a terminal) */
	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	signal(SIGCHLD, SIG_DFL);
	log = open(t->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | (build ? 0 : O_TRUNC),
		   0644);
	out = build ? log : open(tf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (log < 0 || out < 0 || devnull < 0 || dup2(devnull, 0) < 0 || dup2(out, 1) < 0 ||
	    dup2(log, 2) < 0) {
		fprintf(stderr, "lp-build: cannot set up the log %s: %s\n", t->log, strerror(errno));
		_exit(LPB_EXIT_ERROR);
	}
	setenv("MAKEFLAGS", r->js.makeflags, 1);
	/* a fetch holds one slot: its unpacking runs one job */
	if (!build)
		setenv("LPB_JOBS", "1", 1);
	build_argv(r, t, build, &av);
	{
		char *cmd = argv_to_string((const char *const *)av.v);

		fprintf(stderr, "lp-build: batch: %s\n", cmd);
		free(cmd);
	}
	execv(av.v[0], av.v);
	fprintf(stderr, "lp-build: cannot run %s: %s\n", av.v[0], strerror(errno));
	_exit(LPB_EXIT_ERROR);
}

static void fail(struct runner *r, struct batch_target *t, int rc, const char *outcome,
		 char *message)
{
	t->state = BT_DONE;
	t->rc = rc;
	t->outcome = outcome;
	free(t->message);
	t->message = message;
	r->done++;
	say(r, "[%zu/%zu] %s: %s (exit %d): %s", r->done, r->total, label(t), outcome, rc,
	    message);
}

static int start_job(struct runner *r, struct batch_target *t, char token, bool implicit)
{
	bool build = t->state == BT_BUILD;
	struct job *j;
	pid_t pid;

	if (mkdir_p(t->dir)) {
		jobserver_give(&r->js, token, implicit);
		fail(r, t, LPB_EXIT_ERROR, "failed", xasprintf("cannot create %s", t->dir));
		return 0;
	}
	if (build) {
		/* a module of an earlier run must not pass for this one's */
		char *ko = xasprintf("%s/%s.ko", t->dir, r->b->name);
		char *js = xasprintf("%s/%s.json", t->dir, r->b->name);

		unlink(ko);
		unlink(js);
		free(ko);
		free(js);
	}
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		jobserver_give(&r->js, token, implicit);
		fail(r, t, LPB_EXIT_ERROR, "failed", xasprintf("fork: %s", strerror(errno)));
		return -1;
	}
	if (pid == 0)
		exec_job(r, t, build);
	setpgid(pid, pid);
	j = &r->jobs[r->nr_jobs++];
	*j = (struct job){ .t = t, .build = build, .pid = pid, .token = token,
			   .implicit = implicit, .t0 = now_seconds() };
	t->state = BT_RUNNING;
	say(r, "%s: %s", label(t), build ? (t->was_cached || t->fetch_s < 1 ? "building" :
		"fetched, building") : t->was_cached ? "checking the cache" : "fetching");
	return 0;
}

/*
 * The next job: a fetched target's build first (results sooner, and its
 * unpacked files are fresh), else the next fetch, of a target whose
 * packages are not in the cache before one whose are: the longest work
 * (download, unpack, a new tree) starts first, so the run does not end
 * with one slow target alone.
 */
static struct batch_target *next_target(struct batch *b)
{
	for (size_t i = 0; i < b->n; i++)
		if (b->v[i].state == BT_BUILD)
			return &b->v[i];
	for (int cached = 0; cached < 2; cached++)
		for (size_t i = 0; i < b->n; i++)
			if (b->v[i].state == BT_FETCH && b->v[i].was_cached == cached)
				return &b->v[i];
	return NULL;
}

static double cpu_of(const struct rusage *ru)
{
	return ru->ru_utime.tv_sec + ru->ru_stime.tv_sec +
	       (ru->ru_utime.tv_usec + ru->ru_stime.tv_usec) / 1e6;
}

static char *last_line_of(const char *path)
{
	char *text = read_file(path, NULL), *p, *r = NULL;

	if (!text)
		return NULL;
	p = text + strlen(text);
	while (p > text && p[-1] == '\n')
		*--p = 0;
	p = strrchr(text, '\n');
	if (*text)
		r = xstrdup(p ? p + 1 : text);
	free(text);
	return r;
}

/* What a built target's manifest says: functions and stage times. */
static int read_manifest(struct runner *r, struct batch_target *t)
{
	char *path = xasprintf("%s/%s.json", t->dir, r->b->name);
	char *ko = xasprintf("%s/%s.ko", t->dir, r->b->name);
	char why[200], *text = NULL;
	struct json *j = NULL;
	const struct json *objs, *timings, *uc, *on;
	size_t len;
	int ret = -1;

	if (!path_exists(ko) || !(text = read_file(path, &len)))
		goto out;
	j = json_parse(text, len, why, sizeof(why));
	if (!j)
		goto out;
	t->functions = 0;
	objs = json_get(j, "objects");
	for (size_t i = 0; objs && i < objs->n; i++) {
		const struct json *f = json_get(objs->items[i], "functions");

		t->functions += f ? (int)f->n : 0;
	}
	uc = json_get(j, "unit_cache");
	if (uc && (on = json_get(uc, "enabled")) && on->type == JSON_BOOL && on->b) {
		const struct json *o = json_get(uc, "original_hits"), *p = json_get(uc, "patched_hits");

		t->unit_cache_hits = (int)((o ? o->num : 0) + (p ? p->num : 0));
	}
	timings = json_get(j, "timings_s");
	if (timings && timings->type == JSON_OBJECT) {
		struct strbuf sb = { 0 };

		sb_adds(&sb, "{");
		for (size_t i = 0; i < timings->n; i++)
			sb_addf(&sb, "%s\"%s\": %.3f", i ? ", " : "", timings->items[i]->key,
				timings->items[i]->num);
		sb_adds(&sb, "}");
		t->stages_json = sb_detach(&sb);
	}
	ret = 0;
out:
	json_free(j);
	free(text);
	free(path);
	free(ko);
	return ret;
}

static void finish_job(struct runner *r, size_t k, int status, const struct rusage *ru)
{
	struct job j = r->jobs[k];
	struct batch_target *t = j.t;
	double secs = now_seconds() - j.t0;
	int rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);

	r->jobs[k] = r->jobs[--r->nr_jobs];
	jobserver_give(&r->js, j.token, j.implicit);
	if (!j.build) {
		char *tf = xasprintf("%s/.target-file", t->dir);

		t->fetch_s = secs;
		t->fetch_cpu = cpu_of(ru);
		t->target_file = rc ? NULL : last_line_of(tf);
		free(tf);
		if (rc || !t->target_file)
			fail(r, t, LPB_EXIT_ERROR, r->b->interrupted ? "interrupted" : "fetch failed",
			     log_reason(t->log));
		else
			t->state = BT_BUILD;
		return;
	}
	t->build_s = secs;
	t->build_cpu = cpu_of(ru);
	if (!WIFEXITED(status)) {
		fail(r, t, LPB_EXIT_ERROR, r->b->interrupted ? "interrupted" : "killed",
		     xasprintf("lp-build was killed by signal %d", WTERMSIG(status)));
		return;
	}
	if (rc) {
		fail(r, t, rc, r->b->interrupted ? "interrupted" : batch_rc_meaning(rc),
		     log_reason(t->log));
		return;
	}
	if (read_manifest(r, t)) {
		fail(r, t, LPB_EXIT_ERROR, "failed",
		     xasprintf("lp-build exited with 0 but %s/%s.ko and its manifest are not "
			       "there", t->dir, r->b->name));
		return;
	}
	t->state = BT_DONE;
	t->rc = 0;
	t->outcome = "built";
	r->done++;
	say(r, "[%zu/%zu] %s: built in %.1f s (%d function(s); CPU %.1f s)", r->done, r->total,
	    label(t), t->fetch_s + t->build_s, t->functions, t->fetch_cpu + t->build_cpu);
}

static void reap(struct runner *r)
{
	struct rusage ru;
	int status;
	pid_t pid;

	while ((pid = wait4(-1, &status, WNOHANG, &ru)) > 0) {
		for (size_t k = 0; k < r->nr_jobs; k++)
			if (r->jobs[k].pid == pid) {
				finish_job(r, k, status, &ru);
				break;
			}
	}
}

static void stop_everything(struct runner *r)
{
	struct batch *b = r->b;

	b->interrupted = true;
	fprintf(stderr, "lp-build: interrupted: stopping %zu running build(s)\n", r->nr_jobs);
	for (size_t k = 0; k < r->nr_jobs; k++)
		kill(-r->jobs[k].pid, SIGTERM);
	for (size_t i = 0; i < b->n; i++) {
		struct batch_target *t = &b->v[i];

		if (t->state == BT_FETCH || t->state == BT_BUILD)
			fail(r, t, LPB_EXIT_ERROR, "not run", xstrdup("the run was interrupted first"));
	}
}

static void status_line(const struct runner *r)
{
	struct strbuf sb = { 0 };
	double now = now_seconds();

	for (size_t k = 0; k < r->nr_jobs; k++)
		sb_addf(&sb, "%s%s (%s, %.0f s)", k ? ", " : "", label(r->jobs[k].t),
			r->jobs[k].build ? "building" : "fetching", now - r->jobs[k].t0);
	say(r, "batch: %zu of %zu done after %.0f s; running: %s", r->done, r->total,
	    now - r->b->t0, sb.buf ? sb.buf : "nothing");
	sb_free(&sb);
}

static int run_loop(struct runner *r)
{
	struct batch *b = r->b;
	double last_news = now_seconds();
	size_t before = r->done;

	for (;;) {
		struct batch_target *t;
		struct pollfd pfd[2];
		char token, buf[64];
		bool implicit, want_slot;
		int n;

		while (!b->interrupted && (t = next_target(b)) &&
		       jobserver_try_take(&r->js, &token, &implicit))
			if (start_job(r, t, token, implicit))
				break;
		want_slot = !b->interrupted && next_target(b);
		if (!r->nr_jobs && !want_slot)
			return 0;
		pfd[0] = (struct pollfd){ .fd = r->sigchld_pipe[0], .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = jobserver_poll_fd(&r->js), .events = POLLIN };
		n = poll(pfd, want_slot ? 2 : 1, QUIET_SECONDS * 1000);
		if (n < 0 && errno != EINTR) {
			fprintf(stderr, "lp-build: poll: %s\n", strerror(errno));
			return -1;
		}
		while (read(r->sigchld_pipe[0], buf, sizeof(buf)) > 0)
			;
		reap(r);
		if (lpb_interrupted && !b->interrupted)
			stop_everything(r);
		if (r->done != before) {
			before = r->done;
			last_news = now_seconds();
		} else if (now_seconds() - last_news >= QUIET_SECONDS) {
			status_line(r);
			last_news = now_seconds();
		}
	}
}

int batch_run(struct batch *b)
{
	struct runner r = { .b = b };
	struct sigaction sa = { .sa_handler = on_sigchld, .sa_flags = SA_RESTART | SA_NOCLDSTOP };
	struct sigaction old;
	struct rusage self, kids;
	int ret;

	for (size_t i = 0; i < b->n; i++)
		if (b->v[i].state != BT_DONE)
			r.total++;
	if (jobserver_open(&r.js, b->o->jobs, b->o->quiet))
		return -1;
	b->slots = r.js.slots;
	b->joined = r.js.joined;
	if (pipe2(r.sigchld_pipe, O_CLOEXEC | O_NONBLOCK)) {
		fprintf(stderr, "lp-build: pipe: %s\n", strerror(errno));
		jobserver_close(&r.js);
		return -1;
	}
	r.jobs = xcalloc(b->n + 1, sizeof(*r.jobs));
	sigchld_fd = r.sigchld_pipe[1];
	sigemptyset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, &old);
	install_interrupt_handlers();
	if (!b->o->quiet)
		fprintf(stderr, "lp-build: batch: %zu target(s) to build, %s%d job slot(s)%s; logs "
			"in %s/RELEASE/lp-build.log\n", r.total, b->joined ? "sharing " : "",
			b->slots, b->joined ? " of the make that runs lp-build" : "",
			b->o->outdir);
	ret = run_loop(&r);
	/* a failed loop leaves running builds: stop them before reporting */
	if (ret && r.nr_jobs) {
		for (size_t k = 0; k < r.nr_jobs; k++)
			kill(-r.jobs[k].pid, SIGTERM);
		while (r.nr_jobs && wait(NULL) > 0)
			r.nr_jobs--;
	}
	sigaction(SIGCHLD, &old, NULL);
	sigchld_fd = -1;
	close(r.sigchld_pipe[0]);
	close(r.sigchld_pipe[1]);
	jobserver_close(&r.js);
	free(r.jobs);
	getrusage(RUSAGE_SELF, &self);
	getrusage(RUSAGE_CHILDREN, &kids);
	b->seconds = now_seconds() - b->t0;
	b->cpu = cpu_of(&self) + cpu_of(&kids);
	return ret;
}
