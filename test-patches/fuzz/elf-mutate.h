/* SPDX-License-Identifier: GPL-2.0-only */
/* Structure-aware mutation of an x86-64 relocatable object (fuzzers of
 * create-diff-object): header, symbol, relocation and section mutations. */
#ifndef LPB_FUZZ_ELF_MUTATE_H
#define LPB_FUZZ_ELF_MUTATE_H

#include <stddef.h>
#include <stdint.h>

/*
 * Mutates @obj (@len bytes, room for @max) in place and returns its new
 * length. @twin (may be NULL) is the other object of the pair, a source of
 * same-named sections for cross-over. Bytes that are not an x86-64 ELF get
 * libFuzzer's own mutations.
 */
size_t elf_mutate(uint8_t *obj, size_t len, size_t max, const uint8_t *twin, size_t twin_len,
		  uint32_t seed);

#endif /* LPB_FUZZ_ELF_MUTATE_H */
