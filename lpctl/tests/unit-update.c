// SPDX-License-Identifier: GPL-2.0-only
/* lpctl update against file:// repositories written here (index built and
 * signed in-process), on the fake kernel: good update, newer patch, phased
 * rollout, revocation, every refusal and failure keeping the working patch,
 * download-only; lib/repo-index.c's rules; fixtures for update.sh. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "cms.h"
#include "json.h"
#include "kvfile.h"
#include "repo-index.h"
#include "unit.h"

#define REPO_ID "00112233445566778899aabbccddeeff"

/* ---- a repository, written the way lp-build publish writes one ---- */

struct repo {
	char *dir, *url;
	struct repo_index idx;
};

static struct repo *repo_new(struct fake *f, const char *name)
{
	struct repo *r = xcalloc(1, sizeof(*r));

	r->dir = rp(f, "/%s", name);
	r->url = xasprintf("file://%s", r->dir);
	rm_rf(r->dir);
	mkdir_p(r->dir, 0755);
	r->idx.repository = xstrdup(REPO_ID);
	r->idx.published = xstrdup("2026-12-01T00:00:00Z");
	return r;
}

static void repo_free(struct repo *r)
{
	repo_index_free(&r->idx);
	free(r->dir);
	free(r->url);
	free(r);
}

/* A patch for the fake kernel: module and manifest in the repository's
 * layout, listed in the index. Returns the entry (owned by the index). */
static struct repo_patch *repo_put(struct repo *r, const char *name, const char *pv, int rollout)
{
	struct modspec m = { .name = name, .livepatch = true, .replace = 1, .patch_version = pv };
	struct repo_kernel *k = repo_find_kernel(&r->idx, RELEASE, VERSION);
	struct repo_patch p = { 0 };
	char sha[65], msha[65], *tmp = xasprintf("%s/%s.ko", work, name), *dir, *ko, *mf, *text;

	if (!k)
		k = repo_add_kernel(&r->idx, RELEASE, VERSION, "6.1.99.7-unit");
	make_module(tmp, &m, &trusted, sha);
	dir = xasprintf("%s/%s/%.16s", r->dir, RELEASE, sha);
	ko = xasprintf("%s/%s.ko", dir, name);
	mf = xasprintf("%s/%s.json", dir, name);
	mkdir_p(dir, 0755);
	rename(tmp, ko);
	make_manifest_v(mf, name, sha, RELEASE, VERSION, pv);
	text = slurp(mf);
	sha256_hex(text, strlen(text), msha);
	p = (struct repo_patch){
		.name = xstrdup(name),
		.patch_version = xstrdup(pv),
		.sha256 = xstrdup(sha),
		.size = -1,
		.date = xstrdup("2026-12-01T00:00:00Z"),
		.rollout = rollout,
		.replace = true,
		.module = xasprintf("%s/%.16s/%s.ko", RELEASE, sha, name),
		.manifest = xasprintf("%s/%.16s/%s.json", RELEASE, sha, name),
		.manifest_sha256 = xstrdup(msha),
		.fixes = xcalloc(1, sizeof(char *)),
		.nr_fixes = 1,
	};
	p.fixes[0] = xstrdup("fix.diff");
	free(text);
	{
		uint8_t *d;
		size_t n;

		read_path(ko, 64 << 20, &d, &n);
		p.size = (long long)n;
		free(d);
	}
	repo_add_patch(k, &p);
	free(tmp);
	free(dir);
	free(ko);
	free(mf);
	for (size_t i = 0; i < k->nr_patches; i++)
		if (!strcmp(k->patches[i].name, name))
			return &k->patches[i];
	return NULL;
}

/* Write index.json and its signature (by @k); serial + 1. Returns the
 * index's SHA-256 in @sha. */
static void repo_publish(struct repo *r, const struct key *k, char *sha)
{
	char *text = NULL, *p;
	size_t len = 0;
	uint8_t *sig;
	size_t sig_len;
	FILE *f = open_memstream(&text, &len);

	r->idx.serial++;
	repo_index_write(f, &r->idx);
	fclose(f);
	sha256_hex(text, len, sha);
	p = xasprintf("%s/" REPO_INDEX, r->dir);
	write_file_atomic(p, text, len, 0644);
	free(p);
	p = xasprintf("%s/" REPO_SIG_DIR, r->dir);
	mkdir_p(p, 0755);
	free(p);
	p = xasprintf("%s/" REPO_SIG_DIR "/%s.p7s", r->dir, sha);
	if (lpb_cms_sign(text, len, k->key, k->cert, "sha256", &sig, &sig_len)) {
		fprintf(stderr, "cannot sign the test index\n");
		exit(2);
	}
	write_file_atomic(p, sig, sig_len, 0644);
	free(sig);
	free(p);
	free(text);
}

static struct kvfile update_record(struct fake *f)
{
	struct kvfile u = { 0 };
	char *p = rp(f, "/var/lib/lpctl/update"), why[100];

	if (kvfile_read(p, &u, why, sizeof(why)))
		kv_set(&u, "error", why);
	free(p);
	return u;
}

static bool installed_is(struct fake *f, const char *name)
{
	struct kvfile inst = { 0 };
	char *p = rp(f, "/var/lib/lpctl/" RELEASE "/installed"), why[100];
	bool yes = !kvfile_read(p, &inst, why, sizeof(why)) &&
		   !strcmp(kv_get(&inst, "name") ?: "", name);

	kvfile_free(&inst);
	free(p);
	return yes;
}

static bool active(struct fake *f, const char *name)
{
	char *p = rp(f, "/sys/kernel/livepatch/%s/enabled", name), *v = slurp(p);
	bool yes = v && v[0] == '1';

	free(v);
	free(p);
	return yes;
}

static const char *result_of(struct fake *f, struct kvfile *u)
{
	kvfile_free(u);
	*u = update_record(f);
	return kv_get(u, "result") ?: kv_get(u, "error") ?: "(none)";
}

/* ---- the tests ---- */

static void test_update_apply(void)
{
	struct fake *f = fake_new("upd-apply");
	struct repo *r = repo_new(f, "repo");
	struct lpctl c;
	struct capture cap;
	struct kvfile u = { 0 };
	char sha[65], why[200];
	int rc;

	set_file(f, "0123456789abcdef0123456789abcdef\n", "/etc/machine-id%s", "");
	repo_put(r, "lp_upd1", "1", 100);
	repo_publish(r, &trusted, sha);
	f->replace = true;
	ctx_new(&c, f, &cap);

	rc = cmd_update(&c, r->url, NULL, false);
	CHECK(rc == 0 && f->inserts == 1, "update installs and applies: %d: %s", rc,
	      both(&c, &cap));
	CHECK(installed_is(f, "lp_upd1") && active(f, "lp_upd1"), "lp_upd1 installed and active");
	CHECK(!strcmp(result_of(f, &u), "updated"), "result updated: %s", result_of(f, &u));
	CHECK(!strcmp(kv_get(&u, "serial") ?: "", "1"), "serial recorded");
	CHECK(!strcmp(kv_get(&u, "repository") ?: "", r->url), "repository recorded");
	CHECK_HAS(both(&c, &cap), "lp_upd1: version 1 for kernel " RELEASE " from file://");
	CHECK_HAS(both(&c, &cap), "update: updated: lp_upd1 version 1 applied");

	/* the bucket it records is the documented hash of machine id, repository,
	 * release and patch version */
	char want[8];

	snprintf(want, sizeof(want), "%u",
		 repo_bucket("0123456789abcdef0123456789abcdef", REPO_ID, RELEASE, "1"));
	CHECK(!strcmp(kv_get(&u, "bucket") ?: "", want), "bucket %s, expected %s",
	      kv_get(&u, "bucket"), want);

	rc = cmd_update(&c, r->url, NULL, false);
	CHECK(rc == 0 && f->inserts == 1, "second update: nothing to do: %d", rc);
	CHECK(!strcmp(result_of(f, &u), "up-to-date"), "up-to-date: %s", result_of(f, &u));

	/* status --json shows the subscription */
	fflush(c.out);
	size_t mark = cap.nout;

	CHECK(cmd_status(&c, true) == 0, "status");
	fflush(c.out);
	struct json *j = json_parse(cap.out + mark, cap.nout - mark, why, sizeof(why));
	const struct json *upd = json_get(j, "update");

	CHECK(upd && !strcmp(json_get_str(upd, "result") ?: "", "up-to-date"),
	      "status update.result");
	CHECK(upd && !strcmp(json_get_str(upd, "repository") ?: "", r->url),
	      "status update.repository");
	CHECK(upd && json_get(upd, "bucket") && json_get(upd, "bucket")->type == JSON_NUMBER &&
		      json_get(upd, "bucket")->num == atoi(want),
	      "status update.bucket");
	CHECK(upd && json_get_str(upd, "checked_at"), "status update.checked_at");
	json_free(j);

	/* a newer cumulative patch replaces it */
	repo_put(r, "lp_upd2", "2", 100);
	repo_publish(r, &trusted, sha);
	rc = cmd_update(&c, r->url, NULL, false);
	CHECK(rc == 0 && f->inserts == 2, "newer patch applied: %d: %s", rc, both(&c, &cap));
	CHECK(installed_is(f, "lp_upd2") && active(f, "lp_upd2") && !active(f, "lp_upd1"),
	      "lp_upd2 replaced lp_upd1");
	CHECK_HAS(both(&c, &cap), "lp_upd2: replaced lp_upd1");

	/* lpctl.conf names the repository: the timer runs plain "lpctl update" */
	c.conf.repository = xstrdup(r->url);
	rc = cmd_update(&c, NULL, NULL, false);
	CHECK(rc == 0 && !strcmp(result_of(f, &u), "up-to-date"), "repository from lpctl.conf");

	kvfile_free(&u);
	ctx_done(&c, &cap);
	repo_free(r);
	fake_free(f);
}

static void test_update_rollout(void)
{
	struct fake *f = fake_new("upd-rollout");
	struct repo *r = repo_new(f, "repo");
	struct repo_patch *p;
	struct lpctl c;
	struct capture cap;
	struct kvfile u = { 0 };
	char sha[65];
	int rc;

	set_file(f, "fedcba9876543210fedcba9876543210\n", "/etc/machine-id%s", "");
	p = repo_put(r, "lp_roll", "5", 0);
	repo_publish(r, &trusted, sha);
	ctx_new(&c, f, &cap);
	rc = cmd_update(&c, r->url, NULL, false);
	CHECK(rc == 0 && f->inserts == 0 && !installed_is(f, "lp_roll"),
	      "rollout 0: nobody takes it: %d", rc);
	CHECK(!strcmp(result_of(f, &u), "waiting"), "waiting: %s", result_of(f, &u));
	CHECK_HAS(both(&c, &cap), "is rolled out to 0 % of machines");

	/* this machine's bucket b: rollout b leaves it out, b + 1 takes it in */
	unsigned int b = repo_bucket("fedcba9876543210fedcba9876543210", REPO_ID, RELEASE, "5");

	p->rollout = (int)b;
	repo_publish(r, &trusted, sha);
	rc = cmd_update(&c, r->url, NULL, false);
	CHECK(rc == 0 && f->inserts == 0, "rollout %u = its bucket: left out", b);
	CHECK(!strcmp(result_of(f, &u), "waiting"), "still waiting: %s", result_of(f, &u));
	p->rollout = (int)b + 1;
	repo_publish(r, &trusted, sha);
	rc = cmd_update(&c, r->url, NULL, false);
	CHECK(rc == 0 && f->inserts == 1 && installed_is(f, "lp_roll"),
	      "rollout %u: taken in: %d: %s", b + 1, rc, both(&c, &cap));

	/* a pause (rollout back to 0) never takes a patch away */
	p->rollout = 0;
	repo_publish(r, &trusted, sha);
	rc = cmd_update(&c, r->url, NULL, false);
	CHECK(rc == 0 && installed_is(f, "lp_roll") && active(f, "lp_roll"),
	      "a paused rollout keeps the installed patch: %d", rc);

	/* rollout_bucket in lpctl.conf overrides the hash (a canary machine) */
	repo_put(r, "lp_roll6", "6", 10);

	repo_publish(r, &trusted, sha);
	c.conf.rollout_bucket = 10;
	rc = cmd_update(&c, r->url, NULL, false);
	CHECK(rc == 0 && !installed_is(f, "lp_roll6"), "bucket 10, rollout 10: waits");
	c.conf.rollout_bucket = 9;
	rc = cmd_update(&c, r->url, NULL, false);
	CHECK(rc == 0 && installed_is(f, "lp_roll6"), "bucket 9, rollout 10: takes it: %s",
	      both(&c, &cap));
	result_of(f, &u);
	CHECK(!strcmp(kv_get(&u, "bucket") ?: "", "9"), "the fixed bucket is recorded: %s",
	      kv_get(&u, "bucket"));

	kvfile_free(&u);
	ctx_done(&c, &cap);
	repo_free(r);
	fake_free(f);
}

static void test_update_revoked(void)
{
	struct fake *f = fake_new("upd-revoke");
	struct repo *r = repo_new(f, "repo");
	struct repo_patch *p2;
	struct lpctl c;
	struct capture cap;
	struct kvfile u = { 0 };
	char sha[65], *lock;
	int rc;

	set_file(f, "0123456789abcdef0123456789abcdef\n", "/etc/machine-id%s", "");
	f->replace = true;
	repo_put(r, "lp_rev1", "1", 100);
	p2 = repo_put(r, "lp_rev2", "2", 100);
	repo_publish(r, &trusted, sha);
	ctx_new(&c, f, &cap);
	rc = cmd_update(&c, r->url, NULL, false);
	CHECK(rc == 0 && active(f, "lp_rev2"), "lp_rev2 applied: %d", rc);

	/* revoked, with version 1 still downloadable: back to version 1 */
	p2->revoked = true;
	p2->revoked_date = xstrdup("2026-12-02T00:00:00Z");
	p2->revoked_reason = xstrdup("breaks NFS");
	free(p2->module);
	free(p2->manifest);
	p2->module = p2->manifest = NULL;
	repo_publish(r, &trusted, sha);
	rc = cmd_update(&c, r->url, NULL, false);
	CHECK(rc == 0 && active(f, "lp_rev1") && !active(f, "lp_rev2") &&
		      installed_is(f, "lp_rev1"),
	      "revoked lp_rev2 replaced by lp_rev1: %d: %s", rc, both(&c, &cap));
	lock = rp(f, "/var/lib/lpctl/" RELEASE "/locks/lp_rev2@%.16s.lock", p2->sha256);
	CHECK(exists(lock), "the revoked build is locked out");
	free(lock);

	/* version 1 revoked too: nothing left, it is taken off and forgotten */
	r->idx.kernels[0].patches[1].revoked = true;
	r->idx.kernels[0].patches[1].revoked_date = xstrdup("2026-12-03T00:00:00Z");
	free(r->idx.kernels[0].patches[1].module);
	free(r->idx.kernels[0].patches[1].manifest);
	r->idx.kernels[0].patches[1].module = r->idx.kernels[0].patches[1].manifest = NULL;
	repo_publish(r, &trusted, sha);
	int removes = f->removes, inserts = f->inserts;

	rc = cmd_update(&c, r->url, NULL, false);
	CHECK(rc == 0 && !active(f, "lp_rev1") && f->removes == removes + 1 &&
		      !installed_is(f, "lp_rev1"),
	      "revoked lp_rev1 disabled, removed, uninstalled: %d: %s", rc, both(&c, &cap));
	CHECK(!strcmp(result_of(f, &u), "revoked"), "result revoked: %s", result_of(f, &u));
	CHECK_HAS(both(&c, &cap), "lp_rev1 version 1 was revoked by the repository");
	rc = cmd_start(&c);
	CHECK(rc == 0 && f->inserts == inserts, "start inserts nothing afterwards: %d", rc);

	/* a revoked build is never installed again by hand either */
	char *old = rp(f, "/old.ko"), s1[65];
	struct modspec m = {
		.name = "lp_rev1", .livepatch = true, .replace = 1, .patch_version = "1"
	};

	make_module(old, &m, &trusted, s1);
	rc = cmd_install(&c, old, NULL);
	CHECK(rc == LPB_EXIT_LOCKED, "install of the revoked build refused: %d", rc);
	free(old);

	kvfile_free(&u);
	ctx_done(&c, &cap);
	repo_free(r);
	fake_free(f);
}

/* Each failure leaves the applied patch as it is, and says why. */
static void test_update_failures(void)
{
	struct fake *f = fake_new("upd-fail");
	struct repo *r = repo_new(f, "repo");
	struct repo_patch *p;
	struct lpctl c;
	struct capture cap;
	struct kvfile u = { 0 };
	char sha[65], *path, *text, *other;
	int rc;

	set_file(f, "0123456789abcdef0123456789abcdef\n", "/etc/machine-id%s", "");
	f->replace = true;
	repo_put(r, "lp_ok", "1", 100);
	repo_publish(r, &trusted, sha);
	ctx_new(&c, f, &cap);
	CHECK(cmd_update(&c, r->url, NULL, false) == 0 && active(f, "lp_ok"), "lp_ok applied");
	p = repo_put(r, "lp_next", "2", 100);
	repo_publish(r, &trusted, sha);

#define STILL_OK(what)                                                                             \
	CHECK(active(f, "lp_ok") && installed_is(f, "lp_ok") && f->inserts == 1,                   \
	      "%s: the working patch stays", what)

	/* the repository is gone (server down, wrong path) */
	other = xasprintf("file://%s/nowhere", r->dir);
	rc = cmd_update(&c, other, NULL, false);
	CHECK(rc == LPB_EXIT_ERROR, "missing repository: %d", rc);
	CHECK(!strcmp(result_of(f, &u), "error"), "result error");
	CHECK(kv_get(&u, "last_success_at"), "last success kept");
	CHECK_HAS(both(&c, &cap), "cannot fetch the index");
	CHECK_HAS(both(&c, &cap), "the installed patch (if any) is kept");
	STILL_OK("missing repository");
	free(other);

	/* the index changed, with the old signature put under its new name */
	path = xasprintf("%s/" REPO_INDEX, r->dir);
	text = slurp(path);
	char *evil = strdup(text), *at = strstr(evil, "\"rollout\": 100"), nsha[65], *from, *to;

	memcpy(at, "\"rollout\": 099", 14);
	put(path, evil);
	sha256_hex(evil, strlen(evil), nsha);
	from = xasprintf("%s/" REPO_SIG_DIR "/%s.p7s", r->dir, sha);
	to = xasprintf("%s/" REPO_SIG_DIR "/%s.p7s", r->dir, nsha);
	uint8_t *sd;
	size_t sl;

	read_path(from, 1 << 20, &sd, &sl);
	write_file_atomic(to, sd, sl, 0644);
	free(sd);
	rc = cmd_update(&c, r->url, NULL, false);
	CHECK(rc == LPB_EXIT_VERIFY, "tampered index refused: %d", rc);
	CHECK_HAS(both(&c, &cap),
		  "signature check: the signature does not match the index's content");
	CHECK(!strcmp(result_of(f, &u), "refused"), "result refused");
	STILL_OK("tampered index");
	/* ... and without any signature */
	unlink(to);
	rc = cmd_update(&c, r->url, NULL, false);
	CHECK(rc == LPB_EXIT_VERIFY, "unsigned index refused: %d", rc);
	CHECK_HAS(both(&c, &cap), "has no signature");
	STILL_OK("unsigned index");
	put(path, text);
	free(from);
	free(to);
	free(evil);

	/* signed by a key lpctl does not trust */
	repo_publish(r, &untrusted, sha);
	rc = cmd_update(&c, r->url, NULL, false);
	CHECK(rc == LPB_EXIT_VERIFY, "wrong signer refused: %d", rc);
	CHECK_HAS(both(&c, &cap), "signed by a key that is not trusted");
	STILL_OK("wrong signer");

	/* the module on the server is not the one the index names */
	char *ko = xasprintf("%s/%s", r->dir, p->module);
	uint8_t *md;
	size_t ml;

	read_path(ko, 64 << 20, &md, &ml);
	md[ml / 2] ^= 0x55;
	write_file_atomic(ko, md, ml, 0644);
	repo_publish(r, &trusted, sha);
	rc = cmd_update(&c, r->url, NULL, false);
	CHECK(rc == LPB_EXIT_VERIFY, "tampered module refused: %d: %s", rc, both(&c, &cap));
	CHECK_HAS(both(&c, &cap), "sha256 check: its SHA-256 is");
	STILL_OK("tampered module");
	md[ml / 2] ^= 0x55;
	write_file_atomic(ko, md, ml, 0644);
	free(md);
	free(ko);

	/* an older index than one seen before (stale mirror, replay) */
	r->idx.serial -= 3;
	repo_publish(r, &trusted, sha);
	rc = cmd_update(&c, r->url, NULL, false);
	CHECK(rc == LPB_EXIT_VERIFY, "older index refused: %d", rc);
	CHECK_HAS(both(&c, &cap), "older than serial");
	STILL_OK("replayed index");
	r->idx.serial += 10;

	/* plain http is refused unless allowed */
	rc = cmd_update(&c, "http://127.0.0.1:9/repo", NULL, false);
	CHECK(rc == LPB_EXIT_ERROR, "http refused: %d", rc);
	CHECK_HAS(both(&c, &cap), "plain http:// is refused (allow_http = no)");
	STILL_OK("http");

	/* and then it goes through */
	repo_publish(r, &trusted, sha);
	rc = cmd_update(&c, r->url, NULL, false);
	CHECK(rc == 0 && active(f, "lp_next") && installed_is(f, "lp_next"),
	      "the good repository again: lp_next applied: %d: %s", rc, both(&c, &cap));
#undef STILL_OK
	free(path);
	free(text);
	kvfile_free(&u);
	ctx_done(&c, &cap);
	repo_free(r);
	fake_free(f);
}

static void test_update_download_only(void)
{
	struct fake *f = fake_new("upd-dl");
	struct repo *r = repo_new(f, "repo");
	struct lpctl c;
	struct capture cap;
	char sha[65], *dir = rp(f, "/dl"), *p, *q;
	int rc;

	set_file(f, "0123456789abcdef0123456789abcdef\n", "/etc/machine-id%s", "");
	repo_put(r, "lp_dl", "4", 100);
	repo_publish(r, &trusted, sha);
	ctx_new(&c, f, &cap);
	rc = cmd_update(&c, r->url, dir, false);
	CHECK(rc == 0 && f->inserts == 0, "download-only: %d: %s", rc, both(&c, &cap));
	p = xasprintf("%s/lp_dl.ko", dir);
	q = xasprintf("%s/lp_dl.json", dir);
	CHECK(exists(p) && exists(q), "module and manifest downloaded");
	CHECK(!installed_is(f, "lp_dl"), "nothing installed");
	free(p);
	p = rp(f, "/var/lib/lpctl/update");
	CHECK(!exists(p), "no state written");
	free(p);
	CHECK_HAS(both(&c, &cap), "lp_dl: downloaded version 4");
	/* what it downloaded installs as it is */
	p = xasprintf("%s/lp_dl.ko", dir);
	CHECK(cmd_install(&c, p, NULL) == 0, "the download installs");
	free(p);
	free(q);
	free(dir);
	ctx_done(&c, &cap);
	repo_free(r);
	fake_free(f);
}

static void test_repo_index(void)
{
	static const char *const order[] = { "1", "1.1", "1.9", "1.10", "2", "2a", "10", "010a" };
	struct repo_index idx;
	char why[300];
	int hist[100] = { 0 };

	for (size_t i = 0; i + 1 < sizeof(order) / sizeof(order[0]); i++)
		CHECK(repo_vercmp(order[i], order[i + 1]) < 0 &&
			      repo_vercmp(order[i + 1], order[i]) > 0,
		      "%s < %s", order[i], order[i + 1]);
	CHECK(repo_vercmp("007", "7") == 0, "leading zeros");
	for (int i = 0; i < 2000; i++) {
		char mid[40];

		snprintf(mid, sizeof(mid), "%032x", i * 2654435761u);
		hist[repo_bucket(mid, REPO_ID, RELEASE, "3")]++;
	}
	int lo = 2000, hi = 0;

	for (int i = 0; i < 100; i++) {
		lo = hist[i] < lo ? hist[i] : lo;
		hi = hist[i] > hi ? hist[i] : hi;
	}
	CHECK(lo >= 5 && hi <= 45, "2000 machines spread over 100 buckets (min %d max %d)", lo, hi);
	CHECK(repo_bucket("m", REPO_ID, RELEASE, "3") == repo_bucket("m", REPO_ID, RELEASE, "3"),
	      "stable");
	CHECK(repo_safe_path("6.1.0-57-cloud-amd64/0123456789abcdef/lp_x.ko") &&
		      !repo_safe_path("../etc/passwd") && !repo_safe_path("/abs") &&
		      !repo_safe_path("a//b") && !repo_safe_path("a/.hidden"),
	      "safe paths");

	const char *base = "{\"format\": \"lp-build-patch-repository\", \"format_version\": 1, "
			   "\"repository\": \"" REPO_ID "\", \"serial\": 3, \"published\": \"x\", "
			   "\"kernels\": [ { \"release\": \"6.1.0\", \"version\": \"#1\", "
			   "\"patches\": [ %s ] } ] }";
	const char *patch = "{\"name\": \"lp_a\", \"patch_version\": \"%s\", \"sha256\": "
			    "\"%064d\", \"size\": 10, \"date\": \"d\", \"rollout\": %s, "
			    "\"replace\": true, \"module\": \"%s\", \"manifest\": null, "
			    "\"fixes\": [], \"revoked\": null}";
	struct {
		const char *pv, *rollout, *module, *expect;
	} cases[] = {
		{ "2", "100", "6.1.0/aa/lp_a.ko", NULL },
		{ "2", "101", "6.1.0/aa/lp_a.ko", "\"rollout\" is not a whole number in range" },
		{ "2", "50", "../lp_a.ko", "is not a safe relative path" },
		{ "../2", "50", "a/lp_a.ko", "is not a valid version" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *pj = xasprintf(patch, cases[i].pv, 0, cases[i].rollout, cases[i].module);
		char *text = xasprintf(base, pj);
		int ret = repo_index_parse(text, strlen(text), &idx, why, sizeof(why));

		if (cases[i].expect) {
			CHECK(ret == -EBADMSG, "case %zu refused", i);
			CHECK_HAS(why, cases[i].expect);
		} else {
			CHECK(ret == 0 && idx.nr_kernels == 1 && idx.kernels[0].nr_patches == 1 &&
				      idx.kernels[0].patches[0].rollout == 100,
			      "case %zu parses: %s", i, why);
			repo_index_free(&idx);
		}
		free(text);
		free(pj);
	}
	/* newer format: says to update */
	char *text =
		xasprintf("{\"format\": \"lp-build-patch-repository\", \"format_version\": 2}");

	CHECK(repo_index_parse(text, strlen(text), &idx, why, sizeof(why)) == -EBADMSG,
	      "format 2 refused");
	CHECK_HAS(why, "written by a newer lp-build");
	free(text);
}

/* Built modules for update.sh (lp-build publish + HTTPS), in WORK/update-cli:
 * a fake root, keys, and OUTDIRs in both layouts. */
void make_update_fixtures(void)
{
	struct fake *f = fake_new("update-cli");
	struct {
		const char *dir, *name, *pv, *release;
		const struct key *k;
	} mods[] = {
		{ "out1/" RELEASE, "lp_upd_a", "1", RELEASE, &trusted },
		{ "out1/6.1.98-other", "lp_upd_o", "1", "6.1.98-other", &trusted },
		{ "out2", "lp_upd_b", "2", RELEASE, &trusted },
		{ "out3/" RELEASE, "lp_upd_c", "3", RELEASE, &trusted },
		{ "low", "lp_upd_low", "1", RELEASE, &trusted },
		{ "same", "lp_upd_b2", "2", RELEASE, &trusted },
		{ "samename", "lp_upd_a", "4", RELEASE, &trusted },
		{ "unsigned", "lp_upd_u", "9", RELEASE, NULL },
	};
	char sha[65], *p;

	set_file(f, "0123456789abcdef0123456789abcdef\n", "/etc/machine-id%s", "");
	for (size_t i = 0; i < sizeof(mods) / sizeof(mods[0]); i++) {
		struct modspec m = { .name = mods[i].name,
				     .livepatch = true,
				     .replace = 1,
				     .patch_version = mods[i].pv,
				     .release = mods[i].release };
		char *ko = rp(f, "/%s/%s.ko", mods[i].dir, mods[i].name);
		char *js = rp(f, "/%s/%s.json", mods[i].dir, mods[i].name);
		char *d = xstrdup(ko);

		*strrchr(d, '/') = 0;
		mkdir_p(d, 0755);
		make_module(ko, &m, mods[i].k, sha);
		make_manifest_v(js, mods[i].name, sha, mods[i].release, VERSION, mods[i].pv);
		free(d);
		free(ko);
		free(js);
	}
	/* what a batch run may leave beside the modules: not manifests */
	p = rp(f, "/out1/summary.json");
	put(p, "{ \"targets\": [] }\n");
	free(p);
	p = rp(f, "/out1/6.1.98-other/report.json");
	put(p, "{ \"target\": \"debian:6.1.98-other\", \"module\": \"lp_upd_o.ko\" }\n");
	free(p);
	fake_free(f);
}

void test_update(void)
{
	test_repo_index();
	test_update_apply();
	test_update_rollout();
	test_update_revoked();
	test_update_failures();
	test_update_download_only();
}
