# shellcheck shell=dash
# Guest-side check (doc/testing.md) for patch.diff: /proc/version gains a
# second line written by lpb_version_note, a function only the livepatch
# module has (it is listed in /proc/kallsyms under the module's name).

check_before() {
	ORIG_VERSION=${ORIG_VERSION:-$(cat /proc/version)}
	expect_contains "/proc/version is the banner" "Linux version $(uname -r)" "$ORIG_VERSION"
	expect_eq "/proc/version has one line" 1 "$(wc -l </proc/version)"
	expect_eq "no lpb_version_note in kallsyms" "" "$(grep -w lpb_version_note /proc/kallsyms)"
}

check_patched() {
	local r
	r=$(uname -r)
	expect_eq "/proc/version line 1 unchanged" "$ORIG_VERSION" "$(sed -n 1p /proc/version)"
	expect_eq "/proc/version line 2 from the new function" \
		"lp-build new function: release $r has ${#r} characters" "$(sed -n 2p /proc/version)"
	expect_contains "lpb_version_note is a function of the livepatch module" \
		"[$T_MODNAME]" "$(grep -w lpb_version_note /proc/kallsyms)"
}

check_unpatched() {
	expect_file_eq /proc/version "$ORIG_VERSION"
	expect_eq "lpb_version_note gone from kallsyms" "" "$(grep -w lpb_version_note /proc/kallsyms)"
}
