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
	"      --entry-size SEC=N   entry size of a special section (repeatable)\n"
	"      --print-entry-sizes ELF  print SEC=N for every table known from ELF's DWARF\n"
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
	enum { O_PARENT = 256, O_PARENT_NAME, O_SYMVERS, O_JSON, O_ENTSIZE, O_PRINT };
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "parent", required_argument, NULL, O_PARENT },
		{ "parent-name", required_argument, NULL, O_PARENT_NAME },
		{ "symvers", required_argument, NULL, O_SYMVERS },
		{ "json", required_argument, NULL, O_JSON },
		{ "entry-size", required_argument, NULL, O_ENTSIZE },
		{ "print-entry-sizes", required_argument, NULL, O_PRINT },
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
		case O_ENTSIZE:
			if (parse_entsize(o, optarg)) {
				fprintf(stderr, "create-diff-object: bad --entry-size '%s' (want SECTION=N, 1..256)\n",
					optarg);
				return -1;
			}
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

static bool anything_to_patch(struct cdo *c)
{
	struct lpb_symbol *p;

	if (c->callbacks.nr)
		return true;
	lpb_for_each_symbol(c->patched, p)
		if (p->priv && Y(p)->patch)
			return true;
	return false;
}

static void free_refusal(void *p)
{
	struct cdo_refusal *r = p;

	free(r->symbol);
	free(r->reason);
	free(r->advice);
}

static void free_note(void *p)
{
	struct cdo_note *n = p;

	free(n->name);
	free(n->detail);
}

static void cdo_free(struct cdo *c)
{
	struct lpb_elf *objs[2] = { c->orig, c->patched };
	int i;

	cdo_special_free(c);
	for (i = 0; i < 2; i++) {
		struct lpb_section *sec;
		struct lpb_symbol *s;

		if (!objs[i] || !objs[i]->secs[0]->priv)
			continue;
		lpb_for_each_section(objs[i], sec)
			if (sec->priv)
				free(S(sec)->sorted);
		lpb_for_each_symbol(objs[i], s)
			if (s->priv)
				free(Y(s)->norm);
		free(objs[i]->secs[0]->priv);
		free(objs[i]->syms[0]->priv);
	}
	lpb_elf_free(c->orig);
	lpb_elf_free(c->patched);
	lpb_elf_free(c->out);
	lpb_ksyms_free(c->parent);
	lpb_symvers_free(c->symvers);
	cdo_list_free(&c->refusals, free_refusal);
	cdo_list_free(&c->ignored, free_note);
	cdo_list_free(&c->frozen, free_note);
	cdo_list_free(&c->included, free_note);
	cdo_list_free(&c->callbacks, free_note);
	cdo_list_free(&c->klps, NULL);
	cdo_list_free(&c->exported, NULL);
	cdo_list_free(&c->removed, NULL);
	cdo_list_free(&c->strings, NULL);
}

static bool valid_input(struct lpb_elf *e)
{
	if (e->ehdr.e_type != ET_REL) {
		lpb_err("%s: not a relocatable object (ET_REL)", e->path);
		return false;
	}
	if (!e->symtab) {
		lpb_err("%s: has no symbol table", e->path);
		return false;
	}
	return true;
}

static int run(struct cdo *c)
{
	const struct cdo_opts *o = c->opts;

	c->orig = lpb_elf_open(o->orig, LPB_ELF_LAZY_RELOCS);
	if (!c->orig || !valid_input(c->orig))
		return LPB_EXIT_ERROR;
	c->patched = lpb_elf_open(o->patched, LPB_ELF_LAZY_RELOCS);
	if (!c->patched || !valid_input(c->patched))
		return LPB_EXIT_ERROR;
	if (o->parent && !(c->parent = lpb_ksyms_load(o->parent)))
		return LPB_EXIT_ERROR;
	if (o->symvers && !(c->symvers = lpb_symvers_load(o->symvers)))
		return LPB_EXIT_ERROR;
	if (!o->symvers)
		cdo_verbose(c, "no --symvers: symbols undefined in the original are taken as exported");
	if (cdo_setup(c) || cdo_correlate(c) || cdo_compare(c) || cdo_check(c))
		return LPB_EXIT_ERROR;
	if (c->refusals.nr)
		return LPB_EXIT_UNPATCHABLE;
	if (cdo_include(c))
		return LPB_EXIT_ERROR;
	if (c->refusals.nr)
		return LPB_EXIT_UNPATCHABLE;
	if (!anything_to_patch(c))
		return LPB_EXIT_NO_CHANGE;
	/* the output is built in memory first: a refusal found while
	 * classifying references leaves no file behind */
	if (cdo_output(c))
		return LPB_EXIT_ERROR;
	if (c->refusals.nr)
		return LPB_EXIT_UNPATCHABLE;
	if (lpb_elf_write(c->out, o->out))
		return LPB_EXIT_ERROR;
	return LPB_EXIT_OK;
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
	code = run(&c);
	if (cdo_report(&c, code, opts.json && !strcmp(opts.json, "-") ? stderr : stdout) &&
	    code == LPB_EXIT_OK)
		code = LPB_EXIT_ERROR;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	cdo_verbose(&c, "%s: exit %d after %.1f ms", opts.patched, code,
		    (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6);
	cdo_free(&c);
	return code;
}
