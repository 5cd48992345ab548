// SPDX-License-Identifier: GPL-2.0-only
/* What create-diff-object tells its caller: a short summary for people and
 * the --json document (stable keys, listed in create-diff-object(1)). */
#include <stdlib.h>
#include <string.h>

#include "cdo.h"
#include "exit-codes.h"
#include "log.h"

static void jstr(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char ch = *s;

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch == '\n')
			fputs("\\n", f);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

static const char *result_name(int code)
{
	switch (code) {
	case LPB_EXIT_OK:
		return "changed";
	case LPB_EXIT_NO_CHANGE:
		return "no-change";
	case LPB_EXIT_UNPATCHABLE:
		return "refused";
	default:
		return "error";
	}
}

static void sep(FILE *f, bool *first)
{
	fputs(*first ? "\n    " : ",\n    ", f);
	*first = false;
}

static void end_list(FILE *f, bool first)
{
	fputs(first ? "]" : "\n  ]", f);
}

static void json_symbols(FILE *f, struct cdo *c, const char *key, bool funcs,
			 enum cdo_status st)
{
	struct lpb_symbol *p;
	bool first = true;

	fprintf(f, ",\n  \"%s\": [", key);
	lpb_for_each_symbol(c->patched, p) {
		struct cdo_sym *y = p->priv;

		if (!y || !p->sec || y->status != st || lpb_is_func(p) != funcs ||
		    (!lpb_is_func(p) && !lpb_is_object(p)))
			continue;
		if (S(p->sec)->kind != K_TEXT && S(p->sec)->kind != K_DATA)
			continue;
		sep(f, &first);
		fputs("{\"name\": ", f);
		jstr(f, p->name);
		if (st == CDO_CHANGED && funcs) {
			unsigned int sympos = 0;

			fputs(", \"old_name\": ", f);
			jstr(f, y->twin ? y->twin->name : p->name);
			if (y->twin && y->patch)
				cdo_resolve_sympos(c, y->twin, &sympos);
			fprintf(f, ", \"sympos\": %u, \"patched\": %s, \"via_child\": %s"
				", \"via_callers\": %s",
				sympos, y->patch ? "true" : "false",
				y->changed_by_child ? "true" : "false",
				y->via_callers ? "true" : "false");
			if (y->parent) {
				fputs(", \"parent\": ", f);
				jstr(f, y->parent->name);
			}
		}
		fputs(", \"section\": ", f);
		jstr(f, p->sec->name);
		fputc('}', f);
	}
	end_list(f, first);
}

static void json_notes(FILE *f, const char *key, struct cdo_list *l, const char *k1,
		       const char *k2)
{
	bool first = true;
	size_t i;

	fprintf(f, ",\n  \"%s\": [", key);
	for (i = 0; i < l->nr; i++) {
		struct cdo_note *n = (struct cdo_note *)l->v + i;

		sep(f, &first);
		fprintf(f, "{\"%s\": ", k1);
		jstr(f, n->name);
		fprintf(f, ", \"%s\": ", k2);
		jstr(f, n->detail);
		fputc('}', f);
	}
	end_list(f, first);
}

static void json(FILE *f, struct cdo *c, int code)
{
	bool first = true;
	size_t i;

	fputs("{\n  \"version\": 1", f);
	fputs(",\n  \"orig\": ", f);
	jstr(f, c->opts->orig);
	fputs(",\n  \"patched\": ", f);
	jstr(f, c->opts->patched);
	fputs(",\n  \"objname\": ", f);
	jstr(f, c->objname);
	fputs(",\n  \"result\": ", f);
	jstr(f, result_name(code));
	fprintf(f, ",\n  \"exit_code\": %d", code);
	if (code == LPB_EXIT_ERROR || !c->patched) {
		fputs("\n}\n", f);
		return;
	}
	json_symbols(f, c, "changed_functions", true, CDO_CHANGED);
	json_symbols(f, c, "new_functions", true, CDO_NEW);
	json_symbols(f, c, "changed_data", false, CDO_CHANGED);
	json_symbols(f, c, "new_data", false, CDO_NEW);
	json_notes(f, "included", &c->included, "name", "why");
	json_notes(f, "ignored", &c->ignored, "name", "reason");
	json_notes(f, "frozen_dynamic_debug", &c->frozen, "function", "descriptor");
	json_notes(f, "callbacks", &c->callbacks, "kind", "function");
	fputs(",\n  \"refusals\": [", f);
	for (i = 0; i < c->refusals.nr; i++) {
		struct cdo_refusal *r = (struct cdo_refusal *)c->refusals.v + i;

		sep(f, &first);
		fputs("{\"symbol\": ", f);
		jstr(f, r->symbol);
		fputs(", \"reason\": ", f);
		jstr(f, r->reason);
		fputs(", \"advice\": ", f);
		jstr(f, r->advice);
		fputc('}', f);
	}
	end_list(f, first);
	first = true;
	fputs(",\n  \"klp_relocations\": [", f);
	for (i = 0; i < c->klps.nr; i++) {
		struct cdo_klp *k = (struct cdo_klp *)c->klps.v + i;

		sep(f, &first);
		fputs("{\"section\": ", f);
		jstr(f, k->section);
		fprintf(f, ", \"offset\": %llu, \"type\": ", (unsigned long long)k->offset);
		jstr(f, cdo_reloc_name(k->type));
		fprintf(f, ", \"addend\": %lld, \"symbol\": ", (long long)k->addend);
		jstr(f, k->symbol);
		fputs(", \"objname\": ", f);
		jstr(f, c->objname);
		fprintf(f, ", \"sympos\": %u}", k->sympos);
	}
	end_list(f, first);
	first = true;
	fputs(",\n  \"exported_references\": [", f);
	for (i = 0; i < c->exported.nr; i++) {
		sep(f, &first);
		jstr(f, ((char **)c->exported.v)[i]);
	}
	end_list(f, first);
	first = true;
	fputs(",\n  \"removed_functions\": [", f);
	for (i = 0; i < c->removed.nr; i++) {
		sep(f, &first);
		jstr(f, ((char **)c->removed.v)[i]);
	}
	end_list(f, first);
	fputs("\n}\n", f);
}

int cdo_report(struct cdo *c, int code, FILE *human)
{
	size_t i;

	if (human && c->patched && code != LPB_EXIT_ERROR) {
		struct lpb_symbol *p;

		lpb_for_each_symbol(c->patched, p) {
			struct cdo_sym *y = p->priv;

			if (!y || !p->sec || !lpb_is_func(p))
				continue;
			if (y->status == CDO_CHANGED)
				fprintf(human, "changed function: %s%s\n", p->name,
					y->via_callers ? " (notrace: copied, its callers are patched)" :
					y->patch ? "" : " (part of its parent)");
			else if (y->status == CDO_NEW && y->include)
				fprintf(human, "new function: %s\n", p->name);
		}
		for (i = 0; i < c->ignored.nr; i++)
			fprintf(human, "ignored: %s (%s)\n",
				((struct cdo_note *)c->ignored.v)[i].name,
				((struct cdo_note *)c->ignored.v)[i].detail);
		for (i = 0; i < c->frozen.nr;) {
			const struct cdo_note *fr = c->frozen.v;
			size_t k = i;

			while (k < c->frozen.nr && !strcmp(fr[k].name, fr[i].name))
				k++;
			fprintf(human, "note: %zu pr_debug()/dev_dbg() site(s) in %s stay as built "
				"(off unless the file defines DEBUG) while patched: their switches "
				"(%s%s) are in module %s, which the livepatch's jump labels cannot "
				"name\n", k - i, fr[i].name, fr[i].detail, k - i > 1 ? ", ..." : "",
				c->objname);
			i = k;
		}
	}
	for (i = 0; i < c->refusals.nr; i++) {
		struct cdo_refusal *r = (struct cdo_refusal *)c->refusals.v + i;

		fprintf(stderr, "create-diff-object: refused: %s: %s\n", r->symbol, r->reason);
		if (*r->advice)
			fprintf(stderr, "  advice: %s\n", r->advice);
	}
	if (c->opts->json) {
		FILE *f = strcmp(c->opts->json, "-") ? fopen(c->opts->json, "w") : stdout;

		if (!f) {
			lpb_err("%s: cannot write the JSON report", c->opts->json);
			return -1;
		}
		json(f, c, code);
		if (f != stdout && fclose(f)) {
			lpb_err("%s: cannot write the JSON report", c->opts->json);
			return -1;
		}
	}
	return 0;
}
