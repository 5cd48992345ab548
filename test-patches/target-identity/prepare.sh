# shellcheck shell=bash
# Host side (doc/testing.md, prepare.sh): other_build.ko is target_identity.ko
# as if built for another build of the same release: every copy of the
# target's version string (.modinfo and the string the init compares) has
# "#1" replaced by "#2", then the module is signed again with lp-build.
set -euo pipefail
sm=$LPB_INTEG/sign-module.sh
ko=target_identity.ko
old=$(modinfo -F lpb_target_version "$ko")
case "$old" in
"#1 "*) new="#2 ${old#"#1 "}" ;;
*) echo "unexpected target version string '$old'"; exit 1 ;;
esac
"$sm" strip "$ko" stripped.ko
n=$(grep -a -o -F -- "$old" stripped.ko | wc -l)
[ "$n" -ge 2 ] || { echo "'$old' found $n time(s) in $ko, expected .modinfo and the init's copy"; exit 1; }
OLD=$old NEW=$new perl -0777 -pe 's/\Q$ENV{OLD}\E/$ENV{NEW}/g' stripped.ko >patched.ko
[ "$(grep -a -o -F -- "$old" patched.ko | wc -l)" -eq 0 ] || { echo "'$old' still in the copy"; exit 1; }
[ "$(stat -c %s patched.ko)" -eq "$(stat -c %s stripped.ko)" ] || { echo "size changed"; exit 1; }
"$LPB_TOOL" sign --key "$LPB_KEY" --cert "$LPB_CERT" patched.ko -o other_build.ko
read -r state _ <<<"$("$sm" info other_build.ko)"
[ "$state" = signed ] || { echo "other_build.ko is not signed"; exit 1; }
[ "$(modinfo -F lpb_target_version other_build.ko)" = "$new" ] || { echo "modinfo not rewritten"; exit 1; }
rm stripped.ko patched.ko "$ko"
echo "other_build.ko: built for '$new', this kernel is '$old'"
