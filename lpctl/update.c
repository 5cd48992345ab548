// SPDX-License-Identifier: GPL-2.0-only
/* lpctl update: subscribe to a patch repository (doc/patch-repository.md).
 * Fetch and verify the signed index, pick this kernel's patch by phased
 * rollout, take revoked patches off, install and apply through the same
 * verified path as `lpctl load`. Failures never remove a working patch. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apply.h"
#include "cmd.h"
#include "fetch.h"
#include "klp.h"
#include "repo-index.h"
#include "store.h"
#include "trust.h"
#include "verify.h"

#define SIG_MAX (1u << 20)
#define MANIFEST_MAX (16u << 20)
#define MODULE_MAX (256u << 20)

struct update {
	struct lpctl *c;
	const char *url;
	const char *download_dir; /* --download-only */
	bool install_only;
	struct fetch f;
	struct repo_index idx;
	bool have_idx;
	struct kvfile prev; /* STATE/update as this run found it */
	bool have_prev;
	const struct repo_kernel *k; /* this kernel's entry */
	const struct repo_patch *pick; /* what this machine takes */
	const struct repo_patch *newest; /* the newest it could take */
	unsigned int bucket; /* its phased-rollout bucket for newest */
	char *result, *message; /* for STATE/update and status */
};

static void outcome(struct update *u, const char *result, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void outcome(struct update *u, const char *result, const char *fmt, ...)
{
	va_list ap;

	free(u->result);
	free(u->message);
	u->result = xstrdup(result);
	va_start(ap, fmt);
	if (vasprintf(&u->message, fmt, ap) < 0)
		u->message = xstrdup(result);
	va_end(ap);
}

static char *record_path(const struct lpctl *c)
{
	return xasprintf("%s/update", c->state_dir);
}

static void read_prev(struct update *u)
{
	char *p = record_path(u->c), why[200];

	u->have_prev = !kvfile_read(p, &u->prev, why, sizeof(why));
	free(p);
}

/* STATE/update: what status shows. What an error did not learn is kept. */
static void write_record(struct update *u)
{
	struct kvfile f = { .kind = xstrdup("update") };
	bool ok = strcmp(u->result, "error") && strcmp(u->result, "refused");
	char at[32], *p = record_path(u->c);
	const char *keep[] = { "repository_id", "serial", "published" };
	int ret;

	utc_now(at, sizeof(at));
	kv_set(&f, "repository", u->url);
	if (u->have_idx) {
		kv_set(&f, "repository_id", u->idx.repository);
		kv_setf(&f, "serial", "%lld", u->idx.serial);
		kv_set(&f, "published", u->idx.published);
	} else {
		for (size_t i = 0; u->have_prev && i < 3; i++)
			if (kv_get(&u->prev, keep[i]))
				kv_set(&f, keep[i], kv_get(&u->prev, keep[i]));
	}
	kv_set(&f, "kernel", u->c->release);
	kv_set(&f, "checked_at", at);
	kv_set(&f, "result", u->result);
	kv_set(&f, "message", u->message ? u->message : "");
	if (ok)
		kv_set(&f, "last_success_at", at);
	else if (u->have_prev && kv_get(&u->prev, "last_success_at"))
		kv_set(&f, "last_success_at", kv_get(&u->prev, "last_success_at"));
	if (u->newest) {
		kv_setf(&f, "bucket", "%u", u->bucket);
		kv_set(&f, "patch", u->newest->name);
		kv_set(&f, "patch_version", u->newest->patch_version);
		kv_setf(&f, "rollout", "%d", u->newest->rollout);
	}
	ret = kvfile_write(p, &f);
	if (ret)
		lpctl_errf(u->c, "cannot write %s: %s", p, strerror(-ret));
	kvfile_free(&f);
	free(p);
}

/* ---- the index ---- */

static int fetch_index(struct update *u)
{
	struct lpctl *c = u->c;
	struct strv certs = { 0 };
	uint8_t *text = NULL, *sig = NULL;
	size_t len, sig_len;
	char why[1200], sha[SHA256_HEX_LEN + 1], signer[600], *sig_rel = NULL;
	enum sig_status st;
	int ret, rc = LPB_EXIT_ERROR;

	if (fetch_open(&u->f, u->url, c->conf.ca_file, c->conf.allow_http, why, sizeof(why))) {
		outcome(u, "error", "%s", why);
		return LPB_EXIT_ERROR;
	}
	ret = fetch_file(&u->f, REPO_INDEX, REPO_INDEX_MAX, true, &text, &len, why, sizeof(why));
	if (ret) {
		outcome(u, "error", "cannot fetch the index: %s", why);
		goto out;
	}
	sha256_hex(text, len, sha);
	sig_rel = xasprintf("%s/%s.p7s", REPO_SIG_DIR, sha);
	ret = fetch_file(&u->f, sig_rel, SIG_MAX, false, &sig, &sig_len, why, sizeof(why));
	if (ret == -ENOENT) {
		outcome(u, "refused",
			"the index (sha256 %.16s) has no signature (%s): it was changed after "
			"signing, or a mirror is half-updated; not acting on it",
			sha, why);
		rc = LPB_EXIT_VERIFY;
		goto out;
	}
	if (ret) {
		outcome(u, "error", "cannot fetch the index's signature: %s", why);
		goto out;
	}
	ret = trust_list(c->trust_dir, &certs);
	if (ret && ret != -ENOENT) {
		outcome(u, "error", "cannot read the trusted certificates in %s: %s", c->trust_dir,
			strerror(-ret));
		goto out;
	}
	st = trust_verify_detached(text, len, sig, sig_len, "the index", &certs, signer,
				   sizeof(signer), why, sizeof(why));
	if (st != SIG_OK) {
		outcome(u, "refused", "refusing the index of %s: signature check: %s%s%s", u->url,
			why, st == SIG_NO_TRUST ? "; add the repository's certificate to " : "",
			st == SIG_NO_TRUST ? c->trust_dir : "");
		rc = LPB_EXIT_VERIFY;
		goto out;
	}
	if (repo_index_parse((char *)text, len, &u->idx, why, sizeof(why))) {
		outcome(u, "error", "the index of %s is signed but cannot be used: %s", u->url,
			why);
		goto out;
	}
	u->have_idx = true;
	if (c->verbose)
		lpctl_msg(c, "index of %s: serial %lld, published %s, signed by %s", u->url,
			  u->idx.serial, u->idx.published, signer);
	const char *pid = u->have_prev ? kv_get(&u->prev, "repository_id") : NULL;
	long long pserial = pid ? strtoll(kv_get(&u->prev, "serial") ?: "0", NULL, 10) : 0;

	if (pid && !strcmp(pid, u->idx.repository) && u->idx.serial < pserial) {
		outcome(u, "refused",
			"the index of %s is serial %lld (published %s), older than serial %lld "
			"this machine saw before: a stale mirror or a replayed index; not acting "
			"on it",
			u->url, u->idx.serial, u->idx.published, pserial);
		u->have_idx = false; /* remember the newer one */
		rc = LPB_EXIT_VERIFY;
		goto out;
	}
	rc = 0;
out:
	strv_free(&certs);
	free(sig_rel);
	free(sig);
	free(text);
	return rc;
}

/* This kernel's entry and the patch this machine takes; the outcome says
 * why when there is none. */
static void choose(struct update *u)
{
	struct lpctl *c = u->c;
	char *mid = NULL;
	int fixed = c->conf.rollout_bucket;

	u->k = repo_find_kernel(&u->idx, c->release, c->version ? c->version : "");
	if (!u->k) {
		bool other = false;

		for (size_t i = 0; i < u->idx.nr_kernels; i++)
			other |= !strcmp(u->idx.kernels[i].release, c->release);
		if (other)
			outcome(u, "no-patch",
				"the repository has patches for kernel release %s, but for another "
				"build of it (version string), not \"%s\"",
				c->release, c->version ? c->version : "");
		else
			outcome(u, "no-patch", "the repository has no patch for kernel %s",
				c->release);
		return;
	}
	if (fixed < 0) {
		mid = read_line(c->machine_id);
		if (!mid || !*mid) {
			lpctl_errf(
				c,
				"note: no machine id in %s: taking rollout bucket 99, the last "
				"to receive phased patches (rollout_bucket in lpctl.conf sets one)",
				c->machine_id);
			fixed = 99;
		}
	}
	u->pick = repo_select(u->k, mid, u->idx.repository, fixed, &u->newest, &u->bucket);
	free(mid);
	if (!u->newest)
		outcome(u, "no-patch", "the repository has no current patch for kernel %s",
			c->release);
	else if (!u->pick)
		outcome(u, "waiting",
			"%s version %s is rolled out to %d %% of machines; this machine's bucket "
			"is %u, so it waits",
			u->newest->name, u->newest->patch_version, u->newest->rollout, u->bucket);
}

/* ---- downloads ---- */

/* Fetch @rel, check its size and SHA-256 against the index, write it to
 * @path. 0, or an lpb_exit code with the outcome set. */
static int download(struct update *u, const char *rel, size_t max, long long size, const char *sha,
		    const char *path)
{
	uint8_t *data;
	size_t len;
	char why[1200], have[SHA256_HEX_LEN + 1];
	int ret = fetch_file(&u->f, rel, max, false, &data, &len, why, sizeof(why));

	if (ret) {
		outcome(u, "error", "cannot fetch %s: %s", rel, why);
		return LPB_EXIT_ERROR;
	}
	sha256_hex(data, len, have);
	if (strcmp(have, sha) || (size >= 0 && (long long)len != size)) {
		outcome(u, "refused",
			"refusing %s: sha256 check: its SHA-256 is %s (%zu bytes), the signed "
			"index says %s%s; nothing installed",
			rel, have, len, sha, size >= 0 ? " and its size" : "");
		free(data);
		return LPB_EXIT_VERIFY;
	}
	ret = write_file_atomic(path, data, len, 0600);
	free(data);
	if (ret) {
		outcome(u, "error", "cannot write %s: %s", path, strerror(-ret));
		return LPB_EXIT_ERROR;
	}
	return 0;
}

static int fetch_pick(struct update *u, const char *ko, const char *mf)
{
	const struct repo_patch *p = u->pick;
	int rc = download(u, p->module, MODULE_MAX, p->size, p->sha256, ko);

	if (!rc)
		rc = download(u, p->manifest, MANIFEST_MAX, -1, p->manifest_sha256, mf);
	return rc;
}

static int download_only(struct update *u)
{
	struct lpctl *c = u->c;
	const struct repo_patch *p = u->pick;
	char *ko = NULL, *mf = NULL, *tko = NULL, *tmf = NULL, why[1200];
	struct verified v;
	int rc, ret;

	if (!p)
		return 0; /* the outcome says why */
	ret = mkdir_p(u->download_dir, 0755);
	if (ret) {
		lpctl_errf(c, "cannot create %s: %s", u->download_dir, strerror(-ret));
		return LPB_EXIT_ERROR;
	}
	ko = xasprintf("%s/%s.ko", u->download_dir, p->name);
	mf = xasprintf("%s/%s.json", u->download_dir, p->name);
	tko = xasprintf("%s/.%s.ko.part", u->download_dir, p->name);
	tmf = xasprintf("%s/.%s.json.part", u->download_dir, p->name);
	rc = fetch_pick(u, tko, tmf);
	if (!rc) {
		/* what install would check: nobody gets an unverified file from us */
		rc = verify_module(c, tko, tmf, &v, why, sizeof(why));
		if (rc)
			outcome(u, rc == LPB_EXIT_VERIFY ? "refused" : "error",
				"refusing %s version %s: %s", p->name, p->patch_version, why);
		else if (rename(tko, ko) || rename(tmf, mf)) {
			outcome(u, "error", "cannot rename into %s: %s", u->download_dir,
				strerror(errno));
			rc = LPB_EXIT_ERROR;
		} else {
			fsync_dir(u->download_dir);
			lpctl_msg(c,
				  "%s: downloaded version %s for kernel %s to %s (sha256 %.16s, "
				  "signed by %s; rollout %d %%, bucket %u)",
				  p->name, p->patch_version, c->release, ko, v.sha256, v.signer,
				  p->rollout, u->bucket);
			outcome(u, "downloaded", "%s version %s is in %s", p->name,
				p->patch_version, u->download_dir);
		}
		verified_free(&v);
	}
	unlink(tko);
	unlink(tmf);
	free(ko);
	free(mf);
	free(tko);
	free(tmf);
	return rc;
}

/* ---- acting on this machine ---- */

static const struct repo_patch *revoked_sha(const struct repo_kernel *k, const char *sha)
{
	for (size_t i = 0; k && sha && i < k->nr_patches; i++)
		if (k->patches[i].revoked && !strcmp(k->patches[i].sha256, sha))
			return &k->patches[i];
	return NULL;
}

/* A module name only revoked builds of this kernel use. */
static const struct repo_patch *revoked_name(const struct repo_kernel *k, const char *name)
{
	const struct repo_patch *hit = NULL;

	for (size_t i = 0; k && i < k->nr_patches; i++) {
		if (strcmp(k->patches[i].name, name))
			continue;
		if (!k->patches[i].revoked)
			return NULL;
		hit = &k->patches[i];
	}
	return hit;
}

static int take(struct update *u)
{
	struct lpctl *c = u->c;
	const struct repo_patch *p = u->pick;
	char *dir = store_path(c, "incoming"), *ko, *mf, *src;
	struct kvfile inst = { 0 };
	int rc, ret;

	ret = store_prepare(c);
	if (!ret)
		ret = mkdir_p(dir, 0700);
	if (ret) {
		outcome(u, "error", "cannot create %s", dir);
		free(dir);
		return LPB_EXIT_ERROR;
	}
	ko = xasprintf("%s/%s.ko", dir, p->name);
	mf = xasprintf("%s/%s.json", dir, p->name);
	src = xasprintf("%s/%s", u->url, p->module);
	lpctl_msg(c, "%s: version %s for kernel %s from %s (rollout %d %%, bucket %u)", p->name,
		  p->patch_version, c->release, u->url, p->rollout, u->bucket);
	rc = fetch_pick(u, ko, mf);
	if (!rc) {
		rc = cmd_store(c, ko, mf, src);
		if (rc)
			outcome(u,
				rc == LPB_EXIT_VERIFY ? "refused" :
				rc == LPB_EXIT_LOCKED ? "locked" :
							"error",
				"%s version %s was not installed", p->name, p->patch_version);
	}
	unlink_durable(ko);
	unlink_durable(mf);
	if (!rc && u->install_only)
		outcome(u, "installed", "%s version %s installed (applied by lpctl start)", p->name,
			p->patch_version);
	if (!rc && !u->install_only) {
		rc = cmd_read_installed(c, &inst);
		if (!rc)
			rc = cmd_apply_installed(c, &inst);
		outcome(u, rc ? "apply-failed" : "updated", "%s version %s %s", p->name,
			p->patch_version, rc ? "was installed, but applying it failed" : "applied");
	}
	kvfile_free(&inst);
	free(src);
	free(ko);
	free(mf);
	free(dir);
	return rc;
}

static char *revoked_why(const struct update *u, const struct repo_patch *r)
{
	return xasprintf("%s version %s was revoked by the repository %s on %s%s%s", r->name,
			 r->patch_version, u->url, r->revoked_date,
			 r->revoked_reason && *r->revoked_reason ? ": " : "",
			 r->revoked_reason ? r->revoked_reason : "");
}

/* A revoked build is never inserted again here (lpctl start, load). */
static void lock_out(struct lpctl *c, const struct repo_patch *r, const char *why)
{
	struct kvfile lock = { 0 };
	int ret = 0;

	if (!store_find_lock(c, r->name, r->sha256, &lock))
		ret = store_prepare(c) ?
			      -EIO :
			      store_write_lock(c, r->name, r->sha256, r->patch_version, why, NULL);
	if (ret)
		lpctl_errf(c, "cannot write the lock file of %s: %s", r->name, strerror(-ret));
	kvfile_free(&lock);
}

/* Take every revoked patch of this kernel off: loaded ones disabled and
 * removed, the installed one forgotten, and both locked out. @removed gets
 * "NAME version V" of each one taken off. */
static int take_off_revoked(struct update *u, const struct kvfile *inst, struct strv *removed)
{
	struct lpctl *c = u->c;
	struct strv loaded = { 0 };
	const struct repo_patch *r;
	const char *isha = inst ? kv_get(inst, "sha256") : NULL;
	int rc = 0;

	klp_list(c->sysfs, &loaded);
	/* a disabled livepatch's module is still loaded: it goes too */
	for (size_t i = 0; i < u->k->nr_patches; i++) {
		bool listed = false;

		r = &u->k->patches[i];
		for (size_t j = 0; j < loaded.n; j++)
			listed |= !strcmp(loaded.v[j], r->name);
		if (!listed && r->revoked && klp_module_loaded(c->sysfs, r->name))
			strv_add(&loaded, r->name);
	}
	for (size_t i = 0; i < loaded.n; i++) {
		const char *name = loaded.v[i];
		char *why;
		int ret;

		r = revoked_name(u->k, name);
		if (!r)
			continue;
		why = revoked_why(u, r);
		lpctl_errf(c, "%s; taking it off", why);
		lock_out(c, r, why);
		if (u->install_only) {
			lpctl_errf(c, "%s stays loaded (--install-only): 'lpctl unload %s'", name,
				   name);
			rc = LPB_EXIT_ERROR;
		} else {
			ret = apply_disable(c, name);
			if (!ret) {
				ret = apply_remove_module(c, name, 10);
				if (ret)
					lpctl_errf(c, "%s: cannot remove the module: %s", name,
						   strerror(-ret));
				else
					lpctl_msg(c, "%s: module removed", name);
				ret = ret ? LPB_EXIT_ERROR : 0;
			}
			if (ret)
				rc = rc ? rc : ret;
			else
				strv_addf(removed, "%s version %s", name, r->patch_version);
		}
		free(why);
	}
	r = revoked_sha(u->k, isha);
	if (r) {
		char *why = revoked_why(u, r);
		bool said = false;

		for (size_t i = 0; i < loaded.n; i++)
			said |= !strcmp(loaded.v[i], r->name);
		if (!said)
			lpctl_errf(c, "%s; forgetting it", why);
		lock_out(c, r, why);
		if (!cmd_forget_installed(c) && !said)
			strv_addf(removed, "%s version %s", r->name, r->patch_version);
		free(why);
	}
	strv_free(&loaded);
	return rc;
}

static int act(struct update *u)
{
	struct lpctl *c = u->c;
	struct kvfile inst = { 0 };
	const char *isha = NULL, *iver = NULL;
	struct klp_state st;
	bool have_inst, inst_revoked, newer;
	struct strv removed = { 0 };
	int rc = 0, ret;

	ret = cmd_read_installed(c, &inst);
	if (ret && ret != -ENOENT) {
		outcome(u, "error", "the installed patch's state is damaged (see above)");
		return ret;
	}
	have_inst = !ret;
	if (have_inst) {
		isha = kv_get(&inst, "sha256");
		iver = kv_get(&inst, "patch_version");
	}
	inst_revoked = have_inst && u->k && revoked_sha(u->k, isha);
	newer = u->pick && (!have_inst || inst_revoked ||
			    (strcmp(u->pick->sha256, isha) &&
			     (!iver || !*iver || repo_vercmp(u->pick->patch_version, iver) > 0)));

	if (inst_revoked && newer) {
		const struct repo_patch *r = revoked_sha(u->k, isha);
		char *why = revoked_why(u, r);

		lpctl_errf(c, "%s; replacing it with %s version %s", why, u->pick->name,
			   u->pick->patch_version);
		lock_out(c, r, why);
		free(why);
	}
	if (newer) {
		rc = take(u);
	} else if (u->pick && isha && !strcmp(u->pick->sha256, isha)) {
		klp_read(c->sysfs, u->pick->name, &st);
		if (u->install_only || st.present) {
			outcome(u, "up-to-date", "%s version %s is installed%s", u->pick->name,
				u->pick->patch_version, st.present ? " and loaded" : "");
		} else if (klp_module_loaded(c->sysfs, u->pick->name)) {
			outcome(u, "up-to-date",
				"%s version %s is installed; its module is loaded but disabled "
				"(by an operator?): not applying it again",
				u->pick->name, u->pick->patch_version);
		} else {
			rc = cmd_apply_installed(c, &inst);
			outcome(u, rc ? "apply-failed" : "applied", "%s version %s %s",
				u->pick->name, u->pick->patch_version,
				rc ? "is installed, but applying it failed" : "applied");
		}
	} else if (u->pick) {
		outcome(u, "up-to-date",
			"the installed %s version %s is not older than the repository's %s "
			"version %s",
			kv_get(&inst, "name"), iver ? iver : "?", u->pick->name,
			u->pick->patch_version);
	}
	if (!newer && u->pick && u->newest != u->pick) {
		/* a newer patch exists this machine is not in the rollout of yet */
		char *was = xstrdup(u->message ? u->message : "");

		outcome(u, "waiting",
			"%s; %s version %s is rolled out to %d %% of machines and this machine's "
			"bucket is %u, so it waits",
			was, u->newest->name, u->newest->patch_version, u->newest->rollout,
			u->bucket);
		free(was);
	}
	if (u->k) {
		struct kvfile now = { 0 };
		bool still = !cmd_read_installed(c, &now);

		ret = take_off_revoked(u, still ? &now : NULL, &removed);
		kvfile_free(&now);
		if (ret && !rc)
			rc = ret;
		if (removed.n && !newer) {
			char *was = xstrdup(u->pick && u->message ? u->message : "");

			outcome(u, "revoked", "revoked %s taken off%s%s", removed.v[0],
				*was ? "; " : "",
				*was ? was :
				       ", and the repository has no other patch for this kernel");
			free(was);
		}
	}
	strv_free(&removed);
	kvfile_free(&inst);
	return rc;
}

int cmd_update(struct lpctl *c, const char *repo, const char *download_dir, bool install_only)
{
	struct update u = {
		.c = c,
		.url = repo ? repo : c->conf.repository,
		.download_dir = download_dir,
		.install_only = install_only,
	};
	uint64_t t0 = mono_ms();
	int rc;

	if (!u.url) {
		lpctl_errf(
			c,
			"no repository: give --repo URL, or set repository = URL in %s/lpctl.conf",
			c->conf_dir);
		return LPB_EXIT_ERROR;
	}
	if (!download_dir) {
		rc = store_lock(c);
		if (rc)
			return rc;
	}
	read_prev(&u);
	rc = fetch_index(&u);
	if (!rc) {
		choose(&u);
		rc = download_dir ? download_only(&u) : act(&u);
	}
	if (!u.result)
		outcome(&u, rc ? "error" : "up-to-date", "%s", rc ? "failed" : "nothing to do");
	if (!strcmp(u.result, "error") || !strcmp(u.result, "refused"))
		lpctl_errf(c, "%s%s", u.message,
			   download_dir ? "" : "; the installed patch (if any) is kept");
	else
		lpctl_msg(c, "update: %s: %s (%.1f s)", u.result, u.message,
			  (mono_ms() - t0) / 1000.0);
	if (!download_dir) {
		write_record(&u);
		store_unlock(c);
	}
	fetch_close(&u.f);
	repo_index_free(&u.idx);
	kvfile_free(&u.prev);
	free(u.result);
	free(u.message);
	return rc;
}
