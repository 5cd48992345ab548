// SPDX-License-Identifier: GPL-2.0-only
/* What create-diff-object tells its caller: a short summary for people and
 * the --json document (stable keys, listed in create-diff-object(1)). */
#include <stdlib.h>
#include <string.h>

#include "cdo.h"
#include "exit-codes.h"
#include "json.h"
#include "log.h"
#include "special.h"

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

static void json_symbols(struct json_writer *w, struct cdo *c, const char *key, bool funcs,
			 enum cdo_status st)
{
	struct lpb_symbol *p;

	jw_begin_array(w, key);
	lpb_for_each_symbol(c->patched, p) {
		struct cdo_sym *y = p->priv;

		if (!y || !p->sec || y->status != st || lpb_is_func(p) != funcs || y->prefix_of ||
		    (!lpb_is_func(p) && !lpb_is_object(p)))
			continue;
		if (S(p->sec)->kind != K_TEXT && S(p->sec)->kind != K_DATA)
			continue;
		jw_begin_object(w, NULL);
		jw_string(w, "name", p->name);
		if (st == CDO_CHANGED && funcs) {
			unsigned int sympos = 0;

			jw_string(w, "old_name", y->twin ? y->twin->name : p->name);
			if (y->twin && y->patch)
				cdo_resolve_sympos(c, y->twin, &sympos);
			jw_int(w, "sympos", sympos);
			jw_bool(w, "patched", y->patch);
			jw_bool(w, "via_child", y->changed_by_child);
			jw_bool(w, "via_callers", y->via_callers);
			if (y->parent)
				jw_string(w, "parent", y->parent->name);
			if (y->alias)
				jw_string(w, "alias_of", y->alias->name);
		}
		jw_string(w, "section", p->sec->name);
		jw_end_object(w);
	}
	jw_end_array(w);
}

static void json_notes(struct json_writer *w, const char *key, struct cdo_list *l,
		       const char *k1, const char *k2)
{
	jw_begin_array(w, key);
	for (size_t i = 0; i < l->nr; i++) {
		struct cdo_note *n = (struct cdo_note *)l->v + i;

		jw_begin_object(w, NULL);
		jw_string(w, k1, n->name);
		jw_string(w, k2, n->detail);
		jw_end_object(w);
	}
	jw_end_array(w);
}

static void json_strings(struct json_writer *w, const char *key, struct cdo_list *l)
{
	jw_begin_array(w, key);
	for (size_t i = 0; i < l->nr; i++)
		jw_string(w, NULL, ((char **)l->v)[i]);
	jw_end_array(w);
}

/* changed constants copied for their users (const-data.c) */
static void json_copied(struct json_writer *w, struct cdo_list *l)
{
	jw_begin_array(w, "copied_constants");
	for (size_t i = 0; i < l->nr; i++) {
		struct cdo_copied *cp = (struct cdo_copied *)l->v + i;
		char *users = cdo_strdup(cp->users), *u, *save = NULL;

		jw_begin_object(w, NULL);
		jw_string(w, "name", cp->name);
		jw_begin_array(w, "users");
		for (u = strtok_r(users, " ", &save); u; u = strtok_r(NULL, " ", &save))
			jw_string(w, NULL, u);
		jw_end_array(w);
		jw_string(w, "changed_constant", cp->root ? cp->root : cp->name);
		jw_end_object(w);
		free(users);
	}
	jw_end_array(w);
}

static void json(FILE *f, struct cdo *c, int code)
{
	struct json_writer w = { .f = f };
	size_t i;

	jw_begin_object(&w, NULL);
	jw_int(&w, "version", 1);
	jw_string(&w, "orig", c->opts->orig);
	jw_string(&w, "patched", c->opts->patched);
	jw_string(&w, "objname", c->objname);
	jw_string(&w, "result", result_name(code));
	jw_int(&w, "exit_code", code);
	if (c->orig && c->orig->secs[0]->priv) {
		if (code != LPB_EXIT_ERROR)
			cdo_build_tables(c);
		cdo_profile_json(c, &w);
	}
	if (code == LPB_EXIT_ERROR || !c->patched) {
		jw_end_object(&w);
		return;
	}
	json_symbols(&w, c, "changed_functions", true, CDO_CHANGED);
	json_symbols(&w, c, "new_functions", true, CDO_NEW);
	json_symbols(&w, c, "changed_data", false, CDO_CHANGED);
	json_symbols(&w, c, "new_data", false, CDO_NEW);
	json_notes(&w, "included", &c->included, "name", "why");
	json_notes(&w, "ignored", &c->ignored, "name", "reason");
	json_notes(&w, "frozen_dynamic_debug", &c->frozen, "function", "descriptor");
	json_notes(&w, "ran_once_allowed", &c->ran_once, "function", "runs_as");
	jw_bool(&w, "layouts_checked", !c->layouts_unchecked);
	json_notes(&w, "modinfo_left_as_built", &c->modinfo, "entry", "change");
	json_notes(&w, "callbacks", &c->callbacks, "kind", "function");
	json_copied(&w, &c->copied);
	jw_begin_array(&w, "layout_changes");
	for (i = 0; i < c->layouts.nr; i++) {
		struct cdo_layout_change *l = (struct cdo_layout_change *)c->layouts.v + i;

		jw_begin_object(&w, NULL);
		jw_string(&w, "type", l->type);
		jw_string(&w, "changes", l->changes);
		jw_string(&w, "users", l->users);
		jw_bool(&w, "allowed", l->allowed);
		jw_end_object(&w);
	}
	jw_end_array(&w);
	jw_begin_array(&w, "refusals");
	for (i = 0; i < c->refusals.nr; i++) {
		struct cdo_refusal *r = (struct cdo_refusal *)c->refusals.v + i;

		jw_begin_object(&w, NULL);
		jw_string(&w, "symbol", r->symbol);
		jw_string(&w, "reason", r->reason);
		jw_string(&w, "advice", r->advice);
		jw_end_object(&w);
	}
	jw_end_array(&w);
	jw_begin_array(&w, "klp_relocations");
	for (i = 0; i < c->klps.nr; i++) {
		struct cdo_klp *k = (struct cdo_klp *)c->klps.v + i;

		jw_begin_object(&w, NULL);
		jw_string(&w, "section", k->section);
		jw_int(&w, "offset", (long long)k->offset);
		jw_string(&w, "type", cdo_reloc_name(k->type));
		jw_int(&w, "addend", (long long)k->addend);
		jw_string(&w, "symbol", k->symbol);
		jw_string(&w, "objname", c->objname);
		jw_string(&w, "symbol_object", k->sym_obj ? k->sym_obj : c->objname);
		jw_int(&w, "sympos", k->sympos);
		jw_end_object(&w);
	}
	jw_end_array(&w);
	json_strings(&w, "exported_references", &c->exported);
	json_strings(&w, "patch_references", &c->from_patch);
	json_strings(&w, "removed_functions", &c->removed);
	jw_end_object(&w);
}

/*
 * Functions changed only by a line number inside a string: said first, so
 * that a refusal of something such a function pulls in does not hide why it
 * changed at all.
 */
static void note_line_strings(struct cdo *c, FILE *f)
{
	struct lpb_symbol *p;

	if (!f)
		return;
	lpb_for_each_symbol(c->patched, p) {
		const struct cdo_sym *y = p->priv;

		if (!y || y->status != CDO_CHANGED || !y->line_string_old)
			continue;
		fprintf(f, "%snote: %s changed only because the string \"%s\" became \"%s\" (a "
			"line number in a string moved; lp-build compiles patched sources with "
			"unchanged lines keeping their numbers, so this comes from objects "
			"compiled otherwise, or from lines the renumbering could not pin)\n",
			f == stderr ? "create-diff-object: " : "", p->name, y->line_string_old,
			y->line_string_new);
	}
}

/*
 * How a changed function is patched, from what it is rather than from the
 * patch flag: a refused build never sets that flag, and its list must
 * still say which function is a child of which.
 */
static void print_changed(FILE *f, const struct lpb_symbol *p, const struct cdo_sym *y)
{
	fprintf(f, "changed function: %s", p->name);
	if (y->via_callers)
		fprintf(f, " (notrace: copied, its callers are patched)");
	else if (y->alias)
		fprintf(f, " (another name of the function patched)");
	else if (y->cold && y->parent)
		fprintf(f, " (part of its parent %s)", y->parent->name);
	else if (y->cold)
		fprintf(f, " (part of its parent)");
	fputc('\n', f);
}

int cdo_report(struct cdo *c, int code, FILE *human)
{
	size_t i;

	if (human && c->patched && code != LPB_EXIT_ERROR) {
		struct lpb_symbol *p;

		lpb_for_each_symbol(c->patched, p) {
			struct cdo_sym *y = p->priv;

			if (y && p->sec && lpb_is_object(p) && y->status == CDO_NEW && y->include &&
			    lpb_sym_bind(p) != STB_LOCAL)
				fprintf(human, "new global data: %s\n", p->name);
			if (!y || !p->sec || !lpb_is_func(p))
				continue;
			if (y->status == CDO_CHANGED)
				print_changed(human, p, y);
			else if (y->status == CDO_NEW && y->include)
				fprintf(human, "new function: %s\n", p->name);
		}
		for (i = 0; i < c->from_patch.nr; i++)
			fprintf(human, "reference: %s (in neither the target nor its exports: "
				"another file of the patch must define it)\n",
				((char **)c->from_patch.v)[i]);
		for (i = 0; i < c->ignored.nr; i++)
			fprintf(human, "ignored: %s (%s)\n",
				((struct cdo_note *)c->ignored.v)[i].name,
				((struct cdo_note *)c->ignored.v)[i].detail);
		for (i = 0; code == LPB_EXIT_OK && i < c->copied.nr; i++) {
			const struct cdo_copied *cp = (struct cdo_copied *)c->copied.v + i;

			if (cp->root)
				fprintf(human, "note: constant %s points at the changed constant %s: "
					"copied into the livepatch too, for %s\n", cp->name, cp->root,
					cp->users);
			else
				fprintf(human, "note: constant %s changed: the livepatch carries a "
					"new copy of it for %s; the running kernel's copy stays as it "
					"was, so a pointer to it stored before the patch still sees "
					"the old contents\n", cp->name, cp->users);
		}
		for (i = 0; code == LPB_EXIT_OK && i < c->layouts.nr; i++) {
			const struct cdo_layout_change *l = (struct cdo_layout_change *)c->layouts.v + i;

			if (l->allowed)
				fprintf(human, "note: %s changed layout (%s), used by %s: accepted "
					"(--allow-layout-change)\n", l->type, l->changes, l->users);
		}
		for (i = 0; code == LPB_EXIT_OK && i < c->ran_once.nr; i++) {
			const struct cdo_note *ro = (struct cdo_note *)c->ran_once.v + i;

			fprintf(human, "note: %s is the %s: existing instances keep what its old "
				"version set up; accepted (--allow-ran-once)\n", ro->name, ro->detail);
		}
		if (c->modinfo.nr) {
			const struct cdo_note *m = c->modinfo.v;

			fprintf(human, "note: module information is not live-patched: %zu .modinfo "
				"entr%s the patch changes stay as built (%s \"%s\"%s)\n",
				c->modinfo.nr, c->modinfo.nr > 1 ? "ies" : "y", m[0].detail,
				m[0].name, c->modinfo.nr > 1 ? ", ..." : "");
		}
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
	if (c->patched && code != LPB_EXIT_ERROR)
		note_line_strings(c, c->refusals.nr ? stderr : human);
	for (i = 0; i < c->refusals.nr; i++) {
		struct cdo_refusal *r = (struct cdo_refusal *)c->refusals.v + i;

		fprintf(stderr, "create-diff-object: refused: %s: %s\n", r->symbol, r->reason);
		if (*r->advice)
			fprintf(stderr, "  advice: %s\n", r->advice);
	}
	if (c->layouts_unchecked && !c->opts->require_dwarf)
		lpb_warn("%s: no DWARF: the layouts of the structs the patched code uses were not compared, nor whether a changed function is one the kernel already ran per instance (a struct that gained a member would not be refused; see --require-dwarf)",
			 c->opts->patched);
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
