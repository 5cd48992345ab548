# shellcheck shell=bash disable=SC2154 # target_* come from the target file
# Host side: other.ko, the proc-cmdline patch built with lp-build --target
# for another series' kernel, and expect.msg, the kernel message that must
# refuse it here: the first of the kernel's load-time checks that fails
# names the refusal.
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
# the first of the kernel's load-time checks that refuses it: struct
# module's size (where the kernel checks it: 6.12), module_layout's CRC or
# the version magic (integration/module-refusal.sh)
"$LPB_INTEG/module-refusal.sh" other.ko other "$target_prebuilt/fs/binfmt_misc.ko" \
	"$target_vmlinux" "$target_symvers" >expect.msg
echo "built for $other; expect: $(cat expect.msg)"
rm -f other.json
