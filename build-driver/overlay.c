// SPDX-License-Identifier: GPL-2.0-only
/* A build's private view of the prepared tree: overlayfs in a private mount
 * and PID namespace, made in the child that runs each command. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "overlay.h"
#include "util.h"

int overlay_init(struct overlay *ov, const char *lower, const char *dir)
{
	*ov = (struct overlay){ 0 };
	ov->lower = xstrdup(lower);
	ov->upper = xasprintf("%s/upper", dir);
	ov->work = xasprintf("%s/ovl-work", dir);
	if (mkdir_p(ov->upper) || mkdir_p(ov->work))
		return -1;
	return 0;
}

void overlay_free(struct overlay *ov)
{
	free(ov->lower);
	free(ov->upper);
	free(ov->work);
	*ov = (struct overlay){ 0 };
}

char *overlay_path(const struct overlay *ov, const char *rel)
{
	char *p = xasprintf("%s/%s", ov->upper, rel);
	struct stat st;

	if (!lstat(p, &st))
		return p;
	free(p);
	return xasprintf("%s/%s", ov->lower, rel);
}

void overlay_forget(const struct overlay *ov, const char *rel)
{
	char *p = xasprintf("%s/%s", ov->upper, rel);

	unlink(p);
	free(p);
}

/* Only async-signal-safe calls below: this runs between fork and exec. */
static void die_child(const char *what)
{
	char buf[512];
	int n = snprintf(buf, sizeof(buf), "lp-build: %s: %s\n", what, strerror(errno));

	if (n > 0 && write(2, buf, (size_t)n) < 0)
		_exit(127);
	_exit(127);
}

static int write_proc(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* Not root: a user namespace where we are ourselves, with the capability
 * to mount (overlayfs may be mounted there since Linux 5.11). */
static int enter_user_ns(void)
{
	char map[64];
	uid_t uid = getuid();
	gid_t gid = getgid();

	if (unshare(CLONE_NEWUSER))
		return -1;
	snprintf(map, sizeof(map), "%u %u 1\n", (unsigned)uid, (unsigned)uid);
	if (write_proc("/proc/self/uid_map", map))
		return -1;
	write_proc("/proc/self/setgroups", "deny\n");
	snprintf(map, sizeof(map), "%u %u 1\n", (unsigned)gid, (unsigned)gid);
	return write_proc("/proc/self/gid_map", map);
}

/* Wait for @pid, reaping whatever else is ours meanwhile; its status as an
 * exit code (128 + signal when killed). */
static int reap_until(pid_t pid)
{
	int status;

	for (;;) {
		pid_t got = waitpid(-1, &status, 0);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return 127;
		if (got != pid)
			continue;
		if (WIFSIGNALED(status))
			return 128 + WTERMSIG(status);
		return WEXITSTATUS(status);
	}
}

int overlay_enter(const struct overlay *ov)
{
	char opts[4096];
	pid_t parent = getppid(), init, cmd;
	bool root = geteuid() == 0;

	/* lp-build killed: this process goes, and with it the namespace */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(127);
	if (!root && enter_user_ns())
		die_child("cannot make a user namespace for the build's private view of the "
			  "tree (run as root, or enable unprivileged user namespaces)");
	if (unshare(CLONE_NEWNS | CLONE_NEWPID))
		die_child("cannot make a mount and PID namespace for the build's view of the tree");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		die_child("cannot make the mounts private");
	snprintf(opts, sizeof(opts), "lowerdir=%s,upperdir=%s,workdir=%s%s", ov->lower, ov->upper,
		 ov->work, root ? "" : ",userxattr");
	if (mount("overlay", ov->lower, "overlay", 0, opts))
		die_child("cannot mount the build's overlay on the prepared tree");
	init = fork();
	if (init < 0)
		die_child("fork");
	if (init > 0)
		_exit(reap_until(init));
	/* PID 1 of the namespace: when it ends, the kernel kills the rest */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	cmd = fork();
	if (cmd < 0)
		die_child("fork");
	if (cmd > 0) {
		signal(SIGINT, SIG_IGN);
		signal(SIGTERM, SIG_IGN);
		_exit(reap_until(cmd));
	}
	return 0;
}

int overlay_probe(const struct overlay *ov)
{
	pid_t pid = fork();
	int status;

	if (pid < 0) {
		fprintf(stderr, "lp-build: fork: %s\n", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);

		overlay_enter(ov);
		dup2(devnull, 1);
		_exit(0);
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return -1;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	fprintf(stderr, "lp-build: builds run kbuild in a private overlay of the prepared tree: "
		"that needs root, or unprivileged user namespaces with overlayfs in them "
		"(Linux 5.11 or later; sysctl kernel.unprivileged_userns_clone=1)\n");
	return -1;
}
