#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Malformed inputs must give exit 1 and one message, never a crash: truncated
# object, not ELF, another architecture, a section running past the end.
set -uo pipefail
CDO=${1:?usage: malformed.sh CDO WORKDIR}
W=${2:?}
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$W"
cd "$W" || exit 1
fail=0
printf 'int f(int x) { return x + 1; }\n' >ok.c
gcc -O2 -ffunction-sections -fdata-sections -c ok.c -o ok.o || exit 1

head -c 200 ok.o >truncated.o
echo "this is not an ELF file" >notelf.o
: >empty.o
# another architecture: flip e_machine to EM_AARCH64 (183)
cp ok.o arm.o
printf '\xb7\x00' | dd of=arm.o bs=1 seek=18 conv=notrunc status=none
# 32-bit class
cp ok.o class32.o
printf '\x01' | dd of=class32.o bs=1 seek=4 conv=notrunc status=none
# a section whose size runs past the end of the file: grow .text's sh_size
cp ok.o pastend.o
python3 - pastend.o <<'PY'
import struct, sys
p = sys.argv[1]
b = bytearray(open(p, 'rb').read())
shoff, = struct.unpack_from('<Q', b, 0x28)
shentsize, shnum, shstrndx = struct.unpack_from('<HHH', b, 0x3a)
for i in range(1, shnum):
    off = shoff + i * shentsize
    typ, = struct.unpack_from('<I', b, off + 4)
    if typ == 1:  # first PROGBITS
        struct.pack_into('<Q', b, off + 0x20, 0x7fffffff)
        break
open(p, 'wb').write(b)
PY
# a symbol pointing at a section that does not exist
cp ok.o badsym.o
python3 - badsym.o <<'PY'
import struct, sys
p = sys.argv[1]
b = bytearray(open(p, 'rb').read())
shoff, = struct.unpack_from('<Q', b, 0x28)
shentsize, shnum, _ = struct.unpack_from('<HHH', b, 0x3a)
for i in range(1, shnum):
    off = shoff + i * shentsize
    typ, = struct.unpack_from('<I', b, off + 4)
    if typ == 2:  # SYMTAB
        soff, = struct.unpack_from('<Q', b, off + 0x18)
        ssize, = struct.unpack_from('<Q', b, off + 0x20)
        last = soff + ssize - 24
        struct.pack_into('<H', b, last + 6, 0x7000)
        break
open(p, 'wb').write(b)
PY

for bad in truncated notelf empty arm class32 pastend badsym missing; do
	for order in a b; do
		if [ $order = a ]; then set -- "$bad.o" ok.o; else set -- ok.o "$bad.o"; fi
		"$CDO" "$@" -o out.o >stdout 2>stderr
		rc=$?
		if [ $rc -ne 1 ] || [ ! -s stderr ] || grep -qi "sanitizer\|runtime error" stderr; then
			echo "FAIL malformed $bad ($order): exit $rc: $(head -2 stderr)"
			fail=1
		fi
	done
done
# Inputs the create-diff-object fuzzer (test-patches/fuzz) found trouble
# with (odd/cases), rebuilt from odd/odd.c by elf-edit.py: valid or not,
# each pair must end in a documented exit code (0-3) without a crash or a
# sanitizer report (`make asan` runs this under ASan/UBSan).
gcc -O2 -ffunction-sections -fdata-sections -pg -mfentry -mrecord-mcount -fno-pic \
	-mcmodel=kernel -c "$HERE/odd/odd.c" -o odd.o || exit 1
# shellcheck source=fixture-flags.sh
. "$HERE/fixture-flags.sh"
odd() { # NAME [@FIXTURE] EDIT...: odd.o (or FIXTURE's patched.c) edited, diffed against it both ways
	local name=$1 base=odd.o order rc
	shift
	if [ "${1#@}" != "$1" ]; then
		base=fx-${1#@}.o
		# shellcheck disable=SC2086
		gcc $KFLAGS -c "$HERE/fixtures/${1#@}/patched.c" -o "$base" || { echo "FAIL odd $name: cc"; fail=1; return; }
		shift
	fi
	python3 "$HERE/elf-edit.py" "$base" "$name.o" "$@" || { echo "FAIL odd $name: elf-edit"; fail=1; return; }
	for order in a b; do
		if [ $order = a ]; then set -- "$name.o" "$base"; else set -- "$base" "$name.o"; fi
		# a hang or a runaway output is a failure too (timeout: 124)
		timeout 60 "$CDO" "$@" -o out.o --parent "$1" --json out.json >stdout 2>stderr
		rc=$?
		if [ $rc -gt 3 ] || grep -qi "sanitizer\|runtime error" stderr; then
			echo "FAIL odd input $name ($order): exit $rc: $(grep -m2 -i "error" stderr)"
			fail=1
		fi
	done
}
while read -r name edits; do
	case $name in '' | '#'*) continue ;; esac
	# shellcheck disable=SC2086
	odd "$name" $edits
done <"$HERE/odd/cases"

# bad options are errors (1) too
"$CDO" ok.o >/dev/null 2>&1
[ $? -eq 1 ] || { echo "FAIL usage error is not exit 1"; fail=1; }
"$CDO" --entry-size nonsense ok.o ok.o -o out.o >/dev/null 2>&1
[ $? -eq 1 ] || { echo "FAIL bad --entry-size is not exit 1"; fail=1; }
[ $fail -eq 0 ] && echo "malformed inputs: all rejected with exit 1; odd inputs: no crash"
exit $fail
