# shellcheck shell=bash disable=SC2154 # target_* come from the target file
# Host side: other.ko, the proc-cmdline patch built with lp-build --target
# for another series' kernel, and expect.msg, the kernel message that must
# refuse it here. The kernel checks the CRC of module_layout (when the
# module records one) before the version magic: whichever check comes first
# and fails names the refusal.
set -euo pipefail
tool=${LPB_TOOL:-$LPB_INTEG/../build/lp-build}
: "${LPB_TARGET:?runs on a target set by LPB_TARGET (integration/distro.sh)}"
# shellcheck disable=SC1090
. "$LPB_TARGET"
# for 6.1, Debian 11's 5.10 (built in its build root, so that make check
# proves that path too); for every other series, Debian 12's 6.1
other=bookworm-6.1
[ "$target_series" != bookworm-6.1 ] || other=bullseye-5.10
patch=$LPB_TEST_DIR/../../proc-cmdline/patch.diff
[ ! -f "$LPB_TEST_DIR/../../proc-cmdline/series/$other/patch.diff" ] ||
	patch=$LPB_TEST_DIR/../../proc-cmdline/series/$other/patch.diff
"$tool" --target "debian:$other" --key "$LPB_KEY" --cert "$LPB_CERT" -n other -o . -q "$patch"
theirs=$(modinfo -F vermagic other.ko)
ours=$(modinfo -F vermagic "$target_prebuilt/fs/binfmt_misc.ko")
[ "$theirs" != "$ours" ] || { echo "$other and $target_name have the same vermagic '$ours'"; exit 1; }
crc_mod=$(modprobe --dump-modversions other.ko 2>/dev/null | awk '$2 == "module_layout" { print $1 }')
crc_kernel=$(awk '$2 == "module_layout" { print $1 }' "$target_symvers")
if [ -n "$crc_mod" ] && [ -n "$crc_kernel" ] && [ $((crc_mod)) -ne $((crc_kernel)) ]; then
	printf 'other: disagrees about version of symbol module_layout' >expect.msg
else
	printf "other: version magic '%s' should be '%s'" "$theirs" "$ours" >expect.msg
fi
echo "built for $other; expect: $(cat expect.msg)"
rm -f other.json
