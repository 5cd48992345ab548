# shellcheck shell=dash
# Guest-side check (doc/testing.md): AF_ALG instantiates authencesn over
# crct10dif (a 2-byte digest) before the fix, and not once patched. Each
# state names a new instance (another cipher): an instance, once made, stays
# registered whatever code made it.
. ./lpb-real.sh
check_before() {
	expect_output "authencesn(crct10dif,cbc(aes)) instantiated (the bug)" "bound" \
		./probe "authencesn(crct10dif,cbc(aes))"
}
check_patched() {
	expect_output "authencesn(crct10dif,ctr(aes)) refused (the fix)" "refused ENOENT" \
		./probe "authencesn(crct10dif,ctr(aes))"
}
check_unpatched() {
	expect_output "authencesn(crct10dif,ecb(aes)) instantiated again" "bound" \
		./probe "authencesn(crct10dif,ecb(aes))"
}
