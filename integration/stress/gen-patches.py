#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
# gen-patches.py: writes many small, semantically safe one-function patches
# against the objects a built kernel really contains, for the stress job.
"""Generate stress patches for lp-build.

Functions are picked from the objects of a kbuild output directory (the test
kernel): the object's symbol table says which functions are compiled out of
line (and under which GCC clone name), its __mcount_loc which of them ftrace
can redirect, and the relocations of its tables (__bug_table, __ex_table,
__jump_table, .altinstructions, .parainstructions, .static_call_sites,
.retpoline_sites) which call sites each function holds. The source is parsed
only as far as kernel style allows: a function body opens with "{" alone in
column 0 and closes with "}" alone in column 0.

Every patch is written as PATCH_ID.diff next to manifest.json, which records
the kind of change, the file, the function, its features and the outcome
lp-build is expected to give (built, refused, nochange, or any).
"""

import argparse
import difflib
import json
import os
import random
import re
import subprocess
import sys

# tables whose entries point into functions, and the feature each one gives
TABLES = {
    "__bug_table": "bug",
    "__ex_table": "extable",
    "__jump_table": "jump_label",
    ".altinstructions": "alternative",
    ".parainstructions": "paravirt",
    ".static_call_sites": "static_call",
    ".retpoline_sites": "retpoline",
    ".smp_locks": "smp_lock",
}
CLONE_RE = re.compile(r"^(?P<base>[A-Za-z_]\w*)\.(?P<kind>isra|constprop|part|cold|lto_priv)(\.\d+)?(\..*)?$")
NUMBERED_STATIC_RE = re.compile(r"^[A-Za-z_]\w*\.\d+$")

# directories whose code may run where printk() could deadlock or recurse
# (console, scheduler, locking, time, RCU, irq, printk itself, NMI/entry) or
# where calling out is not allowed: no printk-style change there
NO_PRINTK = (
    "kernel/printk/", "kernel/sched/", "kernel/locking/", "kernel/time/",
    "kernel/rcu/", "kernel/irq/", "kernel/trace/", "kernel/livepatch/",
    "kernel/entry/", "kernel/smp.c", "kernel/softirq.c", "kernel/irq_work.c",
    "kernel/panic.c", "kernel/cpu.c", "kernel/stop_machine.c", "kernel/kthread.c",
    "kernel/workqueue.c", "kernel/context_tracking.c", "kernel/extable.c",
    "kernel/static_call", "kernel/jump_label.c", "kernel/module/",
    "drivers/tty/", "drivers/char/random.c", "drivers/char/mem.c", "lib/",
    "arch/x86/", "mm/slub.c", "mm/slab_common.c", "mm/page_alloc.c",
    "mm/vmalloc.c", "init/", "kernel/exit.c", "kernel/signal.c",
    "kernel/notifier.c", "kernel/reboot.c", "kernel/ksysfs.c",
)
# never patched at all: the machinery livepatching itself relies on, entry
# and idle code (RCU not watching), and boot-only directories
NO_PATCH = (
    "kernel/livepatch/", "kernel/trace/", "arch/x86/entry/", "arch/x86/boot/",
    "arch/x86/realmode/", "arch/x86/purgatory/", "arch/x86/kernel/ftrace",
    "kernel/stop_machine.c", "arch/x86/kernel/alternative.c",
    "arch/x86/kernel/nmi.c", "arch/x86/kernel/dumpstack", "kernel/sched/idle.c",
    "arch/x86/kernel/process.c", "kernel/context_tracking.c", "lib/stackdepot.c",
    "arch/x86/kernel/unwind_orc.c", "kernel/stacktrace.c", "kernel/extable.c",
    "arch/x86/kernel/traps.c", "kernel/kallsyms.c", "kernel/module/",
    "arch/x86/kernel/static_call.c", "kernel/static_call", "kernel/jump_label.c",
    "samples/", "scripts/", "tools/", "usr/",
)
DECL_KEYWORDS = ("return", "if", "while", "for", "switch", "do", "goto", "case",
                 "else", "break", "continue", "sizeof", "default", "asm", "__asm__")
DECL_RE = re.compile(
    r"^\t(?:(?:const|static|unsigned|signed|struct|union|enum|volatile|register|long|short)\s+)*"
    r"[A-Za-z_]\w*(?:\s+|\s*\*[\s*]*)(?:const\s+)?\**[A-Za-z_]\w*\s*(?:\[[^]]*\]\s*)*(?:=|;|,|\[|__\w+)"
)
DECL_MACRO_RE = re.compile(r"^\t(?:DEFINE_|DECLARE_|LIST_HEAD|LLIST_HEAD|HLIST_HEAD|CLASS\(|guard\()\w*")
PR_RE = re.compile(r'\b(pr_(?:err|warn|warning|notice|info|crit|alert|emerg)|printk|dev_(?:err|warn|info|notice))\s*\(')


def run(cmd):
    return subprocess.run(cmd, check=True, stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL, text=True, errors="replace").stdout


class Func:
    def __init__(self, name, sec, value, size, bind):
        self.name, self.sec, self.value, self.size, self.bind = name, sec, value, size, bind
        self.features = set()


def read_object(path):
    """Functions of an object, keyed by symbol name, with their features."""
    out = run(["readelf", "-W", "-S", "-s", "-r", path])
    secs = {}
    funcs = {}
    by_sec = {}
    objects = {}  # local OBJECT symbols: name -> (sec, value, size)
    mode = None
    cur_rela = None
    relas = {}
    for line in out.splitlines():
        if line.startswith("Section Headers:"):
            mode = "sec"
            continue
        if line.startswith("Symbol table '.symtab'"):
            mode = "sym"
            continue
        m = re.match(r"Relocation section '([^']+)'", line)
        if m:
            mode = "rel"
            cur_rela = m.group(1)
            relas[cur_rela] = []
            continue
        if mode == "sec":
            m = re.match(r"\s*\[\s*(\d+)\]\s+(\S+)\s+\S+\s+[0-9a-f]+\s+[0-9a-f]+\s+([0-9a-f]+)", line)
            if m:
                secs[int(m.group(1))] = m.group(2)
        elif mode == "sym":
            f = line.split()
            if len(f) < 8 or not f[0].endswith(":") or not f[0][:-1].isdigit():
                continue
            value, size, typ, bind, ndx, name = int(f[1], 16), int(f[2], 0), f[3], f[4], f[6], f[7]
            if not ndx.isdigit():
                continue
            sec = secs.get(int(ndx), "?")
            if typ == "FUNC":
                fn = Func(name, sec, value, size, bind)
                funcs[name] = fn
                by_sec.setdefault(sec, []).append(fn)
            elif typ == "OBJECT" and bind == "LOCAL":
                objects[name] = (sec, value, size)
        elif mode == "rel":
            f = line.split()
            if len(f) >= 7 and re.match(r"^[0-9a-f]{16}$", f[0]):
                # offset info type value name + addend
                target = f[4]
                addend = f[-1]
                sign = -1 if f[-2] == "-" else 1
                try:
                    addend = sign * int(addend, 16)
                except ValueError:
                    continue
                relas[cur_rela].append((int(f[0], 16), f[2], target, addend))
    for fns in by_sec.values():
        fns.sort(key=lambda fn: fn.value)

    def owner(sec, off):
        for fn in by_sec.get(sec, ()):
            if fn.value <= off < fn.value + max(fn.size, 1):
                return fn
        return None

    # __mcount_loc: ftrace call sites; table relocations: call-site features
    for rname, rels in relas.items():
        tsec = rname[len(".rela"):]
        feat = TABLES.get(tsec)
        if tsec == "__mcount_loc" or feat:
            for _, _, target, addend in rels:
                fn = owner(target, addend)
                if fn:
                    fn.features.add("fentry" if tsec == "__mcount_loc" else feat)
    # the code's own relocations: statics, indirect-call thunks, paravirt ops
    obj_by_sec = {}
    for oname, (osec, oval, osize) in objects.items():
        obj_by_sec.setdefault(osec, []).append((oval, osize, oname))

    def local_object(target, addend):
        """GNU as writes references to local objects as section + offset."""
        for off in (addend, addend + 4):
            for oval, osize, oname in obj_by_sec.get(target, ()):
                if oval <= off < oval + max(osize, 1):
                    return oname
        return target

    for rname, rels in relas.items():
        tsec = rname[len(".rela"):]
        if not (tsec == ".text" or tsec.startswith(".text.") or tsec.endswith(".text")):
            continue
        for off, typ, target, addend in rels:
            fn = owner(tsec, off)
            if not fn:
                continue
            target = local_object(target, addend)
            if target.startswith("__x86_indirect_thunk") or target.startswith("__x86_indirect_call_thunk"):
                fn.features.add("retpoline")
            elif target == "pv_ops":
                fn.features.add("paravirt")
            elif target.startswith("__SCT__"):
                fn.features.add("static_call")
            elif target in objects and NUMBERED_STATIC_RE.match(target) and not target.startswith("__func__") \
                    and not target.startswith("__already_done") and not target.startswith("__print_once") \
                    and not target.startswith("__key") and not target.startswith("__warned"):
                fn.features.add("static_local")
            elif target.startswith("__already_done") or target.startswith("__print_once") or target.startswith("__warned"):
                fn.features.add("once")
    for fn in funcs.values():
        m = CLONE_RE.match(fn.name)
        if m:
            fn.features.add(m.group("kind"))
        if fn.sec.startswith(".init.") or fn.sec.startswith(".exit."):
            fn.features.add("init")
        if fn.sec.startswith(".noinstr"):
            fn.features.add("noinstr")
    return funcs


class Def:
    """A function definition in a source file (0-based line numbers)."""

    def __init__(self, name, head, open_, close, header):
        self.name, self.head, self.open, self.close, self.header = name, head, open_, close, header


def parse_defs(lines):
    defs = {}
    dup = set()
    i = 0
    n = len(lines)
    while i < n:
        if lines[i].rstrip("\n") != "{":
            i += 1
            continue
        j = i - 1
        while j >= 0:
            s = lines[j].rstrip("\n")
            if not s.strip() or s.startswith("#") or s.rstrip().endswith(";") or s.rstrip().endswith("}") \
                    or s.rstrip().endswith("*/"):
                break
            j -= 1
        head = j + 1
        header = " ".join(l.strip() for l in lines[head:i])
        close = i + 1
        while close < n and lines[close].rstrip("\n") != "}":
            close += 1
        if close >= n:
            break
        m = re.search(r"([A-Za-z_]\w*)\s*\(", header)
        if header and m and "(*" not in header.split(m.group(0), 1)[0] and "=" not in header:
            name = m.group(1)
            sc = re.match(r"(?:COMPAT_)?SYSCALL_DEFINE\d\((\w+)", header)
            if sc:
                # the body is __do_sys_NAME (kept out of line, or inlined
                # into __x64_sys_NAME)
                name = ("__do_compat_sys_" if header.startswith("COMPAT") else "__do_sys_") + sc.group(1)
            if name in defs:
                dup.add(name)
            defs[name] = Def(name, head, i, close, header)
        i = close + 1
    for name in dup:
        del defs[name]
    return defs


def in_pp_block(lines, start, end):
    """Whether a conditional preprocessor block is open at @end, counting
    from @start."""
    depth = 0
    for s in lines[start:end]:
        t = s.lstrip()
        if re.match(r"#\s*if", t):
            depth += 1
        elif re.match(r"#\s*endif", t):
            depth -= 1
    return depth != 0


def is_decl(line):
    s = line.rstrip("\n")
    if DECL_MACRO_RE.match(s):
        return True
    m = DECL_RE.match(s)
    if not m:
        return False
    first = s.strip().split()[0].split("(")[0]
    return first not in DECL_KEYWORDS


def after_decls(lines, d):
    """Line index where a statement can be inserted at the top of the body,
    after the declarations, or None."""
    i = d.open + 1
    if i >= d.close:
        return None
    if not is_decl(lines[i]):
        s = lines[i].rstrip("\n")
        if s.startswith("\t") and not s.startswith("\t\t") and not s.startswith("#") and not s.endswith(":"):
            return i
        return None
    while i < d.close:
        s = lines[i].rstrip("\n")
        if s == "":
            return i + 1 if not in_pp_block(lines, d.open, i + 1) else None
        if s.startswith("\t\t") or s.startswith("\t ") or is_decl(lines[i]) or s.startswith("#"):
            i += 1
            continue
        if s.startswith("\t") and (s.rstrip().endswith(";") or s.rstrip().endswith(",")) \
                and re.match(r"^\t[A-Za-z_]\w*", s) and not s.strip().startswith(DECL_KEYWORDS):
            # a declaration of a typedef'd type the pattern missed
            i += 1
            continue
        return None
    return None


def before_final_return(lines, d):
    """Line index of the body's last top-level 'return ...;' when it is the
    final statement."""
    last = d.close - 1
    s = lines[last].rstrip("\n")
    if re.match(r"^\treturn\b.*;$", s) and not in_pp_block(lines, d.open, last):
        return last
    return None


def indent_block(text):
    return "".join("\t" + l + "\n" if l else "\n" for l in text.split("\n"))


class Gen:
    def __init__(self, args):
        self.args = args
        self.kbuild = os.path.realpath(args.kbuild)
        self.src = os.path.realpath(args.src)
        self.rng = random.Random(args.seed)
        self.patches = []
        self.used = set()
        self.header_users = {}  # header -> units that include it

    # ---------------------------------------------------------------- objects
    def objects(self):
        """(relative .c path, object path, target) for every compiled unit
        linked into vmlinux or a module."""
        linked = set()
        for p in run(["ar", "t", os.path.join(self.kbuild, "vmlinux.a")]).split():
            p = os.path.realpath(p) if os.path.isabs(p) else os.path.join(self.kbuild, p)
            linked.add(os.path.relpath(p, self.kbuild))
        mods = {}
        for root, _, files in os.walk(self.kbuild):
            for f in files:
                if f.endswith(".mod"):
                    rel = os.path.relpath(os.path.join(root, f), self.kbuild)
                    name = os.path.basename(rel)[:-4].replace("-", "_")
                    with open(os.path.join(root, f)) as fh:
                        for o in fh.read().split():
                            mods[o] = name
        units = []
        for root, _, files in os.walk(self.kbuild):
            for f in files:
                if not (f.startswith(".") and f.endswith(".o.cmd")):
                    continue
                obj = os.path.relpath(os.path.join(root, f[1:-4]), self.kbuild)
                if obj.startswith(NO_PATCH) or obj.startswith(("samples/", "scripts/", "tools/")):
                    continue
                target = "vmlinux" if obj in linked else mods.get(obj)
                if not target:
                    continue
                src = None
                deps = []
                with open(os.path.join(root, f), errors="replace") as fh:
                    for line in fh:
                        if line.startswith("source_"):
                            src = line.split(":=", 1)[1].strip()
                        elif line.startswith("  ") and line.strip().endswith(".h \\"):
                            deps.append(line.strip()[:-2].strip())
                if not src or not src.endswith(".c"):
                    continue
                rel = os.path.relpath(os.path.realpath(src), self.src)
                if rel.startswith("..") or rel.startswith(NO_PATCH):
                    continue
                units.append((rel, os.path.join(self.kbuild, obj), target))
                for h in deps:
                    h = os.path.relpath(os.path.realpath(h), self.src) if os.path.isabs(h) else h
                    if not h.startswith(".."):
                        self.header_users.setdefault(h, set()).add(rel)
        units.sort()
        return units

    # ------------------------------------------------------------- candidates
    def candidates(self):
        cands = []
        for rel, obj, target in self.objects():
            try:
                funcs = read_object(obj)
            except subprocess.CalledProcessError:
                continue
            with open(os.path.join(self.src, rel), errors="replace") as fh:
                lines = fh.readlines()
            defs = parse_defs(lines)
            # out-of-line symbols by source name: foo, foo.isra.0, foo.cold...
            by_base = {}
            for fn in funcs.values():
                m = CLONE_RE.match(fn.name)
                by_base.setdefault(m.group("base") if m else fn.name, []).append(fn)
            for name, d in defs.items():
                if name.startswith("__do_sys_") and name not in by_base:
                    name = "__x64_sys_" + name[len("__do_sys_"):]
                syms = by_base.get(name)
                if not syms:
                    continue
                feats = set()
                for fn in syms:
                    feats |= fn.features
                main = [fn for fn in syms if not fn.name.endswith(".cold") and ".cold." not in fn.name]
                if not main:
                    continue
                if "static inline" in d.header or "__always_inline" in d.header:
                    feats.add("inline_kept")
                if name.startswith(("__do_sys_", "__x64_sys_", "__do_compat_sys_")):
                    feats.add("syscall")
                if not any("fentry" in fn.features for fn in main) and "init" not in feats:
                    feats.add("notrace")
                cands.append({
                    "file": rel, "object": os.path.relpath(obj, self.kbuild), "target": target,
                    "function": name, "symbols": sorted(fn.name for fn in syms),
                    "features": sorted(feats), "def": d, "lines": lines,
                })
        return cands

    # ---------------------------------------------------------------- patches
    def emit(self, kind, cand, new_lines, expect, note=""):
        pid = "p%03d" % (len(self.patches) + 1)
        rel = cand["file"]
        new_lines = "".join(new_lines).splitlines(keepends=True)
        diff = difflib.unified_diff(cand["lines"], new_lines, "a/" + rel, "b/" + rel, n=3)
        text = "".join(diff)
        if not text:
            return None
        name = "%s-%s-%s" % (pid, kind, cand["function"][:40])
        with open(os.path.join(self.args.out, name + ".diff"), "w") as fh:
            fh.write(text)
        rec = {k: cand[k] for k in ("file", "object", "target", "function", "symbols", "features")}
        rec.update(id=pid, name=name, kind=kind, expect=expect, note=note,
                   module_name="lps_" + pid)
        self.patches.append(rec)
        self.used.add((rel, cand["function"]))
        return rec

    def printk_ok(self, cand):
        return not cand["file"].startswith(NO_PRINTK)

    def k_printk_once(self, c, pid):
        d, lines = c["def"], c["lines"]
        at = after_decls(lines, d)
        if at is None or not self.printk_ok(c):
            return None
        ins = '\tpr_info_once("lpstress %s: %%s\\n", __func__);\n' % pid
        return self.emit("printk_once", c, lines[:at] + [ins] + lines[at:], "built")

    def k_helper_call(self, c, pid):
        d, lines = c["def"], c["lines"]
        at = before_final_return(lines, d)
        where = "return"
        if at is None:
            at = after_decls(lines, d)
            where = "top"
        if at is None:
            return None
        helper = ("static unsigned long lpstress_hits_%s;\n\n"
                  "static noinline void lpstress_hit_%s(void)\n{\n"
                  "\tWRITE_ONCE(lpstress_hits_%s, READ_ONCE(lpstress_hits_%s) + 1);\n}\n\n") % ((pid,) * 4)
        call = "\tlpstress_hit_%s();\n" % pid
        new = lines[:d.head] + [helper] + lines[d.head:at] + [call] + lines[at:]
        return self.emit("helper_call", c, new, "built", "call inserted at " + where)

    def k_static_counter(self, c, pid):
        d, lines = c["def"], c["lines"]
        at = after_decls(lines, d)
        if at is None:
            return None
        ins = "\t{\n\t\tstatic unsigned int lpstress_calls_%s;\n\n\t\tWRITE_ONCE(lpstress_calls_%s, lpstress_calls_%s + 1);\n\t}\n" % (pid, pid, pid)
        return self.emit("static_counter", c, lines[:at] + [ins] + lines[at:], "built")

    def k_warn_guard(self, c, pid):
        d, lines = c["def"], c["lines"]
        m = re.match(r"^(?:static\s+)?(?:noinline\s+)?int\s+[A-Za-z_]\w*\s*\(\s*(?:const\s+)?struct\s+\w+\s*\*\s*(\w+)\s*[,)]", d.header)
        if not m or "inline" in d.header:
            return None
        at = after_decls(lines, d)
        if at is None:
            return None
        ins = "\tif (WARN_ON_ONCE(!%s))\n\t\treturn -EINVAL;\n" % m.group(1)
        if at < len(lines) and lines[at].strip():
            ins += "\n"
        return self.emit("warn_guard", c, lines[:at] + [ins] + lines[at:], "built")

    def k_string(self, c, pid):
        d, lines = c["def"], c["lines"]
        for i in range(d.open + 1, d.close):
            s = lines[i]
            m = PR_RE.search(s)
            if not m:
                continue
            q = s.find('"', m.end())
            if q < 0 or s[m.end():q].strip(" ") not in ("", "KERN_ERR ", "KERN_WARNING ", "KERN_INFO ", "KERN_NOTICE ") \
                    and not re.match(r'^\s*(?:KERN_\w+\s*)?$', s[m.end():q]) and not re.match(r'^\s*\w+\s*,\s*$', s[m.end():q]):
                continue
            if in_pp_block(lines, d.open, i):
                continue
            new = s[:q + 1] + "lpstress: " + s[q + 1:]
            return self.emit("string", c, lines[:i] + [new] + lines[i + 1:], "built")
        return None

    def k_line_shift(self, c, pid):
        d, lines = c["def"], c["lines"]
        # blank lines and a comment above the function move every later
        # __LINE__ in the file: no functional change
        ins = "/*\n * lp-stress %s: a comment that only moves line numbers.\n */\n\n" % pid
        return self.emit("line_shift", c, lines[:d.head] + [ins] + lines[d.head:], "nochange")

    def k_comment(self, c, pid):
        d, lines = c["def"], c["lines"]
        for i in range(d.open + 1, d.close):
            s = lines[i].rstrip("\n")
            if re.match(r"^\t+[^\t/*#].*;$", s) and "/*" not in s and "//" not in s and '"' not in s:
                new = s + " /* lp-stress %s */\n" % pid
                return self.emit("comment", c, lines[:i] + [new] + lines[i + 1:], "nochange")
        return None

    def k_init_change(self, c, pid):
        d, lines = c["def"], c["lines"]
        at = after_decls(lines, d)
        if at is None:
            return None
        ins = '\tpr_info("lpstress %s: %%s\\n", __func__);\n' % pid
        return self.emit("init_change", c, lines[:at] + [ins] + lines[at:], "refused",
                         "__init code cannot be live-patched")

    def k_pr_debug(self, c, pid):
        d, lines = c["def"], c["lines"]
        at = after_decls(lines, d)
        if at is None:
            return None
        ins = '\tpr_debug("lpstress %s: %%s\\n", __func__);\n' % pid
        # without DEBUG/DYNAMIC_DEBUG pr_debug() compiles to nothing
        return self.emit("pr_debug", c, lines[:at] + [ins] + lines[at:], "config",
                         "nochange without DYNAMIC_DEBUG; built (vmlinux) with it")

    def header_kinds(self, n):
        """A static inline function of a header only a few built units
        include: every function it is inlined into changes."""
        hdrs = sorted(h for h, u in self.header_users.items()
                      if 2 <= len(u) <= 4 and not h.startswith(("include/generated", "arch/x86/include/generated"))
                      and not any(u2.startswith(NO_PATCH) for u2 in u))
        self.rng.shuffle(hdrs)
        got = 0
        for h in hdrs:
            if got >= n:
                break
            path = os.path.join(self.src, h)
            if not os.path.exists(path):
                continue
            with open(path, errors="replace") as fh:
                lines = fh.readlines()
            defs = [d for d in parse_defs(lines).values()
                    if "static inline" in d.header and "__always_inline" not in d.header]
            if not defs:
                continue
            d = self.rng.choice(defs)
            at = after_decls(lines, d)
            if at is None:
                continue
            pid = "p%03d" % (len(self.patches) + 1)
            cand = {"file": h, "object": "", "target": "vmlinux", "function": d.name, "symbols": [],
                    "features": ["header", "units=%d" % len(self.header_users[h])], "def": d,
                    "lines": lines}
            # a minimal code change that needs no include of its own
            ins = '\tasm volatile("nop"); /* lp-stress %s */\n' % pid
            if self.emit("header_inline", cand, lines[:at] + [ins] + lines[at:], "maybe",
                         "units: " + " ".join(sorted(self.header_users[h]))):
                got += 1

    KINDS = {
        "printk_once": k_printk_once,
        "helper_call": k_helper_call,
        "static_counter": k_static_counter,
        "warn_guard": k_warn_guard,
        "string": k_string,
        "line_shift": k_line_shift,
        "comment": k_comment,
        "pr_debug": k_pr_debug,
    }

    def group(self, c):
        if c["target"] != "vmlinux":
            return "module"
        top = c["file"].split("/")[0]
        if c["file"].startswith("arch/x86/"):
            return "arch/x86"
        return top if top in ("fs", "kernel", "mm", "lib", "drivers", "block", "security", "crypto", "ipc", "net") else "other"

    def generate(self):
        cands = self.candidates()
        total = len(cands)
        self.rng.shuffle(cands)
        ok = [c for c in cands if "notrace" not in c["features"] and "init" not in c["features"]
              and "noinstr" not in c["features"]]
        inits = [c for c in cands if "init" in c["features"] and "noinstr" not in c["features"]]
        target = self.args.count
        # quotas: every feature of interest, every directory group, every kind
        feats = ["cold", "part", "isra", "constprop", "static_local", "once", "jump_label", "bug",
                 "extable", "alternative", "paravirt", "static_call", "retpoline", "smp_lock",
                 "inline_kept", "syscall"]
        groups = ["fs", "kernel", "mm", "lib", "drivers", "arch/x86", "block", "security", "crypto", "module"]
        main_kinds = ["printk_once", "helper_call", "static_counter", "string", "warn_guard"]
        seen = set()
        kind_count = {}

        def patch_one(c):
            pid = "p%03d" % (len(self.patches) + 1)
            order = sorted(main_kinds, key=lambda k: (kind_count.get(k, 0), self.rng.random()))
            for k in order:
                if self.KINDS[k](self, c, pid):
                    kind_count[k] = kind_count.get(k, 0) + 1
                    return True
            return False

        def take(pool, n):
            got = 0
            for c in pool:
                if got >= n:
                    break
                key = (c["file"], c["function"])
                files = sum(1 for p in self.patches if p["file"] == c["file"])
                if key in seen or files >= (2 if c["target"] == "vmlinux" else 5):
                    continue
                seen.add(key)
                if patch_one(c):
                    got += 1

        for f in feats:
            take([c for c in ok if f in c["features"]], self.args.per_feature)
        for g in groups:
            take([c for c in ok if self.group(c) == g], self.args.per_group)
        take(ok, max(0, target - len(self.patches)))
        # no-change and refusal kinds, a few of each
        rest = [c for c in ok if (c["file"], c["function"]) not in self.used]
        for k in ("line_shift", "comment", "pr_debug"):
            got = 0
            for c in rest:
                if (c["file"], c["function"]) in self.used:
                    continue
                if k == "line_shift" and not ({"bug", "once"} & set(c["features"])) and got < self.args.extra_kinds // 2:
                    continue
                pid = "p%03d" % (len(self.patches) + 1)
                if self.KINDS[k](self, c, pid):
                    got += 1
                if got >= self.args.extra_kinds:
                    break
        self.header_kinds(self.args.extra_kinds // 2)
        got = 0
        for c in inits:
            pid = "p%03d" % (len(self.patches) + 1)
            if self.k_init_change(c, pid):
                got += 1
            if got >= 3:
                break
        return total

    def write_manifest(self, total):
        with open(os.path.join(self.args.out, "manifest.json"), "w") as fh:
            json.dump({"kbuild": self.kbuild, "src": self.src, "seed": self.args.seed,
                       "candidates": total, "patches": self.patches}, fh, indent=1)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--kbuild", required=True, help="kbuild output directory of the target (test kernel)")
    ap.add_argument("--src", required=True, help="the kernel source (never written)")
    ap.add_argument("--out", required=True, help="directory for the patches and manifest.json")
    ap.add_argument("--count", type=int, default=150, help="patches of the code-changing kinds (about)")
    ap.add_argument("--per-feature", type=int, default=6, help="functions per feature (clones, tables...)")
    ap.add_argument("--per-group", type=int, default=6, help="functions per directory group")
    ap.add_argument("--extra-kinds", type=int, default=8, help="patches per no-change / pr_debug kind")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for f in os.listdir(args.out):
        if f.endswith(".diff") or f == "manifest.json":
            os.unlink(os.path.join(args.out, f))
    g = Gen(args)
    total = g.generate()
    g.write_manifest(total)
    kinds = {}
    for p in g.patches:
        kinds[p["kind"]] = kinds.get(p["kind"], 0) + 1
    print("gen-patches: %d candidate functions, %d patches in %s (%s)" % (
        total, len(g.patches), args.out, ", ".join("%s %d" % kv for kv in sorted(kinds.items()))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
