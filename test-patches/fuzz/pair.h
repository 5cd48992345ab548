/* SPDX-License-Identifier: GPL-2.0-only */
/* The input of the create-diff-object fuzzer: one byte of flags and up to
 * three length-prefixed parts (ORIG.o, PATCHED.o, Module.symvers text). */
#ifndef LPB_FUZZ_PAIR_H
#define LPB_FUZZ_PAIR_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

enum {
	PAIR_PARENT_ORIG = 1 << 0, /* --parent ORIG.o (as the fixtures run) */
	PAIR_SYMVERS = 1 << 1, /* --symvers from the third part */
	PAIR_MODULE = 1 << 2, /* --parent-name mymod: a module, not vmlinux */
	PAIR_BUG_ENTSIZE = 1 << 3, /* --entry-size __bug_table=12 */
};

#define PAIR_PARTS 3

struct pair {
	uint8_t flags;
	const uint8_t *part[PAIR_PARTS];
	size_t len[PAIR_PARTS];
};

/*
 * Layout: flags, then for each part a little-endian u32 length and the
 * bytes. A length running past the end is cut to what is there, so any
 * bytes are some pair (parts missing at the end are empty).
 */
static inline void pair_unpack(const uint8_t *d, size_t n, struct pair *p)
{
	size_t off = 1;

	*p = (struct pair){ .flags = n ? d[0] : 0 };
	for (int i = 0; i < PAIR_PARTS; i++) {
		uint32_t len;

		p->part[i] = d + (off < n ? off : n);
		if (off + 4 > n)
			continue;
		len = d[off] | d[off + 1] << 8 | d[off + 2] << 16 | (uint32_t)d[off + 3] << 24;
		off += 4;
		if (len > n - off)
			len = n - off;
		p->part[i] = d + off;
		p->len[i] = len;
		off += len;
	}
}

/* The packed size of @p (what pair_pack writes). */
static inline size_t pair_size(const struct pair *p)
{
	size_t n = 1;

	for (int i = 0; i < PAIR_PARTS; i++)
		n += 4 + p->len[i];
	return n;
}

/* Packs @p into @out (pair_size bytes, which may not overlap the parts). */
static inline void pair_pack(const struct pair *p, uint8_t *out)
{
	size_t off = 1;

	out[0] = p->flags;
	for (int i = 0; i < PAIR_PARTS; i++) {
		uint32_t len = p->len[i];

		out[off++] = len;
		out[off++] = len >> 8;
		out[off++] = len >> 16;
		out[off++] = len >> 24;
		if (len)
			memcpy(out + off, p->part[i], len);
		off += len;
	}
}

#endif /* LPB_FUZZ_PAIR_H */
