#!/usr/bin/env bash
# lp-build on Debian's own cloud kernels (`make integration-distro`, and for
# every series `make integration-matrix`): for each series, fetches the newest
# complete Debian package set (distro-fetch.sh, the code lp-build --target
# uses), runs the tests of test-patches/distro/ on that kernel (its vmlinuz
# under qemu, the modules built with lp-build --target), then those of
# test-patches/distro-cross/ on the harness's test kernel.
#
#   integration/distro.sh [--series "S1 S2..."|all|ci] [--check] [TEST...]
#                                                        (default: every test)
#
# LPB_SERIES (default bookworm-6.1; "all": every series of
# build-driver/debian-series.conf; "ci": those whose entry says ci=yes, the
# others named with the reason) names the series. --check (make check) runs
# on each series only the tests its check_tests names (all when it names
# none), less those its check_skip names; make integration-matrix runs every test on every series. test-patches/distro/
# holds links to the generic tests that apply to Debian's kernels and tests of
# its own; a test's series/SERIES/ folder holds that series' own version of
# a file (doc/testing.md). Results: build/integration-distro/SERIES/ and
# build/integration-distro-cross/ (results.json in each), as run.sh writes
# them, and build/integration-distro/summary.txt. Exit status 0 only when no
# test failed.
set -euo pipefail
LPB_PROG=integration-distro
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

DISTRO_TESTS=$LPB_TOP/test-patches/distro
CROSS_TESTS=$LPB_TOP/test-patches/distro-cross
OUT=${LPB_DISTRO_OUT:-$LPB_TOP/build}
series=${LPB_SERIES:-bookworm-6.1}

args=()
check_subset=0
while [ $# -gt 0 ]; do
	case "$1" in
	-h | --help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	--series) series=$2; shift ;;
	--check) check_subset=1 ;;
	*) args+=("$1") ;;
	esac
	shift
done
table=$LPB_TOP/build-driver/debian-series.conf
not_in_ci=()
case "$series" in
all) series=$(sed -n 's/^\[\(.*\)\]$/\1/p' "$table" | tr '\n' ' ') ;;
ci)
	# the series whose table entry says ci=yes; the others say why not
	series=$(awk '/^\[/ { s = substr($0, 2, length($0) - 2) } /^ci=yes$/ { print s }' "$table" | tr '\n' ' ')
	mapfile -t not_in_ci < <(awk '/^\[/ { s = substr($0, 2, length($0) - 2) }
		/^ci=/ && $0 != "ci=yes" { print s ": not run (" substr($0, 4) ")" }' "$table")
	;;
esac
read -r -a series_list <<<"$series"

# check_tests SERIES: the tests make check runs on SERIES (its table entry's
# check_tests; empty: the whole suite); check_skip SERIES: those it leaves out
check_tests() { series_field "$1" check_tests; }
check_skip() { series_field "$1" check_skip; }

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
if [ ${#args[@]} -gt 0 ]; then
	run_distro=() run_cross=()
	for t in "${args[@]}"; do
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
export LPB_TOOL=${LPB_TOOL:-$LPB_TOP/build/lp-build}
rc=0
summary=("${not_in_ci[@]}")
first_target=
for s in "${series_list[@]}"; do
	ts=$(now_ms)
	if ! target=$("$LPB_INTEG/distro-fetch.sh" "$s"); then
		log "$s: cannot fetch the Debian kernel (above)"
		summary+=("$s: FETCH FAILED")
		rc=1
		continue
	fi
	first_target=${first_target:-$target}
	log "$s: Debian kernel ready in $(( ($(now_ms) - ts) / 1000 )) s: $target"
	# lp-build's own tests of the target machinery (no VM, nothing compiled)
	bash "$LPB_TOP/build-driver/tests/target-tests.sh" "$target" || { rc=1; summary+=("$s: target tests FAILED"); }
	# what the tests' prepare.sh use: this series' target file and lp-build
	export LPB_DISTRO_TARGET=$target
	res=$OUT/integration-distro/$s/results.json
	these=("${run_distro[@]}")
	subset=$(check_tests "$s") subset_used=
	if [ "$check_subset" = 1 ] && [ ${#args[@]} -eq 0 ] && [ -n "$subset" ]; then
		read -r -a these <<<"$subset"
		subset_used=1
		for t in "${these[@]}"; do
			printf '%s\n' "${distro_tests[@]}" | grep -qx -- "$t" ||
				die "$table: check_tests of $s names '$t', which is not a test of $DISTRO_TESTS"
		done
	fi
	skip=$(check_skip "$s")
	if [ "$check_subset" = 1 ] && [ ${#args[@]} -eq 0 ] && [ -n "$skip" ]; then
		kept=()
		for t in "${these[@]}"; do
			[[ " $skip " == *" $t "* ]] || kept+=("$t")
		done
		for t in $skip; do
			printf '%s\n' "${distro_tests[@]}" | grep -qx -- "$t" ||
				die "$table: check_skip of $s names '$t', which is not a test of $DISTRO_TESTS"
		done
		these=("${kept[@]}")
		subset_used=1
	fi
	if [ ${#these[@]} -gt 0 ]; then
		rm -f "$res"
		LPB_TARGET=$target LPB_TESTS_DIR=$DISTRO_TESTS LPB_OUT=$OUT/integration-distro/$s \
			LPB_RESULTS=$res LPB_NO_DEPS=1 bash "$LPB_INTEG/run.sh" "${these[@]}" || rc=1
		summary+=("$s: $(jq -r '"\(.summary.pass) passed, \(.summary.fail) failed, \(.summary.skip) skipped in \(.times_ms.total / 1000 | floor) s"' "$res" 2>/dev/null || echo 'no results')$([ ${#these[@]} -eq ${#distro_tests[@]} ] || echo " (${#these[@]} of ${#distro_tests[@]} tests${subset_used:+: check_tests, check_skip})")")
	fi
done
if [ ${#run_cross[@]} -gt 0 ] && [ -n "$first_target" ]; then
	res=$OUT/integration-distro-cross/results.json
	LPB_DISTRO_TARGET=$first_target LPB_TARGET='' LPB_TESTS_DIR=$CROSS_TESTS \
		LPB_OUT=$OUT/integration-distro-cross LPB_RESULTS=$res LPB_NO_DEPS=1 \
		bash "$LPB_INTEG/run.sh" "${run_cross[@]}" || rc=1
	summary+=("test kernel (cross): $(jq -r '"\(.summary.pass) passed, \(.summary.fail) failed, \(.summary.skip) skipped"' "$res" 2>/dev/null || echo 'no results')")
fi
mkdir -p "$OUT/integration-distro"
printf '%s\n' "${summary[@]}" | tee "$OUT/integration-distro/summary.txt"
log "done in $(( ($(now_ms) - t0) / 1000 )) s: $([ $rc -eq 0 ] && echo 'all passed' || echo 'FAILURES (see above)')"
exit $rc
