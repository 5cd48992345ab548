// SPDX-License-Identifier: GPL-2.0-only
/* lp-build's pipeline: each stage checks what it needs before spending time,
 * says what it does and how long it took, and maps failures to exit codes. */
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "build.h"
#include "exit-codes.h"
#include "kpatch-compat.h"
#include "modsign.h"
#include "recipe.h"
#include "run.h"

const char *const build_stage_names[NR_STAGES] = {
	[ST_TARGET] = "target",
	[ST_PATCHES] = "patches",
	[ST_TREE] = "tree",
	[ST_SELECT] = "select",
	[ST_COMPILE_ORIG] = "compile-original",
	[ST_COMPILE_PATCHED] = "compile-patched",
	[ST_DIFF] = "diff",
	[ST_PREFLIGHT] = "preflight",
	[ST_LINK] = "link",
	[ST_POSTLINK] = "postlink",
	[ST_LOADCHECK] = "loadcheck",
	[ST_SIGN] = "sign",
	[ST_WRITE] = "write",
};

void build_say(const struct build *b, const char *fmt, ...)
{
	va_list ap;

	if (b->o->quiet)
		return;
	va_start(ap, fmt);
	fprintf(stderr, "lp-build: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* Close a stage: print and record its time. */
void build_stage_done(struct build *b, enum build_stage st, double t0, const char *what)
{
	double now = now_seconds();

	b->stage_seconds[st] = now - t0;
	build_say(b, "%-17s %6.2f s  %s", build_stage_names[st], b->stage_seconds[st], what);
	/* on the monotonic clock every process shares: tests see builds overlap */
	if (b->o->verbose)
		build_say(b, "%s ran from %.3f to %.3f", build_stage_names[st], t0, now);
}

static char *self_dir(void)
{
	char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);

	if (n <= 0)
		return xstrdup(".");
	buf[n] = 0;
	*strrchr(buf, '/') = 0;
	return xstrdup(buf);
}

static char *find_template(const char *self)
{
	const char *cands[] = { "%s/../kmod-template", "%s/../share/lp-build/kmod-template" };
	const char *env = getenv("LPB_TEMPLATE_DIR");

	if (env)
		return xstrdup(env);
	for (size_t i = 0; i < 2; i++) {
		char *p = xasprintf(cands[i], self), *main_c = xasprintf("%s/livepatch-main.c", p);
		bool ok = path_exists(main_c);

		free(main_c);
		if (ok) {
			char *r = real_path(p);

			free(p);
			return r;
		}
		free(p);
	}
	fprintf(stderr, "lp-build: cannot find kmod-template/ next to %s (set LPB_TEMPLATE_DIR)\n",
		self);
	return NULL;
}

/* The id= line of the info file lpb-target writes beside a root it made. */
static char *root_identity(const char *root)
{
	char *info = xasprintf("%s/../info", root), *text = NULL, *id = NULL, *p;

	if (path_exists(info))
		text = read_file(info, NULL);
	p = text ? strstr(text, "\nid=") : NULL;
	if (p)
		id = strndup(p + 4, strcspn(p + 4, "\n"));
	free(text);
	free(info);
	return id ? id : real_path(root);
}

/* Every input must exist before any work starts. */
static int check_inputs(struct build *b)
{
	const struct build_opts *o = b->o;
	const char *need[][2] = {
		{ o->src, "kernel source (-s)" }, { o->config, "kernel config (-c)" },
		{ o->vmlinux, "debug vmlinux (-v)" },
	};

	for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++) {
		if (!need[i][0]) {
			fprintf(stderr, "lp-build: missing %s; see lp-build --help\n", need[i][1]);
			return -1;
		}
		if (!path_exists(need[i][0])) {
			fprintf(stderr, "lp-build: %s %s does not exist\n", need[i][1], need[i][0]);
			return -1;
		}
	}
	if (!is_dir(o->src)) {
		fprintf(stderr, "lp-build: -s %s is not a directory\n", o->src);
		return -1;
	}
	if (!!o->key != !!o->cert) {
		fprintf(stderr, "lp-build: --key and --cert go together\n");
		return -1;
	}
	b->sign = o->key != NULL;
	if (mkdir_p(o->cache) || access(o->cache, W_OK)) {
		fprintf(stderr, "lp-build: the cache directory %s is not writable: give another "
			"with --cache DIR or LPB_CACHE\n", o->cache);
		return -1;
	}
	for (int i = 0; i < o->nr_patches; i++) {
		if (!path_exists(o->patches[i])) {
			fprintf(stderr, "lp-build: patch %s does not exist\n", o->patches[i]);
			return -1;
		}
	}
	if (!o->nr_patches) {
		fprintf(stderr, "lp-build: no patch given; see lp-build --help\n");
		return -1;
	}
	b->symvers = o->symvers ? xstrdup(o->symvers) : NULL;
	if (!b->symvers) {
		char *dir = xstrdup(o->vmlinux), *slash = strrchr(dir, '/');

		b->symvers = xasprintf("%s/Module.symvers", slash ? (*slash = 0, dir) : ".");
		free(dir);
	}
	if (!path_exists(b->symvers)) {
		fprintf(stderr, "lp-build: %s does not exist: give the target's Module.symvers "
			"with --symvers\n", b->symvers);
		return -1;
	}
	if (o->modules) {
		b->modules = xstrdup(o->modules);
	} else {
		char *dir = xstrdup(o->vmlinux), *slash = strrchr(dir, '/');

		b->modules = xstrdup(slash ? (*slash = 0, dir) : ".");
		free(dir);
	}
	/* nftw(FTW_PHYS) does not descend into a root that is a symbolic
	 * link (a "current" link to a build, /lib/modules/R/build): walk the
	 * directory it names */
	{
		char *real = realpath(b->modules, NULL);

		if (real) {
			free(b->modules);
			b->modules = real;
		}
	}
	return 0;
}

/* A klp patch name is the module name: sysfs, kbuild and kallsyms need it plain. */
char *build_patch_name(const struct build_opts *o)
{
	char *name;

	if (o->name) {
		name = xstrdup(o->name);
	} else {
		const char *base = strrchr(o->patches[0], '/');

		name = xasprintf("lp_%s", base ? base + 1 : o->patches[0]);
		for (char *p = name; *p; p++) {
			if (!strcmp(p, ".diff") || !strcmp(p, ".patch")) {
				*p = 0;
				break;
			}
			if (!(*p == '_' || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			      (*p >= '0' && *p <= '9')))
				*p = '_';
		}
	}
	if (!*name || strlen(name) > 55 || strspn(name, "abcdefghijklmnopqrstuvwxyz"
					      "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") != strlen(name)) {
		fprintf(stderr, "lp-build: patch name '%s' must be 1-55 letters, digits or '_' "
			"(it names the module and /sys/kernel/livepatch/<name>)\n", name);
		free(name);
		return NULL;
	}
	return name;
}

static int stage_target(struct build *b)
{
	double t0 = now_seconds();
	char *host, *where;

	if (target_read(&b->target, b->o->vmlinux))
		return LPB_EXIT_TARGET_UNKNOWN;
	host = toolchain_compiler_id(&b->tc);
	where = toolchain_where(&b->tc);
	if (!host) {
		fprintf(stderr, "lp-build: cannot run %s --version %s: is the compiler "
			"installed there?\n", b->tc.cc, where);
		free(where);
		return LPB_EXIT_ERROR;
	}
	if (!b->target.compiler) {
		fprintf(stderr, "lp-build: %s records no GCC version in .comment; lp-build "
			"supports GCC-built kernels\n", b->o->vmlinux);
		free(host);
		free(where);
		return LPB_EXIT_MISMATCH;
	}
	if (strcmp(host, b->target.compiler)) {
		fprintf(stderr, "lp-build: %s the compiler: the target kernel was built with "
			"\"%s\", %s %s is \"%s\"; install the same compiler (or pass "
			"--allow-compiler-mismatch and rely on the pre-flight check)\n",
			b->o->allow_compiler_mismatch ? "warning: ignoring" : "mismatch in",
			b->target.compiler, b->tc.cc, where, host);
		if (!b->o->allow_compiler_mismatch) {
			free(host);
			free(where);
			return LPB_EXIT_MISMATCH;
		}
	}
	free(host);
	{
		char *what = xasprintf("%s %s (%s), %s %s", b->target.release,
				       b->target.version, b->target.label, b->tc.cc, where);

		build_stage_done(b, ST_TARGET, t0, what);
		free(what);
	}
	free(where);
	return 0;
}

static int stage_patches(struct build *b)
{
	double t0 = now_seconds();
	char *scratch;
	int ret;

	if (patchset_load(&b->patches, b->o->patches, b->o->nr_patches))
		return LPB_EXIT_ERROR;
	scratch = xasprintf("%s/check.%d", b->o->cache, (int)getpid());
	ret = patchset_check(&b->patches, b->o->src, scratch);
	remove_tree(scratch);
	free(scratch);
	if (ret)
		return LPB_EXIT_PATCH_APPLY;
	ret = kpatch_compat_check(&b->patches);
	if (ret) {
		if (ret > 0)
			fprintf(stderr, "lp-build: the patches use %d kpatch interface(s) lp-build "
				"does not support (see above)\n", ret);
		return ret > 0 ? LPB_EXIT_UNPATCHABLE : LPB_EXIT_ERROR;
	}
	{
		char *what = xasprintf("%zu patch(es) apply, touching %zu file(s)",
				       b->patches.paths.n, b->patches.files.n);

		build_stage_done(b, ST_PATCHES, t0, what);
		free(what);
	}
	return 0;
}

/* What every unit is compiled with, the same in every build (the prepared
 * tree is made with it): the patch authors' headers are at ./.lpb/include
 * of each build's patched view. */
#define UNIT_KCFLAGS "-ffunction-sections -fdata-sections -I./.lpb/include"

static int stage_tree(struct build *b)
{
	double t0 = now_seconds();
	char *dst, *inc;
	int ret;

	b->topts = (struct tree_opts){
		.src = b->o->src,
		.config = b->o->config,
		.cache = b->o->cache,
		.release = b->target.release,
		.compiler_id = b->target.compiler,
		.tc = &b->tc,
		.kcflags = UNIT_KCFLAGS,
		.jobs = b->o->jobs,
		.verbose = b->o->verbose,
	};
	if (tree_acquire(&b->tree, &b->topts))
		return LPB_EXIT_ERROR;
	inc = xasprintf("%s/include", b->template_dir);
	ret = tree_view_open(&b->tree, &b->topts, b->name, inc, &b->view);
	free(inc);
	if (ret)
		return LPB_EXIT_ERROR;
	b->work = xstrdup(b->view.dir);
	/* modpost links exported symbols against the target's CRCs */
	dst = xasprintf("%s/Module.symvers", b->view.patched.upper);
	ret = copy_file(b->symvers, dst);
	free(dst);
	if (ret)
		return LPB_EXIT_ERROR;
	build_stage_done(b, ST_TREE, t0, b->tree.fresh ? "prepared a new build tree" :
			     "reused the prepared build tree");
	return 0;
}

/* "3 unit(s), 1 from the tree's object cache, 2 from the unit cache" for
 * the compile just done (@side: 0 original, 1 patched) */
static char *units_what(struct build *b, int side)
{
	struct strbuf sb = { 0 };

	b->ucache_hits[side] = unitcache_hits(&b->ucache, &b->units);
	sb_addf(&sb, "%zu unit(s)", b->units.n);
	if (!side && b->compile.cached)
		sb_addf(&sb, ", %zu from the tree's object cache", b->compile.cached);
	if (b->ucache_hits[side])
		sb_addf(&sb, ", %zu from the unit cache", b->ucache_hits[side]);
	if (side && b->compile.replayed)
		sb_addf(&sb, ", %zu by kbuild's recorded command (no make run)",
			b->compile.replayed);
	return sb_detach(&sb);
}

/*
 * Does the patch touch nothing but the sources of the units it compiles?
 * Then kbuild's make run in the patched view would regenerate nothing
 * (no header, Makefile, Kconfig, host program or generated input changed),
 * and a unit's recorded command makes what kbuild would (compile.c).
 */
/* at most this many units compiled by their recorded commands, not kbuild */
#define REPLAY_MAX_UNITS 4

static bool only_unit_sources(const struct build *b)
{
	if (b->patches.added.n)
		return false;
	for (size_t i = 0; i < b->patches.files.n; i++) {
		bool found = false;

		for (size_t k = 0; k < b->units.n && !found; k++)
			found = !strcmp(b->units.v[k].src, b->patches.files.v[i]);
		if (!found)
			return false;
	}
	return true;
}

static int stage_compile(struct build *b)
{
	char *what, *index = tree_include_index(&b->tree);
	struct units_in in = {
		.src = b->tree.src, .work = b->work, .tree = b->tree.build, .index = index,
		.cache = b->o->cache,
		.vmlinux = b->target.vmlinux, .modules = b->modules, .jobs = b->o->jobs,
		.verbose = b->o->verbose,
	};
	double t0 = now_seconds();
	int ret = LPB_EXIT_ERROR;

	b->compile = (struct compile){
		.t = &b->tree, .o = &b->topts, .v = &b->view, .cache = &b->objcache,
		.quiet = b->o->quiet,
	};
	/* what else makes an object: objtool run on each (tree.c) */
	if (objcache_open(&b->objcache, b->tree.dir, b->tree.build,
			  b->tree.objtool_per_object ? UNIT_KCFLAGS " objtool-per-object" :
						       UNIT_KCFLAGS) ||
	    compile_init(&b->compile))
		goto out;
	/* the patched view first: a changed header is classified by its text */
	if (tree_apply(&b->tree, &b->topts, &b->view, &b->patches.files, &b->patches.paths) ||
	    tree_pin_lines(&b->tree, &b->view, &b->patches.files, b->o->verbose))
		goto out;
	ret = build_select(b, &in);
	if (ret)
		goto out;
	ret = LPB_EXIT_ERROR;
	/* a recorded command is checked once per object cache entry (the
	 * original compiled once more: a unit cache hit, or a whole compile in
	 * a build root, which has none); the make run it saves is every build's.
	 * Replays run one after the other: many units go to kbuild's -j instead */
	b->compile.unit_cache = b->ucache.on;
	b->compile.sources_only = only_unit_sources(b);
	b->compile.replay = b->compile.sources_only && b->units.n <= REPLAY_MAX_UNITS &&
			    !(getenv(RECIPE_ENV) && !strcmp(getenv(RECIPE_ENV), "0"));
	what = xasprintf("%zu unit(s) to compile", b->units.n);
	build_stage_done(b, ST_SELECT, t0, what);
	free(what);

	t0 = now_seconds();
	/* many units (a changed header) take minutes: say so before, not only after */
	if (b->units.n > 4)
		build_say(b, "compiling %zu units, original then patched (-j%d) ...", b->units.n,
		    b->o->jobs);
	unitcache_mark(&b->ucache);
	if (compile_units(&b->compile, &b->units, false))
		goto out;
	what = units_what(b, 0);
	build_stage_done(b, ST_COMPILE_ORIG, t0, what);
	free(what);

	t0 = now_seconds();
	unitcache_mark(&b->ucache);
	if (compile_units(&b->compile, &b->units, true))
		goto out;
	what = units_what(b, 1);
	build_stage_done(b, ST_COMPILE_PATCHED, t0, what);
	free(what);
	ret = 0;
out:
	free(index);
	return ret;
}

struct ko_search {
	const char *want; /* module name with '_' */
	char *found;
};

static struct ko_search *ko_search_ctx;

static int ko_visit(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	const char *base = path + ftw->base;
	size_t n = strlen(base);
	char *name;
	bool match;

	if (flag != FTW_F || n < 4 || strcmp(base + n - 3, ".ko"))
		return 0;
	name = strndup(base, n - 3);
	for (char *p = name; *p; p++)
		if (*p == '-')
			*p = '_';
	match = !strcmp(name, ko_search_ctx->want);
	free(name);
	if (match) {
		ko_search_ctx->found = xstrdup(path);
		return 1;
	}
	return 0;
}

/* The target module's .ko under the modules directory. */
char *build_find_module(const struct build *b, const char *modname)
{
	struct ko_search s = { .want = modname };

	ko_search_ctx = &s;
	nftw(b->modules, ko_visit, 32, FTW_PHYS);
	ko_search_ctx = NULL;
	if (!s.found)
		fprintf(stderr, "lp-build: the patch changes module %s, but %s.ko is not under %s "
			"(give the directory of the target's modules with --modules)\n", modname,
			modname, b->modules);
	return s.found;
}

static int stage_preflight(struct build *b)
{
	double t0 = now_seconds();
	char *what;
	int ret = 0;

	for (size_t i = 0, d = 0; i < b->units.n && !ret; i++) {
		struct unit *u = &b->units.v[i];
		struct lpb_ksyms *ks;

		if (u->diff_rc != LPB_EXIT_OK)
			continue;
		ks = build_object_symbols(b, u->objname);
		ret = ks ? preflight_compare(&b->diffs[d].meta, u->objname, u->orig, ks,
					     &b->preflight) : -1;
		d++;
	}
	if (ret > 0)
		return LPB_EXIT_MISMATCH;
	if (ret < 0)
		return LPB_EXIT_ERROR;
	/* alignment padding of another length, and the branches across it
	 * the assembler sized otherwise, are worth saying: they are the
	 * differences the comparison accepts beyond relocated fields */
	if (b->preflight.padding_sites && b->preflight.resized_branches)
		what = xasprintf("%zu function(s), %zu bytes match the target (%zu alignment site(s) padded to another length there, %zu branch(es) across them in another size)",
				 b->preflight.functions, b->preflight.bytes,
				 b->preflight.padding_sites, b->preflight.resized_branches);
	else if (b->preflight.padding_sites)
		what = xasprintf("%zu function(s), %zu bytes match the target (%zu alignment site(s) padded to another length there)",
				 b->preflight.functions, b->preflight.bytes, b->preflight.padding_sites);
	else
		what = xasprintf("%zu function(s), %zu bytes match the target", b->preflight.functions,
				 b->preflight.bytes);
	build_stage_done(b, ST_PREFLIGHT, t0, what);
	free(what);
	return 0;
}

/* The safety net behind every other check: resolve each symbol of the
 * linked module the way the kernel will, and write nothing that cannot load. */
static int stage_loadcheck(struct build *b, const char *ko)
{
	double t0 = now_seconds();
	char *what, *crcs = NULL;
	int rc = build_check_loadable(b, ko);

	if (rc > 0)
		return LPB_EXIT_MISMATCH;
	if (rc < 0)
		return LPB_EXIT_ERROR;
	rc = build_check_module(b, ko, &b->loadcheck);
	if (rc > 0) {
		fprintf(stderr, "lp-build: refusing to write a module the target kernel cannot load "
			"(see above); please report this as a bug of lp-build if the patch is "
			"not the cause\n");
		return LPB_EXIT_UNPATCHABLE;
	}
	if (rc < 0)
		return LPB_EXIT_ERROR;
	if (b->crcs_checked)
		crcs = xasprintf("%zu symbol version(s) match; ", b->crcs_checked);
	what = xasprintf("%s%s%zu livepatch symbol(s) and %zu undefined symbol(s) resolve in the target",
			 b->vermagic_checked ? (b->this_module_checked ?
				"version magic and struct module accepted; " :
				"version magic accepted; ") : "",
			 crcs ? crcs : "", b->loadcheck.klp_symbols, b->loadcheck.undefined);
	build_stage_done(b, ST_LOADCHECK, t0, what);
	free(what);
	free(crcs);
	return 0;
}

static int stage_link(struct build *b)
{
	struct kmod_spec spec = {
		.name = b->name,
		.patch_version = b->o->patch_version,
		.replace = b->o->replace,
		.target = &b->target,
		.patches = &b->patches,
		.template_dir = b->template_dir,
		.diffs = b->diffs,
		.nr_diffs = b->nr_diffs,
	};
	char *dir = xasprintf("%s/kmod", b->work), *ko, *out;
	double t0 = now_seconds();
	int ret = LPB_EXIT_ERROR;

	char *linked = xasprintf("%s/%s.ko", dir, b->name);
	char *inc = xasprintf("%s/include", b->template_dir), *symvers;
	struct linkcache_inputs in = { .dirs = { inc } };
	struct strbuf patches = { 0 };
	enum kmod_btf btf;
	bool reused;

	/* pahole reads the vmlinux as the module's BTF base: inside a build
	 * root it must be there too (kmod.c links it into the tree, through
	 * a symbolic link when it is on another filesystem) */
	toolchain_bind(&b->tc, b->target.vmlinux);
	/* the patched view (its sources: the patches) and the view's
	 * Module.symvers are the link's inputs too */
	for (size_t i = 0; i < b->patches.sha256.n; i++)
		sb_addf(&patches, "%s ", b->patches.sha256.v[i]);
	in.text = patches.buf;
	symvers = xasprintf("%s/Module.symvers", b->view.patched.upper);
	in.files[0] = symvers;
	if (kmod_generate(&spec, dir) ||
	    kmod_build(&b->tree, &b->topts, &b->view, dir, b->target.vmlinux, linked, &in,
		       &btf, &reused))
		goto out;
	b->module_btf = btf == KMOD_BTF_MADE;
	build_stage_done(b, ST_LINK, t0, reused ?
		   (btf == KMOD_BTF_MADE ?
		    "the module kbuild linked before from the same inputs (with BTF against "
		    "the target's vmlinux; the tree's link cache)" :
		    "the module kbuild linked before from the same inputs (the tree's link cache)") :
		   btf == KMOD_BTF_MADE ?
		   "kbuild linked the module (with BTF against the target's vmlinux)" :
		   "kbuild linked the module");

	t0 = now_seconds();
	ko = xasprintf("%s/%s.ko", dir, b->name);
	out = xasprintf("%s/%s.klp.ko", dir, b->name);
	if (lpb_klp_postlink(ko, out, &b->klp) == 0) {
		char *what = xasprintf("%zu livepatch relocation(s), %zu symbol(s), %zu section(s)",
				       b->klp.relocs, b->klp.symbols, b->klp.sections);

		build_stage_done(b, ST_POSTLINK, t0, what);
		free(what);
		ret = stage_loadcheck(b, out);
		if (!ret) {
			b->module = (uint8_t *)read_file(out, &b->module_len);
			ret = b->module ? 0 : LPB_EXIT_ERROR;
		}
	}
	free(ko);
	free(out);
out:
	free(linked);
	free(inc);
	free(symvers);
	sb_free(&patches);
	free(dir);
	return ret;
}

static int stage_sign(struct build *b)
{
	double t0 = now_seconds();
	uint8_t *signed_mod;
	size_t len;

	if (!b->sign) {
		build_say(b, "note: no --key given: the module is NOT signed (kernels that enforce "
		    "module signatures will refuse it)");
		return 0;
	}
	if (modsign_sign(b->module, b->module_len, b->o->key, b->o->cert, b->o->hash, &signed_mod,
			 &len))
		return LPB_EXIT_ERROR;
	free(b->module);
	b->module = signed_mod;
	b->module_len = len;
	build_stage_done(b, ST_SIGN, t0, b->o->cert);
	return 0;
}

/* Both outputs or neither: temp files first, renames last. */
static int stage_write(struct build *b)
{
	char *ko = xasprintf("%s/%s.ko", b->o->outdir, b->name);
	char *js = xasprintf("%s/%s.json", b->o->outdir, b->name);
	char *ko_tmp = xasprintf("%s/.%s.ko.partial", b->o->outdir, b->name);
	char *js_tmp = xasprintf("%s/.%s.json.partial", b->o->outdir, b->name);
	double t0 = now_seconds();
	char *manifest = NULL;
	int ret = LPB_EXIT_ERROR;

	if (mkdir_p(b->o->outdir))
		goto out;
	b->stage_seconds[ST_WRITE] = 0;
	manifest = build_manifest(b);
	if (write_file_atomic(ko_tmp, b->module, b->module_len, 0644) ||
	    write_file_atomic(js_tmp, manifest, strlen(manifest), 0644))
		goto out;
	if (rename(ko_tmp, ko) || rename(js_tmp, js)) {
		fprintf(stderr, "lp-build: cannot write %s: %s\n", ko, strerror(errno));
		unlink(ko);
		goto out;
	}
	build_stage_done(b, ST_WRITE, t0, ko);
	if (!b->o->quiet)
		printf("%s\n%s\n", ko, js);
	ret = 0;
out:
	unlink(ko_tmp);
	unlink(js_tmp);
	free(manifest);
	free(ko);
	free(js);
	free(ko_tmp);
	free(js_tmp);
	return ret;
}

int build_run(struct build *b, const struct build_opts *o)
{
	int (*const stages[])(struct build *) = {
		stage_target, stage_patches, stage_tree, stage_compile, build_stage_diff,
		stage_preflight, stage_link, stage_sign, stage_write,
	};
	int rc = 0;

	*b = (struct build){ .o = o, .tree = { .lock_fd = -1 }, .view = { .lock_fd = -1 } };
	b->self_dir = self_dir();
	b->cdo = xasprintf("%s/create-diff-object", b->self_dir);
	b->template_dir = find_template(b->self_dir);
	if (!b->template_dir || check_inputs(b))
		return LPB_EXIT_ERROR;
	b->tc = (struct toolchain){
		.cc = o->cc, .hostcc = o->hostcc, .ld = o->ld,
		.root = o->buildroot, .root_id = o->buildroot_id,
	};
	{
		char *cfg = read_file(o->config, NULL);

		b->tc.no_rust = cfg && (!strstr(cfg, "\nCONFIG_RUSTC_VERSION=") ||
					strstr(cfg, "\nCONFIG_RUSTC_VERSION=0\n"));
		free(cfg);
	}
	if (o->buildroot && !o->buildroot_id) {
		/* a root lpb-target made says what it holds next to it; any
		 * other is known by its path */
		b->root_id = root_identity(o->buildroot);
		b->tc.root_id = b->root_id;
	}
	/* kbuild in a build root sees the tree (in the cache), the source its
	 * files link to and the module template at their host paths */
	if (o->buildroot) {
		char *cache = real_path(o->cache), *src = real_path(o->src);

		toolchain_bind(&b->tc, cache);
		toolchain_bind(&b->tc, src);
		toolchain_bind(&b->tc, b->template_dir);
		free(cache);
		free(src);
		if (!is_dir(o->buildroot)) {
			fprintf(stderr, "lp-build: the build root %s does not exist\n", o->buildroot);
			return LPB_EXIT_ERROR;
		}
	}
	b->name = build_patch_name(o);
	if (!b->name)
		return LPB_EXIT_ERROR;
	if (unitcache_enable(&b->ucache, o->cache, &b->tc))
		return LPB_EXIT_ERROR;
	if (b->ucache.why_off && o->verbose)
		fprintf(stderr, "lp-build: compiled units are not shared with other builds: %s\n",
			b->ucache.why_off);
	if (!path_exists(b->cdo)) {
		fprintf(stderr, "lp-build: %s is missing: build it with make\n", b->cdo);
		return LPB_EXIT_ERROR;
	}
	for (size_t i = 0; i < sizeof(stages) / sizeof(stages[0]) && !rc; i++) {
		rc = stages[i](b);
		if (!rc && lpb_interrupted) {
			fprintf(stderr, "lp-build: interrupted\n");
			rc = LPB_EXIT_ERROR;
		}
	}
	return rc;
}

void build_free(struct build *b)
{
	for (size_t i = 0; i < b->nr_diffs; i++) {
		lpb_meta_free(&b->diffs[i].meta);
		lpb_elf_free(b->diffs[i].elf);
	}
	free(b->diffs);
	build_check_free(b);
	compile_free(&b->compile);
	objcache_close(&b->objcache);
	tree_view_close(&b->view);
	tree_release(&b->tree);
	units_free(&b->units);
	unitcache_free(&b->ucache);
	patchset_free(&b->patches);
	target_free(&b->target);
	toolchain_free(&b->tc);
	free(b->root_id);
	free(b->self_dir);
	free(b->template_dir);
	free(b->cdo);
	sv_free(&b->entry_sizes);
	free(b->symvers);
	free(b->modules);
	free(b->work);
	free(b->name);
	free(b->module);
}
