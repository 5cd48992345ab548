/* SPDX-License-Identifier: GPL-2.0-only */
/* kpatch's system call macros, for patches written for kpatch: lp-build
 * patches a changed SYSCALL_DEFINE itself, so they are the kernel's own. */
#ifndef LPB_KPATCH_SYSCALL_H
#define LPB_KPATCH_SYSCALL_H

#include <linux/syscalls.h>

/*
 * kpatch needs these because the body of a system call (__do_sys_NAME) is
 * inline, hence notrace, and its build cannot redirect it: its macros give
 * the body a new name so that the traceable entry points around it count
 * as changed. lp-build finds those callers by itself when a notrace
 * function changes, so the kernel's own macros give the same module, and
 * the system call keeps its metadata and tracepoints exactly as the
 * running kernel has them.
 */
#define KPATCH_SYSCALL_DEFINE1(name, ...) SYSCALL_DEFINE1(name, __VA_ARGS__)
#define KPATCH_SYSCALL_DEFINE2(name, ...) SYSCALL_DEFINE2(name, __VA_ARGS__)
#define KPATCH_SYSCALL_DEFINE3(name, ...) SYSCALL_DEFINE3(name, __VA_ARGS__)
#define KPATCH_SYSCALL_DEFINE4(name, ...) SYSCALL_DEFINE4(name, __VA_ARGS__)
#define KPATCH_SYSCALL_DEFINE5(name, ...) SYSCALL_DEFINE5(name, __VA_ARGS__)
#define KPATCH_SYSCALL_DEFINE6(name, ...) SYSCALL_DEFINE6(name, __VA_ARGS__)
/* kpatch's DEFINEx takes the name with its leading '_', as the kernel's does */
#define KPATCH_SYSCALL_DEFINEx(x, sname, ...) SYSCALL_DEFINEx(x, sname, __VA_ARGS__)

#endif /* LPB_KPATCH_SYSCALL_H */
