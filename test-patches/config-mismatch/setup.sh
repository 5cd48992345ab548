# shellcheck shell=bash
# Host side (doc/testing.md, setup.sh): a .config that is NOT the one the
# target was built with - the target's own with return thunks (every ret
# becomes a jmp to __x86_return_thunk) turned off, as when a user passes the
# config of another build of the same release. The option is
# CONFIG_RETHUNK up to Linux 6.8 (5.10 and 6.1 have it as a backport) and
# CONFIG_MITIGATION_RETHUNK from 6.9 on. Kept under the cache (lp-build
# prepares one tree per config).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../../integration/test-inputs.sh
. "$LPB_INTEG/test-inputs.sh"
input_begin config-mismatch
opt=
for o in CONFIG_RETHUNK CONFIG_MITIGATION_RETHUNK; do
	! grep -qx "$o=y" "$LPB_CONFIG" || opt=$o
done
[ -n "$opt" ] || { echo "$LPB_CONFIG sets neither CONFIG_RETHUNK=y nor CONFIG_MITIGATION_RETHUNK=y"; exit 1; }
sed "s/^$opt=y\$/# $opt is not set/" "$LPB_CONFIG" >"$top/config.tmp"
input_commit "$top/config"
echo "$top/config: $LPB_CONFIG without $opt"
