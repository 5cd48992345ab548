// SPDX-License-Identifier: GPL-2.0-only
/* Running kbuild in a build root: bubblewrap makes the root the command's /,
 * with the cache, the source and the module template at their host paths. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buildroot.h"
#include "run.h"

void toolchain_bind(struct toolchain *tc, const char *path)
{
	if (!tc->root || !path || sv_contains(&tc->binds, path))
		return;
	sv_push(&tc->binds, path);
}

/*
 * bwrap rather than chroot(8): it needs no mounts in the host's namespace
 * (nothing to clean up after a killed build), works as root without setup,
 * and for other users through unprivileged user namespaces. Binds are
 * read-write: the cache holds the prepared tree kbuild writes into.
 */
void toolchain_wrap(const struct toolchain *tc, struct strvec *av)
{
	if (!tc->root)
		return;
	sv_push(av, "bwrap");
	sv_push(av, "--bind");
	sv_push(av, tc->root);
	sv_push(av, "/");
	sv_push(av, "--dev");
	sv_push(av, "/dev");
	sv_push(av, "--proc");
	sv_push(av, "/proc");
	sv_push(av, "--tmpfs");
	sv_push(av, "/tmp");
	for (size_t i = 0; i < tc->binds.n; i++) {
		sv_push(av, "--bind");
		sv_push(av, tc->binds.v[i]);
		sv_push(av, tc->binds.v[i]);
	}
	sv_push(av, "--setenv");
	sv_push(av, "LC_ALL");
	sv_push(av, "C.UTF-8");
	sv_push(av, "--die-with-parent");
	sv_push(av, "--chdir");
	sv_push(av, "/");
	sv_push(av, "--");
}

void toolchain_make_vars(const struct toolchain *tc, struct strvec *av)
{
	sv_pushf(av, "CC=%s", tc->cc);
	sv_pushf(av, "HOSTCC=%s", tc->hostcc ? tc->hostcc : tc->cc);
	sv_pushf(av, "LD=%s", tc->ld ? tc->ld : "ld");
	sv_push(av, "HOSTCFLAGS=" TOOLCHAIN_HOSTCFLAGS);
	/* Kconfig probes rustc on $PATH (RUSTC_VERSION, RUSTC_LLVM_VERSION...):
	 * a target configured without one gets none, whatever this machine has */
	if (tc->no_rust) {
		sv_push(av, "RUSTC=false");
		sv_push(av, "BINDGEN=false");
	}
}

char *toolchain_compiler_id(const struct toolchain *tc)
{
	struct strvec av = { 0 };
	struct strbuf out = { 0 };
	char *p, *id = NULL;

	toolchain_wrap(tc, &av);
	sv_push(&av, tc->cc);
	sv_push(&av, "--version");
	if (run_cmd((const char *const *)av.v, NULL, RUN_QUIET_STDERR, &out) == 0 && out.buf) {
		out.buf[strcspn(out.buf, "\n")] = 0;
		/* "gcc-12 (Debian 12.2.0-14+deb12u1) 12.2.0" -> "(Debian ...) 12.2.0" */
		p = strchr(out.buf, ' ');
		if (p)
			id = xstrdup(p + 1);
	}
	sb_free(&out);
	sv_free(&av);
	return id;
}

char *toolchain_where(const struct toolchain *tc)
{
	if (!tc->root)
		return xstrdup("on this machine");
	return xasprintf("in the build root %s", tc->root);
}

void toolchain_free(struct toolchain *tc)
{
	sv_free(&tc->binds);
}
