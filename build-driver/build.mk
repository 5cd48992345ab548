# SPDX-License-Identifier: GPL-2.0-only
# build-driver: the lp-build command.

LPB_SRCS := build-driver/main.c build-driver/build.c build-driver/manifest.c \
	    build-driver/tree.c build-driver/patchset.c build-driver/units.c \
	    build-driver/includes.c build-driver/target.c build-driver/preflight.c \
	    build-driver/kmod.c build-driver/keygen.c build-driver/run.c \
	    build-driver/kpatch-compat.c build-driver/target-units.c \
	    build-driver/util.c build-driver/loadcheck.c build-driver/publish.c \
	    build-driver/repo-store.c build-driver/buildroot.c build-driver/targetfile.c \
	    build-driver/locate.c build-driver/jobserver.c build-driver/batch.c \
	    build-driver/batch-run.c build-driver/batch-report.c build-driver/unitcache.c \
	    build-driver/locate.c build-driver/overlay.c build-driver/objcache.c \
	    build-driver/compile.c build-driver/kbuild-dirs.c build-driver/progress.c \
	    build-driver/inline-index.c build-driver/header-changes.c \
	    build-driver/preprocess.c build-driver/cache-cmd.c \
	    build-driver/macro-uses.c build-driver/select.c \
	    build-driver/diff-stage.c build-driver/recipe.c build-driver/linkcache.c
LPB_OBJS := $(LPB_SRCS:%.c=$(O)/%.o)

$(O)/lp-build: $(LPB_OBJS) $(LIBLPB)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(LPB_SRCS:%.c=$(O)/%.o): CFLAGS += -Ibuild-driver

all: $(O)/lp-build

.PHONY: lpb-bench
lpb-bench: $(O)/lp-build $(O)/create-diff-object
	bash build-driver/bench.sh
bench: lpb-bench

# the pre-flight comparison on its own (test-patches/unit/preflight.sh)
PREFLIGHT_CHECK := $(O)/unit/preflight-check
$(PREFLIGHT_CHECK): $(O)/build-driver/tests/preflight-check.o $(O)/build-driver/preflight.o $(LIBLPB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)
$(O)/build-driver/tests/preflight-check.o: CFLAGS += -Ibuild-driver

# header patches at scale on Debian's 6.1 cloud kernel (issue 11): not part
# of `make bench` (it downloads the target once and compiles for minutes)
.PHONY: bench-header
bench-header: $(O)/lp-build $(O)/create-diff-object
	bash build-driver/bench-header.sh $(BENCH_HEADER_CASES)

# host-side lp-build tests on the test kernel (no VM), part of `make integration`
.PHONY: lpb-host-tests
lpb-host-tests: $(O)/lp-build $(O)/create-diff-object
	bash build-driver/tests/host-tests.sh
integration: lpb-host-tests

# in-process tests of the patch parser, part of `make unit`
LPB_UNIT := $(O)/build-driver/tests/unit-patchset
$(O)/build-driver/tests/unit-patchset.o: CFLAGS += -Ibuild-driver
$(LPB_UNIT): $(O)/build-driver/tests/unit-patchset.o $(O)/build-driver/patchset.o \
	     $(O)/build-driver/util.o $(O)/build-driver/run.o \
	     $(O)/build-driver/overlay.o $(LIBLPB)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

# in-process tests of the header patch classifier
LPB_UNIT_HC := $(O)/build-driver/tests/unit-header-changes
$(O)/build-driver/tests/unit-header-changes.o: CFLAGS += -Ibuild-driver
$(LPB_UNIT_HC): $(O)/build-driver/tests/unit-header-changes.o \
		$(O)/build-driver/header-changes.o $(O)/build-driver/util.o $(LIBLPB)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

# in-process tests of finding where changed macros are used
LPB_UNIT_MU := $(O)/build-driver/tests/unit-macro-uses
$(O)/build-driver/tests/unit-macro-uses.o: CFLAGS += -Ibuild-driver
$(LPB_UNIT_MU): $(O)/build-driver/tests/unit-macro-uses.o $(O)/build-driver/macro-uses.o \
		$(O)/build-driver/header-changes.o $(O)/build-driver/util.o $(LIBLPB)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

# in-process tests of reading kbuild's commands for one unit (recipe.c)
LPB_UNIT_RC := $(O)/build-driver/tests/unit-recipe
$(O)/build-driver/tests/unit-recipe.o: CFLAGS += -Ibuild-driver
$(LPB_UNIT_RC): $(O)/build-driver/tests/unit-recipe.o \
		$(filter-out $(O)/build-driver/main.o,$(LPB_OBJS)) $(LIBLPB)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

# in-process tests of the MAKEFLAGS of a batch's jobserver (jobserver.c)
LPB_UNIT_JS := $(O)/build-driver/tests/unit-jobserver
$(O)/build-driver/tests/unit-jobserver.o: CFLAGS += -Ibuild-driver
$(LPB_UNIT_JS): $(O)/build-driver/tests/unit-jobserver.o \
		$(filter-out $(O)/build-driver/main.o,$(LPB_OBJS)) $(LIBLPB)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

.PHONY: lpb-unit
lpb-unit: $(LPB_UNIT) $(LPB_UNIT_HC) $(LPB_UNIT_MU) $(LPB_UNIT_RC) $(LPB_UNIT_JS)
	$(LPB_UNIT)
	$(LPB_UNIT_HC)
	$(LPB_UNIT_MU)
	$(LPB_UNIT_RC)
	$(LPB_UNIT_JS)
unit: lpb-unit
