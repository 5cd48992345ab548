// SPDX-License-Identifier: GPL-2.0-only
/* Compile-unit names from DWARF: only unit headers and the unit DIEs are
 * read, so even a distro's 600 MB debug vmlinux takes well under a second. */
#include <errno.h>

#include "dwarf-cus.h"
#include "dwarf-open.h"

int lpb_dwarf_cu_names(const char *path, int (*fn)(const char *name, void *arg), void *arg)
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
			ret = fn(name, arg);
		off = next;
	}
	dwfl_end(dwfl);
	return ret;
}
