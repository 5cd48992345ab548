# shellcheck shell=dash
# Guest side of lpctl-crash (doc/testing.md, helpers in lpctl/tests/guest-lpctl.sh).
. /lpb/lpctl.sh
P=lpctl_crash

run_test() {
	local orig state
	orig=$(cat /proc/cmdline)
	lpctl_setup "$LPB_DISK/lpctl"
	state=/var/lib/lpctl/$(uname -r)
	if [ "$LPB_BOOT" = 1 ]; then
		lpctl load "$T_DIR/$P.ko" --settle 60 >/dev/console 2>&1 &
		if lpctl_wait_applied $P 30; then
			pass "$P applied; lpctl is watching it settle"
		else
			fail "$P not applied: $(lp_state $P)"
		fi
		expect_file_contains "$state/marker" "name=$P"
		note "resetting the machine while $P settles"
		lpb_crash_now
		return
	fi

	kmsg_reset
	lpctl_run 11 "start after the crash" start
	lpctl_says "the machine went down while $P was being applied"
	lpctl_says "locking $P out"
	lpctl_not_inserted $P
	expect_ok "the crash marker is gone" test ! -e "$state/marker"
	expect_file_contains "$(ls "$state"/locks/$P@*.lock)" "no pstore records"
	lpctl_json_has '"locked": true'
	lpctl_run 11 "start again: still locked out" start
	lpctl_not_inserted $P

	lpctl_run 0 "unlock" unlock $P
	lpctl_run 0 "after unlock, start applies it" start --settle 1
	expect_file_eq /proc/cmdline "$orig lpctl-crash"
	lpctl_run 0 "unload" unload $P
}
