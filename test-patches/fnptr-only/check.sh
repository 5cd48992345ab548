# shellcheck shell=dash
# Guest-side check (doc/testing.md) for patch.diff: the first line of
# /proc/devices (written by devinfo_show, called through devinfo_ops.show)
# changes; the rest of the file, block devices included, does not.

check_before() {
	ORIG_DEVICES=${ORIG_DEVICES:-$(cat /proc/devices)}
	expect_output "first line of /proc/devices" "Character devices:" sed -n 1p /proc/devices
	expect_file_contains /proc/devices "Block devices:"
}

check_patched() {
	expect_output "first line of /proc/devices while patched" \
		"Character devices (livepatched):" sed -n 1p /proc/devices
	expect_output "the rest of /proc/devices unchanged" \
		"$(echo "$ORIG_DEVICES" | sed 1d)" sed 1d /proc/devices
}

check_unpatched() {
	expect_file_eq /proc/devices "$ORIG_DEVICES"
}
