// SPDX-License-Identifier: GPL-2.0-only
/* The livepatch module's source: the fixed kmod-template/livepatch-main.c
 * plus a generated header naming the new functions and callbacks through
 * the global aliases create-diff-object gave them. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kmod.h"
#include "linkcache.h"
#include "run.h"

/* One callback of an object, in the order it runs at patch time. */
struct cb_ref {
	size_t alias; /* declared as lpb_cb_<alias> */
	size_t part; /* the diff object (source file) it comes from */
	unsigned int kind; /* enum lpb_callback_kind */
	const char *src; /* that file, for comments and messages */
};

struct obj_group {
	const char *objname;
	struct strbuf funcs; /* klp_func initialisers */
	struct cb_ref *cbs;
	size_t nr_cbs;
};

static const char *const cb_field[] = { "pre_patch", "post_patch", "pre_unpatch",
					"post_unpatch" };

static struct obj_group *group_for(struct obj_group *g, size_t *n, const char *objname)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp(g[i].objname, objname))
			return &g[i];
	g[*n] = (struct obj_group){ .objname = objname };
	return &g[(*n)++];
}

static int cmp_group(const void *a, const void *b)
{
	const struct obj_group *x = a, *y = b;
	int xv = !strcmp(x->objname, "vmlinux"), yv = !strcmp(y->objname, "vmlinux");

	/* vmlinux first, then modules by name: a stable, readable order */
	if (xv != yv)
		return yv - xv;
	return strcmp(x->objname, y->objname);
}

static void add_info(struct strbuf *sb, const char *tag, const char *value)
{
	sb_addf(sb, "MODULE_INFO(%s, \"", tag);
	sb_add_cquoted(sb, value);
	sb_adds(sb, "\");\n");
}

/* The kernel runs one callback per kind and object: does this object need
 * wrappers that run several, or undo earlier files when one refuses? */
static bool needs_wrappers(const struct obj_group *g)
{
	size_t per_kind[4] = { 0 };

	for (size_t i = 0; i < g->nr_cbs; i++) {
		if (g->cbs[i].part != g->cbs[0].part || ++per_kind[g->cbs[i].kind] > 1)
			return true;
	}
	return false;
}

/* Calls to every callback of @kind, forward or backward, stopping before
 * those of file @stop_part (SIZE_MAX: all of them). */
static void add_calls(struct strbuf *sb, const struct obj_group *g, unsigned int kind,
		      bool backward, size_t stop_part, const char *indent)
{
	for (size_t k = 0; k < g->nr_cbs; k++) {
		const struct cb_ref *c = &g->cbs[backward ? g->nr_cbs - 1 - k : k];

		if (c->kind != kind || (stop_part != SIZE_MAX && c->part >= stop_part))
			continue;
		sb_addf(sb, "%slpb_cb_%zu(obj);\t/* %s */\n", indent, c->alias, c->src);
	}
}

/*
 * Several callbacks of one kind for object @i (from one file or several):
 * patch callbacks in patch order, unpatch callbacks in reverse; a refusing
 * pre-patch callback is followed by the post-unpatch callbacks of the files
 * before its own, as the kernel would do for separate objects, and the
 * object is not patched.
 */
static void add_wrappers(struct strbuf *sb, const struct obj_group *g, size_t i)
{
	bool has[4] = { false };

	for (size_t k = 0; k < g->nr_cbs; k++)
		has[g->cbs[k].kind] = true;
	if (has[LPB_CB_PRE_PATCH]) {
		sb_addf(sb, "static int lpb_obj%zu_pre_patch(struct klp_object *obj)\n{\n"
			"\tint ret;\n\n", i);
		for (size_t k = 0; k < g->nr_cbs; k++) {
			const struct cb_ref *c = &g->cbs[k];

			if (c->kind != LPB_CB_PRE_PATCH)
				continue;
			sb_addf(sb, "\tret = lpb_cb_%zu(obj);\t/* %s */\n\tif (ret) {\n",
				c->alias, c->src);
			add_calls(sb, g, LPB_CB_POST_UNPATCH, true, c->part, "\t\t");
			sb_adds(sb, "\t\treturn ret;\n\t}\n");
		}
		sb_adds(sb, "\treturn 0;\n}\n\n");
	}
	for (unsigned int kind = LPB_CB_POST_PATCH; kind <= LPB_CB_POST_UNPATCH; kind++) {
		if (!has[kind])
			continue;
		sb_addf(sb, "static void lpb_obj%zu_%s(struct klp_object *obj)\n{\n", i,
			cb_field[kind]);
		add_calls(sb, g, kind, kind != LPB_CB_POST_PATCH, SIZE_MAX, "\t");
		sb_adds(sb, "}\n\n");
	}
}

/* Two callbacks with one alias would collide when kbuild links the module:
 * name both files (create-diff-object puts the file's name in the alias,
 * so only names that differ in punctuation can meet here). */
static int check_aliases(const struct kmod_spec *spec)
{
	for (size_t i = 0; i < spec->nr_diffs; i++) {
		const struct lpb_meta *a = &spec->diffs[i].meta;

		for (size_t j = 0; j < a->nr_callbacks; j++) {
			for (size_t k = i; k < spec->nr_diffs; k++) {
				const struct lpb_meta *b = &spec->diffs[k].meta;

				for (size_t l = k == i ? j + 1 : 0; l < b->nr_callbacks; l++) {
					if (strcmp(a->callbacks[j].fn->name, b->callbacks[l].fn->name))
						continue;
					fprintf(stderr, "lp-build: %s and %s both declare a %s callback "
						"%s for %s: rename the function in one of them\n",
						spec->diffs[i].src, spec->diffs[k].src,
						lpb_callback_kind_name(a->callbacks[j].kind),
						strrchr(a->callbacks[j].fn->name, '.') + 1,
						a->callbacks[j].objname);
					return -1;
				}
			}
		}
	}
	return 0;
}

char *kmod_patch_data(const struct kmod_spec *spec)
{
	static const char *const cb_type[] = { "int", "void", "void", "void" };
	struct strbuf sb = { 0 };
	struct obj_group *groups;
	size_t nr_groups = 0, total = 0, nr_alias = 0;
	const struct target *t = spec->target;

	if (check_aliases(spec))
		return NULL;
	for (size_t i = 0; i < spec->nr_diffs; i++)
		total += spec->diffs[i].meta.nr_funcs + spec->diffs[i].meta.nr_callbacks +
			 spec->diffs[i].meta.nr_relocs;
	groups = xcalloc(total + 1, sizeof(*groups));

	sb_adds(&sb, "/* SPDX-License-Identifier: GPL-2.0-only */\n"
		     "/* Generated by lp-build " LPB_VERSION ": the patch this module carries. */\n\n");
	sb_adds(&sb, "#define LPB_TARGET_RELEASE \"");
	sb_add_cquoted(&sb, t->release);
	sb_adds(&sb, "\"\n#define LPB_TARGET_VERSION \"");
	sb_add_cquoted(&sb, t->version);
	sb_adds(&sb, "\"\n#define LPB_TARGET_LABEL \"");
	sb_add_cquoted(&sb, t->label);
	sb_addf(&sb, "\"\n#define LPB_REPLACE %s\n\n", spec->replace ? "true" : "false");

	add_info(&sb, "lpb_target_release", t->release);
	add_info(&sb, "lpb_target_version", t->version);
	add_info(&sb, "lpb_target_label", t->label);
	add_info(&sb, "lpb_patch_name", spec->name);
	add_info(&sb, "lpb_patch_version", spec->patch_version);
	add_info(&sb, "lpb_replace", spec->replace ? "1" : "0");
	add_info(&sb, "lpb_version", LPB_VERSION);
	for (size_t i = 0; i < spec->patches->paths.n; i++) {
		const char *base = strrchr(spec->patches->paths.v[i], '/');
		char *v = xasprintf("%s %s", spec->patches->sha256.v[i], base ? base + 1 :
				    spec->patches->paths.v[i]);

		add_info(&sb, "lpb_patch_sha256", v);
		free(v);
	}
	sb_adds(&sb, "\n");

	for (size_t i = 0; i < spec->nr_diffs; i++) {
		const struct lpb_meta *m = &spec->diffs[i].meta;

		for (size_t j = 0; j < m->nr_funcs; j++) {
			const struct lpb_meta_func *f = &m->funcs[j];
			struct obj_group *g = group_for(groups, &nr_groups, f->objname);

			sb_addf(&sb, "extern char lpb_new_%zu[] __asm__(\"%s\");\n", nr_alias,
				f->new_sym->name);
			sb_addf(&g->funcs, "\t{ .old_name = \"%s\", .new_func = lpb_new_%zu, "
				".old_sympos = %u },\n", f->old_name, nr_alias, f->sympos);
			nr_alias++;
		}
		/* the diff objects come in patch order, each file's callbacks in
		 * the order they run */
		for (size_t j = 0; j < m->nr_callbacks; j++) {
			const struct lpb_meta_callback *c = &m->callbacks[j];
			struct obj_group *g = group_for(groups, &nr_groups, c->objname);

			sb_addf(&sb, "extern %s lpb_cb_%zu(struct klp_object *obj) __asm__(\"%s\");\n",
				cb_type[c->kind], nr_alias, c->fn->name);
			g->cbs = xrealloc(g->cbs, (g->nr_cbs + 1) * sizeof(*g->cbs));
			g->cbs[g->nr_cbs++] = (struct cb_ref){ .alias = nr_alias, .part = i,
							       .kind = c->kind,
							       .src = spec->diffs[i].src };
			nr_alias++;
		}
	}
	/* the kernel applies an object's livepatch relocations only for an
	 * object of the patch: one whose code here has relocations needs
	 * an entry even when nothing of it is replaced (new code only) */
	for (size_t i = 0; i < spec->nr_diffs; i++)
		for (size_t j = 0; j < spec->diffs[i].meta.nr_relocs; j++)
			group_for(groups, &nr_groups, spec->diffs[i].meta.relocs[j].objname);
	qsort(groups, nr_groups, sizeof(*groups), cmp_group);
	sb_adds(&sb, "\n");
	for (size_t i = 0; i < nr_groups; i++) {
		sb_addf(&sb, "static struct klp_func lpb_funcs_%zu[] = {\n%s\t{ }\n};\n\n", i,
			groups[i].funcs.buf ? groups[i].funcs.buf : "");
		if (needs_wrappers(&groups[i]))
			add_wrappers(&sb, &groups[i], i);
	}
	sb_adds(&sb, "static struct klp_object lpb_objs[] = {\n");
	for (size_t i = 0; i < nr_groups; i++) {
		struct obj_group *g = &groups[i];
		bool wrapped = needs_wrappers(g);

		if (!strcmp(g->objname, "vmlinux"))
			sb_addf(&sb, "\t{\n\t\t.name = NULL, /* vmlinux */\n");
		else
			sb_addf(&sb, "\t{\n\t\t.name = \"%s\",\n", g->objname);
		sb_addf(&sb, "\t\t.funcs = lpb_funcs_%zu,\n", i);
		for (unsigned int k = 0; k < 4; k++) {
			for (size_t c = 0; c < g->nr_cbs; c++) {
				if (g->cbs[c].kind != k)
					continue;
				if (wrapped)
					sb_addf(&sb, "\t\t.callbacks.%s = lpb_obj%zu_%s,\n",
						cb_field[k], i, cb_field[k]);
				else
					sb_addf(&sb, "\t\t.callbacks.%s = lpb_cb_%zu,\n",
						cb_field[k], g->cbs[c].alias);
				break;
			}
		}
		sb_adds(&sb, "\t},\n");
	}
	sb_adds(&sb, "\t{ }\n};\n");
	for (size_t i = 0; i < nr_groups; i++) {
		sb_free(&groups[i].funcs);
		free(groups[i].cbs);
	}
	free(groups);
	return sb_detach(&sb);
}

static int write_text(const char *dir, const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", dir, name);
	int ret = write_file_atomic(path, text, strlen(text), 0644);

	free(path);
	return ret;
}

int kmod_generate(const struct kmod_spec *spec, const char *dir)
{
	struct strbuf kbuild = { 0 };
	char *data, *from, *to;
	int ret = -1;

	if (remove_tree(dir) || mkdir_p(dir))
		return -1;
	/* Prebuilt objects get an explicit copy rule: no kbuild version
	 * agrees on how to ship them otherwise. With MODVERSIONS, modpost
	 * (6.0+) reads each object's .cmd file for the CRCs of what it
	 * exports; the copy exports nothing, so it gets an empty one. */
	sb_addf(&kbuild, "# Generated by lp-build " LPB_VERSION "\n"
		"obj-m := %s.o\n%s-y := livepatch-main.o", spec->name, spec->name);
	for (size_t i = 0; i < spec->nr_diffs; i++)
		sb_addf(&kbuild, " diff-%zu.o", i);
	/* objtool runs on each object of the module, never on the module once
	 * linked (tree.c: its livepatch relocations are holes until then) */
	sb_addf(&kbuild, "\nOBJECT_FILES_NON_STANDARD_%s.o := y", spec->name);
	sb_addf(&kbuild, "\nccflags-y := -I$(src)\n\n"
		"$(obj)/diff-%%.o: $(src)/diff-%%.lpbo\n\t$(Q)cp $< $@\n"
		"\t$(Q): > $(dir $@).$(notdir $@).cmd\n");
	if (write_text(dir, "Kbuild", kbuild.buf))
		goto out;

	data = kmod_patch_data(spec);
	if (!data)
		goto out;
	ret = write_text(dir, "lpb-patch-data.h", data);
	free(data);
	if (ret)
		goto out;
	ret = -1;

	from = xasprintf("%s/livepatch-main.c", spec->template_dir);
	to = xasprintf("%s/livepatch-main.c", dir);
	if (copy_file(from, to)) {
		free(from);
		free(to);
		goto out;
	}
	free(from);
	free(to);
	for (size_t i = 0; i < spec->nr_diffs; i++) {
		to = xasprintf("%s/diff-%zu.lpbo", dir, i);
		if (copy_file(spec->diffs[i].path, to)) {
			free(to);
			goto out;
		}
		free(to);
	}
	ret = 0;
out:
	sb_free(&kbuild);
	return ret;
}

/*
 * kbuild's output without modpost's four-line warning about our .lpb.*
 * sections: they are non-allocated on purpose (the post-link step removes
 * them), and the warning would hide the real error.
 */
static void show_kbuild_output(const char *out)
{
	int skip = 0;

	for (const char *line = out; line && *line;) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line + 1) : strlen(line);
		char *one = strndup(line, len);

		if (strstr(one, "(.lpb.") && strstr(one, "unexpected non-allocatable section"))
			skip = 4;
		if (skip)
			skip--;
		else
			fputs(one, stderr);
		free(one);
		line += len;
	}
}

/* Whether the prepared tree's config sets @name=y. */
static bool tree_config_y(const struct tree *t, const char *name)
{
	char *path = xasprintf("%s/.config", t->build), *cfg = read_file(path, NULL);
	char *want = xasprintf("\n%s=y\n", name);
	bool y = cfg && (strstr(cfg, want) || !strncmp(cfg, want + 1, strlen(want) - 1));

	free(path);
	free(cfg);
	free(want);
	return y;
}

/*
 * With CONFIG_DEBUG_INFO_BTF_MODULES, kbuild gives each module split BTF
 * made by pahole against $(objtree)/vmlinux, and skips it (with a message
 * nobody would see) when there is none: the prepared tree never links a
 * vmlinux. The target's own vmlinux is the right base: its .BTF is the
 * running kernel's, which the module's BTF is checked against at load. It
 * goes into the build's patched view (the shared tree is never written),
 * a hard link when the cache and the vmlinux share a filesystem (it is
 * then visible inside a build root too), else a symbolic link.
 */
static int link_btf_base(const struct tree_view *v, const char *vmlinux, char **made)
{
	char *path = xasprintf("%s/vmlinux", v->patched.upper);

	unlink(path);
	if (link(vmlinux, path) && symlink(vmlinux, path)) {
		fprintf(stderr, "lp-build: cannot link %s to %s for the module's BTF: %s\n",
			path, vmlinux, strerror(errno));
		free(path);
		return -1;
	}
	*made = path;
	return 0;
}

int kmod_build(struct tree *t, const struct tree_opts *o, struct tree_view *v, const char *dir,
	       const char *vmlinux, const char *ko, const struct linkcache_inputs *in,
	       enum kmod_btf *btf, bool *reused)
{
	struct run_env env = { .view = &v->patched };
	struct strbuf out = { 0 };
	char *m = xasprintf("M=%s", dir), *base = NULL;
	/* neither the cache's location nor the work directory's name may show
	 * in the module (reproducible builds) */
	char *flags = xasprintf("-fdebug-prefix-map=%s=/lp-build -fdebug-prefix-map=%s=/lp-build/work",
				t->dir, v->dir);
	const char *targets[] = { m, "modules", NULL };
	bool with_btf = tree_config_y(t, "CONFIG_DEBUG_INFO_BTF_MODULES");
	char key[65];
	bool keyed;
	int rc;

	*btf = with_btf ? KMOD_BTF_MADE : KMOD_BTF_NONE;
	/* the same inputs linked before in this tree: that module (kbuild's
	 * link is make's walk, modpost and pahole, seconds for no news) */
	keyed = !(getenv(LINKCACHE_ENV) && !strcmp(getenv(LINKCACHE_ENV), "0")) &&
		!linkcache_key(t, o, dir, flags, vmlinux, with_btf, in, key);
	*reused = keyed && linkcache_get(t, key, ko);
	if (*reused) {
		free(m);
		free(flags);
		return 0;
	}
	if (with_btf) {
		if (link_btf_base(v, vmlinux, &base)) {
			free(m);
			free(flags);
			return -1;
		}
	}
	rc = tree_make(t, o, &env, targets, flags, &out);
	if (!rc && keyed)
		linkcache_put(t, key, ko);
	if (base) {
		unlink(base);
		free(base);
	}
	if (rc) {
		show_kbuild_output(out.buf);
		fprintf(stderr, "lp-build: kbuild could not link the livepatch module in %s "
			"(make exited with %d)\n", dir, rc);
	}
	free(m);
	free(flags);
	sb_free(&out);
	return rc ? -1 : 0;
}
