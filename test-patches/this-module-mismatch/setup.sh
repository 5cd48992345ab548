# shellcheck shell=bash
# Host side (doc/testing.md, setup.sh): a .config that differs from the
# target's in what struct module holds, and in nothing version magic
# records: kprobes (struct module keeps a module's kprobe text and blacklist
# under CONFIG_KPROBES) turned off where the target has them (Debian's
# kernels), on where it has not (the test kernel). cmdline_proc_show
# compiles to the same bytes either way (the pre-flight passes), and the
# module's symbol versions come from the target's Module.symvers.
set -euo pipefail
top=${LPB_TEST_INPUTS:-$LPB_CACHE/test-inputs}/this-module-mismatch
mkdir -p "$top"
exec 9>"$top/lock"
flock 9
if grep -qx 'CONFIG_KPROBES=y' "$LPB_CONFIG"; then
	sed 's/^CONFIG_KPROBES=y$/# CONFIG_KPROBES is not set/' "$LPB_CONFIG" >"$top/config.tmp"
	what="without CONFIG_KPROBES"
else
	sed 's/^# CONFIG_KPROBES is not set$/CONFIG_KPROBES=y/' "$LPB_CONFIG" >"$top/config.tmp"
	grep -qx 'CONFIG_KPROBES=y' "$top/config.tmp" || echo 'CONFIG_KPROBES=y' >>"$top/config.tmp"
	what="with CONFIG_KPROBES=y"
fi
if cmp -s "$top/config.tmp" "$top/config"; then
	rm "$top/config.tmp"
else
	mv "$top/config.tmp" "$top/config"
fi
echo "$top/config: $LPB_CONFIG $what"
