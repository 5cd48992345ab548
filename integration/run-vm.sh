#!/usr/bin/env bash
# Boots the test kernel with an initramfs under qemu, once or several times on
# the same persistent disk, each boot under a hard time limit.
#
#   run-vm.sh --initrd FILE [--kernel BZIMAGE] [--append ARGS] [--disk IMG]
#             [--boots N] [--timeout SECONDS] [--log FILE] [--results FILE]
#             [--mem MB] [--smp N]
#
# The guest's console (ttyS0) goes to --log, its results channel (ttyS1) to
# --results; both get one section per boot, and --results also gets a host
# line per boot:  @@HOST boot I N RC WALL_MS ACCEL
# Boot I of N gets "lpb.boot=I lpb.boots=N" on its command line. --disk
# attaches IMG as a virtio disk (created as an empty 64 MiB ext2 if missing).
# The accelerator comes from integration/accel.sh (LPB_ACCEL overrides);
# without KVM, LPB_TCG_THREAD=single runs every vCPU in one qemu thread
# (default multi; run.sh sets it from the series table's vm_tcg_thread).
#
# Exit status: 0 when every boot ended by itself, 124 when a boot hit the
# time limit (qemu is killed, later boots are skipped), else qemu's status.
set -euo pipefail
LPB_PROG=run-vm
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

kernel=$LPB_CACHE/testkernel/current/arch/x86/boot/bzImage
initrd='' append='' disk='' boots=1 timeout=120 log=console.log results=results.log
mem=512 smp=2
while [ $# -gt 0 ]; do
	case "$1" in
	-k | --kernel) kernel=$2; shift 2 ;;
	-i | --initrd) initrd=$2; shift 2 ;;
	-a | --append) append=$2; shift 2 ;;
	-d | --disk) disk=$2; shift 2 ;;
	-n | --boots) boots=$2; shift 2 ;;
	-t | --timeout) timeout=$2; shift 2 ;;
	-l | --log) log=$2; shift 2 ;;
	-r | --results) results=$2; shift 2 ;;
	-m | --mem) mem=$2; shift 2 ;;
	-s | --smp) smp=$2; shift 2 ;;
	-h | --help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
done
[ -n "$initrd" ] || die "--initrd is required"
[ -f "$initrd" ] || die "no initramfs at $initrd"
[ -f "$kernel" ] || die "no kernel at $kernel"
[[ $boots =~ ^[1-9][0-9]*$ ]] || die "--boots must be a positive number"
[[ $timeout =~ ^[1-9][0-9]*$ ]] || die "--timeout must be a positive number of seconds"

accel=$("$LPB_INTEG/accel.sh" "$kernel")
case "$accel" in
kvm) accel_args=(-accel kvm -cpu host) ;;
*) accel_args=(-accel "tcg,thread=${LPB_TCG_THREAD:-multi}") ;;
esac

if [ -n "$disk" ] && [ ! -f "$disk" ]; then
	truncate -s 64M "$disk"
	mke2fs -q -t ext2 -F "$disk" || die "mke2fs failed on $disk"
fi

: >"$log"
: >"$results"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
for ((i = 1; i <= boots; i++)); do
	cmdline="console=ttyS0 panic=-1 lpb.boot=$i lpb.boots=$boots${append:+ $append}"
	# without ACPI the kernel finds CPUs in the MP table, which lists one
	# per socket: ask for N sockets
	args=(-kernel "$kernel" -initrd "$initrd" -append "$cmdline"
		-m "$mem" -smp "$smp,sockets=$smp" -no-reboot
		-display none -monitor none -nodefaults
		-serial "file:$tmp/console" -serial "file:$tmp/results"
		"${accel_args[@]}")
	[ -n "$disk" ] && args+=(-drive "file=$disk,format=raw,if=virtio")
	t0=$(now_ms)
	rc=0
	timeout -k 5 "$timeout" qemu-system-x86_64 "${args[@]}" </dev/null >"$tmp/qemu.out" 2>&1 || rc=$?
	wall=$(($(now_ms) - t0))
	{
		echo "### run-vm: boot $i/$boots, accel $accel, rc $rc, $((wall / 1000)).$((wall % 1000 / 100)) s"
		echo "### run-vm: cmdline: $cmdline"
		cat "$tmp/console" 2>/dev/null || true
		if [ -s "$tmp/qemu.out" ]; then
			echo "### run-vm: qemu said:"
			cat "$tmp/qemu.out"
		fi
		[ $rc -eq 124 ] || [ $rc -eq 137 ] &&
			echo "### run-vm: TIMEOUT: boot $i/$boots killed after the hard limit of $timeout s"
	} >>"$log"
	{
		tr -d '\r' <"$tmp/results" 2>/dev/null || true
		echo "@@HOST boot $i $boots $rc $wall $accel"
	} >>"$results"
	if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
		log "TIMEOUT: boot $i/$boots did not finish within $timeout s; qemu killed (console: $log)"
		status=124
		break
	elif [ $rc -ne 0 ]; then
		log "qemu failed on boot $i/$boots (rc=$rc): $(tail -n 3 "$tmp/qemu.out" | tr '\n' ' ')"
		status=$rc
		break
	fi
	log "boot $i/$boots: $((wall / 1000)).$((wall % 1000 / 100)) s ($accel$([ "$accel" = kvm ] || [ "${LPB_TCG_THREAD:-multi}" = multi ] || echo ", ${LPB_TCG_THREAD} thread"))"
done
exit $status
