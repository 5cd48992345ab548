// SPDX-License-Identifier: GPL-2.0-only
/* The end of a batch run: one table (target, outcome, exit code, functions,
 * seconds), OUTDIR/summary.json, and the exit code of the worst target. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "exit-codes.h"
#include "json.h"

/*
 * Exit codes from worst to least bad: what the run's own code is when
 * targets fail differently. An error (1) says nothing about the patch (the
 * tool, the network or the input failed: look first); 6 and 5 say lp-build
 * could not trust the target; 2 and 4 need work on the patch for that
 * kernel; 3 (no functional change) often means the kernel has the fix.
 */
static const struct {
	int rc;
	const char *meaning;
} severity[] = {
	{ LPB_EXIT_ERROR, "error" },
	{ LPB_EXIT_TARGET_UNKNOWN, "target identity unknown" },
	{ LPB_EXIT_MISMATCH, "does not match the target" },
	{ LPB_EXIT_UNPATCHABLE, "cannot be live-patched" },
	{ LPB_EXIT_PATCH_APPLY, "patch does not apply" },
	{ LPB_EXIT_NO_CHANGE, "no functional change" },
	{ LPB_EXIT_OK, "built" },
};

#define NR_SEVERITY (sizeof(severity) / sizeof(*severity))

/* 0 is the worst; a code lp-build does not define counts as an error. */
static size_t rank(int rc)
{
	for (size_t i = 0; i < NR_SEVERITY; i++)
		if (severity[i].rc == rc)
			return i;
	return 0;
}

const char *batch_rc_meaning(int rc)
{
	for (size_t i = 0; i < NR_SEVERITY; i++)
		if (severity[i].rc == rc)
			return severity[i].meaning;
	return "error";
}

static const char *label(const struct batch_target *t)
{
	return t->resolved ? t->resolved : t->spec;
}

/* OUTDIR-relative path of a file in a target's directory, or NULL. */
static char *rel(const struct batch_target *t, const char *name, const char *ext)
{
	if (!t->release || !t->dir)
		return NULL;
	return xasprintf("%s/%s%s", t->release, name, ext);
}

static void target_json(struct json_writer *w, const struct batch *b, size_t i)
{
	const struct batch_target *t = &b->v[i];
	char *p;

	jw_begin_object(w, NULL);
	jw_string(w, "target", label(t));
	jw_begin_array(w, "named_as");
	jw_string(w, NULL, t->spec);
	for (size_t k = i + 1; k < b->n; k++)
		if (b->v[k].same_as == (int)i)
			jw_string(w, NULL, b->v[k].spec);
	jw_end_array(w);
	jw_string(w, "series", t->series);
	jw_string(w, "release", t->release);
	jw_string(w, "version", t->version);
	jw_string(w, "outcome", t->outcome);
	jw_int(w, "exit_code", t->rc);
	jw_string(w, "meaning", batch_rc_meaning(t->rc));
	if (t->functions >= 0)
		jw_int(w, "functions", t->functions);
	else
		jw_null(w, "functions");
	jw_double(w, "seconds", t->fetch_s + t->build_s, 2);
	jw_double(w, "cpu_seconds", t->fetch_cpu + t->build_cpu, 2);
	jw_double(w, "fetch_seconds", t->fetch_s, 2);
	jw_double(w, "fetch_cpu_seconds", t->fetch_cpu, 2);
	jw_double(w, "build_seconds", t->build_s, 2);
	jw_double(w, "build_cpu_seconds", t->build_cpu, 2);
	jw_bool(w, "packages_cached", t->was_cached);
	if (t->unit_cache_hits >= 0)
		jw_int(w, "unit_cache_hits", t->unit_cache_hits);
	else
		jw_null(w, "unit_cache_hits");
	jw_string(w, "dir", t->dir ? t->release : NULL);
	p = t->rc == 0 ? rel(t, b->name, ".ko") : NULL;
	jw_string(w, "module", p);
	free(p);
	p = t->rc == 0 ? rel(t, b->name, ".json") : NULL;
	jw_string(w, "manifest", p);
	free(p);
	p = rel(t, "lp-build", ".log");
	jw_string(w, "log", p);
	free(p);
	jw_string(w, "target_file", t->target_file);
	jw_string(w, "message", t->message);
	/* the manifest's stage times, as they are */
	if (t->stages_json) {
		fprintf(w->f, "%s\"stages_seconds\": %s", w->need_comma[w->depth] ? ", " : "",
			t->stages_json);
		w->need_comma[w->depth] = true;
	} else {
		jw_null(w, "stages_seconds");
	}
	jw_end_object(w);
}

static int write_json(const struct batch *b, int rc, const struct batch_target *worst,
		      size_t built, size_t failed)
{
	struct json_writer w = { 0 };
	char *text = NULL, *path = xasprintf("%s/summary.json", b->o->outdir);
	size_t len = 0;
	int ret;

	w.f = open_memstream(&text, &len);
	if (!w.f) {
		free(path);
		return -1;
	}
	jw_begin_object(&w, NULL);
	jw_string(&w, "format", "lp-build-batch-summary");
	jw_int(&w, "format_version", 1);
	jw_string(&w, "lp_build", LPB_VERSION);
	jw_string(&w, "name", b->name);
	jw_string(&w, "patch_version", b->o->patch_version);
	jw_begin_array(&w, "patches");
	for (int i = 0; i < b->o->nr_patches; i++)
		jw_string(&w, NULL, b->o->patches[i]);
	jw_end_array(&w);
	jw_int(&w, "job_slots", b->slots);
	jw_string(&w, "jobserver", b->joined ? "joined" : "own");
	jw_double(&w, "seconds", b->seconds, 2);
	jw_double(&w, "cpu_seconds", b->cpu, 2);
	jw_int(&w, "built", (long long)built);
	jw_int(&w, "failed", (long long)failed);
	jw_bool(&w, "interrupted", b->interrupted);
	jw_int(&w, "exit_code", rc);
	if (worst) {
		jw_begin_object(&w, "worst");
		jw_string(&w, "target", label(worst));
		jw_int(&w, "exit_code", worst->rc);
		jw_string(&w, "outcome", worst->outcome);
		jw_end_object(&w);
	} else {
		jw_null(&w, "worst");
	}
	jw_begin_array(&w, "targets");
	for (size_t i = 0; i < b->n; i++)
		if (b->v[i].same_as < 0)
			target_json(&w, b, i);
	jw_end_array(&w);
	jw_end_object(&w);
	fputc('\n', w.f);
	fclose(w.f);
	ret = write_file_atomic(path, text, len, 0644);
	free(text);
	free(path);
	return ret;
}

int batch_report(struct batch *b)
{
	const struct batch_target *worst = NULL;
	size_t built = 0, failed = 0;
	int rc;

	printf("%-44s %-26s %4s %9s %8s %8s\n", "TARGET", "OUTCOME", "EXIT", "FUNCTIONS",
	       "SECONDS", "CPU");
	for (size_t i = 0; i < b->n; i++) {
		const struct batch_target *t = &b->v[i];
		char funcs[16] = "-";

		if (t->same_as >= 0)
			continue;
		if (t->functions >= 0)
			snprintf(funcs, sizeof(funcs), "%d", t->functions);
		printf("%-44s %-26s %4d %9s %8.1f %8.1f\n", label(t), t->outcome ? t->outcome : "?",
		       t->rc, funcs, t->fetch_s + t->build_s, t->fetch_cpu + t->build_cpu);
		if (t->rc)
			failed++;
		else
			built++;
		if (t->rc && (!worst || rank(t->rc) < rank(worst->rc)))
			worst = t;
	}
	for (size_t i = 0; i < b->n; i++)
		if (b->v[i].same_as >= 0)
			printf("(%s names %s again: built once)\n", b->v[i].spec,
			       label(&b->v[b->v[i].same_as]));
	for (size_t i = 0; i < b->n; i++)
		if (b->v[i].rc && b->v[i].same_as < 0)
			printf("%s: %s\n", label(&b->v[i]), b->v[i].message ? b->v[i].message : "");
	rc = worst ? worst->rc : 0;
	if (rc > 125)
		rc = LPB_EXIT_ERROR;
	printf("%zu of %zu target(s) built in %.1f s (CPU %.1f s, %d job slot(s)); exit %d%s%s%s\n",
	       built, built + failed, b->seconds, b->cpu, b->slots, rc,
	       worst ? " (worst: " : "", worst ? label(worst) : "", worst ? ")" : "");
	fflush(stdout);
	if (write_json(b, rc, worst, built, failed)) {
		fprintf(stderr, "lp-build: cannot write %s/summary.json\n", b->o->outdir);
		return LPB_EXIT_ERROR;
	}
	if (!b->o->quiet)
		fprintf(stderr, "lp-build: batch summary: %s/summary.json\n", b->o->outdir);
	return rc;
}
