# shellcheck shell=dash
run_test() {
	expect_eq "boot count" 3 "$LPB_BOOTS"
	if [ "$LPB_BOOT" -eq 1 ]; then
		expect_eq "fresh disk" "" "$(cat "$LPB_DISK/seen" 2>/dev/null)"
	else
		expect_file_eq "$LPB_DISK/seen" "$((LPB_BOOT - 1))"
	fi
	echo "$LPB_BOOT" >"$LPB_DISK/seen"
}
