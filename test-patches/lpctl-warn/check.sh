# shellcheck shell=dash
# Guest side of lpctl-warn (doc/testing.md, helpers in lpctl/tests/guest-lpctl.sh).
. /lpb/lpctl.sh
P=lpctl_warn

run_test() {
	local pid rc lock
	lpctl_setup
	kmsg_reset
	lpctl load "$T_DIR/$P.ko" --settle 20 >/tmp/warn.out 2>&1 &
	pid=$!
	if lpctl_wait_applied $P 30; then
		pass "$P applied; lpctl is watching it settle"
	else
		fail "$P not applied: $(lp_state $P)"
	fi
	cat /proc/self/status >/dev/null # the patched proc_pid_status WARNs
	wait $pid
	rc=$?
	LPCTL_OUT=$(cat /tmp/warn.out)
	printf '%s\n' "$LPCTL_OUT" | sed 's/^/    | /' >/dev/console
	expect_eq "lpctl load exit status (inserted but caused a kernel bug)" 12 "$rc"
	lpctl_says "$P was inserted but caused a kernel bug (kernel warning): WARNING: CPU:"
	lpctl_says "$P is locked out"
	lpctl_says "$P: disabled and removed"
	expect_eq "$P no longer registered" absent "$(lp_state $P)"
	expect_ok "$P module removed" test ! -d /sys/module/$P
	lock=$(ls /var/lib/lpctl/"$(uname -r)"/locks/$P@*.lock 2>/dev/null)
	expect_ok "a lock file exists" test -f "$lock"
	expect_file_contains "$lock" "reason=inserted but caused a kernel bug"
	expect_file_contains "$lock" "proc_pid_status"
	expect_file_contains "$lock" "trace=Call Trace:"
	expect_file_contains "$lock" "cut here"

	kmsg_reset
	lpctl_run 11 "start does not insert the locked-out patch" start
	lpctl_says "$P (sha256"
	lpctl_says "is locked out: inserted but caused a kernel bug"
	lpctl_run 11 "load does not insert it either" load "$T_DIR/$P.ko"
	lpctl_not_inserted $P
	lpctl_json_has '"locked": true'
	lpctl_json_has '"result": "kernel-bug"'
	lpctl_run 0 "unlock" unlock $P
	lpctl_says "$P: unlocked"
	lpctl_json_has '"locked": false'
	lpctl_run 0 "uninstall" uninstall
}
