# shellcheck shell=dash
# Guest-side check (doc/testing.md) for patch.diff, through the kernel log:
# before the patch, writing 4 to /proc/sys/vm/drop_caches sets the original
# handler's static stfu, which silences its "drop_caches: N" message. The
# patched handler must see that same stfu (4) and count its own calls.
DC=/proc/sys/vm/drop_caches

check_before() {
	kmsg_reset
	echo 2 >$DC
	kmsg_expect "drop_caches: 2"
	echo 4 >$DC
	kmsg_expect "drop_caches: 4"
	kmsg_reset
	echo 2 >$DC
	kmsg_lacks "drop_caches: 2"
	kmsg_lacks "lp-build"
}

check_patched() {
	kmsg_reset
	echo 2 >$DC
	kmsg_expect "drop_caches: lp-build write 1, stfu=4"
	echo 2 >$DC
	kmsg_expect "drop_caches: lp-build write 2, stfu=4"
	kmsg_lacks "drop_caches: 2"
}

check_unpatched() {
	kmsg_reset
	echo 2 >$DC
	kmsg_lacks "drop_caches: 2"
	kmsg_lacks "lp-build"
}
