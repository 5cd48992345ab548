#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
# Edits fields of an x86-64 relocatable object in place, to rebuild inputs
# the fuzzers found at test time (no binary blobs in git):
#   elf-edit.py IN OUT EDIT...
#   shdr:SECTION:FIELD=VALUE      type flags offset size link info addralign entsize
#   sym:SYMBOL:FIELD=VALUE        name info other shndx value size
#   rela:SECTION:INDEX:FIELD=VALUE offset sym type addend
# VALUE is a number, or "name:OTHER" for the name offset of another
# section (shdr) or symbol (sym).
import struct
import sys

SHDR = {'name': (0, 'I'), 'type': (4, 'I'), 'flags': (8, 'Q'), 'offset': (24, 'Q'),
        'size': (32, 'Q'), 'link': (40, 'I'), 'info': (44, 'I'), 'addralign': (48, 'Q'),
        'entsize': (56, 'Q')}
SYM = {'name': (0, 'I'), 'info': (4, 'B'), 'other': (5, 'B'), 'shndx': (6, 'H'),
       'value': (8, 'Q'), 'size': (16, 'Q')}


def cstr(b, off):
    return b[off:b.index(b'\0', off)].decode()


def main():
    src, dst, edits = sys.argv[1], sys.argv[2], sys.argv[3:]
    b = bytearray(open(src, 'rb').read())
    shoff, = struct.unpack_from('<Q', b, 0x28)
    shnum, shstrndx = struct.unpack_from('<HH', b, 0x3c)
    sh = [shoff + i * 64 for i in range(shnum)]
    field = lambda off, f: struct.unpack_from('<' + f[1], b, off + f[0])[0]
    stroff = field(sh[shstrndx], SHDR['offset'])
    secname = {cstr(b, stroff + field(h, SHDR['name'])): h for h in sh[1:]}
    symtab = next(h for h in sh if field(h, SHDR['type']) == 2)
    symoff, symsize = field(symtab, SHDR['offset']), field(symtab, SHDR['size'])
    strtab = field(sh[field(symtab, SHDR['link'])], SHDR['offset'])
    syms = {}
    for off in range(symoff + 24, symoff + symsize, 24):
        syms.setdefault(cstr(b, strtab + field(off, SYM['name'])), off)

    def value(v, table):
        if v.startswith('name:'):
            return field(table[v[5:]], (SHDR if table is secname else SYM)['name'])
        return int(v, 0) & 0xffffffffffffffff

    for e in edits:
        kind, rest = e.split(':', 1)
        target, assign = rest.rsplit(':', 1)
        name, v = assign.split('=', 1)
        if kind == 'shdr':
            f = SHDR[name]
            struct.pack_into('<' + f[1], b, secname[target] + f[0], value(v, secname))
        elif kind == 'sym':
            f = SYM[name]
            struct.pack_into('<' + f[1], b, syms[target] + f[0], value(v, syms))
        elif kind == 'rela':
            sec, idx = target.rsplit(':', 1)
            off = field(secname[sec], SHDR['offset']) + 24 * int(idx)
            r_off, info, addend = struct.unpack_from('<QQq', b, off)
            if name == 'offset':
                r_off = value(v, syms)
            elif name == 'sym':
                info = value(v, syms) << 32 | (info & 0xffffffff)
            elif name == 'type':
                info = (info & ~0xffffffff) | value(v, syms)
            elif name == 'addend':
                addend = int(v, 0)
            struct.pack_into('<QQq', b, off, r_off, info, addend)
        else:
            sys.exit('elf-edit.py: unknown edit ' + e)
    open(dst, 'wb').write(b)


main()
