# shellcheck shell=bash
# Host side (doc/testing.md, prepare.sh): the manifest says that lp-build
# compiled the units using the changed macro (fs/proc/loadavg.c among them,
# for its own text), preprocessed none, and skipped most of the units
# including the header.
set -euo pipefail
j=header_macro.json
reason=$(jq -r '.units[] | select(.source == "fs/proc/loadavg.c") | .reason' "$j")
[ "$reason" = macro-use ] || { echo "fs/proc/loadavg.c: reason '$reason', expected 'macro-use'"; exit 1; }
read -r inc pp skipped n <<<"$(jq -r '"\(.header_selection.includers) \(.header_selection.preprocessed) \(.header_selection.skipped) \(.units | length)"' "$j")"
[ "$pp" = 0 ] || { echo "$pp unit(s) preprocessed, expected none (the macro is used only in functions)"; exit 1; }
# the test kernel: 2 of the 7 including units (fs/proc/loadavg.c and
# kernel/sched/build_utility.c, which includes psi.c), Debian's: a few of more
[ $((n + skipped)) = "$inc" ] && [ "$n" -le 4 ] && [ "$skipped" -ge 5 ] ||
	{ echo "compiled $n, skipped $skipped of $inc including units: expected a few compiled of many"; exit 1; }
got=$(jq -r '[.objects[].functions[].name] | sort | join(" ")' "$j")
case " $got " in
*" loadavg_proc_show "*) ;;
*) echo "patched functions: '$got', expected loadavg_proc_show among them"; exit 1 ;;
esac
echo "$n of the $inc units including include/linux/sched/loadavg.h compiled ($(jq -r '[.units[].source] | join(", ")' "$j")), none preprocessed; patched: $got"
