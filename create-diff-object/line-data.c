// SPDX-License-Identifier: GPL-2.0-only
/* Data objects that record a source line of their own (dynamic debug
 * descriptors): a difference confined to that member is a line shift. */
#include <string.h>

#include "cdo.h"
#include "dwarf-types.h"

/* Data objects that record a source line of their own: a difference
 * confined to that member is a line shift, not a change (the running
 * kernel's object, with the old number, goes on being used). */
static const struct cdo_line_data {
	const char *section;
	const char *type; /* kernel struct of one object */
	const char *member; /* the line number (a bitfield or a whole member) */
} line_data[] = {
	{ "__dyndbg", "_ddebug", "lineno" }, /* pr_debug()/dev_dbg() descriptors */
};

struct cdo_line_bits {
	const struct cdo_line_data *d;
	int64_t first, nr; /* bits of the member; nr < 0: unknown */
};

/* The bits of @d's line member, from the DWARF of ORIG, then the parent. */
static const struct cdo_line_bits *line_bits(struct cdo *c, const struct cdo_line_data *d)
{
	const char *sources[2] = { c->opts->orig, c->opts->parent };
	struct cdo_line_bits *b = c->line_bits.v;
	struct lpb_type_query q = { .type = d->type, .member = d->member };
	size_t i;
	int s;

	for (i = 0; i < c->line_bits.nr; i++)
		if (b[i].d == d)
			return &b[i];
	b = cdo_push(&c->line_bits, sizeof(*b));
	b->d = d;
	b->nr = -1;
	for (s = 0; s < 2 && b->nr < 0; s++) {
		if (!sources[s] || lpb_dwarf_types(sources[s], &q, 1) <= 0 || q.offset < 0)
			continue;
		if (q.bit_size > 0) {
			b->first = q.bit_offset;
			b->nr = q.bit_size;
		} else {
			/* a whole member: the unsigned int the kernel uses for lines */
			b->first = q.offset * 8;
			b->nr = 32;
		}
		cdo_verbose(c, "struct %s: %s is bits %lld..%lld (DWARF of %s)", d->type,
			    d->member, (long long)b->first, (long long)(b->first + b->nr - 1),
			    sources[s]);
	}
	return b;
}

bool cdo_is_line_data(const struct lpb_section *sec)
{
	size_t i;

	for (i = 0; i < sizeof(line_data) / sizeof(*line_data); i++)
		if (!strcmp(sec->name, line_data[i].section))
			return true;
	return false;
}

bool cdo_data_line_only(struct cdo *c, struct lpb_symbol *p, struct lpb_symbol *o)
{
	const struct cdo_line_bits *b = NULL;
	const unsigned char *pb = lpb_section_data(p->sec), *ob = lpb_section_data(o->sec);
	uint64_t j, size = p->sym.st_size;
	size_t i;

	for (i = 0; i < sizeof(line_data) / sizeof(*line_data); i++)
		if (!strcmp(p->sec->name, line_data[i].section) &&
		    !strcmp(o->sec->name, line_data[i].section))
			b = line_bits(c, &line_data[i]);
	if (!b || b->nr <= 0 || !pb || !ob || size != o->sym.st_size ||
	    p->sym.st_value + size > p->sec->size || o->sym.st_value + size > o->sec->size)
		return false;
	pb += p->sym.st_value;
	ob += o->sym.st_value;
	for (j = 0; j < size; j++) {
		unsigned int diff = pb[j] ^ ob[j], k;

		for (k = 0; diff && k < 8; k++, diff >>= 1) {
			int64_t bit = (int64_t)(j * 8 + k);

			if ((diff & 1) && (bit < b->first || bit >= b->first + b->nr))
				return false;
		}
	}
	return true;
}

/* Whether @p is a data object with a line of its own whose line member no
 * DWARF locates (a stripped object): a difference in it may be a line
 * shift, which cannot be told from a change. */
bool cdo_line_data_unlocated(struct cdo *c, struct lpb_symbol *p)
{
	for (size_t i = 0; i < sizeof(line_data) / sizeof(*line_data); i++)
		if (!strcmp(p->sec->name, line_data[i].section))
			return line_bits(c, &line_data[i])->nr <= 0;
	return false;
}
