/* SPDX-License-Identifier: GPL-2.0-only */
/* The target's debug files where the distribution's packages install them,
 * for `lp-build -s SRC -c /boot/config-RELEASE` without -v. */
#ifndef LPB_BUILD_LOCATE_H
#define LPB_BUILD_LOCATE_H

struct located {
	char *release; /* the kernel release the config belongs to */
	char *vmlinux, *symvers, *modules; /* what was found (NULL: given or absent) */
};

/*
 * For the release of @config (its name /boot/config-RELEASE, or the running
 * kernel's when it is the running kernel's config), find the debug vmlinux,
 * Module.symvers and debug modules not given (*vmlinux etc. NULL), say which
 * files are used, and fill the NULL ones. Files are looked up under
 * $LPB_SYSROOT when set (a directory holding the unpacked packages), else /.
 * Returns 0, or -1 after a message naming the packages to install.
 */
int locate_installed(struct located *l, const char *config, const char **vmlinux,
		     const char **symvers, const char **modules);

/*
 * The compiler command @config was made with (CONFIG_CC_VERSION_TEXT's first
 * word: gcc-12, x86_64-linux-gnu-gcc-14...) when it is on $PATH (in the
 * build root @root when not NULL), else NULL: kbuild should run the compiler
 * the target was built with, by its name.
 */
char *config_compiler(const char *config, const char *root);

void located_free(struct located *l);

#endif /* LPB_BUILD_LOCATE_H */
