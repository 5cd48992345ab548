#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# lp-build must have said that it copied the table, naming its users.
set -euo pipefail
log=$(ls "$LPB_GUEST_DIR"/../build-*.log | head -1)
grep -q "note: constant ifla_policy changed: the livepatch carries a new copy of it for" "$log" || {
	echo "no note about the copied ifla_policy in $log" >&2
	exit 1
}
