#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Runs the ELF reader fuzzer for SECONDS from a seed corpus of small objects
# compiled here (no binary blobs in git); crashes fail the run.
set -euo pipefail
BIN=${1:?usage: fuzz.sh FUZZ-BIN WORKDIR SECONDS}
W=${2:?}
SECS=${3:?}
mkdir -p "$W/corpus" "$W/seeds"
if [ ! -f "$W/seeds/.done" ]; then
	cat >"$W/seeds/a.c" <<'C'
static int s; int g = 3;
static int h(int x) { return x + s; }
int f(int x) { return h(x) * g; }
const char *str(void) { return "a string"; }
C
	gcc -O2 -ffunction-sections -fdata-sections -c "$W/seeds/a.c" -o "$W/corpus/seed-a.o"
	gcc -O0 -c "$W/seeds/a.c" -o "$W/corpus/seed-b.o"
	touch "$W/seeds/.done"
fi
cd "$W"
# -rss_limit_mb keeps a runaway allocation from taking the shared machine down
"$BIN" -max_total_time="$SECS" -rss_limit_mb=1024 -timeout=10 -print_final_stats=0 \
	corpus >fuzz.log 2>&1 || { tail -40 fuzz.log; echo "fuzz: FAILED (see $W/fuzz.log)"; exit 1; }
echo "fuzz: $(grep -Eo "^#[0-9]+" fuzz.log | tail -1 | tr -d "#") inputs in ${SECS}s, no crash"
