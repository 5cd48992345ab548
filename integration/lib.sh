# shellcheck shell=bash
# Shared helpers for the integration scripts: cache location, logging,
# timing, locking. Sourced, never run.

LPB_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LPB_INTEG="$LPB_TOP/integration"
LPB_CACHE=${LPB_CACHE:-/var/cache/lp-build}
# shellcheck source=kernel-source.conf
# shellcheck source-path=SCRIPTDIR source=kernel-source.conf
. "$LPB_INTEG/kernel-source.conf"
LPB_JOBS=${LPB_JOBS:-$(nproc)}

log() { printf '%s: %s\n' "${LPB_PROG:-integration}" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# now_ms: wall clock in milliseconds, for stage timings
now_ms() { date +%s%3N; }

# run_timed LABEL CMD...: run CMD, print LABEL and the time it took
run_timed() {
	local label=$1 t0 rc=0
	shift
	t0=$(now_ms)
	log "$label ..."
	"$@" || rc=$?
	log "$label: $(( ($(now_ms) - t0) / 1000 )).$(( ($(now_ms) - t0) % 1000 / 100 )) s (rc=$rc)"
	return $rc
}

# with_lock FILE CMD...: serialise CMD against other users of the cache
with_lock() {
	local lock=$1
	shift
	mkdir -p "$(dirname "$lock")"
	(
		flock 9
		"$@"
	) 9>"$lock"
}

# series_field SERIES KEY: a value of the series table (empty when absent)
series_field() {
	awk -v s="[$1]" -v k="$2=" '/^\[/ { cur = $0 }
		cur == s && index($0, k) == 1 { print substr($0, length(k) + 1) }' \
		"$LPB_TOP/build-driver/debian-series.conf"
}

ensure_cache() {
	mkdir -p "$LPB_CACHE" 2>/dev/null || die "cannot create cache directory $LPB_CACHE (set LPB_CACHE to a writable path)"
	[ -w "$LPB_CACHE" ] || die "cache directory $LPB_CACHE is not writable (set LPB_CACHE)"
}

# ensure_test_key: the harness's module-signing key and certificate. The kernel
# trusts the certificate (built in), so modules it signs load with
# module.sig_enforce=1. Every suite that signs with it
# calls this first (the Debian series' suites may run before, or without, a
# test-kernel build).
ensure_test_key() {
	local dir=$LPB_CACHE/keys
	[ -f "$dir/test-signing.pem" ] && return 0
	mkdir -p "$dir"
	# one generator at a time: the key and its certificate must be a pair
	(
		flock 9
		[ -f "$dir/test-signing.pem" ] && exit 0
		tmp=$(mktemp -d "$dir/.gen.XXXXXX")
		openssl req -new -nodes -utf8 -sha256 -days 36500 -batch -x509 \
			-subj "/CN=lp-build test signing key/" -newkey rsa:2048 \
			-keyout "$tmp/key.pem" -out "$tmp/cert.pem" 2>/dev/null ||
			die "openssl could not generate the test signing key"
		cat "$tmp/key.pem" "$tmp/cert.pem" >"$tmp/test-signing.pem"
		mv "$tmp/key.pem" "$dir/test-signing.key"
		mv "$tmp/cert.pem" "$dir/test-signing.crt"
		mv "$tmp/test-signing.pem" "$dir/test-signing.pem"
		rmdir "$tmp"
		log "generated test signing key in $dir"
	) 9>"$dir/.lock"
}
