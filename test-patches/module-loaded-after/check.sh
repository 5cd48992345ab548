# shellcheck shell=dash
# Guest-side check (doc/testing.md) for patch.diff: a registered
# binfmt_misc entry's file gains a "livepatched:" line, but only once the
# module is loaded under the already enabled livepatch.
BM=/proc/sys/fs/binfmt_misc
ENTRY=':lpbtest:E::lpb::/bin/sh:'

# bm_up: load and mount binfmt_misc, register the test entry
bm_up() {
	expect_ok "insmod binfmt_misc.ko" insmod ./binfmt_misc.ko || return 1
	expect_ok "mount binfmt_misc" mount -t binfmt_misc binfmt_misc $BM || return 1
	expect_ok "register an entry" sh -c "echo '$ENTRY' >$BM/register"
}

# bm_down: remove the entry, unmount, unload the module
bm_down() {
	[ -f $BM/lpbtest ] && echo -1 >$BM/lpbtest
	grep -q " $BM " /proc/mounts && expect_ok "umount binfmt_misc" umount $BM
	lp_unload binfmt_misc
}

entry_unpatched() {
	expect_eq "entry text is the original" \
		"enabled|interpreter /bin/sh|flags: |extension .lpb|" "$(tr '\n' '|' <$BM/lpbtest)"
}

entry_patched() {
	expect_eq "entry text has the livepatched line" \
		"enabled|interpreter /bin/sh|flags: |extension .lpb|livepatched: binfmt_misc is enabled|" \
		"$(tr '\n' '|' <$BM/lpbtest)"
}

run_test() {
	expect_eq "binfmt_misc not loaded" "" "$(grep -w binfmt_misc /proc/modules)"
	# the original text, to compare with
	bm_up && entry_unpatched
	bm_down || return 1

	lp_load "$T_MODULE" || return 1
	lp_wait_enabled "$T_PATCH" || return 1
	expect_object_patched module_loaded_after binfmt_misc 0
	bm_up && expect_object_patched module_loaded_after binfmt_misc 1 && entry_patched
	echo 0 >$BM/status
	expect_eq "patched code reads the module's flag" "livepatched: binfmt_misc is disabled" \
		"$(grep livepatched: $BM/lpbtest)"
	echo 1 >$BM/status
	# the module goes while the patch stays enabled
	bm_down
	expect_object_patched module_loaded_after binfmt_misc 0

	lp_disable "$T_PATCH" || return 1
	lp_unload "$T_MODNAME" || return 1
	bm_up && entry_unpatched
	bm_down
}
