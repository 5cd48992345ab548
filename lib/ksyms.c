// SPDX-License-Identifier: GPL-2.0-only
/* Target symbol table: which symbols kallsyms knows, their sympos, and the
 * FILE-block matching that maps an object's locals onto the running kernel. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ksyms.h"
#include "log.h"

struct lpb_ksyms {
	struct lpb_elf *elf;
	bool own;
	unsigned int *pos; /* by symbol index: 1-based rank among same names, 0 = not counted */
	unsigned int *count; /* by symbol index: how many share its name */
	unsigned int *locals; /* by FILE symbol index: locals in its block */
};

struct lpb_elf *lpb_ksyms_elf(const struct lpb_ksyms *ks)
{
	return ks->elf;
}

bool lpb_ksyms_counts(const struct lpb_ksyms *ks, const struct lpb_symbol *s)
{
	unsigned int t = lpb_sym_type(s);

	if (!s->sec || s->deleted || !*s->name)
		return false;
	if (t != STT_FUNC && t != STT_OBJECT && t != STT_NOTYPE)
		return false;
	return s->sec->sh.sh_flags & SHF_ALLOC;
}

/* kallsyms order: address for a linked image, table order for a module */
static int cmp_kallsyms(const void *a, const void *b)
{
	const struct lpb_symbol *x = *(const struct lpb_symbol *const *)a;
	const struct lpb_symbol *y = *(const struct lpb_symbol *const *)b;

	if (x->sym.st_value != y->sym.st_value)
		return x->sym.st_value < y->sym.st_value ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

static int compute_positions(struct lpb_ksyms *ks)
{
	struct lpb_elf *elf = ks->elf;
	const struct lpb_symbol **list;
	struct lpb_symbol *s;
	unsigned int *firsts;
	size_t n = 0, i;

	ks->pos = calloc(elf->nr_syms, sizeof(*ks->pos));
	ks->count = calloc(elf->nr_syms, sizeof(*ks->count));
	ks->locals = calloc(elf->nr_syms, sizeof(*ks->locals));
	list = calloc(elf->nr_syms, sizeof(*list));
	if (!ks->pos || !ks->count || !ks->locals || !list) {
		free(list);
		lpb_err("%s: out of memory", elf->path);
		return -ENOMEM;
	}
	lpb_for_each_symbol(elf, s) {
		if (lpb_ksyms_counts(ks, s))
			list[n++] = s;
		if (s->file && lpb_sym_bind(s) == STB_LOCAL && lpb_ksyms_counts(ks, s))
			ks->locals[s->file->index]++;
	}
	if (elf->ehdr.e_type != ET_REL)
		qsort(list, n, sizeof(*list), cmp_kallsyms);
	/* ranks: walk in kallsyms order, count per name on the first counted
	 * symbol of that name (looked up once per symbol, then remembered) */
	firsts = calloc(n ? n : 1, sizeof(*firsts));
	if (!firsts) {
		free(list);
		lpb_err("%s: out of memory", elf->path);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		const struct lpb_symbol *first = lpb_find_symbol(elf, list[i]->name);

		while (first && !lpb_ksyms_counts(ks, first))
			first = lpb_next_same_name(first);
		firsts[i] = first->index;
		ks->pos[list[i]->index] = ++ks->count[first->index];
	}
	for (i = 0; i < n; i++)
		ks->count[list[i]->index] = ks->count[firsts[i]];
	free(firsts);
	free(list);
	return 0;
}

struct lpb_ksyms *lpb_ksyms_from_elf(struct lpb_elf *elf, bool own)
{
	struct lpb_ksyms *ks = calloc(1, sizeof(*ks));

	if (!ks) {
		lpb_err("%s: out of memory", elf->path);
		if (own)
			lpb_elf_free(elf);
		return NULL;
	}
	ks->elf = elf;
	ks->own = own;
	if (!elf->symtab || elf->nr_syms < 2) {
		lpb_err("%s: no symbol table (a stripped file cannot serve as the livepatch target's symbols)",
			elf->path);
		lpb_ksyms_free(ks);
		return NULL;
	}
	if (compute_positions(ks)) {
		lpb_ksyms_free(ks);
		return NULL;
	}
	return ks;
}

struct lpb_ksyms *lpb_ksyms_load(const char *path)
{
	struct lpb_elf *elf = lpb_elf_open(path, LPB_ELF_LAZY_RELOCS);

	return elf ? lpb_ksyms_from_elf(elf, true) : NULL;
}

void lpb_ksyms_free(struct lpb_ksyms *ks)
{
	if (!ks)
		return;
	if (ks->own)
		lpb_elf_free(ks->elf);
	free(ks->pos);
	free(ks->count);
	free(ks->locals);
	free(ks);
}

unsigned int lpb_ksyms_count(const struct lpb_ksyms *ks, const char *name)
{
	const struct lpb_symbol *s;

	for (s = lpb_find_symbol(ks->elf, name); s; s = lpb_next_same_name(s))
		if (ks->pos[s->index])
			return ks->count[s->index];
	return 0;
}

unsigned int lpb_ksyms_sympos(const struct lpb_ksyms *ks, const struct lpb_symbol *sym)
{
	if (sym->elf != ks->elf || !ks->pos[sym->index] || ks->count[sym->index] < 2)
		return 0;
	return ks->pos[sym->index];
}

const struct lpb_symbol *lpb_ksyms_find_local(const struct lpb_ksyms *ks,
					      const struct lpb_kblock *blk,
					      const char *name)
{
	const struct lpb_symbol *s;

	for (s = lpb_find_symbol(ks->elf, name); s; s = lpb_next_same_name(s))
		if (lpb_sym_bind(s) == STB_LOCAL && s->file == blk->file &&
		    ks->pos[s->index])
			return s;
	return NULL;
}

const struct lpb_symbol *lpb_ksyms_find_global(const struct lpb_ksyms *ks,
					       const char *name)
{
	const struct lpb_symbol *s;

	for (s = lpb_find_symbol(ks->elf, name); s; s = lpb_next_same_name(s))
		if (lpb_sym_bind(s) != STB_LOCAL && ks->pos[s->index])
			return s;
	return NULL;
}

/* Narrows @cand (symbol indices of FILE symbols) by the tie-breaks; returns
 * the single survivor or NULL. Overwriting the score array in place is safe:
 * candidate i is written at position <= its own index. */
static const struct lpb_symbol *filter_blocks(const struct lpb_ksyms *ks,
					      unsigned int *cand, size_t *nr,
					      const char *basename, unsigned int best)
{
	struct lpb_elf *elf = ks->elf;
	size_t i, k;

	for (int pass = 0; pass < 2 && *nr > 1; pass++) {
		for (i = 0, k = 0; i < *nr; i++) {
			const struct lpb_symbol *f = elf->syms[cand[i]];

			if (pass == 0 && (!basename || strcmp(f->name, basename)))
				continue;
			if (pass == 1 && ks->locals[f->index] != best)
				continue;
			k++;
		}
		if (!k)
			continue; /* the tie-break does not apply: keep all */
		for (i = 0, k = 0; i < *nr; i++) {
			const struct lpb_symbol *f = elf->syms[cand[i]];

			if (pass == 0 && (!basename || strcmp(f->name, basename)))
				continue;
			if (pass == 1 && ks->locals[f->index] != best)
				continue;
			cand[k++] = cand[i];
		}
		*nr = k;
	}
	return *nr == 1 ? elf->syms[cand[0]] : NULL;
}

int lpb_ksyms_match(const struct lpb_ksyms *ks, const char *objpath,
		    const char *basename, const char *const *names, size_t nr,
		    struct lpb_kblock *out)
{
	struct lpb_elf *elf = ks->elf;
	unsigned int *score, best = 0;
	size_t i, nr_best = 0;
	const struct lpb_symbol *s, *pick = NULL;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	out->wanted = nr;
	score = calloc(elf->nr_syms, sizeof(*score));
	if (!score) {
		lpb_err("%s: out of memory", elf->path);
		return -ENOMEM;
	}
	/* Score each block by how many of the object's locals it holds: the
	 * work is proportional to the matches, never blocks x names. */
	for (i = 0; i < nr; i++) {
		const struct lpb_symbol *last_file = NULL;

		for (s = lpb_find_symbol(elf, names[i]); s; s = lpb_next_same_name(s)) {
			if (lpb_sym_bind(s) != STB_LOCAL || !s->file ||
			    !ks->pos[s->index] || s->file == last_file)
				continue;
			/* a name twice in one block counts once */
			last_file = s->file;
			if (++score[s->file->index] > best)
				best = score[s->file->index];
		}
	}
	if (!best) {
		lpb_err("%s: none of its %zu local symbols is in %s: the target was not built from this source (or has no local symbols)",
			objpath, nr, elf->path);
		ret = -ENOENT;
		goto out;
	}
	/* tie-breaks: the basename, then a block with exactly our locals */
	lpb_for_each_symbol(elf, s) {
		if (lpb_sym_type(s) == STT_FILE && score[s->index] == best)
			score[nr_best++] = s->index; /* reuse: scores no longer needed below best */
	}
	pick = filter_blocks(ks, score, &nr_best, basename, best);
	if (!pick) {
		lpb_err("%s: its local symbols match several FILE blocks of %s equally well (%u of %zu locals); cannot tell which one is this object",
			objpath, elf->path, best, nr);
		ret = -EEXIST;
		goto out;
	}
	out->file = pick;
	out->matched = best;
out:
	free(score);
	return ret;
}
