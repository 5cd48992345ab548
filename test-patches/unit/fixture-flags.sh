# SPDX-License-Identifier: GPL-2.0-only
# Kernel-like compiler flags of the create-diff-object fixtures, sourced by
# run-fixtures.sh and by the fuzzers' seed builder (set HERE to this folder).
KFLAGS="-O2 -g -std=gnu11 -ffunction-sections -fdata-sections -pg -mfentry -mrecord-mcount
	-mcmodel=kernel -fno-pic -fno-PIE -mno-red-zone -fno-asynchronous-unwind-tables
	-fno-common -fno-strict-aliasing -Wno-unused -I$HERE/include"
