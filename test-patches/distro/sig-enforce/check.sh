# shellcheck shell=dash
# Guest-side check (doc/testing.md): with module.sig_enforce=1 the kernel
# refuses our test-key signature and accepts Debian's.
run_test() {
	local cmd
	cmd=$(cat /proc/cmdline)
	expect_file_eq /sys/module/module/parameters/sig_enforce Y
	lp_load_fails "$T_MODULE" "Loading of module with unavailable key is rejected"
	expect_eq "no livepatch registered" absent "$(lp_state "$T_PATCH")"
	expect_file_eq /proc/cmdline "$cmd"
	expect_ok "Debian's signed binfmt_misc.ko loads" insmod ./binfmt_misc.ko || return 1
	lp_unload binfmt_misc
}
