# shellcheck shell=dash
# Guest side (doc/testing.md; lpctl's helpers in lpctl/tests/guest-lpctl.sh).
. /lpb/lpctl.sh
P=lpctl_debian

run_test() {
	local orig
	orig=$(cat /proc/cmdline)
	lpctl_setup
	lpctl_run 0 "install" install "$T_DIR/$P.ko"
	lpctl_says "$P: installed version 1 for kernel $(uname -r)"
	expect_eq "install does not insert" absent "$(lp_state $P)"
	kmsg_reset
	lpctl_run 0 "start" start --settle 2
	lpctl_says "$P: applied; the kernel took"
	lpctl_says "$P: settled: no kernel trouble in 2 s"
	expect_eq "enabled, transition done" "enabled=1 transition=0" "$(lp_state $P)"
	expect_file_eq /proc/cmdline "$orig lp-build-was-here"
	kmsg_expect "lpctl: inserting $P version 1"
	lpctl_json_has '"state": "applied"'
	lpctl_json_has '"vmlinux:cmdline_proc_show"'
	lpctl_run 0 "status" status
	lpctl_says "state:       applied (enabled=1 transition=0)"
	lpctl_run 0 "disable" disable $P
	expect_file_eq /proc/cmdline "$orig"
	lpctl_run 0 "unload" unload $P
	expect_ok "module gone" test ! -d /sys/module/$P
	lpctl_run 0 "uninstall" uninstall
	lpctl_json_has '"installed": null'
}
