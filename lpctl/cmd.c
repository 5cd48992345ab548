// SPDX-License-Identifier: GPL-2.0-only
/* The commands that change things: install, load, start, disable, unload,
 * unlock, uninstall. Each one holds the state lock for its whole run. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apply.h"
#include "cmd.h"
#include "klp.h"
#include "store.h"
#include "verify.h"

char *cmd_module_name(const char *arg)
{
	char *n;

	if (!valid_module_name(arg))
		return NULL;
	n = xstrdup(arg);
	for (char *p = n; *p; p++)
		if (*p == '-')
			*p = '_';
	return n;
}

/* NAME.json beside NAME.ko, if there is one. */
static char *manifest_beside(const char *ko)
{
	size_t n = strlen(ko);
	char *m;

	if (n < 3 || strcmp(ko + n - 3, ".ko"))
		return NULL;
	m = xasprintf("%.*s.json", (int)(n - 3), ko);
	if (access(m, R_OK)) {
		free(m);
		return NULL;
	}
	return m;
}

static int refuse(struct lpctl *c, const char *what, const char *why, int rc)
{
	if (rc == LPB_EXIT_VERIFY)
		lpctl_errf(c, "refusing %s: %s; nothing inserted", what, why);
	else
		lpctl_errf(c, "%s", why);
	return rc;
}

static int locked_out(struct lpctl *c, const char *name, const char *sha)
{
	struct kvfile lock;

	if (!store_find_lock(c, name, sha, &lock))
		return 0;
	lpctl_errf(c,
		   "%s (sha256 %.16s) is locked out: %s; not inserting it ('lpctl unlock %s' "
		   "after fixing the cause)",
		   name, sha, kv_get(&lock, "reason") ?: "?", name);
	kvfile_free(&lock);
	return LPB_EXIT_LOCKED;
}

int cmd_store(struct lpctl *c, const char *ko, const char *manifest, const char *source)
{
	struct verified v;
	struct kvfile f = { .kind = xstrdup("installed") };
	char why[1200], at[32], *auto_mf = NULL, *ko_dst = NULL, *mf_dst = NULL, *path = NULL;
	uint8_t *mf_data = NULL;
	size_t mf_len = 0;
	int rc, ret;

	if (!manifest)
		manifest = auto_mf = manifest_beside(ko);
	rc = verify_module(c, ko, manifest, &v, why, sizeof(why));
	if (rc) {
		refuse(c, ko, why, rc);
		goto out;
	}
	if (!manifest)
		lpctl_errf(c,
			   "note: no manifest for %s (--manifest): its SHA-256 is not checked "
			   "against one and status cannot list its fixes",
			   ko);
	rc = locked_out(c, v.mi.name, v.sha256);
	if (rc)
		goto out;
	rc = store_prepare(c);
	if (rc)
		goto out;

	ko_dst = xasprintf("%s/patches/%s.ko", c->rel_dir, v.mi.name);
	ret = write_file_atomic(ko_dst, v.data, v.len, 0600);
	if (!ret && manifest) {
		mf_dst = xasprintf("%s/patches/%s.json", c->rel_dir, v.mi.name);
		ret = read_path(manifest, 16 << 20, &mf_data, &mf_len);
		if (!ret)
			ret = write_file_atomic(mf_dst, mf_data, mf_len, 0600);
	}
	if (ret) {
		lpctl_errf(c, "cannot store %s in %s/patches: %s", v.mi.name, c->rel_dir,
			   strerror(-ret));
		rc = LPB_EXIT_ERROR;
		goto out;
	}

	utc_now(at, sizeof(at));
	kv_set(&f, "name", v.mi.name);
	kv_set(&f, "sha256", v.sha256);
	kv_set(&f, "patch_version", v.mi.patch_version ? v.mi.patch_version : "");
	kv_setf(&f, "replace", "%d", v.mi.replace);
	kv_set(&f, "target_release", v.mi.target_release);
	kv_set(&f, "target_version", v.mi.target_version);
	kv_set(&f, "target_label", v.mi.target_label ? v.mi.target_label : "");
	kv_setf(&f, "module", "patches/%s.ko", v.mi.name);
	if (manifest)
		kv_setf(&f, "manifest", "patches/%s.json", v.mi.name);
	kv_set(&f, "signer", v.signer);
	kv_set(&f, "source", source ? source : ko);
	kv_set(&f, "installed_at", at);
	path = store_path(c, "installed");
	ret = kvfile_write(path, &f);
	if (ret) {
		lpctl_errf(c, "cannot write %s: %s", path, strerror(-ret));
		rc = LPB_EXIT_ERROR;
		goto out;
	}
	lpctl_msg(c, "%s: installed version %s for kernel %s (sha256 %.16s, signed by %s)",
		  v.mi.name, v.mi.patch_version ? v.mi.patch_version : "?", c->release, v.sha256,
		  v.signer);
out:
	verified_free(&v);
	kvfile_free(&f);
	free(auto_mf);
	free(ko_dst);
	free(mf_dst);
	free(mf_data);
	free(path);
	return rc;
}

int cmd_install(struct lpctl *c, const char *ko, const char *manifest)
{
	int rc = store_lock(c);

	if (!rc)
		rc = cmd_store(c, ko, manifest, NULL);
	store_unlock(c);
	return rc;
}

int cmd_read_installed(struct lpctl *c, struct kvfile *f)
{
	char *path = store_path(c, "installed"), why[200];
	int ret = kvfile_read(path, f, why, sizeof(why));

	if (ret == -EBADMSG) {
		lpctl_errf(c,
			   "the state file %s is damaged (%s); not trusting it: install the patch "
			   "again with 'lpctl install'",
			   path, why);
		ret = LPB_EXIT_ERROR;
	} else if (ret && ret != -ENOENT) {
		lpctl_errf(c, "cannot read %s: %s", path, why);
		ret = LPB_EXIT_ERROR;
	} else if (!ret && (!kv_get(f, "name") || !kv_get(f, "sha256") || !kv_get(f, "module") ||
			    !valid_module_name(kv_get(f, "name")))) {
		lpctl_errf(c,
			   "the state file %s lacks name, sha256 or module; install the patch "
			   "again with 'lpctl install'",
			   path);
		ret = LPB_EXIT_ERROR;
	}
	free(path);
	return ret;
}

int cmd_apply_installed(struct lpctl *c, const struct kvfile *inst)
{
	const char *name = kv_get(inst, "name"), *sha = kv_get(inst, "sha256");
	char *ko = store_path(c, kv_get(inst, "module"));
	char *mf = kv_get(inst, "manifest") ? store_path(c, kv_get(inst, "manifest")) : NULL;
	struct verified v;
	char why[1200];
	int rc;

	rc = locked_out(c, name, sha);
	if (rc)
		goto out;
	rc = verify_module(c, ko, mf, &v, why, sizeof(why));
	if (!rc && strcmp(v.sha256, sha)) {
		snprintf(why, sizeof(why),
			 "sha256 check: the stored module's SHA-256 is %s, it was "
			 "installed as %s",
			 v.sha256, sha);
		rc = LPB_EXIT_VERIFY;
	}
	if (rc) {
		refuse(c, ko, why, rc);
		verified_free(&v);
		goto out;
	}
	rc = apply_patch(c, ko, &v);
	verified_free(&v);
out:
	free(ko);
	free(mf);
	return rc;
}

int cmd_load(struct lpctl *c, const char *ko, const char *manifest)
{
	struct kvfile inst = { 0 };
	int rc = store_lock(c);

	if (!rc)
		rc = apply_check_marker(c);
	if (!rc)
		rc = cmd_store(c, ko, manifest, NULL);
	if (!rc)
		rc = cmd_read_installed(c, &inst);
	if (!rc)
		rc = cmd_apply_installed(c, &inst);
	kvfile_free(&inst);
	store_unlock(c);
	return rc;
}

int cmd_start(struct lpctl *c)
{
	struct kvfile inst = { 0 };
	struct klp_state st;
	const char *name;
	int rc = store_lock(c), ret;

	if (rc)
		goto out;
	rc = apply_check_marker(c);
	if (rc)
		goto out;
	ret = cmd_read_installed(c, &inst);
	if (ret == -ENOENT) {
		lpctl_msg(c, "no livepatch installed for kernel %s", c->release);
		goto out;
	}
	if (ret) {
		rc = ret;
		goto out;
	}
	name = kv_get(&inst, "name");
	klp_read(c->sysfs, name, &st);
	if (st.present) {
		rc = locked_out(c, name, kv_get(&inst, "sha256"));
		if (!rc)
			lpctl_msg(c, "%s: already loaded (enabled=%d, transition=%d)", name,
				  st.enabled, st.transition);
		goto out;
	}
	rc = cmd_apply_installed(c, &inst);
out:
	kvfile_free(&inst);
	store_unlock(c);
	return rc;
}

int cmd_disable(struct lpctl *c, const char *name)
{
	int rc = store_lock(c);

	if (!rc)
		rc = apply_disable(c, name);
	store_unlock(c);
	return rc;
}

int cmd_unload(struct lpctl *c, const char *name)
{
	struct klp_state st;
	int rc = store_lock(c), ret;

	if (rc)
		goto out;
	klp_read(c->sysfs, name, &st);
	if (st.present) {
		rc = apply_disable(c, name);
		if (rc)
			goto out;
	}
	if (!klp_module_loaded(c->sysfs, name)) {
		lpctl_msg(c, "%s: not loaded", name);
		goto out;
	}
	ret = apply_remove_module(c, name, 10);
	if (ret) {
		lpctl_errf(c, "%s: cannot remove the module: %s", name, strerror(-ret));
		rc = LPB_EXIT_ERROR;
	} else {
		lpctl_msg(c, "%s: module removed", name);
	}
out:
	store_unlock(c);
	return rc;
}

int cmd_unlock(struct lpctl *c, const char *name)
{
	struct strv locks = { 0 };
	int rc = store_lock(c);

	if (rc)
		goto out;
	store_list_locks(c, name, &locks);
	if (!locks.n)
		lpctl_msg(c, "%s: not locked out (kernel %s)", name, c->release);
	for (size_t i = 0; i < locks.n; i++) {
		struct kvfile f;
		char why[160];
		int ret = kvfile_read(locks.v[i], &f, why, sizeof(why));
		char *reason = xstrdup(ret ? why : kv_get(&f, "reason") ?: "?");

		kvfile_free(&f);
		ret = unlink_durable(locks.v[i]);
		if (ret) {
			lpctl_errf(c, "cannot remove %s: %s", locks.v[i], strerror(-ret));
			rc = LPB_EXIT_ERROR;
		} else {
			lpctl_msg(c, "%s: unlocked (%s); it was locked because: %s", name,
				  strrchr(locks.v[i], '/') + 1, reason);
		}
		free(reason);
	}
out:
	strv_free(&locks);
	store_unlock(c);
	return rc;
}

int cmd_forget_installed(struct lpctl *c)
{
	struct kvfile inst = { 0 };
	const char *name;
	const char *keys[] = { "module", "manifest" };
	char *path = store_path(c, "installed");
	int rc = 0, ret;

	ret = kvfile_read(path, &inst, (char[160]){ 0 }, 160);
	if (ret == -ENOENT) {
		lpctl_msg(c, "no livepatch installed for kernel %s", c->release);
		goto out;
	}
	/* a damaged file is removed too: uninstall is how to get rid of it */
	for (size_t i = 0; !ret && i < 2; i++) {
		const char *rel = kv_get(&inst, keys[i]);
		char *p;

		if (!rel || strstr(rel, ".."))
			continue;
		p = store_path(c, rel);
		unlink_durable(p);
		free(p);
	}
	ret = unlink_durable(path);
	if (ret) {
		lpctl_errf(c, "cannot remove %s: %s", path, strerror(-ret));
		rc = LPB_EXIT_ERROR;
		goto out;
	}
	name = kv_get(&inst, "name");
	lpctl_msg(c, "%s: uninstalled for kernel %s%s", name ? name : "the damaged installation",
		  c->release,
		  name && valid_module_name(name) && klp_module_loaded(c->sysfs, name) ?
			  " (its loaded copy stays loaded: lpctl unload)" :
			  "");
out:
	kvfile_free(&inst);
	free(path);
	return rc;
}

int cmd_uninstall(struct lpctl *c)
{
	int rc = store_lock(c);

	if (!rc)
		rc = cmd_forget_installed(c);
	store_unlock(c);
	return rc;
}
