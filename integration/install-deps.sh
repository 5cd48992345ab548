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
	# compiled units shared between builds and targets (build-driver/unitcache.c)
	ccache
	# distribution targets (lp-build --target): download probes, build roots
	# (a chroot of another Debian release, made once, entered with bubblewrap)
	curl mmdebstrap bubblewrap
	# the VM harness
	qemu-system-x86 busybox-static e2fsprogs
	# json for scripts; yaml for the test of doc/ci-pipelines.md
	jq ca-certificates python3-yaml
	# the patch repository tests: an HTTPS server on 127.0.0.1 started by the
	# test itself (lpctl/tests/update.sh); the package's own nginx service is
	# never used, and is kept from starting when this script installs it
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
# Packages whose service would start on installation (nginx on port 80):
# the tests start their own servers on 127.0.0.1, so none may be left
# running or enabled on the developer's machine. policy-rc.d stops the
# start during installation (sysvinit and systemd alike); the unit is then
# disabled where systemd runs.
services=()
for p in "${missing[@]}"; do
	case $p in nginx-light) services+=(nginx) ;; esac
done
if [ ${#services[@]} -gt 0 ] && [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null
	$sudo chmod 755 /usr/sbin/policy-rc.d
	trap '$sudo rm -f /usr/sbin/policy-rc.d' EXIT
fi
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
if [ ${#services[@]} -gt 0 ] && [ -d /run/systemd/system ]; then
	echo "install-deps: disabling the services tests never use: ${services[*]}"
	$sudo systemctl disable --now "${services[@]}"
fi
