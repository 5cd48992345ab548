# shellcheck shell=bash
# Host side: uname32, a static binary that calls uname(2) through int $0x80.
set -euo pipefail
gcc -static -O2 -fno-pie -no-pie -o uname32 "$LPB_TEST_DIR/uname32.c"
