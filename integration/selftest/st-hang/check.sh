# shellcheck shell=dash
# without ACPI, poweroff only halts the CPUs: qemu keeps running
run_test() { poweroff -f; }
