// SPDX-License-Identifier: GPL-2.0-only
/* Applying a patch under watch. The order matters: the kernel log is open
 * and the crash marker is on disk before finit_module(2) runs, so neither a
 * warning during the insertion nor a crash right after it goes unnoticed. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apply.h"
#include "klp.h"
#include "kmsg.h"
#include "store.h"

#define POLL_MS 100
#define TRACE_GRACE_MS 2000 /* how long a started kernel report may take to finish */
#define MAX_STACKS 16 /* stalled tasks whose stacks are shown */
#define FINISHING_MAX_MS 120000 /* how long a transition with no task left may finish */
#define PSTORE_LINES 200 /* last lines kept of each pstore record */

enum transition_end {
	TR_DONE, /* reached the target state */
	TR_BUG, /* the kernel log showed trouble */
	TR_GONE, /* the patch left the expected path (vanished, re-enabled) */
	TR_STALLED, /* timed out: the policy says act */
	TR_STOPPED, /* lpctl was asked to stop (SIGTERM...) */
};

static uint64_t now(struct lpctl *c)
{
	return c->ops->now_ms(c->ops->ctx);
}

static void nap(struct lpctl *c)
{
	c->ops->sleep_ms(c->ops->ctx, POLL_MS);
}

static char *secs(uint64_t ms)
{
	return xasprintf("%llu.%llu s", (unsigned long long)(ms / 1000),
			 (unsigned long long)(ms % 1000 / 100));
}

/* ---- the outcome record (STATE/<release>/last) ---- */

static void write_last(struct lpctl *c, const struct verified *v, const char *result,
		       const char *message, uint64_t transition_ms, const struct strv *replaced,
		       const struct strv *stalled)
{
	struct kvfile f = { .kind = xstrdup("last") };
	char at[32], *path = store_path(c, "last");
	int ret;

	utc_now(at, sizeof(at));
	kv_set(&f, "name", v->mi.name);
	kv_set(&f, "sha256", v->sha256);
	kv_set(&f, "patch_version", v->mi.patch_version ? v->mi.patch_version : "");
	kv_set(&f, "result", result);
	kv_set(&f, "message", message ? message : "");
	kv_set(&f, "at", at);
	kv_set(&f, "boot_id", c->boot_id);
	if (transition_ms)
		kv_setf(&f, "transition_ms", "%llu", (unsigned long long)transition_ms);
	for (size_t i = 0; replaced && i < replaced->n; i++)
		kv_add(&f, "replaced", replaced->v[i]);
	for (size_t i = 0; stalled && i < stalled->n; i++)
		kv_add(&f, "stalled_task", stalled->v[i]);
	ret = kvfile_write(path, &f);
	if (ret)
		lpctl_errf(c, "cannot write %s: %s", path, strerror(-ret));
	free(path);
	kvfile_free(&f);
}

/* ---- crash marker ---- */

static int write_marker(struct lpctl *c, const struct verified *v, uint64_t kmsg_seq)
{
	struct kvfile f = { .kind = xstrdup("marker") };
	char at[32], *path = store_path(c, "marker");
	int ret;

	utc_now(at, sizeof(at));
	kv_set(&f, "name", v->mi.name);
	kv_set(&f, "sha256", v->sha256);
	kv_set(&f, "patch_version", v->mi.patch_version ? v->mi.patch_version : "");
	kv_set(&f, "boot_id", c->boot_id);
	kv_set(&f, "started_at", at);
	kv_setf(&f, "pid", "%d", (int)getpid());
	kv_setf(&f, "kmsg_seq", "%llu", (unsigned long long)kmsg_seq);
	ret = kvfile_write(path, &f);
	/*
	 * What follows may take the machine down: the marker, and the state
	 * around it, must be on disk as a whole, whatever the file system.
	 */
	if (!ret)
		ret = sync_fs_of(c->rel_dir);
	if (ret)
		lpctl_errf(c, "cannot write the crash marker %s: %s; nothing inserted", path,
			   strerror(-ret));
	free(path);
	kvfile_free(&f);
	return ret;
}

static void clear_marker(struct lpctl *c)
{
	char *path = store_path(c, "marker");
	int ret = unlink_durable(path);

	if (ret)
		lpctl_errf(c, "cannot remove the crash marker %s: %s", path, strerror(-ret));
	free(path);
}

/* pstore's records (the previous boot's last kernel messages), if mounted. */
static void add_pstore(struct lpctl *c, struct strv *trace)
{
	DIR *d = opendir(c->pstore);
	struct dirent *e;
	size_t found = 0;

	while (d && (e = readdir(d))) {
		char *p;
		uint8_t *data;
		size_t len, nl = 0;

		if (e->d_name[0] == '.')
			continue;
		p = xasprintf("%s/%s", c->pstore, e->d_name);
		if (!read_path(p, 4 << 20, &data, &len)) {
			char *s = (char *)data, *line;

			found++;
			strv_addf(trace, "pstore %s:", p);
			for (size_t i = 0; i < len; i++)
				nl += s[i] == '\n';
			/* keep the end: that is where the crash is */
			for (line = s; nl > PSTORE_LINES; nl--)
				line = strchr(line, '\n') + 1;
			for (char *next; line && *line; line = next) {
				next = strchr(line, '\n');
				if (next)
					*next++ = 0;
				strv_add(trace, line);
			}
			free(data);
		}
		free(p);
	}
	if (d)
		closedir(d);
	if (!found)
		strv_addf(trace, "no pstore records (%s is not mounted or empty)", c->pstore);
}

int apply_check_marker(struct lpctl *c)
{
	char *path = store_path(c, "marker");
	const char *name, *sha, *boot;
	struct kvfile m, inst = { 0 };
	struct strv trace = { 0 };
	char why[200], *reason = NULL;
	int ret = kvfile_read(path, &m, why, sizeof(why)), out = 0;

	if (ret == -ENOENT)
		goto done;
	if (ret) {
		/* which patch it named is unknown: the installed one is the candidate */
		char *ipath = store_path(c, "installed"), iwhy[160];

		if (kvfile_read(ipath, &inst, iwhy, sizeof(iwhy)) == 0) {
			name = kv_get(&inst, "name");
			sha = kv_get(&inst, "sha256");
		} else {
			name = sha = NULL;
		}
		free(ipath);
		lpctl_errf(c, "the crash marker %s is damaged (%s)", path, why);
		if (name && sha) {
			reason =
				xasprintf("the crash marker was damaged (%s): the machine may have "
					  "gone down while applying %s",
					  why, name);
			add_pstore(c, &trace);
			goto lock;
		}
		goto remove;
	}
	name = kv_get(&m, "name");
	sha = kv_get(&m, "sha256");
	boot = kv_get(&m, "boot_id");
	if (!name || !sha || !valid_module_name(name)) {
		lpctl_errf(c, "the crash marker %s names no patch; removing it", path);
		goto remove;
	}
	if (!boot || strcmp(boot, c->boot_id)) {
		reason = xasprintf("the machine went down while %s was being applied (boot %s, "
				   "started %s)",
				   name, boot ? boot : "?",
				   kv_get(&m, "started_at") ? kv_get(&m, "started_at") : "?");
		add_pstore(c, &trace);
		goto lock;
	}

	/* this boot: an lpctl run stopped before the patch settled */
	struct kmsg_watch w;
	unsigned long long seq =
		strtoull(kv_get(&m, "kmsg_seq") ? kv_get(&m, "kmsg_seq") : "0", NULL, 10);

	bool checked = seq && !kmsg_scan_since(&w, c->kmsg, seq);

	if (checked && w.hit) {
		reason =
			xasprintf("an lpctl run (pid %s) stopped while applying %s, and the kernel "
				  "log since shows trouble (%s): %s",
				  kv_get(&m, "pid"), name, w.hit_what, w.hit_line);
		for (size_t i = 0; i < w.trace.n; i++)
			strv_add(&trace, w.trace.v[i]);
		kmsg_watch_close(&w);
		goto lock;
	}
	if (seq)
		kmsg_watch_close(&w);
	lpctl_errf(c,
		   "an lpctl run (pid %s) stopped while applying %s in this boot; the kernel "
		   "log since %s; not locking it out",
		   kv_get(&m, "pid"), name, checked ? "shows no trouble" : "could not be checked");
	goto remove;
lock:
	lpctl_errf(c, "%s; locking %s out", reason, name);
	ret = store_write_lock(c, name, sha, kv_get(&m, "patch_version"), reason, &trace);
	if (ret) {
		lpctl_errf(c, "cannot write the lock file for %s: %s", name, strerror(-ret));
		out = LPB_EXIT_ERROR;
		goto done; /* keep the marker: it still says what happened */
	}
remove:
	clear_marker(c);
done:
	free(reason);
	strv_free(&trace);
	kvfile_free(&m);
	kvfile_free(&inst);
	free(path);
	return out;
}

/* ---- transitions ---- */

/* The tasks holding up @name's transition to @target, on stderr (and in
 * @record as "PID COMM" lines, when not NULL). */
static void report_stall(struct lpctl *c, const char *name, int target, uint64_t waited,
			 struct strv *record)
{
	struct stalled_task *t;
	size_t nr = 0;
	char *w = secs(waited);

	klp_stalled_tasks(c->procfs, target, MAX_STACKS, &t, &nr);
	lpctl_errf(c,
		   "%s: the transition to the %s state has not finished after %s; %zu task(s) "
		   "still %s:",
		   name, target ? "patched" : "unpatched", w, nr, target ? "unpatched" : "patched");
	for (size_t i = 0; i < nr; i++) {
		fprintf(c->err, "  pid %d tid %d (%s)%s\n", t[i].pid, t[i].tid, t[i].comm,
			t[i].stack ? ", kernel stack:" : "");
		for (char *s = t[i].stack, *nl; s && *s; s = nl) {
			nl = strchr(s, '\n');
			fprintf(c->err, "      %.*s\n", nl ? (int)(nl - s) : (int)strlen(s), s);
			nl = nl ? nl + 1 : NULL;
		}
		if (record) {
			char *first =
				t[i].stack ? strndup(t[i].stack, strcspn(t[i].stack, "\n")) : NULL;

			strv_addf(record, "%d %s%s%s", t[i].tid, t[i].comm, first ? " " : "",
				  first ? first : "");
			free(first);
		}
	}
	fflush(c->err);
	klp_free_tasks(t, nr);
	free(w);
}

/*
 * Wait until patch @name reaches @target (1: enabled with no transition,
 * 0: gone from sysfs). @w (may be NULL) is polled for trouble. With
 * @policy, a timeout reports the stalled tasks and either returns
 * TR_STALLED (reverse) or keeps waiting (wait); without, it returns
 * TR_STALLED at the first timeout. A timeout with no task left in the other
 * state waits on instead, up to FINISHING_MAX_MS after @t0.
 */
/* Whether no task shown in /proc is still in the other state: the kernel
 * then only has to notice (it retries each second) and finish (RCU grace
 * periods, slow on a busy or emulated machine), which is no stall. */
static bool no_task_left(struct lpctl *c, int target)
{
	struct stalled_task *t;
	size_t nr = 0;

	if (klp_stalled_tasks(c->procfs, target, 0, &t, &nr))
		return false;
	klp_free_tasks(t, nr);
	return nr == 0;
}

static enum transition_end watch_transition(struct lpctl *c, const char *name, int target,
					    struct kmsg_watch *w, uint64_t t0, bool policy,
					    struct strv *stalled)
{
	uint64_t deadline = t0 + (uint64_t)c->conf.timeout_s * 1000;
	bool finishing = false;
	struct klp_state st;

	for (;;) {
		if (w && (kmsg_watch_poll(w) || w->hit))
			return TR_BUG;
		if (lpctl_stop_requested())
			return TR_STOPPED;
		klp_read(c->sysfs, name, &st);
		if (target) {
			if (!st.present)
				return TR_GONE;
			if (st.enabled == 1 && st.transition == 0)
				return TR_DONE;
		} else {
			if (!st.present)
				return TR_DONE;
			if (st.enabled == 1 && st.transition == 0)
				return TR_GONE;
		}
		if (now(c) >= deadline && now(c) - t0 < FINISHING_MAX_MS &&
		    no_task_left(c, target)) {
			if (!finishing)
				lpctl_msg(c,
					  "%s: every task is in the %s state after %.1f s; waiting for "
					  "the kernel to finish the transition",
					  name, target ? "patched" : "unpatched",
					  (double)(now(c) - t0) / 1000);
			finishing = true;
			deadline = now(c) + (uint64_t)c->conf.timeout_s * 1000;
		}
		if (now(c) >= deadline) {
			if (policy)
				report_stall(c, name, target, now(c) - t0, stalled);
			if (!policy || c->conf.stall == STALL_REVERSE)
				return TR_STALLED;
			lpctl_errf(c,
				   "%s: stall policy 'wait': still waiting (the kernel keeps "
				   "retrying and signals the remaining tasks)",
				   name);
			deadline = now(c) + (uint64_t)c->conf.timeout_s * 1000;
		}
		nap(c);
	}
}

int apply_remove_module(struct lpctl *c, const char *name, unsigned int secs_max)
{
	uint64_t end = now(c) + (uint64_t)secs_max * 1000;
	int ret;

	/* the kernel drops a disabled patch's module reference asynchronously */
	while ((ret = c->ops->remove(c->ops->ctx, name)) == -EAGAIN || ret == -EBUSY ||
	       ret == -EWOULDBLOCK) {
		if (now(c) >= end)
			break;
		nap(c);
	}
	return ret == -ENOENT ? 0 : ret;
}

/* Take @name off after trouble: disable, wait for the kernel to drop it,
 * remove the module. Reports what could not be done. */
static void take_off(struct lpctl *c, const char *name)
{
	enum transition_end end;
	struct klp_state st;
	int ret;

	klp_read(c->sysfs, name, &st);
	if (st.present) {
		if (st.enabled == 1 && (ret = klp_write_enabled(c->sysfs, name, 0))) {
			lpctl_errf(c, "%s: cannot disable it: %s", name, strerror(-ret));
			return;
		}
		end = watch_transition(c, name, 0, NULL, now(c), false, NULL);
		if (end != TR_DONE) {
			if (end == TR_STALLED)
				report_stall(c, name, 0, (uint64_t)c->conf.timeout_s * 1000, NULL);
			lpctl_errf(
				c,
				"%s: still disabling; the kernel keeps trying (see lpctl status)",
				name);
			return;
		}
	}
	ret = apply_remove_module(c, name, 10);
	if (ret)
		lpctl_errf(c, "%s: disabled, but the module cannot be removed: %s", name,
			   strerror(-ret));
	else
		lpctl_msg(c, "%s: disabled and removed", name);
}

/* Let a kernel report finish, lock the patch out with it, take it off. */
static int on_bug(struct lpctl *c, const struct verified *v, struct kmsg_watch *w, bool inserted)
{
	const char *name = v->mi.name;
	uint64_t end = now(c) + TRACE_GRACE_MS;
	char *reason, *lock;
	int ret;

	while (!w->trace_ended && now(c) < end) {
		nap(c);
		kmsg_watch_poll(w);
	}
	reason = xasprintf("%s a kernel bug (%s): %s",
			   inserted ? "inserted but caused" : "its insertion failed with",
			   w->hit_what, w->hit_line);
	lock = store_lock_path(c, name, v->sha256);
	ret = store_write_lock(c, name, v->sha256, v->mi.patch_version, reason, &w->trace);
	lpctl_errf(c, "%s was %s", name, reason);
	if (ret)
		lpctl_errf(c, "cannot write the lock file %s: %s", lock, strerror(-ret));
	else
		lpctl_errf(c, "%s is locked out: %s holds the trace; 'lpctl unlock %s' clears it",
			   name, lock, name);
	if (inserted && !c->conf.keep_on_bug)
		take_off(c, name);
	else if (inserted)
		lpctl_errf(c, "%s stays loaded (on_bug=keep)", name);
	write_last(c, v, "kernel-bug", reason, 0, NULL, NULL);
	/* the lock file supersedes the marker; without one keep the marker */
	if (!ret)
		clear_marker(c);
	free(lock);
	free(reason);
	return LPB_EXIT_KERNEL_BUG;
}

/* Asked to stop while watching: the machine did not crash, so the marker
 * goes; the patch stays as it is, unwatched, and the outcome says so. */
static int stopped(struct lpctl *c, const struct verified *v, const char *when)
{
	char *msg = xasprintf("lpctl was stopped %s; %s stays loaded, not watched to the end", when,
			      v->mi.name);

	lpctl_errf(c, "%s: %s", v->mi.name, msg);
	write_last(c, v, "interrupted", msg, 0, NULL, NULL);
	clear_marker(c);
	free(msg);
	return LPB_EXIT_ERROR;
}

static const char *insert_error(int err)
{
	switch (err) {
	case -EKEYREJECTED:
		return "the kernel rejected the module's signature";
	case -ENOKEY:
		return "the kernel does not trust the module's signing key (not in its keyring)";
	case -EEXIST:
		return "a module of that name is already loaded";
	case -ENOEXEC:
		return "the kernel cannot load it (wrong format or vermagic)";
	default:
		return strerror(-err);
	}
}

/* The patches that were registered before and are gone now that a
 * replacing patch has completed its transition. */
static void collect_replaced(struct lpctl *c, const struct strv *before, struct strv *replaced)
{
	uint64_t end = now(c) + 5000;
	struct klp_state st;

	for (size_t i = 0; i < before->n; i++) {
		/* the kernel frees replaced patches right after the transition */
		while ((klp_read(c->sysfs, before->v[i], &st), st.present) && now(c) < end)
			nap(c);
		if (!st.present)
			strv_add(replaced, before->v[i]);
	}
}

int apply_patch(struct lpctl *c, const char *ko, const struct verified *v)
{
	const char *name = v->mi.name;
	struct strv before = { 0 }, replaced = { 0 }, stalled = { 0 };
	struct kmsg_watch w;
	struct klp_state st;
	enum transition_end end;
	uint64_t t0, took = 0;
	char *note, *s = NULL, *msg = NULL;
	int ret, fd, rc;

	klp_read(c->sysfs, name, &st);
	if (st.present || klp_module_loaded(c->sysfs, name)) {
		lpctl_errf(c,
			   "a module named %s is already loaded (%s); 'lpctl unload %s' first, or "
			   "build the new patch under a new name",
			   name, st.present ? "an active livepatch" : "not an active livepatch",
			   name);
		return LPB_EXIT_ERROR;
	}
	klp_list(c->sysfs, &before);

	ret = kmsg_watch_open(&w, c->kmsg);
	if (ret) {
		lpctl_errf(c, "cannot watch the kernel log %s: %s; nothing inserted", c->kmsg,
			   strerror(-ret));
		strv_free(&before);
		return LPB_EXIT_ERROR;
	}
	note = xasprintf("lpctl: inserting %s version %s (sha256 %.16s)", name,
			 v->mi.patch_version ? v->mi.patch_version : "?", v->sha256);
	kmsg_write(c->kmsg, note); /* best effort: marks where the watch starts */
	free(note);
	kmsg_watch_poll(&w);
	if (w.hit) {
		/* trouble unrelated to us, before insertion: do not blame the patch */
		lpctl_errf(c,
			   "the kernel reported trouble just before insertion (%s): %s; nothing "
			   "inserted",
			   w.hit_what, w.hit_line);
		rc = LPB_EXIT_ERROR;
		goto out;
	}
	if (write_marker(c, v, w.first_seq)) {
		rc = LPB_EXIT_ERROR;
		goto out;
	}

	fd = open(ko, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		lpctl_errf(c, "cannot open %s: %s", ko, strerror(errno));
		clear_marker(c);
		rc = LPB_EXIT_ERROR;
		goto out;
	}
	t0 = now(c);
	ret = c->ops->insert(c->ops->ctx, fd, name);
	close(fd);
	if (ret) {
		kmsg_watch_poll(&w);
		if (w.hit && strcmp(w.hit_what, KMSG_LIVEPATCH_ERROR)) {
			rc = on_bug(c, v, &w, false);
			goto out;
		}
		msg = xasprintf("the kernel refused %s: %s%s%s", name, insert_error(ret),
				w.hit ? "; kernel log: " : "", w.hit ? w.hit_line : "");
		lpctl_errf(c, "%s", msg);
		write_last(c, v, "insert-failed", msg, 0, NULL, NULL);
		clear_marker(c);
		rc = LPB_EXIT_ERROR;
		goto out;
	}
	lpctl_msg(c,
		  "%s: inserted version %s; waiting for the transition (timeout %u s, stall "
		  "policy %s)",
		  name, v->mi.patch_version ? v->mi.patch_version : "?", c->conf.timeout_s,
		  lpctl_policy_name(c->conf.stall));

	end = watch_transition(c, name, 1, &w, t0, true, &stalled);
	if (end == TR_BUG) {
		rc = on_bug(c, v, &w, true);
		goto out;
	}
	if (end == TR_STOPPED) {
		rc = stopped(c, v, "during its transition");
		goto out;
	}
	if (end == TR_GONE) {
		msg = xasprintf("%s left the kernel during its transition (disabled by someone "
				"else?)",
				name);
		lpctl_errf(c, "%s", msg);
		write_last(c, v, "vanished", msg, 0, NULL, NULL);
		clear_marker(c);
		rc = LPB_EXIT_ERROR;
		goto out;
	}
	if (end == TR_STALLED) {
		lpctl_errf(c,
			   "%s: stall policy 'reverse': disabling it, the kernel moves the tasks "
			   "back to the unpatched code",
			   name);
		ret = klp_write_enabled(c->sysfs, name, 0);
		if (ret)
			lpctl_errf(c, "%s: cannot disable it: %s", name, strerror(-ret));
		end = ret ? TR_STALLED : watch_transition(c, name, 0, &w, now(c), false, NULL);
		if (end == TR_BUG) {
			rc = on_bug(c, v, &w, true);
			goto out;
		}
		if (end == TR_DONE) {
			ret = apply_remove_module(c, name, 10);
			msg = xasprintf("transition stalled; reversed, %s is not applied%s", name,
					ret ? " (its module could not be removed)" :
					      " and removed");
		} else {
			if (end == TR_STALLED)
				report_stall(c, name, 0, (uint64_t)c->conf.timeout_s * 1000, NULL);
			msg = xasprintf(
				"transition stalled; the reverse transition has not finished, "
				"the kernel keeps trying (see lpctl status)");
		}
		lpctl_errf(c, "%s: %s", name, msg);
		write_last(c, v, "stalled", msg, 0, NULL, &stalled);
		clear_marker(c);
		rc = LPB_EXIT_STALLED;
		goto out;
	}

	took = now(c) - t0;
	if (v->mi.replace == 1)
		collect_replaced(c, &before, &replaced);
	s = secs(took);
	lpctl_msg(c, "%s: applied; the kernel took %s", name, s);
	for (size_t i = 0; i < replaced.n; i++) {
		ret = apply_remove_module(c, replaced.v[i], 10);
		lpctl_msg(c, "%s: replaced %s (%s)", name, replaced.v[i],
			  ret ? "its module could not be removed" : "its module was removed");
	}

	/* settle: the patched code runs now; watch it for a while */
	lpctl_msg(c, "%s: watching the kernel log for %u s", name, c->conf.settle_s);
	for (uint64_t settle_end = now(c) + (uint64_t)c->conf.settle_s * 1000;
	     now(c) < settle_end;) {
		if (kmsg_watch_poll(&w) || w.hit) {
			rc = on_bug(c, v, &w, true);
			goto out;
		}
		if (lpctl_stop_requested()) {
			rc = stopped(c, v, "before it settled");
			goto out;
		}
		nap(c);
	}
	if (kmsg_watch_poll(&w) || w.hit) {
		rc = on_bug(c, v, &w, true);
		goto out;
	}
	msg = xasprintf("applied in %s%s", s, replaced.n ? ", replacing earlier patches" : "");
	write_last(c, v, "applied", msg, took, &replaced, NULL);
	clear_marker(c);
	lpctl_msg(c, "%s: settled: no kernel trouble in %u s", name, c->conf.settle_s);
	rc = LPB_EXIT_OK;
out:
	kmsg_watch_close(&w);
	strv_free(&before);
	strv_free(&replaced);
	strv_free(&stalled);
	free(msg);
	free(s);
	return rc;
}

int apply_disable(struct lpctl *c, const char *name)
{
	struct klp_state st;
	enum transition_end end;
	uint64_t t0;
	char *s;
	int ret;

	klp_read(c->sysfs, name, &st);
	if (!st.present) {
		lpctl_msg(c, "%s: not an active livepatch%s", name,
			  klp_module_loaded(c->sysfs, name) ? " (its module is still loaded)" : "");
		return LPB_EXIT_OK;
	}
	if (st.enabled == 0) {
		lpctl_msg(c, "%s: already being disabled; waiting", name);
	} else {
		ret = klp_write_enabled(c->sysfs, name, 0);
		if (ret) {
			lpctl_errf(c, "%s: cannot disable it: %s", name, strerror(-ret));
			return LPB_EXIT_ERROR;
		}
	}
	t0 = now(c);
	end = watch_transition(c, name, 0, NULL, t0, true, NULL);
	if (end == TR_DONE) {
		s = secs(now(c) - t0);
		lpctl_msg(c, "%s: disabled; the kernel took %s", name, s);
		free(s);
		return LPB_EXIT_OK;
	}
	if (end == TR_GONE) {
		lpctl_errf(c, "%s: enabled again by someone else while being disabled", name);
		return LPB_EXIT_ERROR;
	}
	if (end == TR_STOPPED) {
		lpctl_errf(c, "%s: lpctl was stopped; the kernel goes on disabling it", name);
		return LPB_EXIT_ERROR;
	}
	/* stalled, policy reverse: back to the patched state the system had */
	lpctl_errf(c,
		   "%s: stall policy 'reverse': enabling it again, the kernel moves the tasks "
		   "back to the patched code",
		   name);
	ret = klp_write_enabled(c->sysfs, name, 1);
	if (!ret && watch_transition(c, name, 1, NULL, now(c), false, NULL) == TR_DONE)
		lpctl_errf(c, "%s: disabling stalled; it stays enabled", name);
	else
		lpctl_errf(c,
			   "%s: disabling stalled, and so does going back; the kernel keeps "
			   "trying (see lpctl status)",
			   name);
	return LPB_EXIT_STALLED;
}
