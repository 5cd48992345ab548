/* SPDX-License-Identifier: GPL-2.0-only */
/* Intrusive chained hash table keyed by a 32-bit hash: the O(1) lookups by
 * name behind the ELF model and the symbol tables (no quadratic scans). */
#ifndef LPB_HASH_H
#define LPB_HASH_H

#include <stddef.h>
#include <stdint.h>

#ifndef container_of
#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))
#endif

struct lpb_hnode {
	struct lpb_hnode *next;
	uint32_t hash;
};

struct lpb_hash {
	struct lpb_hnode **buckets;
	struct lpb_hnode **tails; /* last node of each chain: O(1) appends even
				   * when thousands of locals share one name */
	size_t nr_buckets; /* power of two, or 0 before the first add */
	size_t count;
};

uint32_t lpb_str_hash(const char *s);

/* Nodes with equal hashes stay in insertion order within their chain, so a
 * lookup by name finds the first-added symbol of that name first. */
int lpb_hash_add(struct lpb_hash *h, struct lpb_hnode *n, uint32_t hash);
void lpb_hash_del(struct lpb_hash *h, struct lpb_hnode *n);
void lpb_hash_free(struct lpb_hash *h);

static inline struct lpb_hnode *lpb_hash_first(const struct lpb_hash *h,
					       uint32_t hash)
{
	struct lpb_hnode *n;

	if (!h->nr_buckets)
		return NULL;
	for (n = h->buckets[hash & (h->nr_buckets - 1)]; n; n = n->next)
		if (n->hash == hash)
			return n;
	return NULL;
}

static inline struct lpb_hnode *lpb_hash_next(struct lpb_hnode *n)
{
	uint32_t hash = n->hash;

	for (n = n->next; n; n = n->next)
		if (n->hash == hash)
			return n;
	return NULL;
}

/* Every node whose hash equals @hash (callers still compare keys). */
#define lpb_hash_for_each_possible(h, n, hash) \
	for (n = lpb_hash_first(h, hash); n; n = lpb_hash_next(n))

#endif /* LPB_HASH_H */
