# shellcheck shell=bash
# Host side (doc/testing.md, prepare.sh): the manifest lists the units
# lp-build compiled for the header change and which of them changed.
set -euo pipefail
j=header_inline.json
got=$(jq -r '[.units[] | select(.via_header) | .source] | sort | join(" ")' "$j")
want="fs/ext2/super.c fs/libfs.c fs/statfs.c mm/memfd.c mm/shmem.c"
[ "$got" = "$want" ] || { echo "units compiled through the header: '$got', expected '$want'"; exit 1; }
got=$(jq -r '[.units[] | select(.changed) | .source] | sort | join(" ")' "$j")
[ "$got" = "fs/ext2/super.c mm/shmem.c" ] || { echo "changed units: '$got'"; exit 1; }
got=$(jq -r '[.objects[].functions[].name] | sort | join(" ")' "$j")
[ "$got" = "ext2_statfs shmem_statfs" ] || { echo "patched functions: '$got'"; exit 1; }
echo "5 units compiled through include/linux/statfs.h, 2 changed: $got"
