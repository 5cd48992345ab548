# shellcheck shell=dash
# Guest side of lpctl-refuse (doc/testing.md, helpers in lpctl/tests/guest-lpctl.sh).
. /lpb/lpctl.sh
P=lpctl_refuse

# refused VARIANT MESSAGE: "lpctl load" refuses v/VARIANT.ko with exit 10 and
# MESSAGE, before the kernel sees it
refused() {
	lpctl_run 10 "$1 refused" load "$T_DIR/v/$1.ko"
	lpctl_says "$2"
	lpctl_says "nothing inserted"
	lpctl_not_inserted $P
}

run_test() {
	local stored
	lpctl_setup
	kmsg_reset
	refused tampered "signature check: the signature does not match the module's content (changed after signing)"
	refused wrongsha "sha256 check: the module's SHA-256 is"
	refused untrusted "signature check: signed by a key that is not trusted (issuer 'CN=lpctl test: untrusted key'"
	refused unsigned "signature check: the module is not signed"
	refused otherkernel "kernel check: $P was built for kernel $(uname -r) version \"#"
	lpctl_json_has '"installed": null'

	# the stored copy is verified again whenever it is applied
	lpctl_run 0 "the intact module installs" install "$T_DIR/$P.ko"
	stored=/var/lib/lpctl/$(uname -r)/patches/$P.ko
	printf 'X' | dd of="$stored" bs=1 seek=2000 conv=notrunc 2>/dev/null
	lpctl_run 10 "start refuses a stored module changed after install" start
	lpctl_says "signature does not match the module's content"
	lpctl_not_inserted $P
}
