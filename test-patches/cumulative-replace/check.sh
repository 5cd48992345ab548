# shellcheck shell=dash
# Guest-side check (doc/testing.md) for fix-a.diff and fix-b.diff: A, then
# B replacing A, then B disabled.
A=cumulative_a
B=cumulative_b

check_before() {
	ORIG_CMDLINE=${ORIG_CMDLINE:-$(cat /proc/cmdline)}
	ORIG_VERSION=${ORIG_VERSION:-$(cat /proc/version)}
	expect_file_lacks /proc/cmdline fix-a
	expect_file_lacks /proc/version fix-b
}

fix_a_visible() { expect_file_eq /proc/cmdline "$ORIG_CMDLINE fix-a"; }

run_test() {
	check_before
	lp_load ./$A.ko || return 1
	lp_wait_enabled $A || return 1
	fix_a_visible
	expect_file_eq /proc/version "$ORIG_VERSION"

	lp_load ./$B.ko || return 1
	lp_wait_enabled $B || return 1
	lp_wait_gone $A || return 1
	fix_a_visible
	expect_output "fix-b: /proc/version's second line" fix-b sed -n 2p /proc/version
	expect_eq "only B registered" "$B" "$(ls /sys/kernel/livepatch)"
	# A was disabled by the replacement: its module can go
	lp_unload $A || return 1
	fix_a_visible

	lp_disable $B || return 1
	lp_unload $B || return 1
	expect_file_eq /proc/cmdline "$ORIG_CMDLINE"
	expect_file_eq /proc/version "$ORIG_VERSION"
}
