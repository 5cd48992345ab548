# shellcheck shell=dash
# Guest-side check (doc/testing.md): the module must not patch anything.
check_before() {
	ORIG_CMDLINE=${ORIG_CMDLINE:-$(cat /proc/cmdline)}
	expect_file_lacks /proc/cmdline lp-build-was-here
	expect_eq "no livepatch registered" absent "$(lp_state "$T_PATCH")"
}
check_unpatched() {
	expect_file_eq /proc/cmdline "$ORIG_CMDLINE"
	check_before
}
