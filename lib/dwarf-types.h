/* SPDX-License-Identifier: GPL-2.0-only */
/* Sizes and member offsets of kernel structures read from DWARF (libdw), so
 * special-section entry layouts come from the kernel, not from constants. */
#ifndef LPB_DWARF_TYPES_H
#define LPB_DWARF_TYPES_H

#include <stddef.h>
#include <stdint.h>

struct lpb_type_query {
	const char *type; /* struct name, e.g. "bug_entry" */
	const char *member; /* NULL, or a member whose offset is wanted */
	int64_t size; /* out: byte size, -1 if not found */
	int64_t offset; /* out: member offset, -1 if not found */
	int64_t bit_offset; /* out: a bitfield member's first bit from the start
			     * of the struct (bit k of byte j is j * 8 + k), else -1 */
	int64_t bit_size; /* out: a bitfield member's width in bits, else -1 */
	int64_t member_size; /* out: byte size of the member's type, -1 if unknown */
	int64_t data_end; /* out: where the struct's last member ends (its size
			   * without trailing padding), -1 if unknown */
};

/*
 * Answer every query from the DWARF of @path (a .o, .ko or vmlinux; the
 * relocations of a relocatable file are applied) in one pass that stops once
 * all are answered. Returns the number answered, -ENODATA when @path has no
 * DWARF, or another negative errno after a message.
 */
int lpb_dwarf_types(const char *path, struct lpb_type_query *q, size_t nr);

#endif /* LPB_DWARF_TYPES_H */
