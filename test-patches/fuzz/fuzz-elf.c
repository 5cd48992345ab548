// SPDX-License-Identifier: GPL-2.0-only
/* libFuzzer target for lib/'s ELF reader: any bytes may be handed to it; it
 * must reject them with a message or model them, never crash or leak. */
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ksyms.h"
#include "lpb-elf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lpb_section *sec;
	struct lpb_symbol *s;
	struct lpb_elf *e;
	struct lpb_ksyms *ks;
	char path[64];
	int fd = memfd_create("fuzz-elf", 0);

	if (fd < 0 || write(fd, data, size) != (ssize_t)size) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	e = lpb_elf_open(path, LPB_ELF_LAZY_RELOCS);
	if (e) {
		lpb_for_each_section(e, sec) {
			if (sec->sh.sh_type == SHT_RELA)
				lpb_section_relocs(sec->base ? sec->base : sec);
			lpb_find_symbol_containing(sec, 0);
			lpb_find_section(e, sec->name);
		}
		lpb_for_each_symbol(e, s) {
			lpb_find_symbol(e, s->name);
			if (s->sec)
				lpb_find_symbol_at(s->sec, s->sym.st_value);
		}
		ks = lpb_ksyms_from_elf(e, true);
		if (ks) {
			const char *names[1] = { "x" };
			struct lpb_kblock blk;

			lpb_ksyms_match(ks, "fuzz", NULL, names, 1, &blk);
			lpb_ksyms_count(ks, "x");
			lpb_ksyms_free(ks);
		}
	}
	close(fd);
	return 0;
}
