# shellcheck shell=bash
# Host side (doc/testing.md, setup.sh): a source tree that is NOT the one
# the target was built from. It is the target's source with one line of
# meminfo_proc_show (fs/proc/meminfo.c) changed - "if (cached < 0) cached =
# 1;" - as links to every other file. Made once under the cache (cp -as of
# the whole tree takes a while), under a lock, and reused.
set -euo pipefail
f=fs/proc/meminfo.c
top=${LPB_TEST_INPUTS:-$LPB_CACHE/test-inputs}/source-mismatch
dst=$top/linux-source

edit() { sed 's/^\t\tcached = 0;$/\t\tcached = 1;/' "$LPB_KSRC/$f"; }

want=$(printf '%s %s\n' "$LPB_KSRC" "$(edit | sha256sum)" | sha256sum | cut -c1-16)
mkdir -p "$top"
exec 9>"$top/lock"
flock 9
if [ -d "$dst" ] && [ "$(cat "$dst.stamp" 2>/dev/null)" = "$want" ]; then
	echo "reusing $dst"
	exit 0
fi
rm -rf "$dst" "$dst.tmp" "$dst.stamp"
cp -as "$LPB_KSRC" "$dst.tmp"
rm "$dst.tmp/$f"
edit >"$dst.tmp/$f"
if cmp -s "$LPB_KSRC/$f" "$dst.tmp/$f"; then
	echo "the edit did not change $f (source not as expected)"
	exit 1
fi
mv "$dst.tmp" "$dst"
echo "$want" >"$dst.stamp"
echo "made $dst"
