# shellcheck shell=dash
# Guest-side check (doc/testing.md): an IORING_OP_TIMEOUT with the unused
# addr3 field set runs (completes with -ETIME) on the old kernel and is
# refused with -EINVAL once patched.
. ./lpb-real.sh
check_before() { expect_output "timeout with addr3 set runs (old behaviour)" "res ETIME" ./probe; }
check_patched() { expect_output "timeout with addr3 set refused (the fix)" "res EINVAL" ./probe; }
