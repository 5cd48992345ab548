// SPDX-License-Identifier: GPL-2.0-only
/* Struct sizes and member offsets from DWARF (a .o with the relocations of
 * its .debug_info applied), for special-section entry layouts and the like. */
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <dwarf.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "dwarf-open.h"
#include "dwarf-types.h"
#include "log.h"

/* A bitfield member: DWARF 4+ gives DW_AT_data_bit_offset from the start of
 * the struct; older producers give DW_AT_bit_offset from the most
 * significant bit of a storage unit at DW_AT_data_member_location (x86 is
 * little-endian, so that is counted back from the unit's last bit). */
void lpb_dwarf_member_bits(Dwarf_Die *m, int64_t base, int64_t *bit_offset, int64_t *bit_size)
{
	Dwarf_Attribute a;
	Dwarf_Word bits, at, unit, loc;

	if (!dwarf_attr(m, DW_AT_bit_size, &a) || dwarf_formudata(&a, &bits))
		return;
	if (dwarf_attr(m, DW_AT_data_bit_offset, &a) && !dwarf_formudata(&a, &at)) {
		*bit_offset = base * 8 + at;
		*bit_size = bits;
		return;
	}
	if (dwarf_attr(m, DW_AT_data_member_location, &a) && !dwarf_formudata(&a, &loc) &&
	    dwarf_attr(m, DW_AT_bit_offset, &a) && !dwarf_formudata(&a, &at) &&
	    dwarf_attr(m, DW_AT_byte_size, &a) && !dwarf_formudata(&a, &unit) &&
	    at + bits <= unit * 8) {
		*bit_offset = (base + loc) * 8 + unit * 8 - at - bits;
		*bit_size = bits;
	}
}

static void bitfield(Dwarf_Die *m, struct lpb_type_query *q)
{
	lpb_dwarf_member_bits(m, 0, &q->bit_offset, &q->bit_size);
	if (q->bit_offset >= 0 && q->offset < 0)
		q->offset = q->bit_offset / 8;
}

static void member_offset(Dwarf_Die *type, struct lpb_type_query *q)
{
	Dwarf_Die m;

	if (dwarf_child(type, &m))
		return;
	do {
		Dwarf_Attribute a;
		Dwarf_Word off, size;
		Dwarf_Die mt;
		const char *name = dwarf_diename(&m);

		if (dwarf_tag(&m) != DW_TAG_member || !name || strcmp(name, q->member))
			continue;
		if (dwarf_attr(&m, DW_AT_data_member_location, &a) &&
		    !dwarf_formudata(&a, &off))
			q->offset = off;
		/* through typedefs (u8) to the base type */
		if (dwarf_attr_integrate(&m, DW_AT_type, &a) && dwarf_formref_die(&a, &mt) &&
		    !dwarf_aggregate_size(&mt, &size))
			q->member_size = size;
		bitfield(&m, q);
		return;
	} while (!dwarf_siblingof(&m, &m));
}

/* The end of the last member of struct @type: an entry that stops there
 * (the final entry of a table the assembler did not pad) is complete. */
static int64_t data_end(Dwarf_Die *type)
{
	Dwarf_Die m;
	int64_t end = 0;

	if (dwarf_child(type, &m))
		return -1;
	do {
		struct lpb_type_query one = { .offset = -1, .bit_offset = -1, .bit_size = -1,
					      .member_size = -1 };
		Dwarf_Attribute a;
		Dwarf_Word off, size;
		Dwarf_Die mt;
		int64_t e;

		if (dwarf_tag(&m) != DW_TAG_member)
			continue;
		if (!dwarf_attr(&m, DW_AT_data_member_location, &a) ||
		    dwarf_formudata(&a, &off)) {
			/* a bitfield with only DW_AT_data_bit_offset */
			bitfield(&m, &one);
			if (one.bit_offset < 0)
				return -1;
			e = (one.bit_offset + one.bit_size + 7) / 8;
		} else {
			one.offset = off;
			bitfield(&m, &one);
			if (one.bit_offset >= 0)
				e = (one.bit_offset + one.bit_size + 7) / 8;
			else if (dwarf_attr_integrate(&m, DW_AT_type, &a) &&
				 dwarf_formref_die(&a, &mt) && !dwarf_aggregate_size(&mt, &size))
				e = off + size;
			else
				return -1;
		}
		if (e > end)
			end = e;
	} while (!dwarf_siblingof(&m, &m));
	return end;
}

/* Only top-level DIEs of each unit are looked at: kernel structs used in
 * special sections are declared at file scope. */
static size_t scan_unit(Dwarf_Die *cu, struct lpb_type_query *q, size_t nr)
{
	Dwarf_Die die;
	size_t found = 0, i;

	if (dwarf_child(cu, &die))
		return 0;
	do {
		const char *name;
		Dwarf_Attribute a;
		Dwarf_Word size;

		if (dwarf_tag(&die) != DW_TAG_structure_type || dwarf_hasattr(&die, DW_AT_declaration))
			continue;
		name = dwarf_diename(&die);
		if (!name)
			continue;
		for (i = 0; i < nr; i++) {
			if (q[i].size >= 0 || strcmp(q[i].type, name))
				continue;
			if (!dwarf_attr(&die, DW_AT_byte_size, &a) || dwarf_formudata(&a, &size))
				continue;
			q[i].size = size;
			q[i].data_end = data_end(&die);
			if (q[i].member)
				member_offset(&die, &q[i]);
			found++;
		}
	} while (!dwarf_siblingof(&die, &die));
	return found;
}

int lpb_dwarf_types(const char *path, struct lpb_type_query *q, size_t nr)
{
	struct lpb_dwarf_handle h;
	Dwarf *dw;
	Dwarf_Off off = 0, next;
	size_t hsize, answered = 0, i;
	int ret = 0;

	for (i = 0; i < nr; i++)
		q[i].size = q[i].offset = q[i].bit_offset = q[i].bit_size = q[i].member_size =
			q[i].data_end = -1;
	dw = lpb_dwarf_open_types(path, &h, &ret);
	if (!dw)
		return ret;
	while (answered < nr &&
	       !dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL)) {
		Dwarf_Die cu;

		if (dwarf_offdie(dw, off + hsize, &cu))
			answered += scan_unit(&cu, q, nr);
		off = next;
	}
	lpb_dwarf_close(&h);
	return answered;
}
