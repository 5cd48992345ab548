// SPDX-License-Identifier: GPL-2.0-only
/* In-process tests of the header patch classifier (header_changes): which
 * changes DWARF can attribute to functions and which need the preprocessor. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "header-changes.h"

/* A header in the shape of the kernel's: a kernel-doc comment, a macro
 * using the function, a type, a prototype. */
static const char base[] =
	"/* SPDX */\n"						/* 1 */
	"#ifndef _X_H\n"					/* 2 */
	"#define _X_H\n"					/* 3 */
	"#include <linux/types.h>\n"				/* 4 */
	"struct seq { int n; char buf[8]; };\n"			/* 5 */
	"\n"							/* 6 */
	"/**\n"							/* 7 */
	" * seq_show_option - display a mount option {\n"	/* 8 */
	" */\n"							/* 9 */
	"static inline void seq_show_option(struct seq *m, const char *name,\n" /* 10 */
	"				   const char *value)\n"	/* 11 */
	"{\n"							/* 12 */
	"	seq_putc(m, ',');\n"				/* 13 */
	"#ifdef CONFIG_X\n"					/* 14 */
	"	seq_escape(m, name, \",= }\");\n"		/* 15 */
	"#endif\n"						/* 16 */
	"}\n"							/* 17 */
	"\n"							/* 18 */
	"#define seq_show_option_n(m, name, value, length) {	\\\n" /* 19 */
	"	char val_buf[length + 1];			\\\n"	/* 20 */
	"	seq_show_option(m, name, val_buf);		\\\n"	/* 21 */
	"}\n"							/* 22 */
	"extern int seq_open(struct seq *s);\n"			/* 23 */
	"static __always_inline int seq_len(const struct seq *s) { return s->n; }\n" /* 24 */
	"#endif\n";						/* 25 */

/* @base with line @line (1-based) replaced by @with ("" deletes it; a
 * text ending in "\n" followed by the old line inserts). */
static void edit(char *out, size_t len, int line, const char *with)
{
	const char *p = base;
	size_t o = 0;

	for (int n = 1; *p; n++) {
		const char *e = strchr(p, '\n') + 1;

		if (n == line)
			o += snprintf(out + o, len - o, "%s", with);
		else
			o += snprintf(out + o, len - o, "%.*s", (int)(e - p), p);
		p = e;
	}
}

static void expect(const char *what, int line, const char *with, enum hc_kind kind, int first,
		   size_t nr)
{
	char patched[4096];
	struct header_change hc;

	edit(patched, sizeof(patched), line, with);
	header_changes(base, strlen(base), patched, strlen(patched), &hc);
	CHECK(hc.kind == kind, "%s: kind %d, want %d (%s)", what, hc.kind, kind,
	      hc.reason ? hc.reason : "");
	if (kind == HC_FUNCS) {
		CHECK(hc.nr_funcs == nr, "%s: %zu functions, want %zu", what, hc.nr_funcs, nr);
		CHECK(hc.nr_funcs && hc.funcs[0].first == first, "%s: span from %d, want %d", what,
		      hc.nr_funcs ? hc.funcs[0].first : 0, first);
	}
	header_change_free(&hc);
}

/* The change only declares @name, a new function or object. */
static void expect_decl(const char *what, int line, const char *with, const char *name)
{
	char patched[4096];
	struct header_change hc;

	edit(patched, sizeof(patched), line, with);
	header_changes(base, strlen(base), patched, strlen(patched), &hc);
	CHECK(hc.kind == HC_NONE && hc.new_decls.n == 1 && !strcmp(hc.new_decls.v[0], name),
	      "%s: kind %d (%s), %zu new declaration(s) (%s), want %s", what, hc.kind,
	      hc.reason ? hc.reason : "", hc.new_decls.n, hc.new_decls.n ? hc.new_decls.v[0] : "",
	      name);
	header_change_free(&hc);
}

/* The change names @macro as a changed macro. */
static void expect_macro(const char *what, int line, const char *with, const char *macro)
{
	char patched[4096];
	struct header_change hc;

	edit(patched, sizeof(patched), line, with);
	header_changes(base, strlen(base), patched, strlen(patched), &hc);
	CHECK(hc.kind == HC_MACROS && sv_contains(&hc.macros, macro),
	      "%s: kind %d, %zu macro(s) (%s), want %s", what, hc.kind, hc.macros.n,
	      hc.macros.n ? hc.macros.v[0] : "", macro);
	header_change_free(&hc);
}

int main(void)
{
	struct header_change hc;

	expect("a statement in an inline", 13, "\tseq_putc(m, ';');\n", HC_FUNCS, 10, 1);
	expect("a line added to an inline", 13, "\tseq_putc(m, ',');\n\tseq_putc(m, 0);\n",
	       HC_FUNCS, 10, 1);
	expect("a conditional inside an inline", 14, "#ifdef CONFIG_Y\n", HC_FUNCS, 10, 1);
	expect("a parameter's line", 11, "				   const char *v)\n", HC_FUNCS, 10, 1);
	expect("a one-line inline", 24,
	       "static __always_inline int seq_len(const struct seq *s) { return s->n + 1; }\n",
	       HC_FUNCS, 24, 1);
	expect("a brace in a comment", 8, " * seq_show_option - display } an option\n", HC_NONE, 0,
	       0);
	expect("a comment", 9, " * more\n */\n", HC_NONE, 0, 0);
	expect("a blank line", 6, "\n\n", HC_NONE, 0, 0);
	expect("a new inline function", 18,
	       "\nstatic inline int seq_new(void)\n{\n\treturn 1;\n}\n", HC_NONE, 0, 0);
	expect("a macro's body", 20, "	char val_buf[length + 2];			\\\n",
	       HC_MACROS, 0, 0);
	expect_macro("a macro's body names it", 20, "	char val_buf[length + 2];			\\\n",
		     "seq_show_option_n");
	expect("a new macro", 18, "#define SEQ_X 1\n\n", HC_MACROS, 0, 0);
	expect_macro("a new macro names it", 18, "#define SEQ_X 1\n\n", "SEQ_X");
	expect_macro("a macro removed", 3, "\n", "_X_H");
	expect_macro("an undef", 18, "#undef seq_len\n\n", "seq_len");
	expect("a macro and an inline", 13, "#define SEQ_Y 2\n\tseq_putc(m, ';');\n",
	       HC_MACROS, 0, 0);
	expect("a type", 5, "struct seq { long n; char buf[8]; };\n", HC_OPAQUE, 0, 0);
	expect("a prototype", 23, "extern int seq_open(struct seq *s, int flags);\n", HC_OPAQUE, 0,
	       0);
	expect_decl("a new prototype", 23,
		    "extern int seq_open(struct seq *s);\nint seq_new(struct seq *s, int flags);\n",
		    "seq_new");
	expect_decl("a new object", 23,
		    "extern int seq_open(struct seq *s);\nextern unsigned long seq_count;\n",
		    "seq_count");
	expect_decl("a new prototype with an attribute", 23,
		    "extern int seq_open(struct seq *s);\nint seq_chk(void) __must_check;\n",
		    "seq_chk");
	expect("a new object with an initializer", 23,
	       "extern int seq_open(struct seq *s);\nstatic int seq_x = 1;\n", HC_OPAQUE, 0, 0);
	expect("a new type", 23, "extern int seq_open(struct seq *s);\nstruct seq_y { int a; };\n",
	       HC_OPAQUE, 0, 0);
	expect_decl("a new forward declaration", 23,
		    "extern int seq_open(struct seq *s);\nstruct seq_y;\n", "seq_y");
	expect("a new pointer to a function", 23,
	       "extern int seq_open(struct seq *s);\nextern int (*seq_hook)(void);\n", HC_OPAQUE, 0,
	       0);
	expect("two new objects", 23, "extern int seq_open(struct seq *s);\nextern int a, b;\n",
	       HC_OPAQUE, 0, 0);
	expect("an include", 4, "#include <linux/kernel.h>\n", HC_OPAQUE, 0, 0);
	expect("a function that is not static", 18, "\nint seq_x(void)\n{\n\treturn 1;\n}\n",
	       HC_OPAQUE, 0, 0);
	expect("a comment opened", 18, "/*\n", HC_OPAQUE, 0, 0);
	header_changes(base, strlen(base), NULL, 0, &hc);
	CHECK(hc.kind == HC_OPAQUE, "a deleted header is not opaque");
	header_change_free(&hc);
	return check_end("header change");
}
