/* SPDX-License-Identifier: GPL-2.0-only */
/* lpctl's commands; each returns an lpb_exit code (lib/exit-codes.h). */
#ifndef LPCTL_CMD_H
#define LPCTL_CMD_H

#include "kvfile.h"
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

int cmd_update(struct lpctl *c, const char *repo, const char *download_dir, bool install_only);

/*
 * The steps of the commands above, for another command (update) that holds
 * the state lock already. Each returns an lpb_exit code after a message.
 */
/* Verify @ko (and @manifest, may be NULL) and store it as the installed
 * patch of the running kernel; "source" records @source (NULL: @ko). */
int cmd_store(struct lpctl *c, const char *ko, const char *manifest, const char *source);
/* The installed patch of the running kernel: 0, -ENOENT, or ERROR after a
 * message (a damaged file is reported, never trusted). */
int cmd_read_installed(struct lpctl *c, struct kvfile *f);
/* Verify the installed patch's stored copy again and apply it. */
int cmd_apply_installed(struct lpctl *c, const struct kvfile *inst);
/* Forget the installed patch of the running kernel (uninstall). */
int cmd_forget_installed(struct lpctl *c);

/* "a-b" -> "a_b" (the kernel's module names); NULL when not a valid name. */
char *cmd_module_name(const char *arg);

#endif /* LPCTL_CMD_H */
