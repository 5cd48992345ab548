// SPDX-License-Identifier: GPL-2.0-only
/* The patch repository's index.json: reading (every field checked: the file
 * comes from a web server), writing, version order, rollout buckets. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "json.h"
#include "repo-index.h"

/* ---- small checks ---- */

static bool is_hex(const char *s, size_t n)
{
	return s && strlen(s) == n && strspn(s, "0123456789abcdef") == n;
}

bool repo_safe_word(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	return n && n <= 100 && s[0] != '.' && s[0] != '-' &&
	       strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._+~-") ==
		       n;
}

bool repo_safe_path(const char *s)
{
	char part[128];

	if (!s || !*s || strlen(s) > 400)
		return false;
	for (const char *p = s;;) {
		size_t n = strcspn(p, "/");

		if (n >= sizeof(part))
			return false;
		memcpy(part, p, n);
		part[n] = 0;
		if (!repo_safe_word(part))
			return false;
		if (!p[n])
			return true;
		p += n + 1;
	}
}

static bool valid_name(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	return n && n <= 55 &&
	       strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") == n;
}

/* ---- version order and buckets ---- */

static bool digit(char c)
{
	return c >= '0' && c <= '9';
}

int repo_vercmp(const char *a, const char *b)
{
	while (*a || *b) {
		if (digit(*a) && digit(*b)) {
			size_t na, nb;
			int c;

			while (*a == '0' && digit(a[1]))
				a++;
			while (*b == '0' && digit(b[1]))
				b++;
			for (na = 0; digit(a[na]); na++)
				;
			for (nb = 0; digit(b[nb]); nb++)
				;
			if (na != nb)
				return na < nb ? -1 : 1;
			c = memcmp(a, b, na);
			if (c)
				return c < 0 ? -1 : 1;
			a += na;
			b += nb;
			continue;
		}
		if (*a != *b)
			return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
		a++;
		b++;
	}
	return 0;
}

unsigned int repo_bucket(const char *machine_id, const char *repository, const char *release,
			 const char *patch_version)
{
	const char *parts[] = { "lp-build rollout", machine_id, repository, release,
				patch_version };
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	uint64_t v = 0;

	/* NUL-separated, so that no two different inputs hash alike */
	if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(ctx);
		return 99;
	}
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		EVP_DigestUpdate(ctx, parts[i] ? parts[i] : "",
				 strlen(parts[i] ? parts[i] : "") + 1);
	EVP_DigestFinal_ex(ctx, md, &mdlen);
	EVP_MD_CTX_free(ctx);
	for (int i = 0; i < 8; i++)
		v = v << 8 | md[i];
	return (unsigned int)(v % 100);
}

const struct repo_patch *repo_select(const struct repo_kernel *k, const char *machine_id,
				     const char *repository, int fixed_bucket,
				     const struct repo_patch **newest, unsigned int *bucket)
{
	*newest = NULL;
	*bucket = 0;
	for (size_t i = 0; k && i < k->nr_patches; i++) {
		const struct repo_patch *p = &k->patches[i];
		unsigned int b;

		if (p->revoked || !p->module)
			continue;
		b = fixed_bucket >= 0 ?
			    (unsigned int)fixed_bucket :
			    repo_bucket(machine_id, repository, k->release, p->patch_version);
		if (!*newest) {
			*newest = p;
			*bucket = b;
		}
		if (b < (unsigned int)p->rollout)
			return p;
	}
	return NULL;
}

/* ---- the model ---- */

void repo_patch_free(struct repo_patch *p)
{
	free(p->name);
	free(p->patch_version);
	free(p->sha256);
	free(p->date);
	free(p->module);
	free(p->manifest);
	free(p->manifest_sha256);
	for (size_t i = 0; i < p->nr_fixes; i++)
		free(p->fixes[i]);
	free(p->fixes);
	free(p->revoked_date);
	free(p->revoked_reason);
	*p = (struct repo_patch){ 0 };
}

static void kernel_free(struct repo_kernel *k)
{
	free(k->release);
	free(k->version);
	free(k->label);
	for (size_t i = 0; i < k->nr_patches; i++)
		repo_patch_free(&k->patches[i]);
	free(k->patches);
	*k = (struct repo_kernel){ 0 };
}

void repo_index_free(struct repo_index *idx)
{
	free(idx->repository);
	free(idx->published);
	for (size_t i = 0; i < idx->nr_kernels; i++)
		kernel_free(&idx->kernels[i]);
	free(idx->kernels);
	*idx = (struct repo_index){ 0 };
}

static int kernel_cmp(const char *ra, const char *va, const char *rb, const char *vb)
{
	int c = strcmp(ra, rb);

	return c ? c : strcmp(va, vb);
}

struct repo_kernel *repo_find_kernel(const struct repo_index *idx, const char *release,
				     const char *version)
{
	for (size_t i = 0; i < idx->nr_kernels; i++)
		if (!kernel_cmp(idx->kernels[i].release, idx->kernels[i].version, release, version))
			return &idx->kernels[i];
	return NULL;
}

struct repo_kernel *repo_add_kernel(struct repo_index *idx, const char *release,
				    const char *version, const char *label)
{
	struct repo_kernel *v = realloc(idx->kernels, (idx->nr_kernels + 1) * sizeof(*v)), *k;
	size_t at = 0;

	if (!v)
		return NULL;
	idx->kernels = v;
	while (at < idx->nr_kernels &&
	       kernel_cmp(v[at].release, v[at].version, release, version) < 0)
		at++;
	memmove(&v[at + 1], &v[at], (idx->nr_kernels - at) * sizeof(*v));
	k = &v[at];
	*k = (struct repo_kernel){ .release = strdup(release),
				   .version = strdup(version),
				   .label = label ? strdup(label) : NULL };
	idx->nr_kernels++;
	if (!k->release || !k->version || (label && !k->label)) {
		kernel_free(k);
		memmove(&v[at], &v[at + 1], (idx->nr_kernels - at - 1) * sizeof(*v));
		idx->nr_kernels--;
		return NULL;
	}
	return k;
}

int repo_add_patch(struct repo_kernel *k, struct repo_patch *p)
{
	struct repo_patch *v = realloc(k->patches, (k->nr_patches + 1) * sizeof(*v));
	size_t at = 0;

	if (!v)
		return -ENOMEM;
	k->patches = v;
	while (at < k->nr_patches && repo_vercmp(v[at].patch_version, p->patch_version) > 0)
		at++;
	memmove(&v[at + 1], &v[at], (k->nr_patches - at) * sizeof(*v));
	v[at] = *p;
	k->nr_patches++;
	*p = (struct repo_patch){ 0 };
	return 0;
}

/* ---- reading ---- */

struct reader {
	char *why;
	size_t why_len;
	bool oom;
	char where[200]; /* "kernels[2].patches[0]" for messages */
};

static int bad(struct reader *r, const char *fmt, const char *what)
{
	char msg[300];

	snprintf(msg, sizeof(msg), fmt, what);
	snprintf(r->why, r->why_len, "%s%s%s", r->where, *r->where ? ": " : "", msg);
	return -EBADMSG;
}

static char *dup(struct reader *r, const char *s)
{
	char *d = s ? strdup(s) : NULL;

	if (s && !d)
		r->oom = true;
	return d;
}

/* A string member: required (absent is an error) or optional (NULL). */
static int get_str(struct reader *r, const struct json *o, const char *key, bool required,
		   char **out)
{
	const struct json *j = json_get(o, key);

	*out = NULL;
	if (!j || j->type == JSON_NULL)
		return required ? bad(r, "no \"%s\"", key) : 0;
	if (j->type != JSON_STRING)
		return bad(r, "\"%s\" is not a string", key);
	*out = dup(r, j->str);
	return r->oom ? -ENOMEM : 0;
}

static int get_int(struct reader *r, const struct json *o, const char *key, long long min,
		   long long max, long long *out)
{
	const struct json *j = json_get(o, key);

	if (!j)
		return bad(r, "no \"%s\"", key);
	/* the range first: converting a double beyond long long is undefined */
	if (j->type != JSON_NUMBER || !(j->num >= min && j->num <= max) ||
	    j->num != (double)(long long)j->num)
		return bad(r, "\"%s\" is not a whole number in range", key);
	*out = (long long)j->num;
	return 0;
}

static int read_patch(struct reader *r, const struct json *o, struct repo_patch *p)
{
	const struct json *j, *fixes, *rev;
	long long v;
	int ret;

	if (o->type != JSON_OBJECT)
		return bad(r, "%s", "not an object");
	if ((ret = get_str(r, o, "name", true, &p->name)) ||
	    (ret = get_str(r, o, "patch_version", true, &p->patch_version)) ||
	    (ret = get_str(r, o, "sha256", true, &p->sha256)) ||
	    (ret = get_str(r, o, "date", true, &p->date)) ||
	    (ret = get_str(r, o, "module", false, &p->module)) ||
	    (ret = get_str(r, o, "manifest", false, &p->manifest)) ||
	    (ret = get_str(r, o, "manifest_sha256", false, &p->manifest_sha256)))
		return ret;
	if (!valid_name(p->name))
		return bad(r, "\"name\" '%s' is not a module name", p->name);
	if (!repo_safe_word(p->patch_version))
		return bad(r, "\"patch_version\" '%s' is not a valid version", p->patch_version);
	if (!is_hex(p->sha256, 64))
		return bad(r, "%s", "\"sha256\" is not 64 hex digits");
	if (p->module && !repo_safe_path(p->module))
		return bad(r, "\"module\" '%s' is not a safe relative path", p->module);
	if (p->manifest && (!repo_safe_path(p->manifest) || !is_hex(p->manifest_sha256, 64)))
		return bad(r, "%s", "\"manifest\" is not a safe relative path with its sha256");
	if ((ret = get_int(r, o, "size", 0, 1LL << 40, &p->size)) ||
	    (ret = get_int(r, o, "rollout", 0, 100, &v)))
		return ret;
	p->rollout = (int)v;
	j = json_get(o, "replace");
	if (!j || j->type != JSON_BOOL)
		return bad(r, "%s", "\"replace\" is not true or false");
	p->replace = j->b;
	fixes = json_get(o, "fixes");
	if (!fixes || fixes->type != JSON_ARRAY)
		return bad(r, "%s", "\"fixes\" is not an array");
	p->fixes = calloc(fixes->n ? fixes->n : 1, sizeof(*p->fixes));
	if (!p->fixes)
		return -ENOMEM;
	for (size_t i = 0; i < fixes->n; i++) {
		if (fixes->items[i]->type != JSON_STRING)
			return bad(r, "%s", "\"fixes\" holds something other than strings");
		p->fixes[p->nr_fixes++] = dup(r, fixes->items[i]->str);
	}
	rev = json_get(o, "revoked");
	if (rev && rev->type == JSON_OBJECT) {
		p->revoked = true;
		if ((ret = get_str(r, rev, "date", true, &p->revoked_date)) ||
		    (ret = get_str(r, rev, "reason", false, &p->revoked_reason)))
			return ret;
	} else if (rev && rev->type != JSON_NULL) {
		return bad(r, "%s", "\"revoked\" is neither null nor an object");
	}
	return r->oom ? -ENOMEM : 0;
}

static int read_kernel(struct reader *r, const struct json *o, struct repo_kernel *k, size_t ki)
{
	const struct json *patches;
	int ret;

	if (o->type != JSON_OBJECT)
		return bad(r, "%s", "not an object");
	if ((ret = get_str(r, o, "release", true, &k->release)) ||
	    (ret = get_str(r, o, "version", true, &k->version)) ||
	    (ret = get_str(r, o, "label", false, &k->label)))
		return ret;
	if (!repo_safe_word(k->release))
		return bad(r, "\"release\" '%s' is not a kernel release", k->release);
	if (!*k->version)
		return bad(r, "%s", "\"version\" is empty");
	patches = json_get(o, "patches");
	if (!patches || patches->type != JSON_ARRAY)
		return bad(r, "%s", "\"patches\" is not an array");
	k->patches = calloc(patches->n ? patches->n : 1, sizeof(*k->patches));
	if (!k->patches)
		return -ENOMEM;
	for (size_t i = 0; i < patches->n; i++) {
		snprintf(r->where, sizeof(r->where), "kernels[%zu].patches[%zu]", ki, i);
		ret = read_patch(r, patches->items[i], &k->patches[k->nr_patches++]);
		if (ret)
			return ret;
		if (i &&
		    repo_vercmp(k->patches[i - 1].patch_version, k->patches[i].patch_version) <= 0)
			return bad(r, "%s", "patches are not ordered newest patch_version first");
	}
	return 0;
}

int repo_index_parse(const char *text, size_t len, struct repo_index *idx, char *why,
		     size_t why_len)
{
	struct reader r = { .why = why, .why_len = why_len };
	const struct json *kernels;
	char err[160], *format = NULL;
	struct json *root = json_parse(text, len, err, sizeof(err));
	long long v;
	int ret;

	*idx = (struct repo_index){ 0 };
	if (!root) {
		snprintf(why, why_len, "not valid JSON: %s", err);
		return -EBADMSG;
	}
	ret = root->type == JSON_OBJECT ? 0 : bad(&r, "%s", "not a JSON object");
	if (!ret)
		ret = get_str(&r, root, "format", true, &format);
	if (!ret && strcmp(format, REPO_FORMAT))
		ret = bad(&r, "\"format\" is '%s', not " REPO_FORMAT, format);
	if (!ret)
		ret = get_int(&r, root, "format_version", 1, 1000000, &v);
	if (!ret && v != REPO_FORMAT_VERSION) {
		snprintf(why, why_len,
			 "format_version %lld: written by a newer lp-build than this reader "
			 "(which reads version %d); update it",
			 v, REPO_FORMAT_VERSION);
		ret = -EBADMSG;
	}
	if (!ret)
		ret = get_str(&r, root, "repository", true, &idx->repository);
	if (!ret && !is_hex(idx->repository, 32))
		ret = bad(&r, "%s", "\"repository\" is not 32 hex digits");
	if (!ret)
		ret = get_int(&r, root, "serial", 1, 1LL << 52, &idx->serial);
	if (!ret)
		ret = get_str(&r, root, "published", true, &idx->published);
	kernels = json_get(root, "kernels");
	if (!ret && (!kernels || kernels->type != JSON_ARRAY))
		ret = bad(&r, "%s", "\"kernels\" is not an array");
	if (!ret) {
		idx->kernels = calloc(kernels->n ? kernels->n : 1, sizeof(*idx->kernels));
		if (!idx->kernels)
			ret = -ENOMEM;
	}
	for (size_t i = 0; !ret && i < kernels->n; i++) {
		snprintf(r.where, sizeof(r.where), "kernels[%zu]", i);
		ret = read_kernel(&r, kernels->items[i], &idx->kernels[idx->nr_kernels++], i);
		if (!ret && i &&
		    kernel_cmp(idx->kernels[i - 1].release, idx->kernels[i - 1].version,
			       idx->kernels[i].release, idx->kernels[i].version) >= 0)
			ret = bad(&r, "%s", "kernels are not in order, or one is listed twice");
	}
	if (ret == -ENOMEM || r.oom) {
		snprintf(why, why_len, "out of memory");
		ret = -ENOMEM;
	}
	free(format);
	json_free(root);
	if (ret)
		repo_index_free(idx);
	return ret;
}

/* ---- writing ---- */

static void write_patch(struct json_writer *w, const struct repo_patch *p)
{
	jw_begin_object(w, NULL);
	jw_string(w, "name", p->name);
	jw_string(w, "patch_version", p->patch_version);
	jw_string(w, "sha256", p->sha256);
	jw_int(w, "size", p->size);
	jw_string(w, "date", p->date);
	jw_int(w, "rollout", p->rollout);
	jw_bool(w, "replace", p->replace);
	jw_string(w, "module", p->module);
	jw_string(w, "manifest", p->manifest);
	jw_string(w, "manifest_sha256", p->manifest_sha256);
	jw_begin_array(w, "fixes");
	for (size_t i = 0; i < p->nr_fixes; i++)
		jw_string(w, NULL, p->fixes[i]);
	jw_end_array(w);
	if (p->revoked) {
		jw_begin_object(w, "revoked");
		jw_string(w, "date", p->revoked_date);
		jw_string(w, "reason", p->revoked_reason);
		jw_end_object(w);
	} else {
		jw_null(w, "revoked");
	}
	jw_end_object(w);
}

int repo_index_write(FILE *f, const struct repo_index *idx)
{
	struct json_writer w = { .f = f };

	jw_begin_object(&w, NULL);
	jw_string(&w, "format", REPO_FORMAT);
	jw_int(&w, "format_version", REPO_FORMAT_VERSION);
	jw_string(&w, "repository", idx->repository);
	jw_int(&w, "serial", idx->serial);
	jw_string(&w, "published", idx->published);
	jw_begin_array(&w, "kernels");
	for (size_t i = 0; i < idx->nr_kernels; i++) {
		const struct repo_kernel *k = &idx->kernels[i];

		jw_begin_object(&w, NULL);
		jw_string(&w, "release", k->release);
		jw_string(&w, "version", k->version);
		jw_string(&w, "label", k->label);
		jw_begin_array(&w, "patches");
		for (size_t j = 0; j < k->nr_patches; j++)
			write_patch(&w, &k->patches[j]);
		jw_end_array(&w);
		jw_end_object(&w);
	}
	jw_end_array(&w);
	jw_end_object(&w);
	return fflush(f) || ferror(f) ? -EIO : 0;
}

/* ---- lp-build's manifest ---- */

int repo_patch_from_manifest(const char *text, size_t len, struct repo_patch *p, char **release,
			     char **version, char **label, char *why, size_t why_len)
{
	struct reader r = { .why = why, .why_len = why_len };
	const struct json *target, *module, *patches, *j;
	char err[160];
	struct json *root = json_parse(text, len, err, sizeof(err));
	int ret;

	*p = (struct repo_patch){ 0 };
	*release = *version = *label = NULL;
	if (!root) {
		snprintf(why, why_len, "not valid JSON: %s", err);
		return -EBADMSG;
	}
	target = json_get(root, "target");
	module = json_get(root, "module");
	ret = root->type == JSON_OBJECT && target && module ?
		      0 :
		      bad(&r, "%s", "not an lp-build manifest (no \"target\" and \"module\")");
	if (!ret && !(ret = get_str(&r, root, "name", true, &p->name)) &&
	    !(ret = get_str(&r, root, "patch_version", true, &p->patch_version)) &&
	    !(ret = get_str(&r, module, "sha256", true, &p->sha256)) &&
	    !(ret = get_str(&r, target, "release", true, release)) &&
	    !(ret = get_str(&r, target, "version", true, version)))
		ret = get_str(&r, target, "label", false, label);
	if (!ret && !valid_name(p->name))
		ret = bad(&r, "\"name\" '%s' is not a module name", p->name);
	if (!ret && !repo_safe_word(p->patch_version))
		ret = bad(&r,
			  "\"patch_version\" '%s' cannot be published: use letters, digits "
			  "and . + ~ _ - (lp-build --patch-version)",
			  p->patch_version);
	if (!ret && !is_hex(p->sha256, 64))
		ret = bad(&r, "%s", "\"module\".\"sha256\" is not 64 hex digits");
	if (!ret && !repo_safe_word(*release))
		ret = bad(&r, "\"target\".\"release\" '%s' is not a kernel release", *release);
	if (!ret)
		ret = get_int(&r, module, "size", 0, 1LL << 40, &p->size);
	j = json_get(root, "replace");
	p->replace = !j || j->type != JSON_BOOL || j->b;
	patches = json_get(root, "patches");
	if (!ret && patches && patches->type == JSON_ARRAY) {
		p->fixes = calloc(patches->n ? patches->n : 1, sizeof(*p->fixes));
		if (!p->fixes)
			ret = -ENOMEM;
		for (size_t i = 0; !ret && i < patches->n; i++) {
			const char *f = json_get_str(patches->items[i], "file");

			if (f)
				p->fixes[p->nr_fixes++] = dup(&r, f);
		}
	}
	if (!ret && r.oom)
		ret = -ENOMEM;
	if (ret == -ENOMEM)
		snprintf(why, why_len, "out of memory");
	json_free(root);
	if (ret) {
		repo_patch_free(p);
		free(*release);
		free(*version);
		free(*label);
		*release = *version = *label = NULL;
	}
	return ret;
}
