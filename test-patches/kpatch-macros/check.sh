# shellcheck shell=dash
# Guest-side check (doc/testing.md) for patch.diff: /proc/loadavg has 5
# fields before and after; while patched it adds "kpatch N clock", N
# counting the reads in a shadow variable; the kernel log shows the
# callbacks and KPATCH_PRINTK lines in order.

logged() { dmesg | sed -n 's/.*kpatch-macros: //p' | tr '\n' '|'; }

check_before() {
	expect_eq "/proc/loadavg has 5 fields" 5 "$(awk '{ print NF }' /proc/loadavg)"
}

run_test() {
	check_before
	kmsg_reset
	lp_load "$T_MODULE" || return 1
	lp_wait_enabled "$T_PATCH" || return 1
	expect_eq "enabling ran the kpatch pre-patch, then post-patch callback" \
		"pre-patch vmlinux|post-patch vmlinux|" "$(logged)"
	expect_eq "first read while patched" "kpatch 1 clock" \
		"$(awk '{ print $6, $7, $8 }' /proc/loadavg)"
	expect_eq "the shadow variable counts" "kpatch 2 clock" \
		"$(awk '{ print $6, $7, $8 }' /proc/loadavg)"
	expect_eq "KPATCH_PRINTK logged each read" \
		"pre-patch vmlinux|post-patch vmlinux|loadavg read 1|loadavg read 2|" "$(logged)"
	kmsg_reset
	lp_disable "$T_PATCH" || return 1
	expect_eq "disabling ran pre-unpatch, then post-unpatch" \
		"pre-unpatch vmlinux|post-unpatch vmlinux, shadow freed|" "$(logged)"
	lp_unload "$T_MODNAME" || return 1
	check_before
}
