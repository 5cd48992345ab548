// SPDX-License-Identifier: GPL-2.0-only
/* In-process tests of macro_uses_find(): where a changed macro is used, in a
 * small tree of headers and units written to a temporary directory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "macro-uses.h"

/* The tree: path, then its text. */
static const char *const files[][2] = {
	{ "include/net/buf.h",
	  "#define MIN_RCVBUF 256\n"
	  "#define MIN_SNDBUF (MIN_RCVBUF * 2)\n"
	  "/* MIN_RCVBUF in a comment is no use */\n"
	  "static inline int buf_floor(int v)\n"
	  "{\n"
	  "\treturn v < MIN_SNDBUF ? MIN_SNDBUF : v;\n"
	  "}\n"
	  "static inline int buf_other(void) { return 1; }\n" },
	{ "include/net/table.h",
	  "struct buf_table {\n"
	  "\tint slots[MIN_RCVBUF / 64];\n"
	  "};\n" },
	{ "include/net/paste.h",
	  "#define BUF_LIMIT(kind) MIN_##kind\n"
	  "static inline int paste_user(void) { return BUF_LIMIT(RCVBUF); }\n" },
	{ "include/net/glue.h",
	  "#define GLUE(a, b) a##b\n"
	  "#define SIZED(inst, ...) inst##l##__VA_ARGS__\n"
	  "#define WHOLE MIN_##RCVBUF\n"
	  "#define OTHER(x) MAX_##x\n" },
	{ "include/net/cond.h",
	  "#if MIN_RCVBUF > 128\n"
	  "#define BIG 1\n"
	  "#endif\n" },
	{ "include/net/unbalanced.h",
	  "#ifdef A\n"
	  "static inline int ub(int a) {\n"
	  "#else\n"
	  "static inline int ub(void) {\n"
	  "#endif\n"
	  "\treturn MIN_SNDBUF;\n"
	  "}\n" },
	{ "net/user.c",
	  "#include <net/buf.h>\n"
	  "int f(void) { return MIN_RCVBUF; }\n" },
	{ "net/string.c",
	  "#include <net/buf.h>\n"
	  "const char *s = \"MIN_RCVBUF\"; /* MIN_SNDBUF */\n" },
	{ "net/unrelated.c",
	  "#include <net/buf.h>\n"
	  "int g(void) { return buf_other(); }\n" },
};

#define NR_FILES (sizeof(files) / sizeof(files[0]))

static bool has_func(const struct macro_uses *mu, const char *file, int first)
{
	for (size_t i = 0; i < mu->nr_funcs; i++)
		if (!strcmp(mu->funcs[i].file, file) && mu->funcs[i].first == first)
			return true;
	return false;
}

int main(void)
{
	char dir[] = "/tmp/lpb-macro-uses.XXXXXX";
	struct strvec paths = { 0 }, changed = { 0 };
	struct macro_uses mu;
	int rc;

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	for (size_t i = 0; i < NR_FILES; i++) {
		char *p = xasprintf("%s/%s", dir, files[i][0]), *slash = strrchr(p, '/');

		*slash = 0;
		mkdir_p(p);
		*slash = '/';
		write_file_atomic(p, files[i][1], strlen(files[i][1]), 0644);
		sv_push(&paths, files[i][0]);
		free(p);
	}
	sv_push(&changed, "MIN_RCVBUF");
	rc = macro_uses_find(&mu, dir, &paths, &changed);
	CHECK(rc == 0, "macro_uses_find failed");
	CHECK(sv_contains(&mu.names, "MIN_SNDBUF"), "a macro defined through it is followed");
	CHECK(sv_contains(&mu.names, "BUF_LIMIT"), "a macro that may paste its name is followed");
	CHECK(!sv_contains(&mu.names, "BIG"), "a macro under a condition on it is not a use");
	CHECK(sv_contains(&mu.names, "WHOLE"), "a paste of literal fragments making the name");
	CHECK(!sv_contains(&mu.names, "GLUE") && !sv_contains(&mu.names, "SIZED"),
	      "pastes of parameters (with literals inside) are not taken for it");
	CHECK(!sv_contains(&mu.names, "OTHER"), "a paste whose literal part begins no name");
	CHECK(has_func(&mu, "include/net/buf.h", 4), "an inline using a macro built on it");
	CHECK(!has_func(&mu, "include/net/buf.h", 8), "an inline using none of them");
	CHECK(has_func(&mu, "include/net/paste.h", 2), "an inline using the pasting macro");
	CHECK(sv_contains(&mu.opaque, "include/net/table.h"), "a type sized by it");
	CHECK(sv_contains(&mu.opaque, "include/net/cond.h"), "a condition on it");
	CHECK(sv_contains(&mu.opaque, "include/net/unbalanced.h") &&
		      !has_func(&mu, "include/net/unbalanced.h", 2),
	      "a function whose braces do not balance is not trusted");
	CHECK(sv_contains(&mu.files, "net/user.c"), "a unit using it");
	CHECK(!sv_contains(&mu.files, "net/string.c"), "a string or a comment is no use");
	CHECK(!sv_contains(&mu.files, "net/unrelated.c"), "a unit not using it");
	CHECK(mu.definitions == 4, "%zu definition(s) of the names themselves, want 4",
	      mu.definitions);
	CHECK(mu.passes == 2, "%zu passes (one finding the macros, one more finding none)",
	      mu.passes);
	macro_uses_free(&mu);
	sv_free(&paths);
	sv_free(&changed);
	remove_tree(dir);
	return check_end("macro use");
}
