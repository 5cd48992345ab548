// SPDX-License-Identifier: GPL-2.0-only
/* libFuzzer target for .modinfo as lpctl reads it (lpctl/modinfo.c): the
 * bytes as a section's content, and as a whole module when they are ELF. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "modinfo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const struct modinfo *mi)
{
	const char *fields[] = { mi->name, mi->target_release, mi->target_version,
				 mi->target_label, mi->patch_name, mi->patch_version,
				 mi->lpb_version, mi->vermagic };

	/* every value is a C string: reading them must stay in bounds */
	for (size_t i = 0; i < sizeof(fields) / sizeof(*fields); i++)
		if (fields[i] && strlen(fields[i]) > (size_t)-2)
			abort();
	for (size_t i = 0; i < mi->patches.n; i++)
		if (!mi->patches.v[i])
			abort();
	if (mi->replace < -1 || mi->replace > 1)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct modinfo mi;

	modinfo_parse((const char *)data, size, &mi);
	check(&mi);
	modinfo_free(&mi);
	if (size >= 4 && !memcmp(data, "\177ELF", 4)) {
		char path[32];
		int fd = memfd_create("fuzz-modinfo", 0);

		if (fd < 0)
			return 0;
		if (write(fd, data, size) == (ssize_t)size) {
			snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
			if (!modinfo_read(path, &mi))
				check(&mi);
			modinfo_free(&mi);
		}
		close(fd);
	}
	return 0;
}
