#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Makes a fuzzer's seed corpus at test time (no binary blobs in git):
# compiled fixtures, the repository's patches, generated manifests, signed
# modules and state files; with regress-FUZZER, the regression inputs that
# are made rather than kept as text. Usage: seeds.sh FUZZER OUTDIR WORKDIR
set -euo pipefail
NAME=${1:?usage: seeds.sh FUZZER OUTDIR WORKDIR}
OUT=${2:?}
W=${3:?}
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
UNIT=$REPO/test-patches/unit
LPB_CACHE=${LPB_CACHE:-/var/cache/lp-build}
mkdir -p "$OUT" "$W"

le32() { # N: four little-endian bytes
	printf "$(printf '\\x%02x\\x%02x\\x%02x\\x%02x' $(($1 & 255)) $(($1 >> 8 & 255)) \
		$(($1 >> 16 & 255)) $(($1 >> 24 & 255)))"
}

# pair.h's layout: flags, then each part as a length and its bytes
pack_pair() { # OUT FLAGS ORIG PATCHED [SYMVERS]
	local out=$1 flags=$2 f
	{
		printf "$(printf '\\x%02x' "$flags")"
		for f in "$3" "$4" "${5:-/dev/null}"; do
			le32 "$(stat -c %s "$f" 2>/dev/null || echo 0)"
			cat "$f"
		done
	} >"$out"
}

# the special sections (special.c, line-data.c) and other sections the
# engine treats by name (correlate.c, include.c) that a kernel seed should hold
KERNEL_SEED_KINDS="__bug_table __ex_table __jump_table .altinstructions .altinstr_replacement
	.parainstructions .static_call_sites .retpoline_sites .return_sites .call_sites
	.ibt_endbr_seal .orc_unwind_ip __mcount_loc __patchable_function_entries __dyndbg
	.init.text .exit.text ___ksymtab .data..ro_after_init .data.once __tracepoints
	.smp_locks __param .initcall .rodata.str .data..percpu .discard.addressable"

seeds_elf() {
	cat >"$W/a.c" <<'C'
static int s; int g = 3;
static int h(int x) { return x + s; }
int f(int x) { return h(x) * g; }
const char *str(void) { return "a string"; }
C
	gcc -O2 -ffunction-sections -fdata-sections -c "$W/a.c" -o "$OUT/seed-a.o"
	gcc -O0 -c "$W/a.c" -o "$OUT/seed-b.o"
}

# the diff engine's fixtures, compiled as run-fixtures.sh does (its objects
# are reused when `make unit` made them), and a few test-kernel objects
seeds_cdo() {
	local d name flags args cflags built=$REPO/build/unit/fixtures o p
	# shellcheck source=../unit/fixture-flags.sh
	HERE=$UNIT . "$UNIT/fixture-flags.sh"
	for d in "$UNIT"/fixtures/*/; do
		name=$(basename "$d")
		args=$(sed -n 's/^args:[[:space:]]*//p' "$d/expect" | head -1)
		cflags=$(sed -n 's/^cflags:[[:space:]]*//p' "$d/expect" | head -1)
		flags=$((1 | 2))
		case $args in *parent-name*) flags=$((flags | 4)) ;; esac
		case $args in *entry-size*) flags=$((flags | 8)) ;; esac
		o=$built/$name/orig.o p=$built/$name/patched.o
		if [ ! -s "$o" ] || [ ! -s "$p" ] || [ "$o" -ot "$d/orig.c" ] || [ "$p" -ot "$d/patched.c" ]; then
			o=$W/$name/orig.o p=$W/$name/patched.o
			mkdir -p "$W/$name/a" "$W/$name/b"
			cp "$d/orig.c" "$W/$name/a/fixture.c"
			cp "$d/patched.c" "$W/$name/b/fixture.c"
			# shellcheck disable=SC2086
			(cd "$W/$name/a" && gcc $KFLAGS $cflags -c fixture.c -o "$o") 2>/dev/null || continue
			# shellcheck disable=SC2086
			(cd "$W/$name/b" && gcc $KFLAGS $cflags -c fixture.c -o "$p") 2>/dev/null || continue
		fi
		pack_pair "$OUT/fixture-$name" "$flags" "$o" "$p" "$UNIT/symvers"
	done
	# real kernel objects when the harness's test kernel is built, each
	# paired with itself (mutations make the differences): the smallest
	# ones that between them hold every kind of special section the engine
	# reads (small objects keep an execution cheap: the cost is per byte)
	local kb=$LPB_CACHE/testkernel/current n=0
	if [ -d "$kb" ]; then
		# one readelf for all of them; awk picks, smallest first, each
		# object that holds a kind no object picked before holds
		while read -r o; do
			pack_pair "$OUT/kernel-$(basename "$o" .o)" 1 "$o" "$o"
			n=$((n + 1))
		done < <(cd "$kb" && find kernel fs lib mm block arch/x86 net drivers -name '*.o' \
			-size +2k -size -160k ! -name '*.mod.o' ! -name 'built-in.o' -printf '%s %p\n' \
			2>/dev/null | sort -n | cut -d' ' -f2 | xargs readelf -SW 2>/dev/null |
			awk -v kinds="$KERNEL_SEED_KINDS" -v kb="$kb" '
			function pick() {
				if (!file) return
				hit = 0
				for (k in found) if (!(k in have)) { have[k] = 1; hit = 1 }
				if (hit) print kb "/" file
				delete found
			}
			BEGIN { nk = split(kinds, kind, /[ \t\n]+/) }
			/^File: / { pick(); file = $2; next }
			/^ *\[ *[0-9]+\] / {
				sub(/^ *\[ *[0-9]+\] /, "")
				for (i = 1; i <= nk; i++)
					if (kind[i] != "" && index($1, kind[i]) == 1) found[kind[i]] = 1
			}
			END { pick() }')
		echo "seeds: $n objects of the test kernel ($kb)"
	fi
}

seeds_patch() {
	local f i=0
	while read -r f; do
		cp "$f" "$OUT/patch-$i.diff"
		i=$((i + 1))
	done < <(find "$REPO/test-patches" "$REPO/build-driver/tests" -name '*.diff' | sort | head -200)
}

# the fixtures' sources: ORIG, a NUL, PATCHED (after a flag byte)
seeds_linepin() {
	local d
	for d in "$UNIT"/fixtures/*/; do
		{ printf '\0'; cat "$d/orig.c"; printf '\0'; cat "$d/patched.c"; } \
			>"$OUT/$(basename "$d")"
	done
}

seeds_manifest() {
	cat >"$OUT/manifest.json" <<'J'
{
  "name": "lp_fix",
  "patch_version": 2,
  "replace": true,
  "lp_build_version": "0.1.0",
  "target": {
    "release": "6.1.0-47-cloud-amd64",
    "version": "#1 SMP PREEMPT_DYNAMIC Debian 6.1.170-1 (2026-01-01)",
    "label": "47-cloud-amd64"
  },
  "patches": [
    { "file": "fix.diff", "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08" },
    { "file": "extra \"quoted\" \u00e9.diff", "sha256": null }
  ],
  "objects": [
    { "name": "vmlinux", "functions": [ { "name": "cmdline_proc_show", "sympos": 0 },
                                        { "name": "dup", "sympos": 2 } ] },
    { "name": "xfs", "functions": [ { "name": "xfs_f" } ] }
  ],
  "module": {
    "file": "lp_fix.ko",
    "sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "size": 12345
  }
}
J
	printf '[1, -2.5e3, "a\\u00e9\\ud83d\\ude00", {"k": [true, false, null]}, {}]' >"$OUT/values.json"
	printf '{"name": "x"}' >"$OUT/small.json"
}

# an index as lp-build publish writes it, and those the update tests made
seeds_repoindex() {
	local f i=0 sha=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
	cat >"$OUT/index.json" <<J
{
  "format": "lp-build-patch-repository",
  "format_version": 1,
  "repository": "e69137775b977a479ae55d26f13edcf4",
  "serial": 6,
  "published": "2026-01-01T00:00:00Z",
  "kernels": [
    { "release": "6.1.99-unit", "version": "#7 SMP", "label": "6.1.99.7-unit",
      "patches": [
        { "name": "lp_b", "patch_version": "10.1~rc1", "sha256": "$sha", "size": 1179,
          "date": "2026-01-01T00:00:00Z", "rollout": 30, "replace": true,
          "module": "6.1.99-unit/e3b0c44298fc1c14/lp_b.ko",
          "manifest": "6.1.99-unit/e3b0c44298fc1c14/lp_b.json", "manifest_sha256": "$sha",
          "fixes": [ "fix.diff", "other.diff" ], "revoked": null },
        { "name": "lp_a", "patch_version": "9", "sha256": "$sha", "size": 1,
          "date": "2026-01-01T00:00:00Z", "rollout": 100, "replace": false,
          "module": null, "manifest": null, "manifest_sha256": null, "fixes": [],
          "revoked": { "date": "2026-01-02T00:00:00Z", "reason": "oops" } }
      ] }
  ]
}
J
	while read -r f; do
		cp "$f" "$OUT/found-$i.json"
		i=$((i + 1))
	done < <(find "$REPO/build/lpctl-unit" -name index.json 2>/dev/null | sort | head -10)
	seeds_manifest
}

# a key and certificate in WORKDIR/keys (the fuzzer trusts the certificate),
# modules signed with them as the kernel's sign-file would
seeds_modsign() {
	local k=$W/keys f sig
	mkdir -p "$k"
	if [ ! -s "$k/cert.pem" ]; then
		openssl req -x509 -newkey rsa:2048 -nodes -days 36500 -subj "/CN=lp-build fuzz key" \
			-keyout "$k/key.pem" -out "$k/cert.pem" 2>/dev/null
	fi
	seeds_elf
	printf 'not a module, but signed anyway\n' >"$OUT/text"
	for f in "$OUT/seed-a.o" "$OUT/text"; do
		sig=$W/$(basename "$f").p7s
		openssl cms -sign -binary -noattr -nocerts -nosmimecap -md sha256 -outform DER \
			-signer "$k/cert.pem" -inkey "$k/key.pem" -in "$f" -out "$sig"
		{
			cat "$f" "$sig"
			printf '\0\0\2\0\0\0\0\0'
			printf "$(printf '\\x%02x\\x%02x\\x%02x\\x%02x' $(($(stat -c %s "$sig") >> 24 & 255)) \
				$(($(stat -c %s "$sig") >> 16 & 255)) $(($(stat -c %s "$sig") >> 8 & 255)) \
				$(($(stat -c %s "$sig") & 255)))"
			printf '~Module signature appended~\n'
		} >"$f.signed"
	done
}

seeds_modinfo() {
	printf 'name=lp_fix\0livepatch=Y\0lpb_target_release=6.1.0-47-cloud-amd64\0lpb_target_version=#1 SMP\0lpb_target_label=47-cloud-amd64\0lpb_patch_name=lp_fix\0lpb_patch_version=2\0lpb_replace=1\0lpb_version=0.1.0\0vermagic=6.1.0 SMP mod_unload \0lpb_patch_sha256=9f86 fix.diff\0' \
		>"$OUT/modinfo"
	printf 'name=x\0\0\0=\0livepatch\0lpb_replace=0' >"$OUT/modinfo-odd"
	cat >"$W/mod.c" <<'C'
static const char info[] __attribute__((section(".modinfo"), used)) =
	"name=lp_fix\0livepatch=Y\0lpb_target_release=6.1.99\0lpb_replace=1";
int init_module(void) { return 0; }
C
	gcc -O2 -c "$W/mod.c" -o "$OUT/module.o"
}

# state files as lpctl writes them; "checksum=fix" lines get the right
# checksum from the fuzzer
seeds_state() {
	local sha=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
	cat >"$OUT/installed" <<S
@@ installed
# lpctl installed v1
name=lp_fix
sha256=$sha
module=patches/lp_fix.ko
manifest=patches/lp_fix.json
patch_version=2
replace=1
target_label=47-cloud-amd64
signer=CN=lp-build fuzz key (/etc/lpctl/trusted.d/a.crt)
source=/root/lp_fix.ko
installed_at=2026-01-01T00:00:00Z
checksum=fix
@@ last
# lpctl last v1
name=lp_fix
result=applied
message=patched in 1.2 s\\nsecond line
transition_ms=1200
at=2026-01-01T00:00:01Z
checksum=fix
@@ locks/lp_fix@${sha:0:16}.lock
# lpctl lock v1
name=lp_fix
sha256=$sha
patch_version=2
reason=the kernel log showed a BUG
locked_at=2026-01-01T00:00:02Z
boot_id=other-boot
kernel=6.1.99-fuzz
trace=BUG: unable to handle page fault
trace=Call Trace:
checksum=fix
@@ patches/lp_fix.json
{"name": "lp_fix", "target": {"release": "6.1.99-fuzz", "version": "#1"},
 "patches": [{"file": "fix.diff", "sha256": "$sha"}],
 "module": {"sha256": "$sha", "size": 10}}
@@ conf
transition_timeout = 60
stall_policy = wait
settle = 5
on_bug = keep
S
	cat >"$OUT/marker-other-boot" <<S
@@ marker
# lpctl marker v1
name=lp_fix
sha256=$sha
patch_version=2
boot_id=an-earlier-boot
pid=123
kmsg_seq=10
started_at=2026-01-01T00:00:00Z
checksum=fix
@@ installed
# lpctl installed v1
name=lp_fix
sha256=$sha
module=patches/lp_fix.ko
checksum=fix
S
	sed 's/an-earlier-boot/fuzz-boot/' "$OUT/marker-other-boot" >"$OUT/marker-this-boot"
	printf '@@ installed\n# lpctl installed v1\nname=x\nchecksum=sha256:0000\n' >"$OUT/damaged"
}

# create-diff-object's regression inputs: the odd inputs malformed.sh runs
# (test-patches/unit/odd/cases), each paired with the object it came from
regress_cdo() {
	local name edits
	gcc -O2 -ffunction-sections -fdata-sections -pg -mfentry -mrecord-mcount -fno-pic \
		-mcmodel=kernel -c "$UNIT/odd/odd.c" -o "$W/odd.o"
	# shellcheck source=../unit/fixture-flags.sh
	HERE=$UNIT . "$UNIT/fixture-flags.sh"
	while read -r name edits; do
		case $name in '' | '#'*) continue ;; esac
		local base=$W/odd.o
		if [ "${edits#@}" != "$edits" ]; then
			base=$W/fx-$name.o
			# shellcheck disable=SC2086
			gcc $KFLAGS -c "$UNIT/fixtures/$(echo "${edits#@}" | cut -d' ' -f1)/patched.c" -o "$base"
			edits=${edits#* }
		fi
		# shellcheck disable=SC2086
		python3 "$UNIT/elf-edit.py" "$base" "$W/$name.o" $edits
		pack_pair "$OUT/odd-$name-a" 3 "$W/$name.o" "$base" "$UNIT/symvers"
		pack_pair "$OUT/odd-$name-b" 3 "$base" "$W/$name.o" "$UNIT/symvers"
	done <"$UNIT/odd/cases"
}

case $NAME in
regress-*) "regress_${NAME#regress-}" ;;
*) "seeds_$NAME" ;;
esac
