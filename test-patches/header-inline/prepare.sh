# shellcheck shell=bash
# Host side (doc/testing.md, prepare.sh): the manifest says which units
# lp-build compiled for the header change and why: of the 5 built units
# including include/linux/statfs.h, the target's DWARF has the code of
# uuid_to_fsid() in 2; the other 3 are skipped, and both compiled ones change.
set -euo pipefail
j=header_inline.json
got=$(jq -r '[.units[] | select(.via_header) | "\(.source):\(.reason)"] | sort | join(" ")' "$j")
want="fs/ext2/super.c:dwarf mm/shmem.c:dwarf"
[ "$got" = "$want" ] || { echo "units compiled through the header: '$got', expected '$want'"; exit 1; }
got=$(jq -r '.header_selection | "\(.includers) \(.by_dwarf) \(.preprocessed) \(.skipped)"' "$j")
[ "$got" = "5 2 0 3" ] || { echo "header_selection (includers, by DWARF, preprocessed, skipped): '$got', expected '5 2 0 3'"; exit 1; }
got=$(jq -r '[.units[] | select(.changed) | .source] | sort | join(" ")' "$j")
[ "$got" = "fs/ext2/super.c mm/shmem.c" ] || { echo "changed units: '$got'"; exit 1; }
got=$(jq -r '[.objects[].functions[].name] | sort | join(" ")' "$j")
[ "$got" = "ext2_statfs shmem_statfs" ] || { echo "patched functions: '$got'"; exit 1; }
echo "2 of the 5 units including include/linux/statfs.h compiled (DWARF), both changed: $got"
