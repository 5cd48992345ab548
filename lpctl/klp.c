// SPDX-License-Identifier: GPL-2.0-only
/* Reading and steering the livepatch core through sysfs and procfs. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "klp.h"

static int read_int(const char *path, int dflt)
{
	char *s = read_line(path);
	char *end;
	long v;

	if (!s)
		return dflt;
	v = strtol(s, &end, 10);
	if (end == s)
		v = dflt;
	free(s);
	return (int)v;
}

void klp_read(const char *sysfs, const char *name, struct klp_state *st)
{
	char *dir = xasprintf("%s/kernel/livepatch/%s", sysfs, name);
	char *p;
	struct stat sb;

	*st = (struct klp_state){ .enabled = -1, .transition = -1 };
	st->present = !stat(dir, &sb) && S_ISDIR(sb.st_mode);
	if (st->present) {
		p = xasprintf("%s/enabled", dir);
		st->enabled = read_int(p, -1);
		free(p);
		p = xasprintf("%s/transition", dir);
		st->transition = read_int(p, -1);
		free(p);
	}
	free(dir);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void klp_list(const char *sysfs, struct strv *names)
{
	char *dir = xasprintf("%s/kernel/livepatch", sysfs);
	DIR *d = opendir(dir);
	struct dirent *e;

	free(dir);
	if (!d)
		return;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			strv_add(names, e->d_name);
	closedir(d);
	if (names->n)
		qsort(names->v, names->n, sizeof(*names->v), cmp_str);
}

int klp_write_enabled(const char *sysfs, const char *name, int val)
{
	char *path = xasprintf("%s/kernel/livepatch/%s/enabled", sysfs, name);
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret = 0;

	free(path);
	if (fd < 0)
		return -errno;
	if (write(fd, val ? "1\n" : "0\n", 2) != 2)
		ret = -errno;
	close(fd);
	return ret;
}

bool klp_module_loaded(const char *sysfs, const char *name)
{
	char *p = xasprintf("%s/module/%s", sysfs, name);
	struct stat sb;
	bool ret = !stat(p, &sb);

	free(p);
	return ret;
}

static bool all_digits(const char *s)
{
	return *s && strspn(s, "0123456789") == strlen(s);
}

int klp_stalled_tasks(const char *procfs, int target, size_t max_stacks, struct stalled_task **out,
		      size_t *nr)
{
	DIR *pd = opendir(procfs), *td;
	struct dirent *pe, *te;
	size_t cap = 0;

	*out = NULL;
	*nr = 0;
	if (!pd)
		return -errno;
	while ((pe = readdir(pd))) {
		char *tdir;

		if (!all_digits(pe->d_name))
			continue;
		tdir = xasprintf("%s/%s/task", procfs, pe->d_name);
		td = opendir(tdir);
		if (!td) {
			free(tdir);
			continue; /* the process exited meanwhile */
		}
		while ((te = readdir(td))) {
			struct stalled_task *t;
			char *p, *comm;
			int state;

			if (!all_digits(te->d_name))
				continue;
			p = xasprintf("%s/%s/patch_state", tdir, te->d_name);
			state = read_int(p, -1);
			free(p);
			if (state == -1 || state == target)
				continue;
			if (*nr == cap) {
				cap = cap ? cap * 2 : 16;
				*out = xrealloc(*out, cap * sizeof(**out));
			}
			t = &(*out)[(*nr)++];
			*t = (struct stalled_task){ .pid = atoi(pe->d_name),
						    .tid = atoi(te->d_name),
						    .state = state };
			p = xasprintf("%s/%s/comm", tdir, te->d_name);
			comm = read_line(p);
			free(p);
			snprintf(t->comm, sizeof(t->comm), "%s", comm ? comm : "?");
			free(comm);
			if (*nr <= max_stacks) {
				uint8_t *stack;
				size_t len;

				p = xasprintf("%s/%s/stack", tdir, te->d_name);
				if (!read_path(p, 1 << 16, &stack, &len))
					t->stack = (char *)stack;
				free(p);
			}
		}
		closedir(td);
		free(tdir);
	}
	closedir(pd);
	return 0;
}

void klp_free_tasks(struct stalled_task *t, size_t nr)
{
	for (size_t i = 0; i < nr; i++)
		free(t[i].stack);
	free(t);
}
