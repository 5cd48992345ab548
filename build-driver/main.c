// SPDX-License-Identifier: GPL-2.0-only
/* lp-build: turn kernel source patches into a signed, cumulative livepatch
 * module. Parses the command line and maps results to exit codes. */
#include <errno.h>
#include <getopt.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "batch.h"
#include "build.h"
#include "cache-cmd.h"
#include "exit-codes.h"
#include "keygen.h"
#include "klp-write.h"
#include "locate.h"
#include "modsign.h"
#include "publish.h"
#include "run.h"
#include "targetfile.h"

static const char usage_text[] =
	"usage: lp-build -s SRC -c CONFIG [-v DEBUG_VMLINUX] [-o OUTDIR] [-n NAME] [-j N]\n"
	"                [--key KEY.pem --cert CERT.pem] [--no-replace] patch.diff...\n"
	"       lp-build --target debian:RELEASE [options] patch.diff...\n"
	"       lp-build --target T1 --target T2... | --targets FILE [options] patch.diff...\n"
	"       lp-build fetch [--refresh] debian:RELEASE|debian:SERIES\n"
	"       lp-build targets [--json] [TARGET...]\n"
	"       lp-build cache [--clear | --trim SIZE] [--tree KEY] [--json]\n"
	"       lp-build keygen -o DIR [--subject CN]\n"
	"       lp-build sign --key KEY.pem --cert CERT.pem MODULE.ko [-o OUT.ko]\n"
	"       lp-build publish --key KEY.pem --cert CERT.pem [OPTIONS] [OUTDIR] REPO\n"
	"                (lp-build publish --help)\n"
	"\n"
	"  -s, --source SRC        kernel source tree the target was built from (not modified)\n"
	"  -c, --config CONFIG     the target kernel's .config (e.g. /boot/config-RELEASE)\n"
	"  -v, --vmlinux VMLINUX   the target's debug (unstripped) vmlinux (default: where\n"
	"                          the distribution's -dbg package installs it for the\n"
	"                          config's release, with Module.symvers and debug modules)\n"
	"  -t, --target NAME       fetch (once, cached) and build for a distribution kernel:\n"
	"                          debian:RELEASE (e.g. debian:6.12.117+deb12-cloud-amd64),\n"
	"                          debian:RELEASE=VERSION, or debian:SERIES (its newest set;\n"
	"                          lp-build fetch --help lists the series); -s, -c, -v,\n"
	"                          --symvers, --modules, --cc given as well win. Several\n"
	"                          --target, a pattern of releases (debian:6.1.0-*-cloud-amd64:\n"
	"                          every one the archive still has) or --targets: a batch,\n"
	"                          each target in OUTDIR/RELEASE/, OUTDIR/summary.json\n"
	"      --targets FILE      the targets of a batch, one a line ('-': stdin)\n"
	"      --refresh           with --target: refresh the package index first\n"
	"  -o, --output OUTDIR     where NAME.ko and NAME.json go (default .)\n"
	"  -n, --name NAME         module and patch name (default lp_<first patch name>)\n"
	"  -j, --jobs N            parallel jobs (default: number of CPUs; a batch runs its\n"
	"                          targets within them, sharing them through make's jobserver)\n"
	"      --symvers FILE      the target's Module.symvers (default: next to VMLINUX)\n"
	"      --modules DIR       where the target's modules (.ko) are (default: VMLINUX's dir)\n"
	"      --key KEY.pem       sign the module with this private key...\n"
	"      --cert CERT.pem     ...and this certificate\n"
	"      --hash ALGO         signature digest: sha256 (default), sha384, sha512\n"
	"      --no-replace        stack on earlier livepatches instead of replacing them\n"
	"      --patch-version V   version recorded in the module (default 1)\n"
	"      --cache DIR         cache of prepared trees (default $LPB_CACHE or\n"
	"                          /var/cache/lp-build)\n"
	"      --allow-compiler-mismatch  warn instead of failing when the compiler differs\n"
	"      --cc CC             the compiler kbuild runs (default $CC, else the one the\n"
	"                          config names (CONFIG_CC_VERSION_TEXT) when installed,\n"
	"                          else gcc)\n"
	"      --buildroot DIR     run kbuild in this build root (a chroot holding CC;\n"
	"                          --target: its own when the host's compiler differs)\n"
	"      --allow-layout-change TYPE  build although the patched code uses TYPE (\"struct\n"
	"                          foo\") whose layout the patch changes (repeatable; see\n"
	"                          lp-build(1): only when old objects cannot reach the new code)\n"
	"      --allow-ran-once FUNC  build although FUNC, changed, already ran for every\n"
	"                          existing instance (a pernet init; repeatable; lp-build(1))\n"
	"  -q, --quiet             only errors\n"
	"  -V, --verbose           show commands and their output (twice: more)\n"
	"  -h, --help              this text\n"
	"\n"
	"exit codes: 0 built, 1 error, 2 cannot be live-patched, 3 no functional change,\n"
	"            4 patch does not apply, 5 source/config/compiler do not match the\n"
	"            target, 6 target kernel identity unknown (see lp-build(1))\n";

static int usage(int rc)
{
	fputs(usage_text, rc ? stderr : stdout);
	return rc;
}

static int cmd_keygen(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "subject", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *dir = NULL, *subject = "lp-build livepatch signing key";
	int c;

	while ((c = getopt_long(argc, argv, "o:h", lopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			dir = optarg;
			break;
		case 'S':
			subject = optarg;
			break;
		case 'h':
			return usage(0);
		default:
			return usage(LPB_EXIT_ERROR);
		}
	}
	if (!dir || optind != argc)
		return usage(LPB_EXIT_ERROR);
	return keygen(dir, subject, 3650) ? LPB_EXIT_ERROR : 0;
}

/* Re-sign a module (replacing any signature it has). */
static int cmd_sign(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "cert", required_argument, NULL, 'C' },
		{ "hash", required_argument, NULL, 'H' },
		{ "output", required_argument, NULL, 'o' },
		{ 0 },
	};
	const char *key = NULL, *cert = NULL, *hash = "sha256", *out = NULL;
	struct modsign_parts parts;
	uint8_t *data, *signed_mod;
	size_t len, signed_len;
	int c, ret;

	while ((c = getopt_long(argc, argv, "o:", lopts, NULL)) != -1) {
		switch (c) {
		case 'k':
			key = optarg;
			break;
		case 'C':
			cert = optarg;
			break;
		case 'H':
			hash = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		default:
			return usage(LPB_EXIT_ERROR);
		}
	}
	if (!key || !cert || optind + 1 != argc)
		return usage(LPB_EXIT_ERROR);
	data = (uint8_t *)read_file(argv[optind], &len);
	if (!data)
		return LPB_EXIT_ERROR;
	ret = modsign_split(data, len, argv[optind], &parts);
	if (ret == 0)
		len = parts.module_len;
	else if (ret != -ENOENT) {
		free(data);
		return LPB_EXIT_ERROR;
	}
	ret = modsign_sign(data, len, key, cert, hash, &signed_mod, &signed_len);
	free(data);
	if (ret)
		return LPB_EXIT_ERROR;
	ret = write_file_atomic(out ? out : argv[optind], signed_mod, signed_len, 0644);
	free(signed_mod);
	return ret ? LPB_EXIT_ERROR : 0;
}

/*
 * --target: fetch what the target needs (cached after the first time) and
 * take the source, config, debug files and toolchain from its target file.
 */
static int use_target(struct build_opts *o, struct target_file *tf, const char *spec,
		      bool refresh)
{
	static const struct {
		const char *key;
		size_t off;
		bool required;
	} fields[] = {
		{ "target_src", offsetof(struct build_opts, src), true },
		{ "target_config", offsetof(struct build_opts, config), true },
		{ "target_vmlinux", offsetof(struct build_opts, vmlinux), true },
		{ "target_symvers", offsetof(struct build_opts, symvers), true },
		{ "target_modules", offsetof(struct build_opts, modules), false },
		{ "target_cc", offsetof(struct build_opts, cc), true },
		{ "target_hostcc", offsetof(struct build_opts, hostcc), false },
		{ "target_ld", offsetof(struct build_opts, ld), false },
		{ "target_buildroot", offsetof(struct build_opts, buildroot), false },
		{ "target_buildroot_id", offsetof(struct build_opts, buildroot_id), false },
	};
	const char *name, *root, *lacks;
	bool given[sizeof(fields) / sizeof(*fields)];

	for (size_t i = 0; i < sizeof(fields) / sizeof(*fields); i++)
		given[i] = *(const char **)((char *)o + fields[i].off) != NULL;
	if (mkdir_p(o->cache)) {
		fprintf(stderr, "lp-build: the cache directory %s is not writable: give another "
			"with --cache DIR or LPB_CACHE\n", o->cache);
		return LPB_EXIT_ERROR;
	}
	if (target_file_fetch(tf, spec, o->cache, o->jobs, refresh))
		return LPB_EXIT_ERROR;
	for (size_t i = 0; i < sizeof(fields) / sizeof(*fields); i++) {
		const char *v = target_file_get(tf, fields[i].key);
		const char **slot = (const char **)((char *)o + fields[i].off);

		if (fields[i].required && (!v || !*v)) {
			fprintf(stderr, "lp-build: the target file %s lacks %s\n", tf->path,
				fields[i].key);
			return LPB_EXIT_ERROR;
		}
		/* what the command line gives (-s, -c, --symvers, --cc...) wins */
		if (v && *v && !given[i])
			*slot = v;
		else if (given[i] && !o->quiet)
			fprintf(stderr, "lp-build: --target %s: using the %s given on the command "
				"line, not %s\n", spec, fields[i].key + 7, v && *v ? v : "(none)");
	}
	lacks = target_file_get(tf, "target_src_lacks");
	if (lacks && *lacks && !given[0]) {
		fprintf(stderr, "lp-build: --target %s: Debian builds this kernel from its source "
			"with %s, which the linux-source package (unpacked in %s) does not carry: a "
			"module built from that would not be this kernel's code (its preemption "
			"model and version magic differ, so the kernel would refuse it). Apply "
			"the patches to a copy of the source and give that copy with -s (the "
			"target's other files are still used)\n", spec, lacks,
			target_file_get(tf, "target_src"));
		return LPB_EXIT_MISMATCH;
	}
	name = target_file_get(tf, "target_name");
	root = o->buildroot;
	o->target_name = spec;
	if (!o->quiet)
		fprintf(stderr, "lp-build: target %s: %s, built by %s %s\n", spec,
			name ? name : tf->path, o->cc, root ? "in its build root" : "on this machine");
	if (root && !o->quiet)
		fprintf(stderr, "lp-build: build root: %s\n", root);
	return 0;
}

static int cmd_build(int argc, char **argv)
{
	enum { O_SYMVERS = 256, O_MODULES, O_KEY, O_CERT, O_HASH, O_NOREPLACE, O_PVER, O_CACHE,
	       O_ALLOWCC, O_REFRESH, O_CC, O_BUILDROOT, O_ALLOWLAYOUT,
	       O_ALLOWRANONCE, O_TARGETS };
	static const struct option lopts[] = {
		{ "source", required_argument, NULL, 's' },
		{ "config", required_argument, NULL, 'c' },
		{ "vmlinux", required_argument, NULL, 'v' },
		{ "output", required_argument, NULL, 'o' },
		{ "name", required_argument, NULL, 'n' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "symvers", required_argument, NULL, O_SYMVERS },
		{ "modules", required_argument, NULL, O_MODULES },
		{ "key", required_argument, NULL, O_KEY },
		{ "cert", required_argument, NULL, O_CERT },
		{ "hash", required_argument, NULL, O_HASH },
		{ "no-replace", no_argument, NULL, O_NOREPLACE },
		{ "patch-version", required_argument, NULL, O_PVER },
		{ "cache", required_argument, NULL, O_CACHE },
		{ "allow-compiler-mismatch", no_argument, NULL, O_ALLOWCC },
		{ "target", required_argument, NULL, 't' },
		{ "targets", required_argument, NULL, O_TARGETS },
		{ "refresh", no_argument, NULL, O_REFRESH },
		{ "cc", required_argument, NULL, O_CC },
		{ "buildroot", required_argument, NULL, O_BUILDROOT },
		{ "allow-layout-change", required_argument, NULL, O_ALLOWLAYOUT },
		{ "allow-ran-once", required_argument, NULL, O_ALLOWRANONCE },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct build_opts o = {
		.outdir = ".",
		.hash = "sha256",
		.patch_version = "1",
		.replace = true,
		.jobs = (int)sysconf(_SC_NPROCESSORS_ONLN),
		.cache = getenv("LPB_CACHE") ? getenv("LPB_CACHE") : "/var/cache/lp-build",
	};
	struct target_file tf = { 0 };
	struct located loc = { 0 };
	struct strvec specs = { 0 };
	const char *spec = NULL;
	char *config_cc = NULL;
	bool refresh = false, from_file = false;
	struct build b;
	int c, rc;

	while ((c = getopt_long(argc, argv, "s:c:v:o:n:j:t:qVh", lopts, NULL)) != -1) {
		switch (c) {
		case 's': o.src = optarg; break;
		case 'c': o.config = optarg; break;
		case 'v': o.vmlinux = optarg; break;
		case 'o': o.outdir = optarg; break;
		case 'n': o.name = optarg; break;
		case 'j': o.jobs = atoi(optarg); break;
		case O_SYMVERS: o.symvers = optarg; break;
		case O_MODULES: o.modules = optarg; break;
		case O_KEY: o.key = optarg; break;
		case O_CERT: o.cert = optarg; break;
		case O_HASH: o.hash = optarg; break;
		case O_NOREPLACE: o.replace = false; break;
		case O_PVER: o.patch_version = optarg; break;
		case O_CACHE: o.cache = optarg; break;
		case O_ALLOWCC: o.allow_compiler_mismatch = true; break;
		case 't': sv_push(&specs, optarg); break;
		case O_TARGETS:
			if (batch_read_targets(optarg, &specs)) {
				sv_free(&specs);
				return LPB_EXIT_ERROR;
			}
			from_file = true;
			break;
		case O_REFRESH: refresh = true; break;
		case O_CC: o.cc = optarg; break;
		case O_BUILDROOT: o.buildroot = optarg; break;
		case O_ALLOWLAYOUT: sv_push(&o.allow_layout, optarg); break;
		case O_ALLOWRANONCE: sv_push(&o.allow_ran_once, optarg); break;
		case 'q': o.quiet = true; break;
		case 'V': o.verbose++; break;
		case 'h': return usage(0);
		default: return usage(LPB_EXIT_ERROR);
		}
	}
	if (o.jobs < 1)
		o.jobs = 1;
	o.patches = argv + optind;
	o.nr_patches = argc - optind;
	if (batch_wanted(&specs, from_file)) {
		rc = batch_main(&o, &specs, refresh);
		sv_free(&specs);
		sv_free(&o.allow_layout);
		sv_free(&o.allow_ran_once);
		return rc;
	}
	spec = specs.n ? specs.v[0] : NULL;
	if (spec) {
		rc = use_target(&o, &tf, spec, refresh);
		if (rc)
			return rc;
	} else if (o.config && !o.vmlinux &&
		   locate_installed(&loc, o.config, &o.vmlinux, &o.symvers, &o.modules)) {
		return LPB_EXIT_ERROR;
	}
	if (!o.cc && getenv("CC"))
		o.cc = getenv("CC");
	if (!o.cc && o.config && path_exists(o.config))
		o.cc = config_cc = config_compiler(o.config, o.buildroot);
	if (!o.cc)
		o.cc = "gcc";
	install_interrupt_handlers();
	rc = build_run(&b, &o);
	build_free(&b);
	target_file_free(&tf);
	located_free(&loc);
	free(config_cc);
	sv_free(&o.allow_layout);
	sv_free(&o.allow_ran_once);
	sv_free(&specs);
	return rc;
}

static const char *cache_dir(void)
{
	return getenv("LPB_CACHE") ? getenv("LPB_CACHE") : "/var/cache/lp-build";
}

/*
 * lp-build targets [--json] [--cache DIR] [--refresh] [TARGET...]: what the
 * cache holds; with TARGETs (patterns too), the package sets they name in
 * the archive now, fetched or not (a CI matrix is made from this)
 */
static int cmd_targets(int argc, char **argv)
{
	struct strvec args = { 0 }, names = { 0 };
	const char *cache = cache_dir();
	bool json = false, refresh = false;
	int rc;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			json = true;
		} else if (!strcmp(argv[i], "--refresh")) {
			refresh = true;
		} else if (!strcmp(argv[i], "--cache") && i + 1 < argc) {
			cache = argv[++i];
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			sv_free(&names);
			return usage(0);
		} else if (argv[i][0] != '-') {
			sv_push(&names, argv[i]);
		} else {
			sv_free(&names);
			return usage(LPB_EXIT_ERROR);
		}
	}
	sv_push(&args, names.n ? "resolve" : "cached");
	if (refresh && names.n)
		sv_push(&args, "--refresh");
	if (json)
		sv_push(&args, "--json");
	for (size_t i = 0; i < names.n; i++)
		sv_push(&args, names.v[i]);
	rc = lpb_target_run(cache, (const char *const *)args.v) ? LPB_EXIT_ERROR : 0;
	sv_free(&args);
	sv_free(&names);
	return rc;
}

/* lp-build fetch [--refresh] [--list] TARGET: fetch without building; prints
 * the target file (--list: every candidate set and what it lacks) */
static int cmd_fetch(int argc, char **argv)
{
	const char *args[5] = { "fetch", NULL, NULL, NULL, NULL };
	const char *cache = cache_dir();
	size_t n = 1;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--refresh") && n < 3) {
			args[n++] = "--refresh";
		} else if (!strcmp(argv[i], "--list")) {
			args[0] = "candidates";
		} else if (!strcmp(argv[i], "--cache") && i + 1 < argc) {
			cache = argv[++i];
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			const char *help[] = { "series", NULL };

			printf("usage: lp-build fetch [--refresh] [--list] [--cache DIR] TARGET\n\n"
			       "TARGET: debian:SERIES (the newest complete set), debian:RELEASE,\n"
			       "debian:RELEASE=VERSION. The series:\n");
			fflush(stdout);
			return lpb_target_run(cache, help) ? LPB_EXIT_ERROR : 0;
		} else if (argv[i][0] != '-' && n < 4) {
			args[n++] = argv[i];
		} else {
			return usage(LPB_EXIT_ERROR);
		}
	}
	if (n < 2 || (n == 2 && !strcmp(args[1], "--refresh")))
		return usage(LPB_EXIT_ERROR);
	return lpb_target_run(cache, args) ? LPB_EXIT_ERROR : 0;
}

int main(int argc, char **argv)
{
	setvbuf(stderr, NULL, _IOLBF, 0);
	if (argc > 1 && !strcmp(argv[1], "targets"))
		return cmd_targets(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "cache"))
		return cache_main(argc - 1, argv + 1, cache_dir());
	if (argc > 1 && !strcmp(argv[1], "fetch"))
		return cmd_fetch(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "keygen"))
		return cmd_keygen(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "sign"))
		return cmd_sign(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "publish"))
		return publish_main(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "--version")) {
		printf("lp-build %s\n", LPB_VERSION);
		return 0;
	}
	return cmd_build(argc, argv);
}
