# shellcheck shell=dash
# Guest-side check (doc/testing.md) for patch.diff: /proc/loadavg gains a
# sixth field "lp-reads=N", N being a new global (initial value 41) that
# every read increments: the first read after patching shows 42.

fields() { awk '{ print NF }' /proc/loadavg; }

check_before() {
	expect_eq "/proc/loadavg has 5 fields" 5 "$(fields)"
	expect_file_lacks /proc/loadavg "lp-reads"
	expect_eq "no lpb_loadavg_reads in kallsyms" "" "$(grep -w lpb_loadavg_reads /proc/kallsyms)"
}

check_patched() {
	local r1 r2 r3
	# one read() of /proc/loadavg calls loadavg_proc_show once
	r1=$(cut -d' ' -f6 /proc/loadavg)
	r2=$(cut -d' ' -f6 /proc/loadavg)
	r3=$(cut -d' ' -f6 /proc/loadavg)
	expect_eq "first read after patching: initial value 41 + 1" "lp-reads=42" "$r1"
	expect_eq "the variable keeps counting" "lp-reads=43 lp-reads=44" "$r2 $r3"
	expect_contains "lpb_loadavg_reads is data of the livepatch module" \
		"[$T_MODNAME]" "$(grep -w lpb_loadavg_reads /proc/kallsyms)"
}

check_unpatched() {
	check_before
}
