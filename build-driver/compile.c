// SPDX-License-Identifier: GPL-2.0-only
/* kbuild compiles the units a build needs, each in the build's own view of
 * the prepared tree; original objects come from and go to the tree's cache. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compile.h"
#include "kbuild-dirs.h"
#include "progress.h"
#include "recipe.h"
#include "run.h"

int compile_init(struct compile *c)
{
	char *file = xasprintf("%s/kbuild-dirs", c->t->dir);
	int ret = kbuild_twice_reached(c->t->src, file, &c->twice);

	free(file);
	return ret;
}

void compile_free(struct compile *c)
{
	sv_free(&c->twice);
}

bool compile_twice_reached(const struct compile *c, const char *src)
{
	return kbuild_in_dirs(&c->twice, src);
}

char *compile_objname(const char *cmd_text)
{
	size_t len = strcspn(cmd_text, "\n");
	char *line = strndup(cmd_text, len), *p = strstr(line, "-DKBUILD_MODNAME='\""), *name;

	if (strstr(line, " -DMODULE ") && p) {
		p += strlen("-DKBUILD_MODNAME='\"");
		name = strndup(p, strcspn(p, "\"'"));
	} else {
		name = xstrdup("vmlinux");
	}
	free(line);
	return name;
}

/* What kbuild is asked for: the object, or for a unit in a directory kbuild
 * reaches twice, the directory (compiled once, by its own Makefile). */
static void push_goal(const struct compile *c, struct strvec *goals, const struct unit *x)
{
	if (kbuild_in_dirs(&c->twice, x->src)) {
		char *dir = xstrdup(x->obj);

		strrchr(dir, '/')[1] = 0;
		if (!sv_contains(goals, dir))
			sv_push(goals, dir);
		free(dir);
	} else {
		sv_push(goals, x->obj);
	}
}

struct watch {
	struct progress p;
	const struct overlay *view;
	const struct strvec *markers;
	bool *done;
	size_t nr_done;
	void (*on_done)(size_t i, void *arg);
	void *arg;
};

/* An item is done when kbuild wrote its marker (the .cmd file) in the view. */
static void tick(void *arg)
{
	struct watch *w = arg;

	for (size_t i = 0; i < w->markers->n; i++) {
		char *path;
		struct stat st;

		if (w->done[i])
			continue;
		path = xasprintf("%s/%s", w->view->upper, w->markers->v[i]);
		if (!stat(path, &st)) {
			w->done[i] = true;
			w->nr_done++;
			if (w->on_done)
				w->on_done(i, w->arg);
		}
		free(path);
	}
	progress_update(&w->p, w->nr_done);
}

int compile_make(struct compile *c, const struct overlay *view, const struct strvec *goals,
		 const struct strvec *markers, const char *what,
		 void (*on_done)(size_t i, void *arg), void *arg)
{
	struct watch w = { .view = view, .markers = markers, .on_done = on_done, .arg = arg };
	struct run_env env = { .view = view, .tick = tick, .tick_arg = &w };
	struct strbuf out = { 0 };
	struct strvec av = { 0 };
	int rc;

	/*
	 * Every unit goal of kbuild depends on `prepare`, which re-enters
	 * tools/objtool and the rest (~4 s of make per run). The tree is
	 * prepared and the original view is the tree; the patched view differs
	 * only in unit sources when c->sources_only. Anything else (a changed
	 * header may change asm-offsets.h) lets kbuild check.
	 */
	if (view == &c->v->orig || c->sources_only) {
		sv_push(&av, "-o");
		sv_push(&av, "prepare");
	}
	for (size_t i = 0; i < goals->n; i++)
		sv_push(&av, goals->v[i]);
	w.done = xcalloc(markers->n + 1, sizeof(*w.done));
	progress_start(&w.p, what, markers->n, c->quiet);
	rc = tree_make(c->t, c->o, &env, (const char *const *)av.v, c->o->kcflags, &out);
	sv_free(&av);
	if (!rc)
		tick(&w); /* the last ones */
	progress_end(&w.p);
	if (rc && lpb_interrupted) {
		fprintf(stderr, "lp-build: %s: interrupted\n", what);
	} else if (rc) {
		fprintf(stderr, "%s", out.buf ? out.buf : "");
		fprintf(stderr, "lp-build: %s: kbuild failed in the %s view of the tree (make "
			"exited with %d)\n", what, view == &c->v->orig ? "original" : "patched", rc);
	}
	free(w.done);
	sb_free(&out);
	return rc ? -1 : 0;
}

static int run_make(struct compile *c, const struct overlay *view, struct unit **todo, size_t n,
		    const char *what)
{
	struct strvec goals = { 0 }, markers = { 0 };
	int rc;

	for (size_t i = 0; i < n; i++) {
		push_goal(c, &goals, todo[i]);
		sv_push(&markers, todo[i]->cmd);
	}
	rc = compile_make(c, view, &goals, &markers, what, NULL, NULL);
	sv_free(&goals);
	sv_free(&markers);
	return rc;
}

/* The object and record kbuild left in @view, to @dst; the record's text. */
static int take_object(const struct overlay *view, const struct unit *x, const char *dst,
		       char **cmd_text)
{
	char *from = overlay_path(view, x->obj), *cmd = overlay_path(view, x->cmd);
	int ret = link_or_copy(from, dst);

	*cmd_text = NULL;
	if (!ret) {
		*cmd_text = read_file(cmd, NULL);
		if (!*cmd_text) {
			fprintf(stderr, "lp-build: kbuild left no command record for %s\n", x->obj);
			ret = -1;
		}
	}
	free(from);
	free(cmd);
	return ret;
}

static bool same_bytes(const char *a, const char *b)
{
	size_t na, nb;
	char *da = read_file(a, &na), *db = da ? read_file(b, &nb) : NULL;
	bool same = da && db && na == nb && !memcmp(da, db, na);

	free(da);
	free(db);
	return same;
}

/* Does running @recipe in the original view make the cached object again? */
static bool recipe_checks(struct compile *c, const struct unit *x, const char *recipe)
{
	char *cached = objcache_object_path(c->cache, x->obj), *got;
	struct strbuf out = { 0 };
	bool same = false;

	for (int pass = 0; pass < 2 && !same; pass++) {
		/*
		 * The unit cache answers for every tree alike (the compile's
		 * directory is not in its key), so its object may carry another
		 * tree's directory in its DWARF: other bytes, from the same
		 * command. Before calling the command unfit, compile for real.
		 */
		if (pass && !c->unit_cache)
			break;
		if (pass)
			setenv("CCACHE_RECACHE", "1", 1);
		if (!recipe_run(c->t, c->o, &c->v->orig, x->obj, recipe, &out)) {
			got = overlay_path(&c->v->orig, x->obj);
			same = same_bytes(got, cached);
			free(got);
		}
		unsetenv("CCACHE_RECACHE");
		sb_reset(&out);
	}
	sb_free(&out);
	free(cached);
	return same;
}

/*
 * kbuild's whole rule for @x, from one make run in the original view with
 * V=1 (the object removed first, so that the rule runs): for kernels whose
 * .cmd holds the compiler alone (5.10: objtool runs beside it). NULL when
 * make fails or prints no more than @recipe.
 */
static char *capture_rule(struct compile *c, const struct unit *x, const char *recipe)
{
	struct tree_opts o = *c->o;
	struct run_env env = { .view = &c->v->orig };
	const char *goals[] = { "-o", "prepare", x->obj, "V=1", NULL }; /* see compile_make() */
	char *own = xasprintf("%s/%s", c->v->orig.upper, x->obj), *rule = NULL;
	struct strbuf out = { 0 };

	/* a unit kbuild reaches twice is made through its directory */
	if (kbuild_in_dirs(&c->twice, x->src) || (unlink(own) && errno != ENOENT)) {
		free(own);
		return NULL;
	}
	o.verbose = o.verbose > 1 ? o.verbose : 1; /* make without -s prints the rule */
	if (!tree_make(c->t, &o, &env, goals, c->o->kcflags, &out))
		rule = recipe_from_output(out.buf, recipe, x->obj);
	sb_free(&out);
	free(own);
	return rule;
}

/*
 * The patched unit @x compiled by kbuild's recorded command alone, when
 * that is known to make what kbuild makes: the original's entry in the
 * tree's object cache holds the command, and running it in the original
 * view once made the cached object again, byte for byte (the mark kept
 * with the entry). Where the .cmd holds less than kbuild's rule runs, the
 * rule as make printed it is checked the same way and kept instead. kbuild
 * itself then adds nothing a make run would (its prepare steps only matter
 * when the patch touches more than the units' own sources: c->replay is
 * false then). 0 when done; -1: kbuild does it.
 */
static int replay(struct compile *c, struct unit *x)
{
	enum objcache_replay seen;
	char *stored, *cmd = objcache_cmd(c->cache, x->obj, &seen, &stored), *recipe, *rule;
	struct strbuf out = { 0 };
	bool known = seen == OBJCACHE_REPLAY_YES;
	int ret = -1;

	recipe = stored ? stored : cmd && seen != OBJCACHE_REPLAY_NO ? recipe_parse(cmd, x->obj) : NULL;
	free(cmd);
	if (!recipe) {
		if (seen == OBJCACHE_REPLAY_NO && c->o->verbose)
			fprintf(stderr, "lp-build: %s: kbuild's recorded command was seen not to "
				"make kbuild's object: kbuild compiles it\n", x->obj);
		return -1;
	}
	if (seen == OBJCACHE_REPLAY_UNKNOWN) {
		/* once per entry: the answer is kept either way, so a kernel
		 * whose rule cannot be replayed pays the check once */
		known = recipe_checks(c, x, recipe);
		rule = known ? NULL : capture_rule(c, x, recipe);
		if (rule && recipe_checks(c, x, rule)) {
			free(recipe);
			recipe = rule;
			known = true;
			if (c->o->verbose)
				fprintf(stderr, "lp-build: %s: kbuild's rule runs more than its "
					"recorded command: replaying the rule as make printed it\n",
					x->obj);
		} else {
			free(rule);
			rule = NULL;
		}
		if (objcache_mark_replay(c->cache, x->obj, known, rule))
			known = false;
		if (!known && c->o->verbose)
			fprintf(stderr, "lp-build: %s: kbuild's recorded command does not make "
				"kbuild's object again: kbuild compiles it\n", x->obj);
	}
	if (known && !recipe_run(c->t, c->o, &c->v->patched, x->obj, recipe, &out)) {
		char *got = overlay_path(&c->v->patched, x->obj);

		if (recipe_exports(got)) {
			if (c->o->verbose)
				fprintf(stderr, "lp-build: %s exports symbols: kbuild compiles it\n",
					x->obj);
		} else {
			ret = link_or_copy(got, x->patched);
		}
		free(got);
	} else if (known && c->o->verbose) {
		/* kbuild runs it again and reports the failure in full */
		fprintf(stderr, "lp-build: %s: the recorded command failed in the patched "
			"view: kbuild compiles it\n", x->obj);
	}
	sb_free(&out);
	free(recipe);
	return ret;
}

int compile_units(struct compile *c, struct units *u, bool patched)
{
	const struct overlay *view = patched ? &c->v->patched : &c->v->orig;
	struct unit **todo = xcalloc(u->n + 1, sizeof(*todo));
	size_t n = 0;
	int ret = -1;

	for (size_t i = 0; i < u->n; i++) {
		struct unit *x = &u->v[i];
		char *cmd = NULL;

		if (!patched && objcache_get(c->cache, x->obj, x->orig, &cmd)) {
			x->objname = compile_objname(cmd);
			x->cached = x->in_objcache = true;
			c->cached++;
			free(cmd);
			continue;
		}
		/* an original kbuild compiled in this build counts too: its
		 * command's check is then a unit cache hit (or, in a build
		 * root, one compile), not the patched view's whole make run */
		if (patched && c->replay && x->in_objcache && !replay(c, x)) {
			c->replayed++;
			continue;
		}
		todo[n++] = x;
	}
	if (n && run_make(c, view, todo, n, patched ? "compile-patched" : "compile-original"))
		goto out;
	for (size_t i = 0; i < n; i++) {
		struct unit *x = todo[i];
		char *cmd;

		if (take_object(view, x, patched ? x->patched : x->orig, &cmd))
			goto out;
		if (!patched) {
			char *from = overlay_path(view, x->obj), *cmd_path = overlay_path(view, x->cmd);

			x->objname = compile_objname(cmd);
			x->in_objcache = !objcache_put(c->cache, x->obj, from, cmd_path);
			free(from);
			free(cmd_path);
		}
		free(cmd);
	}
	if (!patched && n)
		objcache_trim(c->cache);
	ret = 0;
out:
	free(todo);
	return ret;
}
