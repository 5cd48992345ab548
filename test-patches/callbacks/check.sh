# shellcheck shell=dash
# Guest-side check (doc/testing.md) for patch.diff: the kernel log shows the
# callbacks in order - pre-patch then post-patch when the patch is enabled,
# pre-unpatch then post-unpatch when it is disabled - and /proc/uptime gains
# a third field while patched.

# callbacks_logged: the callback lines logged since kmsg_reset, "|"-joined
callbacks_logged() { dmesg | sed -n 's/.*lpb-callbacks: //p' | tr '\n' '|'; }

check_before() {
	expect_eq "/proc/uptime has 2 fields" 2 "$(awk '{ print NF }' /proc/uptime)"
}

run_test() {
	check_before
	kmsg_reset
	lp_load "$T_MODULE" || return 1
	lp_wait_enabled "$T_PATCH" || return 1
	expect_eq "enabling ran pre-patch, then post-patch" \
		"pre-patch vmlinux|post-patch vmlinux|" "$(callbacks_logged)"
	expect_eq "/proc/uptime's third field while patched" callbacks \
		"$(awk '{ print $3 }' /proc/uptime)"
	kmsg_reset
	lp_disable "$T_PATCH" || return 1
	expect_eq "disabling ran pre-unpatch, then post-unpatch" \
		"pre-unpatch vmlinux|post-unpatch vmlinux|" "$(callbacks_logged)"
	lp_unload "$T_MODNAME" || return 1
	check_before
}
