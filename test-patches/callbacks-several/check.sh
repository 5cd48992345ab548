# shellcheck shell=dash
# Guest-side check (doc/testing.md) for patch.diff and refuse.diff: the
# order of the callbacks in the kernel log, and a refusal that undoes the
# file before the refusing one.
REFUSE=callbacks_several_refuse

# callbacks_logged: the callback lines logged since kmsg_reset, "|"-joined
callbacks_logged() { dmesg | sed -n 's/.*lpb-several: //p' | tr '\n' '|'; }

check_before() {
	expect_file_lacks /proc/version "several callbacks"
	expect_eq "/proc/uptime has 2 fields" 2 "$(awk '{ print NF }' /proc/uptime)"
}

run_test() {
	check_before
	kmsg_reset
	lp_load "$T_MODULE" || return 1
	lp_wait_enabled "$T_PATCH" || return 1
	expect_eq "enabling: pre-patch, then post-patch, each in patch order" \
		"pre-patch version|pre-patch uptime|post-patch version|post-patch uptime 1|post-patch uptime 2|" \
		"$(callbacks_logged)"
	expect_output "both files patched: /proc/version" "several callbacks" sed -n 2p /proc/version
	expect_eq "both files patched: /proc/uptime" several "$(awk '{ print $3 }' /proc/uptime)"
	kmsg_reset
	lp_disable "$T_PATCH" || return 1
	expect_eq "disabling: pre-unpatch, then post-unpatch, each in reverse patch order" \
		"pre-unpatch uptime|pre-unpatch version|post-unpatch uptime|post-unpatch version|" \
		"$(callbacks_logged)"
	lp_unload "$T_MODNAME" || return 1
	check_before

	kmsg_reset
	lp_load_fails ./$REFUSE.ko "lpb-several: uptime refuses" || return 1
	# busybox insmod tries finit_module, then init_module: the module's
	# init (and the callbacks) may run twice, each time the same way
	log=$(callbacks_logged)
	expect_eq "a refusal: the file before it is undone" \
		"pre-patch version|pre-patch uptime|uptime refuses|post-unpatch version" \
		"$(echo "$log" | cut -d'|' -f1-4)"
	expect_lacks "no post-patch callback after a refusal" post-patch "$log"
	expect_eq "the refused patch is not registered" absent "$(lp_state $REFUSE)"
	check_before
}
