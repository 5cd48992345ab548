// SPDX-License-Identifier: GPL-2.0-only
/* Functions declared in headers, per DWARF compile unit: only the unit's
 * top-level children are read (C has no nested functions), so a whole
 * distribution kernel takes seconds, not the minutes of a full DIE walk. */
#include <dwarf.h>
#include <errno.h>
#include <string.h>

#include "dwarf-funcs.h"
#include "dwarf-cus.h"

static int is_header(const char *f)
{
	size_t n = f ? strlen(f) : 0;

	return n > 2 && f[n - 2] == '.' && f[n - 1] == 'h';
}

/*
 * GCC writes the abstract instance of a function inlined in this unit
 * (DW_AT_inline) and each out-of-line copy (code, DW_AT_abstract_origin
 * when it is also inlined) as top-level DW_TAG_subprogram entries; both
 * mean the unit's code is made from the function's body.
 */
static int unit_funcs(Dwarf_Die *cu, const char *cu_name,
		      int (*fn)(const struct lpb_dwarf_func *f, void *arg), void *arg)
{
	Dwarf_Die die;
	int ret = 0;

	if (dwarf_child(cu, &die))
		return 0;
	do {
		Dwarf_Attribute a;
		struct lpb_dwarf_func f = { .cu = cu_name };

		if (dwarf_tag(&die) != DW_TAG_subprogram || dwarf_hasattr(&die, DW_AT_declaration))
			continue;
		f.file = dwarf_decl_file(&die);
		if (!is_header(f.file) || dwarf_decl_line(&die, &f.line))
			continue;
		f.name = dwarf_formstring(dwarf_attr_integrate(&die, DW_AT_name, &a));
		if (!f.name)
			continue;
		ret = fn(&f, arg);
	} while (!ret && dwarf_siblingof(&die, &die) == 0);
	return ret;
}

struct funcs {
	int (*fn)(const struct lpb_dwarf_func *f, void *arg);
	void *arg;
};

static int one_unit(Dwarf_Die *cu, const char *name, void *arg)
{
	struct funcs *x = arg;

	return unit_funcs(cu, name, x->fn, x->arg);
}

int lpb_dwarf_header_funcs(const char *path, int (*fn)(const struct lpb_dwarf_func *f, void *arg),
			   void *arg)
{
	struct funcs x = { fn, arg };

	return lpb_dwarf_each_cu(path, one_unit, &x);
}
