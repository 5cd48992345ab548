// SPDX-License-Identifier: GPL-2.0-only
/* Verification before insertion. The signature comes first: it is the only
 * check an attacker cannot satisfy by editing a file next to the module, and
 * a module changed after signing fails it with the clearest message. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trust.h"
#include "verify.h"

#define MODULE_MAX (256u << 20)

static int check_signature(const struct lpctl *c, const char *path, struct verified *v, char *why,
			   size_t why_len)
{
	struct strv certs = { 0 };
	char reason[700];
	int ret = trust_list(c->trust_dir, &certs);
	enum sig_status st;

	if (ret && ret != -ENOENT) {
		snprintf(why, why_len, "cannot read the trusted certificates in %s: %s",
			 c->trust_dir, strerror(-ret));
		strv_free(&certs);
		return LPB_EXIT_ERROR;
	}
	st = trust_verify(v->data, v->len, path, &certs, v->signer, sizeof(v->signer), reason,
			  sizeof(reason));
	strv_free(&certs);
	if (st == SIG_OK)
		return 0;
	if (st == SIG_NO_TRUST)
		snprintf(why, why_len, "signature check: %s; add the signer's certificate to %s",
			 reason, c->trust_dir);
	else
		snprintf(why, why_len, "signature check: %s", reason);
	return LPB_EXIT_VERIFY;
}

static int check_modinfo(const char *path, struct verified *v, char *why, size_t why_len)
{
	struct modinfo *mi = &v->mi;
	int ret;

	/* not an ELF at all: say so here rather than through lib/'s reader */
	if (v->len < 4 || memcmp(v->data, "\177ELF", 4)) {
		snprintf(why, why_len, "module check: not a loadable x86_64 kernel module (ELF)");
		return LPB_EXIT_VERIFY;
	}
	ret = modinfo_read(path, mi);
	if (ret == -EINVAL) {
		snprintf(why, why_len, "module check: not a loadable x86_64 kernel module (ELF)");
		return LPB_EXIT_VERIFY;
	}
	if (ret) {
		snprintf(why, why_len, "module check: no .modinfo section");
		return LPB_EXIT_VERIFY;
	}
	if (!mi->name || !valid_module_name(mi->name)) {
		snprintf(why, why_len, "module check: no valid module name in .modinfo");
		return LPB_EXIT_VERIFY;
	}
	if (!mi->livepatch) {
		snprintf(why, why_len, "module check: %s is not a livepatch (no livepatch=Y)",
			 mi->name);
		return LPB_EXIT_VERIFY;
	}
	if (!mi->target_release || !mi->target_version) {
		snprintf(why, why_len,
			 "module check: %s does not record its target kernel "
			 "(no lpb_target_release/lpb_target_version: not built by lp-build?)",
			 mi->name);
		return LPB_EXIT_VERIFY;
	}
	return 0;
}

static int check_manifest(const char *manifest, struct verified *v, char *why, size_t why_len)
{
	struct manifest *mf = &v->mf;
	const struct modinfo *mi = &v->mi;
	char reason[300];
	int ret = manifest_load(manifest, mf, reason, sizeof(reason));

	if (ret == -EBADMSG) {
		snprintf(why, why_len, "manifest check: %s is not a usable lp-build manifest: %s",
			 manifest, reason);
		return LPB_EXIT_VERIFY;
	}
	if (ret) {
		snprintf(why, why_len, "manifest %s: %s", manifest, reason);
		return LPB_EXIT_ERROR;
	}
	v->has_manifest = true;
	if (strcmp(mf->module_sha256, v->sha256)) {
		snprintf(why, why_len,
			 "sha256 check: the module's SHA-256 is %s, the manifest %s "
			 "says %s",
			 v->sha256, manifest, mf->module_sha256);
		return LPB_EXIT_VERIFY;
	}
	if (strcmp(mf->name, mi->name) || strcmp(mf->target_release, mi->target_release) ||
	    strcmp(mf->target_version, mi->target_version)) {
		snprintf(why, why_len,
			 "manifest check: %s describes patch %s for kernel %s \"%s\", "
			 "the module is %s for %s \"%s\"",
			 manifest, mf->name, mf->target_release, mf->target_version, mi->name,
			 mi->target_release, mi->target_version);
		return LPB_EXIT_VERIFY;
	}
	return 0;
}

static int check_target(const struct lpctl *c, const struct modinfo *mi, char *why, size_t why_len)
{
	const char *label = mi->target_label ? mi->target_label : "?";

	if (strcmp(mi->target_release, c->release)) {
		snprintf(why, why_len,
			 "kernel check: %s was built for kernel release %s (%s), "
			 "this kernel is %s",
			 mi->name, mi->target_release, label, c->release);
		return LPB_EXIT_VERIFY;
	}
	if (strcmp(mi->target_version, c->version ? c->version : "")) {
		snprintf(why, why_len,
			 "kernel check: %s was built for kernel %s version \"%s\" (%s), "
			 "this kernel's version is \"%s\"",
			 mi->name, mi->target_release, mi->target_version, label,
			 c->version ? c->version : "?");
		return LPB_EXIT_VERIFY;
	}
	return 0;
}

int verify_module(const struct lpctl *c, const char *path, const char *manifest, struct verified *v,
		  char *why, size_t why_len)
{
	int ret;

	*v = (struct verified){ .mi.replace = -1, .mf.replace = -1 };
	ret = read_path(path, MODULE_MAX, &v->data, &v->len);
	if (ret) {
		snprintf(why, why_len, "cannot read %s: %s", path,
			 ret == -EFBIG ? "larger than 256 MiB" : strerror(-ret));
		return LPB_EXIT_ERROR;
	}
	sha256_hex(v->data, v->len, v->sha256);
	ret = check_signature(c, path, v, why, why_len);
	if (!ret)
		ret = check_modinfo(path, v, why, why_len);
	if (!ret && manifest)
		ret = check_manifest(manifest, v, why, why_len);
	if (!ret)
		ret = check_target(c, &v->mi, why, why_len);
	return ret;
}

void verified_free(struct verified *v)
{
	free(v->data);
	modinfo_free(&v->mi);
	manifest_free(&v->mf);
	*v = (struct verified){ 0 };
}
