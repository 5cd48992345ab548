# shellcheck shell=dash
# Guest-side check (doc/testing.md) for patch.diff: while patched,
# /proc/PID/personality gains a line counting the reads of that task's
# file, in a shadow variable of the task: init's and this shell's counters
# are independent. Disabling frees both (the callback logs the count), so
# loading the patch again starts from 1. Only long-lived tasks are read:
# a shadow variable keyed by a freed task_struct would follow the address.
ME=$$

# reads PID: the counter line of /proc/PID/personality
reads() { sed -n 's/^lp-build shadow reads: //p' "/proc/$1/personality"; }

check_before() {
	expect_eq "/proc/1/personality is one line" 1 "$(wc -l </proc/1/personality)"
	expect_file_lacks /proc/1/personality "lp-build"
}

run_test() {
	check_before
	lp_load "$T_MODULE" || return 1
	lp_wait_enabled "$T_PATCH" || return 1
	expect_eq "init: the counter is created at the first read and counts" "1 2 3" \
		"$(reads 1) $(reads 1) $(reads 1)"
	expect_eq "this shell has its own counter" "1 2" "$(reads $ME) $(reads $ME)"
	expect_eq "init's counter kept its value" 4 "$(reads 1)"
	kmsg_reset
	lp_disable "$T_PATCH" || return 1
	lp_unload "$T_MODNAME" || return 1
	kmsg_expect "lpb-shadow: freed 2 personality read counter(s)"
	check_before

	# a fresh patch finds no stale shadow variable
	lp_load "$T_MODULE" || return 1
	lp_wait_enabled "$T_PATCH" || return 1
	expect_eq "init's counter starts again" 1 "$(reads 1)"
	lp_disable "$T_PATCH" || return 1
	lp_unload "$T_MODNAME" || return 1
	check_before
}
