// SPDX-License-Identifier: GPL-2.0-only
/* Names the padding before each function of an object __pfx_<name>, as
 * objtool --prefix=N does to kernels with CONFIG_CALL_PADDING (6.2+). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lpb-elf.h"

/*
 * objtool adds a local FUNC symbol of N bytes in front of every function
 * whose N preceding bytes are NOPs; fixtures compiled with
 * -fpatchable-function-entry=N,N have exactly those.
 */
static bool padded(struct lpb_symbol *f, uint64_t n)
{
	const unsigned char *b = lpb_section_data(f->sec);
	uint64_t i;

	if (!b || f->sym.st_value < n)
		return false;
	for (i = f->sym.st_value - n; i < f->sym.st_value; i++)
		if (b[i] != 0x90)
			return false;
	return true;
}

int main(int argc, char **argv)
{
	struct lpb_symbol *s, **funcs;
	struct lpb_elf *e;
	size_t nr = 0, i;
	uint64_t n;

	if (argc != 3) {
		fprintf(stderr, "usage: addpfx N OBJ.o (rewrites OBJ.o)\n");
		return 2;
	}
	n = strtoull(argv[1], NULL, 0);
	e = lpb_elf_open(argv[2], 0);
	if (!e)
		return 1;
	funcs = calloc(e->nr_syms + 1, sizeof(*funcs));
	if (!funcs)
		return 1;
	/* collect first: adding symbols while iterating would visit them */
	lpb_for_each_symbol(e, s)
		if (lpb_is_func(s) && s->sec && strncmp(s->name, "__pfx_", 6) && padded(s, n))
			funcs[nr++] = s;
	for (i = 0; i < nr; i++) {
		char *name;

		if (asprintf(&name, "__pfx_%s", funcs[i]->name) < 0 ||
		    !lpb_elf_add_symbol(e, name, STB_LOCAL, STT_FUNC, funcs[i]->sec,
					funcs[i]->sym.st_value - n, n))
			return 1;
		free(name);
	}
	free(funcs);
	if (lpb_elf_write(e, argv[2]))
		return 1;
	lpb_elf_free(e);
	return 0;
}
