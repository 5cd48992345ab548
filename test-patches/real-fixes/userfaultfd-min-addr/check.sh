# shellcheck shell=dash
# Guest-side check (doc/testing.md): a page that root mapped below
# mmap_min_addr cannot be registered with userfaultfd before the fix
# (EINVAL) and can be once patched.
. ./lpb-real.sh
check_before() { expect_output "registration below mmap_min_addr refused (old behaviour)" "refused EINVAL" ./probe; }
check_patched() { expect_output "registration below mmap_min_addr allowed (the fix)" "registered" ./probe; }
