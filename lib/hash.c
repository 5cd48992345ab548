// SPDX-License-Identifier: GPL-2.0-only
/* Intrusive chained hash table used for every by-name lookup in lib/:
 * grows by doubling and keeps chains in insertion order. */
#include <errno.h>
#include <stdlib.h>

#include "hash.h"

uint32_t lpb_str_hash(const char *s)
{
	/* FNV-1a: cheap and spreads the long common prefixes of kernel
	 * symbol names (__ksymtab_, __UNIQUE_ID_) well enough. */
	uint32_t h = 2166136261u;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 16777619u;
	}
	return h;
}

static int grow(struct lpb_hash *h)
{
	size_t nr = h->nr_buckets ? h->nr_buckets * 2 : 64, i;
	struct lpb_hnode **b = calloc(nr, sizeof(*b)), **tails, *n, *next;

	if (!b)
		return -ENOMEM;
	tails = calloc(nr, sizeof(*tails));
	if (!tails) {
		free(b);
		return -ENOMEM;
	}
	/* Walk old chains front to back and append, so relative order of
	 * equal keys survives the rehash. */
	for (i = 0; i < h->nr_buckets; i++) {
		for (n = h->buckets[i]; n; n = next) {
			size_t j = n->hash & (nr - 1);

			next = n->next;
			n->next = NULL;
			if (tails[j])
				tails[j]->next = n;
			else
				b[j] = n;
			tails[j] = n;
		}
	}
	free(h->tails);
	free(h->buckets);
	h->buckets = b;
	h->tails = tails;
	h->nr_buckets = nr;
	return 0;
}

int lpb_hash_add(struct lpb_hash *h, struct lpb_hnode *n, uint32_t hash)
{
	size_t j;

	if (h->count + 1 > h->nr_buckets) {
		int ret = grow(h);

		if (ret)
			return ret;
	}
	n->hash = hash;
	n->next = NULL;
	j = hash & (h->nr_buckets - 1);
	if (h->tails[j])
		h->tails[j]->next = n;
	else
		h->buckets[j] = n;
	h->tails[j] = n;
	h->count++;
	return 0;
}

void lpb_hash_del(struct lpb_hash *h, struct lpb_hnode *n)
{
	struct lpb_hnode **p, *prev = NULL;
	size_t j;

	if (!h->nr_buckets)
		return;
	j = n->hash & (h->nr_buckets - 1);
	for (p = &h->buckets[j]; *p; prev = *p, p = &(*p)->next) {
		if (*p == n) {
			*p = n->next;
			if (h->tails[j] == n)
				h->tails[j] = prev;
			n->next = NULL;
			h->count--;
			return;
		}
	}
}

void lpb_hash_free(struct lpb_hash *h)
{
	free(h->buckets);
	free(h->tails);
	h->buckets = NULL;
	h->tails = NULL;
	h->nr_buckets = 0;
	h->count = 0;
}
