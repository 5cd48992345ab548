#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# lp-build must have said that it accepted the layout change, and recorded
# the override in the manifest.
set -euo pipefail
log=$(ls "$LPB_GUEST_DIR"/../build-*.log | head -1)
grep -q "note: struct getdents_callback64 changed layout (member hidden added at offset 36 (4 bytes, int)), used by filldir64: accepted (--allow-layout-change)" "$log" || {
	echo "no note about the accepted layout change in $log" >&2
	exit 1
}
jq -e '.allow_layout_change == ["getdents_callback64"]' "$LPB_GUEST_DIR"/layout_change_allowed.json >/dev/null || {
	echo "the manifest does not record --allow-layout-change getdents_callback64" >&2
	exit 1
}
