// SPDX-License-Identifier: GPL-2.0-only
/* Running external programs with fork/exec: output through a pipe into a
 * buffer, so a failing step can show its last lines in one error report. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "overlay.h"
#include "run.h"

volatile int lpb_interrupted;

static void on_signal(int sig)
{
	lpb_interrupted = sig;
}

void install_interrupt_handlers(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

char *argv_to_string(const char *const *argv)
{
	struct strbuf sb = { 0 };

	for (size_t i = 0; argv[i]; i++) {
		if (i)
			sb_adds(&sb, " ");
		if (strpbrk(argv[i], " \t\"'$"))
			sb_addf(&sb, "'%s'", argv[i]);
		else
			sb_adds(&sb, argv[i]);
	}
	return sb_detach(&sb);
}

int run_cmd(const char *const *argv, const char *cwd, unsigned int flags, struct strbuf *out)
{
	return run_cmd_env(argv, cwd, flags, out, NULL);
}

int run_cmd_env(const char *const *argv, const char *cwd, unsigned int flags,
		struct strbuf *out, const struct run_env *env)
{
	int pfd[2], status;
	pid_t pid;
	char buf[8192];
	ssize_t n;
	double next_tick = now_seconds() + 1;
	bool killed = false;

	if (pipe2(pfd, O_CLOEXEC)) {
		fprintf(stderr, "lp-build: pipe: %s\n", strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "lp-build: fork: %s\n", strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDWR);

		dup2(devnull, 0);
		dup2(pfd[1], 1);
		if (!(flags & RUN_PASS_STDERR))
			dup2(flags & RUN_QUIET_STDERR ? devnull : pfd[1], 2);
		if (env && env->view)
			overlay_enter(env->view);
		if (cwd && chdir(cwd)) {
			fprintf(stderr, "cannot enter %s: %s\n", cwd, strerror(errno));
			_exit(127);
		}
		execvp(argv[0], (char *const *)argv);
		fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(pfd[1]);
	for (;;) {
		/* SIGTERM or SIGINT for lp-build alone: its commands stop with it
		 * (a command in a view takes its whole PID namespace along) */
		if (lpb_interrupted && !killed) {
			kill(pid, SIGKILL);
			killed = true;
		}
		if (env && env->tick) {
			struct pollfd p = { .fd = pfd[0], .events = POLLIN };
			double left = next_tick - now_seconds();
			int rc = poll(&p, 1, left > 0 ? (int)(left * 1000) + 1 : 0);

			if (now_seconds() >= next_tick) {
				env->tick(env->tick_arg);
				next_tick = now_seconds() + 1;
			}
			if (rc == 0 || (rc < 0 && errno == EINTR))
				continue;
		}
		n = read(pfd[0], buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (out)
			sb_addn(out, buf, n);
		if (flags & RUN_ECHO)
			fwrite(buf, 1, n, stderr);
	}
	close(pfd[0]);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			fprintf(stderr, "lp-build: waitpid: %s\n", strerror(errno));
			return -1;
		}
	}
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
