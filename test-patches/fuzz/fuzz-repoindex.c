// SPDX-License-Identifier: GPL-2.0-only
/* libFuzzer target for a patch repository's index.json as lpctl update reads
 * it (lib/repo-index.c): what parses is written back and reads back the
 * same; version order and rollout selection hold on what it holds; the
 * same text as an lp-build manifest (repo_patch_from_manifest). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "repo-index.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int sign(int v)
{
	return (v > 0) - (v < 0);
}

static void check_kernel(const struct repo_index *idx, const struct repo_kernel *k)
{
	const struct repo_patch *newest, *p;
	unsigned int bucket;

	for (size_t i = 0; i < k->nr_patches; i++) {
		const char *a = k->patches[i].patch_version;

		if (repo_vercmp(a, a))
			abort();
		for (size_t j = i + 1; j < k->nr_patches; j++) {
			const char *b = k->patches[j].patch_version;

			if (sign(repo_vercmp(a, b)) != -sign(repo_vercmp(b, a)))
				abort();
		}
	}
	p = repo_select(k, "0123456789abcdef0123456789abcdef", idx->repository, -1, &newest,
			&bucket);
	if (p && (p->revoked || !p->module))
		abort();
	repo_select(k, "m", idx->repository, 100, &newest, &bucket);
}

static bool same(const struct repo_index *a, const struct repo_index *b)
{
	if (a->serial != b->serial || a->nr_kernels != b->nr_kernels ||
	    strcmp(a->repository ? a->repository : "", b->repository ? b->repository : ""))
		return false;
	for (size_t i = 0; i < a->nr_kernels; i++) {
		const struct repo_kernel *x = &a->kernels[i], *y = &b->kernels[i];

		if (x->nr_patches != y->nr_patches || strcmp(x->release, y->release))
			return false;
		for (size_t k = 0; k < x->nr_patches; k++)
			if (strcmp(x->patches[k].name, y->patches[k].name) ||
			    x->patches[k].nr_fixes != y->patches[k].nr_fixes ||
			    x->patches[k].revoked != y->patches[k].revoked)
				return false;
	}
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct repo_index idx, again;
	struct repo_patch p = { 0 };
	char why[300], *rel = NULL, *ver = NULL, *label = NULL, *buf = NULL;
	size_t len = 0;
	FILE *f;

	if (!repo_index_parse((const char *)data, size, &idx, why, sizeof(why))) {
		for (size_t i = 0; i < idx.nr_kernels; i++)
			check_kernel(&idx, &idx.kernels[i]);
		f = open_memstream(&buf, &len);
		if (f && !repo_index_write(f, &idx) && !fclose(f)) {
			if (repo_index_parse(buf, len, &again, why, sizeof(why))) {
				fprintf(stderr, "fuzz-repoindex: written index does not read back: %s\n%s\n",
					why, buf);
				abort();
			}
			if (!same(&idx, &again))
				abort();
			repo_index_free(&again);
		} else if (f) {
			fclose(f);
		}
		free(buf);
		repo_index_free(&idx);
	}
	if (!repo_patch_from_manifest((const char *)data, size, &p, &rel, &ver, &label, why,
				      sizeof(why))) {
		if (!p.name || !rel || !ver)
			abort();
		repo_patch_free(&p);
	}
	free(rel);
	free(ver);
	free(label);
	return 0;
}
