# SPDX-License-Identifier: GPL-2.0-only
# test-patches/unit: create-diff-object fixtures, in-process lib/ tests,
# sanitizer builds, the real-kernel run and the benchmark (fuzzers: ../fuzz).

UNIT := test-patches/unit
OBJCHECK := $(O)/unit/objcheck
ADDPFX := $(O)/unit/addpfx
LIBTEST := $(O)/unit/lib-test

$(O)/unit/%.o: $(UNIT)/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(OBJCHECK): $(O)/unit/objcheck.o $(LIBLPB)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(ADDPFX): $(O)/unit/addpfx.o $(LIBLPB)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(LIBTEST): $(O)/unit/lib-test.o $(LIBLPB)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

# renumbers a fixture's patched.c the way lp-build renumbers patched sources
LINEPIN := $(O)/unit/line-pin
$(LINEPIN): $(O)/unit/line-pin.o $(LIBLPB)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

.PHONY: cdo-unit-tests cdo-fixtures cdo-lib-tests cdo-malformed cdo-bench cdo-real-kernel

# compiled fixture objects, shared with the sanitizer run (make asan)
FIXTURE_CC_CACHE ?= $(abspath $(O))/unit/fixture-cc

cdo-fixtures: $(CDO) $(OBJCHECK) $(LINEPIN) $(ADDPFX)
	FIXTURE_CC_CACHE=$(FIXTURE_CC_CACHE) ADDPFX=$(abspath $(ADDPFX)) bash $(UNIT)/run-fixtures.sh $(abspath $(CDO)) $(abspath $(OBJCHECK)) $(abspath $(O))/unit/fixtures

cdo-lib-tests: $(LIBTEST)
	$(LIBTEST) $(abspath $(O))/unit/lib-test-work

cdo-malformed: $(CDO)
	bash $(UNIT)/malformed.sh $(abspath $(CDO)) $(abspath $(O))/unit/malformed

# the pre-flight comparison per profile (padding, ENDBR sealing, mismatches)
.PHONY: cdo-preflight
cdo-preflight: $(CDO) $(PREFLIGHT_CHECK) $(ADDPFX)
	bash $(UNIT)/preflight.sh $(abspath $(CDO)) $(abspath $(PREFLIGHT_CHECK)) $(abspath $(ADDPFX)) $(abspath $(O))/unit/preflight

cdo-unit-tests: cdo-lib-tests cdo-fixtures cdo-malformed cdo-preflight

unit: cdo-unit-tests

# ---- ASan/UBSan: everything rebuilt in its own tree, unit tests run there ----
asan:
	$(MAKE) O=$(O)/asan EXTRA_CFLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer" \
		LDLIBS="$(LDLIBS) -fsanitize=address,undefined" FIXTURE_CC_CACHE=$(FIXTURE_CC_CACHE) \
		cdo-lib-tests cdo-fixtures cdo-malformed lpb-unit

# ---- real kernel objects and the benchmark ----
cdo-real-kernel: $(CDO)
	bash $(UNIT)/real-kernel.sh $(abspath $(CDO))

integration: cdo-real-kernel

cdo-bench: $(CDO)
	bash $(UNIT)/bench.sh $(abspath $(CDO))

bench: cdo-bench
