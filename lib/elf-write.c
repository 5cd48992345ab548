// SPDX-License-Identifier: GPL-2.0-only
/* Editing the lib/ ELF model (new sections, symbols, relocations, deletion)
 * and writing it back as a relocatable object, atomically (temp + rename). */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lpb-elf.h"
#include "log.h"

static int grow_array(void **arr, size_t *cap, size_t need, size_t elem)
{
	size_t ncap = *cap ? *cap : 16;
	void *p;

	if (need <= *cap)
		return 0;
	while (ncap < need)
		ncap *= 2;
	p = realloc(*arr, ncap * elem);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = ncap;
	return 0;
}

struct lpb_elf *lpb_elf_new(const char *path, const struct lpb_elf *like)
{
	struct lpb_elf *elf = calloc(1, sizeof(*elf));

	if (!elf)
		goto err;
	elf->fd = -1;
	elf->path = strdup(path);
	if (!elf->path)
		goto err;
	if (like) {
		elf->ehdr = like->ehdr;
	} else {
		memcpy(elf->ehdr.e_ident, ELFMAG, SELFMAG);
		elf->ehdr.e_ident[EI_CLASS] = ELFCLASS64;
		elf->ehdr.e_ident[EI_DATA] = ELFDATA2LSB;
		elf->ehdr.e_ident[EI_VERSION] = EV_CURRENT;
		elf->ehdr.e_machine = EM_X86_64;
		elf->ehdr.e_version = EV_CURRENT;
	}
	elf->ehdr.e_type = ET_REL;
	elf->ehdr.e_entry = 0;
	elf->ehdr.e_phoff = 0;
	elf->ehdr.e_phnum = 0;
	if (grow_array((void **)&elf->secs, &elf->secs_cap, 1, sizeof(*elf->secs)) ||
	    grow_array((void **)&elf->syms, &elf->syms_cap, 1, sizeof(*elf->syms)))
		goto err;
	elf->secs[0] = calloc(1, sizeof(**elf->secs));
	elf->syms[0] = calloc(1, sizeof(**elf->syms));
	if (!elf->secs[0] || !elf->syms[0])
		goto err;
	elf->nr_secs = elf->nr_syms = 1;
	elf->secs[0]->elf = elf;
	elf->syms[0]->elf = elf;
	elf->syms[0]->name = strdup("");
	if (!elf->syms[0]->name)
		goto err;
	return elf;
err:
	lpb_err("%s: out of memory", path);
	lpb_elf_free(elf);
	return NULL;
}

struct lpb_section *lpb_elf_add_section(struct lpb_elf *elf, const char *name,
					uint32_t type, uint64_t flags,
					uint64_t align, uint64_t entsize,
					const void *data, size_t size)
{
	struct lpb_section *sec;

	if (grow_array((void **)&elf->secs, &elf->secs_cap, elf->nr_secs + 1,
		       sizeof(*elf->secs)))
		goto nomem;
	sec = calloc(1, sizeof(*sec));
	if (!sec)
		goto nomem;
	sec->elf = elf;
	sec->name = strdup(name);
	if (!sec->name) {
		free(sec);
		goto nomem;
	}
	sec->sh.sh_type = type;
	sec->sh.sh_flags = flags;
	sec->sh.sh_addralign = align ? align : 1;
	sec->sh.sh_entsize = entsize;
	sec->size = sec->sh.sh_size = size;
	sec->by_addr_valid = false;
	if (type != SHT_NOBITS && size) {
		sec->data = malloc(size);
		if (!sec->data) {
			free(sec->name);
			free(sec);
			goto nomem;
		}
		if (data)
			memcpy(sec->data, data, size);
		else
			memset(sec->data, 0, size);
		sec->data_owned = true;
	}
	if (type == SHT_RELA)
		sec->relocs_loaded = true;
	sec->index = elf->nr_secs;
	elf->secs[elf->nr_secs++] = sec;
	if (lpb_hash_add(&elf->sec_names, &sec->name_node, lpb_str_hash(sec->name))) {
		elf->nr_secs--;
		free(sec->data);
		free(sec->name);
		free(sec);
		goto nomem;
	}
	return sec;
nomem:
	lpb_err("%s: out of memory adding section %s", elf->path, name);
	return NULL;
}

static struct lpb_section *ensure_symtab(struct lpb_elf *elf)
{
	if (elf->symtab)
		return elf->symtab;
	if (!elf->strtab) {
		elf->strtab = lpb_elf_add_section(elf, ".strtab", SHT_STRTAB, 0, 1,
						  0, "", 1);
		if (!elf->strtab)
			return NULL;
	}
	elf->symtab = lpb_elf_add_section(elf, ".symtab", SHT_SYMTAB, 0, 8,
					  sizeof(Elf64_Sym), NULL, 0);
	if (elf->symtab)
		elf->symtab->link = elf->strtab;
	return elf->symtab;
}

struct lpb_section *lpb_elf_add_rela_section(struct lpb_elf *elf,
					     struct lpb_section *base,
					     const char *name, uint64_t flags)
{
	struct lpb_section *rela;
	char *buf = NULL;

	if (!name && base->rela && !base->rela->deleted) {
		if (lpb_section_load_relocs(base->rela))
			return NULL;
		return base->rela;
	}
	if (!ensure_symtab(elf))
		return NULL;
	if (!name) {
		if (asprintf(&buf, ".rela%s", base->name) < 0) {
			lpb_err("%s: out of memory", elf->path);
			return NULL;
		}
		name = buf;
	}
	rela = lpb_elf_add_section(elf, name, SHT_RELA, flags | SHF_INFO_LINK, 8,
				   sizeof(Elf64_Rela), NULL, 0);
	free(buf);
	if (!rela)
		return NULL;
	rela->base = base;
	rela->link = elf->symtab;
	if (!(flags & SHF_RELA_LIVEPATCH) && (!base->rela || base->rela->deleted))
		base->rela = rela;
	return rela;
}

int lpb_section_set_data(struct lpb_section *sec, const void *data, size_t size)
{
	void *p = NULL;

	if (sec->sh.sh_type != SHT_NOBITS && size) {
		p = malloc(size);
		if (!p) {
			lpb_err("%s: section %s: out of memory", sec->elf->path, sec->name);
			return -ENOMEM;
		}
		if (data)
			memcpy(p, data, size);
		else
			memset(p, 0, size);
	}
	if (sec->data_owned)
		free(sec->data);
	sec->data = p;
	sec->data_owned = p != NULL;
	sec->size = sec->sh.sh_size = size;
	return 0;
}

int64_t lpb_section_append(struct lpb_section *sec, const void *data,
			   size_t size, uint64_t align)
{
	size_t off = sec->size, nsize;
	unsigned char *p;

	if (align > 1)
		off = (off + align - 1) & ~(align - 1);
	nsize = off + size;
	if (align > sec->sh.sh_addralign)
		sec->sh.sh_addralign = align;
	if (sec->sh.sh_type == SHT_NOBITS) {
		sec->size = sec->sh.sh_size = nsize;
		return off;
	}
	if (sec->data_owned) {
		p = realloc(sec->data, nsize ? nsize : 1);
	} else {
		p = malloc(nsize ? nsize : 1);
		if (p && sec->size)
			memcpy(p, sec->data, sec->size);
	}
	if (!p) {
		lpb_err("%s: section %s: out of memory", sec->elf->path, sec->name);
		return -ENOMEM;
	}
	memset(p + sec->size, 0, off - sec->size);
	if (data)
		memcpy(p + off, data, size);
	else
		memset(p + off, 0, size);
	sec->data = p;
	sec->data_owned = true;
	sec->size = sec->sh.sh_size = nsize;
	return off;
}

static struct lpb_symbol *add_symbol(struct lpb_elf *elf, const char *name,
				     unsigned int bind, unsigned int type,
				     struct lpb_section *sec, uint32_t shndx,
				     uint64_t value, uint64_t size)
{
	struct lpb_symbol *s;

	if (!ensure_symtab(elf))
		return NULL;
	if (grow_array((void **)&elf->syms, &elf->syms_cap, elf->nr_syms + 1,
		       sizeof(*elf->syms)))
		goto nomem;
	s = calloc(1, sizeof(*s));
	if (!s)
		goto nomem;
	s->name = strdup(name);
	if (!s->name) {
		free(s);
		goto nomem;
	}
	s->elf = elf;
	s->sec = sec;
	s->shndx = sec ? 0 : shndx;
	s->sym.st_info = GELF_ST_INFO(bind, type);
	s->sym.st_value = value;
	s->sym.st_size = size;
	s->index = elf->nr_syms;
	if (lpb_hash_add(&elf->sym_names, &s->name_node, lpb_str_hash(s->name))) {
		free(s->name);
		free(s);
		goto nomem;
	}
	elf->syms[elf->nr_syms++] = s;
	if (sec) {
		sec->by_addr_valid = false;
		if (type == STT_SECTION && !sec->secsym)
			sec->secsym = s;
	}
	return s;
nomem:
	lpb_err("%s: out of memory adding symbol %s", elf->path, name);
	return NULL;
}

struct lpb_symbol *lpb_elf_add_symbol(struct lpb_elf *elf, const char *name,
				      unsigned int bind, unsigned int type,
				      struct lpb_section *sec, uint64_t value,
				      uint64_t size)
{
	return add_symbol(elf, name, bind, type, sec, SHN_UNDEF, value, size);
}

struct lpb_symbol *lpb_elf_add_symbol_shndx(struct lpb_elf *elf,
					    const char *name, unsigned int bind,
					    unsigned int type, uint32_t shndx,
					    uint64_t value, uint64_t size)
{
	return add_symbol(elf, name, bind, type, NULL, shndx, value, size);
}

struct lpb_symbol *lpb_section_symbol(struct lpb_section *sec)
{
	if (sec->secsym && !sec->secsym->deleted)
		return sec->secsym;
	sec->secsym = NULL;
	return lpb_elf_add_symbol(sec->elf, sec->name, STB_LOCAL, STT_SECTION,
				  sec, 0, 0);
}

int lpb_symbol_rename(struct lpb_symbol *sym, const char *name)
{
	struct lpb_elf *elf = sym->elf;
	char *n = strdup(name);

	if (!n) {
		lpb_err("%s: out of memory renaming %s", elf->path, sym->name);
		return -ENOMEM;
	}
	lpb_hash_del(&elf->sym_names, &sym->name_node);
	free(sym->name);
	sym->name = n;
	return lpb_hash_add(&elf->sym_names, &sym->name_node, lpb_str_hash(n));
}

int lpb_reloc_add(struct lpb_section *rela, uint64_t offset, uint32_t type,
		  struct lpb_symbol *sym, int64_t addend)
{
	struct lpb_reloc *r;

	if (rela->sh.sh_type != SHT_RELA || lpb_section_load_relocs(rela))
		return -EINVAL;
	if (grow_array((void **)&rela->relocs, &rela->relocs_cap,
		       rela->nr_relocs + 1, sizeof(*rela->relocs))) {
		lpb_err("%s: section %s: out of memory", rela->elf->path, rela->name);
		return -ENOMEM;
	}
	r = &rela->relocs[rela->nr_relocs++];
	r->offset = offset;
	r->type = type;
	r->sym = sym;
	r->addend = addend;
	return 0;
}

void lpb_reloc_delete(struct lpb_section *rela, size_t i)
{
	if (i >= rela->nr_relocs)
		return;
	memmove(&rela->relocs[i], &rela->relocs[i + 1],
		(rela->nr_relocs - i - 1) * sizeof(*rela->relocs));
	rela->nr_relocs--;
}

void lpb_symbol_delete(struct lpb_symbol *sym)
{
	if (sym->deleted || !sym->index)
		return;
	sym->deleted = true;
	lpb_hash_del(&sym->elf->sym_names, &sym->name_node);
	if (sym->sec) {
		sym->sec->by_addr_valid = false;
		if (sym->sec->secsym == sym)
			sym->sec->secsym = NULL;
	}
}

void lpb_section_delete(struct lpb_section *sec)
{
	struct lpb_elf *elf = sec->elf;
	struct lpb_symbol *s;
	struct lpb_section *r;

	if (sec->deleted || !sec->index)
		return;
	sec->deleted = true;
	lpb_hash_del(&elf->sec_names, &sec->name_node);
	lpb_for_each_symbol(elf, s) {
		if (s->sec == sec)
			lpb_symbol_delete(s);
	}
	/* every RELA section applying to it goes too (.rela and .klp.rela) */
	lpb_for_each_section(elf, r) {
		if (r->base == sec && r->sh.sh_type == SHT_RELA)
			lpb_section_delete(r);
	}
	if (elf->symtab == sec)
		elf->symtab = NULL;
}

/* ---- writing ---- */

struct strtab_buf {
	char *buf;
	size_t len, cap;
};

static int64_t strtab_add(struct strtab_buf *t, const char *s)
{
	size_t n = strlen(s) + 1, off;

	if (!*s)
		return 0;
	if (grow_array((void **)&t->buf, &t->cap, t->len + n, 1))
		return -ENOMEM;
	off = t->len;
	memcpy(t->buf + off, s, n);
	t->len += n;
	return off;
}

static int check_relocs(struct lpb_elf *elf)
{
	struct lpb_section *sec;
	struct lpb_reloc *r;

	lpb_for_each_section(elf, sec) {
		if (sec->sh.sh_type == SHT_REL) {
			lpb_err("%s: section %s: SHT_REL sections cannot be written",
				elf->path, sec->name);
			return -ENOTSUP;
		}
		if (sec->sh.sh_type != SHT_RELA)
			continue;
		if (lpb_section_load_relocs(sec))
			return -EINVAL;
		lpb_for_each_reloc(sec, r) {
			if (r->sym && r->sym->deleted) {
				lpb_err("%s: section %s: relocation at 0x%llx uses deleted symbol %s",
					elf->path, sec->name,
					(unsigned long long)r->offset, r->sym->name);
				return -EINVAL;
			}
		}
	}
	return 0;
}

/* Gives every live section and symbol its output index (locals first, as
 * the ELF spec requires) and drops the deleted ones from the model. */
static int renumber(struct lpb_elf *elf, size_t *first_global)
{
	struct lpb_section **secs;
	struct lpb_symbol **syms;
	size_t i, n = 1, m = 1;
	int pass;

	secs = calloc(elf->nr_secs, sizeof(*secs));
	syms = calloc(elf->nr_syms, sizeof(*syms));
	if (!secs || !syms) {
		free(secs);
		free(syms);
		return -ENOMEM;
	}
	secs[0] = elf->secs[0];
	for (i = 1; i < elf->nr_secs; i++) {
		struct lpb_section *sec = elf->secs[i];

		if (sec->deleted) {
			free(sec->name);
			if (sec->data_owned)
				free(sec->data);
			free(sec->relocs);
			free(sec->by_addr);
			free(sec);
			continue;
		}
		sec->index = n;
		secs[n++] = sec;
	}
	syms[0] = elf->syms[0];
	for (pass = 0; pass < 2; pass++) {
		if (pass == 1)
			*first_global = m;
		for (i = 1; i < elf->nr_syms; i++) {
			struct lpb_symbol *s = elf->syms[i];

			if (!s || s->deleted || (lpb_sym_bind(s) == STB_LOCAL) != !pass)
				continue;
			s->index = m;
			syms[m++] = s;
		}
	}
	for (i = 1; i < elf->nr_syms; i++) {
		if (elf->syms[i]->deleted) {
			free(elf->syms[i]->name);
			free(elf->syms[i]);
		}
	}
	free(elf->secs);
	free(elf->syms);
	elf->secs = secs;
	elf->nr_secs = n;
	elf->secs_cap = elf->nr_secs;
	elf->syms = syms;
	elf->nr_syms = m;
	elf->syms_cap = elf->nr_syms;
	return 0;
}

static int serialize(struct lpb_elf *elf, size_t first_global)
{
	struct strtab_buf shstr = { 0 }, str = { 0 };
	struct lpb_section *sec;
	Elf64_Sym *syms = NULL;
	size_t i;
	int ret = -ENOMEM;

	if (grow_array((void **)&shstr.buf, &shstr.cap, 1, 1) ||
	    grow_array((void **)&str.buf, &str.cap, 1, 1))
		goto out;
	shstr.buf[0] = str.buf[0] = 0;
	shstr.len = str.len = 1;

	syms = calloc(elf->nr_syms, sizeof(*syms));
	if (!syms)
		goto out;
	for (i = 1; i < elf->nr_syms; i++) {
		struct lpb_symbol *s = elf->syms[i];
		int64_t off = lpb_sym_type(s) == STT_SECTION ? 0 : strtab_add(&str, s->name);

		if (off < 0)
			goto out;
		s->sym.st_name = off;
		s->sym.st_shndx = s->sec ? s->sec->index : s->shndx;
		syms[i] = s->sym;
	}
	lpb_for_each_section(elf, sec) {
		int64_t off = strtab_add(&shstr, sec->name);

		if (off < 0)
			goto out;
		sec->sh.sh_name = off;
		sec->sh.sh_link = sec->link && !sec->link->deleted ? sec->link->index : 0;
		if (sec->sh.sh_type == SHT_RELA) {
			Elf64_Rela *out;
			size_t j;

			sec->sh.sh_link = elf->symtab->index;
			sec->sh.sh_info = sec->base ? sec->base->index : 0;
			out = calloc(sec->nr_relocs ? sec->nr_relocs : 1, sizeof(*out));
			if (!out)
				goto out;
			for (j = 0; j < sec->nr_relocs; j++) {
				struct lpb_reloc *r = &sec->relocs[j];

				out[j].r_offset = r->offset;
				out[j].r_info = ELF64_R_INFO(r->sym ? r->sym->index : 0, r->type);
				out[j].r_addend = r->addend;
			}
			if (sec->data_owned)
				free(sec->data);
			sec->data = out;
			sec->data_owned = true;
			sec->size = sec->sh.sh_size = sec->nr_relocs * sizeof(*out);
		} else if (sec->sh.sh_type == SHT_GROUP) {
			sec->sh.sh_info = sec->info_sym ? sec->info_sym->index : 0;
		} else if (sec->base && (sec->sh.sh_flags & SHF_INFO_LINK)) {
			sec->sh.sh_info = sec->base->index;
		}
	}
	elf->symtab->sh.sh_info = first_global;
	elf->symtab->sh.sh_link = elf->strtab->index;
	elf->symtab->sh.sh_entsize = sizeof(Elf64_Sym);
	if (elf->symtab->data_owned)
		free(elf->symtab->data);
	elf->symtab->data = syms;
	elf->symtab->data_owned = true;
	elf->symtab->size = elf->symtab->sh.sh_size = elf->nr_syms * sizeof(*syms);
	syms = NULL;
	if (elf->strtab->data_owned)
		free(elf->strtab->data);
	elf->strtab->data = str.buf;
	elf->strtab->data_owned = true;
	elf->strtab->size = elf->strtab->sh.sh_size = str.len;
	str.buf = NULL;
	/* shstrtab names itself, so its name must be in before it is sized */
	if (elf->shstrtab != elf->strtab) {
		if (elf->shstrtab->data_owned)
			free(elf->shstrtab->data);
		elf->shstrtab->data = shstr.buf;
		elf->shstrtab->data_owned = true;
		elf->shstrtab->size = elf->shstrtab->sh.sh_size = shstr.len;
		shstr.buf = NULL;
	}
	ret = 0;
out:
	free(shstr.buf);
	free(str.buf);
	free(syms);
	if (ret == -ENOMEM)
		lpb_err("%s: out of memory writing", elf->path);
	return ret;
}

static int emit(struct lpb_elf *elf, int fd)
{
	Elf *e;

	/* a model made with lpb_elf_new() may be the first use of libelf */
	elf_version(EV_CURRENT);
	e = elf_begin(fd, ELF_C_WRITE, NULL);
	struct lpb_section *sec;
	GElf_Ehdr eh;

	if (!e || !gelf_newehdr(e, ELFCLASS64))
		goto err;
	eh = elf->ehdr;
	eh.e_type = ET_REL;
	eh.e_phoff = eh.e_shoff = 0;
	eh.e_phnum = 0;
	eh.e_shnum = 0;
	eh.e_shstrndx = elf->shstrtab->index;
	if (!gelf_update_ehdr(e, &eh))
		goto err;
	lpb_for_each_section(elf, sec) {
		Elf_Scn *scn = elf_newscn(e);
		Elf_Data *d;
		GElf_Shdr sh;

		if (!scn || !(d = elf_newdata(scn)))
			goto err;
		d->d_buf = sec->sh.sh_type == SHT_NOBITS ? NULL : sec->data;
		d->d_size = sec->size;
		d->d_type = ELF_T_BYTE;
		d->d_align = sec->sh.sh_addralign ? sec->sh.sh_addralign : 1;
		d->d_version = EV_CURRENT;
		d->d_off = 0;
		if (!gelf_getshdr(scn, &sh))
			goto err;
		sh = sec->sh;
		sh.sh_offset = 0;
		sh.sh_addr = 0;
		sh.sh_size = sec->size;
		if (!gelf_update_shdr(scn, &sh))
			goto err;
	}
	if (elf_update(e, ELF_C_WRITE) < 0)
		goto err;
	elf_end(e);
	return 0;
err:
	lpb_err("%s: libelf failed writing: %s", elf->path, elf_errmsg(-1));
	if (e)
		elf_end(e);
	return -EIO;
}

/* Group member words are section indices: turn them into section pointers
 * before renumbering and back into (new) indices after it. */
struct group_map {
	struct lpb_section *group;
	struct lpb_section **members;
	size_t nr;
};

static int groups_save(struct lpb_elf *elf, struct group_map **maps, size_t *nr)
{
	struct lpb_section *sec;
	size_t cap = 0;

	*maps = NULL;
	*nr = 0;
	lpb_for_each_section(elf, sec) {
		struct group_map *g;
		size_t i, n;

		if (sec->sh.sh_type != SHT_GROUP)
			continue;
		if (sec->size % 4 || !sec->data) {
			lpb_err("%s: group section %s has a bad size", elf->path, sec->name);
			return -EINVAL;
		}
		if (grow_array((void **)maps, &cap, *nr + 1, sizeof(**maps)))
			return -ENOMEM;
		g = &(*maps)[(*nr)++];
		n = sec->size / 4;
		g->group = sec;
		g->nr = n;
		g->members = calloc(n, sizeof(*g->members));
		if (!g->members)
			return -ENOMEM;
		for (i = 1; i < n; i++) {
			uint32_t w;

			memcpy(&w, (char *)sec->data + i * 4, 4);
			if (w >= elf->nr_secs) {
				lpb_err("%s: group %s names section %u, which does not exist",
					elf->path, sec->name, w);
				return -EINVAL;
			}
			/* deleted members are dropped now: renumber() frees them */
			g->members[i] = elf->secs[w]->deleted ? NULL : elf->secs[w];
		}
	}
	return 0;
}

static int groups_restore(struct lpb_elf *elf, struct group_map *maps, size_t nr)
{
	size_t k, i;

	for (k = 0; k < nr; k++) {
		struct group_map *g = &maps[k];
		uint32_t *words = calloc(g->nr, 4), n = 1;

		if (!words)
			return -ENOMEM;
		memcpy(words, g->group->data, 4);
		for (i = 1; i < g->nr; i++)
			if (g->members[i])
				words[n++] = g->members[i]->index;
		if (g->group->data_owned)
			free(g->group->data);
		g->group->data = words;
		g->group->data_owned = true;
		g->group->size = g->group->sh.sh_size = n * 4;
	}
	return 0;
}

static void groups_free(struct group_map *maps, size_t nr)
{
	size_t k;

	for (k = 0; k < nr; k++)
		free(maps[k].members);
	free(maps);
}

int lpb_elf_write(struct lpb_elf *elf, const char *path)
{
	struct group_map *groups = NULL;
	size_t nr_groups = 0;
	size_t first_global = 1;
	char *tmp = NULL, *dup = NULL;
	struct lpb_section *sec;
	int fd = -1, ret;

	if (elf->ehdr.e_type != ET_REL) {
		lpb_err("%s: only relocatable objects (ET_REL) can be written", elf->path);
		return -ENOTSUP;
	}
	if (!ensure_symtab(elf))
		return -ENOMEM;
	if (!elf->shstrtab || elf->shstrtab->deleted) {
		elf->shstrtab = lpb_elf_add_section(elf, ".shstrtab", SHT_STRTAB, 0, 1,
						    0, "", 1);
		if (!elf->shstrtab)
			return -ENOMEM;
	}
	if (!elf->strtab || elf->strtab->deleted) {
		lpb_err("%s: the symbol string table was deleted", elf->path);
		return -EINVAL;
	}
	/* extended symbol section indices are regenerated only when needed,
	 * and with fewer than SHN_LORESERVE sections they never are */
	lpb_for_each_section(elf, sec) {
		if (sec->sh.sh_type == SHT_SYMTAB_SHNDX)
			lpb_section_delete(sec);
	}
	ret = check_relocs(elf);
	if (ret)
		return ret;
	ret = groups_save(elf, &groups, &nr_groups);
	if (!ret)
		ret = renumber(elf, &first_global);
	if (!ret)
		ret = groups_restore(elf, groups, nr_groups);
	groups_free(groups, nr_groups);
	if (ret) {
		lpb_err("%s: cannot renumber sections and symbols", elf->path);
		return ret;
	}
	if (elf->nr_secs >= SHN_LORESERVE) {
		lpb_err("%s: %zu sections: writing extended section numbering is not supported",
			elf->path, elf->nr_secs);
		return -ENOTSUP;
	}
	ret = serialize(elf, first_global);
	if (ret)
		return ret;

	dup = strdup(path);
	if (!dup || asprintf(&tmp, "%s/.%s.XXXXXX", dirname(dup),
			     strrchr(path, '/') ? strrchr(path, '/') + 1 : path) < 0) {
		tmp = NULL;
		ret = -ENOMEM;
		lpb_err("%s: out of memory", path);
		goto out;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		ret = -errno;
		lpb_err("%s: cannot create a temporary file: %s", path, strerror(errno));
		goto out;
	}
	ret = emit(elf, fd);
	if (!ret && fchmod(fd, 0644))
		ret = -errno;
	if (close(fd) && !ret) {
		ret = -errno;
		lpb_err("%s: write failed: %s", path, strerror(-ret));
	}
	fd = -1;
	if (!ret && rename(tmp, path)) {
		ret = -errno;
		lpb_err("%s: cannot rename %s into place: %s", path, tmp, strerror(-ret));
	}
	if (ret)
		unlink(tmp);
out:
	free(tmp);
	free(dup);
	return ret;
}
