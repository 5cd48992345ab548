// SPDX-License-Identifier: GPL-2.0-only
/* libFuzzer target for lpctl's state files (lpctl/kvfile.c, store.c and the
 * commands reading them: status, list, the crash-marker check) and its
 * configuration file, on a fake root under /dev/shm.
 *
 * The input is text: "@@ NAME" lines start the files to lay out (installed,
 * last, marker, conf, locks/N@S.lock, patches/F); a last line
 * "checksum=fix" is replaced by the right checksum line, so mutations of
 * the records get past the checksum, and mutations of it test it. */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apply.h"
#include "cmd.h"
#include "kvfile.h"
#include "lpctl.h"
#include "store.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define RELEASE "6.1.99-fuzz"
#define FIX_LINE "checksum=fix\n"

static char root[64];
static struct lpctl ctx;

static void put(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "w");

	/* its directories only when missing: a mkdir per component of every
	 * file was a third of the system calls of a run */
	if (!f && errno == ENOENT) {
		char *dir = xstrdup(path);

		*strrchr(dir, '/') = 0;
		mkdir_p(dir, 0700);
		free(dir);
		f = fopen(path, "w");
	}
	if (!f)
		return;
	fwrite(data, 1, len, f);
	fclose(f);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void rm_tree(const char *path)
{
	nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void remove_root(void)
{
	rm_tree(root);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char *p;

	snprintf(root, sizeof(root), "%s/lpb-fuzz-state.XXXXXX",
		 access("/dev/shm", W_OK) ? "/tmp" : "/dev/shm");
	if (!mkdtemp(root)) {
		perror("fuzz-state: mkdtemp");
		exit(1);
	}
	atexit(remove_root);
	p = xasprintf("%s/proc/sys/kernel/osrelease", root);
	put(p, RELEASE "\n", strlen(RELEASE) + 1);
	free(p);
	p = xasprintf("%s/proc/sys/kernel/version", root);
	put(p, "#1 SMP fuzz\n", 12);
	free(p);
	p = xasprintf("%s/proc/sys/kernel/random/boot_id", root);
	put(p, "fuzz-boot\n", 10);
	free(p);
	p = xasprintf("%s/dev/kmsg", root);
	put(p, "", 0);
	free(p);
	p = xasprintf("%s/sys/kernel/livepatch/.keep", root);
	put(p, "", 0);
	free(p);
	if (lpctl_init(&ctx, root, NULL, NULL))
		exit(1);
	ctx.out = ctx.err = fopen("/dev/null", "w");
	if (!ctx.out)
		exit(1);
	return 0;
}

/* Names a file may have under the release directory: no way out of it. */
static bool good_name(const char *n, size_t len)
{
	if (!len || len > 120 || n[0] == '/' || memmem(n, len, "..", 2))
		return false;
	return strspn(n, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.@/") >=
	       len;
}

/* Lay out one file; "checksum=fix" as its last line gets the right checksum. */
static void lay_out(const char *name, size_t nlen, const char *body, size_t len)
{
	char hex[SHA256_HEX_LEN + 1], *path, *text;
	size_t fix = strlen(FIX_LINE);

	if (nlen == 4 && !memcmp(name, "conf", 4))
		path = xasprintf("%s/lpctl.conf", ctx.conf_dir);
	else if (good_name(name, nlen))
		path = xasprintf("%s/%.*s", ctx.rel_dir, (int)nlen, name);
	else
		return;
	text = xcalloc(1, len + SHA256_HEX_LEN + 32);
	memcpy(text, body, len);
	if (len >= fix && !memcmp(body + len - fix, FIX_LINE, fix) &&
	    (len == fix || body[len - fix - 1] == '\n')) {
		len -= fix;
		sha256_hex(text, len, hex);
		len += sprintf(text + len, "checksum=sha256:%s\n", hex);
	}
	put(path, text, len);
	free(text);
	free(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	char *conf = xasprintf("%s/lpctl.conf", ctx.conf_dir);

	/* everything before the first "@@ " line is ignored */
	while (p < end) {
		const char *nl = memchr(p, '\n', end - p), *next, *body;

		if (!nl)
			break;
		if (end - p < 3 || memcmp(p, "@@ ", 3)) {
			p = nl + 1;
			continue;
		}
		body = nl + 1;
		for (next = body; next < end;) {
			const char *n2 = memchr(next, '\n', end - next);

			if (end - next >= 3 && !memcmp(next, "@@ ", 3))
				break;
			next = n2 ? n2 + 1 : end;
		}
		lay_out(p + 3, nl - p - 3, body, next - body);
		p = next;
	}

	lpctl_read_conf(&ctx, conf);
	ctx.conf = (struct lpctl_conf){ .timeout_s = 30, .stall = STALL_REVERSE, .settle_s = 10 };
	cmd_status(&ctx, false);
	cmd_status(&ctx, true);
	cmd_list(&ctx);
	apply_check_marker(&ctx);

	rm_tree(ctx.state_dir);
	unlink(conf);
	free(conf);
	return 0;
}
