#!/usr/bin/env bash
# `make bench-header`: header patches at scale on Debian's 6.1 cloud kernel
# (issue 11). For each case: lp-build with only the prepared tree cached
# (lp-build cache --clear: its object cache and the unit cache emptied,
# every original and patched unit compiled), then warm (the
# same again), with the units that include the changed header, how many
# were preprocessed and compiled, and the time of each stage; a one-file
# patch warm; two one-file builds started together against each alone.
#
#   build-driver/bench-header.sh [CASE...]   (default: every case)
#
# Cases: seq (seq_show_option() in include/linux/seq_file.h), sockrcv
# (the SOCK_MIN_RCVBUF macro of include/net/sock.h), stamp (the
# SK_DEFAULT_STAMP macro of include/net/sock.h, used by an inline), onefile
# (fs/proc/cmdline.c), concurrent. The prepared tree lives in a cache of its
# own (LPB_BENCH_CACHE, default $LPB_CACHE/bench-header, kept between runs:
# the first run prepares it); the target in the shared one. Prints a table
# and writes build/bench-header.json (LPB_BENCH_OUT).
set -euo pipefail
# shellcheck disable=SC2034 # lib.sh logs with it
LPB_PROG="bench-header"
# shellcheck source-path=SCRIPTDIR source=../integration/lib.sh
. "$(dirname "$0")/../integration/lib.sh"

tool=${LPB_TOOL:-$LPB_TOP/build/lp-build}
[ -x "$tool" ] || die "$tool is not built (make all)"
series=${LPB_BENCH_SERIES:-bookworm-6.1}
bench=${LPB_BENCH_CACHE:-$LPB_CACHE/bench-header}
out=${LPB_BENCH_OUT:-$LPB_TOP/build/bench-header.json}
cases=("$@")
[ ${#cases[@]} -gt 0 ] || cases=(seq sockrcv stamp onefile concurrent)

declare -A patch=(
	[seq]=$LPB_TOP/test-patches/distro/header-seq-show-option/patch.diff
	[sockrcv]=$LPB_TOP/build-driver/tests/patches/sock-min-rcvbuf.diff
	[stamp]=$LPB_TOP/build-driver/tests/patches/sk-default-stamp.diff
	[onefile]=$LPB_TOP/test-patches/proc-cmdline/patch.diff
	[other]=$LPB_TOP/test-patches/meminfo-string/patch.diff
)
declare -A what=(
	[seq]="seq_show_option() in include/linux/seq_file.h (a static inline)"
	[sockrcv]="SOCK_MIN_RCVBUF in include/net/sock.h (a macro)"
	[stamp]="SK_DEFAULT_STAMP in include/net/sock.h (a macro an inline uses)"
	[onefile]="fs/proc/cmdline.c (one file)"
)

mkdir -p "$bench" "$(dirname "$out")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
target=$("$LPB_INTEG/distro-fetch.sh" "$series") || die "cannot fetch Debian's $series kernel"
log "target: $target; trees in $bench"

# lpb NAME PATCH LOG: one build, timed; sets rc and wall (seconds)
lpb() {
	local t0
	t0=$(now_ms)
	rc=0
	(
		# shellcheck disable=SC1090
		. "$target"
		# shellcheck disable=SC2154 # the target file sets target_*
		exec nice "$tool" -s "$target_src" -c "$target_config" -v "$target_vmlinux" \
			--symvers "$target_symvers" --modules "$target_modules" --cc "$target_cc" \
			${target_buildroot:+--buildroot "$target_buildroot"} --cache "$bench" \
			-o "$work/out" -n "$1" -j "$(nproc)" "$2"
	) >"$3" 2>&1 || rc=$?
	wall=$(awk "BEGIN { printf \"%.1f\", ($(now_ms) - $t0) / 1000 }")
}

# stage LOG NAME: the seconds lp-build reported for a stage ("" if it did not run)
stage() { sed -n "s/^lp-build: $2 *\([0-9.]*\) s .*/\1/p" "$1" | tail -n 1; }

# figures LOG: "includers preprocessed compiled" from lp-build's own lines
figures() {
	local inc pp n
	inc=$(sed -n 's/^lp-build: \([0-9]*\) unit(s) of this kernel include the changed header.*/\1/p' "$1" | tail -n 1)
	n=$(sed -n 's/^lp-build: select .* \([0-9]*\) unit(s) to compile$/\1/p' "$1" | tail -n 1)
	pp=$(sed -n 's/^lp-build: preprocessed \([0-9]*\) unit(s) in.*/\1/p' "$1" | tail -n 1)
	echo "${inc:-0} ${pp:-0} ${n:-0}"
}

json_rows=()
row() { # CASE STATE LOG: one line of the table and of the JSON
	local inc pp n outcome
	read -r inc pp n <<<"$(figures "$3")"
	case $rc in
	0) outcome=built ;;
	2) outcome="refused (exit 2): $(grep -m1 -o 'refused: [^:]*: [^:]*' "$3" || echo 'see log')" ;;
	*) outcome="exit $rc" ;;
	esac
	printf '  %-8s %-11s %5s %7s %8s %7s %8s %8s %9s  %s\n' "$1" "$2" "$inc" "$pp" "$n" "$wall" \
		"$(stage "$3" select)" "$(stage "$3" compile-original)" "$(stage "$3" compile-patched)" "$outcome"
	json_rows+=("$(jq -nc --arg case "$1" --arg state "$2" --argjson inc "$inc" --argjson pp "$pp" \
		--argjson n "$n" --argjson wall "$wall" --arg sel "$(stage "$3" select)" \
		--arg co "$(stage "$3" compile-original)" --arg cp "$(stage "$3" compile-patched)" \
		--argjson rc "$rc" --arg outcome "$outcome" \
		'{case: $case, state: $state, includers: $inc, preprocessed: $pp, compiled: $n,
		  seconds: $wall, select_s: $sel, compile_original_s: $co, compile_patched_s: $cp,
		  exit: $rc, outcome: $outcome}')")
}

# the prepared tree (the first run makes it) and the target's indexes
lpb bench_prep "${patch[onefile]}" "$work/prep.log"
[ "$rc" = 0 ] || { cat "$work/prep.log" >&2; die "the one-file build failed"; }
grep -q "prepared a new build tree" "$work/prep.log" && log "prepared the tree: $wall s (once)"
tree=$(find "$bench/trees" -mindepth 1 -maxdepth 1 -type d | head -n 1)

# shellcheck disable=SC1090,SC2154 # the target file sets target_release
echo "lp-build header patches on Debian $series ($(. "$target"; echo "$target_release")), $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg) at start"
for c in "${cases[@]}"; do
	[ -z "${what[$c]:-}" ] || echo "  $c: ${what[$c]}"
done
printf '  %-8s %-11s %5s %7s %8s %7s %8s %8s %9s  %s\n' case state incl preproc compiled total_s select orig_s patched_s outcome
for c in "${cases[@]}"; do
	case $c in
	seq | sockrcv | stamp)
		"$tool" cache --clear --cache "$bench" >/dev/null 2>&1
		lpb "bench_$c" "${patch[$c]}" "$work/$c-tree.log"
		row "$c" tree-only "$work/$c-tree.log"
		# the target's function index, made once per target (in the first case)
		idx=$(sed -n 's/^lp-build: indexed .* in \([0-9.]*\) s .*/\1/p' "$work/$c-tree.log")
		[ -z "$idx" ] || echo "  (that run made the target's function index first: $idx s, once per target)"
		lpb "bench_$c" "${patch[$c]}" "$work/$c-warm.log"
		row "$c" warm "$work/$c-warm.log"
		;;
	onefile)
		best=
		for _ in 1 2 3; do
			lpb bench_onefile "${patch[onefile]}" "$work/onefile.log"
			if [ -z "$best" ] || awk "BEGIN { exit !($wall < $best) }"; then best=$wall; fi
		done
		wall=$best
		row onefile "warm best/3" "$work/onefile.log"
		;;
	concurrent)
		# warm alone (the first build of each fills the caches), then
		# both warm at once: together should take about the slower one
		lpb bench_c1 "${patch[onefile]}" "$work/c1.log"
		lpb bench_c1 "${patch[onefile]}" "$work/c1.log"
		a=$wall
		lpb bench_c2 "${patch[other]}" "$work/c2.log"
		lpb bench_c2 "${patch[other]}" "$work/c2.log"
		b=$wall
		t0=$(now_ms)
		lpb bench_c1 "${patch[onefile]}" "$work/c1.log" &
		p1=$!
		lpb bench_c2 "${patch[other]}" "$work/c2.log" &
		p2=$!
		wait "$p1" "$p2"
		both=$(awk "BEGIN { printf \"%.1f\", ($(now_ms) - $t0) / 1000 }")
		echo "  concurrent (warm): cmdline alone ${a} s, meminfo alone ${b} s, both started together ${both} s"
		json_rows+=("$(jq -nc --argjson a "$a" --argjson b "$b" --argjson both "$both" \
			'{case: "concurrent", alone_s: [$a, $b], together_s: $both}')")
		;;
	*) die "no case '$c' (seq sockrcv stamp onefile concurrent)" ;;
	esac
done
echo "  before (issue 11, lp-build before the header work): seq_show_option: 1448 units compiled twice (692 + 713 s), 24 min 44 s, then a false .modinfo refusal"
printf '%s\n' "${json_rows[@]}" | jq -s --arg series "$series" --arg tree "$tree" \
	'{series: $series, tree: $tree, cases: .}' >"$out"
log "results in $out"
