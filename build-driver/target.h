/* SPDX-License-Identifier: GPL-2.0-only */
/* The target kernel as its debug vmlinux describes it: release and version
 * string from the banner, the compiler from .comment, the ABI label. */
#ifndef LPB_BUILD_TARGET_H
#define LPB_BUILD_TARGET_H

struct target {
	char *vmlinux; /* absolute path */
	char *banner; /* linux_banner without the trailing newline */
	char *release; /* utsname release, e.g. "6.1.0-56-cloud-amd64" */
	char *version; /* utsname version, e.g. "#1 SMP PREEMPT_DYNAMIC Debian ..." */
	char *label; /* ABI.BUILDNO-FLAVOUR, e.g. "6.1.0-56.1-cloud-amd64" */
	char *compiler; /* e.g. "(Debian 12.2.0-14+deb12u1) 12.2.0" from "GCC: ..." */
};

/* Read the identity of @vmlinux. Returns 0, or -1 after one message. */
int target_read(struct target *t, const char *vmlinux);

/*
 * Split a banner "Linux version R (who) (compiler) V" into release and
 * version; 0 or -1. Exposed for the unit tests.
 */
int target_parse_banner(const char *banner, char **release, char **version);

/* ABI.BUILDNO-FLAVOUR from a release and version string (never NULL). */
char *target_label(const char *release, const char *version);

void target_free(struct target *t);

#endif /* LPB_BUILD_TARGET_H */
