# Host side of lpctl-refuse: variants of the signed module lp-build built,
# each with a manifest that is right in every other respect.
set -euo pipefail
ko=lpctl_refuse.ko
json=lpctl_refuse.json
mkdir -p v

# manifest KO [JQ-FILTER]: KO's manifest, with KO's own SHA-256 and size
manifest() {
	jq --arg sha "$(sha256sum "$1" | cut -d' ' -f1)" --argjson size "$(stat -c %s "$1")" \
		".module.sha256 = \$sha | .module.size = \$size ${2:+| $2}" "$json" >"${1%.ko}.json"
}

# one byte of the signed content flipped; the manifest is the original's
"$LPB_INTEG/sign-module.sh" tamper "$ko" v/tampered.ko
cp "$json" v/tampered.json

# the module intact, its manifest naming another SHA-256
cp "$ko" v/wrongsha.ko
jq '.module.sha256 = "0000000000000000000000000000000000000000000000000000000000000000"' \
	"$json" >v/wrongsha.json

# signed by a key lpctl does not trust
"$LPB_TOOL" keygen -o otherkey --subject "lpctl test: untrusted key" >/dev/null
"$LPB_TOOL" sign --key otherkey/signing_key.pem --cert otherkey/signing_cert.pem "$ko" -o v/untrusted.ko
manifest v/untrusted.ko
rm -rf otherkey

# no signature at all
"$LPB_INTEG/sign-module.sh" strip "$ko" v/unsigned.ko
manifest v/unsigned.ko

# built for another kernel version string: the same length (one digit of the
# build number changed in .modinfo), signed again with the trusted key
cp "$ko" v/otherkernel.ko
perl -0777 -pi -e 's/(lpb_target_version=#)(\d)/$1.(($2 + 1) % 10)/e' v/otherkernel.ko
"$LPB_TOOL" sign --key "$LPB_KEY" --cert "$LPB_CERT" v/otherkernel.ko
old=$(modinfo -F lpb_target_version "$ko")
new=$(modinfo -F lpb_target_version v/otherkernel.ko)
[ "$old" != "$new" ] && [ ${#old} -eq ${#new} ] || { echo "version string not changed: $new"; exit 1; }
[ "$(stat -c %s "$ko")" -eq "$(stat -c %s v/otherkernel.ko)" ] || echo "note: sizes differ (signature length)"
manifest v/otherkernel.ko ".target.version = \"$new\""
