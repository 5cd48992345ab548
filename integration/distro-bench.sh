#!/usr/bin/env bash
# What a one-file livepatch for Debian's kernels costs, per series (`make
# bench-distro`): fetching the target (packages downloaded and unpacked,
# unless the shared cache has them), the build root (created once; its
# creation time and size as recorded when it was made), a new tree (lp-build
# in a tree cache of its own: `make prepare modules_prepare` plus the build),
# a warm build (the same again), and the cache size per part.
#
#   integration/distro-bench.sh [--series "S1 S2..."|all] [PATCH]
#
# PATCH defaults to test-patches/proc-cmdline/patch.diff, or the series' own
# version of it (test-patches/proc-cmdline/series/SERIES/patch.diff). The
# trees are built under a directory of their own (LPB_BENCH_CACHE, default
# a new one under /var/tmp, removed afterwards unless LPB_BENCH_KEEP=1).
# Prints a summary and writes build/distro-bench.json.
set -euo pipefail
LPB_PROG=distro-bench
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

series=all
patch_arg=
while [ $# -gt 0 ]; do
	case "$1" in
	-h | --help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	--series) series=$2; shift ;;
	*) patch_arg=$1 ;;
	esac
	shift
done
[ "$series" != all ] ||
	series=$(sed -n 's/^\[\(.*\)\]$/\1/p' "$LPB_TOP/build-driver/debian-series.conf" | tr '\n' ' ')
read -r -a series_list <<<"$series"
tool=${LPB_TOOL:-$LPB_TOP/build/lp-build}
[ -x "$tool" ] || die "$tool is not built (make all)"
out=${LPB_BENCH_OUT:-$LPB_TOP/build/distro-bench.json}

bench=${LPB_BENCH_CACHE:-$(mktemp -d /var/tmp/lpb-bench.XXXXXX)}
mkdir -p "$bench"
work=$(mktemp -d)
cleanup() {
	rm -rf "$work"
	if [ -z "${LPB_BENCH_CACHE:-}" ] && [ "${LPB_BENCH_KEEP:-0}" != 1 ]; then
		rm -rf "$bench"
	fi
}
trap cleanup EXIT

secs() { printf '%d.%d' $(($1 / 1000)) $(($1 % 1000 / 100)); }

# build SERIES LOG: the patch built for the series' target, its trees in the
# bench's own cache (the target's packages and build root in the shared one)
build() {
	(
		# shellcheck disable=SC1090
		. "$target"
		# shellcheck disable=SC2154 # the target file sets target_*
		"$tool" -s "$target_src" -c "$target_config" -v "$target_vmlinux" \
			--symvers "$target_symvers" --modules "$target_modules" --cc "$target_cc" \
			${target_buildroot:+--buildroot "$target_buildroot"} --cache "$bench/$1" \
			-j "$LPB_JOBS" -n bench -o "$work/$1" "$patch"
	) >"$2" 2>&1
}

ensure_cache
json=()
lines=()
for s in "${series_list[@]}"; do
	patch=${patch_arg:-$LPB_TOP/test-patches/proc-cmdline/patch.diff}
	if [ -z "$patch_arg" ] && [ -f "$LPB_TOP/test-patches/proc-cmdline/series/$s/patch.diff" ]; then
		patch=$LPB_TOP/test-patches/proc-cmdline/series/$s/patch.diff
	fi
	cached=yes
	"$tool" targets --json | jq -e --arg s "$s" '.targets[] | select(.series == $s)' >/dev/null || cached=no
	t0=$(now_ms)
	target=$("$tool" fetch --cache "$LPB_CACHE" "debian:$s") || { log "$s: fetch failed"; continue; }
	t1=$(now_ms)
	# shellcheck disable=SC1090
	. "$target"
	root_s='' root_mb=''
	if [ -n "$target_buildroot" ]; then
		root_s=$(sed -n 's/^create_seconds=//p' "$(dirname "$target_buildroot")/info")
		root_mb=$(sed -n 's/^size_mb=//p' "$(dirname "$target_buildroot")/info")
	fi
	log "$s: new tree (lp-build in an empty tree cache) ..."
	rc=0
	build "$s" "$work/$s.cold.log" || rc=$?
	t2=$(now_ms)
	if [ $rc -ne 0 ]; then
		log "$s: lp-build failed (rc $rc): $(tail -n 3 "$work/$s.cold.log" | tr '\n' ' ')"
		mkdir -p "$LPB_TOP/build"
		cp "$work/$s.cold.log" "$LPB_TOP/build/distro-bench-$s.log"
	fi
	prepare=$(sed -n 's/^lp-build: tree *\([0-9.]*\) s.*/\1/p' "$work/$s.cold.log")
	warm_ms=null
	if [ $rc -eq 0 ]; then
		build "$s" "$work/$s.warm.log" || rc=$?
		warm_ms=$(($(now_ms) - t2))
	fi
	tree_mb=$(du -sm "$bench/$s/trees" 2>/dev/null | cut -f1)
	sizes=$("$tool" targets --json | jq -c --arg t "$target_release" '.targets[] | select(.release == $t) | .size_mb')
	lines+=("$(printf '%-14s %-34s %-26s fetch %6s s%s  root %5s s %5s MB  new tree %6s s (prepare %s s)  warm %5s s  rc %d' \
		"$s" "$target_release" "$target_cc" "$(secs $((t1 - t0)))" "$([ $cached = yes ] && echo ' (cached)' || echo '         ')" \
		"${root_s:--}" "${root_mb:--}" "$(secs $((t2 - t1)))" "${prepare:-?}" \
		"$([ "$warm_ms" = null ] && echo - || secs "$warm_ms")" "$rc")")
	json+=("$(jq -n --arg series "$s" --arg release "$target_release" --arg version "$target_version" \
		--arg cc "$target_cc" --arg compiler "$target_compiler" --arg patch "$patch" \
		--arg buildroot "$target_buildroot" --arg root_s "$root_s" --arg root_mb "$root_mb" \
		--argjson fetch_ms $((t1 - t0)) --argjson cached "$([ $cached = yes ] && echo true || echo false)" \
		--argjson new_tree_ms $((t2 - t1)) --arg prepare_s "${prepare:-}" --argjson warm_ms "$warm_ms" \
		--argjson rc "$rc" --arg tree_mb "${tree_mb:-0}" --argjson sizes "${sizes:-null}" --argjson jobs "$LPB_JOBS" \
		'{series: $series, release: $release, packages: $version, cc: $cc, compiler: $compiler,
		  patch: $patch, jobs: $jobs, rc: $rc, fetch_ms: $fetch_ms, fetch_was_cached: $cached,
		  buildroot: (if $buildroot == "" then null else $buildroot end),
		  buildroot_create_s: (if $root_s == "" then null else ($root_s | tonumber) end),
		  buildroot_mb: (if $root_mb == "" then null else ($root_mb | tonumber) end),
		  new_tree_ms: $new_tree_ms, prepare_s: $prepare_s, warm_ms: $warm_ms,
		  tree_mb: ($tree_mb | tonumber), cache_mb: $sizes}')")
done
echo
echo "lp-build for Debian's kernels, one-file patch (-j$LPB_JOBS; load $(cut -d' ' -f1-3 /proc/loadavg)):"
printf '  %s\n' "${lines[@]}"
mkdir -p "$(dirname "$out")"
printf '%s\n' "${json[@]}" | jq -s '.' >"$out"
echo "  results: $out"
