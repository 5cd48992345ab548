# shellcheck shell=dash
# Guest-side check (doc/testing.md), expect=load-fail under
# module.sig_enforce=1: other_build.ko's signature is accepted, its init
# refuses (the version string differs), nothing is patched.

check_before() {
	ORIG_CMDLINE=${ORIG_CMDLINE:-$(cat /proc/cmdline)}
	expect_file_lacks /proc/cmdline wrong-kernel
	expect_eq "no livepatch registered" absent "$(lp_state "$T_PATCH")"
}

check_unpatched() {
	check_before
	expect_file_eq /proc/cmdline "$ORIG_CMDLINE"
	kmsg_expect "built for kernel \"$(uname -r)\" \"#2 "
	kmsg_lacks "Loading of module with unavailable key"
	kmsg_lacks "Key was rejected"
}
