# shellcheck shell=dash
run_test() {
	lp_load "$T_MODULE" && lp_wait_enabled "$T_PATCH"
}
