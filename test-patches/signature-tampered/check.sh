# shellcheck shell=dash
# Guest-side check (doc/testing.md): the standard load-fail flow.
check_before() {
	expect_file_lacks /proc/cmdline "this has been live patched"
	expect_eq "no livepatch registered" absent "$(lp_state livepatch_sample)"
}
