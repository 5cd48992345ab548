#!/usr/bin/env bash
# Downloads the pinned Debian kernel source package into the cache and
# unpacks it once; prints the path of the pristine source tree.
set -euo pipefail
LPB_PROG=fetch-source
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

# fetch_deb PKG VERSION: path of the cached .deb, downloading it if needed
fetch_deb() {
	local pkg=$1 ver=$2 deb
	mkdir -p "$LPB_CACHE/debs"
	deb=$(find "$LPB_CACHE/debs" -maxdepth 1 -name "${pkg}_${ver}_*.deb" | head -n1)
	if [ -z "$deb" ]; then
		log "downloading $pkg=$ver"
		(cd "$LPB_CACHE/debs" && apt-get download -q "$pkg=$ver" 2>&1 | grep -v '^W: Download is performed unsandboxed' >&2) ||
			die "cannot download $pkg=$ver: is it still in the Debian archive? (apt-cache policy $pkg)"
		deb=$(find "$LPB_CACHE/debs" -maxdepth 1 -name "${pkg}_${ver}_*.deb" | head -n1)
		[ -n "$deb" ] || die "apt-get download $pkg=$ver produced no .deb"
	fi
	echo "$deb"
}

unpack_source() {
	local dest=$LPB_CACHE/src/$LPB_SOURCE_VERSION
	if [ -f "$dest/.unpacked" ]; then
		echo "$dest/linux-source-6.1"
		return
	fi
	local deb tmp
	deb=$(fetch_deb "$LPB_SOURCE_PACKAGE" "$LPB_SOURCE_VERSION")
	tmp=$(mktemp -d "$LPB_CACHE/src/.unpack.XXXXXX")
	log "unpacking $(basename "$deb")"
	dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/src/linux-source-6.1.tar.xz |
		xz -d -T"$LPB_JOBS" | tar -x -C "$tmp"
	[ -f "$tmp/linux-source-6.1/Makefile" ] || die "unexpected layout in $deb"
	rm -rf "$dest"
	mv "$tmp" "$dest"
	touch "$dest/.unpacked"
	echo "$dest/linux-source-6.1"
}

ensure_cache
mkdir -p "$LPB_CACHE/src"
with_lock "$LPB_CACHE/locks/source" unpack_source
