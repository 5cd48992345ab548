// SPDX-License-Identifier: GPL-2.0-only
/* .modinfo of a livepatch module, through lib/'s ELF model. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lpb-elf.h"
#include "modinfo.h"

static void set(char **field, const char *val)
{
	free(*field);
	*field = xstrdup(val);
}

void modinfo_parse(const char *data, size_t len, struct modinfo *mi)
{
	const char *p = data, *end = data + len;

	*mi = (struct modinfo){ .replace = -1 };
	while (p < end) {
		size_t n = strnlen(p, end - p);
		char *rec = strndup(p, n), *eq = strchr(rec, '=');

		p += n + 1;
		if (!rec || !eq) {
			free(rec);
			continue;
		}
		*eq = 0;
		const char *key = rec, *val = eq + 1;

		if (!strcmp(key, "name"))
			set(&mi->name, val);
		else if (!strcmp(key, "livepatch"))
			mi->livepatch = !strcmp(val, "Y");
		else if (!strcmp(key, "lpb_target_release"))
			set(&mi->target_release, val);
		else if (!strcmp(key, "lpb_target_version"))
			set(&mi->target_version, val);
		else if (!strcmp(key, "lpb_target_label"))
			set(&mi->target_label, val);
		else if (!strcmp(key, "lpb_patch_name"))
			set(&mi->patch_name, val);
		else if (!strcmp(key, "lpb_patch_version"))
			set(&mi->patch_version, val);
		else if (!strcmp(key, "lpb_replace"))
			mi->replace = !strcmp(val, "1");
		else if (!strcmp(key, "lpb_version"))
			set(&mi->lpb_version, val);
		else if (!strcmp(key, "vermagic"))
			set(&mi->vermagic, val);
		else if (!strcmp(key, "lpb_patch_sha256"))
			strv_add(&mi->patches, val);
		free(rec);
	}
}

int modinfo_read(const char *path, struct modinfo *mi)
{
	struct lpb_elf *elf = lpb_elf_open(path, LPB_ELF_LAZY_RELOCS);
	struct lpb_section *sec;

	*mi = (struct modinfo){ .replace = -1 };
	if (!elf)
		return -EINVAL;
	sec = lpb_find_section(elf, ".modinfo");
	if (!sec || !lpb_section_data(sec)) {
		lpb_elf_free(elf);
		return -ENOENT;
	}
	modinfo_parse(lpb_section_data(sec), sec->size, mi);
	lpb_elf_free(elf);
	return 0;
}

void modinfo_free(struct modinfo *mi)
{
	free(mi->name);
	free(mi->target_release);
	free(mi->target_version);
	free(mi->target_label);
	free(mi->patch_name);
	free(mi->patch_version);
	free(mi->lpb_version);
	free(mi->vermagic);
	strv_free(&mi->patches);
	*mi = (struct modinfo){ .replace = -1 };
}
