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
theirs=$(modinfo -F vermagic testkernel.ko)
ours=$(modinfo -F vermagic "$target_prebuilt/fs/binfmt_misc.ko")
[ "$theirs" != "$ours" ] || { echo "the test kernel and $target_name have the same vermagic '$ours'"; exit 1; }
printf "testkernel: version magic '%s' should be '%s'" "$theirs" "$ours" >expect.msg
rm -f testkernel.json
