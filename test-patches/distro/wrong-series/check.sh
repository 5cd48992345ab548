# shellcheck shell=dash
# Guest-side check (doc/testing.md): another series' module is refused with
# the kernel's own message (expect.msg), and nothing is patched.
run_test() {
	local cmd
	cmd=$(cat /proc/cmdline)
	lp_load_fails ./other.ko "$(cat expect.msg)"
	expect_eq "no livepatch registered" absent "$(lp_state other)"
	expect_file_eq /proc/cmdline "$cmd"
}
