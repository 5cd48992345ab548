#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The stress job (`make stress`): many generated one-function patches built
# with lp-build against real kernels, outcomes classified, a sample loaded.
#
#   integration/stress/stress.sh [--target test|debian|both] [--count N]
#       [--seed S] [--vm N] [--only ID,ID...] [--out DIR]
#
#   --target  test (the harness's test kernel, default), debian (Debian's
#             6.1 cloud kernel, doc/distro-kernels.md), or both
#   --count   code-changing patches to generate (default 150; a few dozen
#             no-change, header, pr_debug and __init patches come on top)
#   --seed    generator seed (default 1): the same seed, kernel and source
#             give the same patches
#   --vm N    load N of the built modules in the VM per target (default 30,
#             0 skips the boots)
#   --only    build only these patch ids (p001,...)
#   --combos N  also build N cumulative modules from 2-3 of the built
#             patches of different files (default 8)
#   --debian-sample N  patches built for Debian's kernel, every kind
#             represented (default 60; 0: all)
#   --out     where everything goes (default build/stress)
#
# Outputs, under --out: patches/ (the .diff files and manifest.json),
# <target>/results.json, logs/ and modules/, <target>/vm/ (the harness's
# run) and summary.txt, the outcome table of every target. Exit status 1
# when any outcome was unexpected or a VM test failed. Not part of
# `make check`: a full run takes about 15 minutes per target plus the boots
# on 2 cores. See doc/testing.md, "The stress job".
set -euo pipefail
LPB_PROG=stress
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"

HERE=$LPB_INTEG/stress
target=test count=150 seed=1 vm=30 only='' out=$LPB_TOP/build/stress dsample=60 combos=8
while [ $# -gt 0 ]; do
	case $1 in
	--target) target=$2; shift 2 ;;
	--count) count=$2; shift 2 ;;
	--seed) seed=$2; shift 2 ;;
	--vm) vm=$2; shift 2 ;;
	--only) only=$2; shift 2 ;;
	--debian-sample) dsample=$2; shift 2 ;;
	--combos) combos=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	-h | --help) sed -n '3,30p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown argument $1 (see --help)" ;;
	esac
done
case $target in
test | debian | both) ;;
*) die "--target must be test, debian or both" ;;
esac
LPB=${LPB_TOOL:-$LPB_TOP/build/lp-build}
[ -x "$LPB" ] || die "$LPB is missing: run make first"
ensure_cache
[ "${LPB_NO_DEPS:-0}" = 1 ] || bash "$LPB_INTEG/install-deps.sh" >&2
out=$(mkdir -p "$out" && cd "$out" && pwd)
KEY=$LPB_CACHE/keys/test-signing.key
CERT=$LPB_CACHE/keys/test-signing.crt
rc=0

# the patches always come from the test kernel's objects: it is built here,
# with kbuild's .cmd files and objects, which a distribution kernel lacks
KB=$("$LPB_INTEG/build-kernel.sh")
SRC=$("$LPB_INTEG/fetch-source.sh")
run_timed "generate patches" python3 "$HERE/gen-patches.py" --kbuild "$KB" --src "$SRC" \
	--out "$out/patches" --count "$count" --seed "$seed"

# one_target NAME ARGS...: build every patch for one kernel, then a VM sample
one_target() {
	local name=$1 r
	shift
	r=0
	run_timed "build the patches for $name" python3 "$HERE/run-stress.py" --tool "$LPB" \
		--patches "$out/patches" --out "$out/$name" --target "$name" \
		--key "$KEY" --cert "$CERT" --combos "$combos" --seed "$seed" ${only:+--only "$only"} "$@" \
		>"$out/$name.txt" || r=$?
	sed -n '/^kind /,$p' "$out/$name.txt"
	[ $r -eq 0 ] || rc=1
	[ "$vm" -gt 0 ] || return 0
	python3 "$HERE/vm-sample.py" --patches "$out/patches" --results "$out/$name" \
		--out "$out/$name/vm-tests" --count "$vm" --seed "$seed"
	r=0
	env LPB_NO_DEPS=1 LPB_TESTS_DIR="$out/$name/vm-tests" LPB_OUT="$out/$name/vm" \
		${vm_target:+LPB_TARGET="$vm_target"} bash "$LPB_INTEG/run.sh" >"$out/$name/vm.txt" 2>&1 || r=$?
	grep -E '^  (PASS|FAIL|SKIP)|passed,' "$out/$name/vm.txt" | tail -n 3
	[ $r -eq 0 ] || { rc=1; grep -A3 '^  FAIL' "$out/$name/vm.txt" || true; }
}

if [ "$target" != debian ]; then
	vm_target='' one_target test --src "$SRC" --config "$KB/.config" --vmlinux "$KB/vmlinux" \
		--symvers "$KB/Module.symvers"
fi
if [ "$target" != test ]; then
	env_file=$("$LPB_INTEG/distro-fetch.sh")
	# shellcheck disable=SC1090
	. "$env_file"
	nm "$DISTRO_VMLINUX" | awk '$2 ~ /^[tTwW]$/ { print $3 }' >"$out/debian-functions.txt"
	vm_target=$env_file one_target debian --src "$DISTRO_SRC" --config "$DISTRO_CONFIG" \
		--vmlinux "$DISTRO_VMLINUX" --symvers "$DISTRO_SYMVERS" --modules "$DISTRO_DBG_MODULES" \
		--present "$out/debian-functions.txt" --sample "$dsample"
fi

{
	for t in test debian; do
		[ -f "$out/$t.txt" ] || continue
		echo "== $t"
		sed -n '/^kind /,$p' "$out/$t.txt"
		[ -f "$out/$t/vm.txt" ] && grep -E 'passed,' "$out/$t/vm.txt"
	done
} >"$out/summary.txt"
log "summary: $out/summary.txt"
exit $rc
