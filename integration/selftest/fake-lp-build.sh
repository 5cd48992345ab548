#!/usr/bin/env bash
# Stand-in for build/lp-build in the harness's self-test: checks that the
# harness calls it with the documented arguments, then "builds" NAME.ko by
# copying the kernel's livepatch sample, or fails with exit code 3 when a
# patch contains FAIL-ME.
set -euo pipefail
src='' config='' vmlinux='' symvers='' out='' name='' key='' cert='' patches=()
while [ $# -gt 0 ]; do
	case "$1" in
	-s) src=$2; shift 2 ;;
	-c) config=$2; shift 2 ;;
	-v) vmlinux=$2; shift 2 ;;
	--symvers) symvers=$2; shift 2 ;;
	-o) out=$2; shift 2 ;;
	-n) name=$2; shift 2 ;;
	--key) key=$2; shift 2 ;;
	--cert) cert=$2; shift 2 ;;
	-*) echo "fake-lp-build: unknown option $1" >&2; exit 1 ;;
	*) patches+=("$1"); shift ;;
	esac
done
[ -f "$src/Makefile" ] || { echo "fake-lp-build: -s $src is not a kernel tree" >&2; exit 1; }
for f in "$config" "$vmlinux" "$symvers" "$key" "$cert"; do
	[ -f "$f" ] || { echo "fake-lp-build: missing file '$f'" >&2; exit 1; }
done
if [ ! -d "$out" ] || [ -z "$name" ] || [ ${#patches[@]} -eq 0 ]; then
	echo "fake-lp-build: need -o DIR -n NAME PATCH..." >&2
	exit 1
fi
for p in "${patches[@]}"; do
	[ -f "$p" ] || { echo "fake-lp-build: no patch $p" >&2; exit 1; }
	if grep -q FAIL-ME "$p"; then
		echo "lp-build: refusing FAIL-ME in $p" >&2
		exit 3
	fi
done
cp "$(dirname "$vmlinux")/samples/livepatch/livepatch-sample.ko" "$out/$name.ko"
printf '{"name": "%s"}\n' "$name" >"$out/$name.json"
