#!/usr/bin/env bash
# lpctl's command line, run as a program against the fake root the unit test
# leaves in WORK/cli: options, arguments, exit codes, --json, the
# environment. Nothing here reaches a real kernel (no insertion).
#   cli.sh LPCTL WORK
set -uo pipefail
lpctl=$1
root=$2/cli
fails=0 n=0

# expect RC DESC ARGS...: lpctl ARGS exits RC; its output is in $out
expect() {
	local want=$1 desc=$2 rc
	shift 2
	n=$((n + 1))
	out=$("$lpctl" "$@" 2>&1)
	rc=$?
	if [ "$rc" != "$want" ]; then
		echo "FAIL $desc: lpctl $* exited $rc, expected $want: $out"
		fails=$((fails + 1))
	fi
}

# says TEXT: the last output contains TEXT
says() {
	n=$((n + 1))
	case "$out" in
	*"$1"*) ;;
	*) echo "FAIL output lacks \"$1\": $out"; fails=$((fails + 1)) ;;
	esac
}

expect 0 "help" --help
says "exit codes: 0 ok, 1 error, 10 verification refused"
expect 1 "no command"
expect 1 "unknown command" frobnicate
says "unknown command 'frobnicate'"
expect 1 "missing argument" --root "$root" install
says "'install' takes one argument"
expect 1 "extra argument" --root "$root" status extra
expect 1 "bad name" --root "$root" disable ../etc
says "'../etc' is not a module name"
expect 1 "bad timeout" --root "$root" --timeout 0 status
says "--timeout wants 1..86400 seconds"
expect 1 "bad policy" --root "$root" --stall-policy sometimes status
expect 1 "--json elsewhere" --root "$root" --json list
expect 1 "--manifest elsewhere" --root "$root" --manifest x.json start
expect 1 "--repo elsewhere" --root "$root" --repo file:///x status
says "--repo, --download-only, --install-only and --ca-file are for update, not 'status'"
expect 1 "--download-only with --install-only" --root "$root" update --download-only /x --install-only
says "exclude each other"
expect 1 "update without a repository" --root "$root" --state-dir "$root/upd-state" update
says "no repository: give --repo URL, or set repository = URL in"
expect 1 "not a repository URL" --root "$root" --state-dir "$root/upd-state" update --repo ftp://x/y
says "not a repository URL"
printf 'rollout_bucket = 100\n' >"$root/etc/lpctl/lpctl.conf"
expect 1 "bad rollout_bucket" --root "$root" status
says "bad value '100' for rollout_bucket"
rm "$root/etc/lpctl/lpctl.conf"
expect 0 "version" --version
says "lpctl "

expect 10 "unsigned refused" --root "$root" install "$root/lp_cli_unsigned.ko"
says "signature check: the module is not signed; nothing inserted"
expect 0 "install" --root "$root" install "$root/lp_cli.ko"
says "lp_cli: installed version 3 for kernel 6.1.99-unit"
expect 0 "status --json" --root "$root" status --json
if command -v jq >/dev/null; then
	n=$((n + 1))
	[ "$(jq -r '.installed.name + " " + .patch.state' <<<"$out")" = "lp_cli not-loaded" ] ||
		{ echo "FAIL status --json: $out"; fails=$((fails + 1)); }
fi
LPCTL_ROOT=$root expect 0 "LPCTL_ROOT" status
says "installed:   lp_cli version 3"
LPCTL_STATE_DIR=$root/elsewhere expect 0 "LPCTL_STATE_DIR" --root "$root" status
says "installed:   none"
expect 0 "list" --root "$root" list
says "installed  6.1.99-unit"
printf 'stall_policy = never\n' >"$root/etc/lpctl/lpctl.conf"
expect 1 "bad lpctl.conf" --root "$root" status
says "lpctl.conf: line 1: bad value 'never' for stall_policy"
rm "$root/etc/lpctl/lpctl.conf"
expect 0 "uninstall" --root "$root" uninstall

echo "lpctl command line: $n checks, $fails failed"
[ "$fails" -eq 0 ]
