# shellcheck shell=dash
# Guest-side check (doc/testing.md) for patch.diff (expect=load-fail): the
# module's pre-patch callback refuses, so insmod fails and /proc/cmdline
# never shows the patched text.

check_before() {
	ORIG_CMDLINE=${ORIG_CMDLINE:-$(cat /proc/cmdline)}
	expect_file_lacks /proc/cmdline must-never-show
	expect_eq "no livepatch registered" absent "$(lp_state "$T_PATCH")"
	expect_eq "module not loaded" "" "$(grep -w "$T_MODNAME" /proc/modules)"
}

check_unpatched() {
	check_before
	expect_file_eq /proc/cmdline "$ORIG_CMDLINE"
	kmsg_expect "livepatch: pre-patch callback failed for object 'vmlinux'"
}
