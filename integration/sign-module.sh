#!/usr/bin/env bash
# Module signing helpers for tests, built on the test kernel's own
# scripts/sign-file (an independent reference for lp-build's signer):
#
#   sign-module.sh sign KO OUT [KEY CERT]  sign a copy of KO (SHA-256) with KEY/CERT,
#                                          default: the harness's test key, which
#                                          the test kernel trusts
#   sign-module.sh tamper KO OUT           copy of the signed KO with one byte of
#                                          the signed content flipped
#   sign-module.sh strip KO OUT            copy of KO without its signature
#   sign-module.sh info KO                 "unsigned", or "signed SIG_LEN CONTENT_LEN"
#
# The kernel build dir comes from LPB_KBUILD (default: the current test kernel).
set -euo pipefail
LPB_PROG=sign-module
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

KB=${LPB_KBUILD:-$LPB_CACHE/testkernel/current}
MAGIC='~Module signature appended~'

# sig_info KO: prints "signed SIG_LEN CONTENT_LEN" or "unsigned". The module
# ends with [content][PKCS#7][struct module_signature (12 bytes)][magic (28)],
# the struct's last 4 bytes being the big-endian PKCS#7 length.
sig_info() {
	local ko=$1 size tail28 len
	size=$(stat -c %s "$ko")
	if [ "$size" -lt 40 ]; then
		echo unsigned
		return
	fi
	tail28=$(tail -c 28 "$ko" | head -c 27 | tr -d '\0')
	if [ "$tail28" != "$MAGIC" ]; then
		echo unsigned
		return
	fi
	len=$(tail -c 32 "$ko" | head -c 4 | od -An -tu1 |
		awk '{ print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4 }')
	[ $((size - 40 - len)) -gt 0 ] || die "$ko: signature length $len does not fit"
	echo "signed $len $((size - 40 - len))"
}

cmd=${1:-}
case "$cmd" in
sign)
	[ $# -eq 3 ] || [ $# -eq 5 ] || die "usage: sign-module.sh sign KO OUT [KEY CERT]"
	key=${4:-$LPB_CACHE/keys/test-signing.key}
	cert=${5:-$LPB_CACHE/keys/test-signing.crt}
	[ -x "$KB/scripts/sign-file" ] || die "no $KB/scripts/sign-file (build the test kernel)"
	[ "$(sig_info "$2")" = unsigned ] || die "$2 is already signed"
	"$KB/scripts/sign-file" sha256 "$key" "$cert" "$2" "$3"
	;;
tamper)
	[ $# -eq 3 ] || die "usage: sign-module.sh tamper KO OUT"
	read -r state _ content <<<"$(sig_info "$2")"
	[ "$state" = signed ] || die "$2 is not signed"
	cp "$2" "$3"
	off=$((content / 2))
	byte=$(od -An -tu1 -j "$off" -N1 "$3" | tr -d ' ')
	# shellcheck disable=SC2059 # the format is the escaped byte
	printf "\\$(printf '%03o' $((byte ^ 0xff)))" |
		dd of="$3" bs=1 seek="$off" conv=notrunc status=none
	;;
strip)
	[ $# -eq 3 ] || die "usage: sign-module.sh strip KO OUT"
	read -r state _ content <<<"$(sig_info "$2")"
	if [ "$state" = signed ]; then
		head -c "$content" "$2" >"$3"
	else
		cp "$2" "$3"
	fi
	;;
info)
	[ $# -eq 2 ] || die "usage: sign-module.sh info KO"
	sig_info "$2"
	;;
*)
	sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
	exit 1
	;;
esac
