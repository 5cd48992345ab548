#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# create-diff-object on the harness's test kernel: (a) every object diffed
# against itself reports no change; (b) objects rebuilt with and without an
# edit (in a private, cached build dir) yield exactly the edited function.
set -euo pipefail
CDO=${1:?usage: real-kernel.sh CDO}
TOP=$(cd "$(dirname "$0")/../.." && pwd)
LPB_CACHE=${LPB_CACHE:-/var/cache/lp-build}
K=$(bash "$TOP/integration/build-kernel.sh")
SRC=$(bash "$TOP/integration/fetch-source.sh")
JOBS=$(nproc)
log() { printf 'real-kernel: %s\n' "$*" >&2; }
fail=0

# Table entry sizes come from the test kernel's DWARF, read once.
mapfile -t ES < <("$CDO" --print-entry-sizes "$K/vmlinux" | sed 's/^/--entry-size=/')

# ---- (a) self-diff of every object ----
# 16/32-bit boot and real-mode code and the vDSO are not kernel objects a
# livepatch could target (and not x86_64 ELF at all, for most of them).
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
find -L "$K" -name '*.o' ! -name '.tmp_*' ! -path "$K/scripts/*" ! -path "$K/tools/*" \
	! -path "$K/arch/x86/boot/*" ! -path "$K/arch/x86/realmode/rm/*" ! -path '*/vdso/*' |
	sort >"$WORK/objs"
n=$(wc -l <"$WORK/objs")
t0=$(date +%s%N)
cat >"$WORK/one.sh" <<'SH'
#!/bin/sh
# one self-diff; prints a line only when the answer is not "no change"
# shellcheck disable=SC2086
"$CDO" $ENTRY_SIZES "$1" "$1" -o "$WORK/never-written.o" >/dev/null 2>"$WORK/err.$$"
rc=$?
[ $rc -eq 3 ] || echo "exit $rc: $1: $(head -c 300 "$WORK/err.$$")"
rm -f "$WORK/err.$$"
SH
CDO=$CDO WORK=$WORK ENTRY_SIZES="${ES[*]}" xargs -P "$JOBS" -I{} sh "$WORK/one.sh" {} \
	<"$WORK/objs" >"$WORK/bad" || true
t1=$(date +%s%N)
bad=$(wc -l <"$WORK/bad")
log "self-diff: $n objects in $(((t1 - t0) / 1000000)) ms ($JOBS jobs): $((n - bad)) report no change, $bad do not"
if [ "$bad" -ne 0 ]; then
	cat "$WORK/bad" >&2
	fail=1
fi

# ---- (b) original vs edited objects from a private build configuration ----
PRIV=$LPB_CACHE/cdo-real/$(sha256sum "$K/.config" | cut -c1-12)
prepare() {
	if [ ! -f "$PRIV/.prepared" ]; then
		log "preparing a private build dir $PRIV (once)"
		rm -rf "$PRIV"
		mkdir -p "$PRIV"
		cp "$K/.config" "$PRIV/.config"
		make -s -C "$SRC" O="$PRIV" olddefconfig >/dev/null
		make -s -C "$SRC" O="$PRIV" -j"$JOBS" prepare modules_prepare >"$PRIV/prepare.log" 2>&1 ||
			{ tail -20 "$PRIV/prepare.log"; exit 1; }
		touch "$PRIV/.prepared"
	fi
}
mkdir -p "$LPB_CACHE/cdo-real"
(
	flock 9
	prepare
) 9>"$LPB_CACHE/cdo-real/.lock"

# build_obj REL OUT [EDITED-SOURCE]: compile one object the way lp-build
# does (-ffunction-sections -fdata-sections), from the pristine source or,
# when given, from an edited copy placed in the object tree (make's VPATH
# prefers it over the source tree's file).
build_obj() {
	local rel=$1 out=$2 edited=${3:-} src=${1%.o}.c
	rm -f "$PRIV/$rel" "$PRIV/$src"
	[ -z "$edited" ] || cp "$edited" "$PRIV/$src"
	make -s -C "$SRC" O="$PRIV" KCFLAGS="-ffunction-sections -fdata-sections" "$rel" \
		>"$WORK/build.log" 2>&1 || { cat "$WORK/build.log" >&2; rm -f "$PRIV/$src"; return 1; }
	rm -f "$PRIV/$src"
	cp "$PRIV/$rel" "$out"
	rm -f "$PRIV/$rel"
}

# case OBJ SED-EDIT EXPECTED PARENT PARENT-NAME: EXPECTED is "a|b": a if it
# is a function of the object, else b (a static helper GCC may inline)
run_case() {
	local rel=$1 edit=$2 expected=$3 parent=$4 pname=$5 name d got want rc=0
	name=$(basename "${rel%.o}")
	d=$WORK/$name
	mkdir -p "$d"
	sed "$edit" "$SRC/${rel%.o}.c" >"$d/edited.c"
	if cmp -s "$d/edited.c" "$SRC/${rel%.o}.c"; then
		log "FAIL $rel: the edit '$edit' changed nothing"
		fail=1
		return
	fi
	local t0=$(date +%s%N)
	(flock 9; build_obj "$rel" "$d/orig.o" && build_obj "$rel" "$d/patched.o" "$d/edited.c") \
		9>"$LPB_CACHE/cdo-real/.lock" || { fail=1; return; }
	local t1=$(date +%s%N)
	"$CDO" "$d/orig.o" "$d/patched.o" -o "$d/out.o" --parent "$parent" --parent-name "$pname" \
		--symvers "$K/Module.symvers" --json "$d/out.json" >"$d/log" 2>&1 || rc=$?
	want=${expected%%|*}
	if ! readelf -sW "$d/orig.o" | awk '$4 == "FUNC" { print $8 }' | grep -qx "$want"; then
		want=${expected#*|}
	fi
	got=$(jq -r '[.changed_functions[] | select(.patched) | .name] | join(" ")' "$d/out.json" 2>/dev/null || true)
	if [ "$rc" -ne 0 ] || [ "$got" != "$want" ]; then
		log "FAIL $rel: exit $rc, changed '$got', expected '$want'"
		cat "$d/log" >&2
		fail=1
	else
		log "ok   $rel: changed $got ($(jq '.klp_relocations | length' "$d/out.json") klp relocations, $(jq '.exported_references | length' "$d/out.json") exported references; builds $(((t1 - t0) / 1000000)) ms)"
	fi
}

run_case fs/proc/cmdline.o 's/seq_puts(m, saved_command_line);/seq_puts(m, saved_command_line); seq_puts(m, "");/' \
	'cmdline_proc_show|cmdline_proc_show' "$K/vmlinux" vmlinux
run_case fs/proc/meminfo.o 's/"MemTotal:       "/"MemTotal:      "/' \
	'meminfo_proc_show|meminfo_proc_show' "$K/vmlinux" vmlinux
run_case fs/binfmt_misc.o 's/status = "enabled";/status = "enabled!";/' \
	'entry_status|bm_entry_read' "$K/fs/binfmt_misc.ko" binfmt_misc

[ $fail -eq 0 ] && log "all passed"
exit $fail
