/* SPDX-License-Identifier: GPL-2.0-only */
/* Compiling the planned units with kbuild in the build's views of the tree:
 * originals from the tree's object cache when it has them, progress shown. */
#ifndef LPB_BUILD_COMPILE_H
#define LPB_BUILD_COMPILE_H

#include <stdbool.h>

#include "objcache.h"
#include "tree.h"
#include "units.h"

struct compile {
	struct tree *t;
	const struct tree_opts *o;
	struct tree_view *v;
	struct objcache *cache; /* original objects (and preprocessed digests) */
	struct strvec twice; /* directories kbuild reaches twice (kbuild-dirs.h) */
	bool quiet;
	size_t cached; /* original units taken from the cache */
	/* the patch touches only the units' own sources: a patched unit whose
	 * original is cached may be compiled by its recorded command (recipe.h) */
	bool replay;
	/* the patch touches only unit sources (replay's condition, whatever
	 * the number of units): kbuild need not re-check `prepare` in the
	 * patched view either */
	bool sources_only;
	bool unit_cache; /* kbuild's compiler goes through the unit cache (ccache) */
	size_t replayed; /* patched units compiled so, without kbuild */
};

/* Find the directories kbuild reaches twice for @c->t (cached per tree). */
int compile_init(struct compile *c);
void compile_free(struct compile *c);

/*
 * Compile every unit of @u: the originals in the original view (taking
 * valid ones from the cache and keeping new ones there), copied to
 * unit->orig, learning where each unit is linked; or the patched ones in
 * the patched view, copied to unit->patched. 0, or -1 after kbuild's last
 * lines and a message.
 */
int compile_units(struct compile *c, struct units *u, bool patched);

/*
 * Run kbuild for @goals in @view (c->v->orig or ->patched) with progress:
 * item i is done when kbuild wrote @markers->v[i] (a path in the tree) in
 * the view; @on_done, when given, is called then. 0, or -1 after kbuild's
 * output and a message.
 */
int compile_make(struct compile *c, const struct overlay *view, const struct strvec *goals,
		 const struct strvec *markers, const char *what,
		 void (*on_done)(size_t i, void *arg), void *arg);

/* Is @src in a directory kbuild reaches twice (compiled through it)? */
bool compile_twice_reached(const struct compile *c, const char *src);

/* "-DKBUILD_MODNAME='"binfmt_misc"'" and "-DMODULE" in a kbuild .cmd text:
 * the module a unit is linked into, or "vmlinux" (malloc'ed). */
char *compile_objname(const char *cmd_text);

#endif /* LPB_BUILD_COMPILE_H */
