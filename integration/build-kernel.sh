#!/usr/bin/env bash
# Builds the harness's small livepatch-capable test kernel (vmlinux, bzImage,
# modules) from the pinned Debian source, once per (source, fragment, key,
# compiler); prints the build directory. Rebuilds only when one of those changes.
set -euo pipefail
LPB_PROG=build-kernel
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

# check_config CONFIG FRAGMENT: every =y/=m in FRAGMENT must be in CONFIG
check_config() {
	local config=$1 frag=$2 missing=() line
	while IFS= read -r line; do
		case "$line" in
		CONFIG_*=y | CONFIG_*=m)
			grep -qx "$line" "$config" || missing+=("$line (have: $(grep -E "^(# )?${line%%=*}[= ]" "$config" || echo unset))")
			;;
		esac
	done <"$frag"
	if [ ${#missing[@]} -gt 0 ]; then
		log "these options did not stick (a dependency is missing):"
		printf '  %s\n' "${missing[@]}" >&2
		return 1
	fi
}

build() {
	local src=$1 frag=$LPB_INTEG/testkernel.config key
	ensure_test_key
	# contents only: the checkout's path must not force a rebuild
	key=$(cat "$frag" "$LPB_CACHE/keys/test-signing.crt" | sha256sum | cut -c1-12)
	key=$LPB_SOURCE_VERSION-$(gcc -dumpfullversion)-$key
	local out=$LPB_CACHE/testkernel/$key
	if [ -f "$out/.built" ]; then
		echo "$out"
		return
	fi
	rm -rf "$out"
	mkdir -p "$out"
	local t0
	t0=$(now_ms)
	# Kconfig's "override" notes for the fragment go to a log, not the terminal
	make -s -C "$src" O="$out" tinyconfig >"$out/config.log" 2>&1 ||
		{ tail -n 20 "$out/config.log" >&2; die "make tinyconfig failed; log: $out/config.log"; }
	{
		cat "$frag"
		echo "CONFIG_MODULE_SIG_KEY=\"$LPB_CACHE/keys/test-signing.pem\""
	} >>"$out/.config"
	make -s -C "$src" O="$out" olddefconfig >>"$out/config.log" 2>&1 ||
		{ tail -n 20 "$out/config.log" >&2; die "make olddefconfig failed; log: $out/config.log"; }
	check_config "$out/.config" "$frag" ||
		die "test kernel config is incomplete; fix integration/testkernel.config"
	log "building test kernel in $out (-j$LPB_JOBS)"
	if ! make -s -C "$src" O="$out" -j"$LPB_JOBS" vmlinux bzImage modules >"$out/build.log" 2>&1; then
		tail -n 30 "$out/build.log" >&2
		die "test kernel build failed; full log: $out/build.log"
	fi
	for f in vmlinux arch/x86/boot/bzImage samples/livepatch/livepatch-sample.ko Module.symvers; do
		[ -f "$out/$f" ] || die "test kernel build did not produce $f"
	done
	echo $(( ($(now_ms) - t0) / 1000 )) >"$out/.build-seconds"
	touch "$out/.built"
	ln -sfn "$key" "$LPB_CACHE/testkernel/current"
	log "test kernel built in $(cat "$out/.build-seconds") s"
	echo "$out"
}

ensure_cache
src=$("$LPB_INTEG/fetch-source.sh")
with_lock "$LPB_CACHE/locks/testkernel" build "$src"
