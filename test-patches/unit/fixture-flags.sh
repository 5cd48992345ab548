# SPDX-License-Identifier: GPL-2.0-only
# Kernel-like compiler flags of the create-diff-object fixtures, sourced by
# run-fixtures.sh and by the fuzzers' seed builder (set HERE to this folder).
KFLAGS="-O2 -g -std=gnu11 -ffunction-sections -fdata-sections -pg -mfentry -mrecord-mcount
	-mcmodel=kernel -fno-pic -fno-PIE -mno-red-zone -fno-asynchronous-unwind-tables
	-fno-common -fno-strict-aliasing -Wno-unused -I$HERE/include"

# The profiles: NAME|compiler flags|padding bytes objtool names __pfx_<fn>
# (addpfx does it)|"strip" to strip the objects' DWARF. The layouts of the kernel's tables and macros follow
# FIXTURE_KERNEL in include/fixture.h.
#  6.1         Debian 12's 6.1: the flags above
#  6.12        a 6.12 object of vmlinux: CONFIG_CALL_PADDING (16 NOPs before
#              every function), IBT (ENDBR64 at entry); objtool runs on
#              vmlinux.o only (X86_KERNEL_IBT), so no __pfx_ symbols
#  6.12-module a 6.12 module object: the same, plus objtool's __pfx_ symbols
#  5.10        Debian 11's 5.10: .fixup fragments, unpadded final entries
#  5.10-stripped  the same objects without DWARF (strip --strip-debug
#              --keep-file-symbols), as other tools' object suites keep them:
#              entry sizes measured from the tables, layouts not compared;
#              fixtures that need DWARF say "dwarf: needed" and are skipped
# shellcheck disable=SC2034
PROFILES=(
	"6.1|-DFIXTURE_KERNEL=601|"
	"6.12|-DFIXTURE_KERNEL=612 -fpatchable-function-entry=16,16 -fcf-protection=branch|"
	"6.12-module|-DFIXTURE_KERNEL=612 -fpatchable-function-entry=16,16 -fcf-protection=branch|16"
	"5.10|-DFIXTURE_KERNEL=510|"
	"5.10-stripped|-DFIXTURE_KERNEL=510||strip"
)
