/* SPDX-License-Identifier: GPL-2.0-only */
/* ELF model of one file (relocatable .o, linked .ko, or vmlinux): sections,
 * symbols and RELA relocations with O(1) lookups, editing, atomic write-back. */
#ifndef LPB_ELF_H
#define LPB_ELF_H

#include <gelf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hash.h"

#ifndef SHF_RELA_LIVEPATCH
#define SHF_RELA_LIVEPATCH 0x00100000
#endif
#ifndef SHN_LIVEPATCH
#define SHN_LIVEPATCH 0xff20
#endif

struct lpb_elf;
struct lpb_symbol;

struct lpb_reloc {
	uint64_t offset; /* within the section the relocations apply to */
	uint32_t type; /* R_X86_64_* */
	int64_t addend;
	struct lpb_symbol *sym; /* NULL only for a relocation against symbol 0 */
};

struct lpb_section {
	struct lpb_elf *elf;
	unsigned int index; /* section header index (renumbered by write) */
	char *name;
	GElf_Shdr sh; /* sh_name/sh_offset/sh_link/sh_info are recomputed on write */
	void *data; /* sh_size bytes; NULL for SHT_NOBITS or empty sections */
	size_t size; /* == sh.sh_size */
	bool data_owned; /* data was allocated by us (else points into the file map) */
	bool deleted;
	struct lpb_section *link; /* section named by sh_link (if a section) */
	struct lpb_section *base; /* SHT_RELA/SHT_REL: the section relocated */
	struct lpb_section *rela; /* the SHT_RELA section relocating this one */
	struct lpb_symbol *secsym; /* the STT_SECTION symbol, if any */
	struct lpb_symbol *info_sym; /* SHT_GROUP: the signature symbol */

	/* SHT_RELA only; parsed on first use, see lpb_section_load_relocs() */
	struct lpb_reloc *relocs;
	size_t nr_relocs, relocs_cap;
	bool relocs_loaded;

	/* defined non-section symbols sorted by value, built on first lookup */
	struct lpb_symbol **by_addr;
	size_t nr_by_addr;
	bool by_addr_valid;

	void *priv; /* free for the tool using the model (e.g. diff state) */
	struct lpb_hnode name_node;
};

struct lpb_symbol {
	struct lpb_elf *elf;
	unsigned int index; /* symbol table index (renumbered by write) */
	char *name;
	GElf_Sym sym; /* st_name and st_shndx are recomputed on write */
	struct lpb_section *sec; /* defining section, NULL for UNDEF/ABS/COMMON/LIVEPATCH */
	uint32_t shndx; /* st_shndx when sec is NULL: SHN_UNDEF, SHN_ABS, SHN_LIVEPATCH... */
	struct lpb_symbol *file; /* local symbols: the FILE symbol whose block holds it */
	bool deleted;
	void *priv; /* free for the tool using the model */
	struct lpb_hnode name_node;
};

struct lpb_elf {
	char *path; /* for messages */
	int fd; /* -1 for a model created in memory */
	Elf *elf; /* libelf handle of the input, NULL for a new model */
	GElf_Ehdr ehdr;
	size_t file_size;

	struct lpb_section **secs; /* by index; secs[0] is the null section */
	size_t nr_secs, secs_cap;
	struct lpb_symbol **syms; /* by index; syms[0] is the null symbol */
	size_t nr_syms, syms_cap;
	struct lpb_section *symtab, *strtab, *shstrtab;

	struct lpb_hash sec_names, sym_names;
};

/* lpb_elf_open() flags */
enum {
	/* Do not parse relocations of non-allocated sections (.debug_*,
	 * .BTF) until asked: a kernel object's .rela.debug_info dwarfs
	 * everything else and the diff never needs it. */
	LPB_ELF_LAZY_RELOCS = 1 << 0,
};

/* Open and validate an x86_64 little-endian ELF64 file of any type. Returns
 * NULL after one message on stderr naming the file and the problem. */
struct lpb_elf *lpb_elf_open(const char *path, unsigned int flags);

/* An empty ET_REL model with the identification of @like (or x86_64). */
struct lpb_elf *lpb_elf_new(const char *path, const struct lpb_elf *like);

void lpb_elf_free(struct lpb_elf *elf);

/* Write the model to @path: temp file in the same directory + rename, so a
 * reader never sees a half-written object. Only ET_REL can be written.
 * Symbol indices are renumbered (locals first) and section indices
 * compacted over deleted sections; the model is updated to match. */
int lpb_elf_write(struct lpb_elf *elf, const char *path);

/* ---- lookups ---- */
struct lpb_section *lpb_section_by_index(const struct lpb_elf *elf, size_t idx);
struct lpb_section *lpb_find_section(const struct lpb_elf *elf, const char *name);
struct lpb_symbol *lpb_symbol_by_index(const struct lpb_elf *elf, size_t idx);
/* First (lowest-index) symbol of that name; next one with the same name. */
struct lpb_symbol *lpb_find_symbol(const struct lpb_elf *elf, const char *name);
struct lpb_symbol *lpb_next_same_name(const struct lpb_symbol *sym);
/* Defined FUNC/OBJECT/NOTYPE symbol of @sec starting at / covering @offset
 * (for a covering lookup a symbol of size 0 only matches its own offset). */
struct lpb_symbol *lpb_find_symbol_at(struct lpb_section *sec, uint64_t offset);
struct lpb_symbol *lpb_find_symbol_containing(struct lpb_section *sec,
					      uint64_t offset);
/* The defined non-section symbols of @sec sorted by value (NULL on ENOMEM). */
struct lpb_symbol **lpb_section_symbols(struct lpb_section *sec, size_t *nr);

/* Parse the relocations of a SHT_RELA section (no-op when done already). */
int lpb_section_load_relocs(struct lpb_section *rela);
/* The relocations applying to @sec: its RELA section loaded, or NULL. */
struct lpb_section *lpb_section_relocs(struct lpb_section *sec);

/* Bytes of a section, or NULL for NOBITS / empty ones. */
static inline const void *lpb_section_data(const struct lpb_section *sec)
{
	return sec->data;
}

#define lpb_for_each_section(elf, sec)                                  \
	for (size_t __i = 1; __i < (elf)->nr_secs; __i++)               \
		if (!((sec) = (elf)->secs[__i])->deleted)

#define lpb_for_each_symbol(elf, s)                                     \
	for (size_t __j = 1; __j < (elf)->nr_syms; __j++)               \
		if (!((s) = (elf)->syms[__j])->deleted)

/* Iterates a loaded RELA section's relocations as struct lpb_reloc *r. */
/* relocs is NULL for an empty relocation section: no arithmetic on it then */
#define lpb_for_each_reloc(rela, r) \
	for ((r) = (rela)->relocs; (r) && (r) < (rela)->relocs + (rela)->nr_relocs; (r)++)

static inline unsigned int lpb_sym_bind(const struct lpb_symbol *s)
{
	return GELF_ST_BIND(s->sym.st_info);
}

static inline unsigned int lpb_sym_type(const struct lpb_symbol *s)
{
	return GELF_ST_TYPE(s->sym.st_info);
}

static inline bool lpb_is_func(const struct lpb_symbol *s)
{
	return lpb_sym_type(s) == STT_FUNC;
}

static inline bool lpb_is_object(const struct lpb_symbol *s)
{
	return lpb_sym_type(s) == STT_OBJECT;
}

static inline bool lpb_is_section_sym(const struct lpb_symbol *s)
{
	return lpb_sym_type(s) == STT_SECTION;
}

static inline bool lpb_is_undef(const struct lpb_symbol *s)
{
	return !s->sec && s->shndx == SHN_UNDEF;
}

static inline bool lpb_is_rela(const struct lpb_section *sec)
{
	return sec->sh.sh_type == SHT_RELA;
}

/* ---- editing ---- */
/* New section; @data (may be NULL) is copied. NULL on failure. */
struct lpb_section *lpb_elf_add_section(struct lpb_elf *elf, const char *name,
					uint32_t type, uint64_t flags,
					uint64_t align, uint64_t entsize,
					const void *data, size_t size);
/* The RELA section for @base: the existing one, or a new one named @name
 * (NULL: ".rela" + base name) with @flags | SHF_INFO_LINK. For livepatch
 * relocations pass ".klp.rela.<obj>.<sec>" and SHF_ALLOC|SHF_RELA_LIVEPATCH;
 * such a section is not registered as @base's ->rela. */
struct lpb_section *lpb_elf_add_rela_section(struct lpb_elf *elf,
					     struct lpb_section *base,
					     const char *name, uint64_t flags);
/* Replace the bytes of @sec (copied). */
int lpb_section_set_data(struct lpb_section *sec, const void *data, size_t size);
/* Append @size bytes (zeros if @data is NULL) at @align; returns the offset
 * of the appended bytes or a negative errno. */
int64_t lpb_section_append(struct lpb_section *sec, const void *data,
			   size_t size, uint64_t align);
/* New symbol defined in @sec (NULL: undefined) at @value. */
struct lpb_symbol *lpb_elf_add_symbol(struct lpb_elf *elf, const char *name,
				      unsigned int bind, unsigned int type,
				      struct lpb_section *sec, uint64_t value,
				      uint64_t size);
/* New symbol with a special section index (SHN_ABS, SHN_LIVEPATCH...). */
struct lpb_symbol *lpb_elf_add_symbol_shndx(struct lpb_elf *elf,
					    const char *name, unsigned int bind,
					    unsigned int type, uint32_t shndx,
					    uint64_t value, uint64_t size);
/* The STT_SECTION symbol of @sec, created if missing. */
struct lpb_symbol *lpb_section_symbol(struct lpb_section *sec);
int lpb_symbol_rename(struct lpb_symbol *sym, const char *name);
int lpb_reloc_add(struct lpb_section *rela, uint64_t offset, uint32_t type,
		  struct lpb_symbol *sym, int64_t addend);
/* Delete relocation @i of @rela (keeps the order of the others). */
void lpb_reloc_delete(struct lpb_section *rela, size_t i);
/* Delete @sec, its RELA section and the symbols it defines. Relocations
 * elsewhere that still use those symbols make lpb_elf_write() fail. */
void lpb_section_delete(struct lpb_section *sec);
void lpb_symbol_delete(struct lpb_symbol *sym);

#endif /* LPB_ELF_H */
