/* SPDX-License-Identifier: GPL-2.0-only */
/* Special sections inside create-diff-object: the table descriptions and the
 * per-object indexes shared by special.c and special-compare.c. */
#ifndef CDO_SPECIAL_H
#define CDO_SPECIAL_H

#include "cdo.h"

enum {
	SP_COMPARE = 1 << 0, /* entries are part of what a function does */
	SP_KEY = 1 << 1, /* entries name a static key / static call key */
	SP_PARTNER_ONLY = 1 << 2, /* filtered through its partner's indices */
	SP_INDIRECT = 1 << 3, /* entries point at a per-site struct (site_type) */
	SP_PREFIX = 1 << 4, /* the name is a prefix: runtime_ptr_<variable> */
	SP_RUNTIME = 1 << 5, /* code vmlinux patches at boot (runtime-const.c):
			      * never copied, the code is adapted or refused */
};

struct cdo_special {
	const char *name;
	const char *type; /* kernel struct of one entry (size from DWARF) */
	unsigned int fixed; /* entry size fixed by the format, 0 if none */
	const char *partner; /* section filtered with the same entry indices */
	unsigned int flags;
	const char *line_member; /* member holding __LINE__ */
	const char *after_line; /* the member after it (bounds it) */
	/* SP_INDIRECT: the struct an entry points at, and its member pointing
	 * at the __func__ string that names the owning function */
	const char *site_type, *site_func;
	/* members locating code that belongs to the entry alone (an
	 * alternative's replacement): compared by contents, not position */
	const char *code_ptr, *code_len;
	/* SP_KEY: what uses the key, and what to do instead when it cannot
	 * be resolved in time */
	const char *key_use, *key_advice;
};

/* One table section of one object, indexed by owning function. */
struct cdo_table {
	struct lpb_section *sec;
	const struct cdo_special *d;
	uint64_t entsize; /* 0: unknown */
	const char *size_from; /* where entsize came from (--entry-size, DWARF...) */
	size_t nr;
	/* bytes of the final entry when the assembler left out its trailing
	 * padding (5.10's .parainstructions: 16-byte struct, 12 bytes emitted
	 * per entry, each next one aligned), else 0 */
	uint64_t short_last;
	int64_t data_end; /* end of the struct's last member (DWARF), -1: unknown */
	uint32_t *owner; /* per entry: owner symbol index, 0 = none */
	uint32_t *first, *list; /* CSR: entries of symbol i are list[first[i]..first[i+1]) */
	int64_t line_off, line_len;
	/* from DWARF, -1 when unknown: the code_ptr member, the code_len
	 * member and its size; the site_func member of the pointed-at struct */
	int64_t code_ptr, code_len, code_len_size, site_func;
};

struct cdo_tables {
	struct cdo_table *t[2]; /* [0] ORIG, [1] PATCHED */
	size_t nr[2];
};

/* Bytes entry @k of @t really has in the section (the final one may be
 * short: see short_last). */
static inline uint64_t cdo_entry_len(const struct cdo_table *t, size_t k)
{
	return t->short_last && k + 1 == t->nr ? t->short_last : t->entsize;
}

/* the indexes of both objects' tables, built on first use */
int cdo_build_tables(struct cdo *c);
/* table @name of object @k (0 ORIG, 1 PATCHED), or NULL */
struct cdo_table *cdo_find_table(struct cdo *c, int k, const char *name);
/* where relocation @r points: the target's section and the offset in it
 * (in data and tables the addend is the offset itself); NULL if outside */
struct lpb_section *cdo_reloc_place(const struct lpb_reloc *r, int64_t *at);

/* table-period.c: the entry size measured from the table's relocations
 * (0: they do not tell) */
uint64_t cdo_table_period(struct cdo_table *t);

#endif /* CDO_SPECIAL_H */
