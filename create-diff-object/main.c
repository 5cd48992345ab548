// SPDX-License-Identifier: GPL-2.0-only
/* create-diff-object: compares an original and a patched kernel object and
 * writes an object with only the new code plus lp-build's .lpb.* metadata. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cdo.h"
#include "dwarf-types.h"
#include "exit-codes.h"
#include "log.h"

static const char usage[] =
	"usage: create-diff-object [options] ORIG.o PATCHED.o -o OUT.o\n"
	"  -o, --output FILE        the diff object to write\n"
	"      --parent ELF         target symbols: debug vmlinux, a .ko, or any ELF\n"
	"      --parent-name NAME   vmlinux or the module name (default vmlinux)\n"
	"      --symvers FILE       Module.symvers of the target (exported symbols)\n"
	"      --json FILE|-        write the JSON report (\"-\": stdout)\n"
	"      --unit-name NAME     the source file, e.g. fs/proc/cmdline.c: names the\n"
	"                           callback aliases (default: the object's FILE symbol)\n"
	"      --entry-size SEC=N   entry size of a special section (repeatable)\n"
	"      --print-entry-sizes ELF  print SEC=N for every table known from ELF's DWARF\n"
	"      --allow-layout-change TYPE  accept a changed layout of TYPE (\"struct foo\",\n"
	"                           foo) used by the patched code (repeatable)\n"
	"      --require-dwarf      refuse objects without DWARF (default: warn that struct\n"
	"                           layouts were not compared)\n"
	"      --allow-ran-once FUNC  accept a changed FUNC that the kernel already ran\n"
	"                           for existing instances (a pernet init; repeatable)\n"
	"  -v, --verbose            say more on stderr (-vv: why things differ)\n"
	"  -h, --help               this text\n"
	"exit: 0 changed, 1 error, 2 cannot be live-patched, 3 no functional change\n";

static int parse_entsize(struct cdo_opts *o, char *arg)
{
	char *eq = strchr(arg, '='), *end;
	unsigned long long n;

	if (!eq || eq == arg || o->nr_entsizes == sizeof(o->entsizes) / sizeof(*o->entsizes))
		return -1;
	n = strtoull(eq + 1, &end, 0);
	if (*end || !n || n > 256)
		return -1;
	*eq = 0;
	o->entsizes[o->nr_entsizes].section = arg;
	o->entsizes[o->nr_entsizes++].size = n;
	return 0;
}

static int parse_args(int argc, char **argv, struct cdo_opts *o, int *early)
{
	enum { O_PARENT = 256, O_PARENT_NAME, O_SYMVERS, O_JSON, O_ENTSIZE, O_PRINT, O_UNIT, O_LAYOUT, O_RANONCE, O_REQDWARF };
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "parent", required_argument, NULL, O_PARENT },
		{ "parent-name", required_argument, NULL, O_PARENT_NAME },
		{ "symvers", required_argument, NULL, O_SYMVERS },
		{ "json", required_argument, NULL, O_JSON },
		{ "unit-name", required_argument, NULL, O_UNIT },
		{ "entry-size", required_argument, NULL, O_ENTSIZE },
		{ "print-entry-sizes", required_argument, NULL, O_PRINT },
		{ "allow-layout-change", required_argument, NULL, O_LAYOUT },
		{ "allow-ran-once", required_argument, NULL, O_RANONCE },
		{ "require-dwarf", no_argument, NULL, O_REQDWARF },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	*early = -1;
	while ((ch = getopt_long(argc, argv, "o:vh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'o':
			o->out = optarg;
			break;
		case O_PARENT:
			o->parent = optarg;
			break;
		case O_PARENT_NAME:
			o->parent_name = optarg;
			break;
		case O_SYMVERS:
			o->symvers = optarg;
			break;
		case O_JSON:
			o->json = optarg;
			break;
		case O_UNIT:
			o->unit_name = optarg;
			break;
		case O_ENTSIZE:
			if (parse_entsize(o, optarg)) {
				fprintf(stderr, "create-diff-object: bad --entry-size '%s' (want SECTION=N, 1..256)\n",
					optarg);
				return -1;
			}
			break;
		case O_LAYOUT:
			if (!*optarg || o->nr_allow_layout ==
					sizeof(o->allow_layout) / sizeof(*o->allow_layout)) {
				fprintf(stderr, "create-diff-object: bad --allow-layout-change '%s'\n",
					optarg);
				return -1;
			}
			o->allow_layout[o->nr_allow_layout++] = optarg;
			break;
		case O_REQDWARF:
			o->require_dwarf = true;
			break;
		case O_RANONCE:
			if (!*optarg || o->nr_allow_ran_once ==
					sizeof(o->allow_ran_once) / sizeof(*o->allow_ran_once)) {
				fprintf(stderr, "create-diff-object: bad --allow-ran-once '%s'\n",
					optarg);
				return -1;
			}
			o->allow_ran_once[o->nr_allow_ran_once++] = optarg;
			break;
		case O_PRINT:
			*early = cdo_print_entry_sizes(optarg, stdout) ? LPB_EXIT_ERROR : LPB_EXIT_OK;
			return 0;
		case 'v':
			o->verbose++;
			break;
		case 'h':
			fputs(usage, stdout);
			*early = LPB_EXIT_OK;
			return 0;
		default:
			fputs(usage, stderr);
			return -1;
		}
	}
	if (argc - optind != 2 || !o->out) {
		fputs(usage, stderr);
		return -1;
	}
	o->orig = argv[optind];
	o->patched = argv[optind + 1];
	return 0;
}

int main(int argc, char **argv)
{
	struct cdo_opts opts = { 0 };
	struct cdo c = { 0 };
	struct timespec t0, t1;
	int code, early;

	if (parse_args(argc, argv, &opts, &early))
		return LPB_EXIT_ERROR;
	if (early >= 0)
		return early;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	c.opts = &opts;
	c.objname = opts.parent_name ? opts.parent_name : "vmlinux";
	code = cdo_run(&c);
	if (cdo_report(&c, code, opts.json && !strcmp(opts.json, "-") ? stderr : stdout) &&
	    code == LPB_EXIT_OK)
		code = LPB_EXIT_ERROR;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	cdo_verbose(&c, "%s: exit %d after %.1f ms", opts.patched, code,
		    (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6);
	cdo_free(&c);
	return code;
}
