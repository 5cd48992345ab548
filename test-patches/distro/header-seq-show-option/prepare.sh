# shellcheck shell=bash
# Host side (doc/testing.md, prepare.sh): the manifest says that lp-build
# compiled only units the target's DWARF has seq_show_option()'s code in
# (kernel/cgroup/cgroup-v1.c among them), preprocessed none and skipped the
# thousands of other units including include/linux/seq_file.h.
set -euo pipefail
j=header_seq_show_option.json
reasons=$(jq -r '[.units[].reason] | unique | join(" ")' "$j")
[ "$reasons" = dwarf ] || { echo "units selected for: '$reasons', expected only 'dwarf'"; exit 1; }
jq -e '.units[] | select(.source == "kernel/cgroup/cgroup-v1.c")' "$j" >/dev/null ||
	{ echo "kernel/cgroup/cgroup-v1.c not compiled: $(jq -c '[.units[].source]' "$j")"; exit 1; }
read -r inc pp skipped n <<<"$(jq -r '"\(.header_selection.includers) \(.header_selection.preprocessed) \(.header_selection.skipped) \(.units | length)"' "$j")"
[ "$pp" = 0 ] && [ $((n + skipped)) = "$inc" ] && [ "$n" -le 20 ] && [ "$inc" -gt 1000 ] ||
	{ echo "compiled $n, preprocessed $pp, skipped $skipped of $inc including units"; exit 1; }
jq -e '[.objects[].functions[].name] | index("cgroup1_show_options")' "$j" >/dev/null ||
	{ echo "cgroup1_show_options not patched: $(jq -c '[.objects[].functions[].name]' "$j")"; exit 1; }
echo "$n of the $inc units including include/linux/seq_file.h compiled (DWARF): $(jq -r '[.units[].source] | join(", ")' "$j")"
