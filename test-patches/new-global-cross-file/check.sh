# shellcheck shell=dash
# Guest-side check (doc/testing.md) for patch.diff: /proc/cmdline gains
# " lpb-new-global" and binfmt_misc's status " (lpb-new-global)", both from
# the new globals of fs/proc/version.c, which live in the livepatch module.
BM=/proc/sys/fs/binfmt_misc

check_before() {
	ORIG_CMDLINE=${ORIG_CMDLINE:-$(cat /proc/cmdline)}
	expect_file_lacks /proc/cmdline lpb-new-global
	expect_file_eq $BM/status enabled
	expect_eq "no lpb_patch_tag in kallsyms" "" "$(grep -w lpb_patch_tag /proc/kallsyms)"
}

check_patched() {
	expect_file_eq /proc/cmdline "$ORIG_CMDLINE lpb-new-global"
	expect_file_eq $BM/status "enabled (lpb-new-global)"
	echo 0 >$BM/status
	expect_file_eq $BM/status "disabled (lpb-new-global)"
	echo 1 >$BM/status
	expect_contains "lpb_patch_tag is in the livepatch module" "[$T_MODNAME]" \
		"$(grep -w lpb_patch_tag /proc/kallsyms)"
	expect_object_patched "$T_PATCH" vmlinux 1
	expect_object_patched "$T_PATCH" binfmt_misc 1
}

check_unpatched() {
	expect_file_eq /proc/cmdline "$ORIG_CMDLINE"
	expect_file_eq $BM/status enabled
}

run_test() {
	expect_ok "insmod binfmt_misc.ko" insmod ./binfmt_misc.ko || return 1
	if expect_ok "mount binfmt_misc" mount -t binfmt_misc binfmt_misc $BM; then
		lpb_standard_flow
		expect_ok "umount binfmt_misc" umount $BM
	fi
	lp_unload binfmt_misc
}
