// SPDX-License-Identifier: GPL-2.0-only
/* Targets by name: the per-target knowledge (which packages, which compiler,
 * which build root) lives in lpb-target and its series table; lp-build runs
 * it and reads the target file it writes. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "run.h"
#include "targetfile.h"

char *lpb_target_tool(void)
{
	const char *cands[] = { "%s/lpb-target", "%s/../build-driver/lpb-target",
				"%s/../share/lp-build/lpb-target" };
	const char *env = getenv("LPB_TARGET_TOOL");
	char self[PATH_MAX];
	ssize_t n;

	if (env)
		return xstrdup(env);
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return NULL;
	self[n] = 0;
	*strrchr(self, '/') = 0;
	for (size_t i = 0; i < sizeof(cands) / sizeof(*cands); i++) {
		char *p = xasprintf(cands[i], self);

		if (access(p, X_OK) == 0) {
			char *r = real_path(p);

			free(p);
			return r;
		}
		free(p);
	}
	fprintf(stderr, "lp-build: cannot find lpb-target next to %s (set LPB_TARGET_TOOL)\n", self);
	return NULL;
}

/* lpb-target reads the cache and the job count from the environment. */
static void set_env(const char *cache, int jobs)
{
	char j[16];

	setenv("LPB_CACHE", cache, 1);
	if (jobs > 0) {
		snprintf(j, sizeof(j), "%d", jobs);
		setenv("LPB_JOBS", j, 1);
	}
}

int target_file_fetch(struct target_file *tf, const char *spec, const char *cache, int jobs,
		      bool refresh)
{
	char *tool = lpb_target_tool();
	const char *av[6];
	struct strbuf out = { 0 };
	size_t n = 0;
	int rc, ret;

	*tf = (struct target_file){ 0 };
	if (!tool)
		return -1;
	set_env(cache, jobs);
	av[n++] = tool;
	av[n++] = "fetch";
	if (refresh)
		av[n++] = "--refresh";
	av[n++] = spec;
	av[n] = NULL;
	rc = run_cmd(av, NULL, RUN_PASS_STDERR, &out);
	free(tool);
	if (rc) {
		fprintf(stderr, "lp-build: cannot get the target %s (lpb-target exited with %d; "
			"see above)\n", spec, rc);
		sb_free(&out);
		return -1;
	}
	/* the last line is the target file; anything before it is not ours */
	while (out.len && out.buf[out.len - 1] == '\n')
		out.buf[--out.len] = 0;
	{
		const char *last = out.buf ? strrchr(out.buf, '\n') : NULL;

		ret = target_file_read(tf, last ? last + 1 : (out.buf ? out.buf : ""));
	}
	sb_free(&out);
	return ret;
}

int target_file_read(struct target_file *tf, const char *path)
{
	char *data, *line, *save = NULL;
	int lineno = 0;

	*tf = (struct target_file){ 0 };
	data = read_file(path, NULL);
	if (!data)
		return -1;
	tf->path = xstrdup(path);
	for (line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(line, '='), *val;
		size_t len;

		lineno++;
		if (*line == '#' || !*line)
			continue;
		if (!eq || eq == line) {
			fprintf(stderr, "lp-build: %s: cannot read line '%s'\n", path, line);
			free(data);
			return -1;
		}
		*eq = 0;
		val = eq + 1;
		len = strlen(val);
		if (*val == '\'') {
			if (len < 2 || val[len - 1] != '\'') {
				fprintf(stderr, "lp-build: %s: unterminated quote for %s\n", path, line);
				free(data);
				return -1;
			}
			val[len - 1] = 0;
			val++;
		}
		sv_push(&tf->keys, line);
		sv_push(&tf->vals, val);
	}
	free(data);
	return 0;
}

const char *target_file_get(const struct target_file *tf, const char *key)
{
	for (size_t i = tf->keys.n; i-- > 0;)
		if (!strcmp(tf->keys.v[i], key))
			return tf->vals.v[i];
	return NULL;
}

int lpb_target_run(const char *cache, const char *const *args)
{
	char *tool = lpb_target_tool();
	struct strvec av = { 0 };
	pid_t pid;
	int status;

	if (!tool)
		return 1;
	set_env(cache, 0);
	sv_push(&av, tool);
	for (size_t i = 0; args[i]; i++)
		sv_push(&av, args[i]);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		execv(av.v[0], av.v);
		fprintf(stderr, "lp-build: cannot run %s: %s\n", av.v[0], strerror(errno));
		_exit(127);
	}
	free(tool);
	sv_free(&av);
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return 1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

void target_file_free(struct target_file *tf)
{
	free(tf->path);
	sv_free(&tf->keys);
	sv_free(&tf->vals);
	*tf = (struct target_file){ 0 };
}
