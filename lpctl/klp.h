/* SPDX-License-Identifier: GPL-2.0-only */
/* The kernel's livepatch state: /sys/kernel/livepatch/<patch>/ and the
 * per-task /proc/<pid>/task/<tid>/patch_state. */
#ifndef LPCTL_KLP_H
#define LPCTL_KLP_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

struct klp_state {
	bool present; /* registered in sysfs */
	int enabled; /* 1/0, -1 when unreadable */
	int transition; /* 1 while tasks migrate, -1 when unreadable */
};

/* State of patch @name under @sysfs (the sysfs mount). */
void klp_read(const char *sysfs, const char *name, struct klp_state *st);
/* Names of the registered livepatches, sorted. */
void klp_list(const char *sysfs, struct strv *names);
/* Write @val to the patch's enabled file: 0 disables or reverses. */
int klp_write_enabled(const char *sysfs, const char *name, int val);
/* The module is loaded (/sys/module/<name> exists). */
bool klp_module_loaded(const char *sysfs, const char *name);

/* A task still in the old patch state while a transition runs. */
struct stalled_task {
	int pid, tid;
	int state; /* its patch_state */
	char comm[64];
	char *stack; /* /proc/<pid>/task/<tid>/stack, NULL when unreadable */
};

/*
 * Tasks under @procfs whose patch_state is neither @target (1 when
 * patching, 0 when unpatching) nor -1 (not part of a transition). Stacks
 * are read for at most @max_stacks tasks.
 */
int klp_stalled_tasks(const char *procfs, int target, size_t max_stacks, struct stalled_task **out,
		      size_t *nr);
void klp_free_tasks(struct stalled_task *t, size_t nr);

#endif /* LPCTL_KLP_H */
