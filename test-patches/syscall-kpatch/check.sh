# shellcheck shell=dash
# Guest-side check (doc/testing.md) for patch.diff: busybox uname (uname(2),
# newuname on x86_64) shows the machine as "x86_64+kp" while patched; the
# other fields do not change.

check_before() {
	ORIG_M=${ORIG_M:-$(uname -m)}
	ORIG_RSV=${ORIG_RSV:-$(uname -rsv)}
	expect_eq "machine" x86_64 "$ORIG_M"
	expect_output "uname -m" "$ORIG_M" uname -m
	expect_output "uname -rsv" "$ORIG_RSV" uname -rsv
}

check_patched() {
	expect_output "uname -m while patched" "$ORIG_M+kp" uname -m
	expect_output "uname -rsv unchanged" "$ORIG_RSV" uname -rsv
	expect_object_patched "$T_PATCH" vmlinux 1
}
