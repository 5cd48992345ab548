/* SPDX-License-Identifier: GPL-2.0-only */
/* lpctl: installs signed lp-build livepatches on a target machine, applies
 * them under watch, and locks out patches that hurt the kernel. */
#ifndef LPCTL_H
#define LPCTL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "exit-codes.h"
#include "util.h"

enum stall_policy {
	STALL_REVERSE, /* disable the patch: the kernel reverses the transition */
	STALL_WAIT, /* keep waiting; report the stalled tasks again every timeout */
};

/* Policy knobs: built-in defaults, then lpctl.conf, then the command line. */
struct lpctl_conf {
	unsigned int timeout_s; /* a transition taking longer has stalled */
	enum stall_policy stall;
	unsigned int settle_s; /* kernel log watch and crash marker after the transition */
	bool keep_on_bug; /* leave a patch that caused a kernel bug enabled */
	/* lpctl update (doc/patch-repository.md) */
	char *repository; /* URL of the patch repository (NULL: none) */
	char *ca_file; /* CA certificates for https:// (NULL: the system's) */
	bool allow_http; /* accept http:// repositories */
	int rollout_bucket; /* fixed phased-rollout bucket 0..99, -1: from the machine id */
};

/* The kernel operations lpctl performs, replaceable by the unit tests. */
struct kernel_ops {
	int (*insert)(void *ctx, int fd, const char *name); /* finit_module: 0 or -errno */
	int (*remove)(void *ctx, const char *name); /* delete_module: 0 or -errno */
	void (*sleep_ms)(void *ctx, unsigned int ms);
	uint64_t (*now_ms)(void *ctx); /* monotonic */
	void *ctx;
};

extern const struct kernel_ops lpctl_real_kernel;

struct lpctl {
	/* where things are; all of them under --root when given */
	char *sysfs; /* /sys */
	char *procfs; /* /proc */
	char *kmsg; /* /dev/kmsg */
	char *pstore; /* /sys/fs/pstore */
	char *state_dir; /* /var/lib/lpctl */
	char *conf_dir; /* /etc/lpctl */
	char *trust_dir; /* /etc/lpctl/trusted.d */
	char *machine_id; /* /etc/machine-id (the phased-rollout bucket) */

	/* the running kernel */
	char *release; /* uname -r */
	char *version; /* uname -v */
	char *boot_id; /* changes with every boot */
	char *rel_dir; /* state_dir/<release> */

	struct lpctl_conf conf;
	const struct kernel_ops *ops;
	FILE *out; /* results */
	FILE *err; /* diagnostics */
	int verbose;
	int lock_fd; /* held while the state is changed, -1 otherwise */
};

/* Paths, running kernel identity and configuration. @root may be NULL.
 * Returns 0, or an lpb_exit code after a message. */
int lpctl_init(struct lpctl *c, const char *root, const char *state_dir, const char *conf_dir);
void lpctl_free(struct lpctl *c);
/* Read KEY = VALUE settings from @path into c->conf (absent file: 0). */
int lpctl_read_conf(struct lpctl *c, const char *path);
/* Parse a stall policy name; -1 when unknown. */
int lpctl_parse_policy(const char *s);
const char *lpctl_policy_name(enum stall_policy p);

/*
 * SIGTERM/SIGINT/SIGHUP while lpctl watches a patch: it stops watching,
 * removes the crash marker (a stop is no crash) and says so. The flag is
 * the one piece of global state: a signal handler can reach nothing else.
 */
void lpctl_catch_signals(void);
void lpctl_request_stop(bool stop); /* false: forget a request (tests) */
bool lpctl_stop_requested(void);

void lpctl_msg(struct lpctl *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void lpctl_errf(struct lpctl *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif /* LPCTL_H */
