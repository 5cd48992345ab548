// SPDX-License-Identifier: GPL-2.0-only
/* Parser for kbuild's Module.symvers into a hash set of exported symbols,
 * strict enough to name the line of a damaged file. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "symvers.h"

struct lpb_symvers {
	struct lpb_hash names;
	struct lpb_export **all;
	size_t nr, cap;
};

void lpb_symvers_free(struct lpb_symvers *sv)
{
	size_t i;

	if (!sv)
		return;
	for (i = 0; i < sv->nr; i++) {
		free(sv->all[i]->name);
		free(sv->all[i]->module);
		free(sv->all[i]->modname);
		free(sv->all[i]->ns);
		free(sv->all[i]);
	}
	free(sv->all);
	lpb_hash_free(&sv->names);
	free(sv);
}

const struct lpb_export *lpb_symvers_find(const struct lpb_symvers *sv,
					  const char *name)
{
	struct lpb_hnode *n;

	lpb_hash_for_each_possible(&sv->names, n, lpb_str_hash(name)) {
		struct lpb_export *e = container_of(n, struct lpb_export, node);

		if (!strcmp(e->name, name))
			return e;
	}
	return NULL;
}

size_t lpb_symvers_count(const struct lpb_symvers *sv)
{
	return sv->nr;
}

static int add(struct lpb_symvers *sv, char **f, size_t nf)
{
	struct lpb_export *e;
	char *end;

	if (sv->nr == sv->cap) {
		size_t cap = sv->cap ? sv->cap * 2 : 1024;
		void *p = realloc(sv->all, cap * sizeof(*sv->all));

		if (!p)
			return -ENOMEM;
		sv->all = p;
		sv->cap = cap;
	}
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->crc = strtoul(f[0], &end, 16);
	e->name = strdup(f[1]);
	e->module = strdup(f[2]);
	e->modname = strdup(strrchr(f[2], '/') ? strrchr(f[2], '/') + 1 : f[2]);
	e->ns = strdup(nf > 4 ? f[4] : "");
	e->gpl_only = !strcmp(f[3], "EXPORT_SYMBOL_GPL");
	for (char *p = e->modname; p && *p; p++)
		if (*p == '-')
			*p = '_';
	if (!e->name || !e->module || !e->modname || !e->ns) {
		free(e->name);
		free(e->module);
		free(e->modname);
		free(e->ns);
		free(e);
		return -ENOMEM;
	}
	sv->all[sv->nr++] = e;
	return lpb_hash_add(&sv->names, &e->node, lpb_str_hash(e->name));
}

struct lpb_symvers *lpb_symvers_load(const char *path)
{
	struct lpb_symvers *sv = calloc(1, sizeof(*sv));
	FILE *fp = fopen(path, "re");
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	ssize_t len;

	if (!fp) {
		lpb_err("%s: cannot open: %s", path, strerror(errno));
		goto err;
	}
	if (!sv)
		goto nomem;
	while ((len = getline(&line, &cap, fp)) >= 0) {
		char *f[6], *p = line, *end;
		size_t nf = 0;

		lineno++;
		if (len && line[len - 1] == '\n')
			line[--len] = 0;
		if (!len)
			continue;
		while (nf < 6) {
			f[nf++] = p;
			p = strchr(p, '\t');
			if (!p)
				break;
			*p++ = 0;
		}
		if (nf < 4 || strncmp(f[0], "0x", 2) || !*f[1] ||
		    (strtoul(f[0], &end, 16), *end)) {
			lpb_err("%s:%zu: not a Module.symvers line (want crc, symbol, module, export type)",
				path, lineno);
			goto err;
		}
		if (add(sv, f, nf))
			goto nomem;
	}
	free(line);
	fclose(fp);
	return sv;
nomem:
	lpb_err("%s: out of memory", path);
err:
	free(line);
	if (fp)
		fclose(fp);
	lpb_symvers_free(sv);
	return NULL;
}
