#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The message with which a kernel refuses a module built for another kernel:
# the first of its load-time checks that fails, in the kernel's own order
# (used by the distro tests' prepare.sh: wrong-kernel, wrong-series).
#
#   module-refusal.sh MODULE NAME TARGET_MODULE TARGET_VMLINUX TARGET_SYMVERS
#
# MODULE is the foreign module, NAME its name, TARGET_MODULE any module of
# the target (its struct module size and vermagic are the kernel's). Prints
# the message; exits 1 when the module would not be refused at all.
set -euo pipefail
mod=$1 name=$2 tmod=$3 vmlinux=$4 symvers=$5

# size of section $2 of object $1 (0 when absent)
sec_size() {
	local hex
	hex=$(readelf -SW "$1" | awk -v s="$2" '{ sub(/^ *\[ *[0-9]+\] */, "") } $1 == s { print $5 }')
	echo $((16#${hex:-0}))
}

# 1. struct module's size (a kernel that checks it carries this message:
#    Debian's 6.12, not 6.1 or 5.10)
size_msg=".gnu.linkonce.this_module section size must match the kernel's built struct module size at run time"
theirs=$(sec_size "$mod" .gnu.linkonce.this_module)
ours=$(sec_size "$tmod" .gnu.linkonce.this_module)
if [ "$theirs" != "$ours" ] && grep -qaF "$size_msg" "$vmlinux"; then
	printf 'module %s: %s' "$name" "$size_msg"
	exit 0
fi
# 2. modversions: the CRC of module_layout, when both record one (modprobe
#    fails on a module without __versions, such as the test kernel's: no CRC)
crc_mod=$({ modprobe --dump-modversions "$mod" 2>/dev/null || true; } | awk '$2 == "module_layout" { print $1 }')
crc_kernel=$(awk '$2 == "module_layout" { print $1 }' "$symvers")
if [ -n "$crc_mod" ] && [ -n "$crc_kernel" ] && [ $((crc_mod)) -ne $((crc_kernel)) ]; then
	printf '%s: disagrees about version of symbol module_layout' "$name"
	exit 0
fi
# 3. the version magic
theirs=$(modinfo -F vermagic "$mod")
ours=$(modinfo -F vermagic "$tmod")
if [ "$theirs" != "$ours" ]; then
	printf "%s: version magic '%s' should be '%s'" "$name" "$theirs" "$ours"
	exit 0
fi
echo "$mod passes every check the kernel makes before loading it" >&2
exit 1
