# shellcheck shell=dash
# Guest-side check (doc/testing.md) for patch.diff: binfmt_misc is loaded
# and mounted first; its status file then reads "enabled (livepatched)"
# while patched, and follows the module's own "enabled" flag.
BM=/proc/sys/fs/binfmt_misc

check_before() {
	expect_file_eq $BM/status enabled
}

check_patched() {
	expect_object_patched "$T_PATCH" binfmt_misc 1
	expect_file_eq $BM/status "enabled (livepatched)"
	echo 0 >$BM/status
	expect_file_eq $BM/status "disabled (livepatched)"
	echo 1 >$BM/status
	expect_file_eq $BM/status "enabled (livepatched)"
}

run_test() {
	expect_ok "insmod binfmt_misc.ko" insmod ./binfmt_misc.ko || return 1
	if expect_ok "mount binfmt_misc" mount -t binfmt_misc binfmt_misc $BM; then
		lpb_standard_flow
		expect_ok "umount binfmt_misc" umount $BM
	fi
	lp_unload binfmt_misc
}
