# shellcheck shell=dash
# Guest-side check (doc/testing.md) for patch.diff.
SUFFIX=" lp-build-was-here"

check_before() {
	ORIG_CMDLINE=${ORIG_CMDLINE:-$(cat /proc/cmdline)}
	expect_contains "real command line" "console=ttyS0" "$ORIG_CMDLINE"
	expect_file_eq /proc/cmdline "$ORIG_CMDLINE"
}

check_patched() {
	expect_file_eq /proc/cmdline "$ORIG_CMDLINE$SUFFIX"
	expect_object_patched "$T_PATCH" vmlinux 1
}
