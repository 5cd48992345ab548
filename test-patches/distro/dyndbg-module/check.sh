# shellcheck shell=dash
# Guest-side check (doc/testing.md) for patch.diff: registering a binfmt_misc
# entry logs "lp-build: ..." while patched; with "module binfmt_misc +p" the
# unpatched code prints its debug lines, the patched one does not.
BM=/proc/sys/fs/binfmt_misc
CTL=/proc/dynamic_debug/control
NEW="lp-build: binfmt_misc register"
DBG="register: received"

register() {
	kmsg_reset
	expect_ok "register an entry" sh -c "echo ':lpbtest:E::lpb::/bin/sh:' >$BM/register"
	echo -1 >$BM/lpbtest
}

dbg() { echo "module binfmt_misc $1" >$CTL || fail "cannot write $CTL"; }

check_before() {
	register && kmsg_lacks "$NEW"
	dbg +p
	register && kmsg_expect "$DBG"
	dbg -p
}

check_patched() {
	register && kmsg_expect "$NEW" && kmsg_lacks "$DBG"
	dbg +p
	register && kmsg_expect "$NEW" && kmsg_lacks "$DBG"
	expect_ok "the control file reads" sh -c "cat $CTL >/dev/null"
	dbg -p
}

check_unpatched() {
	register && kmsg_lacks "$NEW"
	dbg +p
	register && kmsg_expect "$DBG"
	dbg -p
}

run_test() {
	expect_ok "insmod binfmt_misc.ko" insmod ./binfmt_misc.ko || return 1
	if expect_ok "mount binfmt_misc" mount -t binfmt_misc binfmt_misc $BM; then
		lpb_standard_flow
		expect_ok "umount binfmt_misc" umount $BM
	fi
	lp_unload binfmt_misc
}
