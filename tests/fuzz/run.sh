#!/bin/bash
# Run libFuzzer targets: tests/fuzz/run.sh SECONDS TARGET...
# Each target runs first every input of its seed corpus (tests/fuzz/corpus/T,
# past findings included), then mutates for SECONDS, with the dictionary
# tests/fuzz/lcm.dict. New inputs go to build-fuzz/corpus/T (kept between
# runs, never into the repository); a crash, a leak, a sanitizer report or
# a hang leaves its input in build-fuzz/artifacts/ and fails the run.
set -uo pipefail
cd "$(dirname "$0")/../.."
FB=build-fuzz
secs=${1:?usage: run.sh SECONDS TARGET...}
shift
failed=()
printf '%-10s %10s %10s %8s\n' target execs exec/s corpus
for t in "$@"; do
	mkdir -p "$FB/corpus/$t" "$FB/artifacts"
	log=$FB/fuzz_$t.log
	"$FB/fuzz_$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=16384 \
		-dict=tests/fuzz/lcm.dict -artifact_prefix="$FB/artifacts/$t-" -print_final_stats=1 \
		"$FB/corpus/$t" "tests/fuzz/corpus/$t" >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	units=$(ls "$FB/corpus/$t" | wc -l)
	printf '%-10s %10s %10s %8s\n' "$t" "${execs:-?}" "${rate:-?}" "$units"
	if [ "$rc" != 0 ]; then
		failed+=("$t")
		echo "fuzz_$t failed ($rc):"
		grep -E 'ERROR|runtime error|SUMMARY|Test unit written|^    #[0-9]' "$log" | head -n 30 | sed 's/^/    /'
	fi
done
if [ ${#failed[@]} -gt 0 ]; then
	echo "fuzz: failed: ${failed[*]} (logs in $FB/fuzz_*.log; keep each fixed input in tests/fuzz/corpus/)"
	exit 1
fi
echo "fuzz: $# targets, ${secs}s each, no findings"
