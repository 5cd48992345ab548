// SPDX-License-Identifier: GPL-2.0-only
/* Compile-unit names from DWARF: only unit headers and the unit DIEs are
 * read, so even a distro's 600 MB debug vmlinux takes well under a second. */
#include <errno.h>

#include "dwarf-cus.h"
#include "dwarf-open.h"

int lpb_dwarf_each_cu(const char *path, int (*fn)(Dwarf_Die *cu, const char *name, void *arg),
		      void *arg)
{
	Dwarf_Off off = 0, next;
	size_t hsize;
	Dwfl *dwfl;
	Dwarf *dw;
	int ret = 0;

	dw = lpb_dwarf_open(path, &dwfl, &ret);
	if (!dw)
		return ret;
	while (!ret && dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		Dwarf_Die die;
		const char *name;

		if (dwarf_offdie(dw, off + hsize, &die) && (name = dwarf_diename(&die)))
			ret = fn(&die, name, arg);
		off = next;
	}
	dwfl_end(dwfl);
	return ret;
}

struct names {
	int (*fn)(const char *name, void *arg);
	void *arg;
};

static int one_name(Dwarf_Die *cu, const char *name, void *arg)
{
	struct names *n = arg;

	return n->fn(name, n->arg);
}

int lpb_dwarf_cu_names(const char *path, int (*fn)(const char *name, void *arg), void *arg)
{
	struct names n = { fn, arg };

	return lpb_dwarf_each_cu(path, one_name, &n);
}
