#!/bin/bash
# make layers: lib/'s folders are layers, and an include may only go down.
#
#   base/   errors, log, UTF-8, SHA-256, CSV, buffers, value checks  (nothing of ours)
#   http/   the request and response, router, query, JSON reader, headers
#   db/     the connection and its configuration, catalogue, migrations
#   care/   the domain: care team, writes and their engine, runs, patients,
#           auth, the access log
#   api/    the contract: each endpoint's rules, the JSON answers, Idempotency-Key
#   admin/  lcm-admin's commands and import
#
# A header is named by its file name alone (the build puts every layer on
# the include path), so a header's name is unique across lib/. fcgi-app/
# and the tests may include any layer.
#
# Usage: tests/layers.sh [ROOT]   (ROOT holds lib/; default: the repository)
#        tests/layers.sh --self-test   the check fails on a wrong-way include
set -u

declare -A MAY=(
	[base]=""
	[http]="base"
	[db]="base"
	[care]="db base"
	[api]="http care db base"
	[admin]="care db base"
)

check() {
	local root=$1 bad=0 f layer h hl n=0
	declare -A home=()
	for f in "$root"/lib/*/*.h; do
		h=${f##*/}
		layer=${f#"$root"/lib/}
		layer=${layer%%/*}
		if [ -n "${home[$h]:-}" ]; then
			echo "layers: $h is in both lib/${home[$h]}/ and lib/$layer/" >&2
			bad=1
		fi
		home[$h]=$layer
	done
	for f in "$root"/lib/*.[ch]; do
		[ -e "$f" ] || continue
		echo "layers: ${f#"$root"/} is in no layer (lib/<layer>/)" >&2
		bad=1
	done
	for f in "$root"/lib/*/*.[ch]; do
		layer=${f#"$root"/lib/}
		layer=${layer%%/*}
		if [ -z "${MAY[$layer]+x}" ]; then
			echo "layers: lib/$layer/ is no layer this check knows" >&2
			bad=1
			continue
		fi
		while IFS= read -r h; do
			n=$((n + 1))
			hl=${home[$h]:-}
			if [ -z "$hl" ]; then
				echo "layers: ${f#"$root"/} includes $h, which no layer has" >&2
				bad=1
			elif [ "$hl" != "$layer" ] && [[ " ${MAY[$layer]} " != *" $hl "* ]]; then
				echo "layers: ${f#"$root"/} ($layer) includes $h ($hl): $layer may include only" \
				    "${MAY[$layer]:-nothing of lib/}" >&2
				bad=1
			fi
		done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f")
	done
	[ "$bad" = 0 ] && echo "layers: $(ls "$root"/lib/*/*.[ch] | wc -l) files, $n includes, none the wrong way"
	return "$bad"
}

self_test() {
	local t rc=0
	t=$(mktemp -d) || exit 1
	mkdir -p "$t/lib/base" "$t/lib/http" "$t/lib/care" "$t/lib/db"
	printf '#include "db.h"\n' >"$t/lib/care/lcm.c"
	printf '\n' >"$t/lib/db/db.h"
	printf '#include "lcm.h"\n' >"$t/lib/http/router.c"
	printf '\n' >"$t/lib/care/lcm.h"
	if check "$t" 2>/dev/null; then
		echo "layers: self-test: http/ including care/ passed the check" >&2
		rc=1
	fi
	rm "$t/lib/http/router.c"
	if ! check "$t" >/dev/null; then
		echo "layers: self-test: care/ including db/ failed the check" >&2
		rc=1
	fi
	rm -rf "$t"
	[ "$rc" = 0 ] && echo "layers: self-test: a wrong-way include fails, a right one passes"
	return "$rc"
}

if [ "${1:-}" = --self-test ]; then
	self_test
	exit
fi
check "${1:-$(cd "$(dirname "$0")/.." && pwd)}"
