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

ensure_cache() {
	mkdir -p "$LPB_CACHE" 2>/dev/null || die "cannot create cache directory $LPB_CACHE (set LPB_CACHE to a writable path)"
	[ -w "$LPB_CACHE" ] || die "cache directory $LPB_CACHE is not writable (set LPB_CACHE)"
}
