# shellcheck shell=bash
# Host side (doc/testing.md, setup.sh): a .config that differs from the
# target's in what version magic records, the preemption model: Debian's
# 6.x kernels (CONFIG_PREEMPT_DYNAMIC=y, vermagic "SMP preempt ...") without
# PREEMPT_DYNAMIC; the test kernel (CONFIG_PREEMPT_NONE=y, "SMP mod_unload")
# and Debian's 5.10 (CONFIG_PREEMPT_VOLUNTARY=y) with CONFIG_PREEMPT=y. The patched function (cmdline_proc_show) compiles
# to the same bytes either way, so the pre-flight comparison passes; only the
# version magic of the linked module tells the kernel would refuse it, as
# for Debian's rt flavour built from a source without the rt patch set.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../../integration/test-inputs.sh
. "$LPB_INTEG/test-inputs.sh"
input_begin vermagic-mismatch
if grep -qx 'CONFIG_PREEMPT_DYNAMIC=y' "$LPB_CONFIG"; then
	sed 's/^CONFIG_PREEMPT_DYNAMIC=y$/# CONFIG_PREEMPT_DYNAMIC is not set/' "$LPB_CONFIG" >"$top/config.tmp"
	what="without CONFIG_PREEMPT_DYNAMIC"
elif grep -qxE 'CONFIG_PREEMPT_(NONE|VOLUNTARY)=y' "$LPB_CONFIG"; then
	sed -E -e 's/^CONFIG_PREEMPT_(NONE|VOLUNTARY)=y$/# CONFIG_PREEMPT_\1 is not set/' \
		-e 's/^# CONFIG_PREEMPT is not set$/CONFIG_PREEMPT=y/' "$LPB_CONFIG" >"$top/config.tmp"
	what="with CONFIG_PREEMPT=y instead of $(grep -oxE 'CONFIG_PREEMPT_(NONE|VOLUNTARY)' <(sed 's/=y$//' "$LPB_CONFIG"))"
else
	echo "$LPB_CONFIG has neither CONFIG_PREEMPT_DYNAMIC=y nor CONFIG_PREEMPT_NONE=y nor CONFIG_PREEMPT_VOLUNTARY=y"
	exit 1
fi
input_commit "$top/config"
echo "$top/config: $LPB_CONFIG $what"
