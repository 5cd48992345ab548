# shellcheck shell=dash
# Guest-side check (doc/testing.md): both system call entry points report
# "<machine>+lp" while patched and the original after.

check_before() {
	ORIG_M=${ORIG_M:-$(uname -m)}
	expect_eq "uname -m (x86-64 entry)" x86_64 "$ORIG_M"
	expect_output "uname32 (ia32 entry)" "$ORIG_M" ./uname32
}

check_patched() {
	expect_output "uname -m (x86-64 entry) while patched" "$ORIG_M+lp" uname -m
	expect_output "uname32 (ia32 entry) while patched" "$ORIG_M+lp" ./uname32
	expect_object_patched "$T_PATCH" vmlinux 1
}
