// SPDX-License-Identifier: GPL-2.0-only
/* `lp-build publish`: plans the repository's next index from what is
 * published, the modules of OUTDIR, revocations and rollout changes, and
 * refuses whatever would let a machine go backwards or be confused. */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/rand.h>

#include "exit-codes.h"
#include "json.h"
#include "modsign.h"
#include "publish.h"

static const char usage_text[] =
	"usage: lp-build publish [OPTIONS] [OUTDIR] REPO\n"
	"\n"
	"Adds the modules lp-build built into OUTDIR (NAME.ko + NAME.json, directly or in\n"
	"one subdirectory per kernel release) to the patch repository REPO, a directory\n"
	"any web server can serve, and signs its index.\n"
	"\n"
	"      --key KEY.pem        sign the index with this private key...\n"
	"      --cert CERT.pem      ...and certificate (lpctl trusts it in trusted.d/)\n"
	"      --hash ALGO          signature digest: sha256 (default), sha384, sha512\n"
	"      --rollout PCT        phased rollout of the added modules (default 100); without\n"
	"                           OUTDIR: set it for the newest patch of each kernel\n"
	"      --release R[:V]      without OUTDIR: change the rollout of release R (patch\n"
	"                           version V; default its newest) only (repeatable)\n"
	"      --revoke R[:V]       revoke patch version V (default: the newest) of kernel\n"
	"                           release R: machines unload it and never insert it again\n"
	"      --reason TEXT        why, recorded with the revocations\n"
	"      --trust CERT.pem     accept an existing index signed by this certificate too\n"
	"                           (after a key change; repeatable)\n"
	"  -n, --dry-run            say what would change, write nothing\n"
	"  -q, --quiet              only errors\n"
	"\n"
	"exit codes: 0 published (or nothing to do), 1 error or refusal (see lp-build(1))\n";

static int usage(int rc)
{
	fputs(usage_text, rc ? stderr : stdout);
	return rc;
}

static void say(struct publish *pb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void say(struct publish *pb, const char *fmt, ...)
{
	va_list ap;

	if (pb->o->quiet)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static int refuse(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int refuse(const char *fmt, ...)
{
	va_list ap;

	fputs("lp-build publish: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -1;
}

/* ---- OUTDIR: the modules to add ---- */

static void addition_free(struct addition *a)
{
	free(a->ko);
	free(a->json);
	free(a->release);
	free(a->version);
	free(a->label);
	repo_patch_free(&a->p);
}

/* lp-build's manifest has a "target" object with a release and a "module"
 * object with a sha256; anything else (a batch run's summary or per-target
 * reports) is not one. */
static bool is_manifest(const char *text, size_t len)
{
	struct json *j = json_parse(text, len, NULL, 0);
	const struct json *t = json_get(j, "target"), *m = json_get(j, "module");
	bool yes = t && m && t->type == JSON_OBJECT && m->type == JSON_OBJECT &&
		   json_get(t, "release") && json_get(m, "sha256");

	json_free(j);
	return yes;
}

/*
 * @json, if it is lp-build's manifest of a module beside it: 1 with @a
 * filled, 0 when it is some other JSON file (summary.json), -1 when it is a
 * manifest that cannot be published as it is.
 */
static int read_addition(const char *json, struct addition *a)
{
	char why[300], sha[65], *text, *dir;
	size_t len;
	int ret;

	*a = (struct addition){ 0 };
	text = read_file(json, &len);
	if (!text)
		return -1;
	if (!is_manifest(text, len)) {
		free(text);
		return 0;
	}
	ret = repo_patch_from_manifest(text, len, &a->p, &a->release, &a->version, &a->label, why,
				       sizeof(why));
	sha256_hex(text, len, sha);
	free(text);
	if (ret)
		return refuse("%s: %s", json, why);
	a->json = xstrdup(json);
	a->p.manifest_sha256 = xstrdup(sha);
	dir = xstrdup(json);
	*strrchr(dir, '/') = 0;
	a->ko = xasprintf("%s/%s.ko", dir, a->p.name);
	free(dir);
	if (!path_exists(a->ko))
		return refuse("%s describes %s, which is not there", json, a->ko);
	if (sha256_file(a->ko, sha))
		return -1;
	if (strcmp(sha, a->p.sha256))
		return refuse("%s: its SHA-256 is %s, its manifest %s says %s: not the build the "
			      "manifest describes (build it again)",
			      a->ko, sha, json, a->p.sha256);
	text = read_file(a->ko, &len);
	if (!text)
		return -1;
	ret = modsign_is_signed((uint8_t *)text, len);
	free(text);
	if (!ret)
		return refuse("%s is not signed: lpctl refuses unsigned modules (build with "
			      "--key/--cert, or lp-build sign)",
			      a->ko);
	return 1;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* OUTDIR/NAME.json and OUTDIR/<dir>/NAME.json (a batch run's per-release
 * layout). */
static void find_manifests(const char *dir, int depth, struct strvec *out)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	struct strvec names = { 0 };

	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.')
			sv_push(&names, e->d_name);
	if (d)
		closedir(d);
	if (names.n)
		qsort(names.v, names.n, sizeof(*names.v), cmp_str);
	for (size_t i = 0; i < names.n; i++) {
		char *p = xasprintf("%s/%s", dir, names.v[i]);
		size_t n = strlen(names.v[i]);

		if (is_dir(p)) {
			if (depth == 0)
				find_manifests(p, 1, out);
		} else if (n > 5 && !strcmp(names.v[i] + n - 5, ".json")) {
			sv_push(out, p);
		}
		free(p);
	}
	sv_free(&names);
}

static int scan_outdir(struct publish *pb)
{
	struct strvec jsons = { 0 };
	int ret = 0;

	if (!is_dir(pb->o->outdir))
		return refuse("%s is not a directory of built modules", pb->o->outdir);
	find_manifests(pb->o->outdir, 0, &jsons);
	for (size_t i = 0; i < jsons.n && !ret; i++) {
		struct addition a;
		int r = read_addition(jsons.v[i], &a);

		if (r <= 0) {
			addition_free(&a);
			ret = r;
			continue;
		}
		for (size_t k = 0; k < pb->nr_adds; k++)
			if (!strcmp(pb->adds[k].release, a.release) &&
			    !strcmp(pb->adds[k].version, a.version))
				ret = refuse("%s and %s are both for kernel %s \"%s\": publish one "
					     "module per kernel (the cumulative one)",
					     pb->adds[k].json, a.json, a.release, a.version);
		if (ret) {
			addition_free(&a);
			continue;
		}
		pb->adds = xrealloc(pb->adds, (pb->nr_adds + 1) * sizeof(*pb->adds));
		pb->adds[pb->nr_adds++] = a;
	}
	sv_free(&jsons);
	if (!ret && !pb->nr_adds)
		ret = refuse("%s holds no module built by lp-build (NAME.ko with its NAME.json)",
			     pb->o->outdir);
	return ret;
}

/* ---- planning ---- */

static struct repo_patch *newest_live(struct repo_kernel *k)
{
	for (size_t i = 0; i < k->nr_patches; i++)
		if (!k->patches[i].revoked)
			return &k->patches[i];
	return NULL;
}

/* "RELEASE[:VERSION]" -> release and version (NULL when not given). */
static int split_spec(const char *spec, char **release, char **version)
{
	const char *colon = strchr(spec, ':');

	*release = colon ? xasprintf("%.*s", (int)(colon - spec), spec) : xstrdup(spec);
	*version = colon ? xstrdup(colon + 1) : NULL;
	if (!repo_safe_word(*release) || (*version && !repo_safe_word(*version))) {
		refuse("'%s' is not RELEASE[:PATCH_VERSION]", spec);
		free(*release);
		free(*version);
		return -1;
	}
	return 0;
}

static int revoke_one(struct publish *pb, const char *spec)
{
	char *release, *version;
	int found = 0, ret = 0;

	if (split_spec(spec, &release, &version))
		return -1;
	for (size_t i = 0; i < pb->idx.nr_kernels; i++) {
		struct repo_kernel *k = &pb->idx.kernels[i];
		struct repo_patch *p = NULL;

		if (strcmp(k->release, release))
			continue;
		for (size_t j = 0; version && j < k->nr_patches; j++)
			if (!repo_vercmp(k->patches[j].patch_version, version))
				p = &k->patches[j];
		if (!version)
			p = newest_live(k);
		if (!p)
			continue;
		found++;
		if (p->revoked) {
			say(pb, "already revoked: %s %s version %s (%s)", k->release, p->name,
			    p->patch_version, p->revoked_date);
			continue;
		}
		p->revoked = true;
		p->revoked_date = xstrdup(pb->now);
		p->revoked_reason = xstrdup(pb->o->reason ? pb->o->reason : "");
		free(p->module);
		free(p->manifest);
		free(p->manifest_sha256);
		p->module = p->manifest = p->manifest_sha256 = NULL;
		pb->changes++;
		say(pb, "revoked: %s %s version %s (sha256 %.16s)%s%s", k->release, p->name,
		    p->patch_version, p->sha256, pb->o->reason ? ": " : "",
		    pb->o->reason ? pb->o->reason : "");
	}
	if (!found && version)
		ret = refuse("--revoke %s: kernel release %s has no published patch version %s",
			     spec, release, version);
	else if (!found)
		ret = refuse("--revoke %s: kernel release %s has no published patch that is not "
			     "revoked already",
			     spec, release);
	free(release);
	free(version);
	return ret;
}

/* Can @a be published for @k? 1 yes, 0 already there (same build), -1 no. */
static int admissible(struct publish *pb, const struct repo_kernel *k, const struct addition *a)
{
	const struct repo_patch *top = k->nr_patches ? &k->patches[0] : NULL;

	for (size_t i = 0; i < k->nr_patches; i++) {
		const struct repo_patch *p = &k->patches[i];

		if (!strcmp(p->sha256, a->p.sha256)) {
			if (p->revoked)
				return refuse("%s is %s version %s for %s, which was revoked on %s: "
					      "publish a new build with a higher --patch-version",
					      a->ko, p->name, p->patch_version, k->release,
					      p->revoked_date);
			say(pb, "already published: %s %s version %s", k->release, p->name,
			    p->patch_version);
			return 0;
		}
		if (!strcmp(p->name, a->p.name))
			return refuse("%s: %s version %s for %s is already published under the module "
				      "name %s; a machine running it could not load the new build "
				      "(one module per name): build it with another -n NAME",
				      a->ko, p->name, p->patch_version, k->release, a->p.name);
	}
	if (top && repo_vercmp(a->p.patch_version, top->patch_version) <= 0)
		return refuse("%s is patch version %s for %s, but version %s%s is already "
			      "published: machines never go back; build it with --patch-version "
			      "higher than %s",
			      a->ko, a->p.patch_version, k->release, top->patch_version,
			      top->revoked ? " (revoked)" : "", top->patch_version);
	return 1;
}

static int add_all(struct publish *pb)
{
	for (size_t i = 0; i < pb->nr_adds; i++) {
		struct addition *a = &pb->adds[i];
		struct repo_kernel *k = repo_find_kernel(&pb->idx, a->release, a->version);
		struct repo_patch copy;
		int r;

		if (!k)
			k = repo_add_kernel(&pb->idx, a->release, a->version, a->label);
		if (!k)
			return refuse("out of memory");
		r = admissible(pb, k, a);
		if (r < 0)
			return -1;
		if (r == 0) {
			/* nothing to copy for it */
			addition_free(a);
			memmove(a, a + 1, (pb->nr_adds - i - 1) * sizeof(*a));
			pb->nr_adds--;
			i--;
			continue;
		}
		a->p.date = xstrdup(pb->now);
		a->p.rollout = pb->o->rollout >= 0 ? pb->o->rollout : 100;
		a->p.module = xasprintf("%s/%.16s/%s.ko", a->release, a->p.sha256, a->p.name);
		a->p.manifest = xasprintf("%s/%.16s/%s.json", a->release, a->p.sha256, a->p.name);
		/* the index gets a copy; the addition keeps what repo_write copies */
		copy = a->p;
		copy.name = xstrdup(a->p.name);
		copy.patch_version = xstrdup(a->p.patch_version);
		copy.sha256 = xstrdup(a->p.sha256);
		copy.date = xstrdup(a->p.date);
		copy.module = xstrdup(a->p.module);
		copy.manifest = xstrdup(a->p.manifest);
		copy.manifest_sha256 = xstrdup(a->p.manifest_sha256);
		copy.fixes = xcalloc(a->p.nr_fixes + 1, sizeof(*copy.fixes));
		for (size_t f = 0; f < a->p.nr_fixes; f++)
			copy.fixes[f] = xstrdup(a->p.fixes[f]);
		copy.revoked_date = copy.revoked_reason = NULL;
		if (repo_add_patch(k, &copy))
			return refuse("out of memory");
		pb->changes++;
		say(pb, "added: %s %s version %s (sha256 %.16s, rollout %d %%)", a->release,
		    a->p.name, a->p.patch_version, a->p.sha256, a->p.rollout);
	}
	return 0;
}

static bool selected(const struct publish *pb, const struct repo_kernel *k,
		     const struct repo_patch *p, bool *named)
{
	*named = false;
	if (!pb->o->only.n)
		return p == newest_live((struct repo_kernel *)k);
	for (size_t i = 0; i < pb->o->only.n; i++) {
		char *release, *version;
		bool hit;

		if (split_spec(pb->o->only.v[i], &release, &version))
			continue;
		hit = !strcmp(release, k->release) &&
		      (version ? !repo_vercmp(version, p->patch_version) :
				 p == newest_live((struct repo_kernel *)k));
		free(release);
		free(version);
		if (hit) {
			*named = true;
			return true;
		}
	}
	return false;
}

static int set_rollout(struct publish *pb)
{
	int hits = 0;

	for (size_t i = 0; i < pb->o->only.n; i++) {
		char *r, *v;

		if (split_spec(pb->o->only.v[i], &r, &v))
			return -1;
		free(r);
		free(v);
	}
	for (size_t i = 0; i < pb->idx.nr_kernels; i++) {
		struct repo_kernel *k = &pb->idx.kernels[i];

		for (size_t j = 0; j < k->nr_patches; j++) {
			struct repo_patch *p = &k->patches[j];
			bool named;

			if (!selected(pb, k, p, &named))
				continue;
			if (p->revoked || !p->module) {
				if (named)
					return refuse("%s %s version %s is %s: its rollout cannot "
						      "change",
						      k->release, p->name, p->patch_version,
						      p->revoked ? "revoked" : "superseded");
				continue;
			}
			hits++;
			if (p->rollout == pb->o->rollout)
				continue;
			say(pb, "rollout: %s %s version %s: %d %% -> %d %%", k->release, p->name,
			    p->patch_version, p->rollout, pb->o->rollout);
			p->rollout = pb->o->rollout;
			pb->changes++;
		}
	}
	if (!hits)
		return refuse("--rollout: no published patch matches%s",
			      pb->o->only.n ? " the --release arguments" : "");
	return 0;
}

/*
 * Which modules stay downloadable: per kernel, every live patch down to and
 * including the newest one rolled out to everybody (machines outside a
 * partial rollout take that one). Older ones are superseded: the index stops
 * naming them; their files go once no index of the last two names them
 * (and they are 10 minutes old).
 */
static void supersede(struct publish *pb)
{
	for (size_t i = 0; i < pb->idx.nr_kernels; i++) {
		struct repo_kernel *k = &pb->idx.kernels[i];
		bool full = false;

		for (size_t j = 0; j < k->nr_patches; j++) {
			struct repo_patch *p = &k->patches[j];

			if (p->revoked || !p->module)
				continue;
			if (full) {
				say(pb, "superseded: %s %s version %s", k->release, p->name,
				    p->patch_version);
				free(p->module);
				free(p->manifest);
				free(p->manifest_sha256);
				p->module = p->manifest = p->manifest_sha256 = NULL;
				pb->changes++;
			} else if (p->rollout >= 100) {
				full = true;
			}
		}
	}
}

static int new_repository_id(char **id)
{
	unsigned char r[16];

	if (RAND_bytes(r, sizeof(r)) != 1)
		return refuse("cannot make a random repository id");
	*id = xcalloc(1, 33);
	for (int i = 0; i < 16; i++)
		sprintf(*id + 2 * i, "%02x", r[i]);
	return 0;
}

/* The new index starts as a copy of the published one. */
static int start_index(struct publish *pb)
{
	char *text = NULL, why[200];
	size_t len = 0;
	FILE *f;
	int ret;

	if (!pb->had_index) {
		pb->idx = (struct repo_index){ .serial = 0 };
		return new_repository_id(&pb->idx.repository);
	}
	f = open_memstream(&text, &len);
	ret = f && !repo_index_write(f, &pb->old) && !fclose(f) ? 0 : -1;
	if (!ret && repo_index_parse(text, len, &pb->idx, why, sizeof(why)))
		ret = refuse("the index does not read back: %s", why);
	free(text);
	return ret;
}

static int plan(struct publish *pb)
{
	if (start_index(pb))
		return -1;
	/* revocations first: "--revoke R" means what was published, not this run's */
	for (size_t i = 0; i < pb->o->revoke.n; i++)
		if (revoke_one(pb, pb->o->revoke.v[i]))
			return -1;
	if (pb->o->outdir && add_all(pb))
		return -1;
	if (!pb->o->outdir && pb->o->rollout >= 0 && set_rollout(pb))
		return -1;
	if (pb->changes)
		supersede(pb);
	return 0;
}

/* ---- the command ---- */

static int parse(int argc, char **argv, struct publish_opts *o)
{
	enum { O_KEY = 256, O_CERT, O_HASH, O_ROLLOUT, O_RELEASE, O_REVOKE, O_REASON, O_TRUST };
	static const struct option lopts[] = {
		{ "key", required_argument, NULL, O_KEY },
		{ "cert", required_argument, NULL, O_CERT },
		{ "hash", required_argument, NULL, O_HASH },
		{ "rollout", required_argument, NULL, O_ROLLOUT },
		{ "release", required_argument, NULL, O_RELEASE },
		{ "revoke", required_argument, NULL, O_REVOKE },
		{ "reason", required_argument, NULL, O_REASON },
		{ "trust", required_argument, NULL, O_TRUST },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	char *end;
	int c;

	while ((c = getopt_long(argc, argv, "nqh", lopts, NULL)) != -1) {
		switch (c) {
		case O_KEY: o->key = optarg; break;
		case O_CERT: o->cert = optarg; break;
		case O_HASH: o->hash = optarg; break;
		case O_ROLLOUT:
			o->rollout = (int)strtol(optarg, &end, 10);
			if (end == optarg || *end || o->rollout < 0 || o->rollout > 100)
				return refuse("--rollout wants a percentage 0..100, not '%s'", optarg);
			break;
		case O_RELEASE: sv_push(&o->only, optarg); break;
		case O_REVOKE: sv_push(&o->revoke, optarg); break;
		case O_REASON: o->reason = optarg; break;
		case O_TRUST: sv_push(&o->trust, optarg); break;
		case 'n': o->dry_run = true; break;
		case 'q': o->quiet = true; break;
		case 'h': usage(0); return 1;
		default: usage(LPB_EXIT_ERROR); return -1;
		}
	}
	if (argc - optind == 2) {
		o->outdir = argv[optind];
		o->repo = argv[optind + 1];
	} else if (argc - optind == 1) {
		o->repo = argv[optind];
	} else {
		usage(LPB_EXIT_ERROR);
		return -1;
	}
	if (!o->cert || (!o->key && !o->dry_run))
		return refuse("--key and --cert are required (the index is signed; --dry-run "
			      "needs --cert to check the published one)");
	if (!o->outdir && !o->revoke.n && o->rollout < 0)
		return refuse("nothing to do: give OUTDIR (modules to add), --revoke or --rollout");
	if (o->only.n && (o->outdir || o->rollout < 0))
		return refuse("--release chooses whose rollout changes: use it with --rollout and "
			      "without OUTDIR");
	if (o->reason && !o->revoke.n)
		return refuse("--reason goes with --revoke");
	return 0;
}

static int count_patches(const struct repo_index *idx, size_t *live)
{
	int n = 0;

	*live = 0;
	for (size_t i = 0; i < idx->nr_kernels; i++)
		for (size_t j = 0; j < idx->kernels[i].nr_patches; j++) {
			n++;
			*live += !idx->kernels[i].patches[j].revoked &&
				 idx->kernels[i].patches[j].module;
		}
	return n;
}

int publish_main(int argc, char **argv)
{
	struct publish_opts o = { .hash = "sha256", .rollout = -1 };
	struct publish pb = { .o = &o, .lock_fd = -1 };
	double t0 = now_seconds();
	time_t t = time(NULL);
	struct tm tm;
	char sha[65];
	size_t live;
	int rc = LPB_EXIT_ERROR, ret, removed;

	ret = parse(argc, argv, &o);
	if (ret) {
		rc = ret > 0 ? 0 : LPB_EXIT_ERROR; /* 1: --help */
		goto out;
	}
	gmtime_r(&t, &tm);
	strftime(pb.now, sizeof(pb.now), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (o.outdir && scan_outdir(&pb))
		goto out;
	/* a dry run against a repository yet to be made creates nothing */
	if ((!o.dry_run || is_dir(o.repo)) && repo_lock(&pb))
		goto out;
	if (repo_load(&pb) || plan(&pb))
		goto out;
	if (!pb.changes) {
		say(&pb, "nothing to publish: %s is up to date (serial %lld)", o.repo,
		    pb.old.serial);
		rc = 0;
		goto out;
	}
	pb.idx.serial = pb.had_index ? pb.old.serial + 1 : 1;
	free(pb.idx.published);
	pb.idx.published = xstrdup(pb.now);
	if (o.dry_run) {
		say(&pb, "dry run: index serial %lld not written", pb.idx.serial);
		rc = 0;
		goto out;
	}
	if (repo_write(&pb, sha))
		goto out;
	removed = repo_prune(&pb, sha);
	count_patches(&pb.idx, &live);
	say(&pb, "published: %s/%s serial %lld (%zu kernels, %zu downloadable patches)%s", o.repo,
	    REPO_INDEX, pb.idx.serial, pb.idx.nr_kernels, live,
	    pb.had_index ? "" : ", a new repository");
	say(&pb, "signed: %s/%s/%s.p7s", o.repo, REPO_SIG_DIR, sha);
	if (removed)
		say(&pb, "removed %d module director%s no index names any more", removed,
		    removed == 1 ? "y" : "ies");
	say(&pb, "done in %.2f s", now_seconds() - t0);
	rc = 0;
out:
	repo_unlock(&pb);
	for (size_t i = 0; i < pb.nr_adds; i++)
		addition_free(&pb.adds[i]);
	free(pb.adds);
	repo_index_free(&pb.old);
	repo_index_free(&pb.idx);
	sv_free(&o.trust);
	sv_free(&o.revoke);
	sv_free(&o.only);
	return rc;
}
