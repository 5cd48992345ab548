# shellcheck shell=dash
# Guest-side check (doc/testing.md) for patch.diff: the patched
# loadavg_proc_show() (fs/proc/loadavg.c, through the LOAD_FRAC() macro)
# shows .42 as the fraction of each of the three load averages.

# the fractions of the three load averages: "0.00 0.01 0.05" -> ".00 .01 .05"
fractions() { cut -d' ' -f1-3 /proc/loadavg | sed 's/[0-9]*\././g'; }

check_before() {
	expect_lacks "the kernel's own fractions" ".42 .42 .42" "$(fractions)"
}

check_patched() {
	expect_eq "every fraction is .42" ".42 .42 .42" "$(fractions)"
}
