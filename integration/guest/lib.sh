# shellcheck shell=dash
# Guest-side test library (busybox ash), installed as /lpb/lib.sh in the
# initramfs. Every test's check.sh is sourced with it loaded. The protocol,
# the markers and the helpers are described in doc/testing.md.
#
# Results travel on their own serial port (/dev/ttyS1), one marker per line:
#   @@LPB boot-begin BOOT BOOTS UPTIME_MS NCPUS
#   @@LPB test-begin TEST BOOT UPTIME_MS
#   @@LPB step TEST PASS|FAIL TEXT
#   @@LPB test-end TEST BOOT RC UPTIME_MS
#   @@LPB boot-end BOOT UPTIME_MS
# so kernel messages on the console (ttyS0) can never cut through a marker.
# Markers are copied to the console too, for people reading the log.

LPB_CHAN=/dev/ttyS1
LPB_SYSFS=/sys/kernel/livepatch
_lpb_fails=0

lpb_mark() {
	[ -c "$LPB_CHAN" ] && echo "@@LPB $*" >"$LPB_CHAN"
	echo "@@LPB $*" >/dev/console
}

# lpb_uptime_ms: guest uptime in milliseconds (10 ms resolution)
lpb_uptime_ms() {
	local u s f
	read -r u _ </proc/uptime
	s=${u%.*}
	f=${u#*.}
	f=${f#0}
	echo $((s * 1000 + ${f:-0} * 10))
}

# _lpb_short TEXT: TEXT on one line, cut to 300 characters, for step messages
_lpb_short() {
	local s
	s=$(printf '%s' "$1" | tr '\n' '|')
	[ ${#s} -gt 300 ] && s="$(printf '%.300s' "$s")..."
	printf '%s' "$s"
}

# ---- recording ------------------------------------------------------------

# pass TEXT / fail TEXT: record one step of the current test. fail returns 1
# so a check can stop early with `... || return 1`.
pass() { lpb_mark step "$T_NAME" PASS "$(_lpb_short "$*")"; }
fail() {
	_lpb_fails=$((_lpb_fails + 1))
	lpb_mark step "$T_NAME" FAIL "$(_lpb_short "$*")"
	return 1
}
# note TEXT: a line on the console only (not a step)
note() { echo "[$T_NAME] $*" >/dev/console; }

# ---- comparing ------------------------------------------------------------

# expect_eq DESC EXPECTED ACTUAL
expect_eq() {
	if [ "$2" = "$3" ]; then pass "$1"; else fail "$1: expected \"$2\", got \"$3\""; fi
}

# expect_contains DESC NEEDLE HAYSTACK / expect_lacks DESC NEEDLE HAYSTACK
# (fixed-string match)
expect_contains() {
	case "$3" in
	*"$2"*) pass "$1" ;;
	*) fail "$1: \"$2\" not in \"$3\"" ;;
	esac
}
expect_lacks() {
	case "$3" in
	*"$2"*) fail "$1: \"$2\" unexpectedly in \"$3\"" ;;
	*) pass "$1" ;;
	esac
}

# expect_file_contains FILE NEEDLE / expect_file_lacks FILE NEEDLE /
# expect_file_eq FILE EXPECTED: the same, on a file's content (e.g. /proc/cmdline)
expect_file_contains() {
	local c
	c=$(cat "$1" 2>&1) || { fail "cannot read $1: $c"; return 1; }
	expect_contains "$1 shows \"$2\"" "$2" "$c"
}
expect_file_lacks() {
	local c
	c=$(cat "$1" 2>&1) || { fail "cannot read $1: $c"; return 1; }
	expect_lacks "$1 does not show \"$2\"" "$2" "$c"
}
expect_file_eq() {
	local c
	c=$(cat "$1" 2>&1) || { fail "cannot read $1: $c"; return 1; }
	expect_eq "$1 is \"$2\"" "$2" "$c"
}

# expect_object_patched PATCH OBJECT 0|1: the object's "patched" attribute
# (/sys/kernel/livepatch/PATCH/OBJECT/patched). Older kernels (5.10) have
# the object's folder but no such attribute: there only the test's checks
# of behaviour tell, and a console note says so (no step is recorded).
expect_object_patched() {
	local d=$LPB_SYSFS/$1/$2
	if [ -e "$d/patched" ]; then
		expect_file_eq "$d/patched" "$3"
	elif [ -d "$d" ]; then
		note "$d has no patched attribute on this kernel: not checked (expected $3)"
	else
		fail "no $d: the livepatch has no object $2"
	fi
}

# expect_ok DESC CMD... / expect_fails DESC CMD...: CMD's exit status
expect_ok() {
	local d=$1 out
	shift
	if out=$("$@" 2>&1); then pass "$d"; else fail "$d: '$*' failed: $out"; fi
}
expect_fails() {
	local d=$1 out
	shift
	if out=$("$@" 2>&1); then fail "$d: '$*' succeeded: $out"; else pass "$d"; fi
}

# expect_output DESC EXPECTED CMD...: CMD's standard output is exactly EXPECTED
expect_output() {
	local d=$1 want=$2 out
	shift 2
	out=$("$@" 2>/dev/null)
	expect_eq "$d" "$want" "$out"
}

# ---- kernel log -----------------------------------------------------------

# kmsg_reset: forget the kernel log so far; kmsg_expect / kmsg_lacks then look
# only at what the kernel printed after it (the serial log keeps everything)
kmsg_reset() { dmesg -c >/dev/null 2>&1; }
kmsg_expect() {
	local k
	k=$(dmesg 2>&1)
	expect_contains "kernel log shows \"$1\"" "$1" "$k"
}
kmsg_lacks() {
	local k
	k=$(dmesg 2>&1)
	expect_lacks "kernel log does not show \"$1\"" "$1" "$k"
}

# ---- livepatch operations -------------------------------------------------

# lp_modname KO: the module name the kernel gives KO (dashes become underscores)
lp_modname() {
	local b=${1##*/}
	b=${b%.ko}
	echo "$b" | tr - _
}

# lp_state PATCH: "enabled=E transition=T", or "absent"
lp_state() {
	local d=$LPB_SYSFS/$1
	if [ -d "$d" ]; then
		echo "enabled=$(cat "$d/enabled" 2>/dev/null) transition=$(cat "$d/transition" 2>/dev/null)"
	else
		echo absent
	fi
}

# lp_load KO [PARAM=VALUE...]: insmod must succeed
lp_load() {
	local ko=$1 out
	shift
	if out=$(insmod "$ko" "$@" 2>&1); then
		pass "insmod ${ko##*/}"
	else
		fail "insmod ${ko##*/} failed: $out"
	fi
}

# lp_load_fails KO TEXT [PARAM=VALUE...]: insmod must fail, and TEXT must be in
# insmod's message or in what the kernel logged during the attempt. A module
# that loads anyway is disabled and removed again.
lp_load_fails() {
	local ko=$1 want=$2 out k m mods
	shift 2
	mods=$(_lpb_modules)
	kmsg_reset
	if out=$(insmod "$ko" "$@" 2>&1); then
		fail "insmod ${ko##*/} succeeded; expected it to be refused with \"$want\""
		for m in $(_lpb_modules); do
			echo "$mods" | grep -qx "$m" && continue
			[ -d "$LPB_SYSFS/$m" ] && lp_disable "$m" >/dev/null
			lp_unload "$m" >/dev/null
		done
		return 1
	fi
	k=$(dmesg 2>&1)
	case "$out
$k" in
	*"$want"*) pass "insmod ${ko##*/} refused: \"$want\"" ;;
	*) fail "insmod ${ko##*/} refused, but without \"$want\": $out; kernel: $(echo "$k" | tail -n 3)" ;;
	esac
}

# lp_wait_enabled PATCH [SECONDS=30]: the patch is registered, enabled=1 and
# its transition has completed (transition=0)
lp_wait_enabled() {
	local p=$1 d=$LPB_SYSFS/$1 n=$((${2:-30} * 10)) i=0
	while [ $i -lt $n ]; do
		[ -d "$d" ] && [ "$(cat "$d/transition" 2>/dev/null)" = 0 ] && break
		sleep 0.1
		i=$((i + 1))
	done
	if [ "$(lp_state "$p")" = "enabled=1 transition=0" ]; then
		pass "$p enabled, transition complete after $((i / 10)).$((i % 10)) s"
	else
		fail "$p not enabled with a complete transition after ${2:-30} s: $(lp_state "$p")"
	fi
}

# lp_disable PATCH [SECONDS=30]: write 0 to enabled, wait for the reverse
# transition and for the kernel to drop the patch from sysfs
lp_disable() {
	local p=$1 d=$LPB_SYSFS/$1 n=$((${2:-30} * 10)) i=0 out
	[ -d "$d" ] || { fail "cannot disable $p: not in $LPB_SYSFS"; return 1; }
	# shellcheck disable=SC2116 # capture the write error of the redirection
	out=$(echo 0 2>&1 >"$d/enabled") || { fail "echo 0 > $d/enabled failed: $out"; return 1; }
	while [ $i -lt $n ] && [ -d "$d" ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if [ -d "$d" ]; then
		fail "$p still registered ${2:-30} s after disabling: $(lp_state "$p")"
	else
		pass "$p disabled, transition complete after $((i / 10)).$((i % 10)) s"
	fi
}

# lp_wait_gone PATCH [SECONDS=30]: the patch is no longer registered (e.g. a
# cumulative patch replaced it, or it was disabled elsewhere)
lp_wait_gone() {
	local p=$1 n=$((${2:-30} * 10)) i=0
	while [ -d "$LPB_SYSFS/$p" ] && [ $i -lt $n ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if [ -d "$LPB_SYSFS/$p" ]; then
		fail "$p still registered after ${2:-30} s: $(lp_state "$p")"
	else
		pass "$p no longer registered"
	fi
}

# lp_unload MODULE [SECONDS=10]: rmmod must succeed. The kernel releases a
# disabled livepatch module asynchronously, so a busy module is retried.
lp_unload() {
	local m=$1 n=$((${2:-10} * 10)) i=0 out
	while ! out=$(rmmod "$m" 2>&1); do
		i=$((i + 1))
		if [ $i -ge $n ]; then
			fail "rmmod $m failed for ${2:-10} s: $out"
			return 1
		fi
		sleep 0.1
	done
	if [ -d "/sys/module/$m" ]; then
		fail "rmmod $m returned but /sys/module/$m is still there"
	else
		pass "rmmod $m"
	fi
}

# lpb_crash_now: end this boot at once, the way a crash would (sysrq b: an
# immediate reset, no sync, no unmount), for tests of what survives a crash
# on the persistent disk. The test's end and the boot's end are reported
# first: the harness expects every boot to finish.
lpb_crash_now() {
	lpb_mark test-end "$T_NAME" "$LPB_BOOT" "$([ "$_lpb_fails" -eq 0 ] && echo 0 || echo 1)" "$(lpb_uptime_ms)"
	lpb_mark boot-end "$LPB_BOOT" "$(lpb_uptime_ms)"
	sleep 0.5 # let the serial ports drain
	echo 1 >/proc/sys/kernel/sysrq
	echo b >/proc/sysrq-trigger
	sleep 10
	fail "sysrq b did not reset the machine"
}

# ---- the flow ---------------------------------------------------------------

# A test's check.sh defines what the guest must see in each state:
#   check_before     before the module is loaded
#   check_patched    after it is loaded and its transition completed
#   check_unpatched  after it is disabled and unloaded (default: check_before)
# and may replace the whole flow by defining run_test. These defaults are
# defined before check.sh is sourced, so check.sh overrides them.
check_before() { fail "check.sh defines no check_before"; }
check_patched() { fail "check.sh defines no check_patched"; }
check_unpatched() { check_before; }
run_test() { lpb_standard_flow; }

# lpb_standard_flow: what T_EXPECT (test.conf's expect=) asks for, on
# T_MODULE (the test's first module) whose livepatch is T_PATCH
lpb_standard_flow() {
	case "$T_EXPECT" in
	pass)
		check_before
		lp_load "$T_MODULE" || return 1
		lp_wait_enabled "$T_PATCH" || return 1
		check_patched
		lp_disable "$T_PATCH" || return 1
		lp_unload "$T_MODNAME" || return 1
		check_unpatched
		;;
	load-fail)
		check_before
		lp_load_fails "$T_MODULE" "$T_LOAD_MSG"
		check_unpatched
		;;
	*)
		fail "unknown expect=$T_EXPECT for the standard flow"
		;;
	esac
}

# ---- runner (used by /init) -------------------------------------------------

_lpb_livepatches() { ls "$LPB_SYSFS" 2>/dev/null; }
_lpb_modules() { cut -d' ' -f1 /proc/modules 2>/dev/null | sort; }

# lpb_test_main TEST: runs inside the per-test shell
lpb_test_main() {
	T_NAME=$1
	T_DIR=/tests/$1
	# shellcheck disable=SC1090,SC1091
	. "$T_DIR/env"
	cd "$T_DIR" || exit 1
	if [ ! -f ./check.sh ]; then
		fail "test has no check.sh"
		exit 1
	fi
	# shellcheck disable=SC1091
	. ./check.sh
	run_test
	[ "$_lpb_fails" -eq 0 ]
	exit $?
}

# lpb_run_test TEST: run one test under a time limit, then make sure it left
# no livepatch and no module behind (removing them for the next test)
lpb_run_test() {
	local t=$1 to lp0 mod0 rc p m n
	T_NAME=$t
	# shellcheck disable=SC1090
	to=$(. "/tests/$t/env" && echo "${T_TIMEOUT:-60}")
	lp0=$(_lpb_livepatches)
	mod0=$(_lpb_modules)
	lpb_mark test-begin "$t" "$LPB_BOOT" "$(lpb_uptime_ms)"
	# shellcheck disable=SC2016 # $1 is expanded by the inner shell
	timeout -s KILL "$to" sh -c '. /lpb/lib.sh && lpb_test_main "$1"' lpb-test "$t" </dev/null
	rc=$?
	[ $rc -eq 137 ] && fail "guest time limit: test killed after $to s"
	# shellcheck disable=SC1090
	if [ "$(. "/tests/$t/env" && echo "$T_LEAVE_LOADED")" != yes ]; then
		for p in $(_lpb_livepatches); do
			echo "$lp0" | grep -qx "$p" && continue
			fail "test left livepatch $p registered ($(lp_state "$p")); removing it"
			[ "$(cat "$LPB_SYSFS/$p/enabled" 2>/dev/null)" = 1 ] && echo 0 >"$LPB_SYSFS/$p/enabled"
			n=0
			while [ -d "$LPB_SYSFS/$p" ] && [ $n -lt 300 ]; do
				sleep 0.1
				n=$((n + 1))
			done
		done
		for m in $(_lpb_modules); do
			echo "$mod0" | grep -qx "$m" && continue
			fail "test left module $m loaded; removing it"
			n=0
			while ! rmmod "$m" 2>/dev/null && [ $n -lt 100 ]; do
				sleep 0.1
				n=$((n + 1))
			done
		done
	fi
	lpb_mark test-end "$t" "$LPB_BOOT" "$rc" "$(lpb_uptime_ms)"
}
