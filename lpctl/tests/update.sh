#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The patch repository end to end on the host: lp-build publish (layout,
# signature, refusals, revocation, concurrent publishers, atomicity for
# readers) and lpctl update against it over HTTPS, served by nginx on
# 127.0.0.1 with a test CA made here. lpctl runs with --download-only or
# --install-only and a fake root (the unit test's WORK/update-cli): nothing
# is ever inserted into this machine's kernel.
#   update.sh LPCTL LP_BUILD WORK
set -uo pipefail
lpctl=$1 lpb=$2 work=$3
F=$work/update-cli # fake root and built modules (lpctl/tests/unit-update.c)
D=$work/update-sh
REL=6.1.99-unit
fails=0 n=0
rm -rf "$D"
mkdir -p "$D"

check() { # check DESC CMD...: CMD succeeds
	local desc=$1
	shift
	n=$((n + 1))
	"$@" >/dev/null 2>&1 || { echo "FAIL $desc"; fails=$((fails + 1)); }
}
# run RC DESC CMD...: CMD exits RC; its output (stdout + stderr) is in $out
run() {
	local want=$1 desc=$2 rc
	shift 2
	n=$((n + 1))
	out=$("$@" 2>&1)
	rc=$?
	if [ "$rc" != "$want" ]; then
		echo "FAIL $desc: exit $rc, expected $want: $*"
		printf '%s\n' "$out" | sed 's/^/    | /'
		fails=$((fails + 1))
	fi
}
says() { # the last output contains TEXT
	n=$((n + 1))
	case "$out" in
	*"$1"*) ;;
	*) echo "FAIL output lacks \"$1\":"; printf '%s\n' "$out" | sed 's/^/    | /'; fails=$((fails + 1)) ;;
	esac
}
eq() { # eq DESC EXPECTED ACTUAL
	n=$((n + 1))
	[ "$2" = "$3" ] || { echo "FAIL $1: expected '$2', got '$3'"; fails=$((fails + 1)); }
}
ms() { date +%s%3N; }

for tool in nginx openssl jq; do
	command -v $tool >/dev/null || { echo "update.sh: $tool is missing (integration/install-deps.sh installs it)"; exit 1; }
done
[ -d "$F/out1" ] || { echo "update.sh: $F/out1 is missing: run the unit test first"; exit 1; }

KEY=(--key "$work/trusted.key" --cert "$work/trusted.crt")
publish() { "$lpb" publish "${KEY[@]}" "$@"; }

# ---- a test CA and an HTTPS server on 127.0.0.1 ----
tls_setup() {
	local d=$D/tls
	mkdir -p "$d"
	for ca in ca otherca; do
		openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=lpctl test $ca" \
			-keyout "$d/$ca.key" -out "$d/$ca.crt" \
			-addext basicConstraints=critical,CA:TRUE \
			-addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null || return 1
	done
	openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -keyout "$d/srv.key" \
		-out "$d/srv.csr" 2>/dev/null || return 1
	printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' >"$d/ext"
	openssl x509 -req -in "$d/srv.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial \
		-days 2 -out "$d/srv.crt" -extfile "$d/ext" 2>/dev/null
}

nginx_pid= PORT=
# nginx_start: serve $D/www on https://127.0.0.1:$PORT (a free port, found by
# trying); one process of our own, never the system service
nginx_start() {
	local d=$D/nginx try
	mkdir -p "$d/tmp" "$D/www"
	for try in 1 2 3 4 5 6 7 8; do
		[ -n "$PORT" ] && [ "$try" = 1 ] || PORT=$((20000 + RANDOM % 40000))
		cat >"$d/nginx.conf" <<-EOF
			daemon off;
			master_process off;
			worker_processes 1;
			pid $d/nginx.pid;
			error_log $d/error.log warn;
			events { worker_connections 64; }
			http {
				access_log $d/access.log;
				client_body_temp_path $d/tmp/body;
				proxy_temp_path $d/tmp/proxy;
				fastcgi_temp_path $d/tmp/fastcgi;
				uwsgi_temp_path $d/tmp/uwsgi;
				scgi_temp_path $d/tmp/scgi;
				default_type application/octet-stream;
				types { application/json json; }
				server {
					listen 127.0.0.1:$PORT ssl;
					ssl_certificate $D/tls/srv.crt;
					ssl_certificate_key $D/tls/srv.key;
					root $D/www;
				}
			}
		EOF
		nginx -p "$d" -c "$d/nginx.conf" -e "$d/error.log" 2>>"$d/start.log" &
		nginx_pid=$!
		for _ in $(seq 50); do
			if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
				return 0
			fi
			kill -0 "$nginx_pid" 2>/dev/null || break
			sleep 0.1
		done
		kill "$nginx_pid" 2>/dev/null
		wait "$nginx_pid" 2>/dev/null
		nginx_pid=
	done
	echo "update.sh: nginx does not start: $(tail -3 "$d/error.log" "$d/start.log" 2>/dev/null)"
	return 1
}
nginx_stop() {
	[ -n "$nginx_pid" ] || return 0
	kill "$nginx_pid" 2>/dev/null
	wait "$nginx_pid" 2>/dev/null
	nginx_pid=
}
trap nginx_stop EXIT

tls_setup || { echo "update.sh: cannot make the test CA"; exit 1; }
nginx_start || exit 1

# ======== lp-build publish ========
R=$D/www/repo
t0=$(ms)
run 0 "publish a batch OUTDIR (one folder per release)" publish "$F/out1" "$R"
t_publish=$(($(ms) - t0))
says "added: $REL lp_upd_a version 1"
says "added: 6.1.98-other lp_upd_o version 1"
says "a new repository"
sha=$(sha256sum "$R/index.json" | cut -c1-64)
check "layout: index.json" test -f "$R/index.json"
check "layout: the index's signature under its own hash" test -f "$R/signatures/$sha.p7s"
msha=$(sha256sum "$F/out1/$REL/lp_upd_a.ko" | cut -c1-64)
check "layout: RELEASE/SHA16/NAME.ko" test -f "$R/$REL/${msha:0:16}/lp_upd_a.ko"
check "layout: the manifest beside it" cmp "$R/$REL/${msha:0:16}/lp_upd_a.json" "$F/out1/$REL/lp_upd_a.json"
check "layout: the other release" test -d "$R/6.1.98-other"
check "summary.json is not a module" test ! -e "$R/summary.json"
check "nor is another report" test -z "$(find "$R" -name report.json)"
eq "format" "lp-build-patch-repository 1" "$(jq -r '"\(.format) \(.format_version)"' "$R/index.json")"
eq "serial" 1 "$(jq .serial "$R/index.json")"
eq "kernels, ordered" "6.1.98-other $REL" "$(jq -r '[.kernels[].release] | join(" ")' "$R/index.json")"
eq "module sha256 in the index" "$msha" \
	"$(jq -r --arg r "$REL" '.kernels[] | select(.release == $r) | .patches[0].sha256' "$R/index.json")"
eq "patch version, rollout, not revoked" "1 100 null" \
	"$(jq -r --arg r "$REL" '.kernels[] | select(.release == $r) | .patches[0] | "\(.patch_version) \(.rollout) \(.revoked)"' "$R/index.json")"
check "a publication date" test -n "$(jq -r '.kernels[0].patches[0].date // empty' "$R/index.json")"
run 0 "openssl verifies the index signature" openssl cms -verify -binary -inform DER \
	-in "$R/signatures/$sha.p7s" -content "$R/index.json" -certfile "$work/trusted.crt" \
	-nointern -noverify -out /dev/null
run 4 "openssl: another certificate does not verify it" openssl cms -verify -binary -inform DER \
	-in "$R/signatures/$sha.p7s" -content "$R/index.json" -certfile "$work/untrusted.crt" \
	-nointern -noverify -out /dev/null

run 0 "publishing the same again changes nothing" publish "$F/out1" "$R"
says "already published: $REL lp_upd_a version 1"
says "nothing to publish"
eq "serial unchanged" 1 "$(jq .serial "$R/index.json")"
run 0 "a single build's OUTDIR (NAME.ko + NAME.json)" publish "$F/out2" "$R"
says "added: $REL lp_upd_b version 2"
says "superseded: $REL lp_upd_a version 1"
eq "serial 2" 2 "$(jq .serial "$R/index.json")"
before=$(sha256sum "$R/index.json")
run 1 "a lower patch version is refused" publish "$F/low" "$R"
says "is patch version 1 for $REL, but version 2 is already published"
run 1 "the same version with other content is refused" publish "$F/same" "$R"
says "version 2 is already published"
run 1 "a module name already used for the kernel is refused" publish "$F/samename" "$R"
says "already published under the module name lp_upd_a"
run 1 "an unsigned module is refused" publish "$F/unsigned" "$R"
says "is not signed"
run 1 "another key cannot take the repository over" "$lpb" publish \
	--key "$work/untrusted.key" --cert "$work/untrusted.crt" "$F/out3" "$R"
says "does not verify against"
eq "refusals leave the index as it was" "$before" "$(sha256sum "$R/index.json")"
run 0 "dry run" publish -n "$F/out3" "$R"
says "dry run: index serial 3 not written"
eq "the dry run wrote nothing" "$before" "$(sha256sum "$R/index.json")"

# a key change: the new key accepts the index the old one signed (--trust)
cp -a "$R" "$D/rotated"
run 0 "key rotation with --trust" "$lpb" publish --key "$work/untrusted.key" \
	--cert "$work/untrusted.crt" --trust "$work/trusted.crt" --rollout 90 --release "$REL" "$D/rotated"
# an index changed on the server: the publisher never signs what it did not write
cp -a "$R" "$D/tampered"
sed -i 's/"rollout": 100/"rollout": 99/' "$D/tampered/index.json"
run 1 "a changed index is not built upon" publish "$F/out3" "$D/tampered"
says "has no signature"

# two publishers at once, while a reader keeps checking what it sees: every
# index it reads has its signature and names modules that are in place
reader() {
	local bad=0 i s m ok
	for i in $(seq 400); do
		[ -e "$D/stop-reader" ] && break
		cp "$R/index.json" "$D/r.json" 2>/dev/null || { bad=$((bad + 1)); continue; }
		s=$(sha256sum "$D/r.json" | cut -c1-64)
		openssl cms -verify -binary -inform DER -in "$R/signatures/$s.p7s" -content "$D/r.json" \
			-certfile "$work/trusted.crt" -nointern -noverify -out /dev/null 2>/dev/null ||
			{ echo "reader: index $s without a valid signature"; bad=$((bad + 1)); }
		for m in $(jq -r '.kernels[].patches[].module // empty' "$D/r.json"); do
			[ -f "$R/$m" ] || { echo "reader: $m missing"; bad=$((bad + 1)); }
		done
	done
	echo "$bad" >"$D/reader.bad"
}
reader >"$D/reader.log" 2>&1 &
rpid=$!
publish "$F/out3" --rollout 10 "$R" >"$D/p1.log" 2>&1 &
p1=$!
publish --rollout 40 --release 6.1.98-other "$R" >"$D/p2.log" 2>&1 &
p2=$!
wait $p1
rc1=$?
wait $p2
rc2=$?
for r in 20 30 50 60 70 80; do
	publish --rollout $r --release 6.1.98-other "$R" >>"$D/p3.log" 2>&1 || rc2=1
done
touch "$D/stop-reader"
wait $rpid
eq "two concurrent publishers both succeed" "0 0" "$rc1 $rc2"
eq "both changes are in" "10 80" \
	"$(jq -r '[.kernels[].patches[0].rollout] | "\(.[1]) \(.[0])"' "$R/index.json")"
eq "serial counts every publication" 10 "$(jq .serial "$R/index.json")"
eq "a reader never saw a half-published index" 0 "$(cat "$D/reader.bad")"
[ "$(cat "$D/reader.bad")" = 0 ] || cat "$D/reader.log"

run 0 "revoke a patch version" publish --revoke "$REL:2" --reason "breaks NFS" "$R"
says "revoked: $REL lp_upd_b version 2"
eq "the revocation is in the index" "breaks NFS null" \
	"$(jq -r --arg r "$REL" '.kernels[] | select(.release == $r) | .patches[] | select(.patch_version == "2") | "\(.revoked.reason) \(.module)"' "$R/index.json")"
run 1 "revoking a version that was never published" publish --revoke "$REL:7" "$R"
says "has no published patch version 7"
run 1 "a revoked build is not published again" publish "$F/out2" "$R"
says "which was revoked on"
# files no index of the last two names go once they are 10 minutes old
eq "recent signatures are kept (one per publication)" 11 "$(ls "$R/signatures" | wc -l)"
a_dir=$R/$REL/${msha:0:16}
check "the superseded version 1 is still there (recent)" test -d "$a_dir"
find "$R/signatures" "$R/$REL" -type f -exec touch -d '1 hour ago' {} +
run 0 "prune" publish --rollout 100 --release 6.1.98-other "$R"
says "removed 2 module directories no index names any more" # v1 superseded, v2 revoked
eq "old signatures are pruned: the last two stay" 2 "$(ls "$R/signatures" | wc -l)"
check "the superseded version 1 is gone" test ! -e "$a_dir"
check "version 3 stays" test -f "$R/$(jq -r --arg r "$REL" '.kernels[] | select(.release == $r) | .patches[0].module' "$R/index.json")"

# ======== lpctl update over HTTPS ========
# a fresh repository the client tests control step by step
R=$D/www/fleet
URL=https://127.0.0.1:$PORT/fleet
CA=(--ca-file "$D/tls/ca.crt")
ST=$D/state
L=("$lpctl" --root "$F" --state-dir "$ST")
publish "$F/out1" "$R" >/dev/null 2>&1
status_json() { "${L[@]}" status --json 2>/dev/null; }

t0=$(ms)
run 0 "download-only over https" "${L[@]}" update --repo "$URL" "${CA[@]}" --download-only "$D/dl"
t_download=$(($(ms) - t0))
says "lp_upd_a: downloaded version 1 for kernel $REL"
check "the module is there" cmp "$D/dl/lp_upd_a.ko" "$F/out1/$REL/lp_upd_a.ko"
check "its manifest too" cmp "$D/dl/lp_upd_a.json" "$F/out1/$REL/lp_upd_a.json"
check "download-only writes no state" test ! -e "$ST/update"
run 1 "the server's certificate is verified (system CAs do not know the test CA)" \
	"${L[@]}" update --repo "$URL" --download-only "$D/dl2"
says "cannot fetch the index"
run 1 "a server certificate from another CA is refused" \
	"${L[@]}" update --repo "$URL" --ca-file "$D/tls/otherca.crt" --download-only "$D/dl2"
check "nothing downloaded" test ! -e "$D/dl2/lp_upd_a.ko"

t0=$(ms)
run 0 "install over https (state directory of its own)" "${L[@]}" update --repo "$URL" "${CA[@]}" --install-only
t_install=$(($(ms) - t0))
says "lp_upd_a: installed version 1 for kernel $REL"
says "update: installed"
eq "status: installed" lp_upd_a "$(status_json | jq -r .installed.name)"
eq "status: the subscription" "$URL installed" "$(status_json | jq -r '"\(.update.repository) \(.update.result)"')"
check "status: the check time" test "$(status_json | jq -r .update.checked_at)" != null
bucket=$(status_json | jq -r .update.bucket)
check "status: a phase bucket 0..99" test "$bucket" -ge 0 -a "$bucket" -le 99
run 0 "status (text)" "${L[@]}" status
says "update:      $URL checked"
run 0 "again: up to date" "${L[@]}" update --repo "$URL" "${CA[@]}" --install-only
says "update: up-to-date"

# the repository in lpctl.conf, as the timer runs it
cp -a "$F/etc/lpctl" "$D/conf"
printf 'repository = %s\nca_file = %s\n' "$URL" "$D/tls/ca.crt" >"$D/conf/lpctl.conf"
run 0 "repository and ca_file from lpctl.conf" "${L[@]}" --conf-dir "$D/conf" update --install-only
says "update: up-to-date"

# version 2 arrives at 0 %: nobody takes it
publish "$F/out2" --rollout 0 "$R" >/dev/null 2>&1
run 0 "rollout 0 %" "${L[@]}" update --repo "$URL" "${CA[@]}" --install-only
says "update: waiting: lp_upd_a version 1 is installed; lp_upd_b version 2 is rolled out to 0 % of machines"
eq "still version 1" lp_upd_a "$(status_json | jq -r .installed.name)"
b=$(status_json | jq -r .update.bucket)
if [ "$b" -gt 0 ]; then
	publish --rollout "$b" "$R" >/dev/null 2>&1
	run 0 "rollout = this machine's bucket ($b): not yet" "${L[@]}" update --repo "$URL" "${CA[@]}" --install-only
	says "update: waiting"
fi
publish --rollout $((b + 1)) "$R" >/dev/null 2>&1
run 0 "rollout = bucket + 1 ($((b + 1)) %): taken" "${L[@]}" update --repo "$URL" "${CA[@]}" --install-only
says "lp_upd_b: installed version 2"
eq "now version 2" lp_upd_b "$(status_json | jq -r .installed.name)"
publish --rollout 100 "$R" >/dev/null 2>&1

# refusals: each leaves version 2 installed
cp -a "$R" "$D/www/evil"
E=https://127.0.0.1:$PORT/evil
s=$(sha256sum "$D/www/evil/index.json" | cut -c1-64)
sed -i 's/"rollout": 100/"rollout": 99/' "$D/www/evil/index.json"
s2=$(sha256sum "$D/www/evil/index.json" | cut -c1-64)
cp "$D/www/evil/signatures/$s.p7s" "$D/www/evil/signatures/$s2.p7s"
run 10 "a tampered index (old signature under the new name)" "${L[@]}" update --repo "$E" "${CA[@]}" --install-only
says "signature check: the signature does not match the index's content"
says "the installed patch (if any) is kept"
rm "$D/www/evil/signatures/$s2.p7s"
run 10 "a tampered index without signature" "${L[@]}" update --repo "$E" "${CA[@]}" --install-only
says "has no signature"
eq "status: refused" refused "$(status_json | jq -r .update.result)"
rm -rf "$D/www/evil"
mkdir -p "$D/www/evil"
"$lpb" publish --key "$work/untrusted.key" --cert "$work/untrusted.crt" "$F/out3" "$D/www/evil" >/dev/null 2>&1
run 10 "an index signed by a key lpctl does not trust" "${L[@]}" update --repo "$E" "${CA[@]}" --install-only
says "signed by a key that is not trusted"
rm -rf "$D/www/evil"
cp -a "$R" "$D/www/evil"
publish "$F/out3" "$D/www/evil" >/dev/null 2>&1
m=$(jq -r --arg r "$REL" '.kernels[] | select(.release == $r) | .patches[0].module' "$D/www/evil/index.json")
printf '\x01' | dd of="$D/www/evil/$m" bs=1 seek=200 conv=notrunc status=none
run 10 "a module that is not the one the index names" "${L[@]}" update --repo "$E" "${CA[@]}" --install-only
says "sha256 check: its SHA-256 is"
eq "after the refusals: still version 2" lp_upd_b "$(status_json | jq -r .installed.name)"
run 1 "plain http is refused" "${L[@]}" update --repo "http://127.0.0.1:$PORT/fleet" --install-only
says "plain http:// is refused"

# the server goes down
nginx_stop
run 1 "server down" "${L[@]}" update --repo "$URL" "${CA[@]}" --install-only
says "cannot fetch the index"
says "the installed patch (if any) is kept"
eq "server down: version 2 stays installed" lp_upd_b "$(status_json | jq -r .installed.name)"
eq "status: error, last success kept" "error true" \
	"$(status_json | jq -r '"\(.update.result) \(.update.last_success_at != null)"')"
nginx_start || exit 1

# revoked: taken off the installed state and locked out
publish --revoke "$REL" --reason "test revocation" "$R" >/dev/null 2>&1
run 0 "a revoked installed patch" "${L[@]}" update --repo "$URL" "${CA[@]}" --install-only
says "lp_upd_b version 2 was revoked by the repository"
says "test revocation"
says "update: revoked"
eq "nothing installed" null "$(status_json | jq -r .installed)"
check "the revoked build is locked out" compgen -G "$ST/$REL/locks/lp_upd_b@*.lock"
run 11 "lpctl install refuses the revoked build" "${L[@]}" install "$F/out2/lp_upd_b.ko"
says "is locked out"

# file:// works as well (a mirror, the test guest); a relative DIR too
publish --rollout 100 --release "$REL" "$D/www/repo" >/dev/null 2>&1
run 0 "file:// repository" bash -c 'cd "$1" && shift && "$@"' - "$D" \
	"${L[@]}" update --repo "file://$D/www/repo" --download-only dl3
says "downloaded version 3"
check "file:// download into a relative directory" test -f "$D/dl3/lp_upd_c.ko"

echo "figures: publish of 2 modules (new repository) ${t_publish} ms; lpctl update over https: download-only ${t_download} ms, install ${t_install} ms"
echo "lp-build publish + lpctl update: $n checks, $fails failed"
[ "$fails" -eq 0 ]
