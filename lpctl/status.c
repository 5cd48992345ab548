// SPDX-License-Identifier: GPL-2.0-only
/* status and list: what is installed, loaded, locked, and what happened the
 * last time, for people and (--json) for scripts. Read-only: no lock taken,
 * the state files are replaced atomically. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd.h"
#include "json.h"
#include "klp.h"
#include "manifest.h"
#include "modinfo.h"
#include "store.h"

/* Everything status shows, gathered once for both forms. */
struct status {
	struct kvfile inst, last, marker, lock, upd;
	bool has_inst, has_last, has_marker, locked, has_upd;
	char *lock_path;
	struct manifest mf;
	bool has_mf;
	struct strv fixes; /* "FILE SHA256" */
	struct klp_state st; /* of the installed patch */
	bool mod_loaded;
	struct strv patches; /* registered livepatches */
	struct strv problems; /* damaged state files */
};

static bool read_state(struct lpctl *c, const char *name, struct kvfile *f, struct status *s)
{
	char *path = store_path(c, name), why[200];
	int ret = kvfile_read(path, f, why, sizeof(why));

	if (ret == -EBADMSG)
		strv_addf(&s->problems, "%s is damaged (%s); not trusted", path, why);
	else if (ret && ret != -ENOENT)
		strv_addf(&s->problems, "cannot read %s: %s", path, why);
	free(path);
	return !ret;
}

/* STATE/update: the last lpctl update (one for the machine, not per kernel) */
static bool read_update(struct lpctl *c, struct status *s)
{
	char *path = xasprintf("%s/update", c->state_dir), why[200];
	int ret = kvfile_read(path, &s->upd, why, sizeof(why));

	if (ret == -EBADMSG)
		strv_addf(&s->problems, "%s is damaged (%s); not trusted", path, why);
	else if (ret && ret != -ENOENT)
		strv_addf(&s->problems, "cannot read %s: %s", path, why);
	free(path);
	return !ret;
}

static void gather(struct lpctl *c, struct status *s)
{
	const char *name, *sha;

	s->has_inst = read_state(c, "installed", &s->inst, s);
	s->has_last = read_state(c, "last", &s->last, s);
	s->has_marker = read_state(c, "marker", &s->marker, s);
	s->has_upd = read_update(c, s);
	klp_list(c->sysfs, &s->patches);
	name = s->has_inst ? kv_get(&s->inst, "name") : NULL;
	sha = s->has_inst ? kv_get(&s->inst, "sha256") : NULL;
	if (!name || !sha || !valid_module_name(name)) {
		if (s->has_inst)
			strv_addf(&s->problems, "%s/installed names no patch", c->rel_dir);
		s->has_inst = false;
		return;
	}
	klp_read(c->sysfs, name, &s->st);
	s->mod_loaded = klp_module_loaded(c->sysfs, name);
	s->locked = store_find_lock(c, name, sha, &s->lock);
	if (s->locked)
		s->lock_path = store_lock_path(c, name, sha);
	if (kv_get(&s->inst, "manifest")) {
		char *p = store_path(c, kv_get(&s->inst, "manifest")), why[200];

		if (manifest_load(p, &s->mf, why, sizeof(why)))
			strv_addf(&s->problems, "%s: %s", p, why);
		else
			s->has_mf = true;
		free(p);
	}
	if (s->has_mf) {
		for (size_t i = 0; i < s->mf.nr_patches; i++)
			strv_addf(&s->fixes, "%s %s", s->mf.patches[i].file,
				  s->mf.patches[i].sha256 ? s->mf.patches[i].sha256 : "");
	} else {
		/* the module records its source patches too */
		struct modinfo mi;
		char *p = store_path(c, kv_get(&s->inst, "module"));

		if (!modinfo_read(p, &mi)) {
			for (size_t i = 0; i < mi.patches.n; i++) {
				const char *sp = strchr(mi.patches.v[i], ' ');

				if (sp)
					strv_addf(&s->fixes, "%s %.*s", sp + 1,
						  (int)(sp - mi.patches.v[i]), mi.patches.v[i]);
			}
			modinfo_free(&mi);
		}
		free(p);
	}
}

static void status_free(struct status *s)
{
	kvfile_free(&s->inst);
	kvfile_free(&s->last);
	kvfile_free(&s->marker);
	kvfile_free(&s->lock);
	kvfile_free(&s->upd);
	free(s->lock_path);
	manifest_free(&s->mf);
	strv_free(&s->fixes);
	strv_free(&s->patches);
	strv_free(&s->problems);
}

/* When the installed patch, now applied, was applied (NULL if unknown). */
static const char *applied_at(const struct status *s)
{
	if (!s->has_inst || !s->has_last || s->st.enabled != 1 ||
	    strcmp(kv_get(&s->last, "result") ?: "", "applied") ||
	    strcmp(kv_get(&s->last, "sha256") ?: "", kv_get(&s->inst, "sha256")))
		return NULL;
	return kv_get(&s->last, "at");
}

/* One word for the installed patch's state in the kernel. */
static const char *patch_state(const struct status *s)
{
	if (!s->has_inst)
		return "none";
	if (!s->st.present)
		return s->mod_loaded ? "disabled" : "not-loaded";
	if (s->st.transition == 1)
		return s->st.enabled == 1 ? "patching" : "unpatching";
	return s->st.enabled == 1 ? "applied" : "disabled";
}

static bool marker_from_other_boot(struct lpctl *c, const struct status *s)
{
	const char *b = kv_get(&s->marker, "boot_id");

	return !b || strcmp(b, c->boot_id);
}

static void json_num(struct json_writer *w, const struct kvfile *f, const char *key)
{
	const char *v = kv_get(f, key);

	if (v && *v)
		jw_int(w, key, strtoll(v, NULL, 10));
	else
		jw_null(w, key);
}

static void json_update(struct json_writer *w, const struct status *s)
{
	static const char *const strs[] = { "repository", "repository_id", "published",
					     "checked_at", "last_success_at", "result",
					     "message", "patch", "patch_version" };

	if (!s->has_upd) {
		jw_null(w, "update");
		return;
	}
	jw_begin_object(w, "update");
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		jw_string(w, strs[i], kv_get(&s->upd, strs[i]));
	json_num(w, &s->upd, "serial");
	json_num(w, &s->upd, "bucket");
	json_num(w, &s->upd, "rollout");
	jw_end_object(w);
}

static void print_json(struct lpctl *c, struct status *s)
{
	struct json_writer w = { .f = c->out };

	jw_begin_object(&w, NULL);
	jw_begin_object(&w, "kernel");
	jw_string(&w, "release", c->release);
	jw_string(&w, "version", c->version);
	jw_string(&w, "boot_id", c->boot_id);
	jw_end_object(&w);

	if (s->has_inst) {
		jw_begin_object(&w, "installed");
		jw_string(&w, "name", kv_get(&s->inst, "name"));
		jw_string(&w, "patch_version", kv_get(&s->inst, "patch_version"));
		jw_string(&w, "sha256", kv_get(&s->inst, "sha256"));
		jw_bool(&w, "replace", !strcmp(kv_get(&s->inst, "replace") ?: "", "1"));
		jw_string(&w, "target_label", kv_get(&s->inst, "target_label"));
		jw_string(&w, "signer", kv_get(&s->inst, "signer"));
		jw_string(&w, "installed_at", kv_get(&s->inst, "installed_at"));
		jw_begin_array(&w, "fixes");
		for (size_t i = 0; i < s->fixes.n; i++) {
			const char *sp = strchr(s->fixes.v[i], ' ');
			char *file = sp ? strndup(s->fixes.v[i], sp - s->fixes.v[i]) :
					  xstrdup(s->fixes.v[i]);

			jw_begin_object(&w, NULL);
			jw_string(&w, "file", file);
			jw_string(&w, "sha256", sp && sp[1] ? sp + 1 : NULL);
			jw_end_object(&w);
			free(file);
		}
		jw_end_array(&w);
		jw_begin_array(&w, "functions");
		for (size_t i = 0; s->has_mf && i < s->mf.functions.n; i++)
			jw_string(&w, NULL, s->mf.functions.v[i]);
		jw_end_array(&w);
		jw_end_object(&w);
	} else {
		jw_null(&w, "installed");
	}

	jw_begin_object(&w, "patch");
	jw_string(&w, "state", patch_state(s));
	jw_string(&w, "applied_at", applied_at(s));
	jw_bool(&w, "loaded", s->mod_loaded);
	if (s->st.present) {
		jw_bool(&w, "enabled", s->st.enabled == 1);
		jw_bool(&w, "transition", s->st.transition == 1);
	} else {
		jw_null(&w, "enabled");
		jw_null(&w, "transition");
	}
	jw_end_object(&w);

	jw_begin_object(&w, "lock");
	jw_bool(&w, "locked", s->locked);
	jw_string(&w, "reason", s->locked ? kv_get(&s->lock, "reason") : NULL);
	jw_string(&w, "locked_at", s->locked ? kv_get(&s->lock, "locked_at") : NULL);
	jw_string(&w, "file", s->lock_path);
	jw_end_object(&w);

	if (s->has_last) {
		const char *ms = kv_get(&s->last, "transition_ms");

		jw_begin_object(&w, "last");
		jw_string(&w, "name", kv_get(&s->last, "name"));
		jw_string(&w, "result", kv_get(&s->last, "result"));
		jw_string(&w, "at", kv_get(&s->last, "at"));
		if (ms)
			jw_int(&w, "transition_ms", strtoll(ms, NULL, 10));
		else
			jw_null(&w, "transition_ms");
		jw_string(&w, "message", kv_get(&s->last, "message"));
		jw_begin_array(&w, "replaced");
		for (size_t i = 0; i < s->last.n; i++)
			if (!strcmp(s->last.v[i].key, "replaced"))
				jw_string(&w, NULL, s->last.v[i].val);
		jw_end_array(&w);
		jw_begin_array(&w, "stalled_tasks");
		for (size_t i = 0; i < s->last.n; i++)
			if (!strcmp(s->last.v[i].key, "stalled_task"))
				jw_string(&w, NULL, s->last.v[i].val);
		jw_end_array(&w);
		jw_end_object(&w);
	} else {
		jw_null(&w, "last");
	}

	if (s->has_marker) {
		jw_begin_object(&w, "marker");
		jw_string(&w, "name", kv_get(&s->marker, "name"));
		jw_string(&w, "started_at", kv_get(&s->marker, "started_at"));
		jw_bool(&w, "previous_boot", marker_from_other_boot(c, s));
		jw_end_object(&w);
	} else {
		jw_null(&w, "marker");
	}

	json_update(&w, s);

	jw_begin_array(&w, "livepatches");
	for (size_t i = 0; i < s->patches.n; i++) {
		struct klp_state st;

		klp_read(c->sysfs, s->patches.v[i], &st);
		jw_begin_object(&w, NULL);
		jw_string(&w, "name", s->patches.v[i]);
		jw_bool(&w, "enabled", st.enabled == 1);
		jw_bool(&w, "transition", st.transition == 1);
		jw_end_object(&w);
	}
	jw_end_array(&w);

	jw_begin_array(&w, "problems");
	for (size_t i = 0; i < s->problems.n; i++)
		jw_string(&w, NULL, s->problems.v[i]);
	jw_end_array(&w);
	jw_end_object(&w);
}

static void print_human(struct lpctl *c, struct status *s)
{
	FILE *o = c->out;

	fprintf(o, "kernel:      %s %s\n", c->release, c->version ? c->version : "");
	if (!s->has_inst) {
		fprintf(o, "installed:   none\n");
	} else {
		fprintf(o, "installed:   %s version %s (sha256 %.16s, %s), %s\n",
			kv_get(&s->inst, "name"), kv_get(&s->inst, "patch_version") ?: "?",
			kv_get(&s->inst, "sha256"),
			!strcmp(kv_get(&s->inst, "replace") ?: "", "1") ?
				"replaces earlier patches" :
				"stacks on earlier patches",
			kv_get(&s->inst, "installed_at") ?: "");
		fprintf(o, "  target:    %s\n", kv_get(&s->inst, "target_label") ?: "?");
		fprintf(o, "  signer:    %s\n", kv_get(&s->inst, "signer") ?: "?");
		for (size_t i = 0; i < s->fixes.n; i++)
			fprintf(o, "  %-10s %s\n", i ? "" : "fixes:", s->fixes.v[i]);
		for (size_t i = 0; s->has_mf && i < s->mf.functions.n; i++)
			fprintf(o, "  %-10s %s\n", i ? "" : "functions:", s->mf.functions.v[i]);
		fprintf(o, "state:       %s", patch_state(s));
		if (s->st.present)
			fprintf(o, " (enabled=%d transition=%d)", s->st.enabled, s->st.transition);
		if (applied_at(s))
			fprintf(o, " since %s", applied_at(s));
		fputc('\n', o);
		if (s->locked)
			fprintf(o,
				"lock:        LOCKED since %s: %s\n             (%s; lpctl unlock %s)\n",
				kv_get(&s->lock, "locked_at") ?: "?",
				kv_get(&s->lock, "reason") ?: "?", s->lock_path,
				kv_get(&s->inst, "name"));
		else
			fprintf(o, "lock:        none\n");
	}
	if (s->has_last) {
		const char *ms = kv_get(&s->last, "transition_ms");

		fprintf(o, "last:        %s %s at %s", kv_get(&s->last, "name") ?: "?",
			kv_get(&s->last, "result") ?: "?", kv_get(&s->last, "at") ?: "?");
		if (ms)
			fprintf(o, ", transition %lld ms", strtoll(ms, NULL, 10));
		fputc('\n', o);
		if (kv_get(&s->last, "message") && *kv_get(&s->last, "message"))
			fprintf(o, "             %s\n", kv_get(&s->last, "message"));
		for (size_t i = 0; i < s->last.n; i++) {
			if (!strcmp(s->last.v[i].key, "replaced"))
				fprintf(o, "             replaced %s\n", s->last.v[i].val);
			else if (!strcmp(s->last.v[i].key, "stalled_task"))
				fprintf(o, "             stalled task %s\n", s->last.v[i].val);
		}
	}
	if (s->has_marker)
		fprintf(o, "marker:      %s being applied since %s%s\n",
			kv_get(&s->marker, "name") ?: "?", kv_get(&s->marker, "started_at") ?: "?",
			marker_from_other_boot(c, s) ?
				" in an earlier boot (lpctl start locks it out)" :
				"");
	if (s->has_upd) {
		fprintf(o, "update:      %s checked %s: %s", kv_get(&s->upd, "repository") ?: "?",
			kv_get(&s->upd, "checked_at") ?: "?", kv_get(&s->upd, "result") ?: "?");
		if (kv_get(&s->upd, "serial"))
			fprintf(o, " (index serial %s", kv_get(&s->upd, "serial"));
		if (kv_get(&s->upd, "bucket"))
			fprintf(o, ", bucket %s for %s version %s at rollout %s %%",
				kv_get(&s->upd, "bucket"), kv_get(&s->upd, "patch") ?: "?",
				kv_get(&s->upd, "patch_version") ?: "?",
				kv_get(&s->upd, "rollout") ?: "?");
		fprintf(o, "%s\n", kv_get(&s->upd, "serial") ? ")" : "");
		if (kv_get(&s->upd, "message") && *kv_get(&s->upd, "message"))
			fprintf(o, "             %s\n", kv_get(&s->upd, "message"));
	}
	fprintf(o, "livepatches:");
	if (!s->patches.n)
		fprintf(o, " none");
	for (size_t i = 0; i < s->patches.n; i++) {
		struct klp_state st;

		klp_read(c->sysfs, s->patches.v[i], &st);
		fprintf(o, " %s%s", s->patches.v[i],
			st.transition == 1 ? "(transition)" :
			st.enabled == 1	   ? "" :
					     "(disabled)");
	}
	fputc('\n', o);
	for (size_t i = 0; i < s->problems.n; i++)
		fprintf(o, "PROBLEM:     %s\n", s->problems.v[i]);
}

int cmd_status(struct lpctl *c, bool json)
{
	struct status s = { 0 };
	int rc;

	gather(c, &s);
	if (json)
		print_json(c, &s);
	else
		print_human(c, &s);
	fflush(c->out);
	for (size_t i = 0; i < s.problems.n; i++)
		lpctl_errf(c, "%s", s.problems.v[i]);
	rc = s.problems.n ? LPB_EXIT_ERROR : LPB_EXIT_OK;
	status_free(&s);
	return rc;
}

int cmd_list(struct lpctl *c)
{
	DIR *d = opendir(c->state_dir);
	struct dirent *e;
	struct strv rels = { 0 }, patches = { 0 };
	char *saved = c->rel_dir;
	int rc = 0;

	while (d && (e = readdir(d))) {
		char *p = xasprintf("%s/%s", c->state_dir, e->d_name);
		struct stat st;

		if (e->d_name[0] != '.' && !stat(p, &st) && S_ISDIR(st.st_mode))
			strv_add(&rels, e->d_name);
		free(p);
	}
	if (d)
		closedir(d);
	for (size_t i = 0; i < rels.n; i++) {
		struct kvfile f;
		struct strv locks = { 0 };
		char why[200];
		bool running = !strcmp(rels.v[i], c->release);
		int ret;

		/* each release directory in turn */
		c->rel_dir = xasprintf("%s/%s", c->state_dir, rels.v[i]);
		char *path = store_path(c, "installed");

		ret = kvfile_read(path, &f, why, sizeof(why));
		if (!ret)
			lpctl_msg(c, "installed  %-24s %s version %s sha256 %.16s%s", rels.v[i],
				  kv_get(&f, "name") ?: "?", kv_get(&f, "patch_version") ?: "?",
				  kv_get(&f, "sha256") ?: "?", running ? "  (running kernel)" : "");
		else if (ret != -ENOENT) {
			lpctl_msg(c, "damaged    %-24s %s: %s", rels.v[i], path, why);
			rc = LPB_EXIT_ERROR;
		}
		kvfile_free(&f);
		free(path);
		store_list_locks(c, NULL, &locks);
		for (size_t k = 0; k < locks.n; k++) {
			ret = kvfile_read(locks.v[k], &f, why, sizeof(why));
			lpctl_msg(c, "locked     %-24s %s: %s", rels.v[i],
				  strrchr(locks.v[k], '/') + 1,
				  ret		       ? why :
				  kv_get(&f, "reason") ?:
							 "?");
			kvfile_free(&f);
		}
		strv_free(&locks);
		free(c->rel_dir);
	}
	c->rel_dir = saved;
	klp_list(c->sysfs, &patches);
	for (size_t i = 0; i < patches.n; i++) {
		struct klp_state st;

		klp_read(c->sysfs, patches.v[i], &st);
		lpctl_msg(c, "loaded     %-24s %s enabled=%d transition=%d", c->release,
			  patches.v[i], st.enabled, st.transition);
	}
	strv_free(&rels);
	strv_free(&patches);
	return rc;
}
