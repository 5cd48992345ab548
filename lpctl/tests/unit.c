// SPDX-License-Identifier: GPL-2.0-only
/* lpctl's in-process unit tests, no root and no VM: the parts (unit-parts.c)
 * and whole commands against a fake kernel (unit-fake.c): apply, replace,
 * kernel bug, stall policies, crash marker, refusals, damaged state. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "json.h"
#include "kvfile.h"
#include "store.h"
#include "unit.h"

int checks, failures;
char *work;

static char *state_file(struct fake *f, const char *name)
{
	return rp(f, "/var/lib/lpctl/" RELEASE "/%s", name);
}

void test_apply_good(void)
{
	struct fake *f = fake_new("good");
	struct lpctl c;
	struct capture cap;
	char sha[65], *ko = fake_module(f, "lp_good", 1, sha), *p, why[100];
	struct kvfile last;
	int rc;

	ctx_new(&c, f, &cap);
	rc = cmd_install(&c, ko, NULL);
	CHECK(rc == 0 && f->inserts == 0, "install verifies and stores, inserts nothing: %s",
	      both(&c, &cap));
	rc = cmd_start(&c);
	CHECK(rc == 0, "start: %d: %s", rc, both(&c, &cap));
	CHECK(f->inserts == 1, "inserted once");
	CHECK_HAS(both(&c, &cap), "lp_good: applied; the kernel took 1.2 s");
	CHECK_HAS(both(&c, &cap), "lp_good: settled: no kernel trouble in 10 s");
	p = state_file(f, "marker");
	CHECK(!exists(p), "marker cleared after settling");
	free(p);
	p = state_file(f, "last");
	CHECK(!kvfile_read(p, &last, why, sizeof(why)), "last outcome: %s", why);
	CHECK(!strcmp(kv_get(&last, "result") ?: "", "applied"), "result applied");
	CHECK(!strcmp(kv_get(&last, "transition_ms") ?: "", "1200"), "transition time %s",
	      kv_get(&last, "transition_ms"));
	kvfile_free(&last);
	free(p);
	p = rp(f, "/dev/kmsg");
	char *log = slurp(p);

	CHECK_HAS(log, "lpctl: inserting lp_good version 3");
	free(log);
	free(p);
	rc = cmd_start(&c);
	CHECK(rc == 0 && f->inserts == 1, "second start: already loaded, not inserted again");
	CHECK_HAS(both(&c, &cap), "lp_good: already loaded");

	/* status --json reads back with what it says */
	fflush(c.out);
	size_t mark = cap.nout;

	CHECK(cmd_status(&c, true) == 0, "status");
	fflush(c.out);
	struct json *j = json_parse(cap.out + mark, cap.nout - mark, why, sizeof(why));

	CHECK(j, "status --json parses: %s", why);
	const struct json *inst = json_get(j, "installed"), *patch = json_get(j, "patch");

	CHECK(inst && !strcmp(json_get_str(inst, "name") ?: "", "lp_good"), "installed name");
	CHECK(inst && !strcmp(json_get_str(inst, "sha256") ?: "", sha), "installed sha256");
	CHECK(inst && json_get(inst, "fixes") && json_get(inst, "fixes")->n == 1, "fixes listed");
	CHECK(patch && !strcmp(json_get_str(patch, "state") ?: "", "applied"), "state applied");
	CHECK(patch && json_get_str(patch, "applied_at"), "time applied");
	CHECK(json_get(json_get(j, "last"), "transition_ms") &&
		      json_get(json_get(j, "last"), "transition_ms")->num == 1200,
	      "transition_ms");
	CHECK(!json_get(json_get(j, "lock"), "locked")->b, "not locked");
	json_free(j);

	rc = cmd_disable(&c, "lp_good");
	CHECK(rc == 0, "disable: %s", both(&c, &cap));
	CHECK_HAS(both(&c, &cap), "lp_good: disabled; the kernel took 0.4 s");
	rc = cmd_unload(&c, "lp_good");
	CHECK(rc == 0 && f->removes == 1, "unload: %s", both(&c, &cap));
	CHECK(cmd_unload(&c, "lp_good") == 0, "unload again: nothing to do");
	CHECK(cmd_uninstall(&c) == 0, "uninstall");
	p = state_file(f, "installed");
	CHECK(!exists(p), "installed state removed");
	free(p);
	ctx_done(&c, &cap);
	free(ko);
	fake_free(f);
}

void test_apply_replace(void)
{
	struct fake *f = fake_new("replace");
	struct lpctl c;
	struct capture cap;
	char sha[65], *ko = fake_module(f, "lp_b", 1, sha), *p;
	int rc;

	/* patch A is loaded and enabled */
	set_file(f, "1\n", "/sys/kernel/livepatch/%s/enabled", "lp_a");
	set_file(f, "0\n", "/sys/kernel/livepatch/%s/transition", "lp_a");
	p = rp(f, "/sys/module/lp_a");
	mkdir_p(p, 0755);
	f->replace = true;
	ctx_new(&c, f, &cap);
	rc = cmd_load(&c, ko, NULL);
	CHECK(rc == 0, "load B: %s", both(&c, &cap));
	CHECK_HAS(both(&c, &cap), "lp_b: replaced lp_a (its module was removed)");
	CHECK(!exists(p), "A's module removed");
	free(p);
	p = state_file(f, "last");
	char *last = slurp(p);

	CHECK_HAS(last, "replaced=lp_a");
	free(last);
	free(p);
	ctx_done(&c, &cap);
	free(ko);
	fake_free(f);
}

void test_apply_bug(void)
{
	struct fake *f = fake_new("bug");
	struct lpctl c;
	struct capture cap;
	char sha[65], *ko = fake_module(f, "lp_warn", 1, sha), *lock, *p;
	struct kvfile lk;
	char why[100];
	int rc;

	/* a warning 3 s after insertion, during the settle window */
	f->kmsg_text =
		"6,10,0,-;------------[ cut here ]------------\n"
		"4,11,0,-;WARNING: CPU: 0 PID: 9 at fs/proc/array.c:436 proc_pid_status+0x1f/0x300 [lp_warn]\n"
		"4,12,0,-;Call Trace:\n4,13,0,-; <TASK>\n4,14,0,-;---[ end trace 0000000000000000 ]---\n";
	f->kmsg_at = f->now + 3000;
	ctx_new(&c, f, &cap);
	rc = cmd_load(&c, ko, NULL);
	CHECK(rc == LPB_EXIT_KERNEL_BUG, "kernel bug exit code: %d: %s", rc, both(&c, &cap));
	CHECK_HAS(both(&c, &cap), "lp_warn was inserted but caused a kernel bug (kernel warning): "
				  "WARNING: CPU: 0 PID: 9 at fs/proc/array.c:436");
	CHECK_HAS(both(&c, &cap), "'lpctl unlock lp_warn' clears it");
	CHECK_HAS(both(&c, &cap), "lp_warn: disabled and removed");
	CHECK(f->removes == 1, "taken off");
	lock = xasprintf("%s/var/lib/lpctl/" RELEASE "/locks/lp_warn@%.16s.lock", f->root, sha);
	CHECK(!kvfile_read(lock, &lk, why, sizeof(why)), "lock file: %s", why);
	bool cut = false, end = false;

	for (size_t i = 0; i < lk.n; i++) {
		cut |= !strcmp(lk.v[i].key, "trace") && strstr(lk.v[i].val, "cut here");
		end |= !strcmp(lk.v[i].key, "trace") && strstr(lk.v[i].val, "end trace");
	}
	CHECK(cut && end, "trace from the context line to the end of the report");
	kvfile_free(&lk);
	p = state_file(f, "marker");
	CHECK(!exists(p), "marker removed: the lock supersedes it");
	free(p);

	/* never inserted again: start and load refuse */
	rc = cmd_start(&c);
	CHECK(rc == LPB_EXIT_LOCKED && f->inserts == 1, "start refuses: %d", rc);
	CHECK_HAS(both(&c, &cap), "is locked out: inserted but caused a kernel bug");
	rc = cmd_load(&c, ko, NULL);
	CHECK(rc == LPB_EXIT_LOCKED && f->inserts == 1, "load refuses: %d", rc);
	/* a damaged lock file still locks */
	put(lock, "garbage");
	rc = cmd_start(&c);
	CHECK(rc == LPB_EXIT_LOCKED && f->inserts == 1, "damaged lock file still locks");
	CHECK_HAS(both(&c, &cap), "is damaged");
	CHECK(cmd_unlock(&c, "lp_warn") == 0 && !exists(lock), "unlock");
	CHECK(cmd_unlock(&c, "lp_warn") == 0, "unlock again: nothing to do");
	CHECK_HAS(both(&c, &cap), "lp_warn: not locked out");
	f->kmsg_text = NULL;
	f->name[0] = 0;
	rc = cmd_start(&c);
	CHECK(rc == 0 && f->inserts == 2, "after unlock it can be applied: %s", both(&c, &cap));
	ctx_done(&c, &cap);
	free(lock);
	free(ko);
	fake_free(f);
}

void test_apply_stall(bool wait)
{
	struct fake *f = fake_new(wait ? "stall-wait" : "stall-reverse");
	struct lpctl c;
	struct capture cap;
	char sha[65], *ko = fake_module(f, "lp_stall", 1, sha), *p, *last;
	int rc;

	f->transition_ms = wait ? 12000 : 0; /* 0: never, while the sleeper sleeps */
	ctx_new(&c, f, &cap);
	c.conf.stall = wait ? STALL_WAIT : STALL_REVERSE;
	rc = cmd_load(&c, ko, NULL);
	CHECK_HAS(both(&c, &cap), "lp_stall: the transition to the patched state has not finished "
				  "after 5.0 s; 1 task(s) still unpatched:");
	CHECK_HAS(both(&c, &cap), "pid 42 tid 42 (sleeper), kernel stack:");
	CHECK_HAS(both(&c, &cap), "hrtimer_nanosleep+0x9e/0x120");
	CHECK(!strstr(both(&c, &cap), "(busy)"), "patched tasks are not listed");
	p = state_file(f, "last");
	last = slurp(p);
	if (wait) {
		CHECK(rc == 0, "policy wait: applied in the end: %d", rc);
		CHECK_HAS(both(&c, &cap), "stall policy 'wait': still waiting");
		CHECK_HAS(both(&c, &cap), "lp_stall: applied; the kernel took 12.0 s");
		CHECK_HAS(last, "result=applied");
	} else {
		CHECK(rc == LPB_EXIT_STALLED, "policy reverse: exit %d", rc);
		CHECK_HAS(both(&c, &cap), "stall policy 'reverse': disabling it");
		CHECK_HAS(both(&c, &cap), "reversed, lp_stall is not applied and removed");
		CHECK(f->removes == 1, "module removed");
		CHECK_HAS(last, "result=stalled");
		CHECK_HAS(last, "stalled_task=42 sleeper [<0>] do_nanosleep");
		free(p);
		p = state_file(f, "marker");
		CHECK(!exists(p), "marker cleared");
		/* a stall is no bug: the patch may be tried again */
		free(p);
		p = state_file(f, "locks");
		struct strv locks = { 0 };

		store_list_locks(&c, NULL, &locks);
		CHECK(locks.n == 0, "not locked out");
		strv_free(&locks);
	}
	free(last);
	free(p);
	ctx_done(&c, &cap);
	free(ko);
	fake_free(f);
}

/* The reverse of a stalled transition that the kernel is slow to finish
 * (RCU grace periods on a busy or emulated machine: 18 s seen on 6.12
 * under TCG) although no task is left patched: lpctl waits for it rather
 * than calling the reverse stalled; with a task left, it is stalled. */
void test_apply_reverse_finishing(bool task_left)
{
	struct fake *f = fake_new(task_left ? "reverse-stuck" : "reverse-finishing");
	struct lpctl c;
	struct capture cap;
	char sha[65], *ko = fake_module(f, "lp_slow", 1, sha);
	int rc;

	f->transition_ms = 0; /* the sleeper keeps the forward one from ending */
	f->disable_ms = 9000; /* the timeout is 5 s */
	if (!task_left)
		set_file(f, "-1\n", "/proc/43/task/43/patch_state%s", "");
	ctx_new(&c, f, &cap);
	c.conf.stall = STALL_REVERSE;
	rc = cmd_load(&c, ko, NULL);
	CHECK(rc == LPB_EXIT_STALLED, "reverse: exit %d", rc);
	CHECK_HAS(both(&c, &cap), "stall policy 'reverse': disabling it");
	if (task_left) {
		CHECK(!strstr(both(&c, &cap), "every task is in the unpatched state"),
		      "a task left patched is not waited for");
		CHECK_HAS(both(&c, &cap), "the reverse transition has not finished");
		CHECK_HAS(both(&c, &cap), "pid 43 tid 43 (busy)");
	} else {
		CHECK_HAS(both(&c, &cap), "lp_slow: every task is in the unpatched state after 5.0 s; "
					  "waiting for the kernel to finish the transition");
		CHECK_HAS(both(&c, &cap), "reversed, lp_slow is not applied and removed");
		CHECK(f->removes == 1, "module removed");
	}
	ctx_done(&c, &cap);
	free(ko);
	fake_free(f);
}

static void write_marker(struct fake *f, const char *name, const char *sha, const char *boot,
			 const char *seq)
{
	struct kvfile m = { .kind = xstrdup("marker") };
	char *p = state_file(f, "marker");

	kv_set(&m, "name", name);
	kv_set(&m, "sha256", sha);
	kv_set(&m, "boot_id", boot);
	kv_set(&m, "started_at", "2026-01-01T00:00:00Z");
	kv_set(&m, "pid", "4242");
	kv_set(&m, "kmsg_seq", seq);
	CHECK(!kvfile_write(p, &m), "marker written");
	kvfile_free(&m);
	free(p);
}

void test_crash_marker(void)
{
	struct fake *f = fake_new("crash");
	struct lpctl c;
	struct capture cap;
	char sha[65], *ko = fake_module(f, "lp_crash", 1, sha), *p, *lock;
	int rc;

	ctx_new(&c, f, &cap);
	CHECK(cmd_install(&c, ko, NULL) == 0, "install");
	set_file(f, "<0>Kernel panic - not syncing: unit crash\n",
		 "/sys/fs/pstore/dmesg-ramoops-%s", "0");
	/* an earlier boot died while applying it */
	write_marker(f, "lp_crash", sha, "boot-1", "0");
	rc = cmd_start(&c);
	CHECK(rc == LPB_EXIT_LOCKED && f->inserts == 0, "start after a crash: %d: %s", rc,
	      both(&c, &cap));
	CHECK_HAS(both(&c, &cap),
		  "the machine went down while lp_crash was being applied "
		  "(boot boot-1, started 2026-01-01T00:00:00Z); locking lp_crash out");
	lock = xasprintf("%s/var/lib/lpctl/" RELEASE "/locks/lp_crash@%.16s.lock", f->root, sha);
	char *text = slurp(lock);

	CHECK_HAS(text, "trace=<0>Kernel panic - not syncing: unit crash");
	CHECK_HAS(text, "trace=pstore ");
	free(text);
	p = state_file(f, "marker");
	CHECK(!exists(p), "marker consumed");
	free(p);
	rc = cmd_start(&c);
	CHECK(rc == LPB_EXIT_LOCKED && f->inserts == 0, "still locked at the next start");

	/* this boot, interrupted, the log clean since: not locked */
	CHECK(cmd_unlock(&c, "lp_crash") == 0, "unlock");
	p = rp(f, "/dev/kmsg");
	put(p,
	    "4,5,0,-;WARNING: CPU: 0 PID: 1 at old.c:1 before+0x0/0x1\n6,9,0,-;lpctl: inserting\n");
	write_marker(f, "lp_crash", sha, "boot-2", "9");
	rc = cmd_start(&c);
	CHECK(rc == 0 && f->inserts == 1, "interrupted run in this boot, clean log: applied: %s",
	      both(&c, &cap));
	CHECK_HAS(both(&c, &cap), "stopped while applying lp_crash in this boot; the kernel log "
				  "since shows no trouble; not locking it out");

	/* this boot, interrupted, trouble logged since its insertion: locked */
	CHECK(cmd_unload(&c, "lp_crash") == 0, "unload");
	f->name[0] = 0;
	append(p, "4,12,0,-;BUG: unable to handle page fault for address: 0\n");
	write_marker(f, "lp_crash", sha, "boot-2", "9");
	rc = cmd_start(&c);
	CHECK(rc == LPB_EXIT_LOCKED && f->inserts == 1, "interrupted run, trouble since: %d", rc);
	CHECK_HAS(both(&c, &cap), "the kernel log since shows trouble (kernel BUG): BUG: unable");

	/* a damaged marker locks the installed patch out */
	CHECK(cmd_unlock(&c, "lp_crash") == 0, "unlock");
	free(p);
	p = state_file(f, "marker");
	put(p, "# lpctl marker v1\nname=lp_cr");
	rc = cmd_start(&c);
	CHECK(rc == LPB_EXIT_LOCKED && f->inserts == 1, "damaged marker: %d", rc);
	CHECK_HAS(both(&c, &cap), "the crash marker was damaged");
	free(p);
	free(lock);
	ctx_done(&c, &cap);
	free(ko);
	fake_free(f);
}

void test_insert_fails(void)
{
	struct fake *f = fake_new("insert-fails");
	struct lpctl c;
	struct capture cap;
	char sha[65], *ko = fake_module(f, "lp_ins", 1, sha), *p;
	int rc;

	f->insert_err = -ENOKEY;
	ctx_new(&c, f, &cap);
	rc = cmd_load(&c, ko, NULL);
	CHECK(rc == LPB_EXIT_ERROR, "refused by the kernel: %d", rc);
	CHECK_HAS(both(&c, &cap), "the kernel refused lp_ins: the kernel does not trust the "
				  "module's signing key");
	p = state_file(f, "marker");
	CHECK(!exists(p), "marker removed");
	free(p);
	struct strv locks = { 0 };

	store_list_locks(&c, NULL, &locks);
	CHECK(locks.n == 0, "a refusal is no kernel bug");
	strv_free(&locks);

	/* a name already loaded is refused before insertion */
	f->insert_err = 0;
	p = rp(f, "/sys/module/lp_ins");
	mkdir_p(p, 0755);
	rc = cmd_load(&c, ko, NULL);
	CHECK(rc == LPB_EXIT_ERROR && f->inserts == 0, "name in use: %d", rc);
	CHECK_HAS(both(&c, &cap), "a module named lp_ins is already loaded");
	free(p);
	ctx_done(&c, &cap);
	free(ko);
	fake_free(f);
}

/* SIGTERM while the patch settles: no crash, so no marker is left */
void test_stopped(void)
{
	struct fake *f = fake_new("stopped");
	struct lpctl c;
	struct capture cap;
	char sha[65], *ko = fake_module(f, "lp_stop", 1, sha), *p, *last;
	int rc;

	f->stop_at = f->now + 4000;
	ctx_new(&c, f, &cap);
	rc = cmd_load(&c, ko, NULL);
	lpctl_request_stop(false);
	CHECK(rc == LPB_EXIT_ERROR, "stopped: exit %d", rc);
	CHECK_HAS(both(&c, &cap), "lp_stop: lpctl was stopped before it settled; lp_stop stays "
				  "loaded, not watched to the end");
	p = state_file(f, "marker");
	CHECK(!exists(p), "no crash marker left behind");
	free(p);
	p = state_file(f, "last");
	last = slurp(p);
	CHECK_HAS(last, "result=interrupted");
	free(last);
	free(p);
	f->name[0] = 0;
	rc = cmd_start(&c);
	CHECK(rc == 0 && f->inserts == 1, "the next start finds it loaded, nothing locked: %d", rc);
	ctx_done(&c, &cap);
	free(ko);
	fake_free(f);
}

/* Fixtures for tests/cli.sh, which runs the lpctl program itself: a fake
 * root with the trusted key, a good module and an unsigned one. */
void make_cli_fixtures(void)
{
	struct fake *f = fake_new("cli");
	struct modspec m = { .name = "lp_cli_unsigned", .livepatch = true, .replace = 1 };
	char sha[65], *ko = fake_module(f, "lp_cli", 1, sha), *u = rp(f, "/lp_cli_unsigned.ko");

	make_module(u, &m, NULL, sha);
	free(u);
	free(ko);
	fake_free(f);
}

void test_damaged_state(void)
{
	struct fake *f = fake_new("damaged");
	struct lpctl c;
	struct capture cap;
	char sha[65], *ko = fake_module(f, "lp_dmg", 1, sha), *p, *text;
	int rc;

	ctx_new(&c, f, &cap);
	CHECK(cmd_install(&c, ko, NULL) == 0, "install");
	p = state_file(f, "installed");
	text = slurp(p);
	text[strlen(text) / 2] = 0; /* half-written */
	put(p, text);
	rc = cmd_start(&c);
	CHECK(rc == LPB_EXIT_ERROR && f->inserts == 0, "damaged state not trusted: %d", rc);
	CHECK_HAS(both(&c, &cap),
		  "/installed is damaged (incomplete: does not end with a full line)");
	rc = cmd_status(&c, false);
	CHECK(rc == LPB_EXIT_ERROR, "status reports it");
	CHECK_HAS(both(&c, &cap), "PROBLEM:");
	free(text);

	/* the stored module changed behind lpctl's back */
	CHECK(cmd_install(&c, ko, NULL) == 0, "install again");
	free(p);
	p = state_file(f, "patches/lp_dmg.ko");
	text = slurp(p);
	text[200] ^= 1;
	put(p, text);
	rc = cmd_start(&c);
	CHECK(rc == LPB_EXIT_VERIFY && f->inserts == 0, "changed stored module refused: %d", rc);
	free(text);
	free(p);
	ctx_done(&c, &cap);
	free(ko);
	fake_free(f);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: unit-test WORKDIR\n");
		return 2;
	}
	work = argv[1];
	alarm(300); /* a hang is a failure, never a stuck test run */
	rm_rf(work);
	mkdir_p(work, 0755);
	trusted = make_key("trusted", "unit trusted key", 1);
	untrusted = make_key("untrusted", "unit untrusted key", 1234);

	test_kvfile();
	test_json();
	test_kmsg();
	test_verify();
	test_conf();
	test_lock();
	test_apply_good();
	test_apply_replace();
	test_apply_bug();
	test_apply_stall(false);
	test_apply_stall(true);
	test_apply_reverse_finishing(false);
	test_apply_reverse_finishing(true);
	test_crash_marker();
	test_insert_fails();
	test_damaged_state();
	test_stopped();
	test_update();
	test_fuzzed();
	make_cli_fixtures();
	make_update_fixtures();

	printf("lpctl unit tests: %d checks, %d failed\n", checks, failures);
	return failures ? 1 : 0;
}
