# shellcheck shell=dash
run_test() { sleep 60; }
