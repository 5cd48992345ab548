#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The pre-flight byte comparison per profile: an original compiled like the
# target matches the target (linked elsewhere, relocated fields masked,
# ENDBR sealed to a NOP as the kernel does), and a target built from other
# source is caught (exit 5) with the function's name.
set -uo pipefail

CDO=${1:?usage: preflight.sh CDO PREFLIGHT-CHECK ADDPFX WORKDIR}
CHECK=${2:?}
ADDPFX=${3:?}
WORK=${4:?}
HERE=$(cd "$(dirname "$0")" && pwd)
CC=${CC_FIXTURE:-gcc}
# shellcheck source=fixture-flags.sh
. "$HERE/fixture-flags.sh"
pass=0 fail=0
ok() { echo "ok   [$PROFILE] $*"; pass=$((pass + 1)); }
bad() { echo "FAIL [$PROFILE] $*"; fail=$((fail + 1)); }

# a function NAME that calls, returns (a return thunk with RETHUNK),
# branches and reads a global: relocated fields in every form; CONST is
# what a patch changes, BODY more code
fn_src() { # NAME CONST [BODY]
	cat <<EOF
#include "fixture.h"
extern int seen;
extern int helper(int);
int $1(int a)
{
	if (a > $2)
		return helper(a) + seen;
	${3:-}
	return a * 3;
}
EOF
}
src() { fn_src target_fn "$1"; }
other() {
	cat <<'EOF'
#include "fixture.h"
int seen;
int helper(int a) { return a - 1; }
int unrelated(int a) { return a ^ 0x55; }
EOF
}

# a loop the compiler aligns beyond the function's own alignment (GCC 14
# puts small loops on a 64-byte line): the assembler pads to it with NOPs
# counted from the start of the section; $2 adds an instruction after the
# loop (a NOP there is a difference no alignment explains)
pad_src() {
	cat <<EOF
#include "fixture.h"
extern int seen;
extern int helper(int);
int pad_fn(int a)
{
	int i, s = 0;

	if (a > $1)
		return helper(a) + seen;
	asm volatile(".p2align 6");
	for (i = 0; i < a; i++)
		s += helper(i);
	$2
	return s;
}
EOF
}
# the target's file: another function before pad_fn in one .text (no
# -ffunction-sections, as a kernel is built), so that pad_fn starts
# elsewhere modulo 64 than in its own section
pad_target() {
	pad_target_lead
	pad_src "$@" | tail -n +2
}

# a branch over code that ends at an alignment site: its distance, and so
# the size the assembler gives it (rel8 up to 127 bytes, else rel32),
# depends on the padding; $2 bytes of code before the site, $3 the label
# the branch goes to (2: the site, 3: one NOP after it)
br_src() {
	fn_src br_fn "$1" "asm volatile(\"testl %0, %0\\n\\tjne $3f\\n\\t.fill $2, 1, 0xcc\\n\\t.p2align 6\\n2:\\tnop\\n3:\\n\" : : \"r\"(a));"
}
br_target() {
	pad_target_lead
	br_src "$@" | tail -n +2
}
pad_target_lead() {
	cat <<'EOF'
#include "fixture.h"
int lead_fn(int a)
{
	return a * 7 + 1;
}
EOF
}

# the check of DIFF against TARGET must fail (exit 5) saying WHAT
expect_caught() { # DIFF ORIG TARGET WHAT DESCRIPTION
	local rc=0
	"$CHECK" "$1" vmlinux "$2" "$3" >"$w/log" 2>&1 || rc=$?
	if [ $rc -eq 5 ] && grep -q "$4" "$w/log"; then
		ok "$5"
	else
		bad "$5: exit $rc: $(cat "$w/log")"
	fi
}

# offset in FILE of the first byte of function NAME (an ET_REL object)
func_file_offset() {
	local file=$1 name=$2 ndx value off
	read -r value ndx < <(readelf -sW "$file" | awk -v n="$name" '$8 == n && $4 == "FUNC" { print $2, $7 }')
	off=$(readelf -SW "$file" | awk -v i="$ndx" '{ gsub(/\[ */, "["); } $1 == "[" i "]" { print $5 }')
	echo $((0x$off + 0x$value))
}

for prof in "${PROFILES[@]}"; do
	IFS='|' read -r PROFILE PFLAGS PPFX PSTRIP <<<"$prof"
	# lp-build's objects always carry DWARF: the stripped profile is the
	# object format of another profile, checked by the fixtures
	[ "$PSTRIP" != strip ] || continue
	w=$WORK/$PROFILE
	rm -rf "$w"
	mkdir -p "$w"
	cc() { # OUT < source
		# shellcheck disable=SC2086
		$CC $KFLAGS $PFLAGS -x c -c -o "$1" - 2>>"$w/cc.log" &&
			{ [ -z "$PPFX" ] || "$ADDPFX" "$PPFX" "$1"; }
	}
	if ! src 10 | cc "$w/orig.o" || ! src 11 | cc "$w/patched.o" || ! src 12 | cc "$w/other-src.o" ||
		! other | cc "$w/other.o"; then
		bad "does not compile: $(head -3 "$w/cc.log")"
		continue
	fi
	"$CDO" "$w/orig.o" "$w/patched.o" -o "$w/diff.o" >"$w/cdo.log" 2>&1 ||
		{ bad "create-diff-object: $(tail -2 "$w/cdo.log")"; continue; }
	# the target: the same object linked after another, so that every
	# relocated field holds another value than in the original
	ld -r -o "$w/target.o" "$w/other.o" "$w/orig.o" && ld -r -o "$w/wrong.o" "$w/other.o" "$w/other-src.o" ||
		{ bad "ld -r failed"; continue; }
	if "$CHECK" "$w/diff.o" vmlinux "$w/orig.o" "$w/target.o" >"$w/log" 2>&1; then
		ok "the target's bytes match (relocated fields masked)"
	else
		bad "a matching target is refused: $(cat "$w/log")"
	fi
	# IBT: the kernel seals an ENDBR nothing calls indirectly into a NOP
	if [[ $PFLAGS == *cf-protection* ]]; then
		cp "$w/target.o" "$w/sealed.o"
		off=$(func_file_offset "$w/sealed.o" target_fn)
		printf '\x0f\x1f\x40\x00' | dd of="$w/sealed.o" bs=1 seek="$off" conv=notrunc status=none
		if "$CHECK" "$w/diff.o" vmlinux "$w/orig.o" "$w/sealed.o" >"$w/log" 2>&1; then
			ok "a sealed ENDBR matches"
		else
			bad "a sealed ENDBR is refused: $(cat "$w/log")"
		fi
	fi
	expect_caught "$w/diff.o" "$w/orig.o" "$w/wrong.o" "function target_fn differs" \
		"a target from other source is caught (exit 5, names target_fn)"
	# alignment padding: the same loop, padded to another length in the
	# target; and a target with one more NOP elsewhere is still caught
	ccnofs() { # OUT < source: one .text, as the kernel compiles
		# shellcheck disable=SC2086
		$CC ${KFLAGS//-ffunction-sections/} $PFLAGS -x c -c -o "$1" - 2>>"$w/cc.log" &&
			{ [ -z "$PPFX" ] || "$ADDPFX" "$PPFX" "$1"; }
	}
	if ! pad_src 10 "" | cc "$w/pad-orig.o" || ! pad_src 11 "" | cc "$w/pad-patched.o" ||
		! pad_target 10 "" | ccnofs "$w/pad-target1.o" ||
		! pad_target 10 'asm volatile("nop");' | ccnofs "$w/pad-nop1.o" ||
		! ld -r -o "$w/pad-target.o" "$w/other.o" "$w/pad-target1.o" ||
		! ld -r -o "$w/pad-nop.o" "$w/other.o" "$w/pad-nop1.o"; then
		bad "padding: does not build: $(tail -3 "$w/cc.log")"
		continue
	fi
	"$CDO" "$w/pad-orig.o" "$w/pad-patched.o" -o "$w/pad-diff.o" >"$w/cdo.log" 2>&1 ||
		{ bad "padding: create-diff-object: $(tail -2 "$w/cdo.log")"; continue; }
	if "$CHECK" "$w/pad-diff.o" vmlinux "$w/pad-orig.o" "$w/pad-target.o" >"$w/log" 2>&1 &&
		grep -q ', [1-9][0-9]* alignment site(s) padded to another length' "$w/log"; then
		ok "a loop padded to another length in the target matches"
	else
		bad "alignment padding of another length: $(cat "$w/log")"
	fi
	expect_caught "$w/pad-diff.o" "$w/pad-orig.o" "$w/pad-nop.o" "function pad_fn" \
		"one NOP more that no alignment explains is caught (exit 5)"
	# a branch across such a site, rel8 on one side and rel32 on the
	# other: tried for several lengths of code before the site (which
	# layouts straddle 127 bytes depends on the profile's prefix); every
	# one must match, one at least must have been sized otherwise, and a
	# branch to another place is caught
	sized=0 tried=0 brfail=
	for fill in 64 72 80 88 96 104 112 120; do
		if ! br_src 10 $fill 2 | cc "$w/br-orig.o" || ! br_src 11 $fill 2 | cc "$w/br-patched.o" ||
			! br_target 10 $fill 2 | ccnofs "$w/br-target1.o" ||
			! ld -r -o "$w/br-target.o" "$w/other.o" "$w/br-target1.o" ||
			! "$CDO" "$w/br-orig.o" "$w/br-patched.o" -o "$w/br-diff.o" >"$w/cdo.log" 2>&1; then
			brfail="$fill: does not build: $(tail -2 "$w/cc.log" "$w/cdo.log" | tr '\n' ' ')"
			break
		fi
		tried=$((tried + 1))
		if ! "$CHECK" "$w/br-diff.o" vmlinux "$w/br-orig.o" "$w/br-target.o" >"$w/log" 2>&1; then
			brfail="$fill: $(cat "$w/log")"
			break
		fi
		grep -q ', [1-9][0-9]* branch(es) in another size' "$w/log" && sized=$((sized + 1))
		if [ $sized -eq 1 ] && [ ! -f "$w/br-elsewhere.o" ]; then
			# the same layout, the target's branch one NOP further
			br_target 10 $fill 3 | ccnofs "$w/br-else1.o" &&
				ld -r -o "$w/br-elsewhere.o" "$w/other.o" "$w/br-else1.o" ||
				{ brfail="$fill: the other target does not build"; break; }
			expect_caught "$w/br-diff.o" "$w/br-orig.o" "$w/br-elsewhere.o" "function br_fn" \
				"a branch sized otherwise that goes elsewhere is caught (exit 5)"
		fi
	done
	if [ -n "$brfail" ]; then
		bad "branch across padding, code of $brfail"
	elif [ $sized -gt 0 ]; then
		ok "a branch across a padding site, sized otherwise in the target, matches ($sized of $tried layouts sized otherwise)"
	else
		bad "no layout of $tried put a branch across padding in another size: the test did not test"
	fi
done
echo "preflight: $pass passed, $fail failed"
[ $fail -eq 0 ]
