// SPDX-License-Identifier: GPL-2.0-only
/* lpctl's context: where the kernel's files and lpctl's state live, which
 * kernel is running, the policy configuration, the real kernel operations. */
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "lpctl.h"

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	stop_requested = 1;
}

void lpctl_catch_signals(void)
{
	/* no SA_RESTART: a sleep ends early and the watch loop sees the flag */
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

void lpctl_request_stop(bool stop)
{
	stop_requested = stop;
}

bool lpctl_stop_requested(void)
{
	return stop_requested;
}

static int real_insert(void *ctx, int fd, const char *name)
{
	return syscall(SYS_finit_module, fd, "", 0) ? -errno : 0;
}

static int real_remove(void *ctx, const char *name)
{
	return syscall(SYS_delete_module, name, O_NONBLOCK) ? -errno : 0;
}

static void real_sleep_ms(void *ctx, unsigned int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) && errno == EINTR && !stop_requested)
		;
}

static uint64_t real_now_ms(void *ctx)
{
	return mono_ms();
}

const struct kernel_ops lpctl_real_kernel = {
	.insert = real_insert,
	.remove = real_remove,
	.sleep_ms = real_sleep_ms,
	.now_ms = real_now_ms,
};

void lpctl_msg(struct lpctl *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(c->out, fmt, ap);
	va_end(ap);
	fputc('\n', c->out);
	fflush(c->out);
}

void lpctl_errf(struct lpctl *c, const char *fmt, ...)
{
	char buf[4096];
	va_list ap;

	/* one write per line: concurrent output does not interleave halves */
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fprintf(c->err, "lpctl: %s\n", buf);
	fflush(c->err);
}

int lpctl_parse_policy(const char *s)
{
	if (!strcmp(s, "reverse"))
		return STALL_REVERSE;
	if (!strcmp(s, "wait"))
		return STALL_WAIT;
	return -1;
}

const char *lpctl_policy_name(enum stall_policy p)
{
	return p == STALL_WAIT ? "wait" : "reverse";
}

static int parse_secs(const char *s, unsigned int *out)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (end == s || *end || v > 86400 || *s == '-')
		return -1;
	*out = (unsigned int)v;
	return 0;
}

int lpctl_read_conf(struct lpctl *c, const char *path)
{
	uint8_t *data;
	size_t len;
	int ret = read_path(path, 1 << 20, &data, &len), lineno = 0;

	if (ret == -ENOENT)
		return 0;
	if (ret) {
		lpctl_errf(c, "cannot read %s: %s", path, strerror(-ret));
		return LPB_EXIT_ERROR;
	}
	for (char *line = (char *)data, *next; line; line = next) {
		char *key = line, *val, *e;

		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		val = strchr(line, '=');
		lineno++;
		line += strspn(line, " \t");
		if (!*line || *line == '#')
			continue;
		if (!val) {
			lpctl_errf(c, "%s: line %d: expected KEY = VALUE", path, lineno);
			free(data);
			return LPB_EXIT_ERROR;
		}
		*val++ = 0;
		key += strspn(key, " \t");
		for (e = key + strlen(key); e > key && strchr(" \t", e[-1]); e--)
			*(e - 1) = 0;
		val += strspn(val, " \t");
		for (e = val + strlen(val); e > val && strchr(" \t\r", e[-1]); e--)
			*(e - 1) = 0;

		bool ok;
		int p;

		if (!strcmp(key, "transition_timeout")) {
			ok = !parse_secs(val, &c->conf.timeout_s) && c->conf.timeout_s;
		} else if (!strcmp(key, "settle")) {
			ok = !parse_secs(val, &c->conf.settle_s);
		} else if (!strcmp(key, "stall_policy")) {
			p = lpctl_parse_policy(val);
			ok = p >= 0;
			if (ok)
				c->conf.stall = p;
		} else if (!strcmp(key, "on_bug")) {
			ok = !strcmp(val, "disable") || !strcmp(val, "keep");
			c->conf.keep_on_bug = !strcmp(val, "keep");
		} else if (!strcmp(key, "repository")) {
			ok = *val != 0;
			free(c->conf.repository);
			c->conf.repository = xstrdup(val);
		} else if (!strcmp(key, "ca_file")) {
			ok = *val == '/';
			free(c->conf.ca_file);
			c->conf.ca_file = xstrdup(val);
		} else if (!strcmp(key, "allow_http")) {
			ok = !strcmp(val, "yes") || !strcmp(val, "no");
			c->conf.allow_http = !strcmp(val, "yes");
		} else if (!strcmp(key, "rollout_bucket")) {
			unsigned int b;

			ok = !parse_secs(val, &b) && b < 100;
			if (ok)
				c->conf.rollout_bucket = (int)b;
		} else {
			lpctl_errf(c, "%s: line %d: unknown setting '%s'", path, lineno, key);
			free(data);
			return LPB_EXIT_ERROR;
		}
		if (!ok) {
			lpctl_errf(c, "%s: line %d: bad value '%s' for %s", path, lineno, val, key);
			free(data);
			return LPB_EXIT_ERROR;
		}
	}
	free(data);
	return 0;
}

static char *under(const char *root, const char *path)
{
	return xasprintf("%s%s", root ? root : "", path);
}

/* The running kernel's release and version string: procfs (so tests can
 * fake them under --root), else uname(2). */
static void kernel_identity(struct lpctl *c)
{
	char *p = xasprintf("%s/sys/kernel/osrelease", c->procfs);
	struct utsname u;

	c->release = read_line(p);
	free(p);
	p = xasprintf("%s/sys/kernel/version", c->procfs);
	c->version = read_line(p);
	free(p);
	if ((!c->release || !c->version) && !uname(&u)) {
		if (!c->release)
			c->release = xstrdup(u.release);
		if (!c->version)
			c->version = xstrdup(u.version);
	}
	p = xasprintf("%s/sys/kernel/random/boot_id", c->procfs);
	c->boot_id = read_line(p);
	free(p);
	if (!c->boot_id) {
		/* no sysctl: the boot time identifies the boot as well */
		uint8_t *stat;
		size_t len;
		char *bt;

		p = xasprintf("%s/stat", c->procfs);
		if (!read_path(p, 1 << 20, &stat, &len)) {
			bt = strstr((char *)stat, "\nbtime ");
			if (bt)
				c->boot_id = xasprintf("btime-%ld", strtol(bt + 7, NULL, 10));
			free(stat);
		}
		free(p);
	}
}

int lpctl_init(struct lpctl *c, const char *root, const char *state_dir, const char *conf_dir)
{
	*c = (struct lpctl){
		.conf = { .timeout_s = 30, .stall = STALL_REVERSE, .settle_s = 10,
			  .rollout_bucket = -1 },
		.ops = &lpctl_real_kernel,
		.out = stdout,
		.err = stderr,
		.lock_fd = -1,
	};
	if (root && !*root)
		root = NULL;
	c->sysfs = under(root, "/sys");
	c->procfs = under(root, "/proc");
	c->kmsg = under(root, "/dev/kmsg");
	c->pstore = under(root, "/sys/fs/pstore");
	c->state_dir = state_dir ? xstrdup(state_dir) : under(root, "/var/lib/lpctl");
	c->conf_dir = conf_dir ? xstrdup(conf_dir) : under(root, "/etc/lpctl");
	c->trust_dir = xasprintf("%s/trusted.d", c->conf_dir);
	c->machine_id = under(root, "/etc/machine-id");
	kernel_identity(c);
	if (!c->release || !*c->release || strchr(c->release, '/') || c->release[0] == '.') {
		lpctl_errf(c, "cannot tell which kernel is running (%s/sys/kernel/osrelease)",
			   c->procfs);
		return LPB_EXIT_ERROR;
	}
	if (!c->boot_id)
		c->boot_id = xstrdup("unknown");
	c->rel_dir = xasprintf("%s/%s", c->state_dir, c->release);
	return 0;
}

void lpctl_free(struct lpctl *c)
{
	if (c->lock_fd >= 0)
		close(c->lock_fd);
	free(c->sysfs);
	free(c->procfs);
	free(c->kmsg);
	free(c->pstore);
	free(c->state_dir);
	free(c->conf_dir);
	free(c->trust_dir);
	free(c->machine_id);
	free(c->conf.repository);
	free(c->conf.ca_file);
	free(c->release);
	free(c->version);
	free(c->boot_id);
	free(c->rel_dir);
	*c = (struct lpctl){ .lock_fd = -1 };
}
