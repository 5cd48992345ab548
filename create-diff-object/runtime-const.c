// SPDX-License-Identifier: GPL-2.0-only
/* Runtime constants (6.11+, runtime_ptr_<var> and runtime_shift_<var>): code
 * the kernel patches at boot in vmlinux only, so a livepatch copy of it
 * must read the variable instead, or cannot be made. */
#include <string.h>

#include "cdo.h"
#include "log.h"
#include "special.h"

/*
 * runtime_const_ptr(USER_PTR_MAX) (every access_ok() of 6.12's vmlinux)
 * compiles to "movabs $0x0123456789abcdef, %reg", and the table entry
 * points at the 8-byte immediate, which runtime_const_init() overwrites at
 * boot with the variable's value. Nothing does that for a module: the
 * copy would compare user pointers against the placeholder. It is turned
 * into what the same source compiles to in a module, a load of the
 * variable: "mov var(%rip), %reg" (7 bytes) and a 3-byte NOP.
 */
static int rewrite_ptr(struct cdo *c, struct lpb_section *out, uint64_t imm, const char *var,
		       const char *func)
{
	unsigned char *b = out->data;
	unsigned char rex, op;

	if (imm < 2 || imm + 8 > out->size || !b)
		goto unknown;
	rex = b[imm - 2];
	op = b[imm - 1];
	/* REX.W (+B for r8-r15), then B8+r */
	if ((rex & 0xfe) != 0x48 || (op & 0xf8) != 0xb8)
		goto unknown;
	b[imm - 2] = 0x48 | (rex & 1 ? 0x04 : 0); /* REX.W, + R for r8-r15 */
	b[imm - 1] = 0x8b; /* mov r/m64, r64 */
	b[imm] = 0x05 | (op & 7) << 3; /* ModRM: RIP-relative, reg */
	memset(b + imm + 1, 0, 4); /* disp32: the relocation */
	b[imm + 5] = 0x0f; /* nopl (%rax) */
	b[imm + 6] = 0x1f;
	b[imm + 7] = 0x00;
	/* the displacement counts from the end of the 7-byte mov: 4 bytes
	 * after the field, and the NOP follows */
	return cdo_emit_named_reloc(c, out, imm + 1, R_X86_64_PC32, -4, var);
unknown:
	cdo_refuse(c, func,
		   "report this object to the lp-build developers: this instruction form is not one lp-build knows",
		   "%s uses the runtime constant %s, but the instruction at 0x%llx of %s is not the movabs that runtime_const_ptr() emits",
		   func, var, (unsigned long long)imm, out->name);
	return 0;
}

int cdo_runtime_const(struct cdo *c, struct cdo_table *t, size_t k)
{
	const char *name = t->sec->name, *var = name + strlen(t->d->name);
	struct lpb_symbol *f = c->patched->syms[t->owner[k]];
	struct lpb_reloc **r;
	struct lpb_section *place;
	int64_t at;
	size_t n;

	r = cdo_relocs_in(t->sec, k * t->entsize, (k + 1) * t->entsize, &n);
	if (n != 1 || !(place = cdo_reloc_place(r[0], &at)) || !S(place)->out) {
		lpb_err("%s: %s: entry %zu does not point into copied code", c->patched->path,
			name, k);
		return -1;
	}
	if (!strcmp(t->d->name, "runtime_ptr_"))
		return rewrite_ptr(c, S(place)->out, at, var, f->name);
	/* runtime_const_shift_right_32(): "shrl $imm8" whose count is
	 * patched; a copy cannot take it from the variable in place */
	cdo_refuse(c, f->name,
		   "leave this function unchanged and patch its callers, or compute with the variable itself (e.g. d_hash_shift) instead of the runtime_const_*() macro in the patched code",
		   "%s uses the runtime constant %s (section %s): the kernel patches those at boot in vmlinux only, so a copy in a livepatch module would keep the placeholder",
		   f->name, var, name);
	return 0;
}
