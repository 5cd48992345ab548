# shellcheck shell=bash
# Host side: the module and manifest the batch run built for this target
# (LPB_BATCH_OUT/RELEASE/, set by integration/batch.sh), and the release
# the manifest names, which check.sh compares with the running kernel.
set -euo pipefail
: "${LPB_BATCH_OUT:?integration/batch.sh sets LPB_BATCH_OUT}"
rel=$(sed -n 's/^target_release=//p' "$LPB_TARGET" | tr -d "'")
dir=$LPB_BATCH_OUT/$rel
[ -f "$dir/lp_batch_wchan.ko" ] || { echo "the batch built no module for $rel ($dir)"; exit 1; }
cp "$dir/lp_batch_wchan.ko" "$dir/lp_batch_wchan.json" .
jq -r .target.release lp_batch_wchan.json >release
[ "$(cat release)" = "$rel" ] || { echo "$dir/lp_batch_wchan.json is for $(cat release), not $rel"; exit 1; }
