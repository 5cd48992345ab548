// SPDX-License-Identifier: GPL-2.0-only
/* Structure-aware mutations of an x86-64 relocatable object for libFuzzer:
 * one field of a section header, symbol or relocation, or one section's
 * bytes, so that mutations reach the diff engine instead of the ELF header. */
#include <stdbool.h>
#include <string.h>

#include "elf-mutate.h"

size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);

#define SHDR 64
#define SYM 24
#define RELA 24

enum { T_PROGBITS = 1, T_SYMTAB = 2, T_STRTAB = 3, T_RELA = 4, T_NOBITS = 8, T_GROUP = 17 };

struct view {
	uint8_t *b;
	size_t n;
	uint64_t shoff;
	unsigned int shnum;
};

static uint32_t rnd(uint32_t *s)
{
	uint32_t x = *s ? *s : 0x9e3779b9;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *s = x;
}

static uint32_t below(uint32_t *s, uint32_t n)
{
	return n ? rnd(s) % n : 0;
}

static uint64_t rd(const uint8_t *p, int size)
{
	uint64_t v = 0;

	memcpy(&v, p, size); /* x86-64 objects on an x86-64 host: little-endian */
	return v;
}

static void wr(uint8_t *p, int size, uint64_t v)
{
	memcpy(p, &v, size);
}

static bool view_open(struct view *v, uint8_t *b, size_t n)
{
	uint64_t shoff;
	unsigned int shnum;

	if (n < 64 || memcmp(b, "\177ELF\2\1", 6))
		return false;
	shoff = rd(b + 0x28, 8);
	shnum = rd(b + 0x3c, 2);
	if (rd(b + 0x3a, 2) != SHDR || !shnum || shoff > n || (n - shoff) / SHDR < shnum)
		return false;
	*v = (struct view){ .b = b, .n = n, .shoff = shoff, .shnum = shnum };
	return true;
}

static uint8_t *shdr(const struct view *v, unsigned int i)
{
	return v->b + v->shoff + (size_t)i * SHDR;
}

/* The bytes of section @i inside the file, or false. */
static bool sec_bytes(const struct view *v, unsigned int i, uint8_t **p, size_t *size)
{
	uint8_t *sh = shdr(v, i);
	uint64_t off = rd(sh + 24, 8), sz = rd(sh + 32, 8);

	if (rd(sh + 4, 4) == T_NOBITS || !sz || off > v->n || sz > v->n - off)
		return false;
	*p = v->b + off;
	*size = sz;
	return true;
}

/* A random section of type @type with bytes (0 if none). */
static unsigned int pick_sec(const struct view *v, uint32_t type, uint32_t *s)
{
	unsigned int start = 1 + below(s, v->shnum), i;

	for (unsigned int k = 0; k < v->shnum; k++) {
		uint8_t *p;
		size_t n;

		i = (start + k) % v->shnum;
		if (i && (!type || rd(shdr(v, i) + 4, 4) == type) && sec_bytes(v, i, &p, &n))
			return i;
	}
	return 0;
}

static const char *sec_name(const struct view *v, unsigned int i)
{
	unsigned int strndx = rd(v->b + 0x3e, 2);
	uint32_t name = rd(shdr(v, i), 4);
	uint8_t *p;
	size_t n;

	if (strndx >= v->shnum || !sec_bytes(v, strndx, &p, &n) || name >= n ||
	    !memchr(p + name, 0, n - name))
		return NULL;
	return (const char *)p + name;
}

/* A value a parser trips over: a bound, next to the old value or a bound,
 * all ones, sign bits, or anything. */
static uint64_t interesting(uint32_t *s, uint64_t old, uint64_t bound)
{
	switch (below(s, 12)) {
	case 0:
		return 0;
	case 1:
		return bound;
	case 2:
		return bound ? bound - 1 : 0;
	case 3:
		return bound + 1 + below(s, 4);
	case 4:
		return old + 1 + below(s, 8);
	case 5:
		return old - 1 - below(s, 8);
	case 6:
		return old ^ (1ull << below(s, 64));
	case 7:
		return ~0ull >> (below(s, 2) ? 32 : 0);
	case 8:
		return 1ull << (below(s, 2) ? 31 : 63);
	case 9:
		return below(s, bound ? bound : 16);
	case 10:
		return old * 2;
	default:
		return rnd(s);
	}
}

static const uint16_t special_shndx[] = { 0, 0xfff1, 0xfff2, 0xffff, 0xff20, 0xff00 };
/* x86-64 relocation types the engine meets, and a few it does not know */
static const uint8_t reloc_types[] = { 0, 1, 2, 4, 9, 10, 11, 12, 13, 14, 15, 24, 41, 42, 43, 200 };

static void mutate_shdr(struct view *v, uint32_t *s)
{
	static const uint32_t types[] = { 0, 1, 2, 3, 4, 8, 9, 11, 14, 15, 16, 17, 18 };
	static const uint64_t flags[] = { 0x1, 0x2, 0x4, 0x10, 0x20, 0x40, 0x80, 0x200, 0x400,
					  0x00100000 };
	unsigned int i;
	uint8_t *sh;

	if (v->shnum < 2)
		return;
	i = 1 + below(s, v->shnum - 1);
	sh = shdr(v, i);
	switch (below(s, 9)) {
	case 0:
		wr(sh + 4, 4, below(s, 4) ? types[below(s, sizeof(types) / sizeof(*types))] : rnd(s));
		break;
	case 1:
		wr(sh + 8, 8, rd(sh + 8, 8) ^ flags[below(s, sizeof(flags) / sizeof(*flags))]);
		break;
	case 2:
		wr(sh + 32, 8, interesting(s, rd(sh + 32, 8), v->n));
		break;
	case 3:
		wr(sh + 24, 8, interesting(s, rd(sh + 24, 8), v->n));
		break;
	case 4:
		wr(sh + 40, 4, interesting(s, rd(sh + 40, 4), v->shnum));
		break;
	case 5:
		wr(sh + 44, 4, interesting(s, rd(sh + 44, 4), v->shnum));
		break;
	case 6:
		wr(sh + 56, 8, interesting(s, rd(sh + 56, 8), 24));
		break;
	case 7: /* another section's name: two sections of one name */
		wr(sh + 0, 4, rd(shdr(v, below(s, v->shnum)), 4));
		break;
	default:
		wr(sh + 48, 8, interesting(s, rd(sh + 48, 8), 64));
		break;
	}
}

static void mutate_sym(struct view *v, uint8_t *tab, size_t size, uint32_t *s)
{
	size_t nr = size / SYM;
	uint8_t *sym, *other;

	if (!nr)
		return;
	sym = tab + below(s, nr) * SYM;
	other = tab + below(s, nr) * SYM;
	switch (below(s, 9)) {
	case 0: /* another symbol's name: duplicates, the engine's hard case */
		wr(sym, 4, rd(other, 4));
		break;
	case 1: /* type: NOTYPE OBJECT FUNC SECTION FILE COMMON TLS IFUNC */
		sym[4] = (sym[4] & 0xf0) | (below(s, 8) == 7 ? 10 : below(s, 7));
		break;
	case 2: /* binding: LOCAL GLOBAL WEAK, or a bad one */
		sym[4] = (sym[4] & 0x0f) | (below(s, 4) == 3 ? 0xa0 : below(s, 3) << 4);
		break;
	case 3:
		sym[5] = below(s, 4);
		break;
	case 4:
		wr(sym + 6, 2, below(s, 3) ? below(s, v->shnum + 1) :
			       special_shndx[below(s, sizeof(special_shndx) / 2)]);
		break;
	case 5:
		wr(sym + 8, 8, interesting(s, rd(sym + 8, 8), rd(sym + 16, 8)));
		break;
	case 6:
		wr(sym + 16, 8, interesting(s, rd(sym + 16, 8), 64));
		break;
	case 7: /* swap two entries: local/global order, sh_info's first global */
	{
		uint8_t t[SYM];

		memcpy(t, sym, SYM);
		memcpy(sym, other, SYM);
		memcpy(other, t, SYM);
		break;
	}
	default: /* the same place as another symbol: aliases */
		memcpy(sym + 6, other + 6, 2 + 8 + 8);
		break;
	}
}

static void mutate_rela(uint8_t *tab, size_t size, size_t nsyms, uint32_t *s)
{
	size_t nr = size / RELA;
	uint8_t *r, *other;
	uint64_t info;

	if (!nr)
		return;
	r = tab + below(s, nr) * RELA;
	other = tab + below(s, nr) * RELA;
	info = rd(r + 8, 8);
	switch (below(s, 6)) {
	case 0:
		wr(r, 8, interesting(s, rd(r, 8), rd(tab + (nr - 1) * RELA, 8) + 8));
		break;
	case 1:
		wr(r + 8, 8, (uint64_t)interesting(s, info >> 32, nsyms) << 32 | (uint32_t)info);
		break;
	case 2:
		wr(r + 8, 8, (info & ~0xffffffffull) |
			     reloc_types[below(s, sizeof(reloc_types))]);
		break;
	case 3:
		wr(r + 16, 8, below(s, 2) ? (uint64_t)-4 - below(s, 8) :
			      interesting(s, rd(r + 16, 8), 4096));
		break;
	case 4: /* the same target as another relocation */
		memcpy(r + 8, other + 8, 16);
		break;
	default: /* swap: relocations out of offset order */
	{
		uint8_t t[RELA];

		memcpy(t, r, RELA);
		memcpy(r, other, RELA);
		memcpy(other, t, RELA);
		break;
	}
	}
}

/* Names the engine treats specially, written over a string of a string table. */
static const char *const names[] = {
	"__bug_table", "__jump_table", ".altinstructions", ".altinstr_replacement",
	"__ex_table", ".static_call_sites", "__mcount_loc", ".discard.addressable",
	".lpb.cb.pre_patch", "__dyndbg", "__dyndbg_classes", ".init.text", ".exit.text",
	".rodata.str1.1", ".rodata.cst16", ".data..once", "__patchable_function_entries",
	".return_sites", ".retpoline_sites", ".orc_unwind", ".orc_unwind_ip",
	".parainstructions", ".smp_locks", "__tracepoints_ptrs", "__ksymtab_gpl",
	"__ksymtab_strings", ".printk_index", ".call_sites", ".ibt_endbr_seal",
	".gnu.linkonce.this_module", ".modinfo", "__param", ".initcall6.init",
	".text.unlikely.f", ".text.f.cold", "f.cold", "f.part.0", "f.constprop.0",
	"f.isra.0", "count.3", "__key.12", "__UNIQUE_ID_x7", "__fentry__", "_printk",
	"__warn_printk", "__might_sleep", "__dynamic_pr_debug", "__func__.1", ".klp.sym.vmlinux.f,0",
	".rela.text.f", ".rela__bug_table", "__ksymtab_f", "__kstrtab_f", "init_module",
};

static void mutate_name(const struct view *v, uint8_t *p, size_t size, uint32_t *s)
{
	const char *w = names[below(s, sizeof(names) / sizeof(*names))];
	size_t at = below(s, size), len = strlen(w);

	/* start of a string, and room for the word and its NUL */
	while (at && p[at - 1])
		at--;
	if (at + len + 1 > size)
		return;
	memcpy(p + at, w, len + 1);
}

/* One section's bytes from the twin object, when it has a section of that name. */
static void cross_over(const struct view *v, const struct view *o, uint32_t *s)
{
	unsigned int i = pick_sec(v, 0, s);
	const char *name = i ? sec_name(v, i) : NULL;
	uint8_t *p, *q;
	size_t n, m;

	if (!name)
		return;
	for (unsigned int k = 1; k < o->shnum; k++) {
		const char *oname = sec_name(o, k);

		if (oname && !strcmp(oname, name) && sec_bytes(o, k, &q, &m) &&
		    sec_bytes(v, i, &p, &n)) {
			memmove(p, q, n < m ? n : m);
			return;
		}
	}
}

size_t elf_mutate(uint8_t *obj, size_t len, size_t max, const uint8_t *twin, size_t twin_len,
		  uint32_t seed)
{
	struct view v, o;
	uint32_t s = seed;
	unsigned int i;
	uint8_t *p;
	size_t n;

	if (!view_open(&v, obj, len) || !below(&s, 16))
		return LLVMFuzzerMutate(obj, len, max);
	switch (below(&s, 8)) {
	case 0:
		mutate_shdr(&v, &s);
		break;
	case 1:
	case 2:
		i = pick_sec(&v, T_SYMTAB, &s);
		if (i && sec_bytes(&v, i, &p, &n))
			mutate_sym(&v, p, n, &s);
		break;
	case 3:
	case 4: {
		unsigned int sym = pick_sec(&v, T_SYMTAB, &s);
		uint8_t *sp;
		size_t sn = 0;

		if (sym)
			sec_bytes(&v, sym, &sp, &sn);
		i = pick_sec(&v, T_RELA, &s);
		if (i && sec_bytes(&v, i, &p, &n))
			mutate_rela(p, n, sn / SYM, &s);
		break;
	}
	case 5: /* one section's bytes, size kept: code, data, tables */
		i = pick_sec(&v, below(&s, 2) ? T_PROGBITS : 0, &s);
		if (i && sec_bytes(&v, i, &p, &n)) {
			size_t at = below(&s, n), win = n - at < 64 ? n - at : 64;

			LLVMFuzzerMutate(p + at, win, win);
		}
		break;
	case 6:
		i = pick_sec(&v, T_STRTAB, &s);
		if (i && sec_bytes(&v, i, &p, &n))
			mutate_name(&v, p, n, &s);
		break;
	default: {
		uint8_t *copy = (uint8_t *)twin;

		/* view_open only reads through the pointer here */
		if (twin && view_open(&o, copy, twin_len))
			cross_over(&v, &o, &s);
		else
			mutate_shdr(&v, &s);
		break;
	}
	}
	return len;
}
