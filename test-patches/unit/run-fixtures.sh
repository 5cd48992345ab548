#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Compiles every fixture (orig.c / patched.c) with kernel-like flags, runs
# create-diff-object on the pair and checks the outcome against its "expect",
# once per profile: the object conventions of one family of kernels.
set -uo pipefail

CDO=${1:?usage: run-fixtures.sh CDO OBJCHECK WORKDIR [FIXTURE...]}
OBJCHECK=${2:?}
WORK=${3:?}
shift 3
HERE=$(cd "$(dirname "$0")" && pwd)
# lp-build renumbers patched sources so that unchanged lines keep their
# numbers; fixtures are compiled the same way unless their expect says "pin: no"
PIN=${LPB_PIN:-$(dirname "$OBJCHECK")/line-pin}
[ -x "$PIN" ] || { echo "run-fixtures: $PIN missing (make $PIN)" >&2; exit 1; }
CC=${CC_FIXTURE:-gcc}
# shellcheck source=fixture-flags.sh
. "$HERE/fixture-flags.sh"
ADDPFX=${ADDPFX:-$(dirname "$OBJCHECK")/addpfx}
JOBS=${FIXTURE_JOBS:-$(nproc)}

if [ -n "${FIXTURE_PROFILES:-}" ]; then
	keep=()
	for p in "${PROFILES[@]}"; do
		case " $FIXTURE_PROFILES " in *" ${p%%|*} "*) keep+=("$p") ;; esac
	done
	PROFILES=("${keep[@]}")
fi

TOP_WORK=$WORK
mkdir -p "$WORK"

# Compiled fixture objects are kept by (compiler, flags, source): profiles
# that differ only after compiling (6.12-module adds __pfx_ symbols,
# 5.10-stripped strips) and the sanitizer run of the same fixtures (make
# asan after make unit) reuse them instead of compiling again.
# FIXTURE_CC_CACHE names a folder to share; objects are copied out, never
# linked, because addpfx and strip edit the copy in place.
CC_CACHE=${FIXTURE_CC_CACHE:-$WORK/.cc-cache}
mkdir -p "$CC_CACHE"
CC_ID="$($CC --version 2>/dev/null | head -1) $(find "$HERE/include" -type f | sort | xargs cat | sha256sum)"

# cc_cached DIR OUT FLAGS...: compiles DIR/fixture.c to OUT with FLAGS
cc_cached() {
	local dir=$1 out=$2 key
	shift 2
	key=$({ printf '%s\n' "$CC_ID" "$*"; cat "$dir/fixture.c"; } | sha256sum | cut -c1-32)
	if [ -f "$CC_CACHE/$key.o" ]; then
		cp "$CC_CACHE/$key.o" "$out"
		return
	fi
	(cd "$dir" && $CC "$@" -c fixture.c -o "$out") || return 1
	cp "$out" "$CC_CACHE/$key.o.$BASHPID" && mv -f "$CC_CACHE/$key.o.$BASHPID" "$CC_CACHE/$key.o"
}

fixtures=("$@")
[ ${#fixtures[@]} -gt 0 ] || fixtures=("$HERE"/fixtures/*/)
pass=0 failed=()
t0=$(date +%s.%N)

# field KEY: the value of "KEY@PROFILE: ..." (6.12-module), else of
# "KEY@FAMILY: ..." (6.12 for 6.12-module), else of "KEY: ..." in the expect
# file (empty if absent). The expect file is read once per fixture into EXP
# (check_one); matching it in the shell spares the ~70 greps a fixture made.
field() {
	local k l
	for k in "$1@$PROFILE" "$1@${PROFILE%%-*}" "$1"; do
		for l in "${EXP[@]}"; do
			if [[ $l == "$k:"* ]]; then
				l=${l#"$k:"}
				printf '%s\n' "${l#"${l%%[![:space:]]*}"}"
				return
			fi
		done
	done
}
has_field() {
	local l
	for l in "${EXP[@]}"; do
		[[ $l == "$1:"* || $l == "$1@$PROFILE:"* || $l == "$1@${PROFILE%%-*}:"* ]] && return 0
	done
	return 1
}
sorted() { tr ' ' '\n' | sed '/^$/d' | sort -u | tr '\n' ' '; }

check_one() {
	local dir=${1%/} name w expect rc errs=()
	name=$(basename "$dir")
	w=$WORK/$name
	expect=$dir/expect
	local EXP=()
	mapfile -t EXP <"$expect"
	rm -rf "$w"
	mkdir -p "$w"
	local cflags args
	cflags=$(field cflags)
	args=$(field args)
	# both versions are compiled as fixture.c, like the two trees of a
	# real build, so __FILE__ and the FILE symbol agree
	mkdir -p "$w/a" "$w/b"
	cp "$dir/orig.c" "$w/a/fixture.c"
	if [ "$(field pin)" = no ]; then
		cp "$dir/patched.c" "$w/b/fixture.c"
	elif ! "$PIN" "$dir/orig.c" "$dir/patched.c" >"$w/b/fixture.c" 2>"$w/pin.log"; then
		errs+=("line-pin failed: $(head -2 "$w/pin.log")")
		report "$name" "${errs[@]}"
		return
	fi
	# shellcheck disable=SC2086
	if ! cc_cached "$w/a" "$w/orig.o" $KFLAGS $PFLAGS $cflags 2>"$w/cc.log" ||
		! cc_cached "$w/b" "$w/patched.o" $KFLAGS $PFLAGS $cflags 2>>"$w/cc.log"; then
		errs+=("does not compile: $(head -3 "$w/cc.log")")
		report "$name" "${errs[@]}"
		return
	fi
	if [ -n "$PPFX" ] && ! { "$ADDPFX" "$PPFX" "$w/orig.o" && "$ADDPFX" "$PPFX" "$w/patched.o"; } 2>>"$w/cc.log"; then
		errs+=("addpfx failed: $(tail -2 "$w/cc.log")")
		report "$name" "${errs[@]}"
		return
	fi
	if [ "$PSTRIP" = strip ] && ! strip --strip-debug --keep-file-symbols "$w/orig.o" "$w/patched.o" 2>>"$w/cc.log"; then
		errs+=("strip failed: $(tail -2 "$w/cc.log")")
		report "$name" "${errs[@]}"
		return
	fi
	local parent=$w/orig.o
	if ls "$dir"/parent-*.c >/dev/null 2>&1; then
		# a target linked from several files, some sharing a basename
		local objs=() f i=0
		for f in "$dir"/parent-*.c; do
			mkdir -p "$w/p$i"
			cp "$f" "$w/p$i/fixture.c"
			# shellcheck disable=SC2086
			cc_cached "$w/p$i" "$w/p$i/obj.o" $KFLAGS $PFLAGS || errs+=("parent source $f does not compile")
			[ "$PSTRIP" != strip ] || strip --strip-debug --keep-file-symbols "$w/p$i/obj.o"
			objs+=("$w/p$i/obj.o")
			i=$((i + 1))
			[ $i -eq 1 ] && objs+=("$w/orig.o")
		done
		ld -r -o "$w/parent.o" "${objs[@]}" || errs+=("ld -r failed")
		parent=$w/parent.o
	fi
	local symvers=(--symvers "$HERE/symvers")
	[ "$(field symvers)" != none ] || symvers=()
	# shellcheck disable=SC2086
	"$CDO" "$w/orig.o" "$w/patched.o" -o "$w/out.o" --parent "$parent" \
		"${symvers[@]}" --json "$w/out.json" $args >"$w/stdout" 2>"$w/stderr"
	rc=$?
	local want_rc
	want_rc=$(field exit)
	[ "$rc" = "$want_rc" ] || errs+=("exit $rc, expected $want_rc: $(grep -m2 -E 'error|refused' "$w/stderr")")
	if [ "$rc" != 1 ] && [ -s "$w/out.json" ]; then
		local j=$w/out.json
		jq -e . "$j" >/dev/null || errs+=("JSON does not parse")
		cmp_set() { # KEY JQ-EXPR
			has_field "$1" || return 0
			local want got
			want=$(field "$1" | sorted)
			got=$(jq -r "$2" "$j" | sorted)
			[ "$want" = "$got" ] || errs+=("$1: got '$got', expected '$want'")
		}
		cmp_set changed '.changed_functions[] | select(.patched) | .name'
		cmp_set changed_child '.changed_functions[] | select(.patched | not) | .name'
		cmp_set new '.new_functions[].name'
		cmp_set new_data '.new_data[].name'
		cmp_set ignored '.ignored[].name'
		cmp_set klp '.klp_relocations[] | "\(.symbol):\(.sympos)"'
		cmp_set klp_object '.klp_relocations[] | "\(.symbol):\(.symbol_object)"'
		cmp_set callbacks '.callbacks[].kind'
		if has_field callback_order; then # in the order the module runs them
			local order
			order=$(jq -r '.callbacks[] | "\(.kind):\(.function)"' "$j" | tr '\n' ' ' | sed 's/ $//')
			[ "$order" = "$(field callback_order)" ] || errs+=("callback_order: got '$order', expected '$(field callback_order)'")
		fi
		cmp_set copied '.copied_constants[]?.name'
		cmp_set layout '.layout_changes[]? | (if .allowed then "allowed:" else "" end) + (.type | gsub(" "; "_"))'
		cmp_set modinfo '.modinfo_left_as_built[] | "\(.change):\(.entry)"'
		cmp_set sympos '.changed_functions[] | select(.patched) | "\(.old_name):\(.sympos)"'
		local x
		for x in $(field exported); do
			jq -e --arg x "$x" '.exported_references | index($x)' "$j" >/dev/null || errs+=("exported: $x missing")
		done
		cmp_set patch_refs '.patch_references[]'
		for x in $(field included); do
			jq -e --arg x "$x" '[.included[].name] | index($x)' "$j" >/dev/null || errs+=("included: $x missing")
		done
		for x in $(field not_included); do
			jq -e --arg x "$x" '[.included[].name] | index($x) | not' "$j" >/dev/null || errs+=("not_included: $x was included")
		done
		for x in $(field refused); do
			jq -e --arg x "$x" '[.refusals[].symbol] | index($x)' "$j" >/dev/null || errs+=("refused: no refusal for $x ($(jq -c '[.refusals[].symbol]' "$j"))")
		done
		if has_field message && [ "$rc" = 2 ]; then
			jq -r '.refusals[] | .reason + " " + .advice' "$j" | grep -qF -- "$(field message)" || errs+=("message: '$(field message)' not in the refusal")
		fi
	fi
	# the first line on stderr: what a user reads first
	if has_field headline; then
		head -n1 "$w/stderr" | grep -qF -- "$(field headline)" ||
			errs+=("headline: '$(field headline)' is not the first line of stderr: $(head -n1 "$w/stderr")")
	fi
	# the summary for people: "stdout: LINE" must be a whole line of it,
	# "stdout_lacks: TEXT" must appear nowhere (each key repeatable)
	local line
	while IFS= read -r line; do
		grep -qxF -- "$line" "$w/stdout" || errs+=("stdout: no line '$line' in: $(tr '\n' '|' <"$w/stdout")")
	done < <(sed -n 's/^stdout:[[:space:]]*//p' "$expect")
	while IFS= read -r line; do
		! grep -qF -- "$line" "$w/stdout" || errs+=("stdout_lacks: '$line' is in: $(tr '\n' '|' <"$w/stdout")")
	done < <(sed -n 's/^stdout_lacks:[[:space:]]*//p' "$expect")
	if [ "$rc" = 1 ] && has_field message; then
		grep -qF -- "$(field message)" "$w/stderr" || errs+=("message: '$(field message)' not on stderr")
	fi
	if [ "$rc" = 0 ]; then
		"$OBJCHECK" "$w/out.o" >"$w/objcheck" 2>"$w/objcheck.err" || errs+=("objcheck: $(head -3 "$w/objcheck.err")")
		local s
		for s in $(field sections); do
			grep -q "^section $s " "$w/objcheck" || errs+=("section $s missing from the output")
		done
		for s in $(field no_sections); do
			! grep -q "^section $s " "$w/objcheck" || errs+=("section $s should not be in the output")
		done
		# "section NAME SIZE" lines for filtered tables: expected entry counts
		local spec sec n sz
		for spec in $(field entries); do
			sec=${spec%%=*}
			n=${spec#*=}
			sz=$(awk -v s="$sec" '$1 == "section" && $2 == s { print $3 }' "$w/objcheck")
			[ -n "$sz" ] || sz=0
			[ "$sz" -eq "$n" ] || errs+=("$sec is $sz bytes, expected $n")
		done
		for x in $(field output_globals); do
			grep -qx "global $x" "$w/objcheck" || errs+=("global $x missing from the output")
		done
		if grep -E '^global ' "$w/objcheck" | grep -vqxF -f <(field output_globals | tr ' ' '\n' | sed 's/^/global /;/^global $/d'); then
			errs+=("unexpected global definitions: $(grep '^global ' "$w/objcheck" | tr '\n' ' ')")
		fi
	fi
	report "$name" "${errs[@]}"
}

# report NAME [ERROR...]: the outcome of one fixture (on stdout, which the
# caller sends to the fixture's result file)
report() {
	local name=$1
	shift
	if [ $# -eq 0 ]; then
		echo "ok   $name"
	else
		echo "FAIL $name"
		printf '       %s\n' "$@"
	fi
}

# linked_check FIXTURE...: kbuild links every diff object of a patch into one
# module; the linked metadata must name the same functions, livepatch
# relocations and callbacks as the diff objects did one by one
linked_check() {
	local objs=() f want got
	for f in "$@"; do
		[ -f "$WORK/$f/out.o" ] && [ -f "$WORK/$f/objcheck" ] || return 0
		objs+=("$WORK/$f/out.o")
	done
	if ! ld -r -o "$WORK/linked.o" "${objs[@]}" 2>"$WORK/linked.err"; then
		report "linked: $*" "ld -r failed: $(head -2 "$WORK/linked.err")"
		return
	fi
	"$OBJCHECK" --linked "$WORK/linked.o" >"$WORK/linked.objcheck" 2>"$WORK/linked.err"
	want=$(for f in "$@"; do grep -E '^(func|klp|callback) ' "$WORK/$f/objcheck"; done | cut -d' ' -f1-4 | sort)
	got=$(grep -E '^(func|klp|callback) ' "$WORK/linked.objcheck" | cut -d' ' -f1-4 | sort)
	if [ -s "$WORK/linked.err" ] || [ "$want" != "$got" ]; then
		report "linked: $*" "objcheck: $(head -3 "$WORK/linked.err")" \
			"metadata after linking differs: $(diff <(echo "$want") <(echo "$got") | grep '^[<>]' | head -4 | tr '\n' ' ')"
	else
		report "linked: $*"
	fi
}

# applies FIXTURE: whether the fixture's "profiles:" (default: all) names
# the current profile; a fixture saying "dwarf: needed" (its outcome rests
# on struct layouts or types from DWARF) is not run on stripped objects
applies() {
	local expect=$1/expect want
	if [ "$PSTRIP" = strip ] && grep -q '^dwarf:[[:space:]]*needed' "$expect"; then
		return 1
	fi
	want=$(sed -n "s/^profiles:[[:space:]]*//p" "$expect" | head -1)
	[ -z "$want" ] || [[ " $want " == *" $PROFILE "* ]]
}

for prof in "${PROFILES[@]}"; do
	IFS='|' read -r PROFILE PFLAGS PPFX PSTRIP <<<"$prof"
	WORK=$TOP_WORK/$PROFILE
	mkdir -p "$WORK"
	ran=()
	for f in "${fixtures[@]}"; do
		applies "${f%/}" || continue
		name=$(basename "${f%/}")
		ran+=("$name")
		while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do
			wait -n
		done
		check_one "$f" >"$WORK/$name.result" 2>&1 &
	done
	wait
	{
		for name in "${ran[@]}"; do
			cat "$WORK/$name.result"
		done
		linked_check string-literal callback fnptr-to-local callback-second-file
	} >"$WORK/results"
	pass=$((pass + $(grep -c '^ok ' "$WORK/results")))
	while read -r line; do
		failed+=("$PROFILE: ${line#FAIL }")
	done < <(grep '^FAIL ' "$WORK/results")
	grep -v '^ok ' "$WORK/results" | sed "s/^FAIL /FAIL [$PROFILE] /"
	[ -n "${VERBOSE:-}" ] && grep '^ok ' "$WORK/results" | sed "s/^ok   /ok   [$PROFILE] /"
done
t1=$(date +%s.%N)
printf 'fixtures: %d passed, %d failed, profiles %s (%.1f s)\n' "$pass" "${#failed[@]}" \
	"$(for p in "${PROFILES[@]}"; do printf '%s ' "${p%%|*}"; done)" "$(echo "$t1 - $t0" | bc)"
[ ${#failed[@]} -eq 0 ]
