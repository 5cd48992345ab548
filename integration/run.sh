#!/usr/bin/env bash
# The real-kernel test harness (`make integration`). Installs what it needs,
# fetches the pinned kernel source, builds the test kernel (both cached), builds
# every selected test's modules, boots the test kernel once per group of tests
# that share a kernel command line, and reports.
#
#   integration/run.sh [--list] [TEST...]      (or LPB_TESTS="TEST...")
#
# Tests are the folders of test-patches/ that hold a test.conf; the protocol is
# in doc/testing.md. Results: a summary on stdout, JSON in $LPB_RESULTS
# (default build/integration/results.json), logs under $LPB_OUT (default
# build/integration). Exit status 0 only when no selected test failed.
# LPB_TARGET=FILE: test a kernel built elsewhere instead (load_target below).
set -euo pipefail
LPB_PROG=integration
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

LPB_OUT=${LPB_OUT:-$LPB_TOP/build/integration}
LPB_RESULTS=${LPB_RESULTS:-$LPB_OUT/results.json}
LPB_TOOL=${LPB_TOOL:-$LPB_TOP/build/lp-build}
LPB_LPCTL=${LPB_LPCTL:-$LPB_TOP/build/lpctl.static}
LPB_BOOT_TIMEOUT=${LPB_BOOT_TIMEOUT:-60}
TESTS_DIR=${LPB_TESTS_DIR:-$LPB_TOP/test-patches}
# the tests run in directories of their own: paths given relative to where
# the harness was started are made absolute once, here
for v in LPB_OUT LPB_RESULTS LPB_TOOL LPB_LPCTL TESTS_DIR; do
	case ${!v} in /*) ;; *) printf -v "$v" '%s/%s' "$PWD" "${!v}" ;; esac
done

usage() { sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; }

list_only=0
selected=()
while [ $# -gt 0 ]; do
	case "$1" in
	-l | --list) list_only=1 ;;
	-h | --help) usage; exit 0 ;;
	-*) die "unknown option '$1' (see --help)" ;;
	*) selected+=("$1") ;;
	esac
	shift
done
if [ ${#selected[@]} -eq 0 ] && [ -n "${LPB_TESTS:-}" ]; then
	read -r -a selected <<<"$LPB_TESTS"
fi

# ---- tests and their configuration -------------------------------------------

# log_cause LOG: what a failed build's log says went wrong: its error and
# refusal lines (the first three) when it has some, else its last five lines
log_cause() {
	local lines
	lines=$(grep -m 3 -E '(^|: )(error|fatal error|refused|ERROR)[: ]' "$1" 2>/dev/null) || true
	[ -n "$lines" ] || lines=$(tail -n 5 "$1" 2>/dev/null)
	printf '%s' "$lines"
}

all_tests() {
	local d
	for d in "$TESTS_DIR"/*/; do
		[ -f "$d/test.conf" ] && basename "$d"
	done
}

c_description='' c_prebuilt='' c_builds='' c_module='' c_cmdline='' c_expect=''
c_load_msg='' c_build_rc='' c_build_msg='' c_timeout='' c_boots='' c_disk=''
c_allow_health='' c_leave_loaded='' c_lpbuild_args='' c_lpctl=''

# read_conf NAME: the test's test.conf as c_* globals, with defaults. The file
# is shell syntax, read in a subshell so it cannot touch the harness's state.
read_conf() {
	local dir=$TESTS_DIR/$1 out
	out=$(
		# shellcheck disable=SC2034 # read through ${!v} below
		{
			description='' prebuilt='' builds='' module='' cmdline='' expect=pass
			load_msg='' build_rc='' build_msg='' timeout=60 boots=1 disk=no
			allow_health='' leave_loaded=no lpbuild_args='' lpctl=no
		}
		# test.conf may name inputs its setup.sh makes under the cache, or
		# derive them from the target's source
		# shellcheck disable=SC2034
		LPB_KSRC=${KSRC:-} LPB_SERIES=${TGT_SERIES:-} LPB_TEST_INPUTS=$TEST_INPUTS
		# shellcheck disable=SC1091
		. "$dir/test.conf" >&2
		# a series' own settings (series/SERIES/test.conf) come after
		if [ -n "${TGT_SERIES:-}" ] && [ -f "$dir/series/$TGT_SERIES/test.conf" ]; then
			# shellcheck disable=SC1090
			. "$dir/series/$TGT_SERIES/test.conf" >&2
		fi
		for v in description prebuilt builds module cmdline expect load_msg \
			build_rc build_msg timeout boots disk allow_health leave_loaded lpbuild_args lpctl; do
			printf 'c_%s=%q\n' "$v" "${!v}"
		done
	) || return 1
	eval "$out"
	if [ -z "$c_builds" ] && [ -f "$dir/patch.diff" ]; then
		c_builds="$(echo "$1" | tr -- '-.' '__')=patch.diff"
	fi
	case "$c_expect" in
	pass | load-fail | build-fail) ;;
	*) echo "expect=$c_expect: must be pass, load-fail or build-fail"; return 1 ;;
	esac
	[ "$c_expect" != load-fail ] || [ -n "$c_load_msg" ] || { echo "expect=load-fail needs load_msg"; return 1; }
	[ "$c_expect" != build-fail ] || [ -n "$c_builds" ] || { echo "expect=build-fail needs patch.diff or builds"; return 1; }
	[[ $c_timeout =~ ^[1-9][0-9]*$ ]] || { echo "timeout=$c_timeout: not a number of seconds"; return 1; }
	[[ $c_boots =~ ^[1-9][0-9]*$ ]] || { echo "boots=$c_boots: not a positive number"; return 1; }
	[ -z "$c_build_rc" ] || [[ $c_build_rc =~ ^[0-9]+$ ]] || { echo "build_rc=$c_build_rc: not a number"; return 1; }
	[ -n "$c_description" ] || { echo "description is empty"; return 1; }
}

# shell-quote for busybox ash: 'text' with embedded quotes spelled '\''
shq() { printf "'%s'" "${1//\'/\'\\\'\'}"; }

declare -A STATUS REASON BUILD_MS RUN_MS GROUP LOGF DESC STEPS CMDLINE NEEDS_LPCTL
declare -A G_TESTS G_CMDLINE G_ALLOW G_BOOTS G_DISK G_TIMEOUT
groups=()

set_result() { STATUS[$1]=$2; REASON[$1]=${3:-}; }
add_reason() { REASON[$1]+="${REASON[$1]:+$'\n'}$2"; }

# variant TEST FILE: the test's FILE, or the target series' own version of it
# (test-patches/TEST/series/SERIES/FILE) when there is one
variant() {
	local dir=$TESTS_DIR/$1
	if [ -n "${TGT_SERIES:-}" ] && [ -e "$dir/series/$TGT_SERIES/$2" ]; then
		echo "$dir/series/$TGT_SERIES/$2"
	else
		echo "$dir/$2"
	fi
}

# lpbuild TEST MOD LOG PATCH...: build MOD.ko with lp-build into the test's
# guest folder; returns lp-build's exit status. A target by name (target_spec)
# is built as users build it, with --target; options in lpbuild_args win.
lpbuild() {
	local t=$1 mod=$2 logf=$3 extra=() target=() p patches=()
	shift 3
	read -r -a extra <<<"$c_lpbuild_args"
	for p in "$@"; do
		patches+=("$(variant "$t" "$p")")
	done
	if [ -n "${TGT_SPEC:-}" ]; then
		target=(--target "$TGT_SPEC")
	else
		target=(-s "$KSRC" -c "$TGT_CONFIG" -v "$TGT_VMLINUX" --symvers "$TGT_SYMVERS"
			${TGT_MODULES:+--modules "$TGT_MODULES"})
	fi
	(
		cd "$TESTS_DIR/$t"
		"$LPB_TOOL" "${target[@]}" -o "$OUT_T/$t/guest" -n "$mod" \
			--key "$LPB_CACHE/keys/test-signing.key" --cert "$LPB_CACHE/keys/test-signing.crt" \
			"${extra[@]}" "${patches[@]}"
	) >"$logf" 2>&1
}

# prepare_test TEST: everything the guest needs for TEST, in OUT_T/TEST/guest
prepare_test() {
	local t=$1 dir=$TESTS_DIR/$1 g=$OUT_T/$1/guest t0 p entry mod patches rc first= pfirst=
	t0=$(now_ms)
	mkdir -p "$g"
	if ! read_conf "$t" >"$OUT_T/$t/conf.log" 2>&1; then
		set_result "$t" FAIL "test.conf: $(cat "$OUT_T/$t/conf.log")"
		return
	fi
	DESC[$t]=$c_description
	CMDLINE[$t]=$c_cmdline
	# a test that cannot apply to this series says why (series/SERIES/skip)
	if [ -n "${TGT_SERIES:-}" ] && [ -f "$dir/series/$TGT_SERIES/skip" ]; then
		set_result "$t" SKIP "not on $TGT_SERIES: $(head -n1 "$dir/series/$TGT_SERIES/skip")"
		return
	fi
	if [ "$c_lpctl" = yes ]; then
		if [ ! -x "$LPB_LPCTL" ]; then
			set_result "$t" SKIP "needs lpctl, and $LPB_LPCTL is not built yet"
			return
		fi
		NEEDS_LPCTL[$t]=1
	fi
	if [ "$c_expect" != build-fail ]; then
		[ -f "$dir/check.sh" ] || { set_result "$t" FAIL "no check.sh"; return; }
		cp "$(variant "$t" check.sh)" "$g/check.sh"
	fi
	for p in $c_prebuilt; do
		if [ ! -f "$TGT_PREBUILT/$p" ]; then
			set_result "$t" FAIL "prebuilt module $p is not in the target kernel's build ($TGT_PREBUILT)"
			return
		fi
		cp "$TGT_PREBUILT/$p" "$g/"
		pfirst=${pfirst:-${p##*/}}
	done
	if [ -n "$c_builds" ]; then
		if [ ! -x "$LPB_TOOL" ]; then
			set_result "$t" SKIP "needs lp-build, and $LPB_TOOL is not built yet"
			return
		fi
		# setup.sh: inputs lp-build needs that the test makes itself (e.g. a
		# modified copy of the source under the cache), before any build
		if [ -f "$dir/setup.sh" ] && ! (cd "$OUT_T/$t" && LPB_KBUILD=$KB LPB_KSRC=$KSRC \
			LPB_CONFIG=$TGT_CONFIG LPB_SYMVERS=$TGT_SYMVERS LPB_CACHE=$LPB_CACHE LPB_TEST_DIR=$dir LPB_INTEG=$LPB_INTEG \
			LPB_SERIES=${TGT_SERIES:-} LPB_TEST_INPUTS=$TEST_INPUTS \
			bash "$dir/setup.sh") >"$OUT_T/$t/setup.log" 2>&1; then
			set_result "$t" FAIL "setup.sh failed: $(tail -n 5 "$OUT_T/$t/setup.log")"
			LOGF[$t]=$OUT_T/$t/setup.log
			return
		fi
		for entry in $c_builds; do
			mod=${entry%%=*}
			IFS=, read -r -a patches <<<"${entry#*=}"
			log "$t: lp-build -n $mod ${patches[*]}"
			rc=0
			lpbuild "$t" "$mod" "$OUT_T/$t/build-$mod.log" "${patches[@]}" || rc=$?
			if [ "$c_expect" = build-fail ]; then
				if [ $rc -eq 0 ]; then
					set_result "$t" FAIL "lp-build succeeded; expected it to fail${c_build_rc:+ with exit code $c_build_rc}"
				elif [ -n "$c_build_rc" ] && [ $rc -ne "$c_build_rc" ]; then
					set_result "$t" FAIL "lp-build exited with $rc, expected $c_build_rc: $(log_cause "$OUT_T/$t/build-$mod.log")"
				elif [ -n "$c_build_msg" ] && ! grep -qF -- "$c_build_msg" "$OUT_T/$t/build-$mod.log"; then
					set_result "$t" FAIL "lp-build failed (rc $rc) without saying \"$c_build_msg\": $(log_cause "$OUT_T/$t/build-$mod.log")"
				else
					set_result "$t" PASS
				fi
				LOGF[$t]=$OUT_T/$t/build-$mod.log
				BUILD_MS[$t]=$(($(now_ms) - t0))
				return
			fi
			if [ $rc -ne 0 ] || [ ! -f "$g/$mod.ko" ]; then
				set_result "$t" FAIL "lp-build failed (rc $rc) for $mod: $(log_cause "$OUT_T/$t/build-$mod.log")"
				LOGF[$t]=$OUT_T/$t/build-$mod.log
				return
			fi
			first=${first:-$mod.ko}
		done
	fi
	if [ -f "$dir/prepare.sh" ]; then
		if ! (cd "$g" && LPB_KBUILD=$KB LPB_KSRC=$KSRC LPB_TEST_DIR=$dir LPB_GUEST_DIR=$g LPB_TOOL=$LPB_TOOL \
			LPB_SERIES=${TGT_SERIES:-} LPB_TEST_INPUTS=$TEST_INPUTS \
			LPB_KEY=$LPB_CACHE/keys/test-signing.key LPB_CERT=$LPB_CACHE/keys/test-signing.crt \
			LPB_INTEG=$LPB_INTEG bash "$dir/prepare.sh") >"$OUT_T/$t/prepare.log" 2>&1; then
			set_result "$t" FAIL "prepare.sh failed: $(tail -n 5 "$OUT_T/$t/prepare.log")"
			LOGF[$t]=$OUT_T/$t/prepare.log
			return
		fi
	fi
	# the module the standard flow loads: module=, else the first one built
	# or copied (unless prepare.sh renamed it: tests with their own
	# run_test need none)
	mod=$c_module
	if [ -n "$mod" ] && [ ! -f "$g/$mod" ]; then
		set_result "$t" FAIL "module=$mod is not among the test's files"
		return
	fi
	# (a built module wins over a prebuilt one, as doc/testing.md says)
	first=${first:-$pfirst}
	[ -n "$mod" ] || [ -z "$first" ] || [ ! -f "$g/$first" ] || mod=$first
	local modname=
	if [ -n "$mod" ]; then
		modname=$(modinfo -F name "$g/$mod" 2>/dev/null || true)
		[ -n "$modname" ] || modname=$(basename "$mod" .ko | tr - _)
	fi
	{
		echo "T_EXPECT=$(shq "$c_expect")"
		echo "T_MODULE=$(shq "${mod:+/tests/$t/$mod}")"
		echo "T_MODNAME=$(shq "$modname")"
		echo "T_PATCH=$(shq "$modname")"
		echo "T_LOAD_MSG=$(shq "$c_load_msg")"
		echo "T_TIMEOUT=$(shq "$c_timeout")"
		echo "T_BOOTS=$(shq "$c_boots")"
		echo "T_LEAVE_LOADED=$(shq "$c_leave_loaded")"
	} >"$g/env"
	BUILD_MS[$t]=$(($(now_ms) - t0))
	STATUS[$t]=READY
}

# group_test TEST: put a READY test (its test.conf read) in a boot group:
# tests share a boot when they need the same command line and allow the
# same health messages; a multi-boot or disk test boots alone
group_test() {
	local t=$1 key
	if [ "$c_boots" -gt 1 ] || [ "$c_disk" = yes ]; then
		key="solo:$t"
	else
		key="cmdline:$c_cmdline|allow:$c_allow_health"
	fi
	if [ -z "${G_TESTS[$key]+set}" ]; then
		groups+=("$key")
		G_TESTS[$key]=
		G_CMDLINE[$key]=$c_cmdline
		G_ALLOW[$key]=$c_allow_health
		G_BOOTS[$key]=$c_boots
		G_DISK[$key]=$([ "$c_boots" -gt 1 ] || [ "$c_disk" = yes ] && echo yes || echo no)
		G_TIMEOUT[$key]=$LPB_BOOT_TIMEOUT
	fi
	G_TESTS[$key]+=" $t"
	G_TIMEOUT[$key]=$((${G_TIMEOUT[$key]} + c_timeout))
	GROUP[$t]=$key
}

# save_state TEST: what prepare_test recorded for TEST, as lines the parent
# shell reads back (prepare_all runs each preparation in a subshell)
save_state() {
	local t=$1 v
	for v in STATUS REASON BUILD_MS LOGF DESC CMDLINE NEEDS_LPCTL; do
		eval "[ -z \"\${$v[\$t]+set}\" ] || printf '%s[%q]=%q\n' $v \"\$t\" \"\${$v[\$t]}\""
	done >"$OUT_T/$t/state.tmp"
	mv "$OUT_T/$t/state.tmp" "$OUT_T/$t/state"
}

# prepare_all TEST...: prepare_test for every test, LPB_BUILD_JOBS (default 2)
# at once, each in a subshell: while one test's lp-build links, signs or
# waits on a single-threaded step, another compiles. lp-build's own locks
# order builds that need the same new tree. The boot groups are formed
# afterwards in the tests' order, so which build finished first changes
# nothing in the boots.
prepare_all() {
	local jobs=${LPB_BUILD_JOBS:-2} t running=0
	[[ $jobs =~ ^[1-9][0-9]*$ ]] || die "LPB_BUILD_JOBS=$jobs: not a positive number"
	for t in "$@"; do
		mkdir -p "$OUT_T/$t"
		rm -f "$OUT_T/$t/state"
		if [ "$running" -ge "$jobs" ]; then
			wait -n || true
			running=$((running - 1))
		fi
		(prepare_test "$t"; save_state "$t") &
		running=$((running + 1))
	done
	wait || true
	for t in "$@"; do
		if [ ! -f "$OUT_T/$t/state" ]; then
			set_result "$t" FAIL "the harness's preparation of the test stopped without a result (see the log above)"
			continue
		fi
		# shellcheck disable=SC1090
		. "$OUT_T/$t/state"
		if [ "${STATUS[$t]:-}" = READY ]; then
			read_conf "$t" >/dev/null 2>&1
			group_test "$t"
		fi
	done
}

# ---- booting a group and judging its tests -----------------------------------

# health_scan LOG ALLOW: console lines matching integration/health.patterns and
# none of the ALLOW regexes (one per line), as "LINE:text", each with the 4
# lines that follow it (indented) for context; at most 10 hits, then a count.
# Markers and run-vm's own lines are not kernel output and are skipped.
health_scan() {
	local logf=$1 allow=$2
	awk -v patfile="$LPB_INTEG/health.patterns" -v allow="$allow" '
	BEGIN {
		while ((getline p <patfile) > 0)
			if (p !~ /^(#|$)/) pats[np++] = p
		na = split(allow, allows, "\n")
	}
	function bad(s,   i) {
		if (s ~ /^(@@LPB |### run-vm:)/) return 0
		for (i = 0; i < np; i++)
			if (s ~ pats[i]) {
				for (j = 1; j <= na; j++)
					if (allows[j] != "" && s ~ allows[j]) return 0
				return 1
			}
		return 0
	}
	{ sub(/\r$/, "") }
	bad($0) {
		hits++
		if (hits <= 10) { print NR ":" $0; ctx = 4 }
		next
	}
	ctx > 0 && hits <= 10 && !/^(@@LPB |### run-vm:)/ { print "      " $0; ctx-- }
	END { if (hits > 10) print "(" hits - 10 " more matching lines)" }
	' "$logf"
}

BOOT_JSON=()
BOOT_LINES=()
boot_group() {
	local key=$1 gid=$2 bdir=$OUT_B/$2 t rc=0 line
	local tests
	read -r -a tests <<<"${G_TESTS[$key]}"
	mkdir -p "$bdir/payload/tests"
	[ -z "${TGT_EXTRA:-}" ] || cp -r "$TGT_EXTRA/." "$bdir/payload/"
	for t in "${tests[@]}"; do
		cp -r "$OUT_T/$t/guest" "$bdir/payload/tests/$t"
		echo "$t" >>"$bdir/payload/tests/order"
		# lpctl=yes: /bin/lpctl, the test kernel's certificate, lpctl's guest helpers
		if [ -n "${NEEDS_LPCTL[$t]:-}" ] && [ ! -f "$bdir/payload/bin/lpctl" ]; then
			mkdir -p "$bdir/payload/bin" "$bdir/payload/lpb"
			strip -o "$bdir/payload/bin/lpctl" "$LPB_LPCTL"
			cp "$LPB_CACHE/keys/test-signing.crt" "$bdir/payload/lpb/"
			cp "$LPB_TOP/lpctl/tests/guest-lpctl.sh" "$bdir/payload/lpb/lpctl.sh"
		fi
	done
	"$LPB_INTEG/mkinitramfs.sh" "$bdir/initrd.gz" "$bdir/payload"
	local vmargs=(--kernel "$TGT_KERNEL" --initrd "$bdir/initrd.gz"
		--timeout "${G_TIMEOUT[$key]}" --log "$bdir/console.log" --results "$bdir/results.log"
		--boots "${G_BOOTS[$key]}")
	local append="${TGT_BOOT_ARGS:-}${TGT_BOOT_ARGS:+${G_CMDLINE[$key]:+ }}${G_CMDLINE[$key]}"
	[ -n "$append" ] && vmargs+=(--append "$append")
	[ "${G_DISK[$key]}" = yes ] && vmargs+=(--disk "$bdir/disk.img")
	log "boot $gid [${G_CMDLINE[$key]:-default}]:${G_TESTS[$key]}"
	"$LPB_INTEG/run-vm.sh" "${vmargs[@]}" || rc=$?

	# what the guest reported
	local -A begin end trc fails
	local boot=0 kind a b c d e text walls=() inits=() boots_done=0
	while IFS= read -r line; do
		read -r kind a b c d e _ <<<"$line" || true
		case "$kind $a" in
		"@@LPB boot-begin") boot=$b; inits+=("$d") ;;
		"@@LPB test-begin") begin[$b/$c]=$d ;;
		"@@LPB test-end") end[$b/$c]=$e; trc[$b/$c]=$d ;;
		"@@LPB step")
			text=${line#*step "$b" "$c" }
			STEPS[$b]+="$boot"$'\t'"$c"$'\t'"$text"$'\n'
			[ "$c" = FAIL ] && fails[$b]+="${fails[$b]:+$'\n'}step failed (boot $boot): $text"
			;;
		"@@LPB boot-end") boots_done=$((boots_done + 1)) ;;
		"@@HOST boot") walls+=("$e") ;;
		esac
	done <"$bdir/results.log"

	local health
	health=$(health_scan "$bdir/console.log" "${G_ALLOW[$key]}")

	local i ms
	for t in "${tests[@]}"; do
		LOGF[$t]=$bdir/console.log
		STATUS[$t]=PASS
		REASON[$t]=
		ms=0
		for ((i = 1; i <= ${G_BOOTS[$key]}; i++)); do
			if [ -z "${end[$t/$i]:-}" ]; then
				set_result "$t" FAIL
				if [ -n "${begin[$t/$i]:-}" ]; then
					add_reason "$t" "did not finish in boot $i"
				else
					add_reason "$t" "did not run in boot $i"
				fi
				continue
			fi
			ms=$((ms + end[$t/$i] - begin[$t/$i]))
			if [ "${trc[$t/$i]}" -ne 0 ] && [ -z "${fails[$t]:-}" ]; then
				set_result "$t" FAIL
				add_reason "$t" "test exited with status ${trc[$t/$i]} in boot $i"
			fi
		done
		RUN_MS[$t]=$ms
		if [ -n "${fails[$t]:-}" ]; then
			STATUS[$t]=FAIL
			add_reason "$t" "${fails[$t]}"
		fi
		if [ $rc -eq 124 ]; then
			STATUS[$t]=FAIL
			add_reason "$t" "boot hit the hard time limit of ${G_TIMEOUT[$key]} s (hang?)"
		elif [ $rc -ne 0 ]; then
			STATUS[$t]=FAIL
			add_reason "$t" "qemu failed (rc $rc)"
		elif [ "$boots_done" -lt "${G_BOOTS[$key]}" ]; then
			STATUS[$t]=FAIL
			add_reason "$t" "the guest did not finish boot $((boots_done + 1)) (kernel panic or crash?)"
		fi
		if [ -n "$health" ]; then
			STATUS[$t]=FAIL
			add_reason "$t" "kernel health (console lines):"$'\n'"$health"
		fi
	done

	local wsum=0 w
	for w in "${walls[@]}"; do wsum=$((wsum + w)); done
	BOOT_LINES+=("$(printf '  boot %-3s %-28s %d test(s), %d boot(s): %s s wall, /init reached at %s s' \
		"$gid" "[${G_CMDLINE[$key]:-default}]" "${#tests[@]}" "${#walls[@]}" "$(secs "$wsum")" \
		"$(secs "${inits[0]:-0}")")")
	BOOT_JSON+=("$(jq -n --arg id "$gid" --arg cmdline "${G_CMDLINE[$key]}" \
		--arg log "$bdir/console.log" --argjson rc "$rc" --arg health "$health" \
		--argjson timeout "${G_TIMEOUT[$key]}" --argjson boots "${G_BOOTS[$key]}" \
		--arg tests "${G_TESTS[$key]}" --arg walls "${walls[*]}" --arg inits "${inits[*]}" \
		'{id: $id, cmdline: $cmdline, tests: ($tests | split(" ") | map(select(. != ""))),
		  boots: $boots, timeout_s: $timeout, rc: $rc,
		  wall_ms: ($walls | split(" ") | map(select(. != "") | tonumber)),
		  init_uptime_ms: ($inits | split(" ") | map(select(. != "") | tonumber)),
		  health: ($health | split("\n") | map(select(. != ""))), log: $log}')")
}

# ---- report --------------------------------------------------------------------

secs() { printf '%d.%d' $(($1 / 1000)) $(($1 % 1000 / 100)); }

report() {
	local t npass=0 nfail=0 nskip=0 tests_json=() stepsj total_ms
	total_ms=$(($(now_ms) - T_START))
	echo
	echo "lp-build integration: kernel $TGT_NAME, accel $ACCEL"
	[ ${#BOOT_LINES[@]} -eq 0 ] || printf '%s\n' "${BOOT_LINES[@]}"
	for t in "${tests[@]}"; do
		local st=${STATUS[$t]:-FAIL} tag='' l
		case "$st" in
		PASS) npass=$((npass + 1)) ;;
		SKIP) nskip=$((nskip + 1)) ;;
		*) st=FAIL; nfail=$((nfail + 1)) ;;
		esac
		[ -n "${CMDLINE[$t]:-}" ] && tag="  [${CMDLINE[$t]}]"
		printf '  %-4s  %-34s %6s s%s\n' "$st" "$t" "$(secs "${RUN_MS[$t]:-0}")" "$tag"
		if [ "$st" != PASS ] && [ -n "${REASON[$t]:-}" ]; then
			while IFS= read -r l; do
				printf '          %s\n' "$l"
			done <<<"${REASON[$t]}"
		fi
		if [ "$st" = FAIL ] && [ -n "${LOGF[$t]:-}" ]; then
			echo "          log: ${LOGF[$t]}"
		fi
		stepsj=$(printf '%s' "${STEPS[$t]:-}" | jq -R -s 'split("\n") | map(select(. != "") | split("\t") |
			{boot: (.[0] | tonumber), result: .[1], text: (.[2:] | join("\t"))})')
		tests_json+=("$(jq -n --arg name "$t" --arg desc "${DESC[$t]:-}" --arg result "$st" \
			--arg reason "${REASON[$t]:-}" --arg group "${GROUP[$t]:-}" --arg cmdline "${CMDLINE[$t]:-}" \
			--argjson build_ms "${BUILD_MS[$t]:-0}" --argjson run_ms "${RUN_MS[$t]:-0}" \
			--arg log "${LOGF[$t]:-}" --argjson steps "$stepsj" \
			'{name: $name, description: $desc, result: $result, reason: $reason,
			  cmdline: $cmdline, build_ms: $build_ms, run_ms: $run_ms, steps: $steps, log: $log}')")
	done
	echo "  $npass passed, $nfail failed, $nskip skipped in $(secs "$total_ms") s" \
		"(kernel: $KERNEL_NOTE; boots: $(secs "$BOOTS_MS") s); results: $LPB_RESULTS"

	mkdir -p "$(dirname "$LPB_RESULTS")"
	{
		printf '%s\n' "${tests_json[@]}"
		printf '%s\n' "${BOOT_JSON[@]}"
	} | jq -s --arg src "$TGT_NAME" --arg kb "${KB:-$TGT_VMLINUX}" \
		--arg accel "$ACCEL" --argjson kbuild_s "$KBUILD_S" --argjson built "$KBUILT" \
		--argjson ntests "${#tests[@]}" --argjson total_ms "$total_ms" \
		--argjson deps_ms "$DEPS_MS" --argjson kernel_ms "$KERNEL_MS" \
		--argjson modules_ms "$MODULES_MS" --argjson boots_ms "$BOOTS_MS" \
		--argjson pass "$npass" --argjson fail "$nfail" --argjson skip "$nskip" \
		'{kernel: {source: $src, build_dir: $kb, build_seconds: $kbuild_s, built_this_run: $built},
		  accel: $accel,
		  times_ms: {total: $total_ms, deps: $deps_ms, kernel: $kernel_ms, modules: $modules_ms, boots: $boots_ms},
		  summary: {pass: $pass, fail: $fail, skip: $skip},
		  tests: .[0:$ntests], boots: .[$ntests:]}' >"$LPB_RESULTS.tmp"
	mv "$LPB_RESULTS.tmp" "$LPB_RESULTS"
	[ "$nfail" -eq 0 ] || return 1
	if [ "${LPB_STRICT:-0}" = 1 ] && [ "$nskip" -ne 0 ]; then
		log "LPB_STRICT=1: $nskip skipped test(s) count as failures"
		return 1
	fi
}

# ---- main ----------------------------------------------------------------------

# load_target FILE: a kernel the harness does not build (LPB_TARGET, e.g. the
# Debian kernel integration/distro-fetch.sh prepares). FILE is shell syntax
# setting target_name, target_src, target_config, target_vmlinux,
# target_symvers, target_modules (lp-build --modules, may be empty),
# target_kernel (the image qemu boots), target_prebuilt (the folder
# prebuilt= paths are relative to) and, optionally, target_initrd_extra (a
# folder copied into every boot's initramfs, e.g. the modules the guest's
# /init loads early, /lpb/early-modules/*.ko), target_spec (a target name:
# modules are then built with lp-build --target, as users do) and
# target_series (the series whose own test variants apply, series/SERIES/)
# and target_boot_args (kernel arguments every boot of this kernel gets).
load_target() {
	local out v target_name='' target_src='' target_config='' target_vmlinux=''
	local target_symvers='' target_modules='' target_kernel='' target_prebuilt=''
	local target_initrd_extra='' target_spec='' target_series='' target_boot_args=''
	[ -f "$1" ] || die "LPB_TARGET=$1: no such file"
	out=$(
		# shellcheck disable=SC1090
		. "$1" >&2
		for v in name src config vmlinux symvers modules kernel prebuilt initrd_extra spec series boot_args; do
			v=target_$v
			printf '%s=%q\n' "$v" "${!v:-}"
		done
	) || die "LPB_TARGET=$1: cannot read it"
	eval "$out"
	for v in name src config vmlinux symvers kernel prebuilt; do
		v=target_$v
		[ -n "${!v}" ] || die "LPB_TARGET=$1 does not set $v"
	done
	KSRC=$target_src KB='' TGT_NAME=$target_name TGT_CONFIG=$target_config
	TGT_VMLINUX=$target_vmlinux TGT_SYMVERS=$target_symvers TGT_MODULES=$target_modules
	TGT_KERNEL=$target_kernel TGT_PREBUILT=$target_prebuilt TGT_EXTRA=$target_initrd_extra
	TGT_SPEC=$target_spec TGT_SERIES=$target_series TGT_BOOT_ARGS=$target_boot_args
	# how qemu runs the series' guests without KVM (the table's vm_tcg_thread)
	if [ -z "${LPB_TCG_THREAD:-}" ] && [ -n "$target_series" ]; then
		LPB_TCG_THREAD=$(series_field "$target_series" vm_tcg_thread)
		[ -z "$LPB_TCG_THREAD" ] || export LPB_TCG_THREAD
	fi
	TEST_INPUTS=$LPB_CACHE/test-inputs/${target_series:-$(basename "$(dirname "$1")")}
	[ -z "$TGT_EXTRA" ] || [ -d "$TGT_EXTRA" ] || die "LPB_TARGET=$1: target_initrd_extra $TGT_EXTRA is not a folder"
}

main() {
	T_START=$(now_ms)
	local t0 t avail=()
	mapfile -t avail < <(all_tests)
	if [ $list_only -eq 1 ]; then
		for t in "${avail[@]}"; do
			printf '%-34s %s\n' "$t" "$(read_conf "$t" >/dev/null 2>&1 && echo "$c_description")"
		done
		return 0
	fi
	if [ ${#selected[@]} -gt 0 ]; then
		for t in "${selected[@]}"; do
			[ -f "$TESTS_DIR/$t/test.conf" ] || die "no test '$t' (tests: ${avail[*]})"
		done
		tests=("${selected[@]}")
	else
		tests=("${avail[@]}")
	fi
	[ ${#tests[@]} -gt 0 ] || die "no tests found in $TESTS_DIR"

	t0=$(now_ms)
	if [ "${LPB_NO_DEPS:-0}" != 1 ]; then
		bash "$LPB_INTEG/install-deps.sh" >&2
	fi
	DEPS_MS=$(($(now_ms) - t0))

	ensure_test_key
	t0=$(now_ms)
	if [ -n "${LPB_TARGET:-}" ]; then
		load_target "$LPB_TARGET"
		KERNEL_MS=$(($(now_ms) - t0))
		KERNEL_NOTE="not built here: $TGT_NAME"
		log "target kernel: $TGT_NAME ($LPB_TARGET)"
	else
		KSRC=$("$LPB_INTEG/fetch-source.sh")
		KB=$("$LPB_INTEG/build-kernel.sh")
		KERNEL_MS=$(($(now_ms) - t0))
		KBUILD_S=$(cat "$KB/.build-seconds" 2>/dev/null || echo 0)
		if [ "$KB/.built" -nt "$OUT/.start" ]; then
			KBUILT=true
			KERNEL_NOTE="built in ${KBUILD_S} s"
		else
			KBUILT=false
			KERNEL_NOTE="cached, first built in ${KBUILD_S} s"
		fi
		log "test kernel: $KB ($KERNEL_NOTE)"
		TGT_NAME="$LPB_SOURCE_PACKAGE $LPB_SOURCE_VERSION" TGT_CONFIG=$KB/.config TGT_VMLINUX=$KB/vmlinux
		TGT_SYMVERS=$KB/Module.symvers TGT_MODULES='' TGT_KERNEL=$KB/arch/x86/boot/bzImage TGT_PREBUILT=$KB
	fi
	ACCEL=$("$LPB_INTEG/accel.sh" "$TGT_KERNEL")

	OUT_T=$OUT/tests
	OUT_B=$OUT/boots
	rm -rf "$OUT_T" "$OUT_B"
	mkdir -p "$OUT_T" "$OUT_B"

	t0=$(now_ms)
	prepare_all "${tests[@]}"
	MODULES_MS=$(($(now_ms) - t0))

	t0=$(now_ms)
	local key n=0
	for key in "${groups[@]}"; do
		n=$((n + 1))
		boot_group "$key" "g$n"
	done
	BOOTS_MS=$(($(now_ms) - t0))

	report
}

OUT=$LPB_OUT
if [ $list_only -eq 0 ]; then
	mkdir -p "$OUT"
	touch "$OUT/.start"
fi
DEPS_MS=0 KERNEL_MS=0 MODULES_MS=0 BOOTS_MS=0 KBUILD_S=0 KBUILT=false
TGT_SPEC='' TGT_SERIES='' TGT_BOOT_ARGS='' TEST_INPUTS=$LPB_CACHE/test-inputs/testkernel
if [ $list_only -eq 1 ]; then
	main
else
	ensure_cache
	with_lock "$OUT/.lock" main
fi; exit $? # on the line bash reads last: editing this file during a run is harmless
