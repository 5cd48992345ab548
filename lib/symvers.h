/* SPDX-License-Identifier: GPL-2.0-only */
/* Module.symvers: which symbols the target kernel exports (and from which
 * module), so references to them stay ordinary relocations. */
#ifndef LPB_SYMVERS_H
#define LPB_SYMVERS_H

#include <stdbool.h>
#include <stdint.h>

#include "hash.h"

struct lpb_export {
	char *name;
	char *module; /* "vmlinux" or the module path kbuild wrote */
	char *modname; /* "vmlinux" or the module's name (basename, '-' as '_') */
	char *ns; /* symbol namespace, "" if none */
	uint32_t crc;
	bool gpl_only; /* EXPORT_SYMBOL_GPL */
	struct lpb_hnode node;
};

struct lpb_symvers;

/* Parse "crc<TAB>symbol<TAB>module<TAB>export type[<TAB>namespace]" lines.
 * NULL after one message naming the file and line on a malformed file. */
struct lpb_symvers *lpb_symvers_load(const char *path);
const struct lpb_export *lpb_symvers_find(const struct lpb_symvers *sv,
					  const char *name);
size_t lpb_symvers_count(const struct lpb_symvers *sv);
void lpb_symvers_free(struct lpb_symvers *sv);

#endif /* LPB_SYMVERS_H */
