/* SPDX-License-Identifier: GPL-2.0-only */
/* The last check before a livepatch module is written: would the kernel's
 * loader and livepatch resolve every symbol it needs in the target? */
#ifndef LPB_KLP_CHECK_H
#define LPB_KLP_CHECK_H

#include <stddef.h>

#include "ksyms.h"
#include "symvers.h"

struct lpb_klp_check_target {
	/* Symbols of "vmlinux" or of a module of the target; NULL (after a
	 * message) when they cannot be read. */
	struct lpb_ksyms *(*object)(void *ctx, const char *objname);
	void *ctx;
	const struct lpb_symvers *symvers; /* what the target exports */
	/* the objects the patch has (klp_object entries): the kernel writes
	 * an object's livepatch relocations only for these */
	const char *const *objects;
	size_t nr_objects;
};

struct lpb_klp_check_stats {
	size_t klp_symbols; /* .klp.sym.* symbols checked */
	size_t undefined; /* undefined symbols checked against the exports */
	size_t needs_modules; /* of them, exported by a module (the livepatch
			       * loads only while it is loaded; warned) */
};

/*
 * Check the linked livepatch module @ko: every .klp.sym.<obj>.<name>,<pos>
 * names a symbol <obj> has, unambiguously at that position (as
 * klp_find_object_symbol() will look it up), <obj> being an object of the
 * patch or a module every object relocated with it depends on (it is
 * loaded first), every .klp.rela.<obj>.* belongs to an object of the patch,
 * and every undefined symbol is exported by the target (by a module: warned,
 * the livepatch then loads only while that module is). Returns 0 when the module can load, 1 when it cannot (one message
 * per problem, naming the symbol), or a negative errno on other errors.
 */
int lpb_klp_check(const char *ko, const struct lpb_klp_check_target *t,
		  struct lpb_klp_check_stats *stats);

#endif /* LPB_KLP_CHECK_H */
