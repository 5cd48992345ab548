// SPDX-License-Identifier: GPL-2.0-only
/* Where distribution packages put a kernel's debug files, as data: the debug
 * vmlinux, Module.symvers and debug modules of one release, and the package
 * that brings each. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "locate.h"
#include "util.h"

enum what { W_VMLINUX, W_SYMVERS, W_MODULES, NR_WHAT };

static const struct place {
	enum what what;
	const char *fmt; /* path for release %s, under the system root */
	const char *package; /* what installs it, for release %s */
} places[] = {
	/* Debian: linux-image-R-dbg and linux-headers-R */
	{ W_VMLINUX, "/usr/lib/debug/boot/vmlinux-%s", "linux-image-%s-dbg" },
	{ W_SYMVERS, "/usr/src/linux-headers-%s/Module.symvers", "linux-headers-%s" },
	{ W_MODULES, "/usr/lib/debug/lib/modules/%s", "linux-image-%s-dbg" },
	/* a kernel built and installed from its own tree (make modules_install) */
	{ W_SYMVERS, "/lib/modules/%s/build/Module.symvers", NULL },
};

static const char *const what_names[NR_WHAT] = {
	[W_VMLINUX] = "debug vmlinux",
	[W_SYMVERS] = "Module.symvers",
	[W_MODULES] = "debug modules",
};

static const char *const what_options[NR_WHAT] = {
	[W_VMLINUX] = "-v",
	[W_SYMVERS] = "--symvers",
	[W_MODULES] = "--modules",
};

/*
 * The release a config belongs to. The config's text names only the
 * upstream version (Debian sets the rest on make's command line), so the
 * file name tells: /boot/config-RELEASE. A config under another name is
 * the running kernel's only if it is byte for byte /boot/config-$(uname -r):
 * taking uname -r for any config would pair one kernel's config with
 * another's debug files.
 */
static char *release_of(const char *config, const char *sysroot)
{
	const char *base = strrchr(config, '/') ? strrchr(config, '/') + 1 : config;
	struct utsname u;
	char *running, *a, *b;
	size_t la, lb;
	bool same;

	if (!strncmp(base, "config-", 7) && base[7])
		return xstrdup(base + 7);
	if (uname(&u))
		return NULL;
	running = xasprintf("%s/boot/config-%s", sysroot, u.release);
	a = path_exists(running) ? read_file(running, &la) : NULL;
	b = a ? read_file(config, &lb) : NULL;
	same = a && b && la == lb && !memcmp(a, b, la);
	free(a);
	free(b);
	free(running);
	return same ? xstrdup(u.release) : NULL;
}

int locate_installed(struct located *l, const char *config, const char **vmlinux,
		     const char **symvers, const char **modules)
{
	const char *sysroot = getenv("LPB_SYSROOT") ? getenv("LPB_SYSROOT") : "";
	const char **slot[NR_WHAT] = { vmlinux, symvers, modules };
	char **found[NR_WHAT] = { &l->vmlinux, &l->symvers, &l->modules };
	struct strvec missing = { 0 }, pkgs = { 0 };
	int ret = 0;

	*l = (struct located){ 0 };
	if (!path_exists(config))
		return 0; /* said by the input checks, with the option's name */
	l->release = release_of(config, sysroot);
	if (!l->release) {
		fprintf(stderr, "lp-build: cannot tell which kernel release %s is for (it is not "
			"named config-RELEASE, nor the running kernel's config): give the debug "
			"vmlinux with -v\n", config);
		return -1;
	}
	for (size_t i = 0; i < sizeof(places) / sizeof(*places); i++) {
		const struct place *p = &places[i];
		char *path;

		if (*slot[p->what] || *found[p->what])
			continue;
		{
			char *rel = xasprintf(p->fmt, l->release);

			path = xasprintf("%s%s", sysroot, rel);
			free(rel);
		}
		if (path_exists(path))
			*found[p->what] = path;
		else
			free(path);
	}
	for (int w = 0; w < NR_WHAT; w++) {
		if (*slot[w])
			continue;
		if (*found[w]) {
			*slot[w] = *found[w];
			fprintf(stderr, "lp-build: %s for %s: %s\n", what_names[w], l->release,
				*found[w]);
			continue;
		}
		/* the debug modules are needed only when a patch changes a module:
		 * their absence is said when that happens */
		if (w == W_MODULES)
			continue;
		sv_pushf(&missing, "%s (%s)", what_names[w], what_options[w]);
		for (size_t i = 0; i < sizeof(places) / sizeof(*places); i++) {
			if (places[i].what == (enum what)w && places[i].package) {
				char *pkg = xasprintf(places[i].package, l->release);

				if (!sv_contains(&pkgs, pkg))
					sv_push(&pkgs, pkg);
				free(pkg);
				break;
			}
		}
		ret = -1;
	}
	if (ret) {
		struct strbuf sb = { 0 };

		for (size_t i = 0; i < missing.n; i++)
			sb_addf(&sb, "%s%s", i ? ", " : "", missing.v[i]);
		fprintf(stderr, "lp-build: no %s installed for %s%s%s", sb.buf, l->release,
			*sysroot ? " under " : "", sysroot);
		sb_reset(&sb);
		for (size_t i = 0; i < pkgs.n; i++)
			sb_addf(&sb, "%s%s", i ? " " : "", pkgs.v[i]);
		fprintf(stderr, ": install %s (apt-get install %s), or give the files with the "
			"options named\n", pkgs.n > 1 ? "the packages" : "the package", sb.buf);
		sb_free(&sb);
	}
	sv_free(&missing);
	sv_free(&pkgs);
	return ret;
}

/* @name found in $PATH (absolute paths as they are), or in a build root's
 * standard PATH when @root is not NULL. */
static bool on_path(const char *name, const char *root)
{
	const char *path = root ? "/usr/local/bin:/usr/bin:/bin" : getenv("PATH");
	char *copy, *dir, *save = NULL;
	bool found = false;

	if (strchr(name, '/')) {
		char *p = xasprintf("%s%s", root ? root : "", name);
		bool ok = access(p, X_OK) == 0;

		free(p);
		return ok;
	}
	copy = xstrdup(path ? path : "/usr/bin:/bin");
	for (dir = strtok_r(copy, ":", &save); dir && !found; dir = strtok_r(NULL, ":", &save)) {
		char *p = xasprintf("%s%s/%s", root ? root : "", dir, name);

		found = access(p, X_OK) == 0;
		free(p);
	}
	free(copy);
	return found;
}

char *config_compiler(const char *config, const char *root)
{
	static const char key[] = "\nCONFIG_CC_VERSION_TEXT=\"";
	char *text = read_file(config, NULL), *p, *cc = NULL;

	p = text ? strstr(text, key) : NULL;
	if (p) {
		p += sizeof(key) - 1;
		cc = strndup(p, strcspn(p, " \"\n"));
		if (!*cc || !on_path(cc, root)) {
			free(cc);
			cc = NULL;
		}
	}
	free(text);
	return cc;
}

void located_free(struct located *l)
{
	free(l->release);
	free(l->vmlinux);
	free(l->symvers);
	free(l->modules);
	*l = (struct located){ 0 };
}
