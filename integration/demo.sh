#!/usr/bin/env bash
# `make demo`: the embedded default. Builds the bundled test kernel (cached),
# builds a signed livepatch for it from test-patches/proc-cmdline/patch.diff
# with lp-build, then boots the kernel and shows the patch working.
set -euo pipefail
LPB_PROG=demo
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

ensure_cache
out=$LPB_TOP/build/demo
patch=$LPB_TOP/test-patches/proc-cmdline/patch.diff
src=$("$LPB_INTEG/fetch-source.sh")
kb=$(run_timed "test kernel (built once, then cached)" "$LPB_INTEG/build-kernel.sh")

log "building the livepatch: lp-build -n lp_demo $(basename "$patch")"
mkdir -p "$out"
"$LPB_TOP/build/lp-build" -s "$src" -c "$kb/.config" -v "$kb/vmlinux" \
	--symvers "$kb/Module.symvers" -o "$out" -n lp_demo \
	--key "$LPB_CACHE/keys/test-signing.key" --cert "$LPB_CACHE/keys/test-signing.crt" \
	"$patch"

echo
echo "The module and its manifest:"
ls -l "$out/lp_demo.ko" "$out/lp_demo.json"
modinfo "$out/lp_demo.ko" | grep -E '^(name|livepatch|lpb_|vermagic|signer|sig_hashalgo)' || true
echo
log "booting the test kernel: load the livepatch, check /proc/cmdline, disable, unload"
LPB_OUT=$out/vm bash "$LPB_INTEG/run.sh" proc-cmdline
echo
echo "What the guest saw:"
sed -n 's/^@@LPB step proc-cmdline \(PASS\|FAIL\) /  \1  /p' "$out"/vm/boots/g*/results.log
