#!/usr/bin/env bash
# lp-build on Debian's own 6.1 cloud kernel (`make integration-distro`):
# fetches the newest complete Debian package set (distro-fetch.sh), runs the
# tests of test-patches/distro/ on that kernel (its vmlinuz under qemu, the
# modules built against its debug vmlinux), then those of
# test-patches/distro-cross/ on the harness's test kernel.
#
#   integration/distro.sh [TEST...]     (default: every test of both folders)
#
# test-patches/distro/ holds links to the generic tests that apply to
# Debian's kernel, and tests of its own. Results: build/integration-distro/
# and build/integration-distro-cross/ (results.json in each), as run.sh
# writes them. Exit status 0 only when no test failed.
set -euo pipefail
LPB_PROG=integration-distro
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

DISTRO_TESTS=$LPB_TOP/test-patches/distro
CROSS_TESTS=$LPB_TOP/test-patches/distro-cross
OUT=${LPB_DISTRO_OUT:-$LPB_TOP/build}

case "${1:-}" in
-h | --help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
esac

# tests_of DIR: the tests of DIR; a link that leads nowhere is an error (a
# generic test was renamed or removed: update the link)
tests_of() {
	local d name
	for d in "$1"/*; do
		name=$(basename "$d")
		[ -f "$d/test.conf" ] || die "$d is not a test (no test.conf${d:+; a link to a test that no longer exists?})"
		echo "$name"
	done
}

mapfile -t distro_tests < <(tests_of "$DISTRO_TESTS")
mapfile -t cross_tests < <(tests_of "$CROSS_TESTS")
run_distro=("${distro_tests[@]}")
run_cross=("${cross_tests[@]}")
if [ $# -gt 0 ]; then
	run_distro=() run_cross=()
	for t in "$@"; do
		if printf '%s\n' "${distro_tests[@]}" | grep -qx -- "$t"; then
			run_distro+=("$t")
		elif printf '%s\n' "${cross_tests[@]}" | grep -qx -- "$t"; then
			run_cross+=("$t")
		else
			die "no test '$t' (Debian kernel: ${distro_tests[*]}; test kernel: ${cross_tests[*]})"
		fi
	done
fi

ensure_cache
t0=$(now_ms)
if [ "${LPB_NO_DEPS:-0}" != 1 ]; then
	bash "$LPB_INTEG/install-deps.sh" >&2
fi
target=$("$LPB_INTEG/distro-fetch.sh")
log "Debian kernel ready in $(( ($(now_ms) - t0) / 1000 )) s: $target"

# what the tests' prepare.sh use: the Debian target file and lp-build
export LPB_DISTRO_TARGET=$target
export LPB_TOOL=${LPB_TOOL:-$LPB_TOP/build/lp-build}
rc=0
if [ ${#run_distro[@]} -gt 0 ]; then
	LPB_TARGET=$target LPB_TESTS_DIR=$DISTRO_TESTS LPB_OUT=$OUT/integration-distro \
		LPB_RESULTS=$OUT/integration-distro/results.json LPB_NO_DEPS=1 \
		bash "$LPB_INTEG/run.sh" "${run_distro[@]}" || rc=1
fi
if [ ${#run_cross[@]} -gt 0 ]; then
	LPB_TARGET='' LPB_TESTS_DIR=$CROSS_TESTS LPB_OUT=$OUT/integration-distro-cross \
		LPB_RESULTS=$OUT/integration-distro-cross/results.json LPB_NO_DEPS=1 \
		bash "$LPB_INTEG/run.sh" "${run_cross[@]}" || rc=1
fi
log "done in $(( ($(now_ms) - t0) / 1000 )) s: $([ $rc -eq 0 ] && echo 'all passed' || echo 'FAILURES (see above)')"
exit $rc
