# Host side of lpctl-update: B built as patch version 2, the repository
# published step by step (repo-0 .. repo-3, each a copy of one state), and
# A fetched from it by the host's lpctl (--download-only, file://).
set -euo pipefail
K=(--key "$LPB_KEY" --cert "$LPB_CERT")
mkdir -p out-a out-b
mv lpctl_upd_a.ko lpctl_upd_a.json out-a/
"$LPB_TOOL" -s "$LPB_KSRC" -c "$LPB_KBUILD/.config" -v "$LPB_KBUILD/vmlinux" \
	--symvers "$LPB_KBUILD/Module.symvers" -o out-b -n lpctl_upd_b --patch-version 2 \
	"${K[@]}" "$LPB_TEST_DIR/b.diff"

"$LPB_TOOL" publish "${K[@]}" --rollout 0 out-a repo
cp -a repo repo-0
"$LPB_TOOL" publish "${K[@]}" --rollout 100 repo
cp -a repo repo-1
"$LPB_TOOL" publish "${K[@]}" out-b repo
cp -a repo repo-2
"$LPB_TOOL" publish "${K[@]}" --revoke "$(jq -r .target.release out-b/lpctl_upd_b.json)" \
	--reason "lpctl-update test" repo
mv repo repo-3

# the host's lpctl, as the test kernel (a fake root with its identity)
lpctl=$(dirname "$LPB_TOOL")/lpctl
root=$PWD/host-root
mkdir -p "$root/proc/sys/kernel" "$root/etc/lpctl/trusted.d"
jq -r .target.release out-a/lpctl_upd_a.json >"$root/proc/sys/kernel/osrelease"
jq -r .target.version out-a/lpctl_upd_a.json >"$root/proc/sys/kernel/version"
cp "$LPB_CERT" "$root/etc/lpctl/trusted.d/"
echo 0123456789abcdef0123456789abcdef >"$root/etc/machine-id"
"$lpctl" --root "$root" update --repo "file://$PWD/repo-1" --download-only host-dl
cmp host-dl/lpctl_upd_a.ko out-a/lpctl_upd_a.ko
rm -rf "$root" out-a out-b
