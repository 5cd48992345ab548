/* SPDX-License-Identifier: GPL-2.0-only */
/* lpctl's commands; each returns an lpb_exit code (lib/exit-codes.h). */
#ifndef LPCTL_CMD_H
#define LPCTL_CMD_H

#include "lpctl.h"

int cmd_install(struct lpctl *c, const char *ko, const char *manifest);
int cmd_load(struct lpctl *c, const char *ko, const char *manifest);
int cmd_start(struct lpctl *c);
int cmd_disable(struct lpctl *c, const char *name);
int cmd_unload(struct lpctl *c, const char *name);
int cmd_unlock(struct lpctl *c, const char *name);
int cmd_uninstall(struct lpctl *c);
int cmd_status(struct lpctl *c, bool json);
int cmd_list(struct lpctl *c);

/* "a-b" -> "a_b" (the kernel's module names); NULL when not a valid name. */
char *cmd_module_name(const char *arg);

#endif /* LPCTL_CMD_H */
