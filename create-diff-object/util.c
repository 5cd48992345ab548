// SPDX-License-Identifier: GPL-2.0-only
/* Small helpers for create-diff-object: growable lists, refusal records,
 * relocation type names and sorted per-section relocation views. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cdo.h"
#include "log.h"

void *cdo_push(struct cdo_list *l, size_t elem)
{
	if (l->nr == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		void *p = realloc(l->v, cap * elem);

		if (!p)
			return NULL;
		l->v = p;
		l->cap = cap;
	}
	l->elem = elem;
	memset((char *)l->v + l->nr * elem, 0, elem);
	return (char *)l->v + l->nr++ * elem;
}

void cdo_list_free(struct cdo_list *l, void (*fn)(void *))
{
	size_t i;

	if (fn)
		for (i = 0; i < l->nr; i++)
			fn((char *)l->v + i * l->elem);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

char *cdo_strdup(const char *s)
{
	char *p = strdup(s ? s : "");

	if (!p)
		abort(); /* a tool of this size cannot do anything useful then */
	return p;
}

char *cdo_printf(const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	if (vasprintf(&p, fmt, ap) < 0)
		abort();
	va_end(ap);
	return p;
}

void cdo_refuse(struct cdo *c, const char *symbol, const char *advice,
		const char *fmt, ...)
{
	struct cdo_refusal *r;
	size_t i;
	va_list ap;
	char *reason;

	va_start(ap, fmt);
	if (vasprintf(&reason, fmt, ap) < 0)
		abort();
	va_end(ap);
	/* the same cause found twice (e.g. through two referrers) is one refusal */
	for (i = 0; i < c->refusals.nr; i++) {
		r = (struct cdo_refusal *)c->refusals.v + i;
		if (!strcmp(r->symbol, symbol) && !strcmp(r->reason, reason)) {
			free(reason);
			return;
		}
	}
	r = cdo_push(&c->refusals, sizeof(*r));
	if (!r)
		abort();
	r->symbol = cdo_strdup(symbol);
	r->reason = reason;
	r->advice = cdo_strdup(advice);
}

static void vsay(const char *prefix, const char *fmt, va_list ap)
{
	fputs(prefix, stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void cdo_verbose(const struct cdo *c, const char *fmt, ...)
{
	va_list ap;

	if (c->opts->verbose < 1)
		return;
	va_start(ap, fmt);
	vsay("create-diff-object: ", fmt, ap);
	va_end(ap);
}

void cdo_debug(const struct cdo *c, const char *fmt, ...)
{
	va_list ap;

	if (c->opts->verbose < 2)
		return;
	va_start(ap, fmt);
	vsay("create-diff-object: debug: ", fmt, ap);
	va_end(ap);
}

/* x86_64 relocation types: name, and whether the target is PC-relative (for
 * those, an instruction's displacement is 4 bytes before its end). */
static const struct {
	uint32_t type;
	const char *name;
	bool pcrel;
} reloc_types[] = {
	{ R_X86_64_NONE, "R_X86_64_NONE", false },
	{ R_X86_64_64, "R_X86_64_64", false },
	{ R_X86_64_PC32, "R_X86_64_PC32", true },
	{ R_X86_64_GOT32, "R_X86_64_GOT32", false },
	{ R_X86_64_PLT32, "R_X86_64_PLT32", true },
	{ R_X86_64_32, "R_X86_64_32", false },
	{ R_X86_64_32S, "R_X86_64_32S", false },
	{ R_X86_64_16, "R_X86_64_16", false },
	{ R_X86_64_PC16, "R_X86_64_PC16", true },
	{ R_X86_64_8, "R_X86_64_8", false },
	{ R_X86_64_PC8, "R_X86_64_PC8", true },
	{ R_X86_64_PC64, "R_X86_64_PC64", true },
	{ R_X86_64_GOTPCREL, "R_X86_64_GOTPCREL", true },
	{ R_X86_64_GOTPCRELX, "R_X86_64_GOTPCRELX", true },
	{ R_X86_64_REX_GOTPCRELX, "R_X86_64_REX_GOTPCRELX", true },
};

static const void *reloc_info(uint32_t type, bool *pcrel)
{
	size_t i;

	for (i = 0; i < sizeof(reloc_types) / sizeof(reloc_types[0]); i++) {
		if (reloc_types[i].type == type) {
			*pcrel = reloc_types[i].pcrel;
			return reloc_types[i].name;
		}
	}
	*pcrel = false;
	return NULL;
}

bool cdo_is_pcrel(uint32_t type)
{
	bool pcrel;

	reloc_info(type, &pcrel);
	return pcrel;
}

/* Size of the immediate that follows a RIP-relative displacement whose
 * ModRM byte is at @modrm (x86-64): GNU as subtracts it from the addend
 * along with the displacement's own 4 bytes. */
static int64_t rip_imm_size(const unsigned char *b, uint64_t modrm)
{
	uint64_t op = modrm - 1, p;
	unsigned char reg = (b[modrm] >> 3) & 7;
	bool rex_w = false, opsize16 = false;

	/* two-byte opcodes with ModRM and an imm8 (bt*, shld/shrd, SSE
	 * shifts and shuffles); none of these bytes is a one-byte opcode
	 * that takes a ModRM, so a 0x0f that merely precedes cannot mislead */
	if (op >= 1 && b[op - 1] == 0x0f) {
		switch (b[op]) {
		case 0x70: case 0x71: case 0x72: case 0x73: case 0xa4: case 0xac:
		case 0xba: case 0xc2: case 0xc4: case 0xc5: case 0xc6:
			return 1;
		}
		if ((b[op] & 0xf0) != 0x80)
			return 0;
	}
	p = op;
	if (p >= 1 && (b[p - 1] & 0xf0) == 0x40) {
		rex_w = b[p - 1] & 0x08;
		p--;
	}
	if (p >= 1 && b[p - 1] == 0x66)
		opsize16 = !rex_w;
	switch (b[op]) {
	case 0x6b: case 0x80: case 0x82: case 0x83: case 0xc0: case 0xc1: case 0xc6:
		return 1;
	case 0x69: case 0x81: case 0xc7:
		return opsize16 ? 2 : 4;
	case 0xf6:
		return reg <= 1 ? 1 : 0;
	case 0xf7:
		return reg <= 1 ? (opsize16 ? 2 : 4) : 0;
	}
	return 0;
}

int64_t cdo_pcrel_bias(const struct lpb_section *sec, const struct lpb_reloc *r)
{
	const unsigned char *b = lpb_section_data(sec);

	if (!cdo_is_pcrel(r->type))
		return 0;
	if (r->type != R_X86_64_PC32 && r->type != R_X86_64_PLT32)
		return 4;
	/* a ModRM of the RIP-relative form (mod 00, r/m 101) before the
	 * field; a call, jmp or jcc rel32 has its opcode there instead */
	if (!b || r->offset < 2 || r->offset + 4 > sec->size || (b[r->offset - 1] & 0xc7) != 0x05)
		return 4;
	return 4 + rip_imm_size(b, r->offset - 1);
}

const char *cdo_reloc_name(uint32_t type)
{
	bool pcrel;
	const char *n = reloc_info(type, &pcrel);

	return n ? n : "R_X86_64_unknown";
}

static int cmp_reloc_off(const void *a, const void *b)
{
	const struct lpb_reloc *x = *(const struct lpb_reloc *const *)a;
	const struct lpb_reloc *y = *(const struct lpb_reloc *const *)b;

	if (x->offset != y->offset)
		return x->offset < y->offset ? -1 : 1;
	return x < y ? -1 : x > y;
}

struct lpb_reloc **cdo_sec_relocs(struct lpb_section *sec, size_t *nr)
{
	struct cdo_sec *cs = S(sec);
	struct lpb_section *rela;
	size_t i;

	*nr = 0;
	if (cs->sorted) {
		*nr = cs->nr_sorted;
		return cs->sorted;
	}
	rela = lpb_section_relocs(sec);
	if (!rela || !rela->nr_relocs)
		return NULL;
	cs->sorted = calloc(rela->nr_relocs, sizeof(*cs->sorted));
	if (!cs->sorted)
		abort();
	for (i = 0; i < rela->nr_relocs; i++)
		cs->sorted[i] = &rela->relocs[i];
	qsort(cs->sorted, rela->nr_relocs, sizeof(*cs->sorted), cmp_reloc_off);
	cs->nr_sorted = *nr = rela->nr_relocs;
	return cs->sorted;
}

struct lpb_reloc **cdo_relocs_in(struct lpb_section *sec, uint64_t start,
				 uint64_t end, size_t *nr)
{
	size_t n, lo = 0, hi, first;
	struct lpb_reloc **all = cdo_sec_relocs(sec, &n);

	*nr = 0;
	if (!all)
		return NULL;
	hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (all[mid]->offset < start)
			lo = mid + 1;
		else
			hi = mid;
	}
	first = lo;
	while (lo < n && all[lo]->offset < end)
		lo++;
	*nr = lo - first;
	return all + first;
}

bool cdo_has_fentry(struct lpb_symbol *func)
{
	struct lpb_reloc **r;
	size_t n, i;

	if (!func->sec)
		return false;
	/* the call sits at the entry, after an endbr64 with IBT */
	r = cdo_relocs_in(func->sec, func->sym.st_value, func->sym.st_value + 16, &n);
	for (i = 0; i < n; i++)
		if (r[i]->sym && !strcmp(r[i]->sym->name, "__fentry__"))
			return true;
	return false;
}

struct lpb_symbol *cdo_func_at(struct lpb_section *sec, int64_t at)
{
	struct lpb_symbol *f, *owner = sec->priv ? S(sec)->owner : NULL;

	if (at < 0)
		return NULL;
	f = lpb_find_symbol_containing(sec, at);
	if (f && f->priv && Y(f)->prefix_of)
		return Y(f)->prefix_of;
	if (f)
		return lpb_is_func(f) ? f : NULL;
	/* the padding before a function, when objtool did not name it */
	if (owner && lpb_is_func(owner) && (uint64_t)at < owner->sym.st_value)
		return owner;
	return NULL;
}
