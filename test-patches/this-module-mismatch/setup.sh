# shellcheck shell=bash
# Host side (doc/testing.md, setup.sh): a .config that differs from the
# target's in what struct module holds, and in nothing version magic
# records: kprobes (struct module keeps a module's kprobe text and blacklist
# under CONFIG_KPROBES) turned off where the target has them (Debian's
# kernels), on where it has not (the test kernel). cmdline_proc_show
# compiles to the same bytes either way (the pre-flight passes), and the
# module's symbol versions come from the target's Module.symvers.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../../integration/test-inputs.sh
. "$LPB_INTEG/test-inputs.sh"
input_begin this-module-mismatch
if grep -qx 'CONFIG_KPROBES=y' "$LPB_CONFIG"; then
	sed 's/^CONFIG_KPROBES=y$/# CONFIG_KPROBES is not set/' "$LPB_CONFIG" >"$top/config.tmp"
	what="without CONFIG_KPROBES"
else
	sed 's/^# CONFIG_KPROBES is not set$/CONFIG_KPROBES=y/' "$LPB_CONFIG" >"$top/config.tmp"
	grep -qx 'CONFIG_KPROBES=y' "$top/config.tmp" || echo 'CONFIG_KPROBES=y' >>"$top/config.tmp"
	what="with CONFIG_KPROBES=y"
fi
input_commit "$top/config"
echo "$top/config: $LPB_CONFIG $what"
