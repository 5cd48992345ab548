# shellcheck shell=dash
# Guest-side check (doc/testing.md) for patch.diff: the first line of
# /proc/meminfo reads "LpMemTotal:" instead of "MemTotal:", with the same
# value, and every other line is unchanged.

# first_line: "LABEL VALUE" of /proc/meminfo's first line
first_line() { sed -n '1{s/  */ /g;p}' /proc/meminfo; }

check_before() {
	ORIG_TOTAL=${ORIG_TOTAL:-$(sed -n 's/^MemTotal: *\([0-9]*\) kB$/\1/p' /proc/meminfo)}
	[ -n "$ORIG_TOTAL" ] || { fail "no 'MemTotal: N kB' line in /proc/meminfo"; return 1; }
	expect_eq "first /proc/meminfo line is MemTotal" "MemTotal: $ORIG_TOTAL kB" "$(first_line)"
	expect_file_lacks /proc/meminfo LpMemTotal
}

check_patched() {
	expect_eq "first /proc/meminfo line is LpMemTotal, same value" \
		"LpMemTotal: $ORIG_TOTAL kB" "$(first_line)"
	expect_eq "no MemTotal line while patched" "" "$(grep '^MemTotal:' /proc/meminfo)"
	expect_file_contains /proc/meminfo "MemFree:"
	expect_file_contains /proc/meminfo "Committed_AS:"
	expect_object_patched "$T_PATCH" vmlinux 1
}
