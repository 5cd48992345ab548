# shellcheck shell=dash
# Guest-side check (doc/testing.md) for patch.diff: a running task's state
# in /proc/self/status reads "R (running, lp)" while patched; the one-letter
# state of /proc/self/stat (the string's first character) stays "R".

state() { sed -n 's/^State:[[:space:]]*//p' /proc/self/status; }
stat_state() { cut -d' ' -f3 /proc/self/stat; }

check_before() {
	expect_eq "State of a running task" "R (running)" "$(state)"
	expect_eq "one-letter state in /proc/self/stat" "R" "$(stat_state)"
}

check_patched() {
	expect_eq "State from the livepatch's copy of task_state_array" "R (running, lp)" "$(state)"
	expect_eq "one-letter state unchanged" "R" "$(stat_state)"
	expect_object_patched "$T_PATCH" vmlinux 1
}
