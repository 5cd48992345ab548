#!/usr/bin/env bash
# What a one-file livepatch for Debian's cloud kernel costs (`make bench-distro`):
# cold (an empty cache: download, unpack, prepare the tree, build) and warm
# (the same build again), and the size of what the cache then holds.
#
#   integration/distro-bench.sh [PATCH]     (default: test-patches/proc-cmdline/patch.diff)
#
# Runs in a cache of its own (LPB_BENCH_CACHE, default a new directory under
# /var/tmp, removed afterwards unless LPB_BENCH_KEEP=1), so nothing the other
# runs cached is reused: the figures are those of a first-time user. Prints a
# summary and writes build/distro-bench.json.
set -euo pipefail
LPB_PROG=distro-bench
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

patch=${1:-$LPB_TOP/test-patches/proc-cmdline/patch.diff}
[ -f "$patch" ] || die "no patch $patch"
patch=$(cd "$(dirname "$patch")" && pwd)/$(basename "$patch")
tool=${LPB_TOOL:-$LPB_TOP/build/lp-build}
[ -x "$tool" ] || die "$tool is not built (make all)"
out=${LPB_BENCH_OUT:-$LPB_TOP/build/distro-bench.json}

bench=${LPB_BENCH_CACHE:-$(mktemp -d /var/tmp/lpb-bench.XXXXXX)}
mkdir -p "$bench"
[ -z "$(ls -A "$bench")" ] || die "$bench is not empty: a cold run needs an empty cache"
work=$(mktemp -d)
cleanup() {
	rm -rf "$work"
	if [ -z "${LPB_BENCH_CACHE:-}" ] && [ "${LPB_BENCH_KEEP:-0}" != 1 ]; then
		rm -rf "$bench"
	fi
}
trap cleanup EXIT

secs() { printf '%d.%d' $(($1 / 1000)) $(($1 % 1000 / 100)); }

# build DIR: the patch built for the Debian kernel into DIR, with lp-build's log
build() {
	(
		# shellcheck disable=SC1090
		. "$target"
		cd "$(dirname "$patch")"
		# shellcheck disable=SC2154 # the target file sets target_*
		LPB_CACHE=$bench "$tool" -s "$target_src" -c "$target_config" -v "$target_vmlinux" \
			--symvers "$target_symvers" --modules "$target_modules" -j "$LPB_JOBS" \
			-n bench -o "$1" "$patch"
	) >"$1.log" 2>&1 || { cat "$1.log" >&2; die "lp-build failed (log above)"; }
}

log "cold run in the empty cache $bench (patch $(basename "$(dirname "$patch")")/$(basename "$patch"))"
t0=$(now_ms)
target=$(LPB_CACHE=$bench "$LPB_INTEG/distro-fetch.sh")
t1=$(now_ms)
mkdir -p "$work/cold" "$work/warm"
build "$work/cold"
t2=$(now_ms)
build "$work/warm"
t3=$(now_ms)
prepare=$(sed -n 's/^lp-build: tree *\([0-9.]*\) s.*/\1/p' "$work/cold.log")

# what the cache holds, by part
sizes=$(cd "$bench" && du -sm debs src distro trees 2>/dev/null)
total=$(du -sm "$bench" | cut -f1)
# shellcheck disable=SC1090
. "$target"
echo
echo "lp-build for Debian's kernel ($DISTRO_RELEASE, packages $DISTRO_VERSION), one-file patch $(basename "$patch"):"
echo "  cold: $(secs $((t2 - t0))) s = fetch and unpack $(secs $((t1 - t0))) s + lp-build $(secs $((t2 - t1))) s (of which preparing the tree ${prepare:-?} s)"
echo "  warm: $(secs $((t3 - t2))) s (the same build again)"
echo "  cache: $total MB:"
echo "$sizes" | while read -r mb part; do printf '    %-7s %6s MB\n' "$part" "$mb"; done
mkdir -p "$(dirname "$out")"
jq -n --arg release "$DISTRO_RELEASE" --arg version "$DISTRO_VERSION" --arg patch "$patch" \
	--argjson fetch_ms $((t1 - t0)) --argjson cold_build_ms $((t2 - t1)) \
	--argjson warm_ms $((t3 - t2)) --arg prepare_s "${prepare:-}" --argjson total_mb "$total" \
	--arg sizes "$sizes" --argjson jobs "$LPB_JOBS" \
	'{release: $release, packages: $version, patch: $patch, jobs: $jobs,
	  cold_ms: ($fetch_ms + $cold_build_ms), fetch_ms: $fetch_ms, cold_build_ms: $cold_build_ms,
	  prepare_s: $prepare_s, warm_ms: $warm_ms, cache_mb: $total_mb,
	  cache_parts_mb: ($sizes | split("\n") | map(select(. != "") | split("\t") | {(.[1]): (.[0] | tonumber)}) | add)}' >"$out"
echo "  results: $out"
