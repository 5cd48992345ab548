// SPDX-License-Identifier: GPL-2.0-only
/* Call-site statics (pr_debug() descriptors in __dyndbg) paired by what they
 * say, since the numbers in their names shift with any new site. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cdo.h"

/* What a static that records a call site (a pr_debug() descriptor in
 * __dyndbg) says about itself: for every relocation its offset and target,
 * a literal by its contents and a read-only numbered static (__func__.N)
 * by its bytes, so the key is the module, function, file and format, and
 * neither the line nor any number a build gave out. */
static char *site_key(struct lpb_symbol *s)
{
	struct lpb_reloc **r;
	size_t n, i, len = 0, cap = 64;
	char *key = malloc(cap);

	if (!key)
		abort();
	r = cdo_relocs_in(s->sec, s->sym.st_value, s->sym.st_value + s->sym.st_size, &n);
	for (i = 0; i < n; i++) {
		struct lpb_symbol *t = r[i]->sym;
		const char *what = NULL;
		size_t wlen = 0;
		char head[64];
		int64_t at;

		if (!t || !t->sec) {
			what = t ? t->name : "";
			wlen = strlen(what);
		} else if (S(t->sec)->kind == K_STRINGS && t->sec->data &&
			   (at = (int64_t)t->sym.st_value + r[i]->addend) >= 0 &&
			   (uint64_t)at < t->sec->size) {
			what = (const char *)t->sec->data + at;
			wlen = strnlen(what, t->sec->size - at);
		} else if (Y(t)->numbered && !(t->sec->sh.sh_flags & SHF_WRITE) && t->sec->data &&
			   t->sym.st_value + t->sym.st_size <= t->sec->size) {
			/* __func__.N: a string, as far as its first NUL */
			what = (const char *)t->sec->data + t->sym.st_value;
			wlen = strnlen(what, t->sym.st_size);
		} else {
			what = Y(t)->numbered ? "" : t->name;
			wlen = strlen(what);
		}
		snprintf(head, sizeof(head), "%llx:%lld:%zu:",
			 (unsigned long long)(r[i]->offset - s->sym.st_value),
			 (long long)r[i]->addend, wlen);
		while (len + strlen(head) + wlen + 1 > cap) {
			cap *= 2;
			key = realloc(key, cap);
			if (!key)
				abort();
		}
		memcpy(key + len, head, strlen(head));
		len += strlen(head);
		memcpy(key + len, what, wlen);
		len += wlen;
	}
	key[len] = 0;
	/* keys are compared as strings: a NUL inside a literal's bytes is
	 * impossible, as each part ends at its first NUL */
	return key;
}

/* @v (with its @keys) in section and address order (insertion sort: the
 * symbol table is nearly in that order already) */
static void sort_by_place(struct lpb_symbol **v, char **keys, size_t n)
{
	size_t i, j;

	for (i = 1; i < n; i++) {
		for (j = i; j > 0; j--) {
			struct lpb_symbol *a = v[j - 1], *b = v[j];
			char *t;

			if (a->sec->index < b->sec->index ||
			    (a->sec == b->sec && a->sym.st_value <= b->sym.st_value))
				break;
			v[j - 1] = b;
			v[j] = a;
			t = keys[j - 1];
			keys[j - 1] = keys[j];
			keys[j] = t;
		}
	}
}

/* Call-site statics (pr_debug() descriptors) paired by what they say, one
 * to one: their names carry a __COUNTER__ that anything using the counter
 * before them (a new pr_debug(), READ_ONCE()'s compile-time assertion)
 * shifts, so that after a patch a name can belong to another site. */
void cdo_pair_sites(struct cdo *c)
{
	struct lpb_elf *objs[2] = { c->orig, c->patched };
	struct lpb_symbol **v[2] = { NULL, NULL };
	char **keys[2] = { NULL, NULL };
	size_t nr[2] = { 0, 0 }, k, i, j;

	for (k = 0; k < 2; k++) {
		struct lpb_symbol *s;

		lpb_for_each_symbol(objs[k], s) {
			if (!cdo_pairable(s) || !Y(s)->numbered || !lpb_is_object(s) || !s->sec ||
			    !cdo_is_line_data(s->sec))
				continue;
			v[k] = realloc(v[k], (nr[k] + 1) * sizeof(*v[k]));
			keys[k] = realloc(keys[k], (nr[k] + 1) * sizeof(*keys[k]));
			if (!v[k] || !keys[k])
				abort();
			v[k][nr[k]] = s;
			keys[k][nr[k]++] = site_key(s);
		}
		sort_by_place(v[k], keys[k], nr[k]);
	}
	for (i = 0; i < nr[0]; i++) {
		size_t match = 0, twins = 0, m = 0;

		size_t rank = 0;

		for (j = 0; j < nr[0]; j++) {
			if (strcmp(keys[0][i], keys[0][j]))
				continue;
			twins++;
			rank += j < i;
		}
		/* sites that say the same (one pr_debug() twice in a function)
		 * differ at most by their line: as many on both sides pair in
		 * the order they have in their section */
		for (j = 0; j < nr[1]; j++)
			if (!strcmp(keys[0][i], keys[1][j]) && m++ == rank)
				match = j;
		if (m == twins && cdo_same_class(v[0][i], v[1][match]))
			cdo_pair(v[0][i], v[1][match]);
	}
	for (k = 0; k < 2; k++) {
		for (i = 0; i < nr[k]; i++)
			free(keys[k][i]);
		free(keys[k]);
		free(v[k]);
	}
}
