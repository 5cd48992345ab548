/* SPDX-License-Identifier: GPL-2.0-only */
/* Running the external programs lp-build drives (make, patch, the diff
 * engine): argv only, never a shell; output captured for the error report. */
#ifndef LPB_BUILD_RUN_H
#define LPB_BUILD_RUN_H

#include "util.h"

enum {
	RUN_ECHO = 1 << 0, /* also copy the output to stderr as it comes */
	RUN_QUIET_STDERR = 1 << 1, /* capture stdout only; stderr to /dev/null */
	RUN_PASS_STDERR = 1 << 2, /* capture stdout only; stderr is ours (progress) */
};

/*
 * Run @argv (argv[0] looked up in PATH) in @cwd (NULL: here). The combined
 * stdout+stderr goes to @out when not NULL. Returns the exit status
 * (0..255), 128+signal when killed, or -1 when it could not be started.
 */
int run_cmd(const char *const *argv, const char *cwd, unsigned int flags, struct strbuf *out);

struct overlay;

/* Where and how a command runs, beyond run_cmd()'s arguments. */
struct run_env {
	const struct overlay *view; /* run in this private view of the tree (overlay.h) */
	/* called about once a second while the command runs (progress) */
	void (*tick)(void *arg);
	void *tick_arg;
};

/* run_cmd() with @env (NULL: the same as run_cmd). */
int run_cmd_env(const char *const *argv, const char *cwd, unsigned int flags,
		struct strbuf *out, const struct run_env *env);

/* The command line as one string, for messages and -v. */
char *argv_to_string(const char *const *argv);

/* Set by SIGINT/SIGTERM: stages check it to stop early and clean up. */
extern volatile int lpb_interrupted;
void install_interrupt_handlers(void);

#endif /* LPB_BUILD_RUN_H */
