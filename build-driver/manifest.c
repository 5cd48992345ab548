// SPDX-License-Identifier: GPL-2.0-only
/* NAME.json: what a built livepatch is, for lpctl and for people: target
 * identity, what it patches, checksums, sizes, stage timings, tool versions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build.h"
#include "modsign.h"

static void kv(struct strbuf *sb, const char *indent, const char *key, const char *value,
	       bool last)
{
	sb_addf(sb, "%s\"%s\": ", indent, key);
	sb_add_json(sb, value);
	sb_adds(sb, last ? "\n" : ",\n");
}

static void objects(struct strbuf *sb, const struct build *b)
{
	struct strvec names = { 0 };

	for (size_t i = 0; i < b->nr_diffs; i++) {
		const struct lpb_meta *m = &b->diffs[i].meta;

		for (size_t j = 0; j < m->nr_funcs; j++)
			if (!sv_contains(&names, m->funcs[j].objname))
				sv_push(&names, m->funcs[j].objname);
		for (size_t j = 0; j < m->nr_callbacks; j++)
			if (!sv_contains(&names, m->callbacks[j].objname))
				sv_push(&names, m->callbacks[j].objname);
	}
	sb_adds(sb, "  \"objects\": [\n");
	for (size_t k = 0; k < names.n; k++) {
		bool first = true;

		sb_adds(sb, "    {\n      \"name\": ");
		sb_add_json(sb, names.v[k]);
		sb_adds(sb, ",\n      \"functions\": [");
		for (size_t i = 0; i < b->nr_diffs; i++) {
			const struct lpb_meta *m = &b->diffs[i].meta;

			for (size_t j = 0; j < m->nr_funcs; j++) {
				if (strcmp(m->funcs[j].objname, names.v[k]))
					continue;
				sb_adds(sb, first ? "\n        { \"name\": " : ",\n        { \"name\": ");
				sb_add_json(sb, m->funcs[j].old_name);
				sb_addf(sb, ", \"sympos\": %u }", m->funcs[j].sympos);
				first = false;
			}
		}
		sb_adds(sb, first ? "],\n" : "\n      ],\n");
		sb_adds(sb, "      \"callbacks\": [");
		first = true;
		for (size_t i = 0; i < b->nr_diffs; i++) {
			const struct lpb_meta *m = &b->diffs[i].meta;

			for (size_t j = 0; j < m->nr_callbacks; j++) {
				if (strcmp(m->callbacks[j].objname, names.v[k]))
					continue;
				sb_adds(sb, first ? "" : ", ");
				sb_add_json(sb, lpb_callback_kind_name(m->callbacks[j].kind));
				first = false;
			}
		}
		sb_addf(sb, "]\n    }%s\n", k + 1 < names.n ? "," : "");
	}
	sb_adds(sb, "  ],\n");
	sv_free(&names);
}

char *build_manifest(const struct build *b)
{
	struct strbuf sb = { 0 };
	char sha[65];
	double total = 0;

	sha256_hex(b->module, b->module_len, sha);
	sb_adds(&sb, "{\n");
	kv(&sb, "  ", "name", b->name, false);
	kv(&sb, "  ", "patch_version", b->o->patch_version, false);
	sb_addf(&sb, "  \"replace\": %s,\n", b->o->replace ? "true" : "false");
	sb_adds(&sb, "  \"target\": {\n");
	kv(&sb, "    ", "release", b->target.release, false);
	kv(&sb, "    ", "version", b->target.version, false);
	kv(&sb, "    ", "label", b->target.label, false);
	kv(&sb, "    ", "compiler", b->target.compiler, false);
	kv(&sb, "    ", "banner", b->target.banner, true);
	sb_adds(&sb, "  },\n  \"patches\": [\n");
	for (size_t i = 0; i < b->patches.paths.n; i++) {
		const char *base = strrchr(b->patches.paths.v[i], '/');

		sb_adds(&sb, "    { \"file\": ");
		sb_add_json(&sb, base ? base + 1 : b->patches.paths.v[i]);
		sb_adds(&sb, ", \"sha256\": ");
		sb_add_json(&sb, b->patches.sha256.v[i]);
		sb_addf(&sb, " }%s\n", i + 1 < b->patches.paths.n ? "," : "");
	}
	sb_adds(&sb, "  ],\n");
	objects(&sb, b);
	sb_adds(&sb, "  \"units\": [\n");
	for (size_t i = 0; i < b->units.n; i++) {
		const struct unit *u = &b->units.v[i];

		sb_adds(&sb, "    { \"source\": ");
		sb_add_json(&sb, u->src);
		sb_adds(&sb, ", \"object\": ");
		sb_add_json(&sb, u->objname);
		sb_addf(&sb, ", \"changed\": %s, \"via_header\": %s }%s\n",
			u->diff_rc == 0 ? "true" : "false", u->via_header ? "true" : "false",
			i + 1 < b->units.n ? "," : "");
	}
	sb_adds(&sb, "  ],\n  \"module\": {\n");
	sb_addf(&sb, "    \"file\": \"%s.ko\",\n", b->name);
	kv(&sb, "    ", "sha256", sha, false);
	sb_addf(&sb, "    \"size\": %zu,\n    \"signed\": %s,\n", b->module_len,
		b->sign ? "true" : "false");
	sb_addf(&sb, "    \"klp_relocations\": %zu,\n    \"klp_symbols\": %zu,\n",
		b->klp.relocs, b->klp.symbols);
	sb_addf(&sb, "    \"preflight_functions\": %zu,\n    \"preflight_bytes\": %zu\n",
		b->preflight.functions, b->preflight.bytes);
	sb_adds(&sb, "  },\n  \"timings_s\": {\n");
	for (int i = 0; i < NR_STAGES; i++) {
		sb_addf(&sb, "    \"%s\": %.3f,\n", build_stage_names[i], b->stage_seconds[i]);
		total += b->stage_seconds[i];
	}
	sb_addf(&sb, "    \"total\": %.3f\n  },\n", total);
	sb_adds(&sb, "  \"tools\": {\n");
	kv(&sb, "    ", "lp-build", LPB_VERSION, false);
	kv(&sb, "    ", "compiler", b->target.compiler, true);
	sb_adds(&sb, "  }\n}\n");
	return sb_detach(&sb);
}
