#!/usr/bin/env bash
# Prints the qemu accelerator the harness uses on this host: "kvm" when a
# probe boot under KVM works, otherwise "tcg" (software emulation, which
# always works). /dev/kvm can exist while guests still fail (nested setups),
# so only a real boot counts. The verdict is cached per host kernel and qemu
# version in LPB_CACHE/accel/; LPB_ACCEL=tcg|kvm skips the probe.
#   accel.sh [BZIMAGE]
set -euo pipefail
LPB_PROG=accel
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

case "${LPB_ACCEL:-auto}" in
tcg | kvm) echo "$LPB_ACCEL"; exit 0 ;;
auto) ;;
*) die "LPB_ACCEL must be auto, tcg or kvm (is '$LPB_ACCEL')" ;;
esac

if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
	echo tcg
	exit 0
fi

probe() {
	local kernel=$1 verdict=$2 tmp rc=0
	if [ -f "$verdict" ]; then
		head -n1 "$verdict"
		return
	fi
	tmp=$(mktemp -d)
	"$LPB_INTEG/mkinitramfs.sh" "$tmp/initrd" 2>/dev/null
	log "probing KVM with one boot (verdict cached in $verdict)"
	LPB_ACCEL=kvm "$LPB_INTEG/run-vm.sh" --kernel "$kernel" --initrd "$tmp/initrd" \
		--timeout 30 --log "$tmp/console.log" --results "$tmp/results.log" \
		>/dev/null 2>"$tmp/stderr" || rc=$?
	mkdir -p "$(dirname "$verdict")"
	if [ $rc -eq 0 ] && grep -q '^@@LPB boot-end' "$tmp/results.log"; then
		echo kvm >"$verdict"
	else
		{
			echo tcg
			echo "KVM probe failed (rc=$rc):"
			tail -n 5 "$tmp/stderr" "$tmp/console.log" 2>/dev/null
		} >"$verdict"
		log "KVM does not work here; using TCG (details: $verdict)"
	fi
	rm -rf "$tmp"
	head -n1 "$verdict"
}

ensure_cache
kernel=${1:-$LPB_CACHE/testkernel/current/arch/x86/boot/bzImage}
[ -f "$kernel" ] || die "no kernel at $kernel (run integration/build-kernel.sh)"
qv=$(qemu-system-x86_64 --version | head -n1 | tr -c 'A-Za-z0-9.\n' _)
key=$(printf '%s\n' "$(uname -r)" "$(uname -v)" "$qv" | sha256sum | cut -c1-16)
with_lock "$LPB_CACHE/locks/accel" probe "$kernel" "$LPB_CACHE/accel/kvm-$(uname -r)-$key"
