// SPDX-License-Identifier: GPL-2.0-only
/* Finds where changed macros are used, by reading the files the units may
 * include: a macro reaches code only where its name is written (or pasted). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "header-changes.h"
#include "macro-uses.h"

/* Past this many names, one hash lookup per identifier beats one memmem
 * per name to decide whether a file needs parsing. */
#define MEMMEM_NAMES 16
/* A chain of macros defined through one another is never this long. */
#define MAX_PASSES 64

static bool ident_start(char c)
{
	return isalpha((unsigned char)c) || c == '_';
}

static bool ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

static bool is_unit(const char *path)
{
	return has_suffix(path, ".c") || has_suffix(path, ".S");
}

struct pass {
	const char *tree;
	struct macro_uses *mu;
	struct strset names; /* mu->names, hashed */
	struct strset funcs_seen, files_seen, opaque_seen;
	bool grew; /* a macro joined the names in this pass */
};

/* The identifiers of @text, each looked up in @names. */
static bool names_any(const struct strset *names, const char *text, size_t len)
{
	char buf[256];

	for (size_t i = 0; i < len;) {
		size_t j = i;

		if (!ident_start(text[i]) || (i && ident_char(text[i - 1]))) {
			i++;
			continue;
		}
		while (j < len && ident_char(text[j]))
			j++;
		if (j - i < sizeof(buf)) {
			memcpy(buf, text + i, j - i);
			buf[j - i] = 0;
			if (ss_has(names, buf))
				return true;
		}
		i = j;
	}
	return false;
}

static const char *paste_may_make(const struct pass *p, const char *a, size_t al, const char *b,
				  size_t bl);

/* Whether a "##" of @text may paste one of the names together. */
static bool may_paste(const struct pass *p, const char *text, size_t len)
{
	for (const char *h = memmem(text, len, "##", 2); h;
	     h = memmem(h + 2, len - (size_t)(h + 2 - text), "##", 2)) {
		const char *ae = h, *as, *bs = h + 2, *be;

		while (ae > text && (ae[-1] == ' ' || ae[-1] == '\t'))
			ae--;
		for (as = ae; as > text && ident_char(as[-1]); as--)
			;
		while (bs < text + len && (*bs == ' ' || *bs == '\t'))
			bs++;
		for (be = bs; be < text + len && ident_char(*be); be++)
			;
		if (paste_may_make(p, as, (size_t)(ae - as), bs, (size_t)(be - bs)))
			return true;
	}
	return false;
}

/* Whether @text may use a name: worth parsing. */
static bool may_use(const struct pass *p, const char *text, size_t len)
{
	if (may_paste(p, text, len))
		return true;
	if (p->mu->names.n > MEMMEM_NAMES)
		return names_any(&p->names, text, len);
	for (size_t i = 0; i < p->mu->names.n; i++)
		if (memmem(text, len, p->mu->names.v[i], strlen(p->mu->names.v[i])))
			return true;
	return false;
}

/* A name pasted from @a ## @b (either may be empty) that could be one of
 * ours: a part that begins or ends a name. */
static const char *paste_may_make(const struct pass *p, const char *a, size_t al, const char *b,
				  size_t bl)
{
	for (size_t i = 0; i < p->mu->names.n; i++) {
		const char *n = p->mu->names.v[i];
		size_t nl = strlen(n);

		if ((al && al < nl && !strncmp(n, a, al)) ||
		    (bl && bl < nl && !strncmp(n + nl - bl, b, bl)))
			return n;
	}
	return NULL;
}

/* Is @w (@n bytes) one of the comma-separated @params ("..." is
 * __VA_ARGS__)? */
static bool is_param(const char *params, const char *w, size_t n)
{
	for (const char *p = params; p && *p;) {
		size_t len;

		p += strspn(p, " ,");
		len = strcspn(p, " ,");
		if (len == 3 && !strncmp(p, "...", 3)) {
			if (n == 11 && !strncmp(w, "__VA_ARGS__", 11))
				return true;
		} else if (len == n && !strncmp(p, w, n)) {
			return true;
		}
		if (len >= 3 && !strncmp(p + len - 3, "...", 3) && len - 3 == n &&
		    !strncmp(p, w, n))
			return true; /* "args..." */
		p += len;
	}
	return false;
}

/*
 * The name a chain of pastes around the "##" at @at of @shape may make, if
 * it is one of ours: its literal fragments before the first parameter
 * begin the name, those after the last parameter end it (all literal: they
 * are the name). A chain of parameters only is not followed (macro-uses.h).
 */
static const char *paste_makes(const struct pass *p, const char *shape, size_t at,
			       const char *params)
{
	const char *frag[16];
	size_t flen[16], nf = 0, first = 0, last = 0, pre = 0, suf = 0;
	size_t a = at, b = at + 2, len = strlen(shape);
	char prefix[256], suffix[256];

	/* leftwards: ident ## ident ## ... ## (at) */
	for (;;) {
		size_t e = a, s;

		while (e > 0 && shape[e - 1] == ' ')
			e--;
		for (s = e; s > 0 && ident_char(shape[s - 1]); s--)
			;
		if (s == e || nf == 8)
			break;
		memmove(frag + 1, frag, nf * sizeof(*frag));
		memmove(flen + 1, flen, nf * sizeof(*flen));
		frag[0] = shape + s;
		flen[0] = e - s;
		nf++;
		while (s > 0 && shape[s - 1] == ' ')
			s--;
		if (s < 2 || shape[s - 1] != '#' || shape[s - 2] != '#')
			break;
		a = s - 2;
	}
	/* rightwards: (at) ## ident ## ident ... */
	for (;;) {
		size_t s = b, e;

		while (s < len && shape[s] == ' ')
			s++;
		for (e = s; e < len && ident_char(shape[e]); e++)
			;
		if (s == e || nf == 16)
			break;
		frag[nf] = shape + s;
		flen[nf++] = e - s;
		while (e < len && shape[e] == ' ')
			e++;
		if (e + 1 >= len || shape[e] != '#' || shape[e + 1] != '#')
			break;
		b = e + 2;
	}
	if (!nf)
		return NULL;
	for (first = 0; first < nf && !is_param(params, frag[first], flen[first]); first++)
		if (pre + flen[first] < sizeof(prefix)) {
			memcpy(prefix + pre, frag[first], flen[first]);
			pre += flen[first];
		}
	if (first == nf) {
		/* no parameter: the name is the fragments together */
		prefix[pre] = 0;
		for (size_t i = 0; i < p->mu->names.n; i++)
			if (!strcmp(p->mu->names.v[i], prefix))
				return p->mu->names.v[i];
		return NULL;
	}
	for (last = nf; last > first && !is_param(params, frag[last - 1], flen[last - 1]); last--)
		;
	for (size_t k = last; k < nf; k++)
		if (suf + flen[k] < sizeof(suffix)) {
			memcpy(suffix + suf, frag[k], flen[k]);
			suf += flen[k];
		}
	if (!pre && !suf)
		return NULL;
	for (size_t i = 0; i < p->mu->names.n; i++) {
		const char *n = p->mu->names.v[i];
		size_t nl = strlen(n);

		if (nl > pre + suf && !strncmp(n, prefix, pre) &&
		    !strncmp(n + nl - suf, suffix, suf))
			return n;
	}
	return NULL;
}

/* The name line @shape uses, or NULL: a name of ours, or one a paste in a
 * macro with parameters @params may make. */
static const char *used_name(const struct pass *p, const char *shape, bool in_define,
			     const char *params)
{
	size_t len = strlen(shape);
	char buf[256];

	for (size_t i = 0; i < len;) {
		size_t j = i;

		if (in_define && shape[i] == '#' && i + 1 < len && shape[i + 1] == '#') {
			const char *n = paste_makes(p, shape, i, params);

			if (n)
				return n;
			i += 2;
			continue;
		}
		if (!ident_start(shape[i]) || (i && ident_char(shape[i - 1]))) {
			i++;
			continue;
		}
		while (j < len && ident_char(shape[j]))
			j++;
		if (j - i < sizeof(buf)) {
			memcpy(buf, shape + i, j - i);
			buf[j - i] = 0;
			if (ss_has(&p->names, buf)) {
				/* the set's own copy outlives the line */
				for (size_t k = 0; k < p->mu->names.n; k++)
					if (!strcmp(p->mu->names.v[k], buf))
						return p->mu->names.v[k];
			}
		}
		i = j;
	}
	return NULL;
}

static void add_name(struct pass *p, const char *name)
{
	if (ss_add(&p->names, name)) {
		sv_push(&p->mu->names, name);
		p->grew = true;
	}
}

/* One use of @name at line @i of @path. */
static void note_use(struct pass *p, const char *path, const struct hc_text *t, size_t i,
		     const char *name)
{
	struct macro_uses *mu = p->mu;
	enum hc_where w;
	int first = 0, last = 0;
	char *defined = NULL, *key;

	w = hc_text_where(t, i, &first, &last, &defined);
	if (w == HW_NOTHING)
		return;
	if (w == HW_DEFINE) {
		/* a macro using ours is ours too (not its own definition) */
		if (strcmp(defined, name))
			add_name(p, defined);
		else
			mu->definitions++;
		free(defined);
		return;
	}
	if (is_unit(path)) {
		if (ss_add(&p->files_seen, path)) {
			sv_push(&mu->files, path);
			sv_push(&mu->file_macro, name);
		}
		return;
	}
	if (w == HW_FUNCTION) {
		key = xasprintf("%s:%d", path, first);
		if (ss_add(&p->funcs_seen, key)) {
			mu->funcs = xrealloc(mu->funcs, (mu->nr_funcs + 1) * sizeof(*mu->funcs));
			mu->funcs[mu->nr_funcs++] = (struct mu_func){
				.file = xstrdup(path), .first = first, .last = last,
				.macro = xstrdup(name),
			};
		}
		free(key);
		return;
	}
	if (ss_add(&p->opaque_seen, path)) {
		sv_push(&mu->opaque, path);
		sv_pushf(&mu->opaque_why, "line %zu uses %s in %s", i + 1, name,
			 w == HW_DIRECTIVE ? "a preprocessor directive" :
					     "a declaration, a type or an initializer");
	}
}

static void scan_file(struct pass *p, const char *path)
{
	char *abs = xasprintf("%s/%s", p->tree, path), *text;
	struct hc_text *t;
	size_t len = 0;

	text = path_exists(abs) ? read_file(abs, &len) : NULL;
	free(abs);
	if (!text)
		return;
	p->mu->scanned++;
	if (!may_use(p, text, len)) {
		free(text);
		return;
	}
	t = hc_text_parse(text, len);
	for (size_t i = 0; i < hc_text_lines(t); i++) {
		const char *shape = hc_text_shape(t, i);
		int first, last;
		char *defined = NULL, *params;
		bool in_define;
		const char *name;

		if (!shape[0])
			continue;
		in_define = hc_text_where(t, i, &first, &last, &defined) == HW_DEFINE;
		free(defined);
		params = in_define && strstr(shape, "##") ? hc_text_macro_params(t, i) : NULL;
		name = used_name(p, shape, in_define, params);
		free(params);
		if (name)
			note_use(p, path, t, i, name);
	}
	hc_text_free(t);
	free(text);
}

/* Results of an earlier pass: a pass with more names finds them all again. */
static void clear_results(struct macro_uses *mu, struct pass *p)
{
	for (size_t i = 0; i < mu->nr_funcs; i++) {
		free(mu->funcs[i].file);
		free(mu->funcs[i].macro);
	}
	free(mu->funcs);
	mu->funcs = NULL;
	mu->nr_funcs = 0;
	sv_free(&mu->files);
	sv_free(&mu->file_macro);
	sv_free(&mu->opaque);
	sv_free(&mu->opaque_why);
	ss_free(&p->funcs_seen);
	ss_free(&p->files_seen);
	ss_free(&p->opaque_seen);
}

int macro_uses_find(struct macro_uses *mu, const char *tree, const struct strvec *files,
		    const struct strvec *changed)
{
	struct pass p = { .tree = tree, .mu = mu };

	*mu = (struct macro_uses){ 0 };
	for (size_t i = 0; i < changed->n; i++)
		add_name(&p, changed->v[i]);
	do {
		p.grew = false;
		clear_results(mu, &p);
		mu->scanned = 0;
		mu->definitions = 0;
		for (size_t i = 0; i < files->n; i++)
			scan_file(&p, files->v[i]);
		mu->passes++;
	} while (p.grew && mu->passes < MAX_PASSES);
	ss_free(&p.names);
	ss_free(&p.funcs_seen);
	ss_free(&p.files_seen);
	ss_free(&p.opaque_seen);
	if (p.grew) {
		fprintf(stderr, "lp-build: the changed macros are used by macros defined through "
			"one another more than %d levels deep: lp-build cannot follow them\n",
			MAX_PASSES);
		return -1;
	}
	return 0;
}

void macro_uses_free(struct macro_uses *mu)
{
	struct pass p = { 0 };

	clear_results(mu, &p);
	sv_free(&mu->names);
	*mu = (struct macro_uses){ 0 };
}
