# shellcheck shell=dash
# Guest-side check (doc/testing.md), booted with slub_debug on the 8-byte
# kmalloc caches (red zones around their objects, checked when they are
# freed; seq_file state is accounted, so it comes from kmalloc-cg-8).
# /proc/net/ptype's per-file state is allocated with the size the initial
# network namespace registered at boot (sizeof(struct seq_net_private), 8
# bytes); the fix's iterator keeps a struct ptype_iter_state (16 bytes) there
# and its patched dev_proc_net_init() only changes the size for namespaces
# created later. So each read of the file through the patched iterator
# writes past its state: the red zone catches it. The file must also read
# the same as before.
. ./lpb-real.sh
check_before() {
	PTYPE_BEFORE=$(cat /proc/net/ptype)
	expect_contains "/proc/net/ptype lists handlers" "ip_rcv" "$PTYPE_BEFORE"
}
check_patched() {
	kmsg_reset
	expect_eq "/proc/net/ptype unchanged while patched" "$PTYPE_BEFORE" "$(cat /proc/net/ptype)"
	kmsg_lacks "Redzone overwritten"
}
check_unpatched() { expect_eq "/proc/net/ptype unchanged after" "$PTYPE_BEFORE" "$(cat /proc/net/ptype)"; }
