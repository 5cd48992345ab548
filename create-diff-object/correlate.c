// SPDX-License-Identifier: GPL-2.0-only
/* Pairs the sections and symbols of ORIG and PATCHED despite GCC renaming
 * (.isra.N, .constprop.N, numbered statics), after resolving section-symbol
 * relocations to the symbols they really point at. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cdo.h"
#include "log.h"

/* Kernel tables a livepatch module cannot add entries to (or whose entries
 * would never be acted on): a change there is refused, not ignored. */
static const char *const unsupported_prefixes[] = {
	"__ksymtab", "___ksymtab", "__kcrctab", "__ksymtab_strings",
	".initcall", ".con_initcall", ".exitcall", "__param", "__modver", ".modinfo",
	".gnu.linkonce.this_module", ".init.setup", "__tracepoints_ptrs",
	"_ftrace_events", "_ftrace_eval_map", "__bpf_raw_tp_map",
	".export_symbol",
};

static const char *const drop_prefixes[] = {
	".discard", ".note", ".comment", ".llvm", ".BTF", ".debug", ".GCC",
};

static bool has_prefix(const char *s, const char *p)
{
	return !strncmp(s, p, strlen(p));
}

static enum cdo_kind section_kind(struct lpb_section *sec)
{
	size_t i;

	switch (sec->sh.sh_type) {
	case SHT_NULL:
	case SHT_RELA:
	case SHT_REL:
	case SHT_SYMTAB:
	case SHT_STRTAB:
	case SHT_GROUP:
	case SHT_SYMTAB_SHNDX:
		return K_NONE;
	}
	if (has_prefix(sec->name, ".lpb.cb."))
		return K_CALLBACK;
	for (i = 0; i < sizeof(drop_prefixes) / sizeof(*drop_prefixes); i++)
		if (has_prefix(sec->name, drop_prefixes[i]))
			return K_DROP;
	if (!(sec->sh.sh_flags & SHF_ALLOC))
		return K_DROP;
	if (cdo_special_lookup(sec->name))
		return K_SPECIAL;
	for (i = 0; i < sizeof(unsupported_prefixes) / sizeof(*unsupported_prefixes); i++)
		if (has_prefix(sec->name, unsupported_prefixes[i]))
			return K_UNSUPPORTED;
	if (sec->sh.sh_flags & SHF_MERGE)
		return sec->sh.sh_flags & SHF_STRINGS ? K_STRINGS : K_CONST;
	if (sec->sh.sh_flags & SHF_EXECINSTR)
		return K_TEXT;
	return K_DATA;
}

/* GCC's clone and numbering suffixes, replaced by their bare marker so the
 * same function keeps the same key across builds: foo.isra.3 -> foo.isra. */
static char *normalize(const char *name, bool local, bool *numbered)
{
	static const char *const clone_marks[] = {
		".constprop.", ".isra.", ".part.", ".lto_priv.", ".cold.", ".clone.",
	};
	char *out = cdo_strdup(name), *p;
	size_t i, len;

	*numbered = false;
	for (i = 0; i < sizeof(clone_marks) / sizeof(*clone_marks); i++) {
		p = out;
		while ((p = strstr(p, clone_marks[i]))) {
			char *d = p + strlen(clone_marks[i]), *e = d;

			while (isdigit((unsigned char)*e))
				e++;
			memmove(d, e, strlen(e) + 1);
			p = d;
		}
	}
	if (!local)
		return out;
	/* numbered statics: count.3, __key.12, __func__.0, __UNIQUE_ID_x123 */
	len = strlen(out);
	p = out + len;
	while (p > out && isdigit((unsigned char)p[-1]))
		p--;
	if (p < out + len && p > out && (p[-1] == '.' || has_prefix(out, "__UNIQUE_ID_"))) {
		*p = 0;
		*numbered = true;
	}
	return out;
}

static struct lpb_symbol *parent_of(struct lpb_elf *elf, struct lpb_symbol *s,
				    bool *cold)
{
	const char *marks[] = { ".cold", ".part." };
	struct lpb_symbol *p;
	size_t i;

	for (i = 0; i < 2; i++) {
		const char *m = strstr(s->name, marks[i]);
		char *pname;

		/* the last marker names the direct parent: foo.part.0.cold -> foo.part.0 */
		while (m && strstr(m + 1, marks[i]))
			m = strstr(m + 1, marks[i]);
		if (!m || m == s->name)
			continue;
		if (i == 0 && strstr(m, ".part."))
			continue;
		pname = strndup(s->name, m - s->name);
		if (!pname)
			abort();
		for (p = lpb_find_symbol(elf, pname); p; p = lpb_next_same_name(p))
			if (lpb_is_func(p) && p->sec)
				break;
		free(pname);
		if (p) {
			*cold = i == 0;
			return p;
		}
	}
	return NULL;
}

/* .text.foo+0x10 means foo+0x10: resolve so comparisons see real targets.
 * In code, a PC-relative displacement is biased by the bytes that follow it
 * (4, plus an immediate operand after it: "movb $1, flag(%rip)" gives
 * flag - 5), so the symbol is looked up at addend + that; in data and tables
 * the addend is the offset itself. A section owned by one symbol needs no
 * guess at all. */
static void resolve_relocs(struct lpb_elf *elf)
{
	struct lpb_section *sec;

	lpb_for_each_section(elf, sec) {
		struct lpb_section *rela;
		struct lpb_reloc *r;
		bool code;

		if (S(sec)->kind == K_NONE || S(sec)->kind == K_DROP)
			continue;
		rela = lpb_section_relocs(sec);
		if (!rela)
			continue;
		code = S(sec)->kind == K_TEXT;
		lpb_for_each_reloc(rela, r) {
			struct lpb_section *t;
			struct lpb_symbol *s;
			int64_t off;

			if (!r->sym || !lpb_is_section_sym(r->sym) || !(t = r->sym->sec))
				continue;
			if (S(t)->kind == K_STRINGS || S(t)->kind == K_CONST)
				continue;
			s = S(t)->owner;
			if (!s) {
				off = r->addend + (code ? cdo_pcrel_bias(sec, r) : 0);
				if (off < 0)
					continue;
				s = lpb_find_symbol_containing(t, off);
				if (!s || (!lpb_is_func(s) && !lpb_is_object(s)))
					continue;
			}
			r->addend -= s->sym.st_value;
			r->sym = s;
		}
	}
}

/* The symbols naming the padding before a function: objtool's --prefix
 * (CONFIG_CALL_PADDING, 6.2+) adds __pfx_<name>, clang's kCFI __cfi_<name>. */
static const char *const prefix_marks[] = { "__pfx_", "__cfi_" };

/* The function @s is the prefix of: same section, starting where @s ends. */
static struct lpb_symbol *prefixed_function(struct lpb_elf *elf, struct lpb_symbol *s)
{
	struct lpb_symbol *f;
	size_t i;

	if (!lpb_is_func(s) || !s->sec)
		return NULL;
	for (i = 0; i < sizeof(prefix_marks) / sizeof(*prefix_marks); i++) {
		if (!has_prefix(s->name, prefix_marks[i]))
			continue;
		for (f = lpb_find_symbol(elf, s->name + strlen(prefix_marks[i])); f;
		     f = lpb_next_same_name(f))
			if (lpb_is_func(f) && f->sec == s->sec &&
			    f->sym.st_value == s->sym.st_value + s->sym.st_size)
				return f;
	}
	return NULL;
}

/* The most padding any kernel puts before a function (FUNCTION_PADDING_BYTES
 * is 16 on x86; clang's kCFI adds its own preamble to that). */
#define MAX_FUNC_PAD 64

/*
 * Whether the bytes before function @f, from the start of its section, are
 * padding: with CONFIG_CALL_PADDING GCC's -fpatchable-function-entry=16,16
 * puts 16 one-byte NOPs there (the kernel writes call-depth accounting or
 * FineIBT preambles into them at boot), and objtool may have named them
 * __pfx_<f>. Anything else means @f does not own its section.
 */
static bool lead_is_padding(struct lpb_section *sec, struct lpb_symbol *f)
{
	const unsigned char *b = lpb_section_data(sec);
	uint64_t pad = f->sym.st_value, i;
	struct lpb_symbol *s;

	if (!pad)
		return true;
	if (S(sec)->kind != K_TEXT || pad > MAX_FUNC_PAD || !b || pad > sec->size)
		return false;
	for (i = 0; i < pad; i++) {
		if (b[i] == 0x90)
			continue;
		s = lpb_find_symbol_containing(sec, i);
		if (!s || !s->priv || Y(s)->prefix_of != f)
			return false;
	}
	return true;
}

static bool is_alias(const struct lpb_symbol *a, const struct lpb_symbol *b)
{
	return lpb_sym_type(a) == lpb_sym_type(b) && a->sym.st_value == b->sym.st_value &&
	       a->sym.st_size == b->sym.st_size;
}

static void setup_object(struct lpb_elf *elf, struct cdo_sec *secs,
			 struct cdo_sym *syms)
{
	struct lpb_section *sec;
	struct lpb_symbol *s;

	lpb_for_each_section(elf, sec) {
		sec->priv = &secs[sec->index];
		S(sec)->kind = section_kind(sec);
	}
	elf->secs[0]->priv = &secs[0];
	lpb_for_each_symbol(elf, s) {
		s->priv = &syms[s->index];
		Y(s)->sympos = -1;
		if (!lpb_is_section_sym(s) && lpb_sym_type(s) != STT_FILE)
			Y(s)->norm = normalize(s->name, lpb_sym_bind(s) == STB_LOCAL,
					       &Y(s)->numbered);
	}
	elf->syms[0]->priv = &syms[0];
	lpb_for_each_symbol(elf, s)
		Y(s)->prefix_of = prefixed_function(elf, s);
	lpb_for_each_section(elf, sec) {
		struct lpb_symbol **list;
		size_t n, i, funcs = 0;
		struct lpb_symbol *only = NULL;

		if (S(sec)->kind == K_NONE)
			continue;
		list = lpb_section_symbols(sec, &n);
		for (i = 0; list && i < n; i++) {
			if ((!lpb_is_func(list[i]) && !lpb_is_object(list[i])) ||
			    Y(list[i])->prefix_of)
				continue;
			/* another name for the same thing (SYSCALL_DEFINE0's
			 * __x64_sys_foo is an alias of __do_sys_foo): one owner,
			 * preferably the global name, which is unique */
			if (only && is_alias(list[i], only)) {
				if (lpb_sym_bind(only) == STB_LOCAL &&
				    lpb_sym_bind(list[i]) != STB_LOCAL) {
					Y(only)->alias = list[i];
					only = list[i];
				} else {
					Y(list[i])->alias = only;
				}
				continue;
			}
			funcs++;
			only = list[i];
		}
		if (funcs == 1 && lead_is_padding(sec, only)) {
			S(sec)->owner = only;
			Y(only)->pad = only->sym.st_value;
		}
		for (i = 0; list && i < n; i++)
			if (list[i]->priv && Y(list[i])->alias) {
				if (S(sec)->owner)
					Y(list[i])->alias = only;
				else
					Y(list[i])->alias = NULL;
			}
		S(sec)->anon = !funcs && (S(sec)->kind == K_TEXT || S(sec)->kind == K_DATA);
	}
	lpb_for_each_symbol(elf, s) {
		if (lpb_is_func(s) && s->sec)
			Y(s)->parent = parent_of(elf, s, &Y(s)->cold);
	}
	resolve_relocs(elf);
}

int cdo_setup(struct cdo *c)
{
	struct lpb_elf *objs[2] = { c->orig, c->patched };
	int i;

	for (i = 0; i < 2; i++) {
		struct cdo_sec *secs = calloc(objs[i]->nr_secs, sizeof(*secs));
		struct cdo_sym *syms = calloc(objs[i]->nr_syms, sizeof(*syms));

		if (!secs || !syms) {
			lpb_err("%s: out of memory", objs[i]->path);
			return -ENOMEM;
		}
		setup_object(objs[i], secs, syms);
	}
	return 0;
}

bool cdo_same_class(struct lpb_symbol *a, struct lpb_symbol *b)
{
	return lpb_sym_type(a) == lpb_sym_type(b) &&
	       (lpb_sym_bind(a) == STB_LOCAL) == (lpb_sym_bind(b) == STB_LOCAL) &&
	       !a->sec == !b->sec;
}

void cdo_pair(struct lpb_symbol *o, struct lpb_symbol *p)
{
	Y(o)->twin = p;
	Y(p)->twin = o;
}

bool cdo_pairable(struct lpb_symbol *s)
{
	return s->priv && !Y(s)->twin && !lpb_is_section_sym(s) &&
	       lpb_sym_type(s) != STT_FILE && *s->name;
}

/* Hash of PATCHED's unpaired symbols by normalized name. */
struct norm_node {
	struct lpb_hnode node;
	struct lpb_symbol *sym;
};

static void index_norm(struct lpb_elf *elf, struct lpb_hash *h,
		       struct norm_node *nodes, bool numbered)
{
	struct lpb_symbol *s;

	lpb_for_each_symbol(elf, s) {
		if (!cdo_pairable(s) || Y(s)->numbered != numbered)
			continue;
		nodes[s->index].sym = s;
		if (lpb_hash_add(h, &nodes[s->index].node, lpb_str_hash(Y(s)->norm)))
			abort();
	}
}

/* the only unpaired symbol of @h with @o's key and class, or NULL */
static struct lpb_symbol *unique_match(struct lpb_hash *h, struct lpb_symbol *o)
{
	struct lpb_symbol *cand = NULL, *p;
	struct lpb_hnode *n;
	int nr = 0;

	lpb_hash_for_each_possible(h, n, lpb_str_hash(Y(o)->norm)) {
		p = container_of(n, struct norm_node, node)->sym;
		if (!Y(p)->twin && !strcmp(Y(p)->norm, Y(o)->norm) && cdo_same_class(o, p)) {
			cand = p;
			nr++;
		}
	}
	return nr == 1 ? cand : NULL;
}

/* Pairs symbols whose normalized names match one-to-one; an ambiguous key
 * (two foo.isra.* on one side) is left for the usage-based pass. */
static void pair_by_norm(struct cdo *c, bool numbered)
{
	struct lpb_hash hp = { 0 }, ho = { 0 };
	struct norm_node *np = calloc(c->patched->nr_syms, sizeof(*np));
	struct norm_node *no = calloc(c->orig->nr_syms, sizeof(*no));
	struct lpb_symbol *o, *p;

	if (!np || !no)
		abort();
	index_norm(c->patched, &hp, np, numbered);
	index_norm(c->orig, &ho, no, numbered);
	lpb_for_each_symbol(c->orig, o) {
		if (!cdo_pairable(o) || Y(o)->numbered != numbered)
			continue;
		p = unique_match(&hp, o);
		if (p && unique_match(&ho, p) == o)
			cdo_pair(o, p);
	}
	lpb_hash_free(&hp);
	lpb_hash_free(&ho);
	free(np);
	free(no);
}

/* Static locals are named by a per-file counter that any new static
 * shifts, so they are paired by how paired functions use them: the k-th
 * distinct "count.*" a function references in ORIG is the k-th in PATCHED.
 * A function's .cold/.part children count as part of it: GCC moves the
 * unlikely paths (pr_debug() calls, say) between them from build to build. */
struct statics {
	struct lpb_symbol **v;
	size_t nr, cap;
};

static void add_statics(struct lpb_symbol *f, struct statics *out)
{
	struct lpb_reloc **r;
	size_t n, i, j;

	if (!f->sec)
		return;
	r = cdo_relocs_in(f->sec, f->sym.st_value, f->sym.st_value + f->sym.st_size, &n);
	for (i = 0; i < n; i++) {
		struct lpb_symbol *t = r[i]->sym;

		if (!t || !t->priv || !Y(t)->numbered || Y(t)->twin)
			continue;
		for (j = 0; j < out->nr; j++)
			if (out->v[j] == t)
				break;
		if (j < out->nr)
			continue;
		if (out->nr == out->cap) {
			out->cap = out->cap ? out->cap * 2 : 16;
			out->v = realloc(out->v, out->cap * sizeof(*out->v));
			if (!out->v)
				abort();
		}
		out->v[out->nr++] = t;
	}
}

/* children[i]: the .cold/.part children of symbol i, as a linked list
 * through next[] (0 ends it; symbol 0 is never a child) */
struct family {
	uint32_t *first, *next;
};

static void family_init(struct lpb_elf *elf, struct family *fam)
{
	struct lpb_symbol *s;

	fam->first = calloc(elf->nr_syms, sizeof(*fam->first));
	fam->next = calloc(elf->nr_syms, sizeof(*fam->next));
	if (!fam->first || !fam->next)
		abort();
	lpb_for_each_symbol(elf, s) {
		struct lpb_symbol *parent = s->priv ? Y(s)->parent : NULL;

		if (!parent)
			continue;
		fam->next[s->index] = fam->first[parent->index];
		fam->first[parent->index] = s->index;
	}
}

static void collect_statics(struct lpb_elf *elf, struct family *fam, struct lpb_symbol *f,
			    struct statics *out)
{
	uint32_t k;

	out->nr = 0;
	add_statics(f, out);
	for (k = fam->first[f->index]; k; k = fam->next[k])
		add_statics(elf->syms[k], out);
}

static bool pair_statics(struct cdo *c)
{
	struct lpb_symbol *o;
	struct family fo, fp;
	struct statics so = { 0 }, sp = { 0 };
	bool paired = false;

	family_init(c->orig, &fo);
	family_init(c->patched, &fp);
	lpb_for_each_symbol(c->orig, o) {
		struct lpb_symbol **lo, **lp, *p = Y(o)->twin;
		size_t no, np, i, j;

		/* functions, and data that points at statics (e.g. a table of
		 * __func__ strings), pass their pairing on to what they use */
		if (!p || (!lpb_is_func(o) && !lpb_is_object(o)) || !o->sec || !p->sec)
			continue;
		collect_statics(c->orig, &fo, o, &so);
		collect_statics(c->patched, &fp, p, &sp);
		lo = so.v;
		no = so.nr;
		lp = sp.v;
		np = sp.nr;
		for (i = 0; i < no; i++) {
			size_t k = 0, m = 0;

			if (Y(lo[i])->twin)
				continue;
			/* lo[i] is the k-th of its key in ORIG's list... */
			for (j = 0; j < i; j++)
				if (!strcmp(Y(lo[j])->norm, Y(lo[i])->norm))
					k++;
			/* ...and pairs with the k-th of that key in PATCHED's */
			for (j = 0; j < np; j++) {
				if (strcmp(Y(lp[j])->norm, Y(lo[i])->norm))
					continue;
				if (m++ == k) {
					if (!Y(lp[j])->twin && cdo_same_class(lo[i], lp[j])) {
						cdo_pair(lo[i], lp[j]);
						paired = true;
					}
					break;
				}
			}
		}
	}
	free(so.v);
	free(sp.v);
	free(fo.first);
	free(fo.next);
	free(fp.first);
	free(fp.next);
	return paired;
}

/* A function-scope __UNIQUE_ID_ddebug485.24 (a pr_debug() descriptor)
 * carries two numbers: GCC's, already dropped from the key, and the
 * __COUNTER__, which any new pr_debug() before it shifts. These switch the
 * keys of the still unpaired ones between the two forms (@drop: without the
 * counter; else back to the full key). */
static void unique_counters(struct cdo *c, bool drop)
{
	struct lpb_elf *objs[2] = { c->orig, c->patched };
	struct lpb_symbol *s;
	int k;

	for (k = 0; k < 2; k++) {
		lpb_for_each_symbol(objs[k], s) {
			char *n, *end, *q;

			if (!s->priv || !Y(s)->numbered || Y(s)->twin ||
			    !has_prefix(s->name, "__UNIQUE_ID_"))
				continue;
			if (!drop) {
				free(Y(s)->norm);
				Y(s)->norm = normalize(s->name, true, &Y(s)->numbered);
				continue;
			}
			n = Y(s)->norm;
			end = n + strlen(n);
			if (end == n || end[-1] != '.')
				continue;
			q = end - 1;
			while (q > n && isdigit((unsigned char)q[-1]))
				q--;
			*q = 0;
		}
	}
}

/* Read-only statics left over with the same name and the same bytes are
 * interchangeable (a __func__ string, a constant table): pairing them
 * cannot make a reference reach the wrong state. */
static void pair_identical_constants(struct cdo *c)
{
	struct lpb_symbol *o, *p;

	lpb_for_each_symbol(c->orig, o) {
		if (!cdo_pairable(o) || !Y(o)->numbered || !o->sec ||
		    (o->sec->sh.sh_flags & SHF_WRITE) || !o->sec->data)
			continue;
		for (p = lpb_find_symbol(c->patched, o->name); p; p = lpb_next_same_name(p)) {
			if (!cdo_pairable(p) || !cdo_same_class(o, p) || !p->sec || !p->sec->data ||
			    (p->sec->sh.sh_flags & SHF_WRITE) ||
			    p->sym.st_size != o->sym.st_size ||
			    o->sym.st_value + o->sym.st_size > o->sec->size ||
			    p->sym.st_value + p->sym.st_size > p->sec->size)
				continue;
			if (!memcmp((char *)o->sec->data + o->sym.st_value,
				    (char *)p->sec->data + p->sym.st_value, o->sym.st_size)) {
				cdo_pair(o, p);
				break;
			}
		}
	}
}

static void pair_sections(struct cdo *c)
{
	struct lpb_section *ps, *os;

	lpb_for_each_section(c->patched, ps) {
		struct lpb_symbol *owner = S(ps)->owner;

		if (S(ps)->kind == K_NONE)
			continue;
		os = NULL;
		if (owner && Y(owner)->twin && Y(owner)->twin->sec &&
		    S(Y(owner)->twin->sec)->owner == Y(owner)->twin)
			os = Y(owner)->twin->sec;
		else if (!owner)
			os = lpb_find_section(c->orig, ps->name);
		if (!os || S(os)->twin || S(os)->kind != S(ps)->kind)
			continue;
		S(ps)->twin = os;
		S(os)->twin = ps;
		if (ps->secsym && os->secsym)
			cdo_pair(os->secsym, ps->secsym);
	}
}

int cdo_correlate(struct cdo *c)
{
	struct lpb_symbol *o, *p;

	/* 1. identical names (numbered statics excepted: their numbers lie) */
	lpb_for_each_symbol(c->orig, o) {
		if (!cdo_pairable(o) || Y(o)->numbered)
			continue;
		for (p = lpb_find_symbol(c->patched, o->name); p; p = lpb_next_same_name(p)) {
			if (cdo_pairable(p) && !Y(p)->numbered && cdo_same_class(o, p)) {
				cdo_pair(o, p);
				break;
			}
		}
	}
	/* 2. clones whose number changed: foo.isra.0 <-> foo.isra.1 */
	pair_by_norm(c, false);
	/* 3. call-site statics by what they say; statics by use in paired
	 * functions, then any one-to-one leftovers */
	cdo_pair_sites(c);
	while (pair_statics(c))
		;
	/* by use again, __UNIQUE_ID counters aside (a new pr_debug() shifted
	 * them); then leftovers one-to-one by full key, then without counters */
	unique_counters(c, true);
	while (pair_statics(c))
		;
	unique_counters(c, false);
	pair_by_norm(c, true);
	unique_counters(c, true);
	pair_by_norm(c, true);
	pair_identical_constants(c);
	pair_sections(c);
	if (c->opts->verbose > 1) {
		lpb_for_each_symbol(c->orig, o) {
			if (o->priv && Y(o)->twin && strcmp(o->name, Y(o)->twin->name))
				cdo_verbose(c, "paired %s with %s", o->name, Y(o)->twin->name);
			else if (cdo_pairable(o) && o->sec)
				cdo_debug(c, "%s of ORIG has no twin", o->name);
		}
	}
	return 0;
}
