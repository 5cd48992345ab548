// SPDX-License-Identifier: GPL-2.0-only
/* Classifies a header patch line by line: a change inside a function
 * definition only changes code made from that function; anything else may
 * change any unit that includes the header. */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "header-changes.h"
#include "line-pin.h"
#include "util.h"

/* One line of a header, as a C lexer and a brace counter see it. */
struct hline {
	char *code; /* without comments, blanks collapsed: what the compiler reads */
	char *shape; /* code with literal contents removed: what braces mean */
	bool directive; /* part of a preprocessor directive */
	bool define; /* ...a #define or #undef */
	bool in_comment; /* the line ends inside a block comment */
	int item; /* the top-level construct it belongs to, or -1 (blank, comment) */
};

/* A top-level construct: a function definition, a directive, anything else
 * up to its ';' (declaration, type, macro call). */
struct hitem {
	int first, last; /* 0-based lines */
	bool func, directive;
	/* static or inline: a new one is compiled only where code calls it */
	bool is_inline;
};

struct htext {
	struct hline *l;
	size_t n;
	struct hitem *it;
	size_t ni;
	/* braces or parentheses left open at the end (alternatives under
	 * #ifdef each opening a body): the items cannot be trusted */
	bool unbalanced;
};

static void add_char(struct strbuf *sb, char c)
{
	if (isspace((unsigned char)c)) {
		if (sb->len && sb->buf[sb->len - 1] != ' ')
			sb_addn(sb, " ", 1);
		return;
	}
	sb_addn(sb, &c, 1);
}

static char *take(struct strbuf *sb)
{
	while (sb->len && sb->buf[sb->len - 1] == ' ')
		sb->buf[--sb->len] = 0;
	return sb_detach(sb);
}

static bool starts_directive(const char *code, const char *word)
{
	size_t n = strlen(word);

	if (*code != '#')
		return false;
	code++;
	while (*code == ' ')
		code++;
	return !strncmp(code, word, n) && !isalnum((unsigned char)code[n]) && code[n] != '_';
}

static void lex(const char *text, size_t len, struct htext *t)
{
	bool block = false, cont = false, define = false;
	size_t i = 0, cap = 0;

	while (i < len) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t n = nl ? (size_t)(nl - (text + i)) : len - i;
		const char *s = text + i;
		struct strbuf code = { 0 }, shape = { 0 };
		struct hline *l;
		bool str = false, chr = false;
		size_t k = 0;

		if (t->n == cap) {
			cap = cap ? 2 * cap : 256;
			t->l = xrealloc(t->l, cap * sizeof(*t->l));
		}
		l = &t->l[t->n++];
		*l = (struct hline){ .item = -1, .directive = cont, .define = cont && define };
		for (k = 0; k < n; k++) {
			char c = s[k];

			if (block) {
				if (c == '*' && k + 1 < n && s[k + 1] == '/') {
					block = false;
					k++;
					add_char(&code, ' ');
					add_char(&shape, ' ');
				}
				continue;
			}
			if (str || chr) {
				sb_addn(&code, &c, 1);
				if (c == '\\' && k + 1 < n) {
					sb_addn(&code, &s[++k], 1);
				} else if ((str && c == '"') || (chr && c == '\'')) {
					sb_addn(&shape, &c, 1);
					str = chr = false;
				}
				continue;
			}
			if (c == '/' && k + 1 < n && s[k + 1] == '*') {
				block = true;
				k++;
				add_char(&code, ' ');
				add_char(&shape, ' ');
				continue;
			}
			if (c == '/' && k + 1 < n && s[k + 1] == '/')
				break;
			if (c == '"' || c == '\'') {
				str = c == '"';
				chr = c == '\'';
			}
			add_char(&code, c);
			add_char(&shape, c);
		}
		l->code = take(&code);
		l->shape = take(&shape);
		l->in_comment = block;
		if (!l->directive && l->code[0] == '#') {
			l->directive = true;
			define = starts_directive(l->code, "define") ||
				 starts_directive(l->code, "undef");
			l->define = define;
		}
		cont = l->directive && n && s[n - 1] == '\\';
		i += n + 1;
	}
}

static int new_item(struct htext *t, int first)
{
	t->it = xrealloc(t->it, (t->ni + 1) * sizeof(*t->it));
	t->it[t->ni] = (struct hitem){ .first = first, .last = first };
	return (int)t->ni++;
}

static bool is_ident(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* Group lines into top-level items by brace and parenthesis depth. */
static void items(struct htext *t)
{
	int cur = -1, braces = 0, parens = 0, body_line = -1;
	bool saw_paren = false, saw_eq = false, func = false;
	char prev = 0;

	for (size_t i = 0; i < t->n; i++) {
		struct hline *l = &t->l[i];

		if (l->directive) {
			if (cur >= 0) {
				l->item = cur;
				t->it[cur].last = (int)i;
			} else {
				/* a directive of its own, continuation lines included */
				bool more = i && t->l[i - 1].directive && t->l[i - 1].item >= 0 &&
					    t->it[t->l[i - 1].item].directive && l->code[0] != '#';
				int d = more ? t->l[i - 1].item : new_item(t, (int)i);

				t->it[d].directive = true;
				t->it[d].last = (int)i;
				l->item = d;
			}
			continue;
		}
		for (const char *p = l->shape; *p; p++) {
			if (*p == ' ')
				continue;
			if (cur < 0) {
				cur = new_item(t, (int)i);
				saw_paren = saw_eq = func = false;
				body_line = -1;
				prev = 0;
			}
			l->item = cur;
			t->it[cur].last = (int)i;
			switch (*p) {
			case '(':
			case '[':
				if (!braces && !parens && *p == '(')
					saw_paren = true;
				parens++;
				break;
			case ')':
			case ']':
				parens--;
				break;
			case '{':
				if (!braces && !parens) {
					func = saw_paren && !saw_eq && (prev == ')' || is_ident(prev));
					body_line = (int)i;
				}
				braces++;
				break;
			case '}':
				braces--;
				if (!braces && !parens && func) {
					t->it[cur].func = true;
					for (int k = t->it[cur].first; k <= body_line; k++)
						if (strstr(t->l[k].code, "inline") ||
						    strstr(t->l[k].code, "static"))
							t->it[cur].is_inline = true;
					cur = -1;
				}
				break;
			case ';':
				if (!braces && !parens)
					cur = -1;
				break;
			case '=':
				if (!braces && !parens)
					saw_eq = true;
				break;
			}
			prev = *p;
		}
		if (l->item < 0 && cur >= 0 && l->shape[0]) {
			l->item = cur;
			t->it[cur].last = (int)i;
		}
	}
	t->unbalanced = braces || parens;
}

static void parse(const char *text, size_t len, struct htext *t)
{
	*t = (struct htext){ 0 };
	lex(text, len, t);
	items(t);
}

static void htext_free(struct htext *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->l[i].code);
		free(t->l[i].shape);
	}
	free(t->l);
	free(t->it);
}

/* The code of lines [a, b) as one string (comments and line breaks gone). */
static char *code_of(const struct htext *t, size_t a, size_t b)
{
	struct strbuf sb = { 0 };

	for (size_t i = a; i < b; i++) {
		if (t->l[i].code[0]) {
			if (sb.len)
				sb_adds(&sb, " ");
			sb_adds(&sb, t->l[i].code);
		}
	}
	return sb_detach(&sb);
}

struct classify {
	const struct htext *o, *p;
	const long *map; /* patched line -> orig line or -1 */
	bool *touched; /* per orig item */
	struct header_change *hc;
};

static void opaque(struct classify *c, const char *fmt, int line, const char *what)
{
	if (c->hc->kind == HC_OPAQUE)
		return;
	c->hc->kind = HC_OPAQUE;
	c->hc->reason = xasprintf(fmt, line, what);
}

/* The name a #define or #undef directive (ending at or after line @i)
 * names, or NULL. */
static char *macro_name(const struct htext *t, size_t i)
{
	const char *p;
	size_t n;

	/* continuation lines do not start with '#' */
	while (i > 0 && t->l[i].code[0] != '#')
		i--;
	p = t->l[i].code + 1;
	p += strspn(p, " ");
	p += strspn(p, "abcdefghijklmnopqrstuvwxyz");
	p += strspn(p, " ");
	n = 0;
	while (is_ident(p[n]))
		n++;
	return n ? strndup(p, n) : NULL;
}

/*
 * Item @item of the patched side, added whole (no line of it is an
 * original one), declares a function or an object and nothing else
 * ("int foo(int);", "extern int bar;", "struct baz;"): its name goes to
 * new_decls and true is returned. A type's body, an initializer, a pointer
 * to a function or a declaration of several names is not one.
 */
static bool new_declaration(struct classify *c, const struct htext *t, int item)
{
	/* a body declares more than one name; a pointer to a function is
	 * named inside parentheses */
	static const char *const not_plain[] = { "{", "(*", "#" };
	const struct hitem *it = &t->it[item];
	struct strbuf sb = { 0 };
	const char *p, *end, *paren = NULL;
	char *name = NULL;
	bool found = false;
	int depth = 0;

	for (int k = it->first; k <= it->last; k++) {
		if (c->map[k] >= 0)
			return false;
		sb_adds(&sb, t->l[k].shape);
		sb_adds(&sb, " ");
	}
	p = sb.buf ? sb.buf : "";
	end = strrchr(p, ';');
	for (size_t i = 0; end && i < sizeof(not_plain) / sizeof(*not_plain); i++)
		if (strstr(p, not_plain[i]))
			end = NULL;
	/* one name, no initializer, no array; the name is before the first
	 * '(' at depth 0, or the last word */
	for (const char *q = p; end && q < end; q++) {
		if (!depth && (*q == ',' || *q == '=' || *q == '['))
			end = NULL;
		if (*q == '(') {
			if (!depth && !paren)
				paren = q;
			depth++;
		} else if (*q == ')') {
			depth--;
		}
	}
	if (end) {
		const char *e = paren ? paren : end, *b;

		while (e > p && e[-1] == ' ')
			e--;
		for (b = e; b > p && is_ident(b[-1]); b--)
			;
		if (e > b && !isdigit((unsigned char)*b))
			name = strndup(b, (size_t)(e - b));
	}
	if (name) {
		found = true;
		if (!sv_contains(&c->hc->new_decls, name))
			sv_push(&c->hc->new_decls, name);
	}
	sb_free(&sb);
	free(name);
	return found;
}

/* A changed line of one side: inside a function definition, a macro
 * definition, or nothing that is code at all; anything else is opaque. */
static int changed_line(struct classify *c, const struct htext *t, size_t i, bool orig)
{
	const struct hline *l = &t->l[i];
	const struct hitem *it = l->item >= 0 ? &t->it[l->item] : NULL;

	if (l->define) {
		char *name = macro_name(t, i);

		if (!name) {
			opaque(c, "line %d changes %s", (int)i + 1, "a macro lp-build cannot name");
			return -1;
		}
		if (!sv_contains(&c->hc->macros, name))
			sv_push(&c->hc->macros, name);
		free(name);
		return 0;
	}
	if (!it || (!l->code[0] && !l->directive))
		return 0; /* blank or comment */
	if (!it->func) {
		if (!orig && !it->directive && new_declaration(c, t, l->item))
			return 0;
		opaque(c, "line %d changes %s", (int)i + 1,
		       it->directive ? "a preprocessor directive" : "a declaration or a type");
		return -1;
	}
	if (orig) {
		c->touched[l->item] = true;
		return 0;
	}
	/* a definition of the patched side: an existing one if any of its
	 * lines is an original line inside an original definition */
	for (int k = it->first; k <= it->last; k++) {
		long m = c->map[k];

		if (m >= 0 && c->o->l[m].item >= 0 && c->o->it[c->o->l[m].item].func) {
			c->touched[c->o->l[m].item] = true;
			return 0;
		}
	}
	if (!it->is_inline) {
		opaque(c, "line %d adds %s", (int)i + 1, "a function that is neither static nor inline");
		return -1;
	}
	return 1; /* a new inline function */
}

/* Whether lines [a, b) end inside a block comment (or the line before). */
static bool in_comment_after(const struct htext *t, size_t a, size_t b)
{
	if (b > a)
		return t->l[b - 1].in_comment;
	return a ? t->l[a - 1].in_comment : false;
}

static void hunk(struct classify *c, size_t oa, size_t ob, size_t pa, size_t pb,
		 struct strvec *new_inline_items)
{
	char *a = code_of(c->o, oa, ob), *b = code_of(c->p, pa, pb);
	bool same = !strcmp(a, b);
	bool ends_same = in_comment_after(c->o, oa, ob) == in_comment_after(c->p, pa, pb);

	free(a);
	free(b);
	if (!ends_same) {
		opaque(c, "line %d %s", (int)pa + 1, "opens or closes a comment");
		return;
	}
	if (same)
		return; /* comments and blanks */
	for (size_t i = oa; i < ob; i++)
		if (changed_line(c, c->o, i, true) < 0)
			return;
	for (size_t i = pa; i < pb; i++) {
		int rc = changed_line(c, c->p, i, false);

		if (rc < 0)
			return;
		if (rc > 0) {
			char *key = xasprintf("%d", c->p->l[i].item);

			if (!sv_contains(new_inline_items, key))
				sv_push(new_inline_items, key);
			free(key);
		}
	}
}

int header_changes(const char *orig, size_t orig_len, const char *patched, size_t patched_len,
		   struct header_change *hc)
{
	struct htext o, p;
	struct strvec new_inline = { 0 };
	struct classify c = { .o = &o, .p = &p, .hc = hc };
	size_t no, np, i = 0, j = 0;
	long *map = NULL;
	int rc;

	*hc = (struct header_change){ 0 };
	if (!patched) {
		hc->kind = HC_OPAQUE;
		hc->reason = xstrdup("the patches delete it");
		return 0;
	}
	rc = lpb_line_map(orig, orig_len, patched, patched_len, &map, &no, &np);
	if (rc) {
		hc->kind = HC_OPAQUE;
		hc->reason = xstrdup("it changes too much to compare line by line");
		free(map);
		return 0;
	}
	parse(orig, orig_len, &o);
	parse(patched, patched_len, &p);
	if (o.unbalanced || p.unbalanced) {
		hc->kind = HC_OPAQUE;
		hc->reason = xstrdup("its braces do not balance outside the preprocessor's "
				     "alternatives: lp-build cannot tell its functions apart");
		goto out;
	}
	c.map = map;
	c.touched = xcalloc(o.ni + 1, sizeof(*c.touched));
	/* hunks: runs of removed original lines and added patched lines
	 * between lines both sides share */
	while (i < no || j < np) {
		size_t oa = i, pa = j;

		if (j < np && map[j] == (long)i) {
			i++;
			j++;
			continue;
		}
		while (j < np && map[j] < 0)
			j++;
		while (i < no && (j >= np || (long)i < map[j]))
			i++;
		hunk(&c, oa, i, pa, j, &new_inline);
		if (hc->kind == HC_OPAQUE)
			break;
	}
	if (hc->kind != HC_OPAQUE) {
		for (size_t k = 0; k < o.ni; k++) {
			if (!c.touched[k])
				continue;
			hc->funcs = xrealloc(hc->funcs, (hc->nr_funcs + 1) * sizeof(*hc->funcs));
			hc->funcs[hc->nr_funcs++] = (struct hc_span){ o.it[k].first + 1,
								      o.it[k].last + 1 };
		}
		hc->kind = hc->macros.n ? HC_MACROS : hc->nr_funcs ? HC_FUNCS : HC_NONE;
		hc->new_inlines = new_inline.n;
	}
out:
	sv_free(&new_inline);
	free(c.touched);
	free(map);
	htext_free(&o);
	htext_free(&p);
	return 0;
}

void header_change_free(struct header_change *hc)
{
	sv_free(&hc->macros);
	sv_free(&hc->new_decls);
	free(hc->funcs);
	free(hc->reason);
	*hc = (struct header_change){ 0 };
}

/* ---- the parse, for others ---- */

struct hc_text {
	struct htext t;
};

struct hc_text *hc_text_parse(const char *text, size_t len)
{
	struct hc_text *x = xcalloc(1, sizeof(*x));

	parse(text, len, &x->t);
	return x;
}

void hc_text_free(struct hc_text *t)
{
	if (!t)
		return;
	htext_free(&t->t);
	free(t);
}

size_t hc_text_lines(const struct hc_text *t)
{
	return t->t.n;
}

const char *hc_text_shape(const struct hc_text *t, size_t i)
{
	return t->t.l[i].shape;
}

enum hc_where hc_text_where(const struct hc_text *x, size_t i, int *first, int *last,
			    char **name)
{
	const struct htext *t = &x->t;
	const struct hline *l = &t->l[i];
	const struct hitem *it = l->item >= 0 ? &t->it[l->item] : NULL;

	*name = NULL;
	if (l->define) {
		*name = macro_name(t, i);
		return *name ? HW_DEFINE : HW_DIRECTIVE;
	}
	if (!it)
		return l->directive ? HW_DIRECTIVE : HW_NOTHING;
	if (it->func && !t->unbalanced) {
		*first = it->first + 1;
		*last = it->last + 1;
		return HW_FUNCTION;
	}
	return it->directive || l->directive ? HW_DIRECTIVE : HW_OTHER;
}

char *hc_text_macro_params(const struct hc_text *x, size_t i)
{
	const struct htext *t = &x->t;
	const char *p, *close;

	while (i > 0 && t->l[i].code[0] != '#')
		i--;
	p = t->l[i].shape + 1;
	p += strspn(p, " ");
	p += strspn(p, "abcdefghijklmnopqrstuvwxyz");
	p += strspn(p, " ");
	while (is_ident(*p))
		p++;
	/* function-like: the parenthesis right after the name */
	if (*p != '(' || !(close = strchr(p, ')')))
		return NULL;
	return strndup(p + 1, (size_t)(close - p - 1));
}
