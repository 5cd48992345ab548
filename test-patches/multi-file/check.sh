# shellcheck shell=dash
# Guest-side check (doc/testing.md) for vmlinux.diff + module.diff: while
# patched, /proc/stat and /proc/filesystems end with an extra line and
# binfmt_misc's status names the patch; all three are back afterwards.
BM=/proc/sys/fs/binfmt_misc

check_before() {
	expect_file_lacks /proc/stat "lp-build"
	expect_file_lacks /proc/filesystems "lp-build"
	expect_file_eq $BM/status enabled
}

check_patched() {
	expect_output "last line of /proc/stat" "lp-build multi-file 1/3" tail -n 1 /proc/stat
	expect_file_contains /proc/stat "btime "
	expect_output "last line of /proc/filesystems" "lp-build multi-file 2/3" tail -n 1 /proc/filesystems
	expect_file_contains /proc/filesystems "binfmt_misc"
	expect_file_eq $BM/status "enabled (lp-build multi-file 3/3)"
	expect_object_patched "$T_PATCH" vmlinux 1
	expect_object_patched "$T_PATCH" binfmt_misc 1
}

run_test() {
	expect_ok "insmod binfmt_misc.ko" insmod ./binfmt_misc.ko || return 1
	if expect_ok "mount binfmt_misc" mount -t binfmt_misc binfmt_misc $BM; then
		lpb_standard_flow
		expect_ok "umount binfmt_misc" umount $BM
	fi
	lp_unload binfmt_misc
}
