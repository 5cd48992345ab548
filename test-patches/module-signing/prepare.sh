# Host side: signed, unknown-key and tampered copies of the sample livepatch.
set -euo pipefail
sm=$LPB_INTEG/sign-module.sh
ko=livepatch-sample.ko
[ "$("$sm" info "$ko")" = unsigned ] || { echo "$ko is expected unsigned"; exit 1; }
"$sm" sign "$ko" signed.ko
"$sm" tamper signed.ko tampered.ko
openssl req -new -nodes -utf8 -sha256 -days 2 -batch -x509 -subj "/CN=untrusted test key/" \
	-newkey rsa:2048 -keyout other.key -out other.crt 2>/dev/null
"$sm" sign "$ko" otherkey.ko other.key other.crt
rm other.key other.crt
mv "$ko" unsigned.ko
