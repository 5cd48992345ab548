#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# create-diff-object and lp-build on a distribution kernel's own objects, per
# target (a target.env as lp-build --target and integration/distro.sh write
# it): (a) every debug module of the target, which its own compiler built,
# diffed against itself must report no change; (b) one-function edits of
# fs/proc/cmdline.c, fs/proc/meminfo.c, kernel/fork.c and fs/binfmt_misc.c,
# built into one livepatch, must change exactly the edited functions and
# pass the pre-flight against the target's vmlinux and binfmt_misc.ko.
#   real-distro.sh [--self-diff-only] TARGET.env...
set -uo pipefail
TOP=$(cd "$(dirname "$0")/../.." && pwd)
CDO=${LPB_CDO:-$TOP/build/create-diff-object}
LPB=${LPB_TOOL:-$TOP/build/lp-build}
JOBS=${LPB_JOBS:-$(nproc)}
WORK=${LPB_OUT:-$TOP/build/real-distro}
log() { printf 'real-distro: %s\n' "$*" >&2; }
self_only=false
[ "${1:-}" = --self-diff-only ] && { self_only=true; shift; }
[ $# -gt 0 ] || { echo "usage: real-distro.sh [--self-diff-only] TARGET.env..." >&2; exit 2; }
fail=0

# the edits: FILE SED-EXPRESSION EXPECTED-FUNCTION (the function the edited
# line is in, or the one GCC inlines it into)
EDITS=(
	'fs/proc/cmdline.c|s/seq_putc(m, .\\n.);/seq_putc(m, 0x0a); seq_putc(m, 0);/|cmdline_proc_show'
	'fs/proc/meminfo.c|s/"MemTotal:       "/"MemTotal:      "/|meminfo_proc_show'
	'kernel/fork.c|/^int nr_processes(void)/,/^}/s/int total = 0;/int total = 1;/|nr_processes'
	'fs/binfmt_misc.c|s/status = "enabled";/status = "enabled!";/|bm_entry_read'
)

self_diff() { # WORKDIR
	local w=$1 n bad t0 t1
	mkdir -p "$w"
	find "$target_modules" -name '*.ko' | sort >"$w/objs"
	n=$(wc -l <"$w/objs")
	mapfile -t ES < <("$CDO" --print-entry-sizes "$target_vmlinux" | sed 's/^/--entry-size=/')
	cat >"$w/one.sh" <<'SH'
#!/bin/sh
# shellcheck disable=SC2086
"$CDO" $ENTRY_SIZES "$1" "$1" -o "$W/never-written.o" >/dev/null 2>"$W/err.$$"
rc=$?
[ $rc -eq 3 ] || echo "exit $rc: $1: $(head -c 300 "$W/err.$$")"
rm -f "$W/err.$$"
SH
	t0=$(date +%s%N)
	CDO=$CDO W=$w ENTRY_SIZES="${ES[*]}" xargs -P "$JOBS" -I{} sh "$w/one.sh" {} <"$w/objs" >"$w/bad"
	t1=$(date +%s%N)
	bad=$(wc -l <"$w/bad")
	log "$target_series: self-diff of $n debug modules in $(((t1 - t0) / 1000000)) ms: $((n - bad)) exit 3 (no change), $bad do not"
	if [ "$bad" -ne 0 ]; then
		head -20 "$w/bad" >&2
		fail=1
	fi
}

edits() { # WORKDIR
	local w=$1 e file ed fn patches=() want got rc=0 extra=()
	mkdir -p "$w"
	for e in "${EDITS[@]}"; do
		IFS='|' read -r file ed fn <<<"$e"
		mkdir -p "$w/a/$(dirname "$file")" "$w/b/$(dirname "$file")"
		cp "$target_src/$file" "$w/a/$file"
		sed "$ed" "$target_src/$file" >"$w/b/$file"
		if cmp -s "$w/a/$file" "$w/b/$file"; then
			log "FAIL $target_series: the edit of $file changed nothing"
			fail=1
			return
		fi
		(cd "$w" && diff -u "a/$file" "b/$file") >"$w/$(basename "$file" .c).diff"
		patches+=("$w/$(basename "$file" .c).diff")
		want+="$fn "
	done
	[ -z "${target_buildroot:-}" ] || extra+=(--buildroot "$target_buildroot")
	local t0=$(date +%s)
	"$LPB" -s "$target_src" -c "$target_config" -v "$target_vmlinux" --symvers "$target_symvers" \
		--modules "$target_modules" "${extra[@]}" -o "$w/out" -n real_distro "${patches[@]}" \
		>"$w/lp-build.log" 2>&1 || rc=$?
	got=$(jq -r '[.objects[].functions[].name] | sort | join(" ")' "$w/out/real_distro.json" 2>/dev/null)
	want=$(echo "$want" | tr ' ' '\n' | sed '/^$/d' | sort | tr '\n' ' ' | sed 's/ $//')
	if [ $rc -ne 0 ] || [ "$got" != "$want" ]; then
		log "FAIL $target_series: lp-build exit $rc, patched '$got', expected '$want'"
		tail -15 "$w/lp-build.log" >&2
		fail=1
		return
	fi
	log "$target_series: the four edits patch exactly $got; $(grep -o 'preflight .*' "$w/lp-build.log" | sed 's/  */ /g'); lp-build $(($(date +%s) - t0)) s"
}

for env in "$@"; do
	# shellcheck disable=SC1090
	. "$env"
	d=$WORK/${target_series:-$(basename "$(dirname "$env")")}
	rm -rf "$d"
	self_diff "$d/self"
	$self_only || edits "$d/edits"
done
[ $fail -eq 0 ] && log "all passed"
exit $fail
