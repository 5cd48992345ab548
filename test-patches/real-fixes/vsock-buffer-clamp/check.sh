# shellcheck shell=dash
# Guest-side check (doc/testing.md): with the buffer maximum set to 1024 and
# then the minimum to 4096, the old vsock.ko leaves the buffer at 4096, above
# its maximum; the fix clamps to the maximum last (1024).
. ./lpb-real.sh
check_before() { expect_output "buffer size ends above the maximum (the bug)" "size 4096" ./probe; }
check_patched() { expect_output "buffer size clamped to the maximum (the fix)" "size 1024" ./probe; }
