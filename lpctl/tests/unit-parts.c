// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of lpctl's parts: state files, JSON and manifests, kernel log
 * patterns and watch, verification, configuration, the run lock. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sys/wait.h>

#include "json.h"
#include "kmsg.h"
#include "kvfile.h"
#include "manifest.h"
#include "modsign.h"
#include "store.h"
#include "unit.h"
#include "verify.h"

void test_kvfile(void)
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

void test_json(void)
{
	static const char *const bad[] = { "",	   "{",		 "{\"a\":}",
					   "[1,2", "\"abc",	 "{\"a\" 1}",
					   "[1]x", "tru",	 "{\"a\":\"\\q\"}",
					   "-",	   "[\"\\u00\"]" };
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
	CHECK(j && !strcmp(json_get_str(j, "s"), "caf\xc3\xa9 \xf0\x9f\x98\x80"),
	      "unicode escapes");
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
	CHECK(!ret && m.functions.n == 2 &&
		      !strcmp(m.functions.v[0], "vmlinux:cmdline_proc_show") &&
		      !strcmp(m.functions.v[1], "vmlinux:dup,2"),
	      "functions");
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

void test_kmsg(void)
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

	/* lpctl's own note about a patch named like trouble is no trouble */
	free(path);
	path = xasprintf("%s/kmsg-note", work);
	put(path, "");
	CHECK(!kmsg_watch_open(&w, path), "open");
	CHECK(!kmsg_write(path, "lpctl: inserting lp_Oops_fix version 1"), "note written");
	CHECK(kmsg_watch_poll(&w) == 0 && !w.hit && w.nr_lines == 1, "own note not a hit");
	kmsg_watch_close(&w);
	free(path);
	path = xasprintf("%s/kmsg", work);

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

void test_verify(void)
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

#define EXPECT_REFUSED(label, manifest, text)                                                      \
	do {                                                                                       \
		rc = verify_module(&c, ko, manifest, &v, why, sizeof(why));                        \
		CHECK(rc == LPB_EXIT_VERIFY, "%s: exit %d (%s)", label, rc, why);                  \
		CHECK_HAS(why, text);                                                              \
		seen[ns].what = label;                                                             \
		seen[ns++].msg = xstrdup(why);                                                     \
		verified_free(&v);                                                                 \
	} while (0)

	make_module(ko, &good, NULL, sha2);
	EXPECT_REFUSED("unsigned", mf, "signature check: the module is not signed");
	make_module(ko, &good, &untrusted, sha2);
	EXPECT_REFUSED("untrusted", mf,
		       "signed by a key that is not trusted (issuer "
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
	EXPECT_REFUSED("other release", NULL,
		       "kernel check: lp_v was built for kernel release 6.1.98-unit");
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

		modsign_sign((const uint8_t *)"not an ELF file at all", 22, trusted.key,
			     trusted.cert, "sha256", &out, &n);
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

void test_conf(void)
{
	struct fake *f = fake_new("conf");
	struct lpctl c;
	struct capture cap;
	char *p = rp(f, "/etc/lpctl/lpctl.conf");

	ctx_new(&c, f, &cap);
	put(p,
	    "# policy\ntransition_timeout = 45\n\n  stall_policy=wait\nsettle = 0\non_bug = keep\n");
	CHECK(!lpctl_read_conf(&c, p), "valid configuration");
	CHECK(c.conf.timeout_s == 45 && c.conf.stall == STALL_WAIT && c.conf.settle_s == 0 &&
		      c.conf.keep_on_bug,
	      "values");
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
void test_lock(void)
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
