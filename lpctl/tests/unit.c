// SPDX-License-Identifier: GPL-2.0-only
/* lpctl's in-process unit tests, no root and no VM: state files, JSON,
 * kernel log patterns, verification of generated modules signed with
 * generated keys, and whole commands against a fake kernel (sysfs, procfs
 * and /dev/kmsg under a temp root; a scripted livepatch core; fake time). */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <dirent.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "cmd.h"
#include "json.h"
#include "kmsg.h"
#include "kvfile.h"
#include "lpb-elf.h"
#include "manifest.h"
#include "modsign.h"
#include "store.h"
#include "verify.h"

static int checks, failures;
static char *work; /* the test's scratch directory */

#define CHECK(cond, ...)                                                        \
	do {                                                                    \
		checks++;                                                       \
		if (!(cond)) {                                                  \
			failures++;                                             \
			fprintf(stderr, "FAIL %s:%d: ", __func__, __LINE__);    \
			fprintf(stderr, __VA_ARGS__);                           \
			fputc('\n', stderr);                                    \
		}                                                               \
	} while (0)

#define CHECK_HAS(text, needle)                                                      \
	do {                                                                         \
		const char *t_ = (text);                                             \
		CHECK(t_ && strstr(t_, (needle)), "\"%s\" not in: %s", (needle),    \
		      t_ ? t_ : "(null)");                                           \
	} while (0)

/* ---- files ---- */

static void put(const char *path, const char *text)
{
	char *dir = xstrdup(path);

	*strrchr(dir, '/') = 0;
	mkdir_p(dir, 0755);
	free(dir);
	FILE *f = fopen(path, "w");

	if (!f) {
		perror(path);
		exit(2);
	}
	fputs(text, f);
	fclose(f);
}

static void putf(const char *path, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		exit(2);
	va_end(ap);
	put(path, s);
	free(s);
}

static void append(const char *path, const char *text)
{
	FILE *f = fopen(path, "a");

	fputs(text, f);
	fclose(f);
}

static char *slurp(const char *path)
{
	uint8_t *d;
	size_t n;

	return read_path(path, 64 << 20, &d, &n) ? NULL : (char *)d;
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(p);
}

static void rm_rf(const char *path)
{
	nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static bool exists(const char *path)
{
	return !access(path, F_OK);
}

/* ---- keys and modules, generated ---- */

struct key {
	char *key, *cert;
};

static struct key make_key(const char *name, const char *cn, long serial)
{
	struct key k = { xasprintf("%s/%s.key", work, name), xasprintf("%s/%s.crt", work, name) };
	EVP_PKEY *pk = EVP_RSA_gen(2048);
	X509 *x = X509_new();
	X509_NAME *n;
	FILE *f;

	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_set_pubkey(x, pk);
	n = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, n);
	X509_sign(x, pk, EVP_sha256());
	f = fopen(k.key, "w");
	PEM_write_PrivateKey(f, pk, NULL, NULL, 0, NULL, NULL);
	fclose(f);
	f = fopen(k.cert, "w");
	PEM_write_X509(f, x);
	fclose(f);
	X509_free(x);
	EVP_PKEY_free(pk);
	return k;
}

#define RELEASE "6.1.99-unit"
#define VERSION "#7 SMP Thu Jan 1 00:00:00 UTC 2026"

struct modspec {
	const char *name;
	const char *release, *version;
	bool livepatch, no_target;
	int replace;
};

/* A relocatable ELF with a .modinfo like lp-build's, signed with @k (NULL:
 * unsigned), at @path. Returns its SHA-256 in @sha. */
static void make_module(const char *path, const struct modspec *m, const struct key *k,
			char *sha)
{
	char info[2048];
	int n = 0;
	struct lpb_elf *elf = lpb_elf_new(path, NULL);
	uint8_t *data, *signed_mod;
	size_t len, slen;

	n += sprintf(info + n, "name=%s", m->name) + 1;
	if (m->livepatch)
		n += sprintf(info + n, "livepatch=Y") + 1;
	n += sprintf(info + n, "license=GPL") + 1;
	if (!m->no_target) {
		n += sprintf(info + n, "lpb_target_release=%s", m->release ? m->release : RELEASE) + 1;
		n += sprintf(info + n, "lpb_target_version=%s", m->version ? m->version : VERSION) + 1;
		n += sprintf(info + n, "lpb_target_label=6.1.99.7-unit") + 1;
	}
	n += sprintf(info + n, "lpb_patch_name=%s", m->name) + 1;
	n += sprintf(info + n, "lpb_patch_version=3") + 1;
	n += sprintf(info + n, "lpb_replace=%d", m->replace) + 1;
	n += sprintf(info + n, "lpb_patch_sha256=%064d fix.diff", 0) + 1;
	lpb_elf_add_section(elf, ".modinfo", SHT_PROGBITS, SHF_ALLOC, 1, 0, info, n);
	if (lpb_elf_write(elf, path)) {
		fprintf(stderr, "cannot write the fixture %s\n", path);
		exit(2);
	}
	lpb_elf_free(elf);
	read_path(path, 1 << 20, &data, &len);
	if (k) {
		if (modsign_sign(data, len, k->key, k->cert, "sha256", &signed_mod, &slen)) {
			fprintf(stderr, "cannot sign the fixture %s\n", path);
			exit(2);
		}
		write_file_atomic(path, signed_mod, slen, 0644);
		free(data);
		data = signed_mod;
		len = slen;
	}
	sha256_hex(data, len, sha);
	free(data);
}

/* lp-build's manifest for a module (the fields lpctl reads). */
static void make_manifest(const char *path, const char *name, const char *sha,
			  const char *release, const char *version)
{
	putf(path,
	     "{\n  \"name\": \"%s\",\n  \"patch_version\": \"3\",\n  \"replace\": true,\n"
	     "  \"target\": { \"release\": \"%s\", \"version\": \"%s\", \"label\": \"6.1.99.7-unit\" },\n"
	     "  \"patches\": [ { \"file\": \"fix.diff\", \"sha256\": \"%064d\" } ],\n"
	     "  \"objects\": [ { \"name\": \"vmlinux\", \"functions\": [ { \"name\": \"cmdline_proc_show\", \"sympos\": 0 }, { \"name\": \"dup\", \"sympos\": 2 } ], \"callbacks\": [] } ],\n"
	     "  \"module\": { \"file\": \"%s.ko\", \"sha256\": \"%s\", \"size\": 1, \"signed\": true }\n}\n",
	     name, release, version, 0, name, sha);
}

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
	/* what happened */
	char name[64];
	uint64_t t_insert, t_disable;
	bool disabling, kmsg_done, replace;
	int inserts, removes;
};

static char *rp(const struct fake *f, const char *fmt, ...)
{
	va_list ap;
	char *rel, *p;

	va_start(ap, fmt);
	if (vasprintf(&rel, fmt, ap) < 0)
		exit(2);
	va_end(ap);
	p = xasprintf("%s%s", f->root, rel);
	free(rel);
	return p;
}

static void set_file(const struct fake *f, const char *val, const char *fmt, const char *name)
{
	char *p = rp(f, fmt, name);

	put(p, val);
	free(p);
}

static int fake_insert(void *ctx, int fd, const char *name)
{
	struct fake *f = ctx;
	char *p;

	if (f->insert_err)
		return f->insert_err;
	f->inserts++;
	snprintf(f->name, sizeof(f->name), "%s", name);
	p = rp(f, "/sys/module/%s", name);
	mkdir_p(p, 0755);
	free(p);
	set_file(f, "1\n", "/sys/kernel/livepatch/%s/enabled", name);
	set_file(f, "1\n", "/sys/kernel/livepatch/%s/transition", name);
	f->t_insert = f->now;
	f->disabling = false;
	return 0;
}

static int fake_remove(void *ctx, const char *name)
{
	struct fake *f = ctx;
	char *lp = rp(f, "/sys/kernel/livepatch/%s", name), *m = rp(f, "/sys/module/%s", name);
	int ret = 0;

	if (exists(lp))
		ret = -EBUSY;
	else if (!exists(m))
		ret = -ENOENT;
	else if (rmdir(m))
		ret = -errno;
	if (!ret)
		f->removes++;
	free(lp);
	free(m);
	return ret;
}

/* The livepatch core: the transition ends after transition_ms (replacing
 * the other patches if asked); a write of 0 to enabled reverses or
 * disables, and the patch is gone disable_ms later. */
static void fake_step(struct fake *f)
{
	char *dir, *en, *tr, *e;

	if (f->kmsg_text && !f->kmsg_done && f->now >= f->kmsg_at) {
		char *k = rp(f, "/dev/kmsg");

		append(k, f->kmsg_text);
		free(k);
		f->kmsg_done = true;
	}
	if (!f->name[0])
		return;
	dir = rp(f, "/sys/kernel/livepatch/%s", f->name);
	en = xasprintf("%s/enabled", dir);
	tr = xasprintf("%s/transition", dir);
	e = exists(dir) ? slurp(en) : NULL;
	if (e && e[0] == '0' && !f->disabling) {
		f->disabling = true;
		f->t_disable = f->now;
		put(tr, "1\n");
	} else if (e && f->disabling && f->now - f->t_disable >= f->disable_ms) {
		rm_rf(dir);
		f->disabling = false;
	} else if (e && e[0] == '1' && f->transition_ms && f->now - f->t_insert >= f->transition_ms) {
		char *t = slurp(tr);

		if (t && t[0] == '1') {
			put(tr, "0\n");
			if (f->replace) {
				/* atomic replace: the other patches go away */
				char *lpd = rp(f, "/sys/kernel/livepatch");
				DIR *d = opendir(lpd);
				struct dirent *de;

				while (d && (de = readdir(d))) {
					if (de->d_name[0] == '.' || !strcmp(de->d_name, f->name))
						continue;
					char *o = xasprintf("%s/%s", lpd, de->d_name);

					rm_rf(o);
					free(o);
				}
				if (d)
					closedir(d);
				free(lpd);
			}
		}
		free(t);
	}
	free(e);
	free(en);
	free(tr);
	free(dir);
}

static void fake_sleep(void *ctx, unsigned int ms)
{
	struct fake *f = ctx;

	f->now += ms;
	fake_step(f);
}

static uint64_t fake_now(void *ctx)
{
	return ((struct fake *)ctx)->now;
}

static struct key trusted, untrusted;

/* A fresh fake machine under work/NAME: the running kernel RELEASE/VERSION,
 * an empty kernel log, a task asleep in the patched code (pid 42), a
 * patched task (43), one outside any transition (44); lpctl trusts the
 * "trusted" key. */
static struct fake *fake_new(const char *name)
{
	struct fake *f = xcalloc(1, sizeof(*f));
	char *p;

	f->root = xasprintf("%s/%s", work, name);
	rm_rf(f->root);
	f->ops = (struct kernel_ops){ fake_insert, fake_remove, fake_sleep, fake_now, f };
	f->transition_ms = 1200;
	f->disable_ms = 300;
	f->now = 1000000;
	set_file(f, RELEASE "\n", "/proc/sys/kernel/osrelease%s", "");
	set_file(f, VERSION "\n", "/proc/sys/kernel/version%s", "");
	set_file(f, "boot-2\n", "/proc/sys/kernel/random/boot_id%s", "");
	set_file(f, "0\n", "/proc/42/task/42/patch_state%s", "");
	set_file(f, "sleeper\n", "/proc/42/task/42/comm%s", "");
	set_file(f, "[<0>] do_nanosleep+0x6d/0x170\n[<0>] hrtimer_nanosleep+0x9e/0x120\n"
		    "[<0>] do_syscall_64+0x3b/0x90\n", "/proc/42/task/42/stack%s", "");
	set_file(f, "1\n", "/proc/43/task/43/patch_state%s", "");
	set_file(f, "busy\n", "/proc/43/task/43/comm%s", "");
	set_file(f, "-1\n", "/proc/44/task/44/patch_state%s", "");
	set_file(f, "", "/dev/kmsg%s", "");
	p = rp(f, "/sys/kernel/livepatch");
	mkdir_p(p, 0755);
	free(p);
	p = rp(f, "/etc/lpctl/trusted.d/unit.crt");
	put(p, slurp(trusted.cert));
	free(p);
	return f;
}

static void fake_free(struct fake *f)
{
	free(f->root);
	free(f);
}

/* Output of one lpctl context, captured. */
struct capture {
	char *out, *err;
	size_t nout, nerr;
};

static void ctx_new(struct lpctl *c, struct fake *f, struct capture *cap)
{
	if (lpctl_init(c, f->root, NULL, NULL)) {
		fprintf(stderr, "lpctl_init failed for %s\n", f->root);
		exit(2);
	}
	c->ops = &f->ops;
	c->conf.timeout_s = 5;
	c->conf.settle_s = 10;
	*cap = (struct capture){ 0 };
	c->out = open_memstream(&cap->out, &cap->nout);
	c->err = open_memstream(&cap->err, &cap->nerr);
}

static void ctx_done(struct lpctl *c, struct capture *cap)
{
	fclose(c->out);
	fclose(c->err);
	c->out = stdout;
	c->err = stderr;
	lpctl_free(c);
	free(cap->out);
	free(cap->err);
}

static const char *both(struct lpctl *c, struct capture *cap)
{
	static char *s;

	fflush(c->out);
	fflush(c->err);
	free(s);
	s = xasprintf("%s\n%s", cap->out ? cap->out : "", cap->err ? cap->err : "");
	return s;
}

/* A signed, manifest-carrying livepatch for the fake kernel in f's root. */
static char *fake_module(struct fake *f, const char *name, int replace, char *sha)
{
	struct modspec m = { .name = name, .livepatch = true, .replace = replace };
	char *ko = xasprintf("%s/%s.ko", f->root, name), *js = xasprintf("%s/%s.json", f->root, name);

	make_module(ko, &m, &trusted, sha);
	make_manifest(js, name, sha, RELEASE, VERSION);
	free(js);
	return ko;
}

/* ---- tests ---- */

static void test_kvfile(void)
{
	struct kvfile f = { .kind = xstrdup("unit") }, g;
	char *path = xasprintf("%s/kv/state", work), *dir = xasprintf("%s/kv", work), why[200];
	char *text;
	size_t len;
	int ret;

	mkdir_p(dir, 0700);
	kv_set(&f, "name", "p1");
	kv_set(&f, "odd", "a\\b\nc=d");
	kv_add(&f, "trace", "line 1");
	kv_add(&f, "trace", "line 2");
	kv_set(&f, "name", "p2");
	CHECK(!kvfile_write(path, &f), "write");
	ret = kvfile_read(path, &g, why, sizeof(why));
	CHECK(!ret, "read back: %s", why);
	CHECK(g.kind && !strcmp(g.kind, "unit"), "kind");
	CHECK(kv_get(&g, "name") && !strcmp(kv_get(&g, "name"), "p2"), "kv_set replaces");
	CHECK(kv_get(&g, "odd") && !strcmp(kv_get(&g, "odd"), "a\\b\nc=d"), "escapes round-trip");
	CHECK(g.n == 4 && !strcmp(g.v[3].val, "line 2"), "repeated keys kept in order");
	kvfile_free(&g);

	/* no temp file left behind, mode 0600 */
	struct stat st;
	DIR *d = opendir(dir);
	struct dirent *e;
	int entries = 0;

	while ((e = readdir(d)))
		entries += e->d_name[0] != '.';
	closedir(d);
	CHECK(entries == 1, "only the state file in the directory (%d entries)", entries);
	CHECK(!stat(path, &st) && (st.st_mode & 0777) == 0600, "mode 0600");

	/* every truncation is detected */
	text = kvfile_format(&f, &len);
	int undetected = 0;

	for (size_t cut = 0; cut < len; cut++) {
		ret = kvfile_parse(text, cut, &g, why, sizeof(why));
		if (ret != -EBADMSG)
			undetected++;
		kvfile_free(&g);
	}
	CHECK(!undetected, "%d of %zu truncations not detected", undetected, len);
	ret = kvfile_parse(text, len - 30, &g, why, sizeof(why));
	CHECK(ret == -EBADMSG && strstr(why, "incomplete"), "truncated: %s", why);
	kvfile_free(&g);

	/* any changed byte in the body is detected */
	int missed = 0;

	for (size_t i = 0; i < len - 82; i++) {
		char *copy = xstrdup(text);

		copy[i] ^= 0x01;
		if (kvfile_parse(copy, len, &g, why, sizeof(why)) != -EBADMSG)
			missed++;
		kvfile_free(&g);
		free(copy);
	}
	CHECK(!missed, "%d changed bytes not detected", missed);
	text[20] ^= 0x20;
	ret = kvfile_parse(text, len, &g, why, sizeof(why));
	CHECK(ret == -EBADMSG && strstr(why, "checksum mismatch"), "changed: %s", why);
	kvfile_free(&g);
	free(text);

	CHECK(kvfile_read("/nonexistent/x", &g, why, sizeof(why)) == -ENOENT, "absent: -ENOENT");
	put(path, "");
	CHECK(kvfile_read(path, &g, why, sizeof(why)) == -EBADMSG && strstr(why, "empty"),
	      "empty file: %s", why);
	kvfile_free(&g);
	kvfile_free(&f);
	free(path);
	free(dir);
}

static void test_json(void)
{
	static const char *const bad[] = { "", "{", "{\"a\":}", "[1,2", "\"abc", "{\"a\" 1}",
					   "[1]x", "tru", "{\"a\":\"\\q\"}", "-", "[\"\\u00\"]" };
	char why[200], *path = xasprintf("%s/m.json", work), sha[65];
	struct manifest m;
	struct json *j;
	int ret;

	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		j = json_parse(bad[i], strlen(bad[i]), why, sizeof(why));
		CHECK(!j, "invalid JSON accepted: %s", bad[i]);
		json_free(j);
	}
	char deep[300];

	memset(deep, '[', 200);
	memset(deep + 200, ']', 99);
	deep[299] = 0;
	CHECK(!json_parse(deep, strlen(deep), why, sizeof(why)), "depth limit");
	CHECK_HAS(why, "nested too deeply");

	const char *good = "{\"s\": \"caf\\u00e9 \\ud83d\\ude00\", \"n\": -1.5e2, "
			   "\"b\": [true, false, null]}";

	j = json_parse(good, strlen(good), why, sizeof(why));
	CHECK(j, "valid JSON: %s", why);
	CHECK(j && !strcmp(json_get_str(j, "s"), "caf\xc3\xa9 \xf0\x9f\x98\x80"), "unicode escapes");
	CHECK(j && json_get(j, "n")->num == -150, "number");
	CHECK(j && json_get(j, "b")->n == 3 && json_get(j, "b")->items[0]->b, "array of literals");
	json_free(j);

	memset(sha, 'a', 64);
	sha[64] = 0;
	make_manifest(path, "lp_x", sha, "6.1.0", "#1");
	ret = manifest_load(path, &m, why, sizeof(why));
	CHECK(!ret, "manifest: %s", why);
	CHECK(!ret && !strcmp(m.name, "lp_x") && !strcmp(m.module_sha256, sha) && m.replace == 1,
	      "manifest fields");
	CHECK(!ret && m.nr_patches == 1 && !strcmp(m.patches[0].file, "fix.diff"), "fixes");
	CHECK(!ret && m.functions.n == 2 && !strcmp(m.functions.v[0], "vmlinux:cmdline_proc_show") &&
	      !strcmp(m.functions.v[1], "vmlinux:dup,2"), "functions");
	manifest_free(&m);
	const char *nosha = "{\"name\": \"x\", \"module\": {}}";

	ret = manifest_parse(nosha, strlen(nosha), &m, why, sizeof(why));
	CHECK(ret == -EBADMSG && strstr(why, "sha256"), "manifest without sha256: %s", why);

	/* the writer's output reads back */
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	struct json_writer w = { .f = f };

	jw_begin_object(&w, NULL);
	jw_string(&w, "q", "a \"quoted\"\nline\t\x01");
	jw_begin_array(&w, "a");
	jw_int(&w, NULL, 42);
	jw_bool(&w, NULL, false);
	jw_null(&w, NULL);
	jw_begin_object(&w, NULL);
	jw_end_object(&w);
	jw_end_array(&w);
	jw_begin_array(&w, "empty");
	jw_end_array(&w);
	jw_end_object(&w);
	fclose(f);
	j = json_parse(buf, n, why, sizeof(why));
	CHECK(j, "writer output parses: %s: %s", why, buf);
	CHECK(j && !strcmp(json_get_str(j, "q"), "a \"quoted\"\nline\t\x01"), "string round-trip");
	CHECK(j && json_get(j, "a")->n == 4 && json_get(j, "a")->items[0]->num == 42, "array");
	json_free(j);
	free(buf);
	free(path);
}

static void test_kmsg(void)
{
	static const char *const trouble[] = {
		"WARNING: CPU: 1 PID: 95 at fs/proc/array.c:436 proc_pid_status+0x1f/0x300 [lp]",
		"BUG: kernel NULL pointer dereference, address: 0000000000000008",
		"Oops: 0002 [#1] PREEMPT SMP NOPTI",
		"general protection fault, probably for non-canonical address 0xdead: 0000 [#1]",
		"Call Trace:",
		"kernel BUG at mm/slub.c:435!",
		"watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [sh:1]",
		"livepatch: failed to register patch 'lp_x'",
		"livepatch: symbol 'foo' not found in symbol table",
		"refcount_t: underflow; use-after-free.",
		"rcu: INFO: rcu_preempt self-detected stall on CPU",
		"INFO: task sh:90 blocked for more than 120 seconds.",
	};
	static const char *const fine[] = {
		"livepatch: enabling patch 'lp_x'",
		"livepatch: 'lp_x': starting patching transition",
		"livepatch: 'lp_x': patching complete",
		"livepatch: signaling remaining tasks",
		"lp_x: tainting kernel with TAINT_LIVEPATCH",
		"lpctl: inserting lp_x version 2 (sha256 0123456789abcdef)",
		"------------[ cut here ]------------",
		"EXT2-fs (vda): warning: mounting unchecked fs",
	};
	struct kmsg_record r;
	struct kmsg_watch w;
	char *path = xasprintf("%s/kmsg", work);

	for (size_t i = 0; i < sizeof(trouble) / sizeof(*trouble); i++)
		CHECK(kmsg_trouble(trouble[i]), "not seen as trouble: %s", trouble[i]);
	for (size_t i = 0; i < sizeof(fine) / sizeof(*fine); i++)
		CHECK(!kmsg_trouble(fine[i]), "seen as trouble (%s): %s", kmsg_trouble(fine[i]),
		      fine[i]);
	CHECK(!strcmp(kmsg_trouble(trouble[0]), "kernel warning"), "what a WARNING is");

	const char *rec = "4,1234,5678901,-;WARNING: at \\x41\\x5c x";

	CHECK(kmsg_parse(rec, strlen(rec), &r), "record parses");
	CHECK(r.prio == 4 && r.seq == 1234 && r.usec == 5678901, "record header");
	CHECK(r.text && !strcmp(r.text, "WARNING: at A\\ x"), "unescaped text: %s", r.text);
	free(r.text);
	CHECK(!kmsg_parse(" SUBSYSTEM=cpu", 14, &r), "continuation line skipped");
	CHECK(kmsg_parse("14,5,6,-;x", 10, &r) && r.prio == 6, "facility masked off");
	free(r.text);
	CHECK(kmsg_parse("plain line", 10, &r) && r.prio == -1 && !strcmp(r.text, "plain line"),
	      "a plain line is text");
	free(r.text);

	/* the watch: context before the hit, lines until the end of the report */
	put(path, "6,1,0,-;old WARNING: before the watch\n");
	CHECK(!kmsg_watch_open(&w, path), "open");
	append(path, "6,2,0,-;lpctl: inserting x\n6,3,0,-;------------[ cut here ]------------\n"
		     "4,4,0,-;WARNING: CPU: 0 PID: 7 at x.c:1 f+0x1/0x2 [x]\n4,5,0,-;Modules");
	CHECK(kmsg_watch_poll(&w) == 1, "the first hit is reported once");
	CHECK(w.first_seq == 2, "first record's sequence number: %llu",
	      (unsigned long long)w.first_seq);
	CHECK(w.hit_line && strstr(w.hit_line, "WARNING: CPU: 0"), "hit line: %s", w.hit_line);
	append(path, " linked in: x\n4,6,0,-;Call Trace:\n4,7,0,-;---[ end trace 0 ]---\n");
	CHECK(kmsg_watch_poll(&w) == 0, "later polls report no new first hit");
	CHECK(w.trace_ended, "end of the report seen");
	CHECK(w.trace.n == 6, "trace: 2 context lines, the hit, 3 more (%zu)", w.trace.n);
	CHECK(w.trace.n == 6 && !strcmp(w.trace.v[3], "Modules linked in: x"),
	      "a line split across reads is joined");
	CHECK(w.trace.n == 6 && strstr(w.trace.v[1], "cut here"), "context kept");
	kmsg_watch_close(&w);

	/* scanning a log from a sequence number on */
	CHECK(!kmsg_scan_since(&w, path, 5), "scan");
	CHECK(w.hit && !strcmp(w.hit_what, "call trace"), "records before 5 skipped: %s",
	      w.hit_what ? w.hit_what : "no hit");
	kmsg_watch_close(&w);
	CHECK(kmsg_watch_open(&w, "/nonexistent/kmsg") == -ENOENT, "missing log");
	kmsg_watch_close(&w);
	free(path);
}

static void test_verify(void)
{
	struct fake *f = fake_new("verify");
	struct lpctl c;
	struct capture cap;
	struct verified v;
	char why[1200], sha[65], sha2[65];
	char *ko = xasprintf("%s/m.ko", f->root), *mf = xasprintf("%s/m.json", f->root);
	struct modspec good = { .name = "lp_v", .livepatch = true, .replace = 1 };
	int rc;

	ctx_new(&c, f, &cap);
	make_module(ko, &good, &trusted, sha);
	make_manifest(mf, "lp_v", sha, RELEASE, VERSION);
	rc = verify_module(&c, ko, mf, &v, why, sizeof(why));
	CHECK(rc == 0, "good module: %s", why);
	CHECK_HAS(v.signer, "CN=unit trusted key");
	CHECK(!strcmp(v.sha256, sha) && v.has_manifest && v.mi.replace == 1, "verified fields");
	verified_free(&v);
	CHECK(verify_module(&c, ko, NULL, &v, why, sizeof(why)) == 0, "no manifest: fine");
	verified_free(&v);

	/* each check fails alone, with its own message */
	struct {
		const char *what, *msg;
		int rc;
	} seen[12];
	int ns = 0;

#define EXPECT_REFUSED(label, manifest, text)                                         \
	do {                                                                          \
		rc = verify_module(&c, ko, manifest, &v, why, sizeof(why));           \
		CHECK(rc == LPB_EXIT_VERIFY, "%s: exit %d (%s)", label, rc, why);     \
		CHECK_HAS(why, text);                                                 \
		seen[ns].what = label;                                                \
		seen[ns++].msg = xstrdup(why);                                        \
		verified_free(&v);                                                    \
	} while (0)

	make_module(ko, &good, NULL, sha2);
	EXPECT_REFUSED("unsigned", mf, "signature check: the module is not signed");
	make_module(ko, &good, &untrusted, sha2);
	EXPECT_REFUSED("untrusted", mf, "signed by a key that is not trusted (issuer "
		       "'CN=unit untrusted key', serial 04D2)");
	make_module(ko, &good, &trusted, sha2);
	{
		uint8_t *d;
		size_t n;

		read_path(ko, 1 << 20, &d, &n);
		d[100] ^= 1; /* inside the ELF header area: signed content */
		write_file_atomic(ko, d, n, 0644);
		free(d);
	}
	EXPECT_REFUSED("tampered", mf, "the signature does not match the module's content");
	make_module(ko, &good, &trusted, sha2);
	memset(sha, 'b', 64); /* another build's SHA-256 */
	make_manifest(mf, "lp_v", sha, RELEASE, VERSION);
	EXPECT_REFUSED("wrong sha256", mf, "sha256 check: the module's SHA-256 is");
	make_manifest(mf, "lp_other", sha2, RELEASE, VERSION);
	EXPECT_REFUSED("other manifest", mf, "manifest check: ");
	put(mf, "{ not json");
	EXPECT_REFUSED("bad manifest", mf, "is not a usable lp-build manifest");
	struct modspec other_rel = good, other_ver = good, not_lp = good, no_target = good;

	other_rel.release = "6.1.98-unit";
	make_module(ko, &other_rel, &trusted, sha2);
	EXPECT_REFUSED("other release", NULL, "kernel check: lp_v was built for kernel release 6.1.98-unit");
	other_ver.version = "#8 SMP Thu Jan 1 00:00:00 UTC 2026";
	make_module(ko, &other_ver, &trusted, sha2);
	EXPECT_REFUSED("other version", NULL, "this kernel's version is \"" VERSION "\"");
	not_lp.livepatch = false;
	make_module(ko, &not_lp, &trusted, sha2);
	EXPECT_REFUSED("not a livepatch", NULL, "is not a livepatch");
	no_target.no_target = true;
	make_module(ko, &no_target, &trusted, sha2);
	EXPECT_REFUSED("no target", NULL, "does not record its target kernel");
	{
		/* signed bytes that are no ELF */
		uint8_t *out;
		size_t n;

		modsign_sign((const uint8_t *)"not an ELF file at all", 22, trusted.key, trusted.cert,
			     "sha256", &out, &n);
		write_file_atomic(ko, out, n, 0644);
		free(out);
	}
	EXPECT_REFUSED("not ELF", NULL, "not a loadable x86_64 kernel module");
	make_module(ko, &good, &trusted, sha2);
	char *certs = xasprintf("%s/etc/lpctl/trusted.d", f->root);

	rm_rf(certs);
	EXPECT_REFUSED("no trust", NULL, "no trusted certificate is configured");
	for (int i = 0; i < ns; i++)
		for (int k = i + 1; k < ns; k++)
			CHECK(strcmp(seen[i].msg, seen[k].msg), "%s and %s share a message",
			      seen[i].what, seen[k].what);
	for (int i = 0; i < ns; i++)
		free((char *)seen[i].msg);
	rc = verify_module(&c, "/nonexistent.ko", NULL, &v, why, sizeof(why));
	CHECK(rc == LPB_EXIT_ERROR, "unreadable module is an error, not a refusal");
	verified_free(&v);
	free(certs);
	ctx_done(&c, &cap);
	free(ko);
	free(mf);
	fake_free(f);
}

static void test_conf(void)
{
	struct fake *f = fake_new("conf");
	struct lpctl c;
	struct capture cap;
	char *p = rp(f, "/etc/lpctl/lpctl.conf");

	ctx_new(&c, f, &cap);
	put(p, "# policy\ntransition_timeout = 45\n\n  stall_policy=wait\nsettle = 0\non_bug = keep\n");
	CHECK(!lpctl_read_conf(&c, p), "valid configuration");
	CHECK(c.conf.timeout_s == 45 && c.conf.stall == STALL_WAIT && c.conf.settle_s == 0 &&
	      c.conf.keep_on_bug, "values");
	put(p, "stall_policy = sometimes\n");
	CHECK(lpctl_read_conf(&c, p) == LPB_EXIT_ERROR, "bad value refused");
	put(p, "\n\nfoo = 1\n");
	CHECK(lpctl_read_conf(&c, p) == LPB_EXIT_ERROR, "unknown key refused");
	CHECK_HAS(both(&c, &cap), "line 3: unknown setting 'foo'");
	put(p, "transition_timeout = 0\n");
	CHECK(lpctl_read_conf(&c, p) == LPB_EXIT_ERROR, "zero timeout refused");
	CHECK(!lpctl_read_conf(&c, "/nonexistent/lpctl.conf"), "no file: defaults");
	ctx_done(&c, &cap);
	free(p);
	fake_free(f);
}

/* Two processes: the second waits for the first to release the lock. */
static void test_lock(void)
{
	struct fake *f = fake_new("lock");
	struct lpctl c;
	struct capture cap;
	char *stamp = rp(f, "/order");
	int pipefd[2], status;
	pid_t pid;

	ctx_new(&c, f, &cap);
	CHECK(!store_lock(&c), "first lock");
	if (pipe(pipefd))
		exit(2);
	pid = fork();
	if (pid == 0) {
		struct lpctl c2;
		struct capture cap2;

		/* the inherited descriptor shares the parent's lock: drop it */
		close(c.lock_fd);
		close(pipefd[0]);
		alarm(10);
		ctx_new(&c2, f, &cap2);
		(void)!write(pipefd[1], "x", 1);
		if (store_lock(&c2))
			_exit(3);
		append(stamp, "child\n");
		fflush(c2.err);
		_exit(cap2.err && strstr(cap2.err, "waiting for another lpctl run (pid ") ? 0 : 4);
	}
	close(pipefd[1]);
	char x;

	(void)!read(pipefd[0], &x, 1);
	usleep(300000);
	append(stamp, "parent\n");
	store_unlock(&c);
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child waited and said so (%d)",
	      WEXITSTATUS(status));
	char *order = slurp(stamp);

	CHECK(order && !strcmp(order, "parent\nchild\n"), "serialised: %s", order);
	free(order);
	close(pipefd[0]);
	ctx_done(&c, &cap);
	free(stamp);
	fake_free(f);
}

static char *state_file(struct fake *f, const char *name)
{
	return rp(f, "/var/lib/lpctl/" RELEASE "/%s", name);
}

static void test_apply_good(void)
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
	CHECK(json_get(json_get(j, "last"), "transition_ms") &&
	      json_get(json_get(j, "last"), "transition_ms")->num == 1200, "transition_ms");
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

static void test_apply_replace(void)
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

static void test_apply_bug(void)
{
	struct fake *f = fake_new("bug");
	struct lpctl c;
	struct capture cap;
	char sha[65], *ko = fake_module(f, "lp_warn", 1, sha), *lock, *p;
	struct kvfile lk;
	char why[100];
	int rc;

	/* a warning 3 s after insertion, during the settle window */
	f->kmsg_text = "6,10,0,-;------------[ cut here ]------------\n"
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

static void test_apply_stall(bool wait)
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

static void test_crash_marker(void)
{
	struct fake *f = fake_new("crash");
	struct lpctl c;
	struct capture cap;
	char sha[65], *ko = fake_module(f, "lp_crash", 1, sha), *p, *lock;
	int rc;

	ctx_new(&c, f, &cap);
	CHECK(cmd_install(&c, ko, NULL) == 0, "install");
	set_file(f, "<0>Kernel panic - not syncing: unit crash\n", "/sys/fs/pstore/dmesg-ramoops-%s", "0");
	/* an earlier boot died while applying it */
	write_marker(f, "lp_crash", sha, "boot-1", "0");
	rc = cmd_start(&c);
	CHECK(rc == LPB_EXIT_LOCKED && f->inserts == 0, "start after a crash: %d: %s", rc,
	      both(&c, &cap));
	CHECK_HAS(both(&c, &cap), "the machine went down while lp_crash was being applied "
		  "(boot boot-1, started 2026-01-01T00:00:00Z); locking lp_crash out");
	lock = xasprintf("%s/var/lib/lpctl/" RELEASE "/locks/lp_crash@%.16s.lock", f->root, sha);
	char *text = slurp(lock);

	CHECK_HAS(text, "trace=<0>Kernel panic - not syncing: unit crash");
	CHECK_HAS(text, "trace=pstore ");
	free(text);
	p = state_file(f, "marker");
	CHECK(!exists(p), "marker consumed");
	rc = cmd_start(&c);
	CHECK(rc == LPB_EXIT_LOCKED && f->inserts == 0, "still locked at the next start");

	/* this boot, interrupted, the log clean since: not locked */
	CHECK(cmd_unlock(&c, "lp_crash") == 0, "unlock");
	p = rp(f, "/dev/kmsg");
	put(p, "4,5,0,-;WARNING: CPU: 0 PID: 1 at old.c:1 before+0x0/0x1\n6,9,0,-;lpctl: inserting\n");
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

static void test_insert_fails(void)
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

static void test_damaged_state(void)
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
	CHECK_HAS(both(&c, &cap), "/installed is damaged (incomplete: does not end with a full line)");
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
	test_crash_marker();
	test_insert_fails();
	test_damaged_state();

	printf("lpctl unit tests: %d checks, %d failed\n", checks, failures);
	return failures ? 1 : 0;
}
