// SPDX-License-Identifier: GPL-2.0-only
/* Opening the DWARF of a kernel binary through libdwfl's offline mode, so
 * string and unit references of relocatable files are relocated. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "dwarf-open.h"
#include "log.h"

static const Dwfl_Callbacks offline_callbacks = {
	.find_debuginfo = dwfl_standard_find_debuginfo,
	.section_address = dwfl_offline_section_address,
};

Dwarf *lpb_dwarf_open(const char *path, Dwfl **dwflp, int *err)
{
	Dwfl_Module *mod;
	Dwarf_Addr bias;
	Dwarf *dw;
	Dwfl *dwfl;
	int fd;

	*dwflp = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		*err = -errno;
		lpb_err("%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	dwfl = dwfl_begin(&offline_callbacks);
	if (!dwfl) {
		close(fd);
		lpb_err("%s: libdwfl: %s", path, dwfl_errmsg(-1));
		*err = -ENOMEM;
		return NULL;
	}
	/* dwfl takes over fd */
	mod = dwfl_report_offline(dwfl, "", path, fd);
	dwfl_report_end(dwfl, NULL, NULL);
	dw = mod ? dwfl_module_getdwarf(mod, &bias) : NULL;
	if (!dw) {
		dwfl_end(dwfl);
		*err = -ENODATA;
		return NULL;
	}
	*dwflp = dwfl;
	return dw;
}
