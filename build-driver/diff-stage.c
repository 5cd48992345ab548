// SPDX-License-Identifier: GPL-2.0-only
/* lp-build's diff stage: create-diff-object on each compiled unit, with the
 * target's special-section entry sizes, and the references between diffs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build.h"
#include "exit-codes.h"
#include "run.h"

static char *parent_of(const struct build *b, const struct unit *u)
{
	if (!strcmp(u->objname, "vmlinux"))
		return xstrdup(b->target.vmlinux);
	return build_find_module(b, u->objname);
}

/*
 * Special-section entry sizes come from the target's DWARF: read them once
 * for the whole build instead of once per diffed unit.
 */
static int read_entry_sizes(struct build *b)
{
	const char *av[] = { b->cdo, "--print-entry-sizes", b->target.vmlinux, NULL };
	struct strbuf out = { 0 };
	char *line, *save = NULL;
	int rc = run_cmd(av, NULL, RUN_QUIET_STDERR, &out);

	if (rc) {
		fprintf(stderr, "lp-build: cannot read special-section entry sizes from %s\n",
			b->target.vmlinux);
		sb_free(&out);
		return -1;
	}
	for (line = strtok_r(out.buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (strchr(line, '='))
			sv_pushf(&b->entry_sizes, "--entry-size=%s", line);
	sb_free(&out);
	return 0;
}

/* Run create-diff-object on one unit; its own message explains a refusal. */
static int diff_unit(struct build *b, struct unit *u)
{
	char *parent = parent_of(b, u), *dir = xstrdup(u->diff);
	struct strvec av = { 0 };
	struct strbuf out = { 0 };
	int rc;

	*strrchr(dir, '/') = 0;
	if (!parent || mkdir_p(dir)) {
		free(parent);
		free(dir);
		return -1;
	}
	sv_push(&av, b->cdo);
	sv_push(&av, u->orig);
	sv_push(&av, u->patched);
	sv_push(&av, "-o");
	sv_push(&av, u->diff);
	sv_push(&av, "--parent");
	sv_push(&av, parent);
	sv_push(&av, "--parent-name");
	sv_push(&av, u->objname);
	sv_push(&av, "--symvers");
	sv_push(&av, b->symvers);
	sv_push(&av, "--json");
	sv_push(&av, u->json);
	sv_push(&av, "--unit-name");
	sv_push(&av, u->src);
	for (size_t i = 0; i < b->entry_sizes.n; i++)
		sv_push(&av, b->entry_sizes.v[i]);
	for (size_t i = 0; i < b->o->allow_layout.n; i++)
		sv_pushf(&av, "--allow-layout-change=%s", b->o->allow_layout.v[i]);
	/* lp-build's objects carry DWARF: without it the layout check
	 * could not run, which must not pass unnoticed */
	sv_push(&av, "--require-dwarf");
	for (size_t i = 0; i < b->o->allow_ran_once.n; i++)
		sv_pushf(&av, "--allow-ran-once=%s", b->o->allow_ran_once.v[i]);
	rc = run_cmd((const char *const *)av.v, NULL, b->o->verbose ? RUN_ECHO : 0, &out);
	sv_free(&av);
	u->diff_rc = rc;
	if (rc != LPB_EXIT_OK && rc != LPB_EXIT_NO_CHANGE && !b->o->verbose)
		fprintf(stderr, "%s", out.buf ? out.buf : "");
	else if ((rc == LPB_EXIT_OK || (rc == LPB_EXIT_NO_CHANGE && !u->via_header)) &&
		 !b->o->verbose && out.buf) {
		/* what create-diff-object wants the patch author to know */
		char *line, *save = NULL;

		for (line = strtok_r(out.buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
			if (!strncmp(line, "note: ", 6))
				fprintf(stderr, "lp-build: %s: %s\n", u->src, line);
	}
	sb_free(&out);
	free(parent);
	free(dir);
	return rc;
}

int build_stage_diff(struct build *b)
{
	double t0 = now_seconds();
	size_t unchanged = 0;
	char *what;

	if (read_entry_sizes(b))
		return LPB_EXIT_ERROR;
	b->diffs = xcalloc(b->units.n, sizeof(*b->diffs));
	for (size_t i = 0; i < b->units.n; i++) {
		struct unit *u = &b->units.v[i];
		struct kmod_diff *d;
		int rc = diff_unit(b, u);

		if (rc == LPB_EXIT_NO_CHANGE) {
			if (u->via)
				build_say(b, "note: %s has no functional change in %s", u->via, u->src);
			else if (!u->via_header)
				build_say(b, "note: %s has no functional change", u->src);
			unchanged++;
			continue;
		}
		if (rc == LPB_EXIT_UNPATCHABLE) {
			fprintf(stderr, "lp-build: %s: the change cannot be live-patched (see above)\n",
				u->src);
			return LPB_EXIT_UNPATCHABLE;
		}
		if (rc != LPB_EXIT_OK) {
			fprintf(stderr, "lp-build: create-diff-object failed on %s (exit %d)\n",
				u->obj, rc);
			return LPB_EXIT_ERROR;
		}
		d = &b->diffs[b->nr_diffs];
		d->path = u->diff;
		d->src = u->src;
		d->elf = lpb_elf_open(u->diff, 0);
		if (!d->elf || lpb_meta_read(d->elf, &d->meta))
			return LPB_EXIT_ERROR;
		b->nr_diffs++;
	}
	b->units_changed = b->nr_diffs;
	if (!b->nr_diffs) {
		fprintf(stderr, "lp-build: the patches make no functional change to the kernel "
			"(%zu unit(s) compiled): nothing to livepatch\n", b->units.n);
		return LPB_EXIT_NO_CHANGE;
	}
	switch (build_check_references(b)) {
	case 0:
		break;
	case 1:
		return LPB_EXIT_UNPATCHABLE;
	default:
		return LPB_EXIT_ERROR;
	}
	what = xasprintf("%zu of %zu compiled unit(s) changed", b->nr_diffs, b->units.n);
	build_stage_done(b, ST_DIFF, t0, what);
	free(what);
	return 0;
}
