/* SPDX-License-Identifier: GPL-2.0-only */
/* Where kbuild runs: on the host, or inside a build root (a chroot of the
 * target's Debian release, holding the compiler it was built with). */
#ifndef LPB_BUILD_BUILDROOT_H
#define LPB_BUILD_BUILDROOT_H

#include <stdbool.h>

#include "util.h"

struct toolchain {
	const char *cc; /* CC for kbuild, e.g. "gcc-12", "x86_64-linux-gnu-gcc-14" */
	const char *hostcc; /* HOSTCC */
	const char *ld; /* LD */
	const char *root; /* build root directory, NULL: the host */
	const char *root_id; /* what identifies the root's contents (tree cache key) */
	bool no_rust; /* the target was configured without a Rust toolchain */
	struct strvec binds; /* host paths the root must see at the same place */
};

/*
 * Append to @av what runs a command in @tc's build root (nothing for the
 * host): bubblewrap with the root as /, every bind at its own path, a fresh
 * /dev, /proc and /tmp. The command follows.
 */
void toolchain_wrap(const struct toolchain *tc, struct strvec *av);

/* Make @path visible inside the root at the same place (no-op on the host). */
void toolchain_bind(struct toolchain *tc, const char *path);

/*
 * What kbuild's host programs (kconfig, fixdep, modpost, genksyms, objtool,
 * resolve_btfids) are compiled with after kbuild's own flags: unoptimised,
 * a new tree's `make prepare` takes about 35% less CPU (6.1: 55 -> 35 s),
 * and what these programs write does not depend on it. Every make lp-build
 * runs passes it (a host program built otherwise would be rebuilt in each
 * build's view); tree.c brings trees prepared without it up to date.
 */
#define TOOLCHAIN_HOSTCFLAGS "-O0"

/* "CC=... HOSTCC=... LD=... HOSTCFLAGS=..." for make, so kbuild's own
 * defaults ($(CROSS_COMPILE)gcc) never pick another compiler than the one
 * checked. */
void toolchain_make_vars(const struct toolchain *tc, struct strvec *av);

/* What `CC --version` says where kbuild runs, in .comment's form
 * ("(Debian 12.2.0-14+deb12u1) 12.2.0"); NULL when it cannot run. */
char *toolchain_compiler_id(const struct toolchain *tc);

/* "on this machine" or "in the build root DIR", for messages. */
char *toolchain_where(const struct toolchain *tc);

void toolchain_free(struct toolchain *tc);

#endif /* LPB_BUILD_BUILDROOT_H */
