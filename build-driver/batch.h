/* SPDX-License-Identifier: GPL-2.0-only */
/* Batch builds: one fix for many targets in one run, each in its own
 * OUTDIR/<release>/, run in parallel within -j, one summary at the end. */
#ifndef LPB_BUILD_BATCH_H
#define LPB_BUILD_BATCH_H

#include <stdbool.h>
#include <sys/types.h>

#include "build.h"
#include "util.h"

enum batch_state {
	BT_FETCH, /* waiting to be fetched */
	BT_BUILD, /* fetched, waiting to be built */
	BT_RUNNING, /* its fetch or build runs */
	BT_DONE,
};

struct batch_target {
	char *spec; /* as given: --target, a --targets line, or the pattern it came from */
	char *resolved; /* debian:RELEASE=VERSION, or NULL when SPEC names nothing */
	char *series, *release, *version;
	char *dir; /* OUTDIR/RELEASE */
	char *log; /* OUTDIR/RELEASE/lp-build.log */
	char *target_file; /* what lp-build fetch printed */
	int same_as; /* index of the target this one resolved to as well, or -1 */
	enum batch_state state;
	bool was_cached; /* its packages were in the cache before this run */

	int rc; /* lp-build's exit code (0 built) */
	const char *outcome; /* "built", "fetch failed", ... (static text) */
	char *message; /* why it failed: the last thing its log said */
	int functions; /* functions the module replaces, -1 when not built */
	char *stages_json; /* the manifest's timings_s, as JSON text */
	int unit_cache_hits; /* compiles the manifest says came from the unit cache, -1: none */
	double fetch_s, build_s; /* wall time of each job */
	double fetch_cpu, build_cpu; /* CPU time (user + system) of each job */
};

struct batch {
	const struct build_opts *o;
	char *name; /* the module name every target's build gets */
	char *self; /* this lp-build executable */
	struct batch_target *v;
	size_t n;
	double t0, seconds, cpu; /* start, wall and CPU time of the run */
	int slots; /* -j, or what the jobserver we joined says */
	bool joined; /* the jobserver of a make that runs us */
	bool interrupted;
};

/* Lines of a --targets FILE ("-": stdin): one target a line, '#' comments. */
int batch_read_targets(const char *path, struct strvec *specs);

/* Whether these targets make a batch run (several, a pattern, a --targets file). */
bool batch_wanted(const struct strvec *specs, bool from_file);

/* The whole batch run; returns the exit code (0 only when every target built). */
int batch_main(const struct build_opts *o, const struct strvec *specs, bool refresh);

/* batch-run.c: run every target's fetch and build within the job slots. */
int batch_run(struct batch *b);

/* batch-report.c: the summary table on stdout and OUTDIR/summary.json; the
 * batch's exit code (the worst of its targets'). */
int batch_report(struct batch *b);

/* batch-report.c: what an lp-build exit code means, in a few words. */
const char *batch_rc_meaning(int rc);

#endif /* LPB_BUILD_BATCH_H */
