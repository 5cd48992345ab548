# shellcheck shell=dash
# Guest helpers for lpctl's real-kernel tests (test-patches/lpctl-*), put at
# /lpb/lpctl.sh by the harness for tests with lpctl=yes, together with
# /bin/lpctl (build/lpctl.static) and /lpb/test-signing.crt (the key the test
# kernel trusts, which lp-build signed the test modules with).

# lpctl_setup [PERSISTENT_DIR]: a fresh lpctl configuration that trusts the
# test key. State lives in the real default /var/lib/lpctl: wiped, or a link
# to PERSISTENT_DIR (kept) for tests spanning several boots.
lpctl_setup() {
	rm -rf /etc/lpctl /var/lib/lpctl
	mkdir -p /etc/lpctl/trusted.d /var/lib
	cp /lpb/test-signing.crt /etc/lpctl/trusted.d/
	if [ -n "${1:-}" ]; then
		mkdir -p "$1"
		ln -s "$1" /var/lib/lpctl
	fi
}

# lpctl_run RC DESC ARGS...: run "lpctl ARGS", expect exit status RC. The
# output (stdout and stderr) is kept in $LPCTL_OUT and copied to the console.
lpctl_run() {
	local want=$1 desc=$2 rc
	shift 2
	LPCTL_OUT=$(lpctl "$@" 2>&1)
	rc=$?
	note "lpctl $* -> exit $rc"
	printf '%s\n' "$LPCTL_OUT" | sed 's/^/    | /' >/dev/console
	if [ "$rc" = "$want" ]; then
		pass "$desc: lpctl $1 exits $rc"
	else
		fail "$desc: lpctl $* exited $rc, expected $want: $LPCTL_OUT"
	fi
}

# lpctl_says TEXT: the last lpctl_run's output contains TEXT
lpctl_says() {
	expect_contains "lpctl says \"$1\"" "$1" "$LPCTL_OUT"
}

# lpctl_json_has TEXT: "lpctl status --json" contains TEXT (e.g. a key: value pair)
lpctl_json_has() {
	local j
	j=$(lpctl status --json 2>&1)
	expect_contains "status --json has $1" "$1" "$j"
}

# lpctl_not_inserted MODNAME: the kernel never saw the module: no livepatch,
# no module, and lpctl did not log an insertion since the last kmsg_reset
lpctl_not_inserted() {
	expect_eq "$1 not registered" absent "$(lp_state "$1")"
	expect_ok "$1 not loaded" test ! -d "/sys/module/$1"
	kmsg_lacks "lpctl: inserting $1"
}

# lpctl_wait_applied PATCH [SECS=30]: enabled with its transition done (for a
# test that runs lpctl in the background); no step
lpctl_wait_applied() {
	local n=$((${2:-30} * 10)) i=0
	while [ $i -lt $n ]; do
		[ "$(lp_state "$1")" = "enabled=1 transition=0" ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
