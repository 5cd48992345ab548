# SPDX-License-Identifier: GPL-2.0-only
# Host-side preparation shared by the real-fixes tests (each test's
# prepare.sh links here): the guest's module load order and its probe.
#
# Runs in the test's guest folder (integration/run.sh, doc/testing.md).
set -euo pipefail
# load-order: the target's own modules (test.conf prebuilt=, dependencies
# first) that check-load.sh inserts before the livepatch, so that the
# patched module is really patched, not just pending
prebuilt=$(sed -n 's/^prebuilt="\(.*\)"$/\1/p' "$LPB_TEST_DIR/test.conf")
: >load-order
for p in $prebuilt; do
	basename "$p" >>load-order
done
# probe.c: a small static program that provokes the fixed behaviour
if [ -f "$LPB_TEST_DIR/probe.c" ]; then
	gcc -static -O2 -Wall -Werror -o probe "$LPB_TEST_DIR/probe.c"
fi
# the shared guest flow that every check.sh sources
cp "$LPB_TEST_DIR/../common/lpb-real.sh" lpb-real.sh
