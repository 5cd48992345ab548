// SPDX-License-Identifier: GPL-2.0-only
/* NAME.json: what a built livepatch is, for lpctl and for people: target
 * identity, what it patches, checksums, sizes, stage timings, tool versions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build.h"
#include "json.h"

static void objects(struct json_writer *w, const struct build *b)
{
	struct strvec names = { 0 };

	build_patch_objects(b, &names);
	jw_begin_array(w, "objects");
	for (size_t k = 0; k < names.n; k++) {
		jw_begin_object(w, NULL);
		jw_string(w, "name", names.v[k]);
		jw_begin_array(w, "functions");
		for (size_t i = 0; i < b->nr_diffs; i++) {
			const struct lpb_meta *m = &b->diffs[i].meta;

			for (size_t j = 0; j < m->nr_funcs; j++) {
				if (strcmp(m->funcs[j].objname, names.v[k]))
					continue;
				jw_begin_object(w, NULL);
				jw_string(w, "name", m->funcs[j].old_name);
				jw_int(w, "sympos", m->funcs[j].sympos);
				jw_end_object(w);
			}
		}
		jw_end_array(w);
		jw_begin_array(w, "callbacks");
		for (size_t i = 0; i < b->nr_diffs; i++) {
			const struct lpb_meta *m = &b->diffs[i].meta;

			for (size_t j = 0; j < m->nr_callbacks; j++)
				if (!strcmp(m->callbacks[j].objname, names.v[k]))
					jw_string(w, NULL,
						  lpb_callback_kind_name(m->callbacks[j].kind));
		}
		jw_end_array(w);
		jw_end_object(w);
	}
	jw_end_array(w);
	sv_free(&names);
}

/* The object conventions create-diff-object found in a unit's original
 * (its JSON "profile"): which kernel formats the build dealt with. */
static void unit_formats(struct json_writer *w, const struct unit *u)
{
	static const char *const ints[] = { "function_padding", "prefix_symbols", "endbr",
					    "fixup_fragments" };
	char why[128], *text;
	size_t len;
	struct json *j;
	const struct json *p, *v;

	if (!u->json || !(text = read_file(u->json, &len)))
		return;
	j = json_parse(text, len, why, sizeof(why));
	free(text);
	p = j ? json_get(j, "profile") : NULL;
	if (p) {
		jw_begin_object(w, "formats");
		for (size_t i = 0; i < sizeof(ints) / sizeof(*ints); i++)
			if ((v = json_get(p, ints[i])) && v->type == JSON_NUMBER)
				jw_int(w, ints[i], (long long)v->num);
		if ((v = json_get(p, "objtool")) && v->type == JSON_BOOL)
			jw_bool(w, "objtool", v->b);
		jw_string(w, "exports", json_get_str(p, "exports"));
		jw_end_object(w);
	}
	json_free(j);
}

char *build_manifest(const struct build *b)
{
	struct json_writer w = { 0 };
	char sha[65], *text = NULL, *file;
	size_t len = 0;
	double total = 0;

	w.f = open_memstream(&text, &len);
	if (!w.f) {
		fprintf(stderr, "lp-build: out of memory\n");
		abort();
	}
	sha256_hex(b->module, b->module_len, sha);
	jw_begin_object(&w, NULL);
	jw_string(&w, "name", b->name);
	jw_string(&w, "patch_version", b->o->patch_version);
	jw_bool(&w, "replace", b->o->replace);
	/* what the author vouched for: struct layout changes built anyway */
	jw_begin_array(&w, "allow_layout_change");
	for (size_t i = 0; i < b->o->allow_layout.n; i++)
		jw_string(&w, NULL, b->o->allow_layout.v[i]);
	jw_end_array(&w);
	jw_begin_array(&w, "allow_ran_once");
	for (size_t i = 0; i < b->o->allow_ran_once.n; i++)
		jw_string(&w, NULL, b->o->allow_ran_once.v[i]);
	jw_end_array(&w);

	jw_begin_object(&w, "target");
	jw_string(&w, "release", b->target.release);
	jw_string(&w, "version", b->target.version);
	jw_string(&w, "label", b->target.label);
	jw_string(&w, "compiler", b->target.compiler);
	jw_string(&w, "banner", b->target.banner);
	jw_end_object(&w);

	jw_begin_array(&w, "patches");
	for (size_t i = 0; i < b->patches.paths.n; i++) {
		const char *base = strrchr(b->patches.paths.v[i], '/');

		jw_begin_object(&w, NULL);
		jw_string(&w, "file", base ? base + 1 : b->patches.paths.v[i]);
		jw_string(&w, "sha256", b->patches.sha256.v[i]);
		jw_end_object(&w);
	}
	jw_end_array(&w);

	objects(&w, b);

	jw_begin_array(&w, "units");
	for (size_t i = 0; i < b->units.n; i++) {
		const struct unit *u = &b->units.v[i];

		jw_begin_object(&w, NULL);
		jw_string(&w, "source", u->src);
		jw_string(&w, "object", u->objname);
		jw_bool(&w, "changed", u->diff_rc == 0);
		jw_bool(&w, "via_header", u->via_header);
		if (u->via)
			jw_string(&w, "compiles", u->via);
		jw_string(&w, "reason", unit_reasons[u->reason].key);
		if (u->why)
			jw_string(&w, "selected_by", u->why);
		jw_bool(&w, "original_cached", u->cached);
		unit_formats(&w, u);
		jw_end_object(&w);
	}
	jw_end_array(&w);
	/* how a changed header's units were chosen (units_plan, build.c) */
	jw_begin_object(&w, "header_selection");
	jw_int(&w, "includers", (long long)b->units.includers.n);
	jw_int(&w, "by_dwarf", (long long)b->units.by_reason[UR_DWARF]);
	jw_int(&w, "preprocessed", (long long)b->pp_units);
	jw_int(&w, "by_preprocessing", (long long)b->pp_differ);
	jw_int(&w, "skipped", (long long)b->units_skipped);
	jw_end_object(&w);
	/* changed files the target is not built from: nothing of them is in
	 * the module, and whoever audits it must see that */
	jw_begin_array(&w, "skipped_sources");
	for (size_t i = 0; i < b->units.skipped.n; i++)
		jw_string(&w, NULL, b->units.skipped.v[i]);
	jw_end_array(&w);

	file = xasprintf("%s.ko", b->name);
	jw_begin_object(&w, "module");
	jw_string(&w, "file", file);
	jw_string(&w, "sha256", sha);
	jw_int(&w, "size", (long long)b->module_len);
	jw_bool(&w, "signed", b->sign);
	jw_int(&w, "klp_relocations", (long long)b->klp.relocs);
	jw_int(&w, "klp_symbols", (long long)b->klp.symbols);
	jw_int(&w, "preflight_functions", (long long)b->preflight.functions);
	jw_int(&w, "preflight_bytes", (long long)b->preflight.bytes);
	jw_int(&w, "preflight_padding_sites", (long long)b->preflight.padding_sites);
	jw_int(&w, "preflight_resized_branches", (long long)b->preflight.resized_branches);
	jw_bool(&w, "loadcheck_vermagic", b->vermagic_checked);
	jw_bool(&w, "loadcheck_this_module", b->this_module_checked);
	jw_int(&w, "loadcheck_symbol_versions", (long long)b->crcs_checked);
	jw_bool(&w, "btf", b->module_btf);
	jw_end_object(&w);
	free(file);

	jw_begin_object(&w, "timings_s");
	for (int i = 0; i < NR_STAGES; i++) {
		jw_double(&w, build_stage_names[i], b->stage_seconds[i], 3);
		total += b->stage_seconds[i];
	}
	jw_double(&w, "total", total, 3);
	jw_end_object(&w);

	/* compiled units shared with other builds and targets (unitcache.h) */
	jw_begin_object(&w, "unit_cache");
	jw_bool(&w, "enabled", b->ucache.on);
	jw_int(&w, "original_hits", (long long)b->ucache_hits[0]);
	jw_int(&w, "patched_hits", (long long)b->ucache_hits[1]);
	jw_end_object(&w);

	jw_begin_object(&w, "tools");
	jw_string(&w, "lp-build", LPB_VERSION);
	jw_string(&w, "compiler", b->target.compiler);
	jw_end_object(&w);
	jw_end_object(&w);
	fclose(w.f);
	return text;
}
