/* SPDX-License-Identifier: GPL-2.0-only */
/* Decoding the .lpb.* metadata of a diff object or of a linked livepatch
 * module into entries that point at the model's sections and symbols. */
#ifndef LPB_META_READ_H
#define LPB_META_READ_H

#include "lpb-elf.h"
#include "lpb-meta.h"

struct lpb_meta_func {
	const char *old_name; /* strings point into the model's .lpb.strings */
	const char *objname;
	uint32_t sympos;
	struct lpb_symbol *new_sym; /* the alias the new_func field is relocated to */
};

struct lpb_meta_reloc {
	struct lpb_section *sec; /* section to relocate */
	uint64_t offset; /* place within sec */
	uint32_t type;
	int64_t addend;
	const char *sym_name;
	const char *objname; /* the object relocated */
	const char *sym_objname; /* the object the symbol is in */
	uint32_t sympos;
};

struct lpb_meta_callback {
	struct lpb_symbol *fn;
	uint32_t kind; /* enum lpb_callback_kind */
	const char *objname;
};

struct lpb_meta {
	struct lpb_meta_func *funcs;
	size_t nr_funcs;
	struct lpb_meta_reloc *relocs;
	size_t nr_relocs;
	struct lpb_meta_callback *callbacks;
	size_t nr_callbacks;
};

/*
 * Decode the metadata of @elf (sections missing = no entries). Every entry
 * is validated: string offsets inside .lpb.strings, one relocation per
 * address field, known callback kinds. Returns 0 or -EINVAL + message.
 */
int lpb_meta_read(struct lpb_elf *elf, struct lpb_meta *meta);
void lpb_meta_free(struct lpb_meta *meta);

const char *lpb_callback_kind_name(uint32_t kind);

#endif /* LPB_META_READ_H */
