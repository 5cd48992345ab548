#!/usr/bin/env bash
# lp-build's host-side tests of targets by name and of installed-kernel
# lookup, on a Debian target already fetched (no VM): `targets` and its JSON,
# the pinned name of a cached set, names that cannot be resolved, the debug
# files of an installed kernel found where Debian's packages put them (and
# the packages named when they are missing), and the build root's compiler
# check. Run by integration/distro.sh for each series.
#
#   build-driver/tests/target-tests.sh TARGET_FILE
set -euo pipefail
LPB_PROG=target-tests
. "$(dirname "$0")/../../integration/lib.sh"

LPB=${LPB_TOOL:-$LPB_TOP/build/lp-build}
target=${1:?usage: target-tests.sh TARGET_FILE}
# shellcheck disable=SC1090
. "$target"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 failed=0
ok() { echo "  PASS  $*"; pass=$((pass + 1)); }
bad() { echo "  FAIL  $*"; failed=$((failed + 1)); }

# run DESC WANT_RC [MESSAGE] CMD...: CMD's exit code and output
run() {
	local desc=$1 want=$2 msg=$3 rc=0
	shift 3
	"$@" >"$tmp/log" 2>&1 || rc=$?
	if [ "$rc" -ne "$want" ]; then
		bad "$desc: exit $rc, expected $want: $(tail -n 3 "$tmp/log" | tr '\n' ' ')"
	elif [ -n "$msg" ] && ! grep -qF -- "$msg" "$tmp/log"; then
		bad "$desc: exit $rc but no '$msg' in: $(tail -n 3 "$tmp/log" | tr '\n' ' ')"
	else
		ok "$desc (exit $rc)"
	fi
}

echo "lp-build target tests ($target_name, series $target_series)"
rel=$target_release root=$(dirname "$target")/root

# 1. the cache listing names this target, with sizes, as text and JSON
run "lp-build targets lists $rel" 0 "debian:$rel" "$LPB" targets
if "$LPB" targets --json | jq -e --arg r "$rel" --arg s "$target_series" \
	'.targets[] | select(.release == $r and .series == $s and .size_mb.packages > 0 and .size_mb.unpacked > 0)' >/dev/null; then
	ok "lp-build targets --json: $rel with its series and sizes"
else
	bad "lp-build targets --json lacks $rel or its sizes: $("$LPB" targets --json | head -c 300)"
fi

# 2. the pinned name of a cached set resolves without the archive
run "fetch $target_spec (cached)" 0 "$target" env LPB_DEBIAN_MIRROR=http://127.0.0.1:9/none \
	"$LPB" fetch "$target_spec"

# 2b. several lp-builds refreshing and reading one package index at once (a
# batch's targets do): each its own sources file, the refresh under the
# index's lock, queries under it shared. Before: "mv: cannot stat
# sources.list.new", or an index read while another replaced it
mkdir -p "$tmp/cc"
for d in debs src targets buildroots; do ln -s "$LPB_CACHE/$d" "$tmp/cc/$d"; done
pids=()
for i in 1 2 3 4; do
	"$LPB" fetch --refresh --cache "$tmp/cc" "$target_spec" >"$tmp/par$i.log" 2>&1 &
	pids+=($!)
done
par_rc=0
for p in "${pids[@]}"; do wait "$p" || par_rc=1; done
if [ $par_rc -eq 0 ]; then
	ok "four fetches refreshing one package index at once all succeed"
else
	bad "concurrent fetches with --refresh: $(cat "$tmp"/par*.log | grep -v '^lpb-target: ' | head -n 3 | tr '\n' ' ')"
fi

# 3. names that cannot be resolved say why
run "an unknown series or release is refused" 1 "is neither a series" "$LPB" fetch debian:no-such-series
run "fetch refuses a pattern, naming the batch build" 1 "several targets are built in one run" \
	"$LPB" fetch 'debian:6.1.0-*-cloud-amd64'
run "an unknown kind of target is refused" 1 "unknown kind of target" "$LPB" fetch fedora:41

# 3b. what a batch and a CI matrix are made from: targets --json names the
# exact set; the pinned name of a cached set without the archive; a pattern
# of this series' releases (every number of the release as '*') with the archive
if env LPB_DEBIAN_MIRROR=http://127.0.0.1:9/none "$LPB" targets --json "$target_spec" 2>"$tmp/log" |
	jq -e --arg s "$target_spec" '.targets == [.targets[0]] and .targets[0].target == $s and .targets[0].cached' >/dev/null; then
	ok "targets --json $target_spec: the cached set, without the archive"
else
	bad "targets --json $target_spec: $(tail -n 2 "$tmp/log" | tr '\n' ' ')"
fi
pat=debian:$(sed -E 's/^([0-9]+\.[0-9]+)\.([0-9]+)-[0-9]+-/\1.\2-*-/; s/^([0-9]+\.[0-9]+)\.[0-9]+\+/\1.*+/' <<<"$rel")
if "$LPB" targets --json "$pat" 2>"$tmp/log" >"$tmp/pat.json" &&
	jq -e --arg r "$rel" --arg s "$target_series" \
		'[.targets[] | select(.series == $s)] | length > 0 and (map(.release) | index($r) != null)' "$tmp/pat.json" >/dev/null; then
	ok "targets --json $pat: $(jq '.targets | length' "$tmp/pat.json") release(s) of $target_series, $rel among them"
else
	bad "targets --json $pat: $(head -c 300 "$tmp/pat.json") $(tail -n 2 "$tmp/log" | tr '\n' ' ')"
fi
# a pattern the release forms cannot place by themselves (a wildcard before
# the minor version) is matched against every series' releases; one that
# names no release says so
wild=debian:*${rel#*.}
if "$LPB" targets --json "$wild" 2>"$tmp/log" >"$tmp/wild.json" &&
	jq -e --arg r "$rel" '.targets | map(.release) | index($r) != null' "$tmp/wild.json" >/dev/null; then
	ok "targets --json $wild: $rel among $(jq '.targets | length' "$tmp/wild.json") release(s)"
else
	bad "targets --json $wild: $(head -c 300 "$tmp/wild.json") $(tail -n 2 "$tmp/log" | tr '\n' ' ')"
fi
# the series' generic flavour (same packages and source): named by release
gen=${rel%-cloud-amd64}-amd64
if "$LPB" targets --json "debian:$gen" 2>"$tmp/log" >"$tmp/gen.json" &&
	jq -e --arg r "$gen" --arg s "$target_series" --arg v "$target_version" \
		'.targets[0].release == $r and .targets[0].series == $s and .targets[0].version == $v' "$tmp/gen.json" >/dev/null; then
	ok "targets --json debian:$gen: the generic flavour of $target_series, $target_version"
else
	bad "targets --json debian:$gen: $(head -c 300 "$tmp/gen.json") $(tail -n 2 "$tmp/log" | tr '\n' ' ')"
fi
run "a pattern that names no release the archive has is refused" 1 "matches no release the archive has" \
	"$LPB" targets 'debian:9.*-cloud-amd64'

# 3c. a flavour Debian builds with patches its source package does not
# carry (the table's source_lacks_re: the rt flavour's rt patch set) is
# refused before anything is compiled, naming what is missing; the cloud
# flavour is not. The rt set is made in a scratch cache from this one's
# target file (no download): a target file without target_src_lacks, as
# every one written before it existed, gets it from the table when fetched.
grep -qx "target_src_lacks=''" "$target" && ok "the cloud flavour's target file says its source lacks nothing" ||
	bad "the cloud flavour's target file: $(grep '^target_src_lacks=' "$target" || echo "no target_src_lacks")"
rt=${rel%-cloud-amd64}-rt-amd64
mkdir -p "$tmp/rt/targets/debian/$rt/$target_version"
for d in debs src buildroots apt; do ln -s "$LPB_CACHE/$d" "$tmp/rt/$d"; done
grep -v '^target_src_lacks=' "$target" >"$tmp/rt/targets/debian/$rt/$target_version/target.env"
run "the rt flavour ($rt) is refused: its source lacks the rt patch set" 5 "the rt patch set of Debian" \
	"$LPB" --cache "$tmp/rt" --target "debian:$rt=$target_version" -n lacks_test -o "$tmp/rt/out" \
	"$LPB_TOP/test-patches/proc-cmdline/patch.diff"
[ ! -e "$tmp/rt/out" ] && ok "nothing is written for the refused rt flavour" || bad "the refused rt build wrote $(ls "$tmp/rt/out")"

# 4. an installed kernel: without -v the debug files come from where
# Debian's packages put them (here the unpacked packages, as a system root).
# A patch that does not apply ends the build after the target's identity
# and compiler were checked (exit 4), without compiling anything.
noapply=$LPB_TOP/test-patches/patch-does-not-apply/patch.diff
run "without -v: the debug vmlinux of $rel is found" 4 \
	"debug vmlinux for $rel: $root/usr/lib/debug/boot/vmlinux-$rel" \
	env LPB_SYSROOT="$root" "$LPB" -s "$target_src" -c "$root/boot/config-$rel" \
	${target_buildroot:+--buildroot "$target_buildroot"} -n lookup -o "$tmp/out" "$noapply"
if grep -qF "Module.symvers for $rel: $root/usr/src/linux-headers-$rel/Module.symvers" "$tmp/log" &&
	grep -qF "debug modules for $rel: $root/usr/lib/debug/lib/modules/$rel" "$tmp/log"; then
	ok "without -v: Module.symvers and the debug modules are found and named"
else
	bad "without -v: Module.symvers or the debug modules not named: $(head -n 4 "$tmp/log" | tr '\n' ' ')"
fi
mkdir -p "$tmp/empty/boot"
run "without -v: missing packages are named" 1 \
	"apt-get install linux-image-$rel-dbg linux-headers-$rel" \
	env LPB_SYSROOT="$tmp/empty" "$LPB" -s "$target_src" -c "$root/boot/config-$rel" \
	-o "$tmp/out" "$LPB_TOP/test-patches/proc-cmdline/patch.diff"
cp "$root/boot/config-$rel" "$tmp/my.config"
run "without -v: a config of unknown release is refused" 1 "cannot tell which kernel release" \
	env LPB_SYSROOT="$tmp/empty" "$LPB" -s "$target_src" -c "$tmp/my.config" \
	-o "$tmp/out" "$LPB_TOP/test-patches/proc-cmdline/patch.diff"

# 5. the compiler check compares the compiler kbuild would run: for a
# target built in a root, this machine's gcc (another version) without the
# root; for one built here, another compiler (clang)
if [ -n "$target_buildroot" ]; then
	run "this machine's gcc is not the target's: refused (exit 5)" 5 "mismatch in the compiler" \
		"$LPB" -s "$target_src" -c "$target_config" -v "$target_vmlinux" \
		--symvers "$target_symvers" --cc gcc -o "$tmp/out" "$noapply"
	run "the build root's $target_cc is the target's" 4 "$target_cc in the build root" \
		"$LPB" --target "$target_spec" -o "$tmp/out" "$noapply"
elif command -v clang >/dev/null; then
	run "another compiler (clang) is refused (exit 5)" 5 "mismatch in the compiler" \
		"$LPB" --target "$target_spec" --cc clang -o "$tmp/out" "$noapply"
fi

echo "  $pass passed, $failed failed"
[ "$failed" -eq 0 ]
