# shellcheck shell=dash
# Guest-side check (doc/testing.md) for patch.diff: writing -1 to
# sched_rr_timeslice_ms resets it to the default before and after the
# patch, and is refused (the value kept) while patched.
F=/proc/sys/kernel/sched_rr_timeslice_ms

check_before() {
	DEFAULT=${DEFAULT:-$(cat $F)}
	expect_ok "set 50" sh -c "echo 50 > $F"
	expect_file_eq $F 50
	expect_ok "writing -1 is accepted (a reset to the default)" sh -c "echo -1 > $F"
	expect_file_eq $F "$DEFAULT"
}

check_patched() {
	expect_ok "sched_rr_handler (rt.c) is replaced" \
		test -d "/sys/kernel/livepatch/$T_PATCH/vmlinux/sched_rr_handler,1"
	expect_ok "set 50" sh -c "echo 50 > $F"
	expect_fails "writing -1 is refused while patched" sh -c "echo -1 > $F"
	expect_file_eq $F 50
	expect_ok "writing 0 still resets" sh -c "echo 0 > $F"
	expect_file_eq $F "$DEFAULT"
}
