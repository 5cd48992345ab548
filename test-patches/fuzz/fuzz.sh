#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Runs libFuzzer targets one after the other: their regression inputs
# first, then SECONDS of fuzzing each from a seed corpus made at test time.
# A crash, leak or sanitizer report fails the run and leaves its input in
# DIR/work-NAME/. Figures go to DIR/summary.tsv.
# Usage: fuzz.sh DIR SECONDS FUZZER...   (FUZZ_NICE=0: no nice; FUZZ_RUNS=N:
# stop after N executions, or SECONDS, whichever comes first)
set -euo pipefail
DIR=${1:?usage: fuzz.sh DIR SECONDS FUZZER...}
SECS=${2:?}
shift 2
HERE=$(cd "$(dirname "$0")" && pwd)
# the machine is shared: fuzzing yields to everything else
NICE=()
[ "${FUZZ_NICE:-1}" = 0 ] || NICE=(nice -n 19)
# ASan keeps freed memory in a quarantine to catch a use after free; its
# default of 256 MB holds ~500 executions' worth of fuzz-cdo's frees (about
# 0.5 MB each) and costs ~25% of its time in cache and page-table churn;
# 64 MB still holds over 100 executions' worth (thousands of the others')
export ASAN_OPTIONS=${ASAN_OPTIONS:-quarantine_size_mb=64}
fail=0

# regress/NAME/*: text inputs as they are, *.hex as hex digits (perl's pack),
# and those seeds.sh makes (regress-NAME)
run_regressions() {
	local name=$1 bin=$2 w=$3 f files=()
	rm -rf "$w/regress"
	mkdir -p "$w/regress"
	if grep -q "^regress_$name()" "$HERE/seeds.sh"; then
		bash "$HERE/seeds.sh" "regress-$name" "$w/regress" "$w/seed-work"
	fi
	for f in "$HERE/regress/$name"/*; do
		[ -e "$f" ] || continue
		case $f in
		*.hex) perl -ne 'print pack("H*", join("", /[0-9a-fA-F]{2}/g))' "$f" \
			>"$w/regress/$(basename "$f" .hex)" ;;
		*) cp "$f" "$w/regress/" ;;
		esac
	done
	files=("$w/regress"/*)
	[ -e "${files[0]}" ] || return 0
	if ! LPB_FUZZ_CERT=$w/seed-work/keys/cert.pem "$bin" -close_fd_mask=3 "${files[@]}" >"$w/regress.log" 2>&1; then
		tail -30 "$w/regress.log"
		echo "fuzz-$name: a regression input fails again (see $w/regress.log)"
		return 1
	fi
	echo "fuzz-$name: ${#files[@]} regression inputs pass"
}

run_one() {
	local name=$1 bin=$DIR/fuzz-$1 w=$DIR/work-$1 key dict=() runs=() execs t0 t1 rc corpus
	# a short run starts from the seeds alone: loading a long run's corpus
	# would cost more than the run
	corpus=corpus
	if [ "$SECS" -le 10 ]; then
		corpus=short-corpus
		rm -rf "${w:?}/$corpus"
	fi
	mkdir -p "$w/$corpus"
	# seeds are made again when the inputs they come from changed
	key=$( (cat "$HERE/seeds.sh"; ls -l --time-style=+%s "$HERE/../unit/fixtures"/*/*.c 2>/dev/null;
		ls -d /var/cache/lp-build/testkernel/current/ 2>/dev/null) | sha256sum | cut -c1-16)
	if [ "$(cat "$w/seeds/.key" 2>/dev/null)" != "$key" ]; then
		rm -rf "$w/seeds"
		mkdir -p "$w/seeds"
		bash "$HERE/seeds.sh" "$name" "$w/seeds" "$w/seed-work"
		echo "$key" >"$w/seeds/.key"
	fi
	run_regressions "$name" "$bin" "$w" || return 1
	[ -f "$HERE/$name.dict" ] && dict=(-dict="$HERE/$name.dict")
	[ -n "${FUZZ_RUNS:-}" ] && runs=(-runs="$FUZZ_RUNS")
	t0=$(date +%s)
	rc=0
	# -close_fd_mask=3: the targets' own messages are noise here; libFuzzer
	# keeps its own output (and the sanitizers') on a copy of stderr
	# fuzz-modsign trusts the certificate seeds.sh made
	export LPB_FUZZ_CERT=$w/seed-work/keys/cert.pem
	(cd "$w" && "${NICE[@]}" "$bin" -max_total_time="$SECS" -rss_limit_mb=1536 -timeout=20 \
		-close_fd_mask=3 -print_final_stats=1 -artifact_prefix="$w/" "${dict[@]}" "${runs[@]}" \
		"$corpus" seeds) >"$w/fuzz.log" 2>&1 || rc=$?
	t1=$(date +%s)
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$w/fuzz.log" | tail -1)
	printf '%s\tfuzz-%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$name" "${execs:-?}" \
		"$((t1 - t0))" "$([ $rc = 0 ] && echo ok || echo FAILED)" >>"$DIR/summary.tsv"
	if [ $rc != 0 ]; then
		grep -E -A30 "ERROR: |runtime error|SUMMARY|Test unit written" "$w/fuzz.log" | head -60
		echo "fuzz-$name: FAILED after $((t1 - t0)) s (log $w/fuzz.log, input $w/crash-* / leak-* / timeout-*)"
		return 1
	fi
	echo "fuzz-$name: ${execs:-?} executions in $((t1 - t0)) s, corpus $(find "$w/$corpus" -type f | wc -l) inputs, no crash"
}

for name in "$@"; do
	[ -x "$DIR/fuzz-$name" ] || { echo "fuzz.sh: $DIR/fuzz-$name is not built"; fail=1; continue; }
	run_one "$name" || fail=1
done
exit $fail
