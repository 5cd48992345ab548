# shellcheck shell=bash disable=SC2154 # target_* come from the target file
# Host side: debian.ko, the proc-cmdline patch built for the Debian kernel
# that LPB_DISTRO_TARGET describes, and expect.msg, the kernel message that
# must refuse it on the test kernel.
set -euo pipefail
tool=${LPB_TOOL:-$LPB_INTEG/../build/lp-build}
: "${LPB_DISTRO_TARGET:?needs the target file of the Debian kernel (integration/distro.sh sets LPB_DISTRO_TARGET)}"
# shellcheck disable=SC1090
. "$LPB_DISTRO_TARGET"
# built as users build for a named target (--target: in the series' build
# root when its compiler is not this machine's, as for Debian 11's 5.10);
# a target file without a name gives its paths
if [ -n "${target_spec:-}" ]; then
	target=(--target "$target_spec")
else
	target=(-s "$target_src" -c "$target_config" -v "$target_vmlinux" --symvers "$target_symvers")
fi
"$tool" "${target[@]}" --key "$LPB_KEY" --cert "$LPB_CERT" -n debian -o . -q \
	"$LPB_TEST_DIR/../../proc-cmdline/patch.diff"
theirs=$(modinfo -F vermagic debian.ko)
ours=$(modinfo -F vermagic "$LPB_KBUILD/samples/livepatch/livepatch-sample.ko")
[ "$theirs" != "$ours" ] || { echo "the Debian kernel and the test kernel have the same vermagic '$ours'"; exit 1; }
printf "debian: version magic '%s' should be '%s'" "$theirs" "$ours" >expect.msg
rm -f debian.json
