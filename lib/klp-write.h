/* SPDX-License-Identifier: GPL-2.0-only */
/* The post-link step: turn the .lpb.relocs metadata of a linked livepatch
 * module into the kernel's .klp.rela.* sections and .klp.sym.* symbols. */
#ifndef LPB_KLP_WRITE_H
#define LPB_KLP_WRITE_H

#include <stddef.h>

struct lpb_klp_stats {
	size_t relocs; /* livepatch relocations written */
	size_t symbols; /* distinct .klp.sym.* symbols */
	size_t sections; /* .klp.rela.* sections */
};

/*
 * Read the linked module @in, write @out (may equal @in; written atomically)
 * with one .klp.rela.<obj>.<section> per (object, relocated section) and
 * one SHN_LIVEPATCH symbol .klp.sym.<obj>.<name>,<sympos> per target, then
 * drop every .lpb.* section. Returns 0 or a negative errno after a message.
 */
int lpb_klp_postlink(const char *in, const char *out, struct lpb_klp_stats *stats);

#endif /* LPB_KLP_WRITE_H */
