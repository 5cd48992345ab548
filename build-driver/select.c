// SPDX-License-Identifier: GPL-2.0-only
/* lp-build's select stage: which units to compile and why (units.c plans,
 * the preprocessor decides what is left), said in one line, each with -V. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build.h"
#include "exit-codes.h"
#include "preprocess.h"

/* Units a macro, type or declaration change may reach: the preprocessor
 * decides, except where kbuild cannot preprocess a unit alone. */
static int select_preprocessed(struct build *b)
{
	struct strvec run = { 0 }, differ = { 0 };
	struct units *u = &b->units;
	struct pp_stats st;
	size_t direct = 0;
	int ret;

	for (size_t i = 0; i < u->preprocess.n; i++) {
		const char *src = u->preprocess.v[i];

		if (has_suffix(src, ".S") || compile_twice_reached(&b->compile, src)) {
			units_add(u, src, b->work, UR_NOT_PREPROCESSED, has_suffix(src, ".S") ?
				  "an assembler unit including a changed header" :
				  "includes a changed header; kbuild cannot preprocess it alone");
			direct++;
		} else {
			sv_push(&run, src);
		}
	}
	build_say(b, "preprocessing %zu unit(s) on both sides (the original side once per tree) ...",
	    run.n);
	ret = preprocess_compare(&b->compile, &run, &differ, &st);
	for (size_t i = 0; !ret && i < differ.n; i++)
		units_add(u, differ.v[i], b->work, UR_PREPROCESSED,
			  "its preprocessed source changes (a changed macro, type or declaration)");
	if (!ret)
		build_say(b, "preprocessed %zu unit(s) in %.1f s (%zu original side(s) from the cache): "
		    "%zu differ; %zu compiled without preprocessing", st.units, st.seconds,
		    st.cached, st.differ, direct);
	b->pp_units = st.units;
	b->pp_differ = st.differ;
	sv_free(&run);
	sv_free(&differ);
	return ret;
}

/* Which units to compile and why: said in one line, unit by unit with -V. */
static void report_selection(struct build *b)
{
	const struct units *u = &b->units;
	struct strset selected = { 0 }, preprocessed = { 0 };
	struct strbuf why = { 0 };
	size_t skipped = 0;

	if (!u->includers.n)
		return;
	for (size_t j = 0; j < u->n; j++)
		ss_add(&selected, u->v[j].src);
	for (size_t j = 0; j < u->preprocess.n; j++)
		ss_add(&preprocessed, u->preprocess.v[j]);
	for (size_t i = 0; i < u->includers.n; i++) {
		const char *src = u->includers.v[i];

		if (ss_has(&selected, src))
			continue;
		skipped++;
		if (b->o->verbose)
			build_say(b, "  skipped %s: %s", src, ss_has(&preprocessed, src) ?
				  "preprocesses the same" :
				  "holds no changed function's code, uses no changed macro");
	}
	for (size_t i = 0; b->o->verbose && i < u->n; i++)
		build_say(b, "  compile %s: %s", u->v[i].src, u->v[i].why ? u->v[i].why : "");
	for (int r = 0; r < NR_UNIT_REASONS; r++)
		if (u->by_reason[r])
			sb_addf(&why, "%s%zu %s", why.len ? ", " : "", u->by_reason[r],
				unit_reasons[r].text);
	build_say(b, "%zu unit(s) of this kernel include the changed header(s): compiling %zu (%s), "
		  "%zu skipped%s", u->includers.n, u->n, why.buf ? why.buf : "", skipped,
		  skipped && !b->o->verbose ? " (-V lists them)" : "");
	b->units_skipped = skipped;
	sb_free(&why);
	ss_free(&selected);
	ss_free(&preprocessed);
}

int build_select(struct build *b, const struct units_in *in)
{
	int ret = units_plan(&b->units, &b->patches, in);

	if (ret)
		return ret > 0 ? LPB_EXIT_NO_CHANGE : LPB_EXIT_ERROR;
	if (b->units.preprocess.n && select_preprocessed(b))
		return LPB_EXIT_ERROR;
	report_selection(b);
	if (!b->units.n) {
		fprintf(stderr, "lp-build: no unit's code changes: the patches make no functional "
			"change to the kernel, nothing to livepatch\n");
		return LPB_EXIT_NO_CHANGE;
	}
	return 0;
}
