/* SPDX-License-Identifier: GPL-2.0-only */
/* Opening the DWARF of a kernel binary through libdwfl, which applies the
 * relocations of relocatable files (.o, .ko) that plain libdw ignores. */
#ifndef LPB_DWARF_OPEN_H
#define LPB_DWARF_OPEN_H

#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>

/* The DWARF of @path, or NULL: *err is -ENODATA (no DWARF) or another
 * negative errno after a message. Close with dwfl_end(*dwfl). */
Dwarf *lpb_dwarf_open(const char *path, Dwfl **dwfl, int *err);

/* The same for readers of types only (DIEs, names, sizes, members): an
 * ET_REL object gets just the relocations of .debug_info applied, to a
 * copy of its bytes, which costs a fraction of libdwfl's relocation of every
 * debug section (line tables, location lists). Close with lpb_dwarf_close(). */
struct lpb_dwarf_handle {
	int fd;
	Elf *elf;
	Dwfl *dwfl; /* when libdwfl had to open it */
	Dwarf *dw;
	void *copies[4]; /* relocated section bytes */
	size_t nr_copies;
};
Dwarf *lpb_dwarf_open_types(const char *path, struct lpb_dwarf_handle *h, int *err);
void lpb_dwarf_close(struct lpb_dwarf_handle *h);

/* dwarf-types.c: a bitfield member @m of a struct at byte @base: its first
 * bit from the start of the outermost type and its width (left alone when
 * @m is not a bitfield). */
void lpb_dwarf_member_bits(Dwarf_Die *m, int64_t base, int64_t *bit_offset, int64_t *bit_size);

#endif /* LPB_DWARF_OPEN_H */
