# shellcheck shell=dash
# Guest-side check (doc/testing.md): settimeofday() with tv_usec = 1000000.
# The fix makes the system call refuse it at the first check; in 6.1 the
# converted value (10^9 ns) is refused further down as well
# (timespec64_valid_settod), so the guest sees EINVAL in every state: the
# check proves the patched entry points work, not a change of behaviour.
. ./lpb-real.sh
check_before() { expect_output "tv_usec 1000000 refused (EINVAL, later check)" "refused EINVAL" ./probe; }
check_patched() { expect_output "tv_usec 1000000 refused (EINVAL, the fixed check)" "refused EINVAL" ./probe; }
