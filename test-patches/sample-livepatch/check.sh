# shellcheck shell=dash
# Guest-side check for the kernel's livepatch sample (see doc/testing.md).
PATCHED="this has been live patched"

check_before() {
	ORIG_CMDLINE=$(cat /proc/cmdline)
	expect_contains "real command line before loading" "console=ttyS0" "$ORIG_CMDLINE"
	expect_lacks "no patched text before loading" "$PATCHED" "$ORIG_CMDLINE"
}

check_patched() {
	expect_file_eq /proc/cmdline "$PATCHED"
	expect_object_patched "livepatch_sample" vmlinux 1
}

check_unpatched() {
	expect_file_eq /proc/cmdline "$ORIG_CMDLINE"
}
