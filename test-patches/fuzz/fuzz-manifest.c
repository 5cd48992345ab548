// SPDX-License-Identifier: GPL-2.0-only
/* libFuzzer target for lp-build manifests as lpctl reads them (lib/json.c,
 * lpctl/manifest.c), and for the JSON writer: what parses, written back out
 * by lib/json.c's writer, parses again to the same tree. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void write_tree(struct json_writer *w, const struct json *j, const char *key)
{
	switch (j->type) {
	case JSON_NULL:
		jw_null(w, key);
		break;
	case JSON_BOOL:
		jw_bool(w, key, j->b);
		break;
	case JSON_NUMBER:
		if (isfinite(j->num) && fabs(j->num) < 1e15)
			jw_double(w, key, j->num, 6);
		else
			jw_null(w, key); /* the writer is not asked for these */
		break;
	case JSON_STRING:
		jw_string(w, key, j->str);
		break;
	case JSON_ARRAY:
	case JSON_OBJECT:
		if (j->type == JSON_ARRAY)
			jw_begin_array(w, key);
		else
			jw_begin_object(w, key);
		for (size_t i = 0; i < j->n; i++)
			write_tree(w, j->items[i], j->items[i]->key);
		if (j->type == JSON_ARRAY)
			jw_end_array(w);
		else
			jw_end_object(w);
		break;
	}
}

static bool same_tree(const struct json *a, const struct json *b)
{
	if (a->type != b->type && !(a->type == JSON_NUMBER && b->type == JSON_NULL))
		return false;
	if ((a->key || b->key) && (!a->key || !b->key || strcmp(a->key, b->key)))
		return false;
	if (a->type == JSON_STRING && strcmp(a->str, b->str))
		return false;
	if (a->type == JSON_BOOL && a->b != b->b)
		return false;
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (!same_tree(a->items[i], b->items[i]))
			return false;
	return true;
}

static void round_trip(const struct json *j)
{
	struct json_writer w = { 0 };
	struct json *again;
	char *buf = NULL, why[160];
	size_t len = 0;

	w.f = open_memstream(&buf, &len);
	if (!w.f)
		return;
	write_tree(&w, j, NULL);
	if (fclose(w.f))
		return;
	again = json_parse(buf, len, why, sizeof(why));
	if (!again || !same_tree(j, again)) {
		fprintf(stderr, "fuzz-manifest: the writer's output %s: %s\n",
			again ? "reads back different" : "does not parse", again ? buf : why);
		abort();
	}
	json_free(again);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct manifest m;
	struct json *j;
	char why[200];

	if (!manifest_parse((const char *)data, size, &m, why, sizeof(why))) {
		if (!m.name || !m.module_sha256 || strlen(m.module_sha256) != 64 ||
		    !m.target_release || !m.target_version)
			abort();
		for (size_t i = 0; i < m.nr_patches; i++)
			if (!m.patches[i].file || !m.patches[i].sha256)
				abort();
		manifest_free(&m);
	}
	j = json_parse((const char *)data, size, why, sizeof(why));
	if (j) {
		round_trip(j);
		json_free(j);
	}
	return 0;
}
