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
	# (forks, not execs, where the shell can: an exec costs ~10 ms of system
	# time here, and a fixture run is made of little else)
	key=$({ printf '%s\n' "$CC_ID" "$*"; printf '%s' "$(<"$dir/fixture.c")"; } | sha256sum)
	key=${key:0:32}
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
# the sets a fixture's expect can name, as create-diff-object's JSON lists
# them; prints one line per mismatch (set keys: the whole set must match;
# exported, included, refused: each word must be listed; not_included: none)
JSON_SETS='
def words($s): $s | split(" ") | map(select(length > 0)) | unique;
def j($a): $a | join(" ");
{
  changed: [(.changed_functions[] | select(.patched) | .name)?],
  changed_child: [(.changed_functions[] | select(.patched | not) | .name)?],
  new: [(.new_functions[].name)?],
  new_data: [(.new_data[].name)?],
  ignored: [(.ignored[].name)?],
  klp: [(.klp_relocations[] | "\(.symbol):\(.sympos)")?],
  klp_object: [(.klp_relocations[] | "\(.symbol):\(.symbol_object)")?],
  callbacks: [(.callbacks[].kind)?],
  copied: [(.copied_constants[]?.name)?],
  layout: [(.layout_changes[]? | (if .allowed then "allowed:" else "" end) + (.type | gsub(" "; "_")))?],
  modinfo: [(.modinfo_left_as_built[] | "\(.change):\(.entry)")?],
  sympos: [(.changed_functions[] | select(.patched) | "\(.old_name):\(.sympos)")?],
  patch_refs: [(.patch_references[])?],
  exported: [(.exported_references[])?],
  included: [(.included[].name)?],
  refused: [(.refusals[].symbol)?]
} as $got
| $ARGS.named | to_entries[] | .key as $k | words(.value) as $want
| if $k == "exported" or $k == "included" then
    ($want - $got[$k])[] | "\($k): \(.) missing"
  elif $k == "not_included" then
    ($want - ($want - $got.included))[] | "not_included: \(.) was included"
  elif $k == "refused" then
    ($want - $got.refused)[] | "refused: no refusal for \(.) (\($got.refused | tojson))"
  elif ($got[$k] | unique) != $want then
    "\($k): got \(j($got[$k] | unique) | tojson), expected \(j($want) | tojson)"
  else empty end
'

check_one() {
	local dir=${1%/} name w expect rc errs=()
	name=${dir##*/}
	w=$WORK/$name
	expect=$dir/expect
	local EXP=()
	mapfile -t EXP <"$expect"
	[ ! -e "$w" ] || rm -rf "$w"
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
	if compgen -G "$dir/parent-*.c" >/dev/null; then
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
		local j=$w/out.json k x
		# every set the expect names is compared in one jq run (one jq and
		# a sort pipeline per key made the fixtures fork-bound): the key's
		# words against what the JSON lists, as sets
		local want=()
		for k in changed changed_child new new_data ignored klp klp_object callbacks \
			copied layout modinfo sympos patch_refs exported included not_included refused; do
			has_field "$k" && want+=(--arg "$k" "$(field "$k")")
		done
		if ! x=$(jq -r "${want[@]}" "$JSON_SETS" "$j" 2>&1); then
			errs+=("JSON does not parse: ${x:0:200}")
		elif [ -n "$x" ]; then
			while IFS= read -r k; do errs+=("$k"); done <<<"$x"
		fi
		if has_field callback_order; then # in the order the module runs them
			local order
			order=$(jq -r '.callbacks[] | "\(.kind):\(.function)"' "$j" | tr '\n' ' ' | sed 's/ $//')
			[ "$order" = "$(field callback_order)" ] || errs+=("callback_order: got '$order', expected '$(field callback_order)'")
		fi
		if has_field message && [ "$rc" = 2 ]; then
			jq -r '.refusals[] | .reason + " " + .advice' "$j" | grep -qF -- "$(field message)" || errs+=("message: '$(field message)' not in the refusal")
		fi
	fi
	# the first line on stderr: what a user reads first
	if has_field headline; then
		local first=
		IFS= read -r first <"$w/stderr" || true
		[[ $first == *"$(field headline)"* ]] ||
			errs+=("headline: '$(field headline)' is not the first line of stderr: $first")
	fi
	# the summary for people: "stdout: LINE" must be a whole line of it,
	# "stdout_lacks: TEXT" must appear nowhere (each key repeatable)
	local line out_lines=() l
	mapfile -t out_lines <"$w/stdout"
	for line in "${EXP[@]}"; do
		case $line in
		stdout:*)
			line=${line#stdout:}
			line=${line#"${line%%[![:space:]]*}"}
			for l in "${out_lines[@]}"; do [ "$l" = "$line" ] && continue 2; done
			errs+=("stdout: no line '$line' in: $(IFS='|'; echo "${out_lines[*]}")") ;;
		stdout_lacks:*)
			line=${line#stdout_lacks:}
			line=${line#"${line%%[![:space:]]*}"}
			for l in "${out_lines[@]}"; do
				[[ $l != *"$line"* ]] || { errs+=("stdout_lacks: '$line' is in: $(IFS='|'; echo "${out_lines[*]}")"); break; }
			done ;;
		esac
	done
	if [ "$rc" = 1 ] && has_field message; then
		grep -qF -- "$(field message)" "$w/stderr" || errs+=("message: '$(field message)' not on stderr")
	fi
	if [ "$rc" = 0 ]; then
		"$OBJCHECK" "$w/out.o" >"$w/objcheck" 2>"$w/objcheck.err" || errs+=("objcheck: $(head -3 "$w/objcheck.err")")
		# objcheck's "section NAME SIZE" and "global NAME" lines, by name
		local -A secsize=() globals=()
		local a b c
		while read -r a b c _; do
			case $a in
			section) secsize[$b]=${c:-0} ;;
			global) globals[$b]=1 ;;
			esac
		done <"$w/objcheck"
		local s
		for s in $(field sections); do
			[ -n "${secsize[$s]+x}" ] || errs+=("section $s missing from the output")
		done
		for s in $(field no_sections); do
			[ -z "${secsize[$s]+x}" ] || errs+=("section $s should not be in the output")
		done
		# the sizes of filtered tables: expected entry counts
		local spec sec n sz
		for spec in $(field entries); do
			sec=${spec%%=*}
			n=${spec#*=}
			sz=${secsize[$sec]:-0}
			[ "$sz" -eq "$n" ] || errs+=("$sec is $sz bytes, expected $n")
		done
		local -A want_globals=()
		for x in $(field output_globals); do
			want_globals[$x]=1
			[ -n "${globals[$x]+x}" ] || errs+=("global $x missing from the output")
		done
		local extra=()
		for x in "${!globals[@]}"; do
			[ -n "${want_globals[$x]+x}" ] || extra+=("global $x")
		done
		[ ${#extra[@]} -eq 0 ] || errs+=("unexpected global definitions: ${extra[*]}")
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
	local line want= dwarf_needed=0
	while IFS= read -r line; do
		[[ $line =~ ^dwarf:[[:space:]]*needed ]] && dwarf_needed=1
		if [ -z "$want" ] && [[ $line =~ ^profiles:[[:space:]]*(.*)$ ]]; then
			want=${BASH_REMATCH[1]}
		fi
	done <"$1/expect"
	[ "$PSTRIP" != strip ] || [ $dwarf_needed -eq 0 ] || return 1
	[ -z "$want" ] || [[ " $want " == *" $PROFILE "* ]]
}

for prof in "${PROFILES[@]}"; do
	IFS='|' read -r PROFILE PFLAGS PPFX PSTRIP <<<"$prof"
	WORK=$TOP_WORK/$PROFILE
	mkdir -p "$WORK"
	ran=() running=0
	for f in "${fixtures[@]}"; do
		applies "${f%/}" || continue
		name=${f%/}
		name=${name##*/}
		ran+=("$name")
		if [ "$running" -ge "$JOBS" ]; then
			wait -n
			running=$((running - 1))
		fi
		running=$((running + 1))
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
