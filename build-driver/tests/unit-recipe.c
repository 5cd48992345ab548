// SPDX-License-Identifier: GPL-2.0-only
/* In-process tests of reading kbuild's commands for one unit: the recorded
 * command of a .cmd file (recipe_parse) and the whole rule as make printed
 * it with V=1 (recipe_from_output). */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "recipe.h"

#define CC_LINE                                                                                    \
	"gcc-10 -Wp,-MMD,fs/proc/.cmdline.o.d -nostdinc  -DKBUILD_MODNAME='\"proc\"' "             \
	"-c -o fs/proc/cmdline.o fs/proc/cmdline.c"
#define OBJTOOL "./tools/objtool/objtool orc generate  --no-fp --retpoline fs/proc/cmdline.o"

static const char *str(const char *s)
{
	return s ? s : "(null)";
}

static void test_parse(void)
{
	char *r;

	r = recipe_parse("cmd_fs/proc/cmdline.o := " CC_LINE "\n\nsource_fs/proc/cmdline.o := x\n",
			 "fs/proc/cmdline.o");
	CHECK(r && !strcmp(r, CC_LINE), "the cmd_ line: %s", str(r));
	free(r);
	r = recipe_parse("savedcmd_a.o := gcc -c -o a.o a.c; echo $$x $(pound)\n", "a.o");
	CHECK(r && !strcmp(r, "gcc -c -o a.o a.c; echo $x #"), "escapes undone: %s", str(r));
	free(r);
	r = recipe_parse("cmd_a.o := gcc $(CC_FLAGS) -c a.c\n", "a.o");
	CHECK(!r, "a make expansion left in is refused: %s", str(r));
	free(r);
	r = recipe_parse("cmd_b.o := gcc -c b.c\n", "a.o");
	CHECK(!r, "another object's record is refused: %s", str(r));
	free(r);
}

static void test_output(void)
{
	const char *obj = "fs/proc/cmdline.o";
	char *r;

	/* 5.10: the rule's other commands follow the compiler's line; make's
	 * walk prints other lines before it, and a line naming another object
	 * (or this one inside a longer name) is not the rule's */
	r = recipe_from_output("  sh ./scripts/checksyscalls.sh gcc-10 -Wp,-MD,x\n"
			       "  " CC_LINE "\n"
			       "  " OBJTOOL "\n"
			       "  echo fs/proc/cmdline.o.tmp\n"
			       "  ld -r -o fs/proc/other.o\n",
			       "gcc-10  -Wp,-MMD,fs/proc/.cmdline.o.d -nostdinc -DKBUILD_MODNAME='\"proc\"' "
			       "-c -o fs/proc/cmdline.o fs/proc/cmdline.c",
			       obj);
	CHECK(r && !strncmp(r, "gcc-10  -Wp", 11) && strstr(r, "\n" OBJTOOL) &&
		      !strstr(r, "checksyscalls") && !strstr(r, "other.o") && !strstr(r, ".o.tmp"),
	      "the recorded command (spaces compared loosely), then objtool: %s", str(r));
	CHECK(r && strchr(r, '\n') && !strchr(strchr(r, '\n') + 1, '\n'),
	      "two commands, one a line: %s", str(r));
	free(r);
	/* a shell statement naming the object before a ';' */
	r = recipe_from_output(CC_LINE "\nif objdump -h fs/proc/cmdline.o; then :; fi\n", CC_LINE, obj);
	CHECK(r && strstr(r, "\nif objdump"), "a statement naming the object: %s", str(r));
	free(r);
	/* 6.1 and later: the .cmd holds the whole rule, nothing follows it */
	r = recipe_from_output("  " CC_LINE "\n", CC_LINE, obj);
	CHECK(!r, "nothing beyond the recorded command: %s", str(r));
	free(r);
	r = recipe_from_output("  " OBJTOOL "\n", CC_LINE, obj);
	CHECK(!r, "the recorded command not printed: %s", str(r));
	free(r);
	r = recipe_from_output(CC_LINE " -O2\n" OBJTOOL "\n", CC_LINE, obj);
	CHECK(!r, "a longer command is not the recorded one: %s", str(r));
	free(r);
	r = recipe_from_output("", CC_LINE, obj);
	CHECK(!r, "no output: %s", str(r));
	free(r);
}

int main(void)
{
	test_parse();
	test_output();
	return check_end("recipe");
}
