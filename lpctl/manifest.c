// SPDX-License-Identifier: GPL-2.0-only
/* lp-build's NAME.json, read into the few fields lpctl checks and shows. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "manifest.h"

/* A string member, or a number written as one (patch_version: 2). */
static char *str_or_num(const struct json *obj, const char *key)
{
	const struct json *j = json_get(obj, key);

	if (j && j->type == JSON_STRING)
		return xstrdup(j->str);
	if (j && j->type == JSON_NUMBER)
		return xasprintf("%g", j->num);
	return NULL;
}

static bool is_sha256(const char *s)
{
	return s && strlen(s) == SHA256_HEX_LEN && strspn(s, "0123456789abcdef") == SHA256_HEX_LEN;
}

int manifest_parse(const char *text, size_t len, struct manifest *m, char *why, size_t why_len)
{
	const struct json *target, *patches, *objects, *module, *j;
	char err[160];
	struct json *root = json_parse(text, len, err, sizeof(err));

	*m = (struct manifest){ .replace = -1, .module_size = -1 };
	if (!root) {
		snprintf(why, why_len, "not valid JSON: %s", err);
		return -EBADMSG;
	}
	if (root->type != JSON_OBJECT) {
		snprintf(why, why_len, "not a JSON object");
		goto bad;
	}
	m->name = str_or_num(root, "name");
	m->patch_version = str_or_num(root, "patch_version");
	j = json_get(root, "replace");
	if (j && j->type == JSON_BOOL)
		m->replace = j->b;

	target = json_get(root, "target");
	m->target_release = str_or_num(target, "release");
	m->target_version = str_or_num(target, "version");
	m->target_label = str_or_num(target, "label");

	patches = json_get(root, "patches");
	if (patches && patches->type == JSON_ARRAY) {
		m->patches = xcalloc(patches->n, sizeof(*m->patches));
		for (size_t i = 0; i < patches->n; i++) {
			const char *file = json_get_str(patches->items[i], "file");
			const char *sha = json_get_str(patches->items[i], "sha256");

			if (!file)
				continue;
			m->patches[m->nr_patches].file = xstrdup(file);
			m->patches[m->nr_patches].sha256 = xstrdup(sha);
			m->nr_patches++;
		}
	}

	objects = json_get(root, "objects");
	for (size_t i = 0; objects && objects->type == JSON_ARRAY && i < objects->n; i++) {
		const struct json *o = objects->items[i], *funcs = json_get(o, "functions");
		const char *oname = json_get_str(o, "name");

		for (size_t k = 0; funcs && funcs->type == JSON_ARRAY && k < funcs->n; k++) {
			const char *fname = json_get_str(funcs->items[k], "name");
			const struct json *pos = json_get(funcs->items[k], "sympos");

			if (!fname)
				continue;
			if (pos && pos->type == JSON_NUMBER && pos->num > 0)
				strv_addf(&m->functions, "%s:%s,%g", oname ? oname : "?", fname,
					  pos->num);
			else
				strv_addf(&m->functions, "%s:%s", oname ? oname : "?", fname);
		}
	}

	module = json_get(root, "module");
	m->module_file = str_or_num(module, "file");
	m->module_sha256 = str_or_num(module, "sha256");
	j = json_get(module, "size");
	if (j && j->type == JSON_NUMBER) {
		/* checked before the conversion, which is undefined out of range
		 * (found by fuzz-manifest) */
		if (!(j->num >= 0 && j->num <= 1e15) || j->num != (double)(long long)j->num) {
			snprintf(why, why_len, "\"module\".\"size\" is not a size in bytes");
			goto bad;
		}
		m->module_size = (long long)j->num;
	}

	if (!m->name) {
		snprintf(why, why_len, "no \"name\"");
		goto bad;
	}
	if (!is_sha256(m->module_sha256)) {
		snprintf(why, why_len, "no valid \"module\".\"sha256\"");
		goto bad;
	}
	if (!m->target_release || !m->target_version) {
		snprintf(why, why_len, "no \"target\".\"release\"/\"version\"");
		goto bad;
	}
	json_free(root);
	return 0;
bad:
	json_free(root);
	manifest_free(m);
	return -EBADMSG;
}

int manifest_load(const char *path, struct manifest *m, char *why, size_t why_len)
{
	uint8_t *data;
	size_t len;
	int ret = read_path(path, 16 << 20, &data, &len);

	*m = (struct manifest){ .replace = -1, .module_size = -1 };
	if (ret) {
		snprintf(why, why_len, "cannot read it: %s", strerror(-ret));
		return ret;
	}
	ret = manifest_parse((char *)data, len, m, why, why_len);
	free(data);
	return ret;
}

void manifest_free(struct manifest *m)
{
	free(m->name);
	free(m->patch_version);
	free(m->target_release);
	free(m->target_version);
	free(m->target_label);
	for (size_t i = 0; i < m->nr_patches; i++) {
		free(m->patches[i].file);
		free(m->patches[i].sha256);
	}
	free(m->patches);
	strv_free(&m->functions);
	free(m->module_file);
	free(m->module_sha256);
	*m = (struct manifest){ .replace = -1, .module_size = -1 };
}
