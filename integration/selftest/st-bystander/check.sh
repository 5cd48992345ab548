# shellcheck shell=dash
run_test() { expect_ok "true works" true; }
