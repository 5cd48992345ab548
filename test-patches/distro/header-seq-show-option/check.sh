# shellcheck shell=dash
# Guest-side check (doc/testing.md) for patch.diff: the patched
# seq_show_option() also escapes "." in an option's value, so the cgroup v1
# hierarchy named lp.test (cgroup1_show_options, kernel/cgroup/cgroup-v1.c)
# shows name=lp\056test in /proc/mounts.
MNT=/mnt/lp-cgroup

# the /proc/mounts line of the hierarchy (mounted the first time)
mount_line() {
	if ! grep -q " $MNT cgroup " /proc/mounts; then
		mkdir -p $MNT
		mount -t cgroup -o none,name=lp.test cgroup $MNT ||
			{ fail "cannot mount a cgroup v1 hierarchy named lp.test"; return 1; }
	fi
	grep " $MNT cgroup " /proc/mounts
}

check_before() {
	expect_contains "the name shown as it is" "name=lp.test" "$(mount_line)"
}

check_patched() {
	expect_contains "the name's dot escaped by the patched inline" 'name=lp\056test' "$(mount_line)"
}
