// SPDX-License-Identifier: GPL-2.0-only
/* The kernel log watch. /dev/kmsg returns one record per read() and EPIPE
 * when records were overwritten before we read them; a regular file (the
 * tests' fake log) returns many lines per read. Both go through one line
 * splitter. */
#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kmsg.h"

/*
 * What counts as trouble: the kernel's own report headers (extended
 * regexes, matched anywhere in the text) and the livepatch core's errors.
 * Kept in step with integration/health.patterns, which judges test boots;
 * "[ cut here ]" is not a hit of its own: it is the context line before the
 * WARNING or BUG line that says what happened.
 */
static const struct {
	const char *re;
	const char *what;
} trouble[] = {
	{ "BUG:", "kernel BUG" },
	{ "kernel BUG at", "kernel BUG" },
	{ "Oops", "kernel oops" },
	{ "WARNING:", "kernel warning" },
	{ "Call Trace", "call trace" },
	{ "general protection", "general protection fault" },
	{ "Unable to handle kernel", "bad kernel memory access" },
	{ "invalid opcode:", "invalid opcode" },
	{ "Kernel panic", "kernel panic" },
	{ "double fault", "double fault" },
	{ "soft lockup|hard LOCKUP", "lockup" },
	{ "rcu: INFO: .*stall|self-detected stall", "RCU stall" },
	{ "INFO: task .* blocked for more than", "hung task" },
	{ "list_(add|del) corruption", "list corruption" },
	{ "refcount_t: ", "refcount error" },
	{ "UBSAN:|KASAN:", "sanitizer report" },
	{ "livepatch: .*([Ff]ail|not found|invalid|incorrectly formatted|not compatible|"
	  "not marked|unresolvable|ambiguity|may never complete|forcing|refusing|"
	  "doesn't have support)",
	  KMSG_LIVEPATCH_ERROR },
};

#define NR_TROUBLE (sizeof(trouble) / sizeof(trouble[0]))

const char *kmsg_trouble(const char *text)
{
	/* compiled once per process: the table is constant */
	static regex_t res[NR_TROUBLE];
	static bool compiled[NR_TROUBLE], tried;

	if (!tried) {
		for (size_t i = 0; i < NR_TROUBLE; i++)
			compiled[i] = !regcomp(&res[i], trouble[i].re, REG_EXTENDED | REG_NOSUB);
		tried = true;
	}
	for (size_t i = 0; i < NR_TROUBLE; i++)
		if (compiled[i] && !regexec(&res[i], text, 0, NULL, 0))
			return trouble[i].what;
	return NULL;
}

static char *unescape(const char *s, size_t len)
{
	char *out = xcalloc(1, len + 1), *o = out;

	for (size_t i = 0; i < len; i++) {
		unsigned int c;

		if (s[i] == '\\' && i + 3 < len && s[i + 1] == 'x' &&
		    sscanf(s + i + 2, "%2x", &c) == 1 && c) {
			*o++ = c == '\n' ? ' ' : (char)c;
			i += 3;
		} else {
			*o++ = s[i];
		}
	}
	return out;
}

bool kmsg_parse(const char *line, size_t len, struct kmsg_record *rec)
{
	const char *semi = memchr(line, ';', len);
	unsigned long long seq = 0, usec = 0;
	int prio = -1;

	*rec = (struct kmsg_record){ .prio = -1 };
	if (len == 0 || line[0] == ' ')
		return false;
	/* "PRIO,SEQ,USEC,FLAGS;": digits and commas (and a flag char) only */
	if (semi && semi - line < 64 && strspn(line, "0123456789,-+c") == (size_t)(semi - line)) {
		char head[64];

		memcpy(head, line, semi - line);
		head[semi - line] = 0;
		if (sscanf(head, "%d,%llu,%llu", &prio, &seq, &usec) >= 1) {
			rec->prio = prio & 7; /* the facility is in the upper bits */
			rec->has_seq = true;
			rec->seq = seq;
			rec->usec = usec;
			rec->text = unescape(semi + 1, len - (semi + 1 - line));
			return true;
		}
	}
	/* a plain line (a fake log): "<N>" is a level, as when written to /dev/kmsg */
	if (len > 2 && line[0] == '<' && line[1] >= '0' && line[1] <= '7' && line[2] == '>') {
		rec->prio = line[1] - '0';
		line += 3;
		len -= 3;
	}
	rec->text = unescape(line, len);
	return true;
}

int kmsg_watch_open(struct kmsg_watch *w, const char *path)
{
	*w = (struct kmsg_watch){ .fd = -1 };
	w->path = xstrdup(path);
	w->fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (w->fd < 0)
		return -errno;
	/* /dev/kmsg: SEEK_END moves past the last record; a file: to its end */
	if (lseek(w->fd, 0, SEEK_END) < 0) {
		int ret = -errno;

		close(w->fd);
		w->fd = -1;
		return ret;
	}
	return 0;
}

void kmsg_watch_line(struct kmsg_watch *w, const char *line, size_t len)
{
	struct kmsg_record rec;
	const char *what;

	if (!kmsg_parse(line, len, &rec))
		return;
	if (rec.has_seq && rec.seq < w->min_seq) {
		free(rec.text);
		return;
	}
	if (!w->nr_lines && rec.has_seq)
		w->first_seq = rec.seq;
	w->nr_lines++;
	if (w->hit) {
		if (w->trace.n < KMSG_TRACE_MAX)
			strv_add(&w->trace, rec.text);
		if (strstr(rec.text, "---[ end trace"))
			w->trace_ended = true;
		free(rec.text);
		return;
	}
	/* lpctl's own notes name patches, and a name may hold "Oops" */
	what = str_has_prefix(rec.text, "lpctl: ") ? NULL : kmsg_trouble(rec.text);
	if (!what) {
		/* keep a few lines of context ("[ cut here ]" comes first) */
		if (w->nr_before == KMSG_CONTEXT) {
			free(w->before[0]);
			memmove(w->before, w->before + 1, (KMSG_CONTEXT - 1) * sizeof(char *));
			w->nr_before--;
		}
		w->before[w->nr_before++] = rec.text;
		return;
	}
	w->hit = true;
	w->hit_what = xstrdup(what);
	w->hit_line = xstrdup(rec.text);
	for (size_t i = 0; i < w->nr_before; i++)
		strv_add(&w->trace, w->before[i]);
	strv_add(&w->trace, rec.text);
	if (strstr(rec.text, "---[ end trace"))
		w->trace_ended = true;
	free(rec.text);
}

int kmsg_watch_poll(struct kmsg_watch *w)
{
	bool had = w->hit;
	char buf[8192];

	if (w->fd < 0)
		return 0;
	for (;;) {
		ssize_t r = read(w->fd, buf, sizeof(buf) - 1);
		char *p, *nl;
		size_t plen;

		if (r < 0 && errno == EPIPE)
			continue; /* records were overwritten; go on with the next */
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break; /* EAGAIN: nothing more now; 0: end of a fake log */
		buf[r] = 0;
		if (w->partial) {
			p = xasprintf("%s%s", w->partial, buf);
			free(w->partial);
			w->partial = NULL;
		} else {
			p = xstrdup(buf);
		}
		plen = strlen(p);
		char *s = p;

		while ((nl = memchr(s, '\n', p + plen - s))) {
			kmsg_watch_line(w, s, nl - s);
			s = nl + 1;
		}
		if (*s)
			w->partial = xstrdup(s);
		free(p);
	}
	return !had && w->hit;
}

void kmsg_watch_close(struct kmsg_watch *w)
{
	if (w->fd >= 0)
		close(w->fd);
	for (size_t i = 0; i < w->nr_before; i++)
		free(w->before[i]);
	free(w->partial);
	free(w->path);
	free(w->hit_what);
	free(w->hit_line);
	strv_free(&w->trace);
	*w = (struct kmsg_watch){ .fd = -1 };
}

int kmsg_scan_since(struct kmsg_watch *w, const char *path, uint64_t since)
{
	*w = (struct kmsg_watch){ .fd = -1, .min_seq = since };
	w->path = xstrdup(path);
	w->fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (w->fd < 0)
		return -errno;
	kmsg_watch_poll(w);
	return 0;
}

int kmsg_write(const char *path, const char *text)
{
	char *line = xasprintf("<5>%s\n", text);
	int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC), ret = 0;

	if (fd < 0) {
		free(line);
		return -errno;
	}
	if (write(fd, line, strlen(line)) < 0)
		ret = -errno;
	close(fd);
	free(line);
	return ret;
}
