# shellcheck shell=dash
check_before() { expect_file_lacks /proc/cmdline "live patched"; }
check_patched() { expect_file_eq /proc/cmdline "not what the sample prints"; }
