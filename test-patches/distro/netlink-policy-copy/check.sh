# shellcheck shell=dash
# Guest-side check (doc/testing.md) for patch.diff: busybox's ip sends
# RTM_NEWLINK with IFLA_IFNAME "lpnamelong0" and a link kind no kernel has;
# before and after, the kernel gets as far as the kind (EOPNOTSUPP); while
# patched the policy refuses the name first (ERANGE).

add_link() { ip link add name lpnamelong0 type lpnosuchkind 2>&1; }

check_before() {
	expect_contains "unknown link kind: not supported" "Operation not supported" "$(add_link)"
}

check_patched() {
	expect_contains "11-byte name refused by the new policy" "Numerical result out of range" "$(add_link)"
	expect_object_patched "$T_PATCH" vmlinux 1
}
