# shellcheck shell=dash
# Guest-side check (doc/testing.md) for patch.diff: binfmt_misc loads after
# the livepatch and its status reads " (lpb-new-global)", a constant the
# livepatch module defines; /proc/cmdline uses the new function too.
BM=/proc/sys/fs/binfmt_misc

run_test() {
	local orig
	orig=$(cat /proc/cmdline)
	expect_eq "binfmt_misc not loaded" "" "$(grep -w binfmt_misc /proc/modules)"
	lp_load "$T_MODULE" || return 1
	lp_wait_enabled "$T_PATCH" || return 1
	expect_file_eq /proc/cmdline "$orig lpb-new-global"
	expect_object_patched new_global_module_after binfmt_misc 0
	expect_ok "insmod binfmt_misc.ko under the patch" insmod ./binfmt_misc.ko || return 1
	expect_object_patched new_global_module_after binfmt_misc 1
	if expect_ok "mount binfmt_misc" mount -t binfmt_misc binfmt_misc $BM; then
		expect_file_eq $BM/status "enabled (lpb-new-global)"
		echo 0 >$BM/status
		expect_file_eq $BM/status "disabled (lpb-new-global)"
		echo 1 >$BM/status
		expect_ok "umount binfmt_misc" umount $BM
	fi
	lp_unload binfmt_misc
	expect_object_patched new_global_module_after binfmt_misc 0
	lp_disable "$T_PATCH" || return 1
	lp_unload "$T_MODNAME" || return 1
	expect_file_eq /proc/cmdline "$orig"
}
