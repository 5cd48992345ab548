// SPDX-License-Identifier: GPL-2.0-only
/* lpctl: install, apply and watch lp-build livepatches on a target machine.
 * Parses the command line, runs one command, maps its result to an exit code. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "lpctl.h"

static const char usage_text[] =
	"usage: lpctl [OPTIONS] COMMAND [ARGS]\n"
	"\n"
	"  install PATCH.ko [--manifest PATCH.json]  verify and store for the running kernel\n"
	"  load PATCH.ko [--manifest PATCH.json]     install, then insert and watch it now\n"
	"  start                    apply the installed patch (what the service runs at boot)\n"
	"  status [--json]          kernel, installed patch, fixes, state, lock, last outcome\n"
	"  list                     installed and locked patches of every kernel, loaded ones\n"
	"  disable NAME             disable a livepatch (reverse transition)\n"
	"  unload NAME              disable if needed, then remove its module\n"
	"  unlock NAME              allow a locked-out patch to be inserted again\n"
	"  uninstall                forget the installed patch of the running kernel\n"
	"  update [--repo URL]      fetch this kernel's patch from a signed patch repository,\n"
	"                           install and apply it; take revoked patches off\n"
	"\n"
	"options:\n"
	"  -m, --manifest FILE      lp-build's manifest (default: PATCH.json beside PATCH.ko)\n"
	"  -t, --timeout SECS       a transition taking longer has stalled (default 30)\n"
	"  -p, --stall-policy P     on a stall: reverse (default: disable the patch) or wait\n"
	"  -s, --settle SECS        kernel log watch after the transition (default 10)\n"
	"      --on-bug ACTION      after a kernel bug: disable (default) or keep the patch\n"
	"  -j, --json               status as JSON\n"
	"  -r, --repo URL           update: the repository (https://, file://; default:\n"
	"                           repository in lpctl.conf)\n"
	"      --download-only DIR  update: fetch and verify this machine's patch into DIR,\n"
	"                           change nothing else\n"
	"      --install-only       update: install (and take revoked patches off the\n"
	"                           installed state), never touch the kernel\n"
	"      --ca-file FILE       update: CA certificates for https:// (default: the\n"
	"                           system's, or ca_file in lpctl.conf)\n"
	"      --root DIR           find /sys, /proc, /dev/kmsg, /etc, /var under DIR (tests)\n"
	"      --state-dir DIR      state (default /var/lib/lpctl; env LPCTL_STATE_DIR)\n"
	"      --conf-dir DIR       configuration and trusted.d/ (default /etc/lpctl;\n"
	"                           env LPCTL_CONF_DIR)\n"
	"  -V, --version            print the version\n"
	"\n"
	"exit codes: 0 ok, 1 error, 10 verification refused the module, 11 the patch is\n"
	"locked out, 12 inserted but the kernel reported a bug (now locked out), 13 the\n"
	"transition stalled (the stall policy was followed). See lpctl(8).\n";

enum { OPT_ROOT = 256, OPT_STATE, OPT_CONF, OPT_ON_BUG, OPT_DOWNLOAD, OPT_INSTALL_ONLY,
       OPT_CA };

static const struct option options[] = {
	{ "manifest", required_argument, NULL, 'm' },
	{ "timeout", required_argument, NULL, 't' },
	{ "stall-policy", required_argument, NULL, 'p' },
	{ "settle", required_argument, NULL, 's' },
	{ "on-bug", required_argument, NULL, OPT_ON_BUG },
	{ "json", no_argument, NULL, 'j' },
	{ "repo", required_argument, NULL, 'r' },
	{ "download-only", required_argument, NULL, OPT_DOWNLOAD },
	{ "install-only", no_argument, NULL, OPT_INSTALL_ONLY },
	{ "ca-file", required_argument, NULL, OPT_CA },
	{ "root", required_argument, NULL, OPT_ROOT },
	{ "state-dir", required_argument, NULL, OPT_STATE },
	{ "conf-dir", required_argument, NULL, OPT_CONF },
	{ "verbose", no_argument, NULL, 'v' },
	{ "version", no_argument, NULL, 'V' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

struct cli {
	const char *manifest, *root, *state_dir, *conf_dir;
	const char *timeout, *policy, *settle, *on_bug;
	const char *repo, *download_dir, *ca_file;
	bool json, install_only;
	int verbose;
};

static int bad_usage(const char *fmt, const char *arg)
{
	fputs("lpctl: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs(" (see lpctl --help)\n", stderr);
	return LPB_EXIT_ERROR;
}

static int parse_secs(const char *s, unsigned int *out, bool zero_ok)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (end == s || *end || *s == '-' || v > 86400 || (!v && !zero_ok))
		return -1;
	*out = (unsigned int)v;
	return 0;
}

/* Command-line settings override lpctl.conf's. */
static int apply_cli(struct lpctl *c, const struct cli *o)
{
	int p;

	if (o->timeout && parse_secs(o->timeout, &c->conf.timeout_s, false))
		return bad_usage("--timeout wants 1..86400 seconds, not '%s'", o->timeout);
	if (o->settle && parse_secs(o->settle, &c->conf.settle_s, true))
		return bad_usage("--settle wants 0..86400 seconds, not '%s'", o->settle);
	if (o->policy) {
		p = lpctl_parse_policy(o->policy);
		if (p < 0)
			return bad_usage("--stall-policy is 'reverse' or 'wait', not '%s'",
					 o->policy);
		c->conf.stall = p;
	}
	if (o->on_bug) {
		if (strcmp(o->on_bug, "disable") && strcmp(o->on_bug, "keep"))
			return bad_usage("--on-bug is 'disable' or 'keep', not '%s'", o->on_bug);
		c->conf.keep_on_bug = !strcmp(o->on_bug, "keep");
	}
	if (o->ca_file) {
		free(c->conf.ca_file);
		c->conf.ca_file = xstrdup(o->ca_file);
	}
	c->verbose = o->verbose;
	return 0;
}

static int run(struct lpctl *c, const struct cli *o, int argc, char **argv)
{
	const char *cmd = argv[0];
	char *name = NULL;
	int rc, want = 0;

	if (!strcmp(cmd, "install") || !strcmp(cmd, "load") || !strcmp(cmd, "disable") ||
	    !strcmp(cmd, "unload") || !strcmp(cmd, "unlock"))
		want = 1;
	else if (strcmp(cmd, "start") && strcmp(cmd, "status") && strcmp(cmd, "list") &&
		 strcmp(cmd, "uninstall") && strcmp(cmd, "update"))
		return bad_usage("unknown command '%s'", cmd);
	if (argc - 1 != want)
		return bad_usage(want ? "'%s' takes one argument" : "'%s' takes no argument", cmd);
	if (o->manifest && strcmp(cmd, "install") && strcmp(cmd, "load"))
		return bad_usage("--manifest is for install and load, not '%s'", cmd);
	if (o->json && strcmp(cmd, "status"))
		return bad_usage("--json is for status, not '%s'", cmd);
	if ((o->repo || o->download_dir || o->install_only || o->ca_file) && strcmp(cmd, "update"))
		return bad_usage("--repo, --download-only, --install-only and --ca-file are for "
				 "update, not '%s'",
				 cmd);
	if (o->download_dir && o->install_only)
		return bad_usage("%s", "--download-only and --install-only exclude each other");
	if (want && strcmp(cmd, "install") && strcmp(cmd, "load")) {
		name = cmd_module_name(argv[1]);
		if (!name)
			return bad_usage("'%s' is not a module name", argv[1]);
	}

	if (!strcmp(cmd, "install"))
		rc = cmd_install(c, argv[1], o->manifest);
	else if (!strcmp(cmd, "load"))
		rc = cmd_load(c, argv[1], o->manifest);
	else if (!strcmp(cmd, "start"))
		rc = cmd_start(c);
	else if (!strcmp(cmd, "status"))
		rc = cmd_status(c, o->json);
	else if (!strcmp(cmd, "list"))
		rc = cmd_list(c);
	else if (!strcmp(cmd, "disable"))
		rc = cmd_disable(c, name);
	else if (!strcmp(cmd, "unload"))
		rc = cmd_unload(c, name);
	else if (!strcmp(cmd, "unlock"))
		rc = cmd_unlock(c, name);
	else if (!strcmp(cmd, "update"))
		rc = cmd_update(c, o->repo, o->download_dir, o->install_only);
	else
		rc = cmd_uninstall(c);
	free(name);
	return rc;
}

int main(int argc, char **argv)
{
	struct cli o = {
		.root = getenv("LPCTL_ROOT"),
		.state_dir = getenv("LPCTL_STATE_DIR"),
		.conf_dir = getenv("LPCTL_CONF_DIR"),
	};
	struct lpctl c;
	char *conf;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "m:t:p:s:jr:vVh", options, NULL)) != -1) {
		switch (opt) {
		case 'm':
			o.manifest = optarg;
			break;
		case 't':
			o.timeout = optarg;
			break;
		case 'p':
			o.policy = optarg;
			break;
		case 's':
			o.settle = optarg;
			break;
		case OPT_ON_BUG:
			o.on_bug = optarg;
			break;
		case 'j':
			o.json = true;
			break;
		case 'r':
			o.repo = optarg;
			break;
		case OPT_DOWNLOAD:
			o.download_dir = optarg;
			break;
		case OPT_INSTALL_ONLY:
			o.install_only = true;
			break;
		case OPT_CA:
			o.ca_file = optarg;
			break;
		case OPT_ROOT:
			o.root = optarg;
			break;
		case OPT_STATE:
			o.state_dir = optarg;
			break;
		case OPT_CONF:
			o.conf_dir = optarg;
			break;
		case 'v':
			o.verbose++;
			break;
		case 'V':
			printf("lpctl %s\n", LPB_VERSION);
			return 0;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			return bad_usage("%s", "bad option");
		}
	}
	if (optind >= argc) {
		fputs(usage_text, stderr);
		return LPB_EXIT_ERROR;
	}
	rc = lpctl_init(&c, o.root, o.state_dir, o.conf_dir);
	if (!rc) {
		conf = xasprintf("%s/lpctl.conf", c.conf_dir);
		rc = lpctl_read_conf(&c, conf);
		free(conf);
	}
	if (!rc)
		rc = apply_cli(&c, &o);
	if (!rc) {
		lpctl_catch_signals();
		rc = run(&c, &o, argc - optind, argv + optind);
	}
	lpctl_free(&c);
	return rc;
}
