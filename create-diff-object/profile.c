// SPDX-License-Identifier: GPL-2.0-only
/* The object's conventions, detected from the object itself rather than
 * assumed from a kernel version: padding, prefix symbols, ENDBR, objtool's
 * tables, .fixup, the export and dynamic-debug forms, table layouts. */
#include <string.h>

#include "cdo.h"
#include "json.h"
#include "special.h"

static const uint8_t endbr64[4] = { 0xf3, 0x0f, 0x1e, 0xfa };

/* Sections only objtool writes: their presence says it ran on the object
 * (a 6.12 vmlinux object has none of them: with X86_KERNEL_IBT objtool
 * runs on vmlinux.o instead). */
static const char *const objtool_sections[] = {
	".orc_unwind", ".orc_unwind_ip", ".return_sites", ".retpoline_sites", ".call_sites",
	".ibt_endbr_seal", ".static_call_sites",
};

/* The forms each convention takes: the first symbol prefix found names it. */
static const struct {
	const char *what, *prefix, *name;
} marks[] = {
	{ "exports", "__export_symbol_", ".export_symbol (6.5+)" },
	{ "exports", "__ksymtab_", "__ksymtab (up to 6.4)" },
	{ "dynamic_debug", "__UNIQUE_ID_ddebug", "__UNIQUE_ID_ddebug" },
	{ "dynamic_debug", "descriptor.", "descriptor.N" },
};

static bool starts(const char *s, const char *p)
{
	return !strncmp(s, p, strlen(p));
}

void cdo_profile(struct cdo *c, struct cdo_profile *p)
{
	struct lpb_elf *e = c->orig;
	struct lpb_section *sec;
	struct lpb_symbol *s;
	size_t i;

	memset(p, 0, sizeof(*p));
	lpb_for_each_symbol(e, s) {
		const uint8_t *b;

		if (!s->priv || !lpb_is_func(s) || !s->sec)
			continue;
		if (Y(s)->prefix_of) {
			p->prefix_symbols++;
			continue;
		}
		p->functions++;
		if (Y(s)->pad && Y(s)->pad > p->padding)
			p->padding = Y(s)->pad;
		b = lpb_section_data(s->sec);
		if (b && s->sym.st_size >= 4 && s->sym.st_value + 4 <= s->sec->size &&
		    !memcmp(b + s->sym.st_value, endbr64, 4))
			p->endbr++;
		if (cdo_has_fentry(s))
			p->fentry++;
	}
	lpb_for_each_section(e, sec) {
		for (i = 0; i < sizeof(objtool_sections) / sizeof(*objtool_sections); i++)
			if (!strcmp(sec->name, objtool_sections[i]))
				p->objtool = true;
		if (cdo_is_fragmented(sec))
			p->fragments += cdo_fragment_count(sec);
	}
	for (i = 0; i < sizeof(marks) / sizeof(*marks); i++) {
		const char **slot = !strcmp(marks[i].what, "exports") ? &p->exports : &p->dyndbg;

		if (*slot)
			continue;
		lpb_for_each_symbol(e, s) {
			if (!lpb_is_section_sym(s) && starts(s->name, marks[i].prefix)) {
				*slot = marks[i].name;
				break;
			}
		}
	}
}

void cdo_profile_json(struct cdo *c, struct json_writer *w)
{
	struct cdo_profile p;
	size_t i;

	cdo_profile(c, &p);
	jw_begin_object(w, "profile");
	jw_int(w, "functions", p.functions);
	jw_int(w, "function_padding", p.padding);
	jw_int(w, "prefix_symbols", p.prefix_symbols);
	jw_int(w, "endbr", p.endbr);
	jw_int(w, "fentry", p.fentry);
	jw_bool(w, "objtool", p.objtool);
	jw_int(w, "fixup_fragments", p.fragments);
	jw_string(w, "exports", p.exports);
	jw_string(w, "dynamic_debug", p.dyndbg);
	jw_begin_array(w, "tables");
	for (i = 0; c->tables && i < c->tables->nr[0]; i++) {
		const struct cdo_table *t = &c->tables->t[0][i];

		jw_begin_object(w, NULL);
		jw_string(w, "section", t->sec->name);
		jw_string(w, "struct", t->d->type);
		jw_int(w, "entry_size", t->entsize);
		jw_string(w, "size_from", t->size_from);
		jw_int(w, "entries", t->nr);
		jw_int(w, "unpadded_final_entry", t->short_last);
		jw_end_object(w);
	}
	jw_end_array(w);
	jw_end_object(w);
}

void cdo_profile_say(struct cdo *c)
{
	struct cdo_profile p;

	if (c->opts->verbose < 1)
		return;
	cdo_profile(c, &p);
	cdo_verbose(c, "%s: %zu functions, padding %u bytes, %zu __pfx_ symbols, %zu with ENDBR, %zu with __fentry__, objtool %s, %zu .fixup fragments, exports %s, dynamic debug %s",
		    c->orig->path, p.functions, p.padding, p.prefix_symbols, p.endbr, p.fentry,
		    p.objtool ? "ran" : "did not run", p.fragments,
		    p.exports ? p.exports : "none seen", p.dyndbg ? p.dyndbg : "none seen");
}
