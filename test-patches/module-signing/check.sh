# shellcheck shell=dash
# Guest-side check (doc/testing.md): runs with module.sig_enforce=1.
PATCHED="this has been live patched"

check_before() {
	ORIG_CMDLINE=${ORIG_CMDLINE:-$(cat /proc/cmdline)}
	expect_file_eq /proc/cmdline "$ORIG_CMDLINE"
	expect_eq "no livepatch registered" absent "$(lp_state livepatch_sample)"
}

run_test() {
	expect_file_eq /sys/module/module/parameters/sig_enforce Y
	check_before
	lp_load_fails unsigned.ko "Loading of unsigned module is rejected"
	lp_load_fails otherkey.ko "Loading of module with unavailable key is rejected"
	lp_load_fails tampered.ko "Key was rejected by service"
	check_before
	lp_load signed.ko || return 1
	lp_wait_enabled livepatch_sample || return 1
	expect_file_eq /proc/cmdline "$PATCHED"
	lp_disable livepatch_sample || return 1
	lp_unload livepatch_sample || return 1
	check_before
}
