#!/usr/bin/env bash
# Builds the guest's initramfs: mkinitramfs.sh OUT [PAYLOAD_DIR]
#
# OUT is a gzip-compressed newc cpio made of two concatenated archives (the
# kernel unpacks them in turn):
#   - the base: static busybox with a link per applet, /init and the guest
#     test library (integration/guest/); cached in LPB_CACHE/initramfs, keyed
#     by the hash of its inputs;
#   - the payload: the content of PAYLOAD_DIR, placed at / (the harness puts
#     /tests/<name>/... there).
set -euo pipefail
LPB_PROG=mkinitramfs
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
	die "usage: mkinitramfs.sh OUT [PAYLOAD_DIR]"
fi
out=$1
payload=${2:-}

# pack DIR: a newc cpio of DIR, owned by root, in a stable order, gzipped
pack() {
	(cd "$1" && find . -mindepth 1 -print0 | LC_ALL=C sort -z |
		cpio --null -o -H newc -R 0:0 --quiet) | gzip -6 -n
}

base_archive() {
	local busybox key dir tmp a
	busybox=$(command -v busybox) || die "busybox not found (install busybox-static)"
	case "$(ldd "$busybox" 2>&1 || true)" in
	*"not a dynamic"*) ;;
	*) die "$busybox is not statically linked (install busybox-static)" ;;
	esac
	key=$(cat "$busybox" "$LPB_INTEG/guest/init" "$LPB_INTEG/guest/lib.sh" "$0" | sha256sum | cut -c1-16)
	dir=$LPB_CACHE/initramfs
	if [ ! -f "$dir/base-$key.cpio.gz" ]; then
		mkdir -p "$dir"
		tmp=$(mktemp -d "$dir/.base.XXXXXX")
		mkdir -p "$tmp/root/bin" "$tmp/root/lpb" "$tmp/root/proc" "$tmp/root/sys" \
			"$tmp/root/dev" "$tmp/root/tmp" "$tmp/root/disk" "$tmp/root/tests"
		cp "$busybox" "$tmp/root/bin/busybox"
		for a in $("$busybox" --list); do
			[ "$a" = busybox ] || ln -s busybox "$tmp/root/bin/$a"
		done
		ln -s bin "$tmp/root/sbin"
		install -m 0755 "$LPB_INTEG/guest/init" "$tmp/root/init"
		install -m 0644 "$LPB_INTEG/guest/lib.sh" "$tmp/root/lpb/lib.sh"
		pack "$tmp/root" >"$tmp/base.cpio.gz"
		mv "$tmp/base.cpio.gz" "$dir/base-$key.cpio.gz"
		rm -rf "$tmp"
		log "built base initramfs $dir/base-$key.cpio.gz"
	fi
	echo "$dir/base-$key.cpio.gz"
}

ensure_cache
base=$(with_lock "$LPB_CACHE/locks/initramfs" base_archive)
tmp=$out.tmp.$$
cp "$base" "$tmp"
if [ -n "$payload" ]; then
	[ -d "$payload" ] || die "payload $payload is not a directory"
	pack "$payload" >>"$tmp"
fi
mv "$tmp" "$out"
