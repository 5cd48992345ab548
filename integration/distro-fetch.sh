#!/usr/bin/env bash
# The Debian kernel of one series for the harness, fetched through the same
# code as `lp-build --target` (lp-build fetch, build-driver/lpb-target and its
# series table): prints the target file (shell syntax) naming everything
# lp-build and the VM need.
#
#   integration/distro-fetch.sh [--list] [SERIES]
#
#   SERIES   bookworm-6.1 (default, or $LPB_SERIES), bookworm-6.12, trixie-6.12,
#            bullseye-5.10 (build-driver/debian-series.conf)
#   --list   only show the candidate sets and what each one lacks
#
# LPB_DISTRO_VERSION=6.1.192-3 pins a Debian version instead of the newest
# complete set. The cache layout is in doc/distro-kernels.md.
set -euo pipefail
LPB_PROG=distro-fetch
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

list=()
series=${LPB_SERIES:-bookworm-6.1}
series=${series%% *}
while [ $# -gt 0 ]; do
	case "$1" in
	--list) list=(--list) ;;
	-h | --help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	-*) die "unknown argument '$1' (see --help)" ;;
	*) series=$1 ;;
	esac
	shift
done
tool=${LPB_TOOL:-$LPB_TOP/build/lp-build}
[ -x "$tool" ] || die "$tool is not built (make all)"
ensure_cache
exec "$tool" fetch "${list[@]}" --cache "$LPB_CACHE" "debian:$series${LPB_DISTRO_VERSION:+=$LPB_DISTRO_VERSION}"
