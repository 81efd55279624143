#!/bin/bash
# The HTTP suite: starts a throwaway stack, runs every test_* function of
# tests/http/*.sh against it through nginx and the workers, tears it down.
# Usage: tests/run-http.sh [file-pattern]
set -uo pipefail
cd "$(dirname "$0")/.."
make -s --no-print-directory all >/dev/null || exit 1  # never test a stale worker
. tests/lib/harness.sh
. tests/lib/http.sh

T_TMP=$(mktemp -d /tmp/lcm-http.XXXXXX)
harness_start || exit 1
# A test's background clients end with the run, whatever cut it short.
trap 'kill $(jobs -p) 2>/dev/null; harness_stop; rm -rf "$T_TMP"' EXIT

# Files whose first line says "runs last" (they stop the database, say) run
# after all the others.
files=() last=()
for f in tests/http/${1:-*}.sh; do
	if head -n 1 "$f" | grep -q 'runs last'; then last+=("$f"); else files+=("$f"); fi
done
for f in "${files[@]}" "${last[@]}"; do
	echo "# $f"
	. "$f"
	run_tests $(grep -o '^test_[a-z0-9_]*' "$f")
done

echo
if [ ${#T_FAILURES[@]} -gt 0 ]; then
	echo "failed: ${T_FAILURES[*]}"
	echo "worker log tail:"; tail -n 20 "$HVAR/log/workers.log" "$HVAR/log/pool.log"
fi
if ! harness_stop; then
	echo "failed: sanitizer reports (above)"
	T_FAIL=$((T_FAIL + 1))
fi
echo "http: $T_PASS passed, $T_FAIL failed, $T_SKIP skipped"
if [ "$T_SKIP" -gt 0 ] && [ "${CI:-}" = true ]; then
	echo "http: skipped tests fail under CI (CI=true): CI must run what it claims to"
	exit 1
fi
[ "$T_FAIL" = 0 ]
