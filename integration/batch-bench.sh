#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# What one fix for every kernel ABI of a series costs in one batch run
# (`make bench-batch`): cold, warm, and a new fix on warm trees, per target
# and in total, with the stage breakdown and the cache size.
#
#   integration/batch-bench.sh [--pattern P] [--limit N] [--jobs J]
#
# P defaults to debian:6.1.0-*-cloud-amd64 (every 6.1 cloud ABI the archive
# still serves); --limit N takes the newest N of them. Runs, in order:
#
#   plan      lp-build targets --json P
#   cold      the batch with fix 1 (test-patches/proc-cmdline): prepared trees
#             and the unit cache empty; the packages and unpacked sets are the
#             shared cache's (those not there yet are downloaded and unpacked
#             into it during this run: their download and unpack are measured)
#   warm      the same batch again
#   new-1     fix 2 (test-patches/meminfo-string) for the first target alone
#   new-all   fix 2 for every target: its units compiled once and shared
#
# The bench's cache (LPB_BENCH_CACHE, default /var/tmp/lpb-batch-bench) links
# the shared cache's apt/, debs/, src/, targets/, buildroots/ and locks/ and
# holds its own trees/ and ccache/; removed afterwards unless LPB_BENCH_KEEP=1.
# Writes build/bench-batch.json and prints a summary. The machine's load is
# recorded: wall times on a shared machine are not a quiet machine's.
set -euo pipefail
LPB_PROG=batch-bench
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

pattern='debian:6.1.0-*-cloud-amd64'
limit=0
jobs=$LPB_JOBS
while [ $# -gt 0 ]; do
	case "$1" in
	-h | --help) sed -n '3,25p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	--pattern) pattern=$2; shift ;;
	--limit) limit=$2; shift ;;
	--jobs) jobs=$2; shift ;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
	shift
done
LPB=${LPB_TOOL:-$LPB_TOP/build/lp-build}
[ -x "$LPB" ] || die "$LPB is not built (make all)"
ensure_cache
OUT=$LPB_TOP/build/bench-batch
JSON=${LPB_BENCH_OUT:-$LPB_TOP/build/bench-batch.json}
bench=${LPB_BENCH_CACHE:-/var/tmp/lpb-batch-bench}
FIX1=$LPB_TOP/test-patches/proc-cmdline/patch.diff
FIX2=$LPB_TOP/test-patches/meminfo-string/patch.diff
rm -rf "$OUT"
mkdir -p "$OUT"

# the bench cache: the shared downloads and unpacked sets, its own trees
rm -rf "$bench"
mkdir -p "$bench"
for d in apt debs src targets buildroots locks; do
	mkdir -p "$LPB_CACHE/$d"
	ln -s "$LPB_CACHE/$d" "$bench/$d"
done
cleanup() { [ "${LPB_BENCH_KEEP:-0}" = 1 ] || rm -rf "$bench"; }
trap cleanup EXIT

load() { cut -d' ' -f1-3 /proc/loadavg; }
cpu_ticks() { awk '/^cpu / { print $2 + $3 + $4 }' /proc/stat; }

# ---- plan -------------------------------------------------------------------------
t0=$(now_ms)
"$LPB" targets --json "$pattern" >"$OUT/plan.json" 2>"$OUT/plan.log"
plan_ms=$(($(now_ms) - t0))
mapfile -t targets < <(jq -r '.targets[].target' "$OUT/plan.json")
[ "$limit" -le 0 ] || targets=("${targets[@]:0:$limit}")
[ ${#targets[@]} -gt 1 ] || die "$pattern names ${#targets[@]} target(s): the bench needs two or more"
printf '%s\n' "${targets[@]}" >"$OUT/targets"
new=$(jq -r '[.targets[] | select(.cached | not)] | length' "$OUT/plan.json")
log "plan: ${#targets[@]} target(s) in $((plan_ms / 1000)) s ($new not in the cache yet): ${targets[*]}"

# run NAME FIX TARGETS-FILE: one batch run; its summary in OUT/NAME/
run() {
	local name=$1 fix=$2 tf=$3 t0 rc=0 c0
	log "$name: $(grep -c . "$tf") target(s), $(basename "$(dirname "$fix")") (load $(load))"
	c0=$(cpu_ticks)
	t0=$(now_ms)
	nice "$LPB" --targets "$tf" -o "$OUT/$name" -n lp_bench -j "$jobs" --cache "$bench" "$fix" \
		>"$OUT/$name.table" 2>"$OUT/$name.log" || rc=$?
	echo "$(($(now_ms) - t0)) $rc $(load | cut -d' ' -f1) $(( $(cpu_ticks) - c0 ))" >"$OUT/$name.time"
	cat "$OUT/$name.table"
	[ $rc -eq 0 ] || log "$name: exit $rc (see $OUT/$name.log and the targets' logs)"
}

run cold "$FIX1" "$OUT/targets"
run warm "$FIX1" "$OUT/targets"
head -n1 "$OUT/targets" >"$OUT/first"
run new-1 "$FIX2" "$OUT/first"
run new-all "$FIX2" "$OUT/targets"

# ---- sizes --------------------------------------------------------------------------
mb() { { du -scmL "$@" 2>/dev/null || true; } | tail -n1 | cut -f1; }
size_debs=0 size_sets=0 srcs=()
for spec in "${targets[@]}"; do
	rel=${spec#debian:} ver=${rel#*=} rel=${rel%%=*}
	for d in "$LPB_CACHE"/debs/*_"$ver"_*.deb; do
		case "$d" in *"$rel"* | *linux-source*) size_debs=$((size_debs + $(mb "$d"))) ;; esac
	done
	size_sets=$((size_sets + $(mb "$LPB_CACHE/targets/debian/$rel/$ver")))
	srcs+=("$LPB_CACHE/src/$ver")
done
size_src=$(printf '%s\n' "${srcs[@]}" | sort -u | xargs du -scm 2>/dev/null | tail -n1 | cut -f1)
size_trees=$(mb "$bench/trees")
size_ccache=$(mb "$bench/ccache")

# ---- the report -----------------------------------------------------------------------
python3 - "$OUT" "$JSON" "$plan_ms" "$size_debs" "$size_sets" "$size_src" "$size_trees" \
	"$size_ccache" "$(nproc)" <<'PY'
import json, os, re, sys
out, jpath, plan_ms = sys.argv[1], sys.argv[2], int(sys.argv[3])
sizes = dict(zip(["packages", "unpacked_sets", "sources", "trees", "unit_cache"],
                 map(int, sys.argv[4:9])))
cores = int(sys.argv[9])
runs = {}
for name in ["cold", "warm", "new-1", "new-all"]:
    ms, rc, load, ticks = open(f"{out}/{name}.time").read().split()
    s = json.load(open(f"{out}/{name}/summary.json"))
    targets = []
    for t in s["targets"]:
        st = t.get("stages_seconds") or {}
        row = {k: t[k] for k in ("release", "version", "outcome", "exit_code", "seconds",
                                 "cpu_seconds", "fetch_seconds", "build_seconds",
                                 "packages_cached", "unit_cache_hits")}
        row["stages"] = st
        if name == "cold" and not t["packages_cached"] and t.get("log"):
            # lpb-target's words in its log: "X.deb in N s", "unpacked ... in N s",
            # "downloading PKG VERSION (N MB)"
            text = open(os.path.join(out, name, t["log"])).read()
            row["download_s"] = sum(map(float, re.findall(r"\.deb in ([0-9.]+) s$", text, re.M)))
            row["unpack_s"] = sum(map(float, re.findall(
                r"(?:  unpacked|unpacked the image, debug and headers packages) in ([0-9.]+) s$",
                text, re.M)))
            row["download_mb"] = sum(map(int, re.findall(r"^lpb-target: downloading .* \(([0-9]+) MB\)$",
                                                       text, re.M)))
        targets.append(row)
    runs[name] = {"seconds": int(ms) / 1000, "exit_code": int(rc), "load_at_start": float(load),
                  "cpu_seconds_machine": int(ticks) / os.sysconf("SC_CLK_TCK"),
                  "cpu_seconds": s["cpu_seconds"], "job_slots": s["job_slots"],
                  "built": s["built"], "failed": s["failed"], "targets": targets}
n = len(runs["warm"]["targets"])
per_add_new = (runs["new-all"]["seconds"] - runs["new-1"]["seconds"]) / (n - 1)
report = {
    "format": "lp-build-bench-batch", "format_version": 1, "cores": cores,
    "targets": n, "plan_seconds": plan_ms / 1000, "runs": runs, "cache_mb": sizes,
    "warm_seconds_per_target": runs["warm"]["seconds"] / n,
    "new_fix_seconds_per_additional_target": per_add_new,
    "new_fix_cpu_seconds_per_target": runs["new-all"]["cpu_seconds"] / n,
}
json.dump(report, open(jpath, "w"), indent=1)

def stage(t, k):
    return t["stages"].get(k, 0.0)

print(f"\nbatch bench: {n} target(s), {cores} cores; plan {plan_ms / 1000:.1f} s")
for name, r in runs.items():
    print(f"\n{name}: {r['seconds']:.1f} s wall, lp-build CPU {r['cpu_seconds']:.1f} s, "
          f"{r['built']} built, {r['failed']} failed, exit {r['exit_code']}, "
          f"load {r['load_at_start']:.1f} at start")
    print(f"  {'release':24} {'wall':>6} {'cpu':>6} {'fetch':>6} {'tree':>6} {'c-orig':>6} "
          f"{'c-patch':>7} {'diff':>5} {'prefl':>5} {'link':>6} {'hits':>4}"
          + ("  download/unpack (MB)" if name == "cold" else ""))
    for t in r["targets"]:
        extra = ""
        if "download_s" in t:
            extra = f"  {t['download_s']:.1f}/{t['unpack_s']:.1f} s ({t['download_mb']} MB)"
        print(f"  {t['release']:24} {t['seconds']:6.1f} {t['cpu_seconds']:6.1f} "
              f"{t['fetch_seconds']:6.1f} {stage(t, 'tree'):6.1f} {stage(t, 'compile-original'):6.1f} "
              f"{stage(t, 'compile-patched'):7.1f} {stage(t, 'diff'):5.1f} {stage(t, 'preflight'):5.1f} "
              f"{stage(t, 'link'):6.1f} {t['unit_cache_hits'] if t['unit_cache_hits'] is not None else '-':>4}{extra}")
print(f"\nwarm: {report['warm_seconds_per_target']:.1f} s per target; a new fix: "
      f"{per_add_new:.1f} s per additional target (new-all - new-1) / {n - 1}, "
      f"{report['new_fix_cpu_seconds_per_target']:.1f} s CPU per target")
print("cache (MB): " + ", ".join(f"{k} {v}" for k, v in sizes.items()))
print(f"JSON: {jpath}")
PY
