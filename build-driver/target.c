// SPDX-License-Identifier: GPL-2.0-only
/* The target kernel's identity, read from its debug vmlinux: the banner
 * (release + version string), the compiler (.comment), the ABI label. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lpb-elf.h"
#include "target.h"
#include "util.h"

int target_parse_banner(const char *banner, char **release, char **version)
{
	static const char prefix[] = "Linux version ";
	const char *r, *v;

	if (strncmp(banner, prefix, sizeof(prefix) - 1))
		return -1;
	r = banner + sizeof(prefix) - 1;
	v = strchr(r, ' ');
	if (!v)
		return -1;
	*release = strndup(r, v - r);
	/*
	 * The version string (UTS_VERSION) follows the compiler, which is in
	 * parentheses and may nest them: it is the text after the last ") #".
	 */
	v = NULL;
	for (const char *p = strstr(r, ") #"); p; p = strstr(p + 1, ") #"))
		v = p + 2;
	if (!v) {
		free(*release);
		return -1;
	}
	*version = strndup(v, strcspn(v, "\n"));
	return 0;
}

char *target_label(const char *release, const char *version)
{
	const char *p = release, *abi_end, *build = version;
	size_t build_len = 0;

	/* ABI: the numeric version plus the first "-N" group, if any. */
	p += strspn(p, "0123456789.");
	abi_end = p;
	if (*p == '-' && isdigit((unsigned char)p[1])) {
		p++;
		p += strspn(p, "0123456789");
		abi_end = p;
	}
	if (*build == '#')
		build++;
	build_len = strspn(build, "0123456789");
	if (!build_len)
		build = "0", build_len = 1;
	if (*abi_end == '-' || *abi_end == '+' || *abi_end == '_')
		return xasprintf("%.*s.%.*s-%s", (int)(abi_end - release), release,
				 (int)build_len, build, abi_end + 1);
	if (*abi_end)
		return xasprintf("%.*s.%.*s-%s", (int)(abi_end - release), release,
				 (int)build_len, build, abi_end);
	return xasprintf("%s.%.*s", release, (int)build_len, build);
}

/* Bytes of the object @sym points to in a linked (ET_EXEC) file. */
static const char *symbol_bytes(struct lpb_elf *elf, struct lpb_symbol *sym, size_t *len)
{
	struct lpb_section *sec = sym->sec;
	uint64_t off;

	if (!sec || !sec->data || sym->sym.st_value < sec->sh.sh_addr)
		return NULL;
	off = sym->sym.st_value - sec->sh.sh_addr;
	if (off >= sec->size)
		return NULL;
	*len = sec->size - off;
	if (sym->sym.st_size && sym->sym.st_size < *len)
		*len = sym->sym.st_size;
	return (const char *)sec->data + off;
}

static char *read_banner(struct lpb_elf *elf)
{
	struct lpb_symbol *sym = lpb_find_symbol(elf, "linux_banner");
	const char *p;
	size_t len;

	if (!sym) {
		fprintf(stderr, "lp-build: %s has no linux_banner symbol: is it an unstripped "
			"(debug) vmlinux?\n", elf->path);
		return NULL;
	}
	p = symbol_bytes(elf, sym, &len);
	if (!p || !memchr(p, 0, len)) {
		fprintf(stderr, "lp-build: cannot read linux_banner in %s\n", elf->path);
		return NULL;
	}
	return strndup(p, strcspn(p, "\n"));
}

/* The first "GCC: " string of .comment, without the prefix. */
static char *read_compiler(struct lpb_elf *elf)
{
	struct lpb_section *sec = lpb_find_section(elf, ".comment");
	const char *p, *end;

	if (!sec || !sec->data)
		return NULL;
	p = sec->data;
	end = p + sec->size;
	while (p < end) {
		size_t n = strnlen(p, end - p);

		if (n > 5 && !strncmp(p, "GCC: ", 5))
			return strndup(p + 5, n - 5);
		p += n + 1;
	}
	return NULL;
}

int target_read(struct target *t, const char *vmlinux)
{
	struct lpb_elf *elf;

	*t = (struct target){ 0 };
	t->vmlinux = real_path(vmlinux);
	if (!t->vmlinux)
		return -1;
	elf = lpb_elf_open(t->vmlinux, LPB_ELF_LAZY_RELOCS);
	if (!elf)
		return -1;
	t->banner = read_banner(elf);
	t->compiler = read_compiler(elf);
	lpb_elf_free(elf);
	if (!t->banner)
		return -1;
	if (target_parse_banner(t->banner, &t->release, &t->version)) {
		fprintf(stderr, "lp-build: cannot parse the banner of %s: \"%s\"\n", vmlinux,
			t->banner);
		return -1;
	}
	t->label = target_label(t->release, t->version);
	return 0;
}

void target_free(struct target *t)
{
	free(t->vmlinux);
	free(t->banner);
	free(t->release);
	free(t->version);
	free(t->label);
	free(t->compiler);
	*t = (struct target){ 0 };
}
