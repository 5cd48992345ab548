// SPDX-License-Identifier: GPL-2.0-only
/* Reading an ELF file into the lib/ model (validated, zero-copy over the
 * file map) and the lookups by index, name and address that the tools use. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lpb-elf.h"
#include "log.h"

/* the largest section alignment a kernel object has any business asking for */
#define LPB_MAX_ALIGN (2u << 20)

static void free_section(struct lpb_section *sec)
{
	if (!sec)
		return;
	free(sec->name);
	if (sec->data_owned)
		free(sec->data);
	free(sec->relocs);
	free(sec->by_addr);
	free(sec);
}

void lpb_elf_free(struct lpb_elf *elf)
{
	size_t i;

	if (!elf)
		return;
	for (i = 0; i < elf->nr_secs; i++)
		free_section(elf->secs[i]);
	for (i = 0; i < elf->nr_syms; i++) {
		if (elf->syms[i])
			free(elf->syms[i]->name);
		free(elf->syms[i]);
	}
	free(elf->secs);
	free(elf->syms);
	lpb_hash_free(&elf->sec_names);
	lpb_hash_free(&elf->sym_names);
	if (elf->elf)
		elf_end(elf->elf);
	if (elf->fd >= 0)
		close(elf->fd);
	free(elf->path);
	free(elf);
}

struct lpb_section *lpb_section_by_index(const struct lpb_elf *elf, size_t idx)
{
	if (idx >= elf->nr_secs || elf->secs[idx]->deleted)
		return NULL;
	return elf->secs[idx];
}

struct lpb_symbol *lpb_symbol_by_index(const struct lpb_elf *elf, size_t idx)
{
	if (idx >= elf->nr_syms || elf->syms[idx]->deleted)
		return NULL;
	return elf->syms[idx];
}

struct lpb_section *lpb_find_section(const struct lpb_elf *elf, const char *name)
{
	struct lpb_hnode *n;

	lpb_hash_for_each_possible(&elf->sec_names, n, lpb_str_hash(name)) {
		struct lpb_section *sec = container_of(n, struct lpb_section, name_node);

		if (!strcmp(sec->name, name))
			return sec;
	}
	return NULL;
}

struct lpb_symbol *lpb_find_symbol(const struct lpb_elf *elf, const char *name)
{
	struct lpb_hnode *n;

	lpb_hash_for_each_possible(&elf->sym_names, n, lpb_str_hash(name)) {
		struct lpb_symbol *s = container_of(n, struct lpb_symbol, name_node);

		if (!strcmp(s->name, name))
			return s;
	}
	return NULL;
}

struct lpb_symbol *lpb_next_same_name(const struct lpb_symbol *sym)
{
	struct lpb_hnode *n = (struct lpb_hnode *)&sym->name_node;

	while ((n = lpb_hash_next(n))) {
		struct lpb_symbol *s = container_of(n, struct lpb_symbol, name_node);

		if (!strcmp(s->name, sym->name))
			return s;
	}
	return NULL;
}

/* Symbols at one address sort FUNC/OBJECT first, then larger first, so a
 * lookup prefers the real function over a NOTYPE label or an alias. */
static int rank(const struct lpb_symbol *s)
{
	switch (lpb_sym_type(s)) {
	case STT_FUNC:
	case STT_OBJECT:
	case STT_TLS:
		return 0;
	default:
		return 1;
	}
}

static int cmp_addr(const void *a, const void *b)
{
	const struct lpb_symbol *x = *(const struct lpb_symbol *const *)a;
	const struct lpb_symbol *y = *(const struct lpb_symbol *const *)b;

	if (x->sym.st_value != y->sym.st_value)
		return x->sym.st_value < y->sym.st_value ? -1 : 1;
	if (rank(x) != rank(y))
		return rank(x) - rank(y);
	if (x->sym.st_size != y->sym.st_size)
		return x->sym.st_size > y->sym.st_size ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

static bool addr_indexed(const struct lpb_symbol *s)
{
	return s->sec && !s->deleted && lpb_sym_type(s) != STT_SECTION &&
	       lpb_sym_type(s) != STT_FILE;
}

/* One pass over all symbols rebuilds every stale per-section index, so a
 * tool touching many sections pays O(symbols log symbols) once. */
static int build_by_addr(struct lpb_elf *elf)
{
	struct lpb_section *sec;
	struct lpb_symbol *s;

	lpb_for_each_section(elf, sec) {
		if (sec->by_addr_valid)
			continue;
		free(sec->by_addr);
		sec->by_addr = NULL;
		sec->nr_by_addr = 0;
	}
	lpb_for_each_symbol(elf, s) {
		if (addr_indexed(s) && !s->sec->by_addr_valid)
			s->sec->nr_by_addr++;
	}
	lpb_for_each_section(elf, sec) {
		if (sec->by_addr_valid || !sec->nr_by_addr)
			continue;
		sec->by_addr = calloc(sec->nr_by_addr, sizeof(*sec->by_addr));
		if (!sec->by_addr) {
			lpb_err("%s: out of memory indexing symbols", elf->path);
			return -ENOMEM;
		}
		sec->nr_by_addr = 0;
	}
	lpb_for_each_symbol(elf, s) {
		if (addr_indexed(s) && !s->sec->by_addr_valid)
			s->sec->by_addr[s->sec->nr_by_addr++] = s;
	}
	lpb_for_each_section(elf, sec) {
		if (sec->by_addr_valid)
			continue;
		if (sec->nr_by_addr > 1)
			qsort(sec->by_addr, sec->nr_by_addr, sizeof(*sec->by_addr),
			      cmp_addr);
		sec->by_addr_valid = true;
	}
	return 0;
}

struct lpb_symbol **lpb_section_symbols(struct lpb_section *sec, size_t *nr)
{
	static struct lpb_symbol *none;

	if (!sec->by_addr_valid && build_by_addr(sec->elf))
		return NULL;
	*nr = sec->nr_by_addr;
	return sec->by_addr ? sec->by_addr : &none;
}

/* index of the first symbol with value > offset */
static size_t upper_bound(struct lpb_section *sec, uint64_t offset)
{
	size_t lo = 0, hi = sec->nr_by_addr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (sec->by_addr[mid]->sym.st_value <= offset)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct lpb_symbol *lpb_find_symbol_at(struct lpb_section *sec, uint64_t offset)
{
	size_t nr, i;

	if (!lpb_section_symbols(sec, &nr) || !nr)
		return NULL;
	i = upper_bound(sec, offset);
	/* walk back to the first symbol at exactly @offset */
	while (i > 0 && sec->by_addr[i - 1]->sym.st_value == offset)
		i--;
	if (i < nr && sec->by_addr[i]->sym.st_value == offset)
		return sec->by_addr[i];
	return NULL;
}

struct lpb_symbol *lpb_find_symbol_containing(struct lpb_section *sec,
					      uint64_t offset)
{
	struct lpb_symbol *best = NULL;
	size_t nr, i, steps = 0;

	if (!lpb_section_symbols(sec, &nr) || !nr)
		return NULL;
	i = upper_bound(sec, offset);
	/* Overlapping symbols are rare (aliases, nested asm labels): a short
	 * walk back finds the innermost sized symbol without a full scan. */
	while (i > 0 && steps++ < 64) {
		struct lpb_symbol *s = sec->by_addr[--i];
		uint64_t start = s->sym.st_value, size = s->sym.st_size;

		if ((size && offset < start + size) || (!size && start == offset)) {
			if (!best || rank(s) < rank(best))
				best = s;
			if (!rank(best))
				break;
		}
	}
	return best;
}

int lpb_section_load_relocs(struct lpb_section *rela)
{
	struct lpb_elf *elf = rela->elf;
	const unsigned char *p = rela->data;
	size_t n, i;

	if (rela->relocs_loaded)
		return 0;
	if (rela->sh.sh_type != SHT_RELA) {
		lpb_err("%s: section %s: not a RELA section", elf->path, rela->name);
		return -EINVAL;
	}
	if (rela->size % sizeof(Elf64_Rela)) {
		lpb_err("%s: section %s: size %zu is not a multiple of %zu",
			elf->path, rela->name, rela->size, sizeof(Elf64_Rela));
		return -EINVAL;
	}
	if (rela->link != elf->symtab) {
		lpb_err("%s: section %s: relocations against a symbol table other than .symtab are not supported",
			elf->path, rela->name);
		return -ENOTSUP;
	}
	n = rela->size / sizeof(Elf64_Rela);
	free(rela->relocs);
	rela->relocs = n ? calloc(n, sizeof(*rela->relocs)) : NULL;
	if (n && !rela->relocs) {
		lpb_err("%s: section %s: out of memory", elf->path, rela->name);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		Elf64_Rela r;
		size_t si;

		/* the file map has no alignment guarantee for us */
		memcpy(&r, p + i * sizeof(r), sizeof(r));
		si = ELF64_R_SYM(r.r_info);
		if (si >= elf->nr_syms) {
			lpb_err("%s: section %s: relocation %zu uses symbol index %zu, but there are only %zu symbols",
				elf->path, rela->name, i, si, elf->nr_syms);
			free(rela->relocs);
			rela->relocs = NULL;
			return -EINVAL;
		}
		if (rela->base && rela->base->sh.sh_type != SHT_NOBITS &&
		    r.r_offset > rela->base->size) {
			lpb_err("%s: section %s: relocation %zu at offset 0x%llx is outside %s",
				elf->path, rela->name, i,
				(unsigned long long)r.r_offset, rela->base->name);
			free(rela->relocs);
			rela->relocs = NULL;
			return -EINVAL;
		}
		rela->relocs[i].offset = r.r_offset;
		rela->relocs[i].type = ELF64_R_TYPE(r.r_info);
		rela->relocs[i].addend = r.r_addend;
		rela->relocs[i].sym = si ? elf->syms[si] : NULL;
	}
	rela->nr_relocs = rela->relocs_cap = n;
	rela->relocs_loaded = true;
	return 0;
}

struct lpb_section *lpb_section_relocs(struct lpb_section *sec)
{
	if (!sec->rela || sec->rela->deleted || lpb_section_load_relocs(sec->rela))
		return NULL;
	return sec->rela;
}

static const char *str_at(const struct lpb_section *strtab, size_t off)
{
	if (!strtab || off >= strtab->size || !strtab->data)
		return NULL;
	/* the table is NUL-terminated (checked at open), so this is a string */
	return (const char *)strtab->data + off;
}

static int read_sections(struct lpb_elf *elf)
{
	size_t shnum, shstrndx, i;

	if (elf_getshdrnum(elf->elf, &shnum) || elf_getshdrstrndx(elf->elf, &shstrndx)) {
		lpb_err("%s: cannot read section headers: %s", elf->path, elf_errmsg(-1));
		return -EINVAL;
	}
	if (!shnum)
		shnum = 1; /* a lone ELF header: only the null section */
	elf->secs = calloc(shnum, sizeof(*elf->secs));
	if (!elf->secs)
		return -ENOMEM;
	elf->secs_cap = shnum;
	for (i = 0; i < shnum; i++) {
		struct lpb_section *sec = calloc(1, sizeof(*sec));
		Elf_Scn *scn = elf_getscn(elf->elf, i);

		if (!sec)
			return -ENOMEM;
		elf->secs[i] = sec;
		elf->nr_secs = i + 1;
		sec->elf = elf;
		sec->index = i;
		if (i == 0)
			continue;
		if (!scn || !gelf_getshdr(scn, &sec->sh)) {
			lpb_err("%s: cannot read section header %zu: %s", elf->path,
				i, elf_errmsg(-1));
			return -EINVAL;
		}
		sec->size = sec->sh.sh_size;
		/* a power of two, at most a huge page: anything else is not a
		 * kernel object, and would have the writer pad the output to
		 * gigabytes (found by fuzz-cdo) */
		if (sec->sh.sh_addralign & (sec->sh.sh_addralign - 1) ||
		    sec->sh.sh_addralign > LPB_MAX_ALIGN) {
			lpb_err("%s: section %zu has alignment %llu (want a power of two, at most %u)",
				elf->path, i, (unsigned long long)sec->sh.sh_addralign,
				LPB_MAX_ALIGN);
			return -EINVAL;
		}
		if (sec->sh.sh_type != SHT_NOBITS && sec->size &&
		    (sec->sh.sh_offset > elf->file_size ||
		     sec->size > elf->file_size - sec->sh.sh_offset)) {
			lpb_err("%s: section %zu runs past the end of the file (offset 0x%llx, size 0x%zx, file size 0x%zx)",
				elf->path, i, (unsigned long long)sec->sh.sh_offset,
				sec->size, elf->file_size);
			return -EINVAL;
		}
		if (sec->sh.sh_type != SHT_NOBITS && sec->size) {
			Elf_Data *d = elf_rawdata(scn, NULL);

			if (!d || d->d_size != sec->size || !d->d_buf) {
				lpb_err("%s: cannot read section %zu: %s", elf->path, i,
					elf_errmsg(-1));
				return -EINVAL;
			}
			sec->data = d->d_buf;
		}
	}
	if (shstrndx >= shnum || (shstrndx && elf->secs[shstrndx]->sh.sh_type != SHT_STRTAB)) {
		lpb_err("%s: bad section name string table index %zu", elf->path, shstrndx);
		return -EINVAL;
	}
	if (shstrndx)
		elf->shstrtab = elf->secs[shstrndx];
	for (i = 1; i < shnum; i++) {
		struct lpb_section *sec = elf->secs[i];

		if (sec->sh.sh_type == SHT_STRTAB && sec->size &&
		    ((const char *)sec->data)[sec->size - 1]) {
			lpb_err("%s: string table %zu is not NUL-terminated", elf->path, i);
			return -EINVAL;
		}
	}
	for (i = 1; i < shnum; i++) {
		struct lpb_section *sec = elf->secs[i];
		const char *name = str_at(elf->shstrtab, sec->sh.sh_name);
		int ret;

		if (!name) {
			lpb_err("%s: section %zu has a bad name offset %u", elf->path,
				i, sec->sh.sh_name);
			return -EINVAL;
		}
		sec->name = strdup(name);
		if (!sec->name)
			return -ENOMEM;
		ret = lpb_hash_add(&elf->sec_names, &sec->name_node, lpb_str_hash(name));
		if (ret)
			return ret;
		if (sec->sh.sh_link && sec->sh.sh_link < shnum)
			sec->link = elf->secs[sec->sh.sh_link];
		if (sec->sh.sh_type == SHT_SYMTAB) {
			if (elf->symtab) {
				lpb_err("%s: more than one symbol table", elf->path);
				return -EINVAL;
			}
			elf->symtab = sec;
			elf->strtab = sec->link;
			if (!elf->strtab || elf->strtab->sh.sh_type != SHT_STRTAB) {
				lpb_err("%s: symbol table does not link to a string table",
					elf->path);
				return -EINVAL;
			}
		}
	}
	for (i = 1; i < shnum; i++) {
		struct lpb_section *sec = elf->secs[i];

		if ((sec->sh.sh_type == SHT_RELA || sec->sh.sh_type == SHT_REL ||
		     (sec->sh.sh_flags & SHF_INFO_LINK)) &&
		    sec->sh.sh_info && sec->sh.sh_info < shnum) {
			sec->base = elf->secs[sec->sh.sh_info];
			if (sec->sh.sh_type == SHT_RELA && !sec->base->rela &&
			    !(sec->sh.sh_flags & SHF_RELA_LIVEPATCH))
				sec->base->rela = sec;
		}
	}
	return 0;
}

static int read_symbols(struct lpb_elf *elf)
{
	struct lpb_section *symtab = elf->symtab, *xsec = NULL, *sec;
	struct lpb_symbol *file = NULL;
	size_t n, i;

	if (!symtab)
		n = 1;
	else if (symtab->size % sizeof(Elf64_Sym) || !symtab->size) {
		lpb_err("%s: symbol table size %zu is not a multiple of %zu",
			elf->path, symtab->size, sizeof(Elf64_Sym));
		return -EINVAL;
	} else
		n = symtab->size / sizeof(Elf64_Sym);
	lpb_for_each_section(elf, sec) {
		if (sec->sh.sh_type == SHT_SYMTAB_SHNDX && sec->link == symtab)
			xsec = sec;
	}
	if (xsec && xsec->size < n * sizeof(Elf32_Word)) {
		lpb_err("%s: %s is too small for the symbol table", elf->path, xsec->name);
		return -EINVAL;
	}
	elf->syms = calloc(n, sizeof(*elf->syms));
	if (!elf->syms)
		return -ENOMEM;
	elf->syms_cap = n;
	for (i = 0; i < n; i++) {
		struct lpb_symbol *s = calloc(1, sizeof(*s));
		const char *name;
		size_t shndx;
		int ret;

		if (!s)
			return -ENOMEM;
		elf->syms[i] = s;
		elf->nr_syms = i + 1;
		s->elf = elf;
		s->index = i;
		if (!symtab) {
			s->name = strdup("");
			return s->name ? 0 : -ENOMEM;
		}
		memcpy(&s->sym, (const char *)symtab->data + i * sizeof(Elf64_Sym),
		       sizeof(Elf64_Sym));
		name = str_at(elf->strtab, s->sym.st_name);
		if (!name) {
			lpb_err("%s: symbol %zu has a bad name offset %u", elf->path,
				i, s->sym.st_name);
			return -EINVAL;
		}
		shndx = s->sym.st_shndx;
		if (shndx == SHN_XINDEX && xsec) {
			Elf32_Word w;

			memcpy(&w, (const char *)xsec->data + i * sizeof(w), sizeof(w));
			shndx = w;
		} else if (shndx >= SHN_LORESERVE) {
			s->shndx = shndx;
			shndx = 0;
		}
		if (shndx) {
			if (shndx >= elf->nr_secs) {
				lpb_err("%s: symbol %s (%zu) is in section %zu, but there are only %zu sections",
					elf->path, name, i, shndx, elf->nr_secs);
				return -EINVAL;
			}
			s->sec = elf->secs[shndx];
		}
		/* section symbols are unnamed: give them their section's name
		 * so messages and lookups can say what they point at */
		if (lpb_sym_type(s) == STT_SECTION && s->sec && !*name) {
			name = s->sec->name;
			if (!s->sec->secsym)
				s->sec->secsym = s;
		}
		s->name = strdup(name);
		if (!s->name)
			return -ENOMEM;
		if (lpb_sym_type(s) == STT_FILE)
			file = s;
		else if (lpb_sym_bind(s) == STB_LOCAL)
			s->file = file;
		if (i) {
			ret = lpb_hash_add(&elf->sym_names, &s->name_node,
					   lpb_str_hash(s->name));
			if (ret)
				return ret;
		}
	}
	lpb_for_each_section(elf, sec) {
		if (sec->sh.sh_type == SHT_GROUP && sec->sh.sh_info < elf->nr_syms)
			sec->info_sym = elf->syms[sec->sh.sh_info];
	}
	return 0;
}

struct lpb_elf *lpb_elf_open(const char *path, unsigned int flags)
{
	struct lpb_elf *elf = calloc(1, sizeof(*elf));
	struct lpb_section *sec;
	struct stat st;

	if (!elf) {
		lpb_err("%s: out of memory", path);
		return NULL;
	}
	elf->fd = -1;
	elf->path = strdup(path);
	if (!elf->path)
		goto err;
	elf_version(EV_CURRENT);
	elf->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (elf->fd < 0) {
		lpb_err("%s: cannot open: %s", path, strerror(errno));
		goto err;
	}
	if (fstat(elf->fd, &st) || !S_ISREG(st.st_mode)) {
		lpb_err("%s: not a regular file", path);
		goto err;
	}
	elf->file_size = st.st_size;
	elf->elf = elf_begin(elf->fd, ELF_C_READ_MMAP, NULL);
	if (!elf->elf || elf_kind(elf->elf) != ELF_K_ELF) {
		lpb_err("%s: not an ELF file", path);
		goto err;
	}
	if (gelf_getclass(elf->elf) != ELFCLASS64 || !gelf_getehdr(elf->elf, &elf->ehdr)) {
		lpb_err("%s: not a 64-bit ELF file", path);
		goto err;
	}
	if (elf->ehdr.e_ident[EI_DATA] != ELFDATA2LSB || elf->ehdr.e_machine != EM_X86_64) {
		lpb_err("%s: ELF file for machine %u, expected x86_64 (%u, little-endian)",
			path, elf->ehdr.e_machine, EM_X86_64);
		goto err;
	}
	if (read_sections(elf) || read_symbols(elf))
		goto err;
	if (!(flags & LPB_ELF_LAZY_RELOCS)) {
		lpb_for_each_section(elf, sec) {
			if (sec->sh.sh_type == SHT_RELA && sec->link == elf->symtab &&
			    lpb_section_load_relocs(sec))
				goto err;
		}
	}
	return elf;
err:
	lpb_elf_free(elf);
	return NULL;
}
