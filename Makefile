# SPDX-License-Identifier: GPL-2.0-only
# lp-build: top-level build. Each part adds its rules in its own build.mk;
# outputs go to build/ (override with O=).

O ?= build
CC ?= gcc
PKGS := libelf libdw zlib libcrypto
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lelf -ldw -lz -lcrypto)
CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 -Wall -Wextra -Wno-unused-parameter -Wno-sign-compare \
	  -Wmissing-prototypes -D_GNU_SOURCE -Ilib $(PKG_CFLAGS) $(EXTRA_CFLAGS)
LDLIBS += $(PKG_LIBS)
LPB_VERSION := $(shell cat VERSION)
CFLAGS += -DLPB_VERSION='"$(LPB_VERSION)"'

.PHONY: all clean deps unit integration integration-selftest integration-distro integration-matrix integration-matrix-check integration-batch ci-pipelines check demo bench bench-distro bench-batch fuzz asan stress real-fixes real-fixes-check
all:

# every object depends on its headers through -MMD
$(O)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

include lib/build.mk
include create-diff-object/build.mk
include build-driver/build.mk
include test-patches/unit/build.mk
include lpctl/build.mk
include test-patches/fuzz/build.mk

-include $(shell find $(O) -name '*.d' -type f 2>/dev/null)

deps:
	bash integration/install-deps.sh

# unit tests: lib/ in-process tests and create-diff-object fixtures
unit: all

# the real-kernel harness: builds the test kernel once (cached), boots it
integration: all
	bash integration/run.sh

# the harness's own test: fixtures that must pass or fail in known ways
integration-selftest:
	bash integration/selftest.sh

# the same on Debian's own 6.1 cloud kernel (downloaded, cached), and
# cross-kernel refusals (doc/distro-kernels.md)
integration-distro: all
	bash integration/distro.sh --series bookworm-6.1

# the same on the Debian series lp-build knows (5.10, 6.1, 6.12 of Debian
# 12 and 13; build-driver/debian-series.conf), each on its own kernel: those
# the table marks ci=yes (the others are named with the reason), or with
# MATRIX_SERIES=all every one; every test of the suite on each
MATRIX_SERIES ?= ci
integration-matrix: all
	bash integration/distro.sh --series "$(MATRIX_SERIES)"

# what make check runs of it: the ci=yes series, each with the tests its
# table entry names in check_tests (the whole suite when it names none)
integration-matrix-check: all
	bash integration/distro.sh --series ci --check

# one fix for three Debian 6.1 ABIs and Debian 13's 6.12 in one lp-build run,
# one failing on purpose (test-patches/batch/targets): the summary and exit code
# checked, the built modules booted in their own kernels (doc/testing.md)
integration-batch: all
	bash integration/batch.sh

# the CI examples of doc/ci-pipelines.md (GitHub Actions, GitLab CI), their
# jobs run here one after the other: plan, a build per target, publish
ci-pipelines: all
	python3 integration/ci-pipelines.py

# the corpus of real upstream fixes, built for an older Debian kernel and
# checked in it (doc/real-fixes.md); real-fixes-check is the part make check runs
real-fixes: all
	bash integration/real-fixes.sh

real-fixes-check: all
	bash integration/real-fixes.sh --check-subset

# per Debian series: cold and warm cost of a one-file patch, a new tree,
# the build root's creation and size, the cache size
BENCH_SERIES ?= all
bench-distro: all
	bash integration/distro-bench.sh --series "$(BENCH_SERIES)"

# one fix for every Debian 6.1 cloud ABI the archive serves, in one batch run:
# cold (trees and unit cache empty), warm, a new fix; per target and total,
# stages, cache size (integration/batch-bench.sh; BENCH_BATCH_ARGS="--limit N")
BENCH_BATCH_ARGS ?=
bench-batch: all
	bash integration/batch-bench.sh $(BENCH_BATCH_ARGS)

# the stress job: ~180 generated patches built against the test kernel (and
# with STRESS_ARGS="--target both" a sample against Debian's), a sample
# loaded in the VM; not part of check (doc/testing.md, "The stress job")
STRESS_ARGS ?=
stress: all
	bash integration/stress/stress.sh $(STRESS_ARGS)

# what CI runs (.ci/run) and what README.md documents: every suite runs even
# when an earlier one failed, so one CI run shows every failure; the last
# lines it prints say which suite failed (with its failure lines and the
# cause lines indented under each; each suite's whole output is in
# $(O)/check/SUITE.log) and how long each took
CHECK_SUITES := unit asan integration integration-selftest integration-matrix-check \
	integration-batch ci-pipelines real-fixes-check
# The Debian target sets the suites need are downloaded in the background
# while the first suites run (integration/prefetch.sh; $(O)/prefetch.log).
check: deps
	@rc=0; sum=""; t0=$$(date +%s); pf=; \
	if $(MAKE) all; then \
		mkdir -p $(O); bash integration/prefetch.sh > $(O)/prefetch.log 2>&1 & pf=$$!; \
	fi; \
	mkdir -p $(O)/check; failed=; \
	for s in $(CHECK_SUITES); do \
		t=$$(date +%s); \
		{ $(MAKE) $$s; echo $$? > $(O)/check/$$s.rc; } 2>&1 | tee $(O)/check/$$s.log; \
		if [ "$$(cat $(O)/check/$$s.rc)" = 0 ]; then r=ok; else r=FAILED; rc=1; failed="$$failed $$s"; fi; \
		sum="$$sum$$(printf '  %-26s %-6s %5d s' $$s $$r $$(( $$(date +%s) - t )))\n"; \
	done; \
	[ -z "$$pf" ] || wait $$pf || true; \
	for s in $$failed; do \
		printf '\n%s FAILED; its last failure lines (whole output: %s):\n' $$s $(O)/check/$$s.log; \
		awk '/^make/ { n = 0; next } \
			/(^|[[:space:]])(FAIL|FAILED|ERROR|error|Error|TIMEOUT)([[:space:]:]|$$)/ { print; n = 4; next } \
			n > 0 && /^         / { print; n--; next } { n = 0 }' $(O)/check/$$s.log | \
			tail -n 40 | cut -c1-200 | sed 's/^/  /'; \
	done; \
	printf '\nbackground fetch of the Debian targets (%s):\n' $(O)/prefetch.log; \
	sed 's/^/  /' $(O)/prefetch.log 2>/dev/null | tail -12; \
	printf '\nmake check: %d s on %s core(s)\n%b' $$(( $$(date +%s) - t0 )) $$(nproc) "$$sum"; \
	exit $$rc

# the embedded default: a livepatch for the bundled test kernel
demo: deps
	$(MAKE) all
	bash integration/demo.sh

bench: all

clean:
	rm -rf $(O)
