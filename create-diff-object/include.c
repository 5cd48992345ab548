// SPDX-License-Identifier: GPL-2.0-only
/* What cannot be live-patched (refusals with advice), and the inclusion
 * closure: changed and new code plus everything new it needs. */
#include <stdlib.h>
#include <string.h>

#include "cdo.h"
#include "log.h"
#include "lpb-meta.h"

static const char *const callback_kinds[] = {
	"pre_patch", "post_patch", "pre_unpatch", "post_unpatch",
};

static bool has_prefix(const char *s, const char *p)
{
	return !strncmp(s, p, strlen(p));
}

/* How many functions of ORIG call @o directly, and how many of those
 * livepatch could redirect (they have an ftrace call site). */
static void count_callers(struct cdo *c, struct lpb_symbol *o, size_t *callers, size_t *traceable)
{
	struct lpb_symbol *seen[64];
	struct lpb_section *sec;
	size_t nseen = 0;

	*callers = *traceable = 0;
	lpb_for_each_section(c->orig, sec) {
		struct lpb_reloc **r;
		size_t n, i, k;

		if (!sec->priv || S(sec)->kind != K_TEXT)
			continue;
		r = cdo_sec_relocs(sec, &n);
		for (i = 0; i < n; i++) {
			struct lpb_symbol *f;

			if (r[i]->sym != o)
				continue;
			f = lpb_find_symbol_containing(sec, r[i]->offset);
			if (!f || f == o || !lpb_is_func(f))
				continue;
			for (k = 0; k < nseen && seen[k] != f; k++)
				;
			if (k < nseen)
				continue;
			if (nseen < sizeof(seen) / sizeof(*seen))
				seen[nseen++] = f;
			(*callers)++;
			if (cdo_has_fentry(f))
				(*traceable)++;
		}
	}
}

/* Whether the object was compiled with -ffunction-sections: some function
 * sits in a .text.<name> section of its own. */
static bool has_function_sections(struct cdo *c)
{
	struct lpb_section *sec;

	lpb_for_each_section(c->patched, sec)
		if (S(sec)->kind == K_TEXT && S(sec)->owner && has_prefix(sec->name, ".text."))
			return true;
	return false;
}

/*
 * A changed function whose section it does not own: say what really
 * shares the section (another function, and why it is there), or what
 * else is in front of the function. lp-build always compiles with
 * -ffunction-sections, so that is advice only for an object that shows
 * no sign of it.
 */
static void refuse_unowned(struct cdo *c, struct lpb_symbol *p, const char *cause)
{
	struct lpb_symbol **syms, *other = NULL;
	const char *sec = p->sec->name;
	size_t n, i, others = 0;
	char more[32] = "";

	syms = lpb_section_symbols(p->sec, &n);
	for (i = 0; syms && i < n; i++) {
		struct lpb_symbol *s = syms[i];

		if (s == p || (!lpb_is_func(s) && !lpb_is_object(s)) || Y(s)->prefix_of ||
		    Y(s)->alias == p || Y(p)->alias == s)
			continue;
		if (!other)
			other = s;
		others++;
	}
	if (!other) {
		cdo_refuse(c, p->name,
			   "report this object to the lp-build developers: this layout is not one lp-build knows",
			   "changed function %s%s starts at offset %llu of section %s after %llu bytes that are neither another symbol nor function padding (NOPs), so it cannot be extracted on its own",
			   p->name, cause, (unsigned long long)p->sym.st_value, sec,
			   (unsigned long long)p->sym.st_value);
		return;
	}
	if (others > 1)
		snprintf(more, sizeof(more), " and %zu more", others - 1);
	if (!has_function_sections(c)) {
		cdo_refuse(c, p->name,
			   "compile the object with -ffunction-sections -fdata-sections (lp-build passes them through KCFLAGS; check that the object's Makefile does not remove them)",
			   "changed function %s%s shares section %s with %s%s: the object was compiled without -ffunction-sections, so no function can be extracted on its own",
			   p->name, cause, sec, other->name, more);
		return;
	}
	cdo_refuse(c, p->name,
		   "lp-build cannot yet extract one function from a section it shares: change a caller that has a section of its own to call a fixed copy of the function (a new function) instead",
		   "changed function %s%s shares section %s with %s%s: the kernel places functions there by attribute (__sched, __ref, __kprobes, ...) or in assembly, which overrides -ffunction-sections",
		   p->name, cause, sec, other->name, more);
}

static void check_function(struct cdo *c, struct lpb_symbol *p)
{
	struct lpb_symbol *o = Y(p)->twin;
	const char *sec = p->sec->name;
	char *cause = cdo_cause_text(p);

	if ((has_prefix(sec, ".init.") || has_prefix(sec, ".exit.")) && Y(p)->cause) {
		/* the user changed a table, not this function: what it did
		 * with the table at boot (registered it, say) stays done */
		cdo_refuse(c, p->name,
			   "keep the table unchanged; make the code that uses it at run time check the new condition, or redo the registration from a post-patch callback (LPB_POST_PATCH_CALLBACK in <lpb-patch.h>)",
			   "%s function %s%s ran at boot with the old contents: what it did with them stays done, and a livepatch cannot run it again",
			   has_prefix(sec, ".init.") ? "__init" : "__exit", p->name, cause);
	} else if (has_prefix(sec, ".init.") || has_prefix(sec, ".exit.")) {
		cdo_refuse(c, p->name,
			   "do the one-time work of the new code from a callback instead (LPB_POST_PATCH_CALLBACK in <lpb-patch.h>), and leave the __init/__exit function unchanged",
			   "changed %s function %s: init/exit code has already run (and was freed) in the running kernel, so a livepatch cannot change it",
			   has_prefix(sec, ".init.") ? "__init" : "__exit", p->name);
	} else if (!S(p->sec)->owner) {
		refuse_unowned(c, p, cause);
	} else if (!Y(p)->cold && !Y(p)->via_callers && o && !cdo_has_fentry(o)) {
		/* a .part.N clone is called from the parent and from every
		 * function the parent's head was inlined into: it is
		 * redirected on its own */
		size_t callers, traceable;

		count_callers(c, o, &callers, &traceable);
		cdo_refuse(c, p->name,
			   traceable ? "patch its callers instead (they call it directly: change them to call a new function with the fix), or, if the notrace is not needed, remove it in the running kernel's next update" :
			   callers ? "none: its callers in this file have no ftrace call site either (the file is built without -pg, as kernel/trace/ is), so nothing on the way to this code can be redirected; fix it in the next kernel update" :
			   "patch the functions that call it (in other files) to call a new function with the fix, or fix it in the next kernel update",
			   "changed function %s%s has no ftrace call site (__fentry__) in the running kernel: it is notrace or was compiled without -pg, so livepatch cannot redirect it",
			   o->name, cause);
	}
	free(cause);
}

static void check_data(struct cdo *c, struct lpb_symbol *p)
{
	bool writable = p->sec->sh.sh_flags & SHF_WRITE;
	bool local = lpb_sym_bind(p) == STB_LOCAL;

	if (!writable && local && !has_prefix(p->sec->name, ".init."))
		return; /* a local constant: const-data.c */
	if (!writable && !local) {
		cdo_refuse(c, p->name,
			   "keep it unchanged and give the functions the fix changes a new static constant with the new values (patching the users in other files too, if they need them)",
			   "changed global constant %s: other files may use it (they were linked against the running kernel's copy), so a copy for this file's functions would be a partial fix, and a livepatch cannot change data that already exists in the running kernel",
			   p->name);
		return;
	}
	if (cdo_line_data_unlocated(c, p)) {
		cdo_refuse(c, p->name,
			   "give create-diff-object objects with DWARF, or a --parent that has it (lp-build always does), or leave the lines above the pr_debug()/dev_dbg() call as they are",
			   "changed dynamic debug descriptor %s: it may differ only in its line number, but the objects carry no DWARF for struct _ddebug to say where that is, so the change cannot be told from a change of the descriptor, which a livepatch cannot make",
			   p->name);
		return;
	}
	cdo_refuse(c, p->name,
		   "keep the existing definition unchanged; attach new state with a shadow variable (klp_shadow_get_or_alloc) or set new values from a post-patch callback",
		   "changed %s %s %s: its initial value or size differs, but a livepatch cannot change data that already exists in the running kernel",
		   local ? "static" : "global", writable ? "variable" : "constant", p->name);
}

int cdo_check(struct cdo *c)
{
	struct lpb_symbol *p;
	struct lpb_section *sec;

	lpb_for_each_symbol(c->patched, p) {
		if (!p->priv || !p->sec || Y(p)->status != CDO_CHANGED)
			continue;
		if (lpb_is_func(p))
			check_function(c, p);
		else if (lpb_is_object(p) && S(p->sec)->kind == K_DATA)
			check_data(c, p);
	}
	lpb_for_each_section(c->patched, sec) {
		if (S(sec)->kind != K_UNSUPPORTED || S(sec)->status == CDO_SAME)
			continue;
		cdo_refuse(c, sec->name,
			   "leave exports, module parameters and initcalls as they are; do one-time setup from a callback",
			   "section %s is %s: a livepatch cannot add or change exports, module parameters, initcalls or module information",
			   sec->name, S(sec)->status == CDO_NEW ? "new" : "changed");
	}
	return cdo_check_consts(c);
}

/* ---- inclusion ---- */

struct work {
	struct lpb_section **v;
	size_t nr, cap;
};

static void include_section(struct cdo *c, struct work *w, struct lpb_section *sec,
			    const char *why)
{
	struct lpb_symbol **syms;
	size_t n, i;

	if (S(sec)->include)
		return;
	S(sec)->include = true;
	S(sec)->why = why;
	syms = lpb_section_symbols(sec, &n);
	for (i = 0; syms && i < n; i++) {
		struct cdo_note *note;

		Y(syms[i])->include = true;
		if ((!lpb_is_func(syms[i]) && !lpb_is_object(syms[i])) || Y(syms[i])->prefix_of)
			continue;
		note = cdo_push(&c->included, sizeof(*note));
		note->name = cdo_strdup(syms[i]->name);
		note->detail = cdo_strdup(why);
	}
	if (!n || S(sec)->anon || S(sec)->kind == K_STRINGS || S(sec)->kind == K_CONST) {
		struct cdo_note *note = cdo_push(&c->included, sizeof(*note));

		note->name = cdo_strdup(sec->name);
		note->detail = cdo_strdup(why);
	}
	if (w->nr == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 64;
		w->v = realloc(w->v, w->cap * sizeof(*w->v));
		if (!w->v)
			abort();
	}
	w->v[w->nr++] = sec;
}

struct visit {
	struct work *w;
	const char *why;
};

/* Decides whether the target of one relocation of included code is copied
 * too (new, changed, anonymous, literal pools, .cold parts) or stays a
 * reference into the running kernel (everything unchanged). */
static int visit_target(struct cdo *c, struct lpb_section *from, struct lpb_reloc *r,
			void *arg)
{
	struct visit *v = arg;
	struct lpb_symbol *t = r->sym;
	struct lpb_section *ts;

	if (!t || !(ts = t->sec) || S(ts)->include)
		return 0;
	/* what a kept entry of a printk index points at (its pi_entry) is
	 * private to the call site: copied, with the read-only local objects
	 * it names (the __func__ string), so the copy never waits for a
	 * livepatch relocation while the kernel may already read it */
	if ((S(from)->special && cdo_special_is_indirect(S(from)->special) &&
	     S(ts)->kind == K_DATA) ||
	    (S(from)->site && S(ts)->kind == K_DATA && lpb_sym_bind(t) == STB_LOCAL &&
	     !(ts->sh.sh_flags & SHF_WRITE))) {
		include_section(c, v->w, ts, v->why);
		S(ts)->site = true;
		return 0;
	}
	if (cdo_is_fragmented(ts)) {
		uint64_t start, end;
		int64_t at = cdo_reloc_target_off(from, r);
		struct lpb_reloc **fr;
		size_t n, i;
		struct cdo_note *note;

		/* only the fragments of included functions are copied */
		if (at < 0 || !cdo_fragment_include(ts, at, &start, &end))
			return 0;
		note = cdo_push(&c->included, sizeof(*note));
		note->name = cdo_printf("%s+0x%llx", ts->name, (unsigned long long)start);
		note->detail = cdo_strdup(v->why);
		fr = cdo_relocs_in(ts, start, end, &n);
		for (i = 0; i < n; i++)
			visit_target(c, ts, fr[i], v);
		return 0;
	}
	switch (S(ts)->kind) {
	case K_STRINGS:
	case K_CONST:
		include_section(c, v->w, ts, v->why);
		return 0;
	case K_TEXT:
	case K_DATA:
		break;
	default:
		return 0;
	}
	if (S(ts)->anon) {
		include_section(c, v->w, ts, v->why);
		return 0;
	}
	if (lpb_is_section_sym(t)) {
		if (!S(ts)->twin) {
			include_section(c, v->w, ts, v->why);
			return 0;
		}
		cdo_refuse(c, ts->name, "",
			   "%s refers to offset %lld of %s, which is not inside any symbol, so the running kernel's copy cannot be named",
			   from->name, (long long)r->addend, ts->name);
		return 0;
	}
	if (Y(t)->status != CDO_SAME || (Y(t)->cold && Y(t)->parent &&
					  Y(Y(t)->parent)->include))
		include_section(c, v->w, ts, v->why);
	return 0;
}

static int process(struct cdo *c, struct work *w, struct lpb_section *sec)
{
	struct lpb_reloc **r;
	struct lpb_symbol **syms;
	size_t n, i;
	struct visit v = { w, NULL };

	syms = lpb_section_symbols(sec, &n);
	v.why = n && syms ? syms[0]->name : sec->name;
	if (S(sec)->owner)
		v.why = S(sec)->owner->name;
	r = cdo_sec_relocs(sec, &n);
	for (i = 0; i < n; i++)
		visit_target(c, sec, r[i], &v);
	/* table entries of included functions need what they point at */
	syms = lpb_section_symbols(sec, &n);
	for (i = 0; syms && i < n; i++) {
		if (!lpb_is_func(syms[i]))
			continue;
		v.why = syms[i]->name;
		if (cdo_special_visit(c, syms[i], visit_target, &v))
			return -1;
	}
	return 0;
}

/* A callback declaration found in .lpb.cb.<kind>. */
struct cb_decl {
	size_t kind; /* index in callback_kinds */
	uint64_t line;
	struct lpb_symbol *fn;
};

static int cmp_decl(const void *a, const void *b)
{
	const struct cb_decl *x = a, *y = b;

	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return strcmp(x->fn->name, y->fn->name);
}

/* The entries of one .lpb.cb.<kind> section, checked against the layout
 * the macros write (struct lpb_callback_decl). */
static int read_decls(struct cdo *c, struct lpb_section *sec, size_t kind,
		      struct cb_decl **v, size_t *nr)
{
	const size_t esz = sizeof(struct lpb_callback_decl);
	struct lpb_reloc **r;
	size_t n, i;

	r = cdo_sec_relocs(sec, &n);
	if (!n || !sec->data || sec->size != n * esz) {
		cdo_refuse(c, sec->name, "declare callbacks with the macros of <lpb-patch.h> (or kpatch-macros.h)",
			   "%s does not hold one function pointer and one line number per callback",
			   sec->name);
		return -1;
	}
	for (i = 0; i < n; i++) {
		struct lpb_callback_decl e;

		memcpy(&e, (char *)sec->data + i * esz, esz);
		if (r[i]->offset != i * esz || r[i]->type != R_X86_64_64 || r[i]->addend) {
			cdo_refuse(c, sec->name, "declare callbacks with the macros of <lpb-patch.h> (or kpatch-macros.h)",
				   "%s entry %zu is not a function pointer followed by a line number",
				   sec->name, i);
			return -1;
		}
		if (!r[i]->sym || !r[i]->sym->sec || !lpb_is_func(r[i]->sym)) {
			cdo_refuse(c, sec->name, "pass a function defined in the same file",
				   "the %s callback declared at line %llu does not point to a function defined in this file",
				   callback_kinds[kind], (unsigned long long)e.line);
			return -1;
		}
		*v = realloc(*v, (*nr + 1) * sizeof(**v));
		if (!*v)
			abort();
		(*v)[(*nr)++] = (struct cb_decl){ .kind = kind, .line = e.line, .fn = r[i]->sym };
	}
	return 0;
}

/*
 * Every callback the file declares, any number per kind: sorted by kind and
 * declaration line, so that the module calls them in source order (lp-build
 * orders the files by the patches).
 */
static void include_callbacks(struct cdo *c, struct work *w)
{
	struct lpb_section *sec;
	struct cb_decl *v = NULL;
	size_t nr = 0, i, k;

	lpb_for_each_section(c->patched, sec) {
		const char *kind = sec->name + strlen(LPB_CALLBACK_DECL_PREFIX);

		if (S(sec)->kind != K_CALLBACK)
			continue;
		for (k = 0; k < 4; k++)
			if (!strcmp(kind, callback_kinds[k]))
				break;
		if (k == 4) {
			cdo_refuse(c, sec->name, "use one of LPB_PRE_PATCH_CALLBACK, LPB_POST_PATCH_CALLBACK, LPB_PRE_UNPATCH_CALLBACK, LPB_POST_UNPATCH_CALLBACK",
				   "unknown callback section %s", sec->name);
			continue;
		}
		read_decls(c, sec, k, &v, &nr);
	}
	if (nr)
		qsort(v, nr, sizeof(*v), cmp_decl);
	for (i = 0; i < nr; i++) {
		struct cdo_note *note = cdo_push(&c->callbacks, sizeof(*note));

		note->name = cdo_strdup(callback_kinds[v[i].kind]);
		note->detail = cdo_strdup(v[i].fn->name);
		include_section(c, w, v[i].fn->sec, "callback");
	}
	free(v);
}

int cdo_include(struct cdo *c)
{
	struct work w = { 0 };
	struct lpb_symbol *p;
	size_t done = 0;
	bool again;

	lpb_for_each_symbol(c->patched, p) {
		if (!p->priv || !p->sec || (!lpb_is_func(p) && !lpb_is_object(p)))
			continue;
		if (S(p->sec)->kind != K_TEXT && S(p->sec)->kind != K_DATA)
			continue;
		if (lpb_is_func(p) && Y(p)->status == CDO_CHANGED) {
			Y(p)->patch = !Y(p)->cold && !Y(p)->via_callers && !Y(p)->alias;
			include_section(c, &w, p->sec, Y(p)->cold ? "changed child" :
				Y(p)->via_callers ? "changed, notrace: callers patched" : "changed");
		} else if (Y(p)->status == CDO_NEW && lpb_sym_bind(p) != STB_LOCAL) {
			include_section(c, &w, p->sec, "new global");
		} else if (Y(p)->line_only && Y(p)->status == CDO_SAME) {
			struct cdo_note *note = cdo_push(&c->ignored, sizeof(*note));

			note->name = cdo_strdup(p->name);
			note->detail = cdo_strdup("only __LINE__ numbers changed");
		}
	}
	include_callbacks(c, &w);
	do {
		while (done < w.nr)
			if (process(c, &w, w.v[done++])) {
				free(w.v);
				return -1;
			}
		/* .cold parts go wherever their parent goes */
		again = false;
		lpb_for_each_symbol(c->patched, p) {
			if (p->priv && Y(p)->cold && Y(p)->parent && Y(Y(p)->parent)->include &&
			    !Y(p)->include && p->sec) {
				include_section(c, &w, p->sec, Y(p)->parent->name);
				again = true;
			}
		}
	} while (again || done < w.nr);
	free(w.v);
	return 0;
}
