/* SPDX-License-Identifier: GPL-2.0-only */
/* Shared by lpctl's unit tests: checks, scratch files, generated keys and
 * modules, and the fake kernel (sysfs, procfs, /dev/kmsg under a temp root,
 * a scripted livepatch core, fake time). */
#ifndef LPCTL_UNIT_H
#define LPCTL_UNIT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "lpctl.h"

extern int checks, failures;
extern char *work; /* the test run's scratch directory */

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		checks++;                                                                          \
		if (!(cond)) {                                                                     \
			failures++;                                                                \
			fprintf(stderr, "FAIL %s:%d: ", __func__, __LINE__);                       \
			fprintf(stderr, __VA_ARGS__);                                              \
			fputc('\n', stderr);                                                       \
		}                                                                                  \
	} while (0)

#define CHECK_HAS(text, needle)                                                                    \
	do {                                                                                       \
		const char *t_ = (text);                                                           \
		CHECK(t_ &&strstr(t_, (needle)), "\"%s\" not in: %s", (needle),                    \
		      t_ ? t_ : "(null)");                                                         \
	} while (0)

/* ---- files ---- */
void put(const char *path, const char *text);
void putf(const char *path, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void append(const char *path, const char *text);
char *slurp(const char *path);
void rm_rf(const char *path);
bool exists(const char *path);

/* ---- keys and modules, generated ---- */
struct key {
	char *key, *cert;
};

extern struct key trusted, untrusted;

struct key make_key(const char *name, const char *cn, long serial);

#define RELEASE "6.1.99-unit"
#define VERSION "#7 SMP Thu Jan 1 00:00:00 UTC 2026"

struct modspec {
	const char *name;
	const char *release, *version;
	bool livepatch, no_target;
	int replace;
	const char *patch_version; /* NULL: "3" */
};

void make_module(const char *path, const struct modspec *m, const struct key *k, char *sha);
void make_manifest(const char *path, const char *name, const char *sha, const char *release,
		   const char *version);
void make_manifest_v(const char *path, const char *name, const char *sha, const char *release,
		     const char *version, const char *patch_version);

/* ---- the fake kernel ---- */
struct fake {
	char *root;
	struct kernel_ops ops;
	uint64_t now;
	/* script */
	uint64_t transition_ms; /* insertion to transition done; 0: never */
	uint64_t disable_ms; /* disabling to the patch gone */
	int insert_err;
	const char *kmsg_text; /* appended to the log at kmsg_at */
	uint64_t kmsg_at;
	uint64_t stop_at; /* lpctl is asked to stop (SIGTERM) then; 0: never */
	/* what happened */
	char name[64];
	uint64_t t_insert, t_disable;
	bool disabling, kmsg_done, replace;
	int inserts, removes;
};

char *rp(const struct fake *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void set_file(const struct fake *f, const char *val, const char *fmt, const char *name);
struct fake *fake_new(const char *name);
void fake_free(struct fake *f);
char *fake_module(struct fake *f, const char *name, int replace, char *sha);

/* Output of one lpctl context, captured. */
struct capture {
	char *out, *err;
	size_t nout, nerr;
};

void ctx_new(struct lpctl *c, struct fake *f, struct capture *cap);
void ctx_done(struct lpctl *c, struct capture *cap);
/* stdout and stderr of @c so far, as one string (valid until the next call) */
const char *both(struct lpctl *c, struct capture *cap);

/* ---- the tests, by file ---- */
void test_kvfile(void);
void test_json(void);
void test_kmsg(void);
void test_verify(void);
void test_conf(void);
void test_lock(void);
void test_apply_good(void);
void test_apply_replace(void);
void test_apply_bug(void);
void test_apply_stall(bool wait);
void test_apply_reverse_finishing(bool task_left);
void test_crash_marker(void);
void test_insert_fails(void);
void test_damaged_state(void);
void test_stopped(void);
void make_cli_fixtures(void);
void test_update(void);
void make_update_fixtures(void);
void test_fuzzed(void); /* unit-fuzzed.c */

#endif /* LPCTL_UNIT_H */
