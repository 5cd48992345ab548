# shellcheck shell=dash
# Guest side of lpctl-replace (doc/testing.md, helpers in lpctl/tests/guest-lpctl.sh).
. /lpb/lpctl.sh

run_test() {
	local orig
	orig=$(cat /proc/cmdline)
	lpctl_setup
	lpctl_run 0 "load A" load "$T_DIR/lpctl_rep_a.ko" --settle 1
	expect_file_eq /proc/cmdline "$orig lpctl-A"
	lpctl_run 0 "load B" load "$T_DIR/lpctl_rep_b.ko" --settle 1
	lpctl_says "lpctl_rep_b: replaced lpctl_rep_a (its module was removed)"
	expect_file_eq /proc/cmdline "$orig lpctl-B"
	expect_eq "A is no longer registered" absent "$(lp_state lpctl_rep_a)"
	expect_ok "A's module is gone" test ! -d /sys/module/lpctl_rep_a
	lpctl_json_has '"name": "lpctl_rep_b"'
	lpctl_json_has '"state": "applied"'
	lpctl_json_has '"lpctl_rep_a"'
	lpctl_run 0 "status" status
	lpctl_says "installed:   lpctl_rep_b version 1"
	lpctl_says "replaced lpctl_rep_a"
	lpctl_run 0 "unload B" unload lpctl_rep_b
	expect_file_eq /proc/cmdline "$orig"
}
