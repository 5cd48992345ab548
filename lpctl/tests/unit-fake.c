// SPDX-License-Identifier: GPL-2.0-only
/* Unit test support: scratch files, keys and modules generated at test time
 * (no binary fixtures), and the fake kernel the command tests run against. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <ftw.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "lpb-elf.h"
#include "modsign.h"
#include "unit.h"

/* ---- files ---- */

void put(const char *path, const char *text)
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

void putf(const char *path, const char *fmt, ...)
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

void append(const char *path, const char *text)
{
	FILE *f = fopen(path, "a");

	fputs(text, f);
	fclose(f);
}

char *slurp(const char *path)
{
	uint8_t *d;
	size_t n;

	return read_path(path, 64 << 20, &d, &n) ? NULL : (char *)d;
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(p);
}

void rm_rf(const char *path)
{
	nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

bool exists(const char *path)
{
	return !access(path, F_OK);
}

/* ---- keys and modules, generated ---- */

struct key make_key(const char *name, const char *cn, long serial)
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

/* A relocatable ELF with a .modinfo like lp-build's, signed with @k (NULL:
 * unsigned), at @path. Returns its SHA-256 in @sha. */
void make_module(const char *path, const struct modspec *m, const struct key *k, char *sha)
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
		n += sprintf(info + n, "lpb_target_release=%s", m->release ? m->release : RELEASE) +
		     1;
		n += sprintf(info + n, "lpb_target_version=%s", m->version ? m->version : VERSION) +
		     1;
		n += sprintf(info + n, "lpb_target_label=6.1.99.7-unit") + 1;
	}
	n += sprintf(info + n, "lpb_patch_name=%s", m->name) + 1;
	n += sprintf(info + n, "lpb_patch_version=%s", m->patch_version ? m->patch_version : "3") + 1;
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
void make_manifest(const char *path, const char *name, const char *sha, const char *release,
		   const char *version)
{
	make_manifest_v(path, name, sha, release, version, "3");
}

void make_manifest_v(const char *path, const char *name, const char *sha, const char *release,
		     const char *version, const char *patch_version)
{
	uint8_t *mod;
	size_t size = 1;
	char *ko = xstrdup(path);

	/* the module beside it, if there is one, gives the size */
	if (strlen(ko) > 5 && !strcmp(ko + strlen(ko) - 5, ".json")) {
		strcpy(ko + strlen(ko) - 5, ".ko");
		if (!read_path(ko, 64 << 20, &mod, &size))
			free(mod);
		else
			size = 1;
	}
	free(ko);
	putf(path,
	     "{\n  \"name\": \"%s\",\n  \"patch_version\": \"%s\",\n  \"replace\": true,\n"
	     "  \"target\": { \"release\": \"%s\", \"version\": \"%s\", \"label\": \"6.1.99.7-unit\" },\n"
	     "  \"patches\": [ { \"file\": \"fix.diff\", \"sha256\": \"%064d\" } ],\n"
	     "  \"objects\": [ { \"name\": \"vmlinux\", \"functions\": [ { \"name\": \"cmdline_proc_show\", \"sympos\": 0 }, { \"name\": \"dup\", \"sympos\": 2 } ], \"callbacks\": [] } ],\n"
	     "  \"module\": { \"file\": \"%s.ko\", \"sha256\": \"%s\", \"size\": %zu, \"signed\": true }\n}\n",
	     name, patch_version, release, version, 0, name, sha, size);
}

/* ---- the fake kernel ---- */

char *rp(const struct fake *f, const char *fmt, ...)
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

void set_file(const struct fake *f, const char *val, const char *fmt, const char *name)
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
	} else if (e && e[0] == '1' && f->transition_ms &&
		   f->now - f->t_insert >= f->transition_ms) {
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
	if (f->stop_at && f->now >= f->stop_at)
		lpctl_request_stop(true);
	fake_step(f);
}

static uint64_t fake_now(void *ctx)
{
	return ((struct fake *)ctx)->now;
}

struct key trusted, untrusted;

/* A fresh fake machine under work/NAME: the running kernel RELEASE/VERSION,
 * an empty kernel log, a task asleep in the patched code (pid 42), a
 * patched task (43), one outside any transition (44); lpctl trusts the
 * "trusted" key. */
struct fake *fake_new(const char *name)
{
	struct fake *f = xcalloc(1, sizeof(*f));
	char *p, *cert;

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
	set_file(f,
		 "[<0>] do_nanosleep+0x6d/0x170\n[<0>] hrtimer_nanosleep+0x9e/0x120\n"
		 "[<0>] do_syscall_64+0x3b/0x90\n",
		 "/proc/42/task/42/stack%s", "");
	set_file(f, "1\n", "/proc/43/task/43/patch_state%s", "");
	set_file(f, "busy\n", "/proc/43/task/43/comm%s", "");
	set_file(f, "-1\n", "/proc/44/task/44/patch_state%s", "");
	set_file(f, "", "/dev/kmsg%s", "");
	p = rp(f, "/sys/kernel/livepatch");
	mkdir_p(p, 0755);
	free(p);
	p = rp(f, "/etc/lpctl/trusted.d/unit.crt");
	cert = slurp(trusted.cert);
	put(p, cert);
	free(cert);
	free(p);
	return f;
}

void fake_free(struct fake *f)
{
	free(f->root);
	free(f);
}

void ctx_new(struct lpctl *c, struct fake *f, struct capture *cap)
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

void ctx_done(struct lpctl *c, struct capture *cap)
{
	fclose(c->out);
	fclose(c->err);
	c->out = stdout;
	c->err = stderr;
	lpctl_free(c);
	free(cap->out);
	free(cap->err);
}

const char *both(struct lpctl *c, struct capture *cap)
{
	static char *s;

	fflush(c->out);
	fflush(c->err);
	free(s);
	s = xasprintf("%s\n%s", cap->out ? cap->out : "", cap->err ? cap->err : "");
	return s;
}

/* A signed, manifest-carrying livepatch for the fake kernel in f's root. */
char *fake_module(struct fake *f, const char *name, int replace, char *sha)
{
	struct modspec m = { .name = name, .livepatch = true, .replace = replace };
	char *ko = xasprintf("%s/%s.ko", f->root, name),
	     *js = xasprintf("%s/%s.json", f->root, name);

	make_module(ko, &m, &trusted, sha);
	make_manifest(js, name, sha, RELEASE, VERSION);
	free(js);
	return ko;
}
