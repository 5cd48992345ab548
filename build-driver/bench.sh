#!/usr/bin/env bash
# `make bench` part for lp-build: end-to-end time and peak memory for a
# one-file patch on the test kernel, cold and warm tree cache, against the
# floor (kbuild alone compiling the unit twice and linking one module).
set -euo pipefail
LPB_PROG=bench
. "$(dirname "$0")/../integration/lib.sh"

LPB=$LPB_TOP/build/lp-build
PATCH=$LPB_TOP/test-patches/proc-cmdline/patch.diff
UNIT=fs/proc/cmdline.o
RUNS=${LPB_BENCH_RUNS:-3}
[ -x "$LPB" ] || die "build/lp-build is missing: run make first"

KB=$("$LPB_INTEG/build-kernel.sh")
SRC=$("$LPB_INTEG/fetch-source.sh")
tmp=$(mktemp -d)
cold_cache=$LPB_CACHE/bench-cold
trap 'rm -rf "$tmp" "$cold_cache"' EXIT

# timed OUT CMD...: wall seconds and peak RSS (KiB) of CMD and its children
timed() {
	local out=$1
	shift
	/usr/bin/time -f "%e %M" -o "$out" "$@" >/dev/null 2>"$out.log" ||
		{ cat "$out.log" >&2; die "failed: $*"; }
}

lpbuild=("$LPB" -s "$SRC" -c "$KB/.config" -v "$KB/vmlinux" --symvers "$KB/Module.symvers"
	-o "$tmp/out" -n lpb_bench --cache "$cold_cache" "$PATCH")

# cold: an empty tree cache (the kernel source and test kernel stay cached)
rm -rf "$cold_cache"
timed "$tmp/cold" "${lpbuild[@]}"
read -r cold_s cold_kb <"$tmp/cold"
tree=$(sed -n 's/.*(cached in \(.*\))$/\1/p' "$tmp/cold.log")
[ -d "$tree/src" ] || die "cannot find the prepared tree in lp-build's output"

# warm: the same cache, prepared
best_s='' best_kb=0
for _ in $(seq "$RUNS"); do
	timed "$tmp/warm" "${lpbuild[@]}"
	read -r s kb <"$tmp/warm"
	if [ -z "$best_s" ] || awk "BEGIN{exit !($s < $best_s)}"; then best_s=$s; fi
	[ "$kb" -gt "$best_kb" ] && best_kb=$kb
done

# floor: kbuild alone in the same prepared tree: the unit twice, one module link
mk=(make -s -C "$tree/src" KERNELRELEASE="$(sed -n 's/.*"release": "\(.*\)",/\1/p' "$tmp/out/lpb_bench.json" | head -n1)")
kflags="-ffunction-sections -fdata-sections -I$LPB_TOP/kmod-template/include"
floor_ms=0
for _ in 1 2; do
	rm -f "$tree/src/$UNIT"
	t0=$(now_ms)
	"${mk[@]}" KCFLAGS="$kflags" "$UNIT" >/dev/null
	floor_ms=$((floor_ms + $(now_ms) - t0))
done
kmod=$tree/work/lpb_bench/kmod
"${mk[@]}" M="$kmod" clean >/dev/null
t0=$(now_ms)
"${mk[@]}" M="$kmod" modules >/dev/null
floor_ms=$((floor_ms + $(now_ms) - t0))
floor_s=$(awk "BEGIN{printf \"%.2f\", $floor_ms/1000}")

cat <<TXT
lp-build end to end, one-file patch ($UNIT), test kernel, $(nproc) cores:
  cold tree cache   ${cold_s} s   peak RSS $((cold_kb / 1024)) MiB
  warm tree cache   ${best_s} s   peak RSS $((best_kb / 1024)) MiB   (best of $RUNS)
  floor (kbuild)    ${floor_s} s   (compile the unit twice + link one module)
  warm / floor      $(awk "BEGIN{printf \"%.2f\", $best_s/$floor_s}") x   (target: warm < 20 s, within 2x of the floor)
TXT
