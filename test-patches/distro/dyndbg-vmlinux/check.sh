# shellcheck shell=dash
# Guest-side check (doc/testing.md) for patch.diff: loading binfmt_misc.ko
# with a parameter runs parse_args; the patched one logs "lp-build: ...", and
# its pr_debug() prints only while "func parse_args +p" is set.
CTL=/proc/dynamic_debug/control
# (busybox insmod passes the parameters with a trailing space)
NEW="lp-build: binfmt_misc parameters: 'lpbtest=1"
DBG="doing binfmt_misc, parsing ARGS: 'lpbtest=1"

# bm_cycle: load and unload binfmt_misc with a parameter, kernel log reset first
bm_cycle() {
	kmsg_reset
	insmod ./binfmt_misc.ko lpbtest=1 || { fail "insmod binfmt_misc.ko lpbtest=1 failed"; return 1; }
	lp_unload binfmt_misc
}

dbg() { echo "func parse_args $1" >$CTL || fail "cannot write $CTL"; }

check_before() {
	expect_eq "one parse_args descriptor" 1 "$(grep -c ']parse_args ' $CTL)"
	bm_cycle && kmsg_lacks "lp-build:" && kmsg_lacks "parsing ARGS"
	dbg +p
	bm_cycle && kmsg_expect "$DBG" && kmsg_lacks "lp-build:"
	dbg -p
}

check_patched() {
	bm_cycle && kmsg_expect "$NEW" && kmsg_lacks "parsing ARGS"
	dbg +p
	bm_cycle && kmsg_expect "$NEW" && kmsg_expect "$DBG"
	dbg -p
	bm_cycle && kmsg_lacks "parsing ARGS"
	expect_eq "still one parse_args descriptor (none copied)" 1 "$(grep -c ']parse_args ' $CTL)"
}
