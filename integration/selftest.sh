#!/usr/bin/env bash
# The harness's own test: runs integration/run.sh on the fixtures in
# integration/selftest/ (tests built to pass or to fail in known ways: kernel
# health, failing steps, guest and host time limits, crash, leftovers, the
# lp-build hook, expected build failures, multi-boot disk state) and checks
# that each one gets the result and the reason its selftest.expect names.
#   integration/selftest.sh [FIXTURE...]
set -euo pipefail
LPB_PROG=selftest
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

dir=$LPB_INTEG/selftest
out=$LPB_TOP/build/integration-selftest
rc=0
LPB_TESTS_DIR=$dir LPB_OUT=$out LPB_RESULTS=$out/results.json \
	LPB_TOOL=$dir/fake-lp-build.sh LPB_BOOT_TIMEOUT=${LPB_BOOT_TIMEOUT:-15} \
	bash "$LPB_INTEG/run.sh" "$@" || rc=$?
[ -f "$out/results.json" ] || die "run.sh (rc $rc) wrote no results"

bad=0 n=0
for t in $(jq -r '.tests[].name' "$out/results.json"); do
	result='' reason=''
	# shellcheck disable=SC1090
	. "$dir/$t/selftest.expect"
	got=$(jq -r --arg t "$t" '.tests[] | select(.name == $t) | .result' "$out/results.json")
	why=$(jq -r --arg t "$t" '.tests[] | select(.name == $t) | .reason' "$out/results.json")
	n=$((n + 1))
	if [ "$got" != "$result" ]; then
		echo "selftest: $t: expected $result, harness said $got: $why"
		bad=$((bad + 1))
	elif [ -n "$reason" ] && [[ $why != *"$reason"* ]]; then
		echo "selftest: $t: $got as expected, but the reason lacks \"$reason\": $why"
		bad=$((bad + 1))
	fi
done
if [ "$bad" -ne 0 ]; then
	echo "selftest: $bad of $n fixtures judged wrongly"
	exit 1
fi
echo "selftest: all $n fixtures judged as expected"
