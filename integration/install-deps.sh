#!/usr/bin/env bash
# Installs, idempotently, every Debian package lp-build, its tests and the
# VM harness need. Safe to run again: it only calls apt when something is missing.
set -euo pipefail

pkgs=(
	# building lp-build itself (libcurl: lpctl update over https)
	gcc make libc6-dev libelf-dev libdw-dev zlib1g-dev libssl-dev pkg-config
	libcurl4-openssl-dev
	# building kernels and kernel objects
	bc bison flex cpio kmod xz-utils dwarves openssl perl python3 rsync patch
	# unit-test extras: sanitizers and the fuzzer
	clang libclang-rt-14-dev
	# distribution targets (lp-build --target): download probes, build roots
	# (a chroot of another Debian release, made once, entered with bubblewrap)
	curl mmdebstrap bubblewrap
	# the VM harness
	qemu-system-x86 busybox-static e2fsprogs
	# json for scripts
	jq ca-certificates
	# the patch repository tests: an HTTPS server on 127.0.0.1 started by the
	# test itself (lpctl/tests/update.sh); the package's own nginx service is
	# never used (on a machine where installing starts it, stop it if unwanted)
	nginx-light
)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "install-deps: all ${#pkgs[@]} packages present"
	exit 0
fi

sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
