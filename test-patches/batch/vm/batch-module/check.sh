# shellcheck shell=dash
# Guest side: this kernel is the release the module was built for, and
# proc_pid_wchan() of the module answers for a running task (the reader
# itself) with the patched text.
check_before() {
	expect_eq "the kernel is the module's release" "$(cat release)" "$(uname -r)"
	expect_file_eq /proc/self/wchan 0
}

check_patched() {
	expect_file_eq /proc/self/wchan "0 lp-batch"
	expect_file_eq "/sys/kernel/livepatch/$T_PATCH/vmlinux/patched" 1
}

check_unpatched() {
	expect_file_eq /proc/self/wchan 0
}
