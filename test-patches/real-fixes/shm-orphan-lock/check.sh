# shellcheck shell=dash
# Guest-side check (doc/testing.md): the patched orphan cleanup (now taking
# the segment's lock before looking at shm_nattch) still destroys a segment
# whose creator exited when kernel.shm_rmid_forced is set. The race it fixes
# cannot be provoked here; this runs the patched function.
. ./lpb-real.sh
check_before() { expect_output "orphan segment destroyed" "orphan destroyed" ./probe; }
check_patched() { expect_output "orphan segment destroyed by the patched cleanup" "orphan destroyed" ./probe; }
