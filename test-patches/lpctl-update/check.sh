# shellcheck shell=dash
# Guest side of lpctl-update (doc/testing.md, helpers in lpctl/tests/guest-lpctl.sh).
. /lpb/lpctl.sh

run_test() {
	local orig r state
	orig=$(cat /proc/cmdline)
	lpctl_setup
	echo 0123456789abcdef0123456789abcdef >/etc/machine-id
	r=file://$T_DIR
	state=/var/lib/lpctl/$(uname -r)

	lpctl_run 0 "rollout 0 %: nothing taken" update --repo "$r/repo-0" --settle 1
	lpctl_says "update: waiting: lpctl_upd_a version 1 is rolled out to 0 % of machines"
	lpctl_not_inserted lpctl_upd_a

	lpctl_run 0 "update installs and applies A" update --repo "$r/repo-1" --settle 1
	lpctl_says "lpctl_upd_a: installed version 1 for kernel $(uname -r)"
	lpctl_says "lpctl_upd_a: settled"
	lpctl_says "update: updated: lpctl_upd_a version 1 applied"
	expect_file_eq /proc/cmdline "$orig lpctl-upd-A"
	expect_ok "the host's download is what the guest installed" \
		cmp "$T_DIR/host-dl/lpctl_upd_a.ko" "$state/patches/lpctl_upd_a.ko"
	lpctl_json_has '"result": "updated"'
	lpctl_json_has "\"repository\": \"$r/repo-1\""
	lpctl_json_has '"bucket": '
	lpctl_run 0 "again: up to date" update --repo "$r/repo-1"
	lpctl_says "update: up-to-date"

	lpctl_run 0 "B replaces A" update --repo "$r/repo-2" --settle 1
	lpctl_says "lpctl_upd_b: replaced lpctl_upd_a (its module was removed)"
	expect_file_eq /proc/cmdline "$orig lpctl-upd-B"
	expect_eq "A is no longer registered" absent "$(lp_state lpctl_upd_a)"

	lpctl_run 10 "an older index (replayed) is refused" update --repo "$r/repo-1"
	lpctl_says "older than serial 3"
	expect_file_eq /proc/cmdline "$orig lpctl-upd-B"

	lpctl_run 0 "B revoked: taken off" update --repo "$r/repo-3"
	lpctl_says "lpctl_upd_b version 2 was revoked by the repository"
	lpctl_says "lpctl-update test"
	lpctl_says "lpctl_upd_b: module removed"
	lpctl_says "update: revoked"
	expect_file_eq /proc/cmdline "$orig"
	expect_eq "B is no longer registered" absent "$(lp_state lpctl_upd_b)"
	expect_ok "B's module is gone" test ! -d /sys/module/lpctl_upd_b
	lpctl_json_has '"result": "revoked"'
	lpctl_json_has '"installed": null'
	lpctl_run 0 "start inserts nothing" start
	lpctl_says "no livepatch installed"
	lpctl_run 11 "the revoked build is locked out" load "$T_DIR/repo-2/$(uname -r)"/*/lpctl_upd_b.ko
}
