// SPDX-License-Identifier: GPL-2.0-only
/* create-diff-object's pipeline from its options to the written object, and
 * freeing it: apart from main() so a fuzzer can run it in-process. */
#include <stdlib.h>

#include "cdo.h"
#include "exit-codes.h"
#include "log.h"

static bool anything_to_patch(struct cdo *c)
{
	struct lpb_symbol *p;

	if (c->callbacks.nr)
		return true;
	/* a new global is a change even when nothing here uses it: another
	 * file of the patch may (dropping this one would leave that caller
	 * with a reference to a symbol that exists nowhere) */
	lpb_for_each_symbol(c->patched, p)
		if (p->priv && (Y(p)->patch || (Y(p)->include && Y(p)->status == CDO_NEW &&
						 lpb_sym_bind(p) != STB_LOCAL &&
						 (lpb_is_func(p) || lpb_is_object(p)))))
			return true;
	return false;
}

static void free_refusal(void *p)
{
	struct cdo_refusal *r = p;

	free(r->symbol);
	free(r->reason);
	free(r->advice);
}

static void free_note(void *p)
{
	struct cdo_note *n = p;

	free(n->name);
	free(n->detail);
}

static void free_copied(void *p)
{
	struct cdo_copied *cp = p;

	free(cp->name);
	free(cp->users);
	free(cp->root);
}

static void free_layout(void *p)
{
	struct cdo_layout_change *l = p;

	free(l->type);
	free(l->changes);
	free(l->users);
}

void cdo_free(struct cdo *c)
{
	struct lpb_elf *objs[2] = { c->orig, c->patched };
	int i;

	cdo_special_free(c);
	for (i = 0; i < 2; i++) {
		struct lpb_section *sec;
		struct lpb_symbol *s;

		if (!objs[i] || !objs[i]->secs[0]->priv)
			continue;
		cdo_fragments_free(objs[i]);
		lpb_for_each_section(objs[i], sec)
			if (sec->priv)
				free(S(sec)->sorted);
		lpb_for_each_symbol(objs[i], s)
			if (s->priv)
				free(Y(s)->norm);
		free(objs[i]->secs[0]->priv);
		free(objs[i]->syms[0]->priv);
	}
	lpb_elf_free(c->orig);
	lpb_elf_free(c->patched);
	lpb_elf_free(c->out);
	lpb_ksyms_free(c->parent);
	lpb_symvers_free(c->symvers);
	cdo_list_free(&c->refusals, free_refusal);
	cdo_list_free(&c->ignored, free_note);
	cdo_list_free(&c->frozen, free_note);
	cdo_list_free(&c->ran_once, free_note);
	cdo_list_free(&c->copied, free_copied);
	cdo_list_free(&c->layouts, free_layout);
	cdo_list_free(&c->modinfo, free_note);
	cdo_list_free(&c->included, free_note);
	cdo_list_free(&c->callbacks, free_note);
	cdo_list_free(&c->klps, NULL);
	cdo_list_free(&c->exported, NULL);
	cdo_list_free(&c->from_patch, NULL);
	cdo_list_free(&c->removed, NULL);
	cdo_list_free(&c->strings, NULL);
}

static bool valid_input(struct lpb_elf *e)
{
	if (e->ehdr.e_type != ET_REL) {
		lpb_err("%s: not a relocatable object (ET_REL)", e->path);
		return false;
	}
	if (!e->symtab) {
		lpb_err("%s: has no symbol table", e->path);
		return false;
	}
	return true;
}

int cdo_run(struct cdo *c)
{
	const struct cdo_opts *o = c->opts;

	c->orig = lpb_elf_open(o->orig, LPB_ELF_LAZY_RELOCS);
	if (!c->orig || !valid_input(c->orig))
		return LPB_EXIT_ERROR;
	c->patched = lpb_elf_open(o->patched, LPB_ELF_LAZY_RELOCS);
	if (!c->patched || !valid_input(c->patched))
		return LPB_EXIT_ERROR;
	if (o->parent && !(c->parent = lpb_ksyms_load(o->parent)))
		return LPB_EXIT_ERROR;
	if (o->symvers && !(c->symvers = lpb_symvers_load(o->symvers)))
		return LPB_EXIT_ERROR;
	if (!o->symvers)
		cdo_verbose(c, "no --symvers: symbols undefined in the original are taken as exported");
	if (cdo_setup(c) || cdo_correlate(c) || cdo_compare(c) || cdo_check(c))
		return LPB_EXIT_ERROR;
	cdo_profile_say(c);
	if (c->refusals.nr)
		return LPB_EXIT_UNPATCHABLE;
	if (cdo_include(c))
		return LPB_EXIT_ERROR;
	if (c->refusals.nr)
		return LPB_EXIT_UNPATCHABLE;
	if (!anything_to_patch(c))
		return LPB_EXIT_NO_CHANGE;
	/* only now, and only for the code going into the livepatch: the
	 * DWARF is the largest part of an object */
	if (cdo_check_layouts(c) || cdo_check_ran_once(c))
		return LPB_EXIT_ERROR;
	if (c->refusals.nr)
		return LPB_EXIT_UNPATCHABLE;
	/* the output is built in memory first: a refusal found while
	 * classifying references leaves no file behind */
	if (cdo_output(c))
		return LPB_EXIT_ERROR;
	if (c->refusals.nr)
		return LPB_EXIT_UNPATCHABLE;
	if (lpb_elf_write(c->out, o->out))
		return LPB_EXIT_ERROR;
	return LPB_EXIT_OK;
}
