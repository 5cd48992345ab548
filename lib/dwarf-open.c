// SPDX-License-Identifier: GPL-2.0-only
/* Opening the DWARF of a kernel binary through libdwfl's offline mode, so
 * string and unit references of relocatable files are relocated. */
#include <errno.h>
#include <gelf.h>
#include <stdbool.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "dwarf-open.h"
#include "log.h"

static const Dwfl_Callbacks offline_callbacks = {
	.find_debuginfo = dwfl_standard_find_debuginfo,
	.section_address = dwfl_offline_section_address,
};

Dwarf *lpb_dwarf_open(const char *path, Dwfl **dwflp, int *err)
{
	Dwfl_Module *mod;
	Dwarf_Addr bias;
	Dwarf *dw;
	Dwfl *dwfl;
	int fd;

	*dwflp = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		*err = -errno;
		lpb_err("%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	dwfl = dwfl_begin(&offline_callbacks);
	if (!dwfl) {
		close(fd);
		lpb_err("%s: libdwfl: %s", path, dwfl_errmsg(-1));
		*err = -ENOMEM;
		return NULL;
	}
	/* dwfl takes over fd */
	mod = dwfl_report_offline(dwfl, "", path, fd);
	dwfl_report_end(dwfl, NULL, NULL);
	dw = mod ? dwfl_module_getdwarf(mod, &bias) : NULL;
	if (!dw) {
		dwfl_end(dwfl);
		*err = -ENODATA;
		return NULL;
	}
	*dwflp = dwfl;
	return dw;
}

/* ---- a faster open for relocatable objects ---- */
#include <stdlib.h>

/* Whether @name is a section whose relocations the readers of types need:
 * the DIEs and their string offsets. Line tables, location and range
 * lists are never read here and dwarf the rest in a kernel object. */
static bool wanted_debug(const char *name)
{
	return !strcmp(name, ".debug_info") || !strcmp(name, ".debug_str_offsets");
}

/* Applies the RELA section @rela (of ET_REL @elf) to a private copy of
 * its target's bytes (kept in @h): S + A for the data relocations DWARF
 * uses. Raw ELF64 arrays: this loop runs over every string reference. */
static int apply_rela(Elf *elf, Elf_Scn *rela, GElf_Shdr *rsh, Elf_Data *syms,
		      struct lpb_dwarf_handle *h)
{
	Elf_Scn *tscn = elf_getscn(elf, rsh->sh_info);
	Elf_Data *rd = elf_getdata(rela, NULL), *td;
	const Elf64_Sym *sym;
	const Elf64_Rela *r;
	size_t n, nsyms, i;
	GElf_Shdr tsh;
	void *copy;

	if (!tscn || !rd || !gelf_getshdr(tscn, &tsh) || rsh->sh_entsize != sizeof(*r) ||
	    syms->d_type != ELF_T_SYM || rd->d_type != ELF_T_RELA)
		return -EINVAL;
	if ((tsh.sh_flags & SHF_COMPRESSED) && elf_compress(tscn, 0, 0) < 0)
		return -EINVAL;
	td = elf_getdata(tscn, NULL);
	if (!td || !td->d_buf || h->nr_copies == sizeof(h->copies) / sizeof(*h->copies))
		return -EINVAL;
	copy = malloc(td->d_size);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, td->d_buf, td->d_size);
	h->copies[h->nr_copies++] = copy;
	r = rd->d_buf;
	n = rd->d_size / sizeof(*r);
	sym = syms->d_buf;
	nsyms = syms->d_size / sizeof(*sym);
	for (i = 0; i < n; i++) {
		size_t si = ELF64_R_SYM(r[i].r_info);
		unsigned int width;
		uint64_t v;

		switch (ELF64_R_TYPE(r[i].r_info)) {
		case R_X86_64_NONE:
			continue;
		case R_X86_64_32:
		case R_X86_64_32S:
			width = 4;
			break;
		case R_X86_64_64:
			width = 8;
			break;
		default:
			return -ENOTSUP;
		}
		if (si >= nsyms || r[i].r_offset > td->d_size || td->d_size - r[i].r_offset < width)
			return -EINVAL;
		v = sym[si].st_value + r[i].r_addend;
		memcpy((char *)copy + r[i].r_offset, &v, width); /* little-endian */
	}
	td->d_buf = copy;
	return 0;
}

static int relocate_debug(Elf *elf, struct lpb_dwarf_handle *h)
{
	Elf_Scn *scn = NULL, *symscn = NULL;
	GElf_Shdr sh;
	size_t shstrndx;
	Elf_Data *syms;
	int ret;

	if (elf_getshdrstrndx(elf, &shstrndx))
		return -EINVAL;
	while ((scn = elf_nextscn(elf, scn)))
		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_SYMTAB)
			symscn = scn;
	if (!symscn || !(syms = elf_getdata(symscn, NULL)))
		return -EINVAL;
	while ((scn = elf_nextscn(elf, scn))) {
		Elf_Scn *target;
		GElf_Shdr tsh;
		const char *name;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_RELA)
			continue;
		target = elf_getscn(elf, sh.sh_info);
		if (!target || !gelf_getshdr(target, &tsh) ||
		    !(name = elf_strptr(elf, shstrndx, tsh.sh_name)) || !wanted_debug(name))
			continue;
		ret = apply_rela(elf, scn, &sh, syms, h);
		if (ret)
			return ret;
	}
	return 0;
}

Dwarf *lpb_dwarf_open_types(const char *path, struct lpb_dwarf_handle *h, int *err)
{
	GElf_Ehdr eh;
	Dwarf *dw;

	memset(h, 0, sizeof(*h));
	h->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (h->fd < 0) {
		*err = -errno;
		lpb_err("%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	elf_version(EV_CURRENT);
	h->elf = elf_begin(h->fd, ELF_C_READ_MMAP, NULL);
	if (!h->elf || !gelf_getehdr(h->elf, &eh) || eh.e_machine != EM_X86_64 ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    (eh.e_type == ET_REL && relocate_debug(h->elf, h))) {
		/* anything unusual: libdwfl knows every relocation type */
		lpb_dwarf_close(h);
		h->dw = lpb_dwarf_open(path, &h->dwfl, err);
		return h->dw;
	}
	dw = dwarf_begin_elf(h->elf, DWARF_C_READ, NULL);
	if (!dw) {
		lpb_dwarf_close(h);
		*err = -ENODATA;
		return NULL;
	}
	h->dw = dw;
	return dw;
}

void lpb_dwarf_close(struct lpb_dwarf_handle *h)
{
	if (h->dwfl)
		dwfl_end(h->dwfl);
	else if (h->dw)
		dwarf_end(h->dw);
	if (h->elf)
		elf_end(h->elf);
	if (h->fd >= 0)
		close(h->fd);
	for (size_t i = 0; i < h->nr_copies; i++)
		free(h->copies[i]);
	memset(h, 0, sizeof(*h));
	h->fd = -1;
}
