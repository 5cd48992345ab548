/* SPDX-License-Identifier: GPL-2.0-only */
/* What a livepatch module built by lp-build says about itself in .modinfo:
 * name, livepatch=Y, the target kernel's identity, the patch metadata. */
#ifndef LPCTL_MODINFO_H
#define LPCTL_MODINFO_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

struct modinfo {
	char *name; /* name= (the module and livepatch name) */
	bool livepatch; /* livepatch=Y */
	char *target_release; /* lpb_target_release= (uname -r) */
	char *target_version; /* lpb_target_version= (uname -v) */
	char *target_label; /* lpb_target_label= (ABI.BUILDNO-FLAVOUR) */
	char *patch_name; /* lpb_patch_name= */
	char *patch_version; /* lpb_patch_version= */
	int replace; /* lpb_replace=1|0, -1 when absent */
	char *lpb_version; /* lp-build's version */
	char *vermagic;
	struct strv patches; /* lpb_patch_sha256= values: "SHA256 FILE" */
};

/* Parse the NUL-separated "key=value" strings of a .modinfo section. */
void modinfo_parse(const char *data, size_t len, struct modinfo *mi);
/* Read .modinfo from the module at @path with the ELF model. 0, or -EINVAL
 * when it is not a readable ELF (lib/ has said why) or has no .modinfo. */
int modinfo_read(const char *path, struct modinfo *mi);
void modinfo_free(struct modinfo *mi);

#endif /* LPCTL_MODINFO_H */
