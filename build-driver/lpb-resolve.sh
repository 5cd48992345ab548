# SPDX-License-Identifier: GPL-2.0-only
# lpb-target's "resolve": from target names, series and release patterns to
# the exact package sets they name, without fetching them (sourced by lpb-target).
#
#   lpb-target resolve [--refresh] [--json] TARGET...
#
# TARGET as for fetch, or a pattern of releases (shell glob: * ? [...]), e.g.
# debian:6.1.0-*-cloud-amd64: every release of one series that matches and
# whose newest complete set the archive still serves (a release with no
# complete set is named as skipped). Prints one line per set, tab-separated:
#
#   ok    TARGET  debian:RELEASE=VERSION  SERIES  RELEASE  VERSION  cached|new
#   skip  TARGET  RELEASE  WHY        (a release a pattern matched, not buildable)
#   fail  TARGET  WHY                 (TARGET names nothing buildable)
#
# or with --json one object {"targets": [...], "skipped": [...], "failed": [...]}.
# Exit status 0 when every TARGET named at least one set.

# is_pattern NAME: NAME has glob characters
is_pattern() { case "$1" in *'*'* | *'?'* | *'['*) return 0 ;; esac; return 1; }

# pattern_series GLOB: the series whose releases GLOB can name, tried on
# samples of it (each wildcard as "0", then as nothing): a pattern names
# releases of one series (or of several that share a form)
pattern_series() {
	local glob=$1 sample s found=() seen=' '
	for sample in "$(sample_of "$glob" 0)" "$(sample_of "$glob" '')"; do
		for s in "${SERIES[@]}"; do
			case "$seen" in *" $s "*) continue ;; esac
			if [[ $sample =~ ^($(all_releases_re "$s"))$ ]]; then
				found+=("$s")
				seen+="$s "
			fi
		done
	done
	[ ${#found[@]} -gt 0 ] || return 1
	printf '%s\n' "${found[@]}"
}

# sample_of GLOB FILL: GLOB with * and ? as FILL and [...] as its first character
sample_of() {
	local g=$1 fill=$2 out='' c set
	while [ -n "$g" ]; do
		c=${g:0:1} g=${g:1}
		case "$c" in
		'*' | '?') out+=$fill ;;
		'[')
			set=${g%%]*}
			g=${g#*]}
			set=${set#[!^]}
			out+=${set:0:1}
			;;
		*) out+=$c ;;
		esac
	done
	printf '%s' "$out"
}

# resolve_one TARGET: its lines (above) on stdout; dies (in a subshell) when
# it names nothing
resolve_one() {
	local t=$1 name s rel v any=0 matched=0 rels=()
	case "$t" in
	debian:*) name=${t#debian:} ;;
	*) parse_target "$t" ;; # dies with the reason
	esac
	if ! is_pattern "$name"; then
		parse_target "$t"
		if [ -n "$WANT_RELEASE" ] && [ -n "$WANT_VERSION" ] && cached_ok "$WANT_RELEASE" "$WANT_VERSION"; then
			printf 'ok\t%s\tdebian:%s=%s\t%s\t%s\t%s\tcached\n' "$t" "$WANT_RELEASE" "$WANT_VERSION" \
				"$CUR_SERIES" "$WANT_RELEASE" "$WANT_VERSION"
			return 0
		fi
		apt_setup "$CUR_SERIES"
		choose "$CUR_SERIES" "$WANT_RELEASE" "$WANT_VERSION"
		printf 'ok\t%s\tdebian:%s=%s\t%s\t%s\t%s\t%s\n' "$t" "$CHOSEN_RELEASE" "$CHOSEN_VERSION" \
			"$CUR_SERIES" "$CHOSEN_RELEASE" "$CHOSEN_VERSION" \
			"$(cached_ok "$CHOSEN_RELEASE" "$CHOSEN_VERSION" && echo cached || echo new)"
		return 0
	fi
	case "$name" in
	*=*) die "'$t': a pattern names releases, each built from its newest complete set; pin a version with debian:RELEASE=VERSION" ;;
	esac
	local series_list
	# the samples name the series most patterns are for without asking the
	# archive; a pattern they cannot place (6.12.*+deb12*-cloud-amd64,
	# *-cloud-amd64) is matched against the releases of every series
	series_list=$(pattern_series "$name") || series_list=${SERIES[*]}
	for s in $series_list; do
		CUR_SERIES=$s
		apt_setup "$s"
		mapfile -t rels < <(candidates "$s" all | awk '{ print $2 }' | awk '!seen[$0]++' | sort -V -r)
		for rel in "${rels[@]}"; do
			# shellcheck disable=SC2053 # the glob is the point
			[[ $rel == $name ]] || continue
			matched=1
			# each release on its own: one without a complete set is skipped
			if v=$( (choose "$s" "$rel" '' >/dev/null && printf '%s' "$CHOSEN_VERSION") 2>"$TMP_ERR"); then
				printf 'ok\t%s\tdebian:%s=%s\t%s\t%s\t%s\t%s\n' "$t" "$rel" "$v" "$s" "$rel" "$v" \
					"$(cached_ok "$rel" "$v" && echo cached || echo new)"
				any=1
			else
				printf 'skip\t%s\t%s\t%s\n' "$t" "$rel" "$(last_error "$TMP_ERR")"
			fi
			cat "$TMP_ERR" >&2
		done
	done
	[ $any -eq 1 ] && return 0
	[ $matched -eq 1 ] ||
		die "'$t' matches no release the archive has in the series $(echo $series_list) (their releases' forms: lp-build fetch --help; e.g. debian:6.1.0-*-cloud-amd64)"
	die "no release of $(echo $series_list) that matches '$name' has a complete set in the archive"
}

# last_error FILE: the last "error:" message in FILE, else its last line
last_error() {
	local m
	m=$(sed -n "s/^$PROG: error: //p" "$1" | tail -n1)
	[ -n "$m" ] || m=$(tail -n1 "$1")
	printf '%s' "${m//$'\t'/ }"
}

cmd_resolve() {
	local json=0 t rc=0 err out
	local lines=()
	if [ "${1:-}" = --json ]; then
		json=1
		shift
	fi
	[ $# -gt 0 ] || die "usage: $PROG resolve [--refresh] [--json] TARGET..."
	TMP_ERR=$(mktemp "${TMPDIR:-/tmp}/lpb-resolve.XXXXXX")
	err=$(mktemp "${TMPDIR:-/tmp}/lpb-resolve.XXXXXX")
	for t in "$@"; do
		if out=$( (resolve_one "$t") 2>"$err"); then
			[ -z "$out" ] || lines+=("$out")
		else
			[ -z "$out" ] || lines+=("$out")
			lines+=("$(printf 'fail\t%s\t%s' "$t" "$(last_error "$err")")")
			rc=1
		fi
		cat "$err" >&2
	done
	rm -f "$err" "$TMP_ERR"
	if [ $json -eq 0 ]; then
		[ ${#lines[@]} -eq 0 ] || printf '%s\n' "${lines[@]}"
		return $rc
	fi
	printf '%s\n' "${lines[@]}" | resolve_json
	return $rc
}

# resolve_json: the lines above as one JSON object (for CI matrices)
resolve_json() {
	local kind a b c d e f sep_t='' sep_s='' sep_f='' targets='' skipped='' failed=''
	while IFS=$'\t' read -r kind a b c d e f; do
		case "$kind" in
		ok)
			targets+="$sep_t"$'\n'"  {\"target\": $(json_str "$b"), \"from\": $(json_str "$a"), \"series\": $(json_str "$c"), \"release\": $(json_str "$d"), \"version\": $(json_str "$e"), \"cached\": $([ "$f" = cached ] && echo true || echo false)}"
			sep_t=,
			;;
		skip)
			skipped+="$sep_s"$'\n'"  {\"from\": $(json_str "$a"), \"release\": $(json_str "$b"), \"why\": $(json_str "$c")}"
			sep_s=,
			;;
		fail)
			failed+="$sep_f"$'\n'"  {\"from\": $(json_str "$a"), \"why\": $(json_str "$b")}"
			sep_f=,
			;;
		esac
	done
	printf '{"targets": [%s\n], "skipped": [%s\n], "failed": [%s\n]}\n' "$targets" "$skipped" "$failed"
}
