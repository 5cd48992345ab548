#!/usr/bin/env bash
# Picks the newest Debian 6.1 cloud kernel whose image, debug image, headers
# and linux-source-6.1 are all in the archive at one version, fetches and
# unpacks them into the cache once, and prints the path of a target file
# (shell syntax) naming everything lp-build and the VM need:
#
#   integration/distro-fetch.sh [--list]
#
#   --list   only show the candidate versions and what each one lacks
#
# LPB_DISTRO_VERSION=6.1.192-2 pins a version instead of choosing the newest.
#
# Layout (everything reused when present):
#   $LPB_CACHE/debs/*.deb                        downloads (shared with fetch-source.sh)
#   $LPB_CACHE/src/VERSION/linux-source-6.1       pristine source (same layout as fetch-source.sh)
#   $LPB_CACHE/distro/VERSION/image/              the image package (boot/vmlinuz-*, boot/config-*, lib/modules/*)
#   $LPB_CACHE/distro/VERSION/dbg/                the -dbg package (usr/lib/debug/...)
#   $LPB_CACHE/distro/VERSION/headers/            Module.symvers (from the headers package)
#   $LPB_CACHE/distro/VERSION/initrd-extra/       the image's virtio modules, for the guest's /init
#   $LPB_CACHE/distro/VERSION/target.env          what this script prints
set -euo pipefail
LPB_PROG=distro-fetch
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

FLAVOUR=cloud-amd64
SRC_PKG=linux-source-6.1

list_only=0
case "${1:-}" in
--list) list_only=1 ;;
-h | --help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
'') ;;
*) die "unknown argument '$1' (see --help)" ;;
esac

# pkg_has PKG VERSION: the archive (apt's lists) offers PKG at VERSION
pkg_has() {
	apt-cache madison "$1" 2>/dev/null | awk -F' *[|] *' -v v="$2" '$2 == v { f = 1 } END { exit !f }'
}

# the packages of one set, for ABI number N
set_pkgs() {
	local n=$1
	echo "linux-image-6.1.0-$n-$FLAVOUR linux-image-6.1.0-$n-$FLAVOUR-dbg linux-headers-6.1.0-$n-$FLAVOUR $SRC_PKG"
}

# candidates: "VERSION ABI" for every -dbg package version apt knows, newest first
candidates() {
	local p n
	apt-cache pkgnames linux-image-6.1.0- 2>/dev/null |
		grep -E "^linux-image-6\.1\.0-[0-9]+-$FLAVOUR-dbg\$" | while read -r p; do
		n=${p#linux-image-6.1.0-}
		n=${n%%-*}
		apt-cache madison "$p" 2>/dev/null | awk -F' *[|] *' -v n="$n" '{ print $2, n }'
	done | sort -u | sort -k1,1 -r -V
}

# choose: sets CHOSEN_VERSION and CHOSEN_ABI, or fails naming what is missing
choose() {
	local v n p missing report=() seen=0
	while read -r v n; do
		[ -n "${LPB_DISTRO_VERSION:-}" ] && [ "$v" != "$LPB_DISTRO_VERSION" ] && continue
		seen=1
		missing=()
		for p in $(set_pkgs "$n"); do
			pkg_has "$p" "$v" || missing+=("$p")
		done
		if [ ${#missing[@]} -eq 0 ]; then
			report+=("$v (ABI $n): complete")
			if [ $list_only -eq 0 ]; then
				CHOSEN_VERSION=$v
				CHOSEN_ABI=$n
				return 0
			fi
		else
			report+=("$v (ABI $n): lacks ${missing[*]}")
		fi
	done < <(candidates)
	if [ $list_only -eq 1 ]; then
		printf '%s\n' "${report[@]}"
		return 0
	fi
	[ ${#report[@]} -eq 0 ] || printf '  %s\n' "${report[@]}" >&2
	if [ -n "${LPB_DISTRO_VERSION:-}" ] && [ $seen -eq 0 ]; then
		die "LPB_DISTRO_VERSION=$LPB_DISTRO_VERSION: apt knows no linux-image-6.1.0-*-$FLAVOUR-dbg at that version (apt-get update?)"
	fi
	die "no Debian version offers all of linux-image-6.1.0-N-$FLAVOUR, its -dbg, linux-headers-6.1.0-N-$FLAVOUR and $SRC_PKG (bookworm and bookworm-security in apt's sources, then apt-get update)"
}

# fetch_deb PKG VERSION: path of the cached .deb, downloading it if needed
fetch_deb() {
	local pkg=$1 ver=$2 deb
	mkdir -p "$LPB_CACHE/debs"
	deb=$(find "$LPB_CACHE/debs" -maxdepth 1 -name "${pkg}_${ver}_*.deb" | head -n1)
	if [ -z "$deb" ]; then
		# into a folder of its own first: an interrupted download never
		# leaves a partial .deb where the next run would take it
		local tmp
		tmp=$(mktemp -d "$LPB_CACHE/debs/.download.XXXXXX")
		log "downloading $pkg=$ver"
		(cd "$tmp" && apt-get download -q "$pkg=$ver" 2>&1 |
			{ grep -v '^W: Download is performed unsandboxed' || true; } >&2) ||
			{ rm -rf "$tmp"; die "cannot download $pkg=$ver (apt-cache policy $pkg)"; }
		deb=$(find "$tmp" -maxdepth 1 -name "${pkg}_${ver}_*.deb" | head -n1)
		[ -n "$deb" ] || { rm -rf "$tmp"; die "apt-get download $pkg=$ver produced no .deb"; }
		mv "$deb" "$LPB_CACHE/debs/"
		rm -rf "$tmp"
		deb=$LPB_CACHE/debs/$(basename "$deb")
	fi
	echo "$deb"
}

# unpack_deb DEB DEST [PATHS...]: extract DEB (or only PATHS of it) into DEST once
unpack_deb() {
	local deb=$1 dest=$2 tmp
	shift 2
	[ -f "$dest/.unpacked" ] && return 0
	tmp=$(mktemp -d "$(dirname "$dest")/.unpack.XXXXXX")
	log "unpacking $(basename "$deb")"
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" "$@" || die "cannot unpack $deb"
	rm -rf "$dest"
	mv "$tmp" "$dest"
	touch "$dest/.unpacked"
}

# the source, in the same place and form fetch-source.sh uses, so the test
# kernel and a Debian kernel of one version share it
unpack_source() {
	local ver=$1 dest=$LPB_CACHE/src/$1 deb tmp
	[ -f "$dest/.unpacked" ] && return 0
	deb=$(fetch_deb "$SRC_PKG" "$ver")
	mkdir -p "$LPB_CACHE/src"
	tmp=$(mktemp -d "$LPB_CACHE/src/.unpack.XXXXXX")
	log "unpacking $(basename "$deb")"
	dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/src/linux-source-6.1.tar.xz |
		xz -d -T"$LPB_JOBS" | tar -x -C "$tmp"
	[ -f "$tmp/linux-source-6.1/Makefile" ] || die "unexpected layout in $deb"
	rm -rf "$dest"
	mv "$tmp" "$dest"
	touch "$dest/.unpacked"
}

# the layout of target.env this script writes; an older one is rewritten
FORMAT=2

# early_modules DIR REL OUT: the modules the guest needs before its tests
# (virtio PCI and block, for the harness's persistent disk), with their
# dependencies, copied to OUT/lpb/early-modules/ and named in load order
early_modules() {
	local dir=$1 rel=$2 out=$3 tmp i=0 line ko
	tmp=$(mktemp -d "$dir/.early.XXXXXX")
	depmod -b "$dir/image" "$rel" || die "depmod failed on $dir/image/lib/modules/$rel"
	mkdir -p "$tmp/lpb/early-modules"
	while read -r line; do
		ko=${line#insmod }
		ko=${ko%% *}
		[ -f "$ko" ] || die "modprobe named $ko, which the image does not have"
		cp "$ko" "$tmp/lpb/early-modules/$(printf '%02d' $i)-$(basename "$ko")"
		i=$((i + 1))
	done < <(modprobe -d "$dir/image" -S "$rel" -a --show-depends virtio_pci virtio_blk |
		awk '$1 == "insmod" && !seen[$2]++')
	[ $i -gt 0 ] || die "no virtio modules in $dir/image/lib/modules/$rel"
	rm -rf "$out"
	mv "$tmp" "$out"
}

fetch_set() {
	local ver=$CHOSEN_VERSION n=$CHOSEN_ABI rel dir
	rel=6.1.0-$n-$FLAVOUR
	dir=$LPB_CACHE/distro/$ver
	mkdir -p "$dir"
	if grep -qx "DISTRO_FORMAT=$FORMAT" "$dir/target.env" 2>/dev/null; then
		echo "$dir/target.env"
		return 0
	fi
	unpack_deb "$(fetch_deb "linux-image-$rel" "$ver")" "$dir/image"
	unpack_deb "$(fetch_deb "linux-image-$rel-dbg" "$ver")" "$dir/dbg" \
		"./usr/lib/debug/boot/vmlinux-$rel" "./usr/lib/debug/lib/modules/$rel"
	unpack_deb "$(fetch_deb "linux-headers-$rel" "$ver")" "$dir/headers" \
		"./usr/src/linux-headers-$rel/Module.symvers"
	with_lock "$LPB_CACHE/locks/source" unpack_source "$ver"

	local src=$LPB_CACHE/src/$ver/linux-source-6.1
	local config=$dir/image/boot/config-$rel
	local vmlinuz=$dir/image/boot/vmlinuz-$rel
	local vmlinux=$dir/dbg/usr/lib/debug/boot/vmlinux-$rel
	local symvers=$dir/headers/usr/src/linux-headers-$rel/Module.symvers
	local dbgmods=$dir/dbg/usr/lib/debug/lib/modules/$rel
	local mods=$dir/image/lib/modules/$rel
	local f
	for f in "$src/Makefile" "$config" "$vmlinuz" "$vmlinux" "$symvers"; do
		[ -f "$f" ] || die "the $ver packages lack $f"
	done
	for f in "$dbgmods" "$mods"; do
		[ -d "$f" ] || die "the $ver packages lack $f"
	done
	early_modules "$dir" "$rel" "$dir/initrd-extra"
	{
		echo "# Debian $FLAVOUR kernel $rel, packages $ver (written by distro-fetch.sh)"
		echo "DISTRO_FORMAT=$FORMAT"
		printf 'DISTRO_VERSION=%q\n' "$ver"
		printf 'DISTRO_RELEASE=%q\n' "$rel"
		printf 'DISTRO_PACKAGES=%q\n' "$(set_pkgs "$n")"
		printf 'DISTRO_SRC=%q\n' "$src"
		printf 'DISTRO_CONFIG=%q\n' "$config"
		printf 'DISTRO_VMLINUX=%q\n' "$vmlinux"
		printf 'DISTRO_VMLINUZ=%q\n' "$vmlinuz"
		printf 'DISTRO_SYMVERS=%q\n' "$symvers"
		printf 'DISTRO_DBG_MODULES=%q\n' "$dbgmods"
		printf 'DISTRO_MODULES=%q\n' "$mods"
		echo "# for integration/run.sh (LPB_TARGET)"
		printf 'target_name=%q\n' "Debian $rel ($ver)"
		printf 'target_src=%q\n' "$src"
		printf 'target_config=%q\n' "$config"
		printf 'target_vmlinux=%q\n' "$vmlinux"
		printf 'target_symvers=%q\n' "$symvers"
		printf 'target_modules=%q\n' "$dbgmods"
		printf 'target_kernel=%q\n' "$vmlinuz"
		printf 'target_prebuilt=%q\n' "$mods/kernel"
		printf 'target_initrd_extra=%q\n' "$dir/initrd-extra"
	} >"$dir/target.env.tmp"
	mv "$dir/target.env.tmp" "$dir/target.env"
	echo "$dir/target.env"
}

ensure_cache
CHOSEN_VERSION='' CHOSEN_ABI=''
if [ -n "${LPB_DISTRO_VERSION:-}" ] && [ $list_only -eq 0 ] &&
	grep -qx "DISTRO_FORMAT=$FORMAT" "$LPB_CACHE/distro/$LPB_DISTRO_VERSION/target.env" 2>/dev/null; then
	# pinned and complete in the cache: no need to ask apt
	log "Debian kernel $LPB_DISTRO_VERSION (pinned, cached)"
	echo "$LPB_CACHE/distro/$LPB_DISTRO_VERSION/target.env"
	exit 0
fi
choose
[ $list_only -eq 1 ] && exit 0
log "chose Debian kernel 6.1.0-$CHOSEN_ABI-$FLAVOUR, packages $CHOSEN_VERSION (newest complete set)"
with_lock "$LPB_CACHE/locks/distro-$CHOSEN_VERSION" fetch_set
