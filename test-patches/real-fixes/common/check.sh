# shellcheck shell=dash
# Guest-side check (doc/testing.md) for a real fix whose effect the guest
# cannot provoke: the target's modules it patches are loaded first, then the
# livepatch loads, every object reports patched=1, it disables and unloads,
# and the kernel log stays clean (the harness's health scan).
. ./lpb-real.sh
