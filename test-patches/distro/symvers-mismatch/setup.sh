# shellcheck shell=bash
# Host side (doc/testing.md, setup.sh): a Module.symvers that is not the
# target's: Debian's own with every symbol version (CRC) changed, as when a
# user passes the headers of another build of the same release. The module
# links against it, so its __versions disagree with the kernel's CRCs.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../../../integration/test-inputs.sh
. "$LPB_INTEG/test-inputs.sh"
input_begin symvers-mismatch
# the low bit of every CRC flipped (0x... in the first column)
perl -lne '@F = split /\t/, $_, -1; $F[0] = sprintf("0x%08x", hex($F[0]) ^ 1); print join("\t", @F)' \
	"$LPB_SYMVERS" >"$top/Module.symvers.tmp"
input_commit "$top/Module.symvers"
echo "$top/Module.symvers: $LPB_SYMVERS with every CRC changed"
