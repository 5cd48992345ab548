# shellcheck shell=bash
# Host side (doc/testing.md, setup.sh): a .config that is NOT the one the
# target was built with - the target's own with CONFIG_RETHUNK (return
# thunks: every ret becomes a jmp to __x86_return_thunk) turned off, as when
# a user passes the config of another build of the same release. Kept under
# the cache (lp-build prepares one tree per config).
set -euo pipefail
top=${LPB_TEST_INPUTS:-$LPB_CACHE/test-inputs}/config-mismatch
mkdir -p "$top"
exec 9>"$top/lock"
flock 9
grep -qx 'CONFIG_RETHUNK=y' "$LPB_CONFIG" || { echo "$LPB_CONFIG does not set CONFIG_RETHUNK=y"; exit 1; }
sed 's/^CONFIG_RETHUNK=y$/# CONFIG_RETHUNK is not set/' "$LPB_CONFIG" >"$top/config.tmp"
if cmp -s "$top/config.tmp" "$top/config"; then
	rm "$top/config.tmp"
else
	mv "$top/config.tmp" "$top/config"
fi
echo "$top/config: $LPB_CONFIG without CONFIG_RETHUNK"
