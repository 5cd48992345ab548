// SPDX-License-Identifier: GPL-2.0-only
/* GNU make's jobserver protocol, as a batch run uses it: a pipe holding one
 * token per job slot but the first; whoever runs a job holds a slot. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jobserver.h"
#include "util.h"

/* An open FIFO descriptor (a pipe make passed down, not a reused number). */
static bool is_pipe_fd(int fd)
{
	struct stat st;

	return fd >= 0 && fcntl(fd, F_GETFD) >= 0 && !fstat(fd, &st) && S_ISFIFO(st.st_mode);
}

/*
 * The jobserver MAKEFLAGS names: "--jobserver-auth=R,W" (make 4.2+, pipes),
 * "--jobserver-auth=fifo:PATH" (make 4.4's default), "--jobserver-fds=R,W"
 * (older makes); the last one wins, as in make. 1 with *@r and *@w, or *@fifo,
 * set, 0 when none, -1 when one is named but not usable here.
 */
static int parse_makeflags(int *r, int *w, char **fifo, int *slots)
{
	static const char *const keys[] = { "--jobserver-auth=", "--jobserver-fds=" };
	const char *mf = getenv("MAKEFLAGS"), *val = NULL, *p;
	int found = 0;

	*fifo = NULL;
	*slots = 0;
	if (!mf)
		return 0;
	for (size_t i = 0; i < sizeof(keys) / sizeof(*keys); i++)
		for (p = strstr(mf, keys[i]); p; p = strstr(p + 1, keys[i]))
			if (!val || p > val)
				val = p + strlen(keys[i]);
	for (p = strstr(mf, "-j"); p; p = strstr(p + 1, "-j"))
		if ((p == mf || p[-1] == ' ') && p[2] >= '1' && p[2] <= '9')
			*slots = atoi(p + 2);
	if (!val)
		return 0;
	if (!strncmp(val, "fifo:", 5)) {
		*fifo = strndup(val + 5, strcspn(val + 5, " "));
		found = path_exists(*fifo) ? 1 : -1;
	} else if (sscanf(val, "%d,%d", r, w) == 2) {
		found = is_pipe_fd(*r) && is_pipe_fd(*w) ? 1 : -1;
	} else {
		found = -1;
	}
	return found;
}

bool jobserver_inherited(void)
{
	int r = -1, w = -1, slots;
	char *fifo;
	int found = parse_makeflags(&r, &w, &fifo, &slots);

	free(fifo);
	return found == 1;
}

/*
 * MAKEFLAGS without its job settings, for a jobserver of our own, to go
 * after them. make writes its one-letter flags as a first word without a
 * dash ("w" under a make that prints directories): moved behind our
 * -j, that word gets its dash, or every make we run takes it for a goal
 * ("No rule to make target 'w'"). What follows "--" (the command line's
 * variables) stays last, as it was.
 */
char *jobserver_makeflags_without_jobs(const char *mf)
{
	struct strbuf sb = { 0 };
	char *copy, *word, *save = NULL;
	bool first = true, vars = false;

	if (!mf)
		return xstrdup("");
	copy = xstrdup(mf);
	for (word = strtok_r(copy, " ", &save); word; word = strtok_r(NULL, " ", &save)) {
		if (vars) {
			sb_addf(&sb, " %s", word);
		} else if (!strcmp(word, "--")) {
			vars = true;
			sb_adds(&sb, " --");
		} else if (!strncmp(word, "-j", 2) || !strncmp(word, "--jobserver-", 12)) {
			/* ours replace them */
		} else {
			sb_addf(&sb, first && word[0] != '-' ? " -%s" : " %s", word);
		}
		first = false;
	}
	free(copy);
	return sb.len ? sb_detach(&sb) : (sb_free(&sb), xstrdup(""));
}

static int open_reader(struct jobserver *js, const char *fifo)
{
	char *path = fifo ? xstrdup(fifo) : xasprintf("/proc/self/fd/%d", js->rfd);

	/*
	 * A reader of our own (a new open file description): non-blocking for
	 * us only. The makes read the inherited one, which must stay blocking.
	 */
	js->rfd_nb = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (js->rfd_nb < 0)
		fprintf(stderr, "lp-build: cannot open the jobserver pipe %s: %s\n", path,
			strerror(errno));
	free(path);
	return js->rfd_nb < 0 ? -1 : 0;
}

int jobserver_open(struct jobserver *js, int slots, bool quiet)
{
	int r = -1, w = -1, their_slots, found, fds[2];
	char *fifo = NULL, *rest;

	*js = (struct jobserver){ .rfd = -1, .wfd = -1, .rfd_nb = -1, .implicit_free = true };
	found = parse_makeflags(&r, &w, &fifo, &their_slots);
	if (found < 0 && !quiet)
		fprintf(stderr, "lp-build: MAKEFLAGS names a jobserver that is not open here (mark "
			"the make rule that runs lp-build with '+'): using -j%d of its own\n", slots);
	if (found > 0) {
		if (fifo) {
			js->rfd = js->wfd = open(fifo, O_RDWR | O_CLOEXEC);
			if (js->wfd < 0) {
				fprintf(stderr, "lp-build: cannot open the jobserver %s: %s\n", fifo,
					strerror(errno));
				free(fifo);
				return -1;
			}
		} else {
			js->rfd = r;
			js->wfd = w;
		}
		js->joined = true;
		js->slots = their_slots;
		js->makeflags = xstrdup(getenv("MAKEFLAGS"));
		if (!quiet)
			fprintf(stderr, "lp-build: sharing the job slots of the make that runs it%s\n",
				their_slots ? "" : " (-j as it says)");
		found = open_reader(js, fifo);
		free(fifo);
		return found;
	}
	free(fifo);
	if (pipe(fds)) {
		fprintf(stderr, "lp-build: pipe: %s\n", strerror(errno));
		return -1;
	}
	js->rfd = fds[0];
	js->wfd = fds[1];
	js->slots = slots;
	for (int i = 1; i < slots; i++)
		if (write(js->wfd, "+", 1) != 1) {
			fprintf(stderr, "lp-build: cannot fill the jobserver pipe: %s\n",
				strerror(errno));
			return -1;
		}
	rest = jobserver_makeflags_without_jobs(getenv("MAKEFLAGS"));
	js->makeflags = xasprintf("-j%d --jobserver-auth=%d,%d%s", slots, js->rfd, js->wfd, rest);
	free(rest);
	return open_reader(js, NULL);
}

void jobserver_close(struct jobserver *js)
{
	if (js->rfd_nb >= 0)
		close(js->rfd_nb);
	if (!js->joined) {
		if (js->rfd >= 0)
			close(js->rfd);
		if (js->wfd >= 0)
			close(js->wfd);
	} else if (js->rfd == js->wfd && js->rfd >= 0) {
		close(js->rfd); /* the FIFO we opened */
	}
	free(js->makeflags);
	*js = (struct jobserver){ .rfd = -1, .wfd = -1, .rfd_nb = -1 };
}

bool jobserver_try_take(struct jobserver *js, char *token, bool *implicit)
{
	ssize_t n;

	if (js->implicit_free) {
		js->implicit_free = false;
		*implicit = true;
		*token = 0;
		return true;
	}
	*implicit = false;
	do
		n = read(js->rfd_nb, token, 1);
	while (n < 0 && errno == EINTR);
	return n == 1;
}

void jobserver_give(struct jobserver *js, char token, bool implicit)
{
	ssize_t n;

	if (implicit) {
		js->implicit_free = true;
		return;
	}
	do
		n = write(js->wfd, &token, 1);
	while (n < 0 && errno == EINTR);
	if (n != 1)
		fprintf(stderr, "lp-build: cannot give a job slot back to the jobserver: %s\n",
			strerror(errno));
}

int jobserver_poll_fd(const struct jobserver *js)
{
	return js->rfd_nb;
}
