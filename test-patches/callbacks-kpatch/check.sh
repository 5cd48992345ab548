# shellcheck shell=dash
# Guest-side check (doc/testing.md) for patch.diff: enabling the patch runs
# no callback (binfmt_misc is not loaded); loading binfmt_misc runs
# pre-patch then post-patch for it, and its status reads "enabled (kpatch
# callbacks)"; unloading it runs pre-unpatch then post-unpatch.
BM=/proc/sys/fs/binfmt_misc

callbacks_logged() { dmesg | sed -n 's/.*lpb-kpatch-callbacks: //p' | tr '\n' '|'; }

run_test() {
	expect_eq "binfmt_misc not loaded" "" "$(grep -w binfmt_misc /proc/modules)"
	kmsg_reset
	lp_load "$T_MODULE" || return 1
	lp_wait_enabled "$T_PATCH" || return 1
	expect_eq "no callback while binfmt_misc is not loaded" "" "$(callbacks_logged)"

	kmsg_reset
	expect_ok "insmod binfmt_misc.ko" insmod ./binfmt_misc.ko || return 1
	expect_eq "loading binfmt_misc ran pre-patch, then post-patch" \
		"pre-patch binfmt_misc|post-patch binfmt_misc|" "$(callbacks_logged)"
	if expect_ok "mount binfmt_misc" mount -t binfmt_misc binfmt_misc $BM; then
		expect_file_eq $BM/status "enabled (kpatch callbacks)"
		expect_ok "umount binfmt_misc" umount $BM
	fi
	kmsg_reset
	lp_unload binfmt_misc
	expect_eq "unloading binfmt_misc ran pre-unpatch, then post-unpatch" \
		"pre-unpatch binfmt_misc|post-unpatch binfmt_misc|" "$(callbacks_logged)"

	kmsg_reset
	lp_disable "$T_PATCH" || return 1
	lp_unload "$T_MODNAME" || return 1
	expect_eq "no callback when disabling without binfmt_misc" "" "$(callbacks_logged)"
}
