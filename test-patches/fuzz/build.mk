# SPDX-License-Identifier: GPL-2.0-only
# test-patches/fuzz: libFuzzer targets (clang) for what users feed in: the
# ELF reader, create-diff-object on pairs of objects, lp-build's patch
# parser and line pinning, and lpctl's readers (manifest, module signature,
# .modinfo, state files, a patch repository's index).
# `make fuzz` runs each for FUZZ_SECONDS; `make unit` runs each briefly.

FUZZ := test-patches/fuzz
FUZZ_CC ?= clang-14
FUZZ_DIR := $(O)/fuzz
FUZZ_OBJ := $(FUZZ_DIR)/obj
# -fno-sanitize-recover: an undefined-behaviour report stops the run like a
# crash, so "no crash" also means "no sanitizer report"
FUZZ_CFLAGS := -g -O1 -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all \
	       -std=gnu11 -D_GNU_SOURCE -Ilib $(PKG_CFLAGS) -DLPB_VERSION='"$(LPB_VERSION)"'
FUZZ_LDFLAGS := -fsanitize=fuzzer,address,undefined

FUZZERS := elf cdo patch linepin manifest modsign modinfo state repoindex

# the code under test, built once with the fuzzing instrumentation; each
# part with its own include path (lpctl/ and build-driver/ both have util.h)
$(FUZZ_OBJ)/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_INC) -MMD -MP -c -o $@ $<

$(FUZZ_OBJ)/lpctl/%.o: FUZZ_INC := -Ilpctl
$(FUZZ_OBJ)/build-driver/%.o: FUZZ_INC := -Ibuild-driver
$(FUZZ_OBJ)/create-diff-object/%.o: FUZZ_INC := -Icreate-diff-object
$(FUZZ_OBJ)/$(FUZZ)/fuzz-cdo.o: FUZZ_INC := -Icreate-diff-object
$(FUZZ_OBJ)/$(FUZZ)/fuzz-patch.o: FUZZ_INC := -Ibuild-driver
$(FUZZ_OBJ)/$(FUZZ)/fuzz-manifest.o $(FUZZ_OBJ)/$(FUZZ)/fuzz-modsign.o \
	$(FUZZ_OBJ)/$(FUZZ)/fuzz-modinfo.o $(FUZZ_OBJ)/$(FUZZ)/fuzz-state.o: FUZZ_INC := -Ilpctl

fuzz_objs = $(patsubst %.c,$(FUZZ_OBJ)/%.o,$(1))

FUZZ_LINK_elf := $(LIB_SRCS)
FUZZ_LINK_cdo := $(filter-out create-diff-object/main.c,$(CDO_SRCS)) $(LIB_SRCS) \
		 $(FUZZ)/elf-mutate.c
FUZZ_LINK_patch := build-driver/patchset.c build-driver/util.c build-driver/run.c build-driver/overlay.c $(LIB_SRCS)
FUZZ_LINK_linepin := lib/line-pin.c
FUZZ_LINK_repoindex := lib/repo-index.c lib/json.c lib/log.c
# no network in a fuzzer: the file://-only fetcher
FUZZ_LPCTL := $(LPCTL_SRCS) $(LPCTL_LIB_SRCS) lpctl/fetch-nocurl.c
FUZZ_LINK_manifest := $(FUZZ_LPCTL)
FUZZ_LINK_modsign := $(FUZZ_LPCTL)
FUZZ_LINK_modinfo := $(FUZZ_LPCTL)
FUZZ_LINK_state := $(FUZZ_LPCTL)

define fuzz_target
$(FUZZ_DIR)/fuzz-$(1): $(call fuzz_objs,$(FUZZ)/fuzz-$(1).c $(FUZZ_LINK_$(1)))
	$(FUZZ_CC) $(FUZZ_LDFLAGS) -o $$@ $$^ $(LDLIBS)
endef
$(foreach f,$(FUZZERS),$(eval $(call fuzz_target,$(f))))

FUZZ_BINS := $(FUZZERS:%=$(FUZZ_DIR)/fuzz-%)
.PHONY: fuzz fuzz-short fuzz-build
fuzz-build: $(FUZZ_BINS)

# FUZZ_SECONDS per fuzzer for `make fuzz`; FUZZERS_RUN picks some of them
FUZZ_SECONDS ?= 120
FUZZERS_RUN ?= $(FUZZERS)
# FUZZ_RUNS=N stops each at N executions (within FUZZ_SECONDS)
fuzz: $(FUZZ_BINS)
	FUZZ_RUNS=$(FUZZ_RUNS) bash $(FUZZ)/fuzz.sh $(abspath $(FUZZ_DIR)) $(FUZZ_SECONDS) $(FUZZERS_RUN)

# the short run of `make unit`: the regression inputs, then a few seconds each
fuzz-short: $(FUZZ_BINS) | cdo-fixtures
	bash $(FUZZ)/fuzz.sh $(abspath $(FUZZ_DIR)) 4 $(FUZZERS)

unit: fuzz-short
