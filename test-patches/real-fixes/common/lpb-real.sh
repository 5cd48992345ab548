# shellcheck shell=dash
# Guest-side flow shared by the real-fixes tests (doc/real-fixes.md): the
# target's modules of load-order first, then the standard flow (load,
# transition, patched, disable, unload), then those modules out again.
# prepare.sh copies it into the guest folder; a test's check.sh sources it
# and may define check_before and check_patched (the default: every object
# of the livepatch reports patched=1).

lpb_real_modules() { [ -f load-order ] && cat load-order; }

check_before() { note "no visible effect checked before the patch"; }

check_patched() {
	for o in /sys/kernel/livepatch/"$T_PATCH"/*/; do
		[ -f "$o/patched" ] || continue
		expect_file_eq "$o/patched" 1
	done
}

run_test() {
	mods=$(lpb_real_modules)
	for m in $mods; do
		expect_ok "insmod $m" insmod "./$m" || return 1
	done
	lpb_standard_flow
	rev=
	for m in $mods; do
		rev="$m $rev"
	done
	for m in $rev; do
		lp_unload "$(lp_modname "$m")"
	done
}
