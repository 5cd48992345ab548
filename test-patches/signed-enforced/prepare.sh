# shellcheck shell=bash
# Host side (doc/testing.md, prepare.sh): lp-build's signature against the
# kernel's sign-file, and the copies the guest must refuse.
set -euo pipefail
sm=$LPB_INTEG/sign-module.sh
ko=signed_enforced.ko
read -r state _ <<<"$("$sm" info "$ko")"
[ "$state" = signed ] || { echo "$ko is not signed"; exit 1; }
"$sm" strip "$ko" unsigned.ko
"$sm" sign unsigned.ko reference.ko
if ! cmp "$ko" reference.ko; then
	echo "lp-build's signed module differs from the same module signed by scripts/sign-file"
	exit 1
fi
rm reference.ko
"$sm" tamper "$ko" tampered.ko
cmp -s "$ko" tampered.ko && { echo "tampering changed nothing"; exit 1; }
echo "lp-build's signature is identical to sign-file's; unsigned.ko and tampered.ko made"
