# shellcheck shell=dash
# Guest side of lpctl-apply (doc/testing.md, helpers in lpctl/tests/guest-lpctl.sh).
. /lpb/lpctl.sh
P=lpctl_apply

run_test() {
	local orig state pid rc1 rc2
	orig=$(cat /proc/cmdline)
	expect_file_eq /sys/module/module/parameters/sig_enforce Y
	lpctl_setup
	state=/var/lib/lpctl/$(uname -r)

	lpctl_run 0 "nothing installed yet" start
	lpctl_says "no livepatch installed for kernel $(uname -r)"
	lpctl_run 0 "install" install "$T_DIR/$P.ko"
	lpctl_says "$P: installed version 1 for kernel $(uname -r)"
	expect_eq "install does not insert" absent "$(lp_state $P)"
	lpctl_json_has '"state": "not-loaded"'

	# a half-written state file is detected, reported and not trusted
	cp "$state/installed" /tmp/installed.good
	head -c 100 /tmp/installed.good >"$state/installed"
	lpctl_run 1 "a truncated state file is refused" start
	lpctl_says "is damaged (incomplete"
	lpctl_not_inserted $P
	lpctl_run 1 "status reports the damage" status
	lpctl_says "PROBLEM:"
	cp /tmp/installed.good "$state/installed"

	# two starts at once (the service and an operator): one applies the
	# patch, the other waits for it, then finds it loaded
	kmsg_reset
	lpctl start --settle 2 >/tmp/start1.out 2>&1 &
	pid=$!
	lpctl start --settle 2 >/tmp/start2.out 2>&1
	rc2=$?
	wait $pid
	rc1=$?
	LPCTL_OUT=$(cat /tmp/start1.out /tmp/start2.out)
	printf '%s\n' "$LPCTL_OUT" | sed 's/^/    | /' >/dev/console
	expect_eq "two concurrent starts both succeed" "0 0" "$rc1 $rc2"
	lpctl_says "$P: applied; the kernel took"
	lpctl_says "$P: settled: no kernel trouble in 2 s"
	# the pid is only shown once the holder has written it (a race by design)
	lpctl_says "waiting for another lpctl run"
	lpctl_says "$P: already loaded"
	expect_eq "inserted once" 1 "$(dmesg | grep -c "lpctl: inserting $P")"
	expect_eq "enabled, transition done" "enabled=1 transition=0" "$(lp_state $P)"
	expect_file_eq /proc/cmdline "$orig lpctl-applied"
	kmsg_expect "lpctl: inserting $P version 1"
	expect_ok "the crash marker is cleared" test ! -e "$state/marker"
	lpctl_json_has '"state": "applied"'
	lpctl_json_has '"result": "applied"'
	lpctl_json_has '"file": "patch.diff"'
	lpctl_json_has '"vmlinux:cmdline_proc_show"'
	lpctl_json_has '"locked": false'
	lpctl_json_has '"transition_ms": '
	lpctl_run 0 "status" status
	lpctl_says "state:       applied (enabled=1 transition=0)"
	lpctl_says "fixes:     patch.diff"
	lpctl_run 0 "start again" start
	lpctl_says "$P: already loaded"
	lpctl_run 0 "list" list
	lpctl_says "loaded     $(uname -r)"

	lpctl_run 0 "disable" disable $P
	lpctl_says "$P: disabled; the kernel took"
	expect_file_eq /proc/cmdline "$orig"
	lpctl_json_has '"state": "disabled"'
	lpctl_run 0 "unload" unload $P
	lpctl_says "$P: module removed"
	expect_ok "module gone" test ! -d /sys/module/$P
	expect_file_eq /proc/cmdline "$orig"
	lpctl_run 0 "uninstall" uninstall
	lpctl_json_has '"installed": null'
}
