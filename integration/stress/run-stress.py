#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
# run-stress.py: builds every patch of a gen-patches.py manifest with lp-build,
# one at a time, and classifies each outcome against what the patch expects.
"""Build the stress patches with lp-build and classify the outcomes.

Classes (lp-build's exit status): built (0), refused (2), nochange (3),
noapply (4), mismatch (5), target (6), error (1 or anything else), crash
(killed by a signal), timeout. Each patch's verdict is "ok" when the class is
one its kind allows (manifest "expect") and "BUG" otherwise; an error, a
crash, a timeout or a pre-flight mismatch is always a BUG, since every patch
is generated against an unmodified tree.
"""

import argparse
import json
import os
import random
import re
import shlex
import signal
import subprocess
import sys
import time

CLASSES = {0: "built", 1: "error", 2: "refused", 3: "nochange", 4: "noapply", 5: "mismatch", 6: "target"}
ORDER = ["built", "refused", "nochange", "noapply", "mismatch", "target", "error", "crash", "timeout", "skipped"]


def allowed(expect, target_kind, patch):
    """Outcome classes a patch's kind allows on this target."""
    if expect == "built":
        return {"built"}
    if expect == "nochange":
        return {"nochange"}
    if expect == "refused":
        return {"refused"}
    if expect == "maybe":
        # a header's inline function: a change where it is used (and a
        # refusal where a user cannot be patched), nothing where it is not
        return {"built", "nochange", "refused"}
    if expect == "config":
        # pr_debug(): nothing without dynamic debug; with it a new
        # descriptor, refused only for a module target
        if target_kind == "debian":
            return {"built", "refused"} if patch["target"] != "vmlinux" else {"built"}
        return {"nochange"}
    return set(CLASSES.values())


def reason_of(log):
    """The line that best says why lp-build did what it did."""
    keep = None
    for line in log.splitlines():
        if re.search(r"(error|refus|cannot|differs|mismatch|no functional change|not apply|Segmentation|Aborted|assert)", line, re.I):
            keep = line.strip()
            if "error" in line.lower() or "refus" in line.lower():
                break
    return (keep or (log.strip().splitlines() or [""])[-1])[:300]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--patches", required=True, help="gen-patches.py output (manifest.json)")
    ap.add_argument("--out", required=True, help="where modules, logs and results go")
    ap.add_argument("--tool", default="build/lp-build")
    ap.add_argument("--target", default="test", help="test or debian (selects expectations)")
    ap.add_argument("--src", required=True)
    ap.add_argument("--config", required=True)
    ap.add_argument("--vmlinux", required=True)
    ap.add_argument("--symvers", required=True)
    ap.add_argument("--modules", default=None)
    ap.add_argument("--key", default=None)
    ap.add_argument("--cert", default=None)
    ap.add_argument("--only", default="", help="comma-separated patch ids")
    ap.add_argument("--limit", type=int, default=0, help="build at most N patches")
    ap.add_argument("--sample", type=int, default=0, help="build a sample of N patches, every kind in it")
    ap.add_argument("--seed", type=int, default=1, help="seed of the sample")
    ap.add_argument("--combos", type=int, default=0,
                    help="also build N modules from 2-3 built patches of different files together")
    ap.add_argument("--timeout", type=int, default=900, help="seconds per lp-build run")
    ap.add_argument("--present", default=None,
                    help="file of symbol names (nm) of the target: skip patches whose function it lacks")
    args = ap.parse_args()

    with open(os.path.join(args.patches, "manifest.json")) as fh:
        manifest = json.load(fh)
    patches = manifest["patches"]
    if args.only:
        want = set(args.only.split(","))
        patches = [p for p in patches if p["id"] in want or p["name"] in want]
    if args.sample and not args.only:
        # round robin over the kinds, so a small sample still has them all
        rng = random.Random(args.seed)
        by_kind = {}
        for p in patches:
            by_kind.setdefault(p["kind"], []).append(p)
        for v in by_kind.values():
            rng.shuffle(v)
        chosen = []
        while len(chosen) < args.sample and any(by_kind.values()):
            for k in sorted(by_kind):
                if by_kind[k] and len(chosen) < args.sample:
                    chosen.append(by_kind[k].pop())
        patches = sorted(chosen, key=lambda p: p["id"])
    present = None
    if args.present:
        with open(args.present) as fh:
            present = set(l.split()[-1] for l in fh if l.strip())
    os.makedirs(os.path.join(args.out, "logs"), exist_ok=True)
    os.makedirs(os.path.join(args.out, "modules"), exist_ok=True)
    results = []
    t_all = time.time()

    def build(rec, module_name, diffs, expect, target_of):
        """Run lp-build once; classify and record the outcome in @rec."""
        cmd = [args.tool, "-s", args.src, "-c", args.config, "-v", args.vmlinux, "--symvers", args.symvers,
               "-o", os.path.join(args.out, "modules"), "-n", module_name, "-j", "2"]
        if args.modules:
            cmd += ["--modules", args.modules]
        if args.key and args.cert:
            cmd += ["--key", args.key, "--cert", args.cert]
        cmd += [os.path.join(args.patches, d + ".diff") for d in diffs]
        t0 = time.time()
        try:
            pr = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                errors="replace", timeout=args.timeout)
            rc, log = pr.returncode, pr.stdout
        except subprocess.TimeoutExpired as e:
            rc, log = None, (e.stdout or b"").decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or "")
        secs = time.time() - t0
        with open(os.path.join(args.out, "logs", rec["name"] + ".log"), "w") as fh:
            fh.write("$ " + " ".join(shlex.quote(c) for c in cmd) + "\n" + log)
        if rc is None:
            cls = "timeout"
        elif rc < 0 or rc > 128 or re.search(r"(Segmentation fault|Aborted|core dumped|AddressSanitizer|killed by signal)", log):
            cls = "crash"
        else:
            cls = CLASSES.get(rc, "error")
        ok = cls in allowed(expect, args.target, target_of)
        rec.update(cls=cls, rc=rc, verdict="ok" if ok else "BUG", seconds=round(secs, 1),
                   reason="" if cls == "built" else reason_of(log))
        results.append(rec)
        print("%-5s %-4s %-9s %-15s %-40s %5.1fs %s" % (
            rec["id"], rec["verdict"], cls, rec["kind"], (rec["file"] + ":" + rec["function"])[-40:], secs,
            rec["reason"][:110]), flush=True)

    built_n = 0
    for p in patches:
        if args.limit and built_n >= args.limit:
            break
        rec = {k: p[k] for k in ("id", "name", "kind", "file", "function", "target", "features", "expect")}
        if present is not None and p["target"] == "vmlinux" and p["symbols"] and \
                not any(s in present for s in p["symbols"]):
            rec.update(cls="skipped", verdict="skip", reason="function not in the target's vmlinux", seconds=0)
            results.append(rec)
            continue
        built_n += 1
        build(rec, p["module_name"], [p["name"]], p["expect"], p)

    # several fixes in one cumulative module: units compiled together, diff
    # objects of several files (and objects) linked into one module
    singles = [r for r in results if r["cls"] == "built" and r["expect"] == "built"]
    rng = random.Random(args.seed)
    for n in range(args.combos):
        files, parts = set(), []
        for r in rng.sample(singles, min(len(singles), 12)):
            if r["file"] not in files and len(parts) < 2 + n % 2:
                files.add(r["file"])
                parts.append(r)
        if len(parts) < 2:
            break
        target = next((r["target"] for r in parts if r["target"] != "vmlinux"), "vmlinux")
        cid = "c%02d" % (n + 1)
        rec = {"id": cid, "name": cid + "-combo-" + "-".join(r["id"] for r in parts), "kind": "combo",
               "file": "+".join(r["file"] for r in parts), "function": "+".join(r["function"] for r in parts),
               "target": target, "features": sorted(set(f for r in parts for f in r["features"])),
               "expect": "built", "parts": [r["id"] for r in parts]}
        build(rec, "lps_" + cid, [r["name"] for r in parts], "built", {"target": target})

    summary = {c: sum(1 for r in results if r["cls"] == c) for c in ORDER}
    bugs = [r for r in results if r["verdict"] == "BUG"]
    out = {"target": args.target, "vmlinux": args.vmlinux, "seconds": round(time.time() - t_all),
           "summary": summary, "unexpected": len(bugs), "results": results}
    with open(os.path.join(args.out, "results.json"), "w") as fh:
        json.dump(out, fh, indent=1)
    kinds = sorted(set(r["kind"] for r in results))
    print()
    print("%-16s" % "kind" + "".join("%9s" % c for c in ORDER) + "  unexpected")
    for k in kinds + ["total"]:
        rs = [r for r in results if k == "total" or r["kind"] == k]
        print("%-16s" % k + "".join("%9d" % sum(1 for r in rs if r["cls"] == c) for c in ORDER)
              + "  %d" % sum(1 for r in rs if r["verdict"] == "BUG"))
    if bugs:
        print("\nunexpected outcomes (logs in %s/logs):" % args.out)
        for r in bugs:
            print("  %s %s (expected %s) %s:%s: %s" % (r["id"], r["cls"], r["expect"], r["file"], r["function"],
                                                       r["reason"][:200]))
    return 1 if bugs else 0


if __name__ == "__main__":
    sys.exit(main())
