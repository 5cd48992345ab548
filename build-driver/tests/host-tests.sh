#!/usr/bin/env bash
# lp-build's host-side tests against the harness's test kernel (no VM): the
# user's tree is never modified (success, failure, SIGKILL mid-build), a
# killed build leaves nothing a later one trusts, outputs are all-or-nothing
# and reproducible, concurrent builds share the prepared tree without
# waiting for each other, bad inputs give one clear message and the
# documented exit code. Run by `make integration`.
set -euo pipefail
LPB_PROG=lp-build-tests
. "$(dirname "$0")/../../integration/lib.sh"

LPB=${LPB_TOOL:-$LPB_TOP/build/lp-build}
[ -x "$LPB" ] || die "build/lp-build is missing: run make first"
KB=$("$LPB_INTEG/build-kernel.sh")
SRC=$("$LPB_INTEG/fetch-source.sh")
PATCH=$LPB_TOP/test-patches/proc-cmdline/patch.diff
KEY=$LPB_CACHE/keys/test-signing.key
CERT=$LPB_CACHE/keys/test-signing.crt
tmp=$(mktemp -d)
# a private tree cache: nothing else may use (and repair) these trees meanwhile
cache=$(mktemp -d "$LPB_CACHE/host-tests.XXXXXX")
trap 'rm -rf "$tmp" "$cache"' EXIT
pass=0 failed=0

ok() { echo "  PASS  $*"; pass=$((pass + 1)); }
bad() { echo "  FAIL  $*"; failed=$((failed + 1)); }

# lpb OUTDIR [ARGS...]: lp-build on the test kernel; sets rc and leaves output in $tmp/log
lpb() {
	local out=$1
	shift
	rc=0
	"$LPB" -s "$SRC" -c "$KB/.config" -v "$KB/vmlinux" --symvers "$KB/Module.symvers" \
		--cache "$cache" -o "$out" "$@" >"$tmp/log" 2>&1 || rc=$?
}

expect_rc() { # DESC WANT [MESSAGE]
	if [ "$rc" -ne "$2" ]; then
		bad "$1: exit $rc, expected $2: $(tail -n 3 "$tmp/log" | tr '\n' ' ')"
	elif [ -n "${3:-}" ] && ! grep -qF -- "$3" "$tmp/log"; then
		bad "$1: exit $rc but no '$3' in: $(tail -n 3 "$tmp/log" | tr '\n' ' ')"
	else
		ok "$1 (exit $rc)"
	fi
}

# a fingerprint of the user's tree: contents and kinds of the files patches touch,
# plus anything new at the top (a build would leave .config, include/config...)
fingerprint() {
	(cd "$SRC" && sha256sum fs/proc/cmdline.c fs/proc/meminfo.c && ls -a . | sha256sum &&
		find . -newer "$tmp/stamp" -not -path './.git*' | sort | sha256sum)
}
touch "$tmp/stamp"
sleep 1
before=$(fingerprint)

echo "lp-build host tests (test kernel $(basename "$KB"))"

# 1. a good build, twice: byte-identical modules, source untouched. The second
# compiles its patched unit by kbuild's recorded command (its original is
# cached now) and, LPB_LINK_CACHE=0, links with kbuild again: the same bytes as
# the first's kbuild compile and link
lpb "$tmp/a" -n lpb_t1 --key "$KEY" --cert "$CERT" "$PATCH"
expect_rc "builds the cmdline patch" 0
# 1'. that was a new tree: its #include lines were scanned while make prepared
# it (the select stage did not scan), its host programs built unoptimised
if grep -q "prepared a new build tree" "$tmp/log" && ! grep -q "scanning the #include lines" "$tmp/log" &&
	ls "$cache"/trees/*/work/includes.idx-c >/dev/null 2>&1; then
	ok "a new tree's #include lines are scanned while it is prepared"
else
	bad "the #include scan did not run beside the preparation: $(grep -E 'tree |scanning' "$tmp/log" | tr '\n' ' ')"
fi
grep -qs -- " -O0 " "$cache"/trees/*/src/scripts/basic/.fixdep.cmd && ok "kbuild's host programs built with HOSTCFLAGS=-O0" ||
	bad "fixdep was not built with HOSTCFLAGS=-O0"
LPB_LINK_CACHE=0 lpb "$tmp/b" -n lpb_t1 --key "$KEY" --cert "$CERT" "$PATCH"
grep -q "1 by kbuild's recorded command" "$tmp/log" &&
	ok "the second build compiled its patched unit by kbuild's recorded command" ||
	bad "the second build ran make for its patched unit: $(grep compile-patched "$tmp/log")"
grep -q "link .*kbuild linked the module" "$tmp/log" && ok "LPB_LINK_CACHE=0: kbuild linked the module" ||
	bad "LPB_LINK_CACHE=0: $(grep 'link  ' "$tmp/log")"
if cmp -s "$tmp/a/lpb_t1.ko" "$tmp/b/lpb_t1.ko"; then ok "two builds are byte-identical"; else bad "two builds differ"; fi
# 1a. the same inputs again: the module kbuild linked, from the tree's link
# cache, checked and signed as usual; another patch version links again
lpb "$tmp/lc" -n lpb_t1 --key "$KEY" --cert "$CERT" "$PATCH"
expect_rc "a third build takes the module from the tree's link cache" 0 "the tree's link cache"
cmp -s "$tmp/a/lpb_t1.ko" "$tmp/lc/lpb_t1.ko" && ok "the link cache's module is byte-identical" ||
	bad "the module from the link cache differs from kbuild's"
lpb "$tmp/v2" -n lpb_t1 --patch-version 2 --key "$KEY" --cert "$CERT" "$PATCH"
expect_rc "another patch version is a new link (not the cached module)" 0 "kbuild linked the module"
# 1a'. a recorded command seen not to make kbuild's object (5.10's rule runs
# objtool outside it; here the cached object's .comment is altered, same
# size) leaves the unit to kbuild, and that answer is kept: checked once
obj=$(echo "$cache"/trees/*/objects/fs/proc/cmdline.o)
rm -f "$obj.replay"
off=$(grep -abo 'GCC: (' "$obj" | head -n 1 | cut -d: -f1)
printf 'g' | dd of="$obj" bs=1 seek="$off" conv=notrunc status=none
LPB_LINK_CACHE=0 lpb "$tmp/nr" -n lpb_t1 --verbose --key "$KEY" --cert "$CERT" "$PATCH"
expect_rc "a recorded command that makes other bytes: kbuild compiles the unit" 0 \
	"recorded command does not make kbuild's object again: kbuild compiles it"
[ "$(head -n 1 "$obj.replay" 2>/dev/null)" = no ] && ok "the failed check is kept beside the entry" ||
	bad "no negative mark beside the entry: $(head -c 40 "$obj.replay" 2>&1)"
LPB_LINK_CACHE=0 lpb "$tmp/nr2" -n lpb_t1 --verbose --key "$KEY" --cert "$CERT" "$PATCH"
expect_rc "the next build does not check the command again" 0 \
	"recorded command was seen not to make kbuild's object: kbuild compiles it"
cmp -s "$tmp/a/lpb_t1.ko" "$tmp/nr2/lpb_t1.ko" && ok "kbuild's compile made the same module" ||
	bad "the module compiled by kbuild differs"
rc=0
"$LPB" -s "$SRC" -c "$KB/.config" -v "$KB/vmlinux" --symvers "$KB/Module.symvers" \
	-o "$tmp/d" -n lpb_t1 --key "$KEY" --cert "$CERT" "$PATCH" >"$tmp/log" 2>&1 || rc=$?
expect_rc "builds with the shared cache" 0
if cmp -s "$tmp/a/lpb_t1.ko" "$tmp/d/lpb_t1.ko"; then ok "the cache's location does not change the module"; else bad "a build in another cache differs"; fi
[ "$(fingerprint)" = "$before" ] && ok "source tree untouched after success" || bad "source tree changed after a build"

# 1b. the object cache: the second build took its original from it; lp-build
# cache lists it, --clear empties it, and the next build compiles again
cached() { jq -r '.units[0].original_cached' "$1"; }
[ "$(cached "$tmp/b/lpb_t1.json")" = true ] && ok "a second build reuses the cached original" ||
	bad "the second build compiled its original again"
entries() { "$LPB" cache --cache "$cache" --json | jq '[.trees[].object_entries] | add // 0'; }
n=$(entries)
[ "$n" -ge 1 ] && ok "lp-build cache lists $n cached object(s)" || bad "lp-build cache lists no object"
"$LPB" cache --cache "$cache" | grep -q "6.1" && ok "lp-build cache shows the tree's release" ||
	bad "lp-build cache: $("$LPB" cache --cache "$cache" 2>&1 | head -3)"
# the unit cache (ccache) is the second level: the patched unit, which the
# object cache never keeps, came from it; lp-build cache shows and clears it too
ucache_on=$(jq -r '.unit_cache.enabled' "$tmp/b/lpb_t1.json")
ufiles() { "$LPB" cache --cache "$cache" --json | jq '.unit_cache.files // 0'; }
if [ "$ucache_on" = true ]; then
	[ "$(jq -r '.unit_cache.patched_hits' "$tmp/b/lpb_t1.json")" -ge 1 ] &&
		ok "the second build's patched unit came from the unit cache" ||
		bad "the second build compiled its patched unit again"
	[ "$(ufiles)" -ge 1 ] && ok "lp-build cache lists the unit cache ($(ufiles) files)" ||
		bad "lp-build cache shows no unit cache: $("$LPB" cache --cache "$cache" 2>&1 | tail -1)"
else
	echo "  NOTE  the unit cache is off here (no ccache): its checks are skipped"
fi
"$LPB" cache --cache "$cache" --clear >"$tmp/log" 2>&1
[ "$(entries)" = 0 ] && ok "lp-build cache --clear empties it" || bad "entries left after --clear: $(entries)"
[ "$ucache_on" != true ] || [ "$(ufiles)" = 0 ] && ok "lp-build cache --clear empties the unit cache" ||
	bad "unit cache files left after --clear: $(ufiles)"
lpb "$tmp/b" -n lpb_t1 --key "$KEY" --cert "$CERT" "$PATCH"
expect_rc "builds after --clear" 0
[ "$(cached "$tmp/b/lpb_t1.json")" = false ] && ok "after --clear the original is compiled" ||
	bad "after --clear the original came from the cache"
[ "$(jq -r '.unit_cache.original_hits + .unit_cache.patched_hits' "$tmp/b/lpb_t1.json")" = 0 ] &&
	ok "after --clear no unit came from the unit cache" ||
	bad "after --clear a unit came from the unit cache"
cmp -s "$tmp/a/lpb_t1.ko" "$tmp/b/lpb_t1.ko" && ok "and the module is the same" || bad "the module differs after --clear"
rc=0
"$LPB" cache --cache "$cache" --trim lots >"$tmp/log" 2>&1 || rc=$?
expect_rc "lp-build cache --trim with a bad size" 1 "is not a size"

# 2. SIGKILL in the middle of the patched compile, then a normal build: the
# killed build wrote nothing into the shared prepared tree (its kbuild ran in
# its own view), its kbuild processes died with it (they ran in its PID
# namespace), and the next build removes its views
tree=$(ls -d "$cache"/trees/*/)
touch "$tmp/killstamp"
( "$LPB" -s "$SRC" -c "$KB/.config" -v "$KB/vmlinux" --symvers "$KB/Module.symvers" \
	--cache "$cache" -o "$tmp/k" -n lpb_t2 "$PATCH" >"$tmp/klog" 2>&1 ) &
pid=$!
for _ in $(seq 600); do
	grep -q compile-original "$tmp/klog" 2>/dev/null && break
	sleep 0.05
done
pkill -9 -f "lpb_t2" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
sleep 1
[ ! -e "$tmp/k/lpb_t2.ko" ] && ok "no module after SIGKILL" || bad "a module was written by a killed build"
[ "$(fingerprint)" = "$before" ] && ok "source tree untouched after SIGKILL" || bad "source tree changed by a killed build"
written=$(find "$tree/src" -newer "$tmp/killstamp" | head -3)
[ -z "$written" ] && ok "the prepared tree untouched by the killed build" ||
	bad "the killed build wrote into the prepared tree: $written"
left=$(pgrep -f -- "-C$tree" || true)
[ -z "$left" ] && ok "the killed build's kbuild processes are gone" ||
	bad "processes of the killed build still run: $(ps -o pid,args -p "${left//$'\n'/,}" | tail -n +2)"
lpb "$tmp/k" -n lpb_t2 "$PATCH"
expect_rc "the next build succeeds" 0
if ls -d "$tree"/work/lpb_t2/*-view >/dev/null 2>&1; then
	bad "the killed build's views are still there: $(ls -d "$tree"/work/lpb_t2/*-view)"
else
	ok "no build's views are left behind"
fi
cmp -s <(modinfo -F lpb_target_version "$tmp/k/lpb_t2.ko") <(modinfo -F lpb_target_version "$tmp/a/lpb_t1.ko") &&
	ok "the rebuilt module has the same target" || bad "rebuilt module differs in target"

# 3. concurrent builds of different one-file patches on the same tree do not
# wait for each other: both are in their compile stages at the same time
# (-V prints each stage's span on the monotonic clock), and both succeed
PATCH2=$LPB_TOP/test-patches/meminfo-string/patch.diff
( "$LPB" -s "$SRC" -c "$KB/.config" -v "$KB/vmlinux" --symvers "$KB/Module.symvers" -V \
	--cache "$cache" -o "$tmp/c1" -n lpb_c1 "$PATCH" >"$tmp/c1.log" 2>&1; echo $? >"$tmp/c1.rc" ) &
( "$LPB" -s "$SRC" -c "$KB/.config" -v "$KB/vmlinux" --symvers "$KB/Module.symvers" -V \
	--cache "$cache" -o "$tmp/c2" -n lpb_c2 "$PATCH2" >"$tmp/c2.log" 2>&1; echo $? >"$tmp/c2.rc" ) &
wait
if [ "$(cat "$tmp/c1.rc")" = 0 ] && [ "$(cat "$tmp/c2.rc")" = 0 ] &&
	[ -f "$tmp/c1/lpb_c1.ko" ] && [ -f "$tmp/c2/lpb_c2.ko" ]; then
	ok "two concurrent builds both succeed"
else
	bad "concurrent builds: rc $(cat "$tmp/c1.rc") / $(cat "$tmp/c2.rc")"
fi
# span LOG: "START END" of the compile stages (original's start, patched's end)
span() {
	echo "$(sed -n 's/.*compile-original ran from \([0-9.]*\) to .*/\1/p' "$1")" \
		"$(sed -n 's/.*compile-patched ran from [0-9.]* to \([0-9.]*\)$/\1/p' "$1")"
}
read -r s1 e1 <<<"$(span "$tmp/c1.log")"
read -r s2 e2 <<<"$(span "$tmp/c2.log")"
if [ -n "$s1" ] && [ -n "$e2" ] && [ -n "$s2" ] && [ -n "$e1" ] &&
	awk -v a="$s1" -v b="$e1" -v c="$s2" -v d="$e2" 'BEGIN { exit !(a < d && c < b) }'; then
	ok "both builds compiled at the same time ($s1-$e1, $s2-$e2)"
else
	bad "the builds' compile stages did not overlap: ${s1:-?}-${e1:-?} and ${s2:-?}-${e2:-?}"
fi
! grep -h "waiting for another lp-build" "$tmp/c1.log" "$tmp/c2.log" &&
	ok "neither build waited for the other's lock" || bad "a build waited for the tree's lock"

# 4. keygen: a key only its owner reads, never overwritten, usable for signing
rc=0
"$LPB" keygen -o "$tmp/keys" --subject "lp-build host test" >"$tmp/log" 2>&1 || rc=$?
expect_rc "keygen creates a signing key" 0
[ "$(stat -c %a "$tmp/keys/signing_key.pem")" = 600 ] && ok "the private key is mode 0600" ||
	bad "the private key is mode $(stat -c %a "$tmp/keys/signing_key.pem")"
rc=0
"$LPB" keygen -o "$tmp/keys" >"$tmp/log" 2>&1 || rc=$?
expect_rc "keygen refuses to overwrite a key" 1 "refusing to overwrite"
lpb "$tmp/g" -n lpb_g --key "$tmp/keys/signing_key.pem" --cert "$tmp/keys/signing_cert.pem" "$PATCH"
expect_rc "builds with the generated key" 0
[ "$(modinfo -F signer "$tmp/g/lpb_g.ko")" = "lp-build host test" ] && ok "the module names the generated key as signer" ||
	bad "signer is '$(modinfo -F signer "$tmp/g/lpb_g.ko")'"
# re-signing replaces the signature: same key, same bytes (no signing time)
cp "$tmp/g/lpb_g.ko" "$tmp/g/resigned.ko"
rc=0
"$LPB" sign --key "$tmp/keys/signing_key.pem" --cert "$tmp/keys/signing_cert.pem" "$tmp/g/resigned.ko" >"$tmp/log" 2>&1 || rc=$?
expect_rc "lp-build sign re-signs a signed module" 0
cmp -s "$tmp/g/lpb_g.ko" "$tmp/g/resigned.ko" && ok "re-signing gives the same bytes" || bad "re-signing changed the module"

# 5. failures: one clear message, the documented code, nothing written
printf 'not a diff\n' >"$tmp/junk.diff"
lpb "$tmp/f" -n lpb_f "$tmp/junk.diff"
expect_rc "a file that is not a patch" 1 "not a unified diff"
sed 's/seq_puts(m, saved_command_line);/seq_puts(m, saved_command_line_nope);/' "$PATCH" >"$tmp/noapply.diff"
lpb "$tmp/f" -n lpb_f "$tmp/noapply.diff"
expect_rc "a patch that does not apply" 4 "does not apply"
# the message names the file and the hunk that failed (issue 10, 5b)
expect_rc "its message names the file and the failing hunk" 4 \
	'fs/proc/cmdline.c: hunk #1 "@@ -7,7 +7,7 @@" does not match the file'
cat "$PATCH" "$LPB_TOP/test-patches/meminfo-string/patch.diff" >"$tmp/twice.diff"
lpb "$tmp/f" -n lpb_f "$PATCH" "$tmp/twice.diff"
expect_rc "a change already made by an earlier patch" 4 \
	"fs/proc/cmdline.c: the change is already in the file"
lpb "$tmp/f" -n 'bad-name!' "$PATCH"
expect_rc "an invalid patch name" 1 "must be 1-55 letters"
rc=0
CC=clang "$LPB" -s "$SRC" -c "$KB/.config" -v "$KB/vmlinux" --cache "$cache" -o "$tmp/f" -n lpb_f "$PATCH" >"$tmp/log" 2>&1 || rc=$?
expect_rc "a compiler other than the target's" 5 "mismatch in the compiler"
rc=0
"$LPB" -s "$SRC" -c "$KB/.config" -v "$KB/Module.symvers" --cache "$cache" -o "$tmp/f" -n lpb_f "$PATCH" >"$tmp/log" 2>&1 || rc=$?
expect_rc "a vmlinux that is not an ELF file" 6
lpb "$tmp/f" -n lpb_f --key "$KEY" --cert /nonexistent "$PATCH"
expect_rc "a missing certificate" 1 "/nonexistent"
lpb "$tmp/f" -n lpb_f "$tmp/missing.diff"
expect_rc "a missing patch" 1 "does not exist"
# kpatch interfaces lp-build does not support are named before compiling (issue 10, 4)
lpb "$tmp/f" -n lpb_f "$LPB_TOP/build-driver/tests/patches/kpatch-force-unsafe.diff"
expect_rc "a patch using KPATCH_FORCE_UNSAFE" 2 "fs/proc/cmdline.c:14 (kpatch-force-unsafe.diff): KPATCH_FORCE_UNSAFE"
# a file the target does not build (net/ is off in the test kernel), alone
# and next to one it builds (issue 10, 2)
lpb "$tmp/f" -n lpb_f "$LPB_TOP/build-driver/tests/patches/net-not-built.diff"
expect_rc "a patch to a file the target does not build" 3 "not built from any file the patches change"
[ -z "$(ls -A "$tmp/f" 2>/dev/null)" ] && ok "failed builds wrote nothing" || bad "failed builds left: $(ls -A "$tmp/f")"
[ "$(fingerprint)" = "$before" ] && ok "source tree untouched after failures" || bad "source tree changed after failures"

# 6. shapes of real kernel code the stress job (integration/stress) found
# refused or broken: a WARN_ONCE flag in .data.once and a tail call the
# target's assembler shortened (extable.c), a unit in arch/x86/lib (built
# twice by kbuild), a SYSCALL_DEFINE0 (an alias), a function using
# static_cpu_has() next to notrace users of .altinstr_aux (tlb.c)
lpb "$tmp/s" -n lpb_skip "$PATCH" "$LPB_TOP/build-driver/tests/patches/net-not-built.diff"
expect_rc "a file the target does not build is skipped, the rest built" 0 \
	"note: skipping net/ipv4/ping.c: the target kernel is not built from it"
for p in extable-warn-once arch-lib-delay syscall0-getpgrp tlb-static-cpu-has; do
	lpb "$tmp/s" -n "lpb_${p//-/_}" "$LPB_TOP/build-driver/tests/patches/$p.diff"
	expect_rc "builds $p" 0
done

# 7. nothing that cannot load: a call to a function that exists nowhere is
# refused before linking, naming it; a new global of one file used by
# another file of the patch is part of the module, not a livepatch
# relocation to a symbol the kernel does not have
lpb "$tmp/m" -n lpb_missing "$LPB_TOP/build-driver/tests/patches/calls-missing-symbol.diff"
expect_rc "a call to a function that exists nowhere" 2 "uses lpb_defined_nowhere, which neither the target kernel exports nor any file of the patch defines"
[ -z "$(ls -A "$tmp/m" 2>/dev/null)" ] && ok "no module for it" || bad "a module was written: $(ls -A "$tmp/m")"
lpb "$tmp/n" -n lpb_newglobal "$LPB_TOP/test-patches/new-global-cross-file/patch.diff"
expect_rc "a new global used by two other files" 0 "undefined symbol(s) resolve in the target"
if [ -f "$tmp/n/lpb_newglobal.ko" ]; then
	readelf -sW "$tmp/n/lpb_newglobal.ko" | grep -q '\.klp\.sym\..*lpb_patch_tag\|\.klp\.sym\..*lpb_status_suffix' &&
		bad "a livepatch symbol for a new global" || ok "new globals are the module's own symbols"
	jq -e '[.objects[].functions[].name] | index("cmdline_proc_show")' "$tmp/n/lpb_newglobal.json" >/dev/null &&
		ok "the manifest lists the vmlinux caller" || bad "manifest: $(jq -c .functions "$tmp/n/lpb_newglobal.json")"
fi

echo "lp-build host tests: $pass passed, $failed failed"
[ "$failed" -eq 0 ]
