// SPDX-License-Identifier: GPL-2.0-only
/* The pre-flight byte comparison on its own, for tests and for checking a
 * diff object by hand: preflight-check DIFF.o OBJNAME ORIG.o PARENT. */
#include <stdio.h>

#include "ksyms.h"
#include "lpb-meta-read.h"
#include "preflight.h"

int main(int argc, char **argv)
{
	struct preflight_stats st = { 0 };
	struct lpb_meta meta = { 0 };
	struct lpb_ksyms *ks;
	struct lpb_elf *diff;
	int ret;

	if (argc != 5) {
		fprintf(stderr, "usage: preflight-check DIFF.o OBJNAME ORIG.o PARENT\n"
				"exit: 0 every function matches, 5 one differs, 1 error\n");
		return 1;
	}
	diff = lpb_elf_open(argv[1], 0);
	if (!diff || lpb_meta_read(diff, &meta))
		return 1;
	ks = lpb_ksyms_load(argv[4]);
	if (!ks)
		return 1;
	ret = preflight_compare(&meta, argv[2], argv[3], ks, &st);
	if (!ret)
		printf("%zu function(s), %zu bytes match %s, %zu alignment site(s) padded to another length, %zu branch(es) in another size\n",
		       st.functions, st.bytes, argv[4], st.padding_sites, st.resized_branches);
	lpb_ksyms_free(ks);
	lpb_meta_free(&meta);
	lpb_elf_free(diff);
	return ret > 0 ? 5 : ret < 0 ? 1 : 0;
}
