// SPDX-License-Identifier: GPL-2.0-only
/* lp-build: turn kernel source patches into a signed, cumulative livepatch
 * module. Parses the command line and maps results to exit codes. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "build.h"
#include "exit-codes.h"
#include "keygen.h"
#include "klp-write.h"
#include "modsign.h"
#include "publish.h"
#include "run.h"

static const char usage_text[] =
	"usage: lp-build -s SRC -c CONFIG -v DEBUG_VMLINUX [-o OUTDIR] [-n NAME] [-j N]\n"
	"                [--key KEY.pem --cert CERT.pem] [--no-replace] patch.diff...\n"
	"       lp-build keygen -o DIR [--subject CN]\n"
	"       lp-build sign --key KEY.pem --cert CERT.pem MODULE.ko [-o OUT.ko]\n"
	"       lp-build publish --key KEY.pem --cert CERT.pem [OPTIONS] [OUTDIR] REPO\n"
	"                (lp-build publish --help)\n"
	"\n"
	"  -s, --source SRC        kernel source tree the target was built from (not modified)\n"
	"  -c, --config CONFIG     the target kernel's .config\n"
	"  -v, --vmlinux VMLINUX   the target's debug (unstripped) vmlinux\n"
	"  -o, --output OUTDIR     where NAME.ko and NAME.json go (default .)\n"
	"  -n, --name NAME         module and patch name (default lp_<first patch name>)\n"
	"  -j, --jobs N            parallel compile jobs (default: number of CPUs)\n"
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

static int cmd_build(int argc, char **argv)
{
	enum { O_SYMVERS = 256, O_MODULES, O_KEY, O_CERT, O_HASH, O_NOREPLACE, O_PVER, O_CACHE,
	       O_ALLOWCC };
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
		.cc = getenv("CC") ? getenv("CC") : "gcc",
	};
	struct build b;
	int c, rc;

	while ((c = getopt_long(argc, argv, "s:c:v:o:n:j:qVh", lopts, NULL)) != -1) {
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
	install_interrupt_handlers();
	rc = build_run(&b, &o);
	build_free(&b);
	return rc;
}

int main(int argc, char **argv)
{
	setvbuf(stderr, NULL, _IOLBF, 0);
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
