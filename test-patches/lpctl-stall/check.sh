# shellcheck shell=dash
# Guest side of lpctl-stall (doc/testing.md, helpers in lpctl/tests/guest-lpctl.sh).
. /lpb/lpctl.sh
P=lpctl_stall

run_test() {
	local sleeper pid rc i
	lpctl_setup
	sleep 600 &
	sleeper=$!
	sleep 0.5

	lpctl_run 13 "policy reverse" load "$T_DIR/$P.ko" --timeout 4 --stall-policy reverse --settle 1
	lpctl_says "$P: the transition to the patched state has not finished after 4"
	lpctl_says "pid $sleeper tid $sleeper (sleep), kernel stack:"
	lpctl_says "hrtimer_nanosleep"
	lpctl_says "stall policy 'reverse': disabling it"
	lpctl_says "reversed, $P is not applied and removed"
	expect_eq "$P not registered" absent "$(lp_state $P)"
	expect_ok "$P module removed" test ! -d /sys/module/$P
	lpctl_json_has '"result": "stalled"'
	lpctl_json_has "\"$sleeper sleep"

	lpctl load "$T_DIR/$P.ko" --timeout 3 --stall-policy wait --settle 1 >/tmp/stall.out 2>&1 &
	pid=$!
	i=0
	while ! grep -q "still waiting" /tmp/stall.out && [ $i -lt 200 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	LPCTL_OUT=$(cat /tmp/stall.out)
	lpctl_says "pid $sleeper tid $sleeper (sleep)"
	lpctl_says "stall policy 'wait': still waiting"
	expect_eq "$P still in transition" "enabled=1 transition=1" "$(lp_state $P)"
	kill $sleeper
	wait $pid
	rc=$?
	LPCTL_OUT=$(cat /tmp/stall.out)
	printf '%s\n' "$LPCTL_OUT" | sed 's/^/    | /' >/dev/console
	expect_eq "policy wait: lpctl load exit status once the sleeper is gone" 0 "$rc"
	lpctl_says "$P: applied; the kernel took"
	expect_eq "$P applied" "enabled=1 transition=0" "$(lp_state $P)"
	lpctl_run 0 "unload" unload $P
	lpctl_run 0 "uninstall" uninstall
}
