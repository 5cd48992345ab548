# shellcheck shell=bash
# For a test's setup.sh (doc/testing.md): an input derived from the target's
# files, kept under $LPB_TEST_INPUTS/NAME (one folder per series), made
# under a lock (several runs may share the cache) and replaced only when its
# content changes, so that lp-build reuses the tree prepared for it.
#
#   . "$LPB_INTEG/test-inputs.sh"
#   input_begin NAME          # sets $top, holds its lock on fd 9
#   ... write "$top/FILE.tmp" ...
#   input_commit "$top/FILE"  # FILE.tmp becomes FILE if it differs

input_begin() {
	top=${LPB_TEST_INPUTS:-$LPB_CACHE/test-inputs}/$1
	mkdir -p "$top"
	exec 9>"$top/lock"
	flock 9
}

input_commit() {
	if cmp -s "$1.tmp" "$1"; then
		rm "$1.tmp"
	else
		mv "$1.tmp" "$1"
	fi
}
