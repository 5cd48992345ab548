# shellcheck shell=bash
# Host side: wrong_build.ko made to claim another build of this release:
# the last digit of the version string it compares with uname -v (in its
# .rodata and its lpb_target_version modinfo entry) goes up by one; then it
# is signed again.
set -euo pipefail
ko=wrong_build.ko
tool=${LPB_TOOL:-$LPB_INTEG/../build/lp-build}
ver=$(modinfo -F lpb_target_version "$ko")
"$LPB_INTEG/sign-module.sh" strip "$ko" unsigned.ko
python3 - unsigned.ko "$ver" <<'PY'
import re, sys
path, old = sys.argv[1], sys.argv[2]
m = re.search(r"[0-9](?=[^0-9]*$)", old)
if not m:
    sys.exit(f"no digit in the version string {old!r}")
new = old[:m.start()] + str((int(m.group()) + 1) % 10) + old[m.end():]
data = open(path, "rb").read()
n = data.count(old.encode())
if n < 2:  # the init's copy and the modinfo entry
    sys.exit(f"{path}: {old!r} found {n} times, expected at least 2")
open(path, "wb").write(data.replace(old.encode(), new.encode()))
print(f"{path} now claims {new!r} (the kernel is {old!r})")
PY
"$tool" sign --key "$LPB_KEY" --cert "$LPB_CERT" unsigned.ko -o "$ko"
rm unsigned.ko
