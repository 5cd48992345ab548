#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
# The test of doc/ci-pipelines.md (`make ci-pipelines`): runs the jobs of its
# GitHub Actions and GitLab CI files here, as those systems would, and checks
# that every planned kernel got a module and the published index lists it.
#
#   integration/ci-pipelines.py [github] [gitlab]      (default: both)
#
# Each <!-- ci-file: PATH --> block of the page is written to PATH in a fresh
# directory per job that holds the repository (its top-level entries linked,
# build/ included, so `make` finds lp-build built). Jobs run one after the
# other in the order their needs/stages give; artifacts are copied between
# them as the CI system copies them. Only what the page uses is understood
# (listed in the GitHub and GitLab classes below); anything else stops the
# test, naming it. Not a scheduler: one machine, one job at a time.
#
# Overrides, as pipeline variables would be: LPB_CI_TARGETS (default two
# pinned Debian 6.1 ABIs, so the test is not the whole series) and
# LPB_CACHE (this machine's cache, not the runner's workspace). Keys: made
# with lp-build keygen, given as the secrets the files name.
import glob
import json
import os
import re
import shutil
import subprocess
import sys

import yaml

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOC = os.path.join(TOP, "doc", "ci-pipelines.md")
OUT = os.path.join(TOP, "build", "ci-pipelines")
LPB = os.environ.get("LPB_TOOL", os.path.join(TOP, "build", "lp-build"))
TARGETS = os.environ.get(
    "LPB_CI_TARGETS",
    "debian:6.1.0-57-cloud-amd64=6.1.192-3 debian:6.1.0-56-cloud-amd64=6.1.192-2")
CACHE = os.environ.get("LPB_CACHE", "/var/cache/lp-build")
FIX = os.path.join(TOP, "test-patches", "proc-cmdline", "patch.diff")


class Stop(Exception):
    """Something the page uses that this test does not understand."""


def log(msg):
    print(f"ci-pipelines: {msg}", file=sys.stderr, flush=True)


def ci_files():
    text = open(DOC).read()
    files = dict(re.findall(r"<!-- ci-file: (\S+) -->\n```yaml\n(.*?)```", text, re.S))
    for need in (".github/workflows/livepatch.yml", ".gitlab-ci.yml", ".gitlab/livepatch.yml"):
        if need not in files:
            raise Stop(f"{DOC} has no <!-- ci-file: {need} --> block")
    return files


def checkout(path, files):
    """A fresh directory holding the repository and the page's CI files."""
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    for name in os.listdir(TOP):
        if name in (".git",) or name.startswith(".lpb"):
            continue
        os.symlink(os.path.join(TOP, name), os.path.join(path, name))
    for rel, text in files.items():
        os.makedirs(os.path.dirname(os.path.join(path, rel)) or path, exist_ok=True)
        with open(os.path.join(path, rel), "w") as f:
            f.write(text)
    os.makedirs(os.path.join(path, "fixes"))
    shutil.copy(FIX, os.path.join(path, "fixes", "fix.diff"))


def run_script(script, cwd, env, log_path, shell):
    with open(log_path, "a") as logf:
        logf.write(f"+ {script}\n")
        logf.flush()
        rc = subprocess.call(shell + [script], cwd=cwd, env=env, stdout=logf,
                             stderr=subprocess.STDOUT)
    return rc


def copy_into(src, dst):
    """Merge the tree (or file) src into dst."""
    if os.path.isdir(src):
        shutil.copytree(src, dst, dirs_exist_ok=True)
    else:
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        shutil.copy(src, dst)


def make_keys():
    keys = {}
    for kind in ("module", "repo"):
        d = os.path.join(OUT, "keys", kind)
        if not os.path.exists(os.path.join(d, "signing_key.pem")):
            subprocess.run([LPB, "keygen", "-o", d, "--subject", f"ci-pipelines test {kind}"],
                           check=True, stdout=subprocess.DEVNULL)
        keys[kind] = (os.path.join(d, "signing_key.pem"), os.path.join(d, "signing_cert.pem"))
    return keys


def check_result(name, targets_json, repo):
    """The plan's targets, each built and published."""
    problems = []
    planned = [t["release"] for t in json.load(open(targets_json))["targets"]]
    want = sorted(set(re.sub(r"^debian:|=.*$", "", t) for t in TARGETS.split()))
    if sorted(planned) != want:
        problems.append(f"the plan has {sorted(planned)}, expected {want}")
    index_path = os.path.join(repo, "index.json")
    if not os.path.exists(index_path):
        return problems + [f"no {index_path}: nothing was published"]
    index = json.load(open(index_path))
    if not glob.glob(os.path.join(repo, "signatures", "*.p7s")):
        problems.append("the index has no signature")
    published = {k["release"]: k for k in index.get("kernels", [])}
    for rel in planned:
        k = published.get(rel)
        if not k or not k.get("patches"):
            problems.append(f"{rel}: not in the published index")
            continue
        p = k["patches"][0]
        ko = os.path.join(repo, p["module"])
        if p["name"] != "lp_fix" or not os.path.exists(ko):
            problems.append(f"{rel}: the index names {p['name']} at {p['module']}, not there")
    for p in problems:
        log(f"{name}: FAIL {p}")
    if not problems:
        log(f"{name}: PASS: planned {len(planned)} kernel(s), each built and in the signed index")
    return problems


class GitHub:
    """Understands: env, jobs.needs/outputs/if/strategy.matrix.include, steps
    with run/id/env and the actions checkout, cache (the local cache is
    shared already), upload-artifact and download-artifact (pattern,
    merge-multiple); expressions github.workspace, matrix.X, secrets.X,
    steps.ID.outputs.X, needs.JOB.outputs.X, fromJSON(...), !cancelled()."""

    def __init__(self, files, keys):
        self.files = files
        self.wf = yaml.safe_load(files[".github/workflows/livepatch.yml"])
        self.dir = os.path.join(OUT, "github")
        self.secrets = {
            "LIVEPATCH_MODULE_KEY": open(keys["module"][0]).read().strip(),
            "LIVEPATCH_MODULE_CERT": open(keys["module"][1]).read().strip(),
            "LIVEPATCH_REPO_KEY": open(keys["repo"][0]).read().strip(),
            "LIVEPATCH_REPO_CERT": open(keys["repo"][1]).read().strip(),
        }
        self.artifacts = {}
        self.needs_out = {}
        self.failed = []

    def expr(self, text, ctx):
        """Evaluate ${{ }} in text; a whole-value expression keeps its type."""
        def one(e):
            e = e.strip()
            m = re.fullmatch(r"fromJSON\((.*)\)", e)
            if m:
                return json.loads(one(m.group(1)))
            if e == "!cancelled()":
                return True
            parts = e.split(".")
            if parts[0] == "github" and parts[1:] == ["workspace"]:
                return ctx["workspace"]
            if parts[0] == "matrix" and len(parts) == 2:
                return ctx["matrix"][parts[1]]
            if parts[0] == "secrets" and len(parts) == 2:
                return self.secrets[parts[1]]
            if parts[0] == "steps" and len(parts) == 4 and parts[2] == "outputs":
                return ctx["steps"].get(parts[1], {}).get(parts[3], "")
            if parts[0] == "needs" and len(parts) == 4 and parts[2] == "outputs":
                return self.needs_out[parts[1]][parts[3]]
            raise Stop(f"GitHub expression '{e}' is not one this test knows")
        if not isinstance(text, str):
            return text
        m = re.fullmatch(r"\$\{\{(.*?)\}\}", text.strip())
        if m:
            return one(m.group(1))
        return re.sub(r"\$\{\{(.*?)\}\}", lambda m: str(one(m.group(1))), text)

    def order(self):
        jobs, done, out = self.wf["jobs"], set(), []
        while len(out) < len(jobs):
            ready = [j for j in jobs if j not in done and
                     all(n in done for n in self.as_list(jobs[j].get("needs")))]
            if not ready:
                raise Stop("the jobs' needs form a cycle")
            done.add(ready[0])
            out.append(ready[0])
        return out

    @staticmethod
    def as_list(v):
        return [] if v is None else v if isinstance(v, list) else [v]

    def run(self, overrides):
        for name in self.order():
            job = self.wf["jobs"][name]
            ctx0 = {"matrix": {}, "steps": {}}
            if "if" in job and not self.expr(job["if"], dict(ctx0, workspace="")):
                continue
            matrix = job.get("strategy", {}).get("matrix")
            entries = [{}]
            if matrix:
                if set(matrix) != {"include"}:
                    raise Stop(f"job {name}: only matrix.include is understood")
                entries = self.expr(matrix["include"], dict(ctx0, workspace=""))
            outputs = {}
            for i, m in enumerate(entries):
                label = name + (f" ({', '.join(str(v) for v in m.values())})" if m else "")
                ok, outs = self.run_job(name, job, m, i, overrides)
                log(f"github: job {label}: {'succeeded' if ok else 'FAILED'}")
                if not ok:
                    self.failed.append(label)
                outputs.update(outs)
            self.needs_out[name] = outputs
        return self.failed

    def run_job(self, name, job, matrix, index, overrides):
        jdir = os.path.join(self.dir, f"{name}-{index}")
        ws = os.path.join(jdir, "workspace")
        tmp = os.path.join(jdir, "tmp")
        shutil.rmtree(jdir, ignore_errors=True)
        os.makedirs(tmp)
        logp = os.path.join(jdir, "log")
        ctx = {"workspace": ws, "matrix": matrix, "steps": {}}
        env = dict(os.environ)
        for k, v in self.wf.get("env", {}).items():
            env[k] = str(self.expr(v, ctx))
        env.update(overrides)
        env.update({"CI": "true", "GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": ws,
                    "RUNNER_TEMP": tmp})
        for k, v in job.get("env", {}).items():
            env[k] = str(self.expr(v, ctx))
        for n, step in enumerate(job["steps"]):
            if "uses" in step:
                self.action(step, ws, ctx)
                continue
            senv = dict(env)
            for k, v in step.get("env", {}).items():
                senv[k] = str(self.expr(v, ctx))
            out_file = os.path.join(tmp, f"output-{n}")
            open(out_file, "w").close()
            senv["GITHUB_OUTPUT"] = out_file
            script = self.expr(step["run"], ctx)
            rc = run_script(script, ws, senv, logp, ["bash", "--noprofile", "--norc", "-eo",
                                                    "pipefail", "-c"])
            if rc:
                log(f"github: job {name}: step {n + 1} exited with {rc} (log: {logp})")
                return False, {}
            if "id" in step:
                outs = {}
                for line in open(out_file):
                    k, _, v = line.rstrip("\n").partition("=")
                    outs[k] = v
                ctx["steps"][step["id"]] = outs
        outs = {k: self.expr(v, ctx) for k, v in job.get("outputs", {}).items()}
        return True, outs

    def action(self, step, ws, ctx):
        uses, w = step["uses"].split("@")[0], step.get("with", {})
        if uses == "actions/checkout":
            checkout(ws, self.files)
        elif uses == "actions/cache":
            pass  # LPB_CACHE is this machine's cache (overridden)
        elif uses == "actions/upload-artifact":
            name, path = self.expr(w["name"], ctx), os.path.join(ws, w["path"])
            if not os.path.exists(path):
                if w.get("if-no-files-found") != "ignore":
                    raise Stop(f"upload-artifact {name}: {w['path']} does not exist")
                return
            dst = os.path.join(self.dir, "artifacts", name)
            shutil.rmtree(dst, ignore_errors=True)
            copy_into(path, dst)
        elif uses == "actions/download-artifact":
            if not w.get("merge-multiple"):
                raise Stop("download-artifact: only merge-multiple: true is understood")
            dst = os.path.join(ws, w["path"])
            os.makedirs(dst, exist_ok=True)
            pat = re.escape(w["pattern"]).replace(r"\*", ".*")
            for name in sorted(os.listdir(os.path.join(self.dir, "artifacts"))):
                if re.fullmatch(pat, name):
                    copy_into(os.path.join(self.dir, "artifacts", name), dst)
        else:
            raise Stop(f"the action {uses} is not one this test knows")


class GitLab:
    """Understands: stages, variables (global, job, File-type secrets),
    extends of one hidden job, needs (job names), when: always, script,
    artifacts.paths, cache (the local cache is shared already), and
    trigger.include of an artifact (a child pipeline) with include.local and
    strategy: depend; the parent's global variables are passed down."""

    RESERVED = {"stages", "variables", "default", "include", "workflow", "image"}

    def __init__(self, files, keys):
        self.files = files
        self.dir = os.path.join(OUT, "gitlab")
        self.secret_files = {
            "LIVEPATCH_MODULE_KEY": keys["module"][0], "LIVEPATCH_MODULE_CERT": keys["module"][1],
            "LIVEPATCH_REPO_KEY": keys["repo"][0], "LIVEPATCH_REPO_CERT": keys["repo"][1],
        }
        self.artifacts = {}
        self.failed = []
        self.count = 0

    @staticmethod
    def expand(value, env):
        return re.sub(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?", lambda m: env.get(m.group(1), ""),
                      str(value))

    def load(self, text, checkout_files):
        conf = yaml.safe_load(text)
        for inc in conf.pop("include", []) or []:
            if set(inc) != {"local"}:
                raise Stop(f"include {inc}: only include:local is understood")
            base = yaml.safe_load(checkout_files[inc["local"].lstrip("/")])
            base.update(conf)
            base["variables"] = dict(base.get("variables", {}), **conf.get("variables", {}))
            conf = base
        jobs = {}
        for name, job in conf.items():
            if name in self.RESERVED or name.startswith("."):
                continue
            if "extends" in job:
                parent = conf[job["extends"]]
                merged = dict(parent)
                merged.update({k: v for k, v in job.items() if k != "extends"})
                merged["variables"] = dict(parent.get("variables", {}),
                                           **job.get("variables", {}))
                job = merged
            jobs[name] = job
        return conf.get("stages", ["build", "test", "deploy"]), conf.get("variables", {}), jobs

    def run_pipeline(self, label, text, pipeline_vars):
        stages, gvars, jobs = self.load(text, self.files)
        any_failed = False
        for stage in stages:
            for name, job in jobs.items():
                if job.get("stage", "test") != stage:
                    continue
                when = job.get("when", "on_success")
                if any_failed and when != "always":
                    log(f"gitlab: {label}: job {name}: skipped (an earlier stage failed)")
                    continue
                ok = self.run_job(label, name, job, stage, stages, jobs, gvars, pipeline_vars)
                log(f"gitlab: {label}: job {name}: {'succeeded' if ok else 'FAILED'}")
                if not ok:
                    any_failed = True
                    self.failed.append(f"{label}/{name}")
        return not any_failed

    def run_job(self, label, name, job, stage, stages, jobs, gvars, pipeline_vars):
        self.count += 1
        jdir = os.path.join(self.dir, f"{self.count:02d}-{name.replace(' ', '_')}")
        ws = os.path.join(jdir, "project")
        checkout(ws, self.files)
        env = dict(os.environ)
        env.update({"CI": "true", "GITLAB_CI": "true", "CI_PROJECT_DIR": ws, "CI_JOB_NAME": name})
        for k, path in self.secret_files.items():
            env[k] = path  # File-type variables: the value is the file's path
        for k, v in list(gvars.items()) + list(job.get("variables", {}).items()):
            env[k] = self.expand(v, env)
        for k, v in pipeline_vars.items():
            env[k] = self.expand(v, env)
        # artifacts of the jobs it needs, or of every job of the stages before
        if "needs" in job:
            sources = job["needs"]
        else:
            sources = [n for n, j in jobs.items()
                       if stages.index(j.get("stage", "test")) < stages.index(stage)]
        for src in sources:
            if src in self.artifacts:
                copy_into(self.artifacts[src], ws)
        if "trigger" in job:
            return self.trigger(label, name, job, env, gvars, pipeline_vars)
        logp = os.path.join(jdir, "log")
        script = "\n".join(job["script"])
        rc = run_script(script, ws, env, logp, ["bash", "-eo", "pipefail", "-c"])
        if rc:
            log(f"gitlab: {label}: job {name} exited with {rc} (log: {logp})")
            return False
        store = os.path.join(jdir, "artifacts")
        for p in job.get("artifacts", {}).get("paths", []):
            if os.path.exists(os.path.join(ws, p)):
                copy_into(os.path.join(ws, p), os.path.join(store, p))
        self.artifacts[name] = store
        return True

    def trigger(self, label, name, job, env, gvars, pipeline_vars):
        trig = job["trigger"]
        if set(trig) - {"include", "strategy"}:
            raise Stop(f"trigger {sorted(trig)}: only include and strategy are understood")
        inc = trig["include"]
        if len(inc) != 1 or set(inc[0]) != {"artifact", "job"}:
            raise Stop("trigger.include: only one {artifact, job} is understood")
        path = os.path.join(self.artifacts[inc[0]["job"]], inc[0]["artifact"])
        child = open(path).read()
        # the parent's global YAML variables become the child's pipeline variables
        passed = {k: self.expand(v, env) for k, v in gvars.items()}
        passed.update(pipeline_vars)
        ok = self.run_pipeline(f"{label} > {name}", child, passed)
        return ok or trig.get("strategy") != "depend"

    def run(self, overrides):
        self.run_pipeline("pipeline", self.files[".gitlab-ci.yml"], overrides)
        return self.failed


def main():
    which = sys.argv[1:] or ["github", "gitlab"]
    if not os.access(LPB, os.X_OK):
        sys.exit(f"ci-pipelines: {LPB} is not built (make all)")
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(OUT)
    files = ci_files()
    keys = make_keys()
    overrides = {"LPB_TARGETS": TARGETS, "LPB_CACHE": CACHE}
    problems = []
    try:
        if "github" in which:
            gh = GitHub(files, keys)
            failed = gh.run(overrides)
            problems += [f"github: job {j} failed" for j in failed]
            plan = os.path.join(gh.dir, "plan-0", "workspace", "targets.json")
            repo = os.path.join(gh.dir, "artifacts", "repository")
            problems += check_result("github", plan, repo)
        if "gitlab" in which:
            gl = GitLab(files, keys)
            failed = gl.run(overrides)
            problems += [f"gitlab: job {j} failed" for j in failed]
            plan = os.path.join(gl.artifacts.get("plan", ""), "targets.json")
            repo = os.path.join(gl.artifacts.get("publish", ""), "repo")
            problems += check_result("gitlab", plan, repo)
    except Stop as e:
        sys.exit(f"ci-pipelines: {e}")
    log("PASS" if not problems else f"FAILED: {'; '.join(problems)}")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
