# shellcheck shell=dash
# Guest-side check (doc/testing.md) for patch.diff, under
# module.sig_enforce=1: the tampered and unsigned copies are refused and
# change nothing; lp-build's signed module loads and patches /proc/cmdline.
SUFFIX=" signed-by-lp-build"

check_before() {
	ORIG_CMDLINE=${ORIG_CMDLINE:-$(cat /proc/cmdline)}
	expect_file_eq /proc/cmdline "$ORIG_CMDLINE"
	expect_eq "no livepatch registered" absent "$(lp_state "$T_PATCH")"
}

check_patched() {
	expect_file_eq /proc/cmdline "$ORIG_CMDLINE$SUFFIX"
}

run_test() {
	expect_file_eq /sys/module/module/parameters/sig_enforce Y
	check_before
	lp_load_fails tampered.ko "Key was rejected by service"
	lp_load_fails unsigned.ko "Loading of unsigned module is rejected"
	check_before
	lpb_standard_flow
}
