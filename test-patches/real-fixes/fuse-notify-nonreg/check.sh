# shellcheck shell=dash
# Guest-side check (doc/testing.md): fuse.ko loaded first; a minimal FUSE
# server's FUSE_NOTIFY_STORE for the root directory is accepted by the old
# module (data stored in a directory's page cache) and refused with EINVAL
# by the patched one.
. ./lpb-real.sh
check_before() { expect_output "store into a directory accepted (the bug)" "stored" ./probe; }
check_patched() { expect_output "store into a directory refused (the fix)" "refused EINVAL" ./probe; }
