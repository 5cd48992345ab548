#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Fetches every Debian target set make check's suites will use (the ci=yes
# series, the batch test's pinned ABIs, the real-fixes kernel), so that
# make check can download them in the background while the unit tests run.
#
#   integration/prefetch.sh [--list]
#
# Each set is fetched through lp-build fetch (cached, locked per set: a
# suite that needs a set still being fetched waits for it). A failure is
# reported here and again, with its cause, by the suite that needs the set;
# the exit status is the number of sets that could not be fetched (max 1).
# --list prints the target names only.
set -euo pipefail
LPB_PROG=prefetch
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

table=$LPB_TOP/build-driver/debian-series.conf
list=0
[ "${1:-}" = --list ] && list=1

targets() {
	# the series make integration-matrix-check runs (distro.sh --series ci)
	awk '/^\[/ { s = substr($0, 2, length($0) - 2) } /^ci=yes$/ { print "debian:" s }' "$table"
	# make integration-batch's pinned sets
	sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$LPB_TOP/test-patches/batch/targets"
	# make real-fixes-check's kernel (integration/real-fixes.sh)
	echo "debian:bookworm-6.1=${LPB_REAL_FIXES_VERSION:-6.1.170-3}"
}

if [ $list -eq 1 ]; then
	targets
	exit 0
fi
tool=${LPB_TOOL:-$LPB_TOP/build/lp-build}
[ -x "$tool" ] || die "$tool is not built (make all)"
ensure_cache
rc=0
t0=$(now_ms)
while read -r t; do
	t1=$(now_ms)
	if "$tool" fetch --cache "$LPB_CACHE" "$t" >/dev/null; then
		log "$t: ready in $(( ($(now_ms) - t1) / 1000 )) s"
	else
		log "$t: could not be fetched (the suite that needs it says why)"
		rc=1
	fi
done < <(targets)
log "done in $(( ($(now_ms) - t0) / 1000 )) s"
exit $rc
