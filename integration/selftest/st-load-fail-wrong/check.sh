# shellcheck shell=dash
check_before() { expect_file_lacks /proc/cmdline "live patched"; }
