/* SPDX-License-Identifier: GPL-2.0-only */
/* Watching the kernel log (/dev/kmsg) for signs of trouble while a patch is
 * applied and settles: BUG, Oops, WARNING, Call Trace, livepatch errors. */
#ifndef LPCTL_KMSG_H
#define LPCTL_KMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

/* One record of /dev/kmsg: "PRIO,SEQ,USEC,FLAGS;TEXT" (continuation lines
 * " KEY=VALUE" are dropped). A plain line (a fake log) is all text. */
struct kmsg_record {
	int prio; /* syslog level (0-7), -1 when unknown */
	bool has_seq; /* a /dev/kmsg record (seq and usec are valid) */
	uint64_t seq;
	uint64_t usec;
	char *text; /* unescaped (\xNN) message text */
};

#define KMSG_LIVEPATCH_ERROR "livepatch error"

/* The kind of trouble @text shows ("kernel warning", "oops", ...), or NULL. */
const char *kmsg_trouble(const char *text);

/* Parse one record line (without the newline). false for continuation
 * lines and empty ones. */
bool kmsg_parse(const char *line, size_t len, struct kmsg_record *rec);

#define KMSG_CONTEXT 6 /* lines kept from before the first hit */
#define KMSG_TRACE_MAX 400 /* lines kept from the first hit on */

struct kmsg_watch {
	int fd; /* -1 when the log could not be opened */
	char *path;
	char *partial; /* a line read without its newline yet (fake logs) */
	char *before[KMSG_CONTEXT]; /* ring of the lines before the first hit */
	size_t nr_before;
	bool hit; /* trouble was seen */
	char *hit_what; /* kmsg_trouble() of the first hit */
	char *hit_line; /* its text */
	bool trace_ended; /* an "---[ end trace" line came after the hit */
	struct strv trace; /* context + lines since the first hit */
	size_t nr_lines; /* records seen in all */
	uint64_t first_seq; /* sequence number of the first record seen, 0: none */
	uint64_t min_seq; /* records numbered below are skipped (kmsg_scan_since) */
};

/* Open @path and position at its end: only what the kernel logs from now on
 * is watched. -errno when it cannot be opened. */
int kmsg_watch_open(struct kmsg_watch *w, const char *path);
/* Read what is there now. Returns 1 when this call saw the first hit, 0
 * otherwise. Never blocks. */
int kmsg_watch_poll(struct kmsg_watch *w);
/* Feed one line as if it had been read (used by poll, and by tests). */
void kmsg_watch_line(struct kmsg_watch *w, const char *line, size_t len);
void kmsg_watch_close(struct kmsg_watch *w);

/* Read the whole log at @path from its oldest record, watching only records
 * numbered @since or later (what happened after a given point of this boot). */
int kmsg_scan_since(struct kmsg_watch *w, const char *path, uint64_t since);
/* Add a line of lpctl's own to the kernel log (level notice). */
int kmsg_write(const char *path, const char *text);

#endif /* LPCTL_KMSG_H */
