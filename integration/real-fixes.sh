#!/usr/bin/env bash
# The corpus of real fixes (`make real-fixes`, doc/real-fixes.md): upstream
# stable fixes taken from the difference between two Debian linux-source-6.1
# versions, each built as a livepatch for the OLDER Debian kernel and, where
# it builds, checked in that kernel under qemu.
#
#   integration/real-fixes.sh [--check-subset] [TEST...]
#
#   --check-subset   only the tests listed in test-patches/real-fixes/CHECK
#                    (what `make check` runs)
#
# Each test folder's test.conf is read by integration/run.sh (build, boot,
# guest checks) and, here, for one more key: expect_patched="OBJ:FUNC ...",
# the exact set of functions the module must replace (from its manifest), so
# that a fix silently dropped from the module is a failure even when the
# module loads. A test whose expected outcome lp-build does not meet yet
# names the defect in known_defect="..."; it is reported as XFAIL (and as
# XPASS, to be cleaned up, once it passes) and fails the run only with
# LPB_STRICT=1.
#
# LPB_REAL_FIXES_VERSION (default 6.1.170-3) is the older Debian package
# version the fixes are built for. Results: build/real-fixes/results.json
# (run.sh's format) and build/real-fixes/summary.txt.
set -euo pipefail
LPB_PROG=real-fixes
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

TESTS_DIR=$LPB_TOP/test-patches/real-fixes
OUT=${LPB_REAL_FIXES_OUT:-$LPB_TOP/build/real-fixes}
VERSION=${LPB_REAL_FIXES_VERSION:-6.1.170-3}

subset=0
case "${1:-}" in
-h | --help) sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
--check-subset) subset=1; shift ;;
esac

# every folder with a test.conf (common/ holds the shared files)
all_tests() {
	local d
	for d in "$TESTS_DIR"/*/; do
		[ -f "$d/test.conf" ] && basename "$d"
	done
}

if [ $# -gt 0 ]; then
	tests=("$@")
elif [ $subset -eq 1 ]; then
	mapfile -t tests < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$TESTS_DIR/CHECK")
else
	mapfile -t tests < <(all_tests)
fi
for t in "${tests[@]}"; do
	[ -f "$TESTS_DIR/$t/test.conf" ] || die "no test '$t' in $TESTS_DIR"
done

# conf_key TEST KEY: one key of a test.conf (read like run.sh reads it)
conf_key() {
	(
		LPB_CACHE=$LPB_CACHE LPB_KSRC=
		# shellcheck disable=SC1090,SC1091
		. "$TESTS_DIR/$1/test.conf"
		eval "printf '%s' \"\${$2:-}\""
	)
}

ensure_cache
t0=$(now_ms)
if [ "${LPB_NO_DEPS:-0}" != 1 ]; then
	bash "$LPB_INTEG/install-deps.sh" >&2
fi
target=$(LPB_DISTRO_VERSION=$VERSION "$LPB_INTEG/distro-fetch.sh")
log "Debian kernel $VERSION ready in $(( ($(now_ms) - t0) / 1000 )) s: $target"

# run.sh's own status counts XFAIL tests as failures: the summary decides
LPB_TARGET=$target LPB_TESTS_DIR=$TESTS_DIR LPB_OUT=$OUT LPB_RESULTS=$OUT/results.json \
	LPB_NO_DEPS=1 LPB_TOOL=${LPB_TOOL:-$LPB_TOP/build/lp-build} \
	bash "$LPB_INTEG/run.sh" "${tests[@]}" || true

# the functions each built module replaces, against expect_patched
declare -A result reason
for t in "${tests[@]}"; do
	result[$t]=$(jq -r --arg t "$t" '.tests[] | select(.name == $t) | .result' "$OUT/results.json")
	reason[$t]=$(jq -r --arg t "$t" '.tests[] | select(.name == $t) | .reason // ""' "$OUT/results.json")
	want=$(conf_key "$t" expect_patched)
	[ -n "$want" ] || continue
	mod=$(printf '%s' "$t" | tr - _)
	man=$OUT/tests/$t/guest/$mod.json
	if [ ! -f "$man" ]; then
		[ "${result[$t]}" != PASS ] || { result[$t]=FAIL; reason[$t]="no manifest $man"; }
		continue
	fi
	have=$(jq -r '.objects[] | .name as $o | .functions[] | "\($o):\(.name)"' "$man" | sort | tr '\n' ' ')
	want=$(printf '%s\n' $want | sort | tr '\n' ' ')
	if [ "$have" != "$want" ]; then
		result[$t]=FAIL
		reason[$t]="${reason[$t]:+${reason[$t]}; }module replaces [${have% }], expected [${want% }]"
	fi
done

# known defects: XFAIL / XPASS
{
	printf '%-28s %-6s %s\n' TEST RESULT NOTE
	for t in "${tests[@]}"; do
		r=${result[$t]:-MISSING} note=${reason[$t]}
		known=$(conf_key "$t" known_defect)
		if [ -n "$known" ]; then
			case $r in
			FAIL) r=XFAIL note="known: $known; ${reason[$t]}" ;;
			PASS) r=XPASS note="passes although known_defect says: $known (remove known_defect)" ;;
			esac
		fi
		printf '%-28s %-6s %s\n' "$t" "$r" "$(printf '%s' "$note" | head -n 1 | cut -c1-200)"
	done
} | tee "$OUT/summary.txt"
fails=$(grep -cE '^[^ ]+ +(FAIL|MISSING)' "$OUT/summary.txt" || true)
if [ "${LPB_STRICT:-0}" = 1 ]; then
	fails=$(grep -cE '^[^ ]+ +(FAIL|MISSING|XFAIL|XPASS|SKIP)' "$OUT/summary.txt" || true)
fi
log "done in $(( ($(now_ms) - t0) / 1000 )) s: ${#tests[@]} fixes, $fails unexpected result(s) (summary: $OUT/summary.txt)"
[ "$fails" -eq 0 ]
