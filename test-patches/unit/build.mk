# SPDX-License-Identifier: GPL-2.0-only
# test-patches/unit: create-diff-object fixtures, in-process lib/ tests, the
# ELF reader fuzzer, sanitizer builds, the real-kernel run and the benchmark.

UNIT := test-patches/unit
OBJCHECK := $(O)/unit/objcheck
LIBTEST := $(O)/unit/lib-test

$(O)/unit/%.o: $(UNIT)/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(OBJCHECK): $(O)/unit/objcheck.o $(LIBLPB)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(LIBTEST): $(O)/unit/lib-test.o $(LIBLPB)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

# renumbers a fixture's patched.c the way lp-build renumbers patched sources
LINEPIN := $(O)/unit/line-pin
$(LINEPIN): $(O)/unit/line-pin.o $(LIBLPB)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

.PHONY: cdo-unit-tests cdo-fixtures cdo-lib-tests cdo-malformed cdo-fuzz-short cdo-bench cdo-real-kernel

cdo-fixtures: $(CDO) $(OBJCHECK) $(LINEPIN)
	bash $(UNIT)/run-fixtures.sh $(abspath $(CDO)) $(abspath $(OBJCHECK)) $(abspath $(O))/unit/fixtures

cdo-lib-tests: $(LIBTEST)
	$(LIBTEST) $(abspath $(O))/unit/lib-test-work

cdo-malformed: $(CDO)
	bash $(UNIT)/malformed.sh $(abspath $(CDO)) $(abspath $(O))/unit/malformed

cdo-unit-tests: cdo-lib-tests cdo-fixtures cdo-malformed cdo-fuzz-short

unit: cdo-unit-tests

# ---- libFuzzer target for the ELF reader (clang) ----
FUZZ_CC ?= clang-14
FUZZ_DIR := $(O)/fuzz
FUZZ_BIN := $(FUZZ_DIR)/fuzz-elf
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -std=gnu11 -D_GNU_SOURCE -Ilib $(PKG_CFLAGS)

$(FUZZ_BIN): $(UNIT)/fuzz-elf.c $(LIB_SRCS) lib/*.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $(UNIT)/fuzz-elf.c $(LIB_SRCS) $(LDLIBS)

# FUZZ_SECONDS: how long `make fuzz` runs (the unit run does a short one)
FUZZ_SECONDS ?= 120
fuzz: $(FUZZ_BIN)
	bash $(UNIT)/fuzz.sh $(abspath $(FUZZ_BIN)) $(abspath $(FUZZ_DIR)) $(FUZZ_SECONDS)

cdo-fuzz-short: $(FUZZ_BIN)
	bash $(UNIT)/fuzz.sh $(abspath $(FUZZ_BIN)) $(abspath $(FUZZ_DIR)) 20

# ---- ASan/UBSan: everything rebuilt in its own tree, unit tests run there ----
asan:
	$(MAKE) O=$(O)/asan EXTRA_CFLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer" \
		LDLIBS="$(LDLIBS) -fsanitize=address,undefined" \
		cdo-lib-tests cdo-fixtures cdo-malformed

# ---- real kernel objects and the benchmark ----
cdo-real-kernel: $(CDO)
	bash $(UNIT)/real-kernel.sh $(abspath $(CDO))

integration: cdo-real-kernel

cdo-bench: $(CDO)
	bash $(UNIT)/bench.sh $(abspath $(CDO))

bench: cdo-bench
