# shellcheck shell=bash disable=SC2154 # target_* come from the target file
# Host side: testkernel.ko, the proc-cmdline patch built for the harness's
# test kernel (built or reused by build-kernel.sh), and expect.msg, the
# kernel message that must refuse it here.
set -euo pipefail
tool=${LPB_TOOL:-$LPB_INTEG/../build/lp-build}
: "${LPB_TARGET:?runs on a target set by LPB_TARGET (integration/distro.sh)}"
src=$("$LPB_INTEG/fetch-source.sh")
kb=$("$LPB_INTEG/build-kernel.sh")
"$tool" -s "$src" -c "$kb/.config" -v "$kb/vmlinux" --symvers "$kb/Module.symvers" \
	--key "$LPB_KEY" --cert "$LPB_CERT" -n testkernel -o . -q \
	"$LPB_TEST_DIR/../../proc-cmdline/patch.diff"
# shellcheck disable=SC1090
. "$LPB_TARGET"
# the first of the kernel's load-time checks that refuses it: struct
# module's size (where the kernel checks it: 6.12), module_layout's CRC or
# the version magic (integration/module-refusal.sh)
"$LPB_INTEG/module-refusal.sh" testkernel.ko testkernel "$target_prebuilt/fs/binfmt_misc.ko" \
	"$target_vmlinux" "$target_symvers" >expect.msg
echo "expect: $(cat expect.msg)"
rm -f testkernel.json
