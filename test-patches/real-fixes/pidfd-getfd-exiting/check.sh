# shellcheck shell=dash
# Guest-side check (doc/testing.md): pidfd_getfd() on a zombie child fails
# with EBADF before the fix (its files are gone) and with ESRCH once
# patched (an exiting task is refused before its files are looked at).
. ./lpb-real.sh
check_before() { expect_output "zombie: EBADF (old behaviour)" "refused EBADF" ./probe; }
check_patched() { expect_output "zombie: ESRCH (the fix)" "refused ESRCH" ./probe; }
