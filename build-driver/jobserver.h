/* SPDX-License-Identifier: GPL-2.0-only */
/* GNU make's jobserver: the job slots a batch run shares with every make its
 * builds run, so that never more than -j jobs run in total. */
#ifndef LPB_BUILD_JOBSERVER_H
#define LPB_BUILD_JOBSERVER_H

#include <stdbool.h>

struct jobserver {
	int rfd, wfd; /* the pipe the slots are tokens in (inherited by makes) */
	int rfd_nb; /* our own non-blocking reader of the same pipe */
	int slots; /* -j: the implicit slot plus slots - 1 tokens */
	bool joined; /* the jobserver of a make that runs us, not ours */
	bool implicit_free; /* our own slot, which needs no token */
	char *makeflags; /* MAKEFLAGS for the processes we start */
};

/*
 * Join the jobserver of the make that runs us (MAKEFLAGS names one and its
 * pipe is open here), or make one of @slots slots. 0, or -1 after a message.
 */
int jobserver_open(struct jobserver *js, int slots, bool quiet);
void jobserver_close(struct jobserver *js);

/*
 * Take a slot without waiting: the implicit one when free (*@token = 0),
 * else a token from the pipe. true when one was taken.
 */
bool jobserver_try_take(struct jobserver *js, char *token, bool *implicit);
/* Give back what jobserver_try_take() gave. */
void jobserver_give(struct jobserver *js, char token, bool implicit);

/* The descriptor to poll for a token (readable: one may be there). */
int jobserver_poll_fd(const struct jobserver *js);

/*
 * In a process a jobserver started (a batch's build, or lp-build under
 * make): true when MAKEFLAGS names a jobserver, so make must be run without
 * -jN (a -jN on its command line would leave the jobserver and run N jobs
 * of its own).
 */
bool jobserver_inherited(void);

/*
 * @mf (a MAKEFLAGS value, or NULL) without its -jN and jobserver words, to
 * follow a jobserver's own: " -w --no-print-directory -- O=x" (malloc'ed;
 * "" when nothing is left). make's first word of one-letter flags ("w")
 * gets its dash there.
 */
char *jobserver_makeflags_without_jobs(const char *mf);

#endif /* LPB_BUILD_JOBSERVER_H */
