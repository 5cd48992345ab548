# Host side: a signed copy of the sample livepatch with one signed byte flipped.
set -euo pipefail
"$LPB_INTEG/sign-module.sh" sign livepatch-sample.ko signed.ko
"$LPB_INTEG/sign-module.sh" tamper signed.ko tampered.ko
rm signed.ko livepatch-sample.ko
