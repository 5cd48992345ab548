#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The batch test (`make integration-batch`, part of make check): one fix for
# several Debian ABIs (6.1 and 6.12) in ONE lp-build run, one target failing on purpose;
# checks the summary table, summary.json and the exit code, publishes what
# was built, then boots each built ABI's own kernel with its module.
#
#   integration/batch.sh [--no-vm]
#
# The targets and why one fails: test-patches/batch/targets (LPB_BATCH_TARGETS
# names another file). Results: build/integration-batch/ (out/: the batch's
# OUTDIR; RELEASE/results.json: each VM run; checks.txt). Exit status 0 only
# when every check and every VM test passed.
set -euo pipefail
LPB_PROG=integration-batch
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

vm=1
while [ $# -gt 0 ]; do
	case "$1" in
	--no-vm) vm=0 ;;
	-h | --help) sed -n '3,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
	shift
done

TESTS=$LPB_TOP/test-patches/batch
TARGETS=${LPB_BATCH_TARGETS:-$TESTS/targets}
OUT=${LPB_BATCH_DIR:-$LPB_TOP/build/integration-batch}
LPB=${LPB_TOOL:-$LPB_TOP/build/lp-build}
NAME=lp_batch_wchan
# what the pinned targets must give (test-patches/batch/targets)
FAIL_RELEASE=6.1.0-47-cloud-amd64
FAIL_RC=4
[ -x "$LPB" ] || die "$LPB is not built (make all)"
ensure_cache
if [ "${LPB_NO_DEPS:-0}" != 1 ]; then
	bash "$LPB_INTEG/install-deps.sh" >&2
fi
rm -rf "$OUT"
mkdir -p "$OUT"
pass=0 failed=0
ok() { echo "  PASS  $*" | tee -a "$OUT/checks.txt"; pass=$((pass + 1)); }
bad() { echo "  FAIL  $*" | tee -a "$OUT/checks.txt"; failed=$((failed + 1)); }
check() { # DESC CMD...: CMD's status as a check
	local d=$1
	shift
	if "$@"; then ok "$d"; else bad "$d"; fi
}

# the harness's test key when the test kernel made one, else a key of our own
# (Debian's kernels trust neither: they load the module tainted)
KEY=$LPB_CACHE/keys/test-signing.key CERT=$LPB_CACHE/keys/test-signing.crt
if [ ! -f "$KEY" ] || [ ! -f "$CERT" ]; then
	"$LPB" keygen -o "$OUT/keys" --subject "lp-build batch test" >/dev/null
	KEY=$OUT/keys/signing_key.pem CERT=$OUT/keys/signing_cert.pem
fi
mapfile -t targets < <(sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^$/d' "$TARGETS")
log "${#targets[@]} target(s) in one run: ${targets[*]}"

# ---- the batch run ---------------------------------------------------------------
t0=$(now_ms)
rc=0
(cd "$TESTS" && nice "$LPB" --targets "$TARGETS" -o "$OUT/out" -n "$NAME" -j "$LPB_JOBS" \
	--key "$KEY" --cert "$CERT" wchan.diff) >"$OUT/table.txt" 2>"$OUT/batch.log" || rc=$?
batch_ms=$(($(now_ms) - t0))
cat "$OUT/table.txt"
log "the batch run took $((batch_ms / 1000)) s and exited with $rc"
S=$OUT/out/summary.json
j() { jq -r "$@" "$S"; }
tgt() { jq -r --arg r "$1" ".targets[] | select(.release == \$r) | $2" "$S"; }

check "exit status $FAIL_RC: the worst target's (patch does not apply)" [ "$rc" -eq $FAIL_RC ]
check "summary.json written, format lp-build-batch-summary 1" \
	[ "$(j '.format + " " + (.format_version | tostring)' 2>/dev/null)" = "lp-build-batch-summary 1" ]
nbuilt=$((${#targets[@]} - 1))
check "summary.json: exit_code $FAIL_RC, ${#targets[@]} targets, $nbuilt built, 1 failed" \
	[ "$(j '"\(.exit_code) \(.targets | length) \(.built) \(.failed)"')" = "$FAIL_RC ${#targets[@]} $nbuilt 1" ]
check "summary.json: the worst is $FAIL_RELEASE" \
	[ "$(j '.worst.target | split(":")[1] | split("=")[0]')" = "$FAIL_RELEASE" ]
check "$FAIL_RELEASE: outcome 'patch does not apply', exit $FAIL_RC, no module" \
	[ "$(tgt $FAIL_RELEASE '"\(.outcome)|\(.exit_code)|\(.module)"')" = "patch does not apply|$FAIL_RC|null" ]
check "$FAIL_RELEASE: the summary's message names the file" \
	grep -q 'fs/proc/base.c' <<<"$(tgt $FAIL_RELEASE .message)"
check "$FAIL_RELEASE: its log says which hunk failed" \
	grep -q 'fs/proc/base.c: hunk #1 .* does not match' "$OUT/out/$FAIL_RELEASE/lp-build.log"
table_ok() {
	[ "$(grep -cE '^debian:[^ ]+ +(built|patch does not apply) +[0-9]+ ' "$OUT/table.txt")" -eq ${#targets[@]} ] &&
		grep -q "^$nbuilt of ${#targets[@]} target(s) built in .* exit $FAIL_RC (worst: debian:$FAIL_RELEASE" "$OUT/table.txt"
}
check "the table: a row per target and the total line naming the worst" table_ok
built_ok() { # RELEASE
	[ "$(tgt "$1" '"\(.outcome)|\(.exit_code)|\(.functions)|\(.module)"')" = "built|0|1|$1/$NAME.ko" ] &&
		[ -f "$OUT/out/$1/$NAME.ko" ] && [ -f "$OUT/out/$1/$NAME.json" ]
}
built=() kos=()
for spec in "${targets[@]}"; do
	rel=${spec#debian:}
	rel=${rel%%=*}
	[ "$rel" != "$FAIL_RELEASE" ] || continue
	built+=("$spec")
	kos+=("$OUT/out/$rel/$NAME.ko")
	check "$rel: built, exit 0, 1 function, module and manifest in OUTDIR/$rel/" built_ok "$rel"
	check "$rel: the manifest is for $rel and replaces proc_pid_wchan" \
		[ "$(jq -r '.target.release + " " + ([.objects[].functions[].name] | join(","))' "$OUT/out/$rel/$NAME.json" 2>/dev/null)" = "$rel proc_pid_wchan" ]
	check "$rel: the module's vermagic is its kernel's" \
		grep -q "^$rel SMP" <<<"$(modinfo -F vermagic "$OUT/out/$rel/$NAME.ko" 2>/dev/null)"
	check "$rel: the summary has the stage times of its build" \
		[ "$(tgt "$rel" '.stages_seconds | has("compile-original") and has("link")')" = true ]
done
differ() { [ "$(sha256sum "$@" | cut -c1-64 | sort -u | wc -l)" -eq $# ]; }
check "the $nbuilt built modules differ (each is its own ABI's)" differ "${kos[@]}"
# lp-build publish takes the batch's OUTDIR as it is: the built releases only
want=$(for s in "${built[@]}"; do s=${s#debian:}; echo "${s%%=*}"; done | sort | tr '\n' ' ')
if "$LPB" publish --key "$KEY" --cert "$CERT" "$OUT/out" "$OUT/repo" >"$OUT/publish.log" 2>&1; then
	check "lp-build publish OUTDIR: the index lists the $nbuilt built releases" \
		[ "$(jq -r '[.kernels[].release] | sort | join(" ")' "$OUT/repo/index.json" 2>/dev/null) " = "$want" ]
else
	bad "lp-build publish OUTDIR failed: $(tail -n 3 "$OUT/publish.log")"
fi

# ---- a batch under make ------------------------------------------------------------
# make check runs this script under make, whose MAKEFLAGS ("w") the batch's
# own jobserver passes on to every make it runs; with every unit compiled by
# kbuild (no recorded command), a make that took make's flags for a goal
# fails ("No rule to make target 'w'": stop 16's red CI, on the build root's
# target, whose units kbuild compiled). One target, the one in a build root.
one=${built[${#built[@]} - 1]}
rel=${one#debian:}
rel=${rel%%=*}
echo "$one" >"$OUT/one-target"
rc=0
(cd "$TESTS" && MAKEFLAGS="w${MAKEFLAGS:+ }${MAKEFLAGS#w}" LPB_RECORDED_COMMANDS=0 LPB_LINK_CACHE=0 \
	nice "$LPB" --targets "$OUT/one-target" -o "$OUT/under-make" -n "$NAME" -j "$LPB_JOBS" \
	--key "$KEY" --cert "$CERT" wchan.diff) >"$OUT/under-make.txt" 2>&1 || rc=$?
under_make_ok() { [ "$rc" -eq 0 ] && [ -f "$OUT/under-make/$rel/$NAME.ko" ]; }
check "$rel: a batch under make (MAKEFLAGS 'w'), every unit compiled and linked by kbuild (exit $rc)" \
	under_make_ok
grep -q "kbuild linked the module" "$OUT/under-make/$rel/lp-build.log" 2>/dev/null &&
	! grep -q "recorded command" "$OUT/under-make/$rel/lp-build.log" &&
	ok "$rel: LPB_RECORDED_COMMANDS=0 LPB_LINK_CACHE=0: kbuild compiled and linked" ||
	bad "$rel: the batch under make did not go through kbuild: $(grep -E 'compile-patched|link ' \
		"$OUT/under-make/$rel/lp-build.log" 2>/dev/null | tr '\n' ' ')"

# ---- each built ABI's module in its own kernel -------------------------------------
vm_rc=0
if [ $vm -eq 1 ]; then
	for spec in "${built[@]}"; do
		rel=${spec#debian:}
		rel=${rel%%=*}
		target=$("$LPB" fetch --cache "$LPB_CACHE" "$spec") || { bad "$rel: lp-build fetch $spec failed"; continue; }
		if LPB_TARGET=$target LPB_TESTS_DIR=$TESTS/vm LPB_BATCH_OUT=$OUT/out LPB_OUT=$OUT/vm/$rel \
			LPB_RESULTS=$OUT/vm/$rel/results.json LPB_NO_DEPS=1 \
			bash "$LPB_INTEG/run.sh" batch-module; then
			ok "$rel: its module loads in its kernel, /proc/self/wchan patched, then unloaded"
		else
			bad "$rel: the VM test failed (build/integration-batch/vm/$rel/)"
			vm_rc=1
		fi
	done
fi
echo "batch test: $pass passed, $failed failed (batch run $((batch_ms / 1000)) s)" | tee -a "$OUT/checks.txt"
[ $failed -eq 0 ] && [ $vm_rc -eq 0 ]; exit $? # on the line bash reads last: editing this file during a run is harmless
