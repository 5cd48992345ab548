# shellcheck shell=dash
# Guest-side check (doc/testing.md) for patch.diff: while patched, getdents64
# leaves out entries named lp-layout-hidden; other entries stay listed.

DIR=/tmp/lp-layout-test

check_before() {
	mkdir -p $DIR && touch $DIR/lp-layout-hidden $DIR/visible
	expect_eq "both entries listed" "lp-layout-hidden visible" "$(ls $DIR | tr '\n' ' ' | sed 's/ $//')"
}

check_patched() {
	expect_eq "lp-layout-hidden left out" "visible" "$(ls $DIR | tr '\n' ' ' | sed 's/ $//')"
	expect_ok "the hidden file still exists" test -e $DIR/lp-layout-hidden
}

check_unpatched() {
	expect_eq "both entries listed again" "lp-layout-hidden visible" "$(ls $DIR | tr '\n' ' ' | sed 's/ $//')"
}
