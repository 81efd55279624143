#!/bin/bash
# make soak: SOAK_SECONDS (300) of mixed reads and writes at 64 connections
# (tests/load/mixed.lua: 70% care-team reads, 10% LCM list pages, 20%
# assignments, each one a change) against a private stack of 8 workers
# seeded like make bench. Criteria, each printed with its figure:
#   - no 5xx answered (wrk's count and nginx's log), no socket errors;
#   - the workers' memory flat: total RSS after the load within 10% + 1 MiB
#     of what it was after the first SOAK_WARMUP (15) seconds; the same workers;
#   - the activity rows written equal the assignments answered 200 (each
#     one a change), every one of them present once, the chains unbroken.
# Exits 1 when a criterion fails, 2 when the soak could not run.
set -uo pipefail
cd "$(dirname "$0")/../.."
SECONDS_TOTAL=${SOAK_SECONDS:-300}
WARMUP=${SOAK_WARMUP:-15}
CONNS=${SOAK_CONNS:-64}
. tests/lib/harness.sh
LOAD_TMP=$(mktemp -d /tmp/lcm-soak.XXXXXX)
. tests/load/lib.sh
trap 'harness_stop; rm -rf "$LOAD_TMP"' EXIT
trap 'exit 130' INT TERM
command -v wrk >/dev/null || load_die "wrk is missing (deploy/install-deps.sh --bench)"
[ "$SECONDS_TOTAL" -gt "$WARMUP" ] || load_die "SOAK_SECONDS must exceed SOAK_WARMUP ($WARMUP)"

echo "== soak: ${SECONDS_TOTAL}s of mixed load at $CONNS connections"
load_stack 8
: >"$LOAD_TMP/all.ids"
: >"$LOAD_TMP/notok.all"
acts0=$(db_sql 'SELECT COUNT(*) FROM patient_activities')
line0=$(load_log_lines)
pids0=$(load_worker_pids)
rss_idle=$(load_workers_rss)
werr0=$(grep -cE 'Z (error|warn) \[' "$HVAR/log/workers.log")
load_wrk "$SECONDS_TOTAL" "$LOAD_TMP/wrk.out" "$CONNS"
sleep "$WARMUP"
rss0=$(load_workers_rss)
echo "  workers' RSS: $((rss_idle / 1024)) MiB idle, $((rss0 / 1024)) MiB after ${WARMUP}s of load"
# A sample each minute, for the record.
t=$WARMUP
while kill -0 "$LOAD_WRK_PID" 2>/dev/null; do
	sleep 5
	t=$((t + 5))
	[ $((t % 60)) = 0 ] && echo "  ${t}s: workers' RSS $(($(load_workers_rss) / 1024)) MiB"
done
wait "$LOAD_WRK_PID"
sleep 1  # the last answers reach the log
rss1=$(load_workers_rss)
pids1=$(load_worker_pids)

echo "  wrk: $(grep -E 'Requests/sec' "$LOAD_TMP/wrk.out" | tr -s ' ')," \
	"$(mixed "$LOAD_TMP/wrk.out" requests) requests; statuses: $(mixed "$LOAD_TMP/wrk.out" statuses)"
echo "  latency: p99 $(mixed "$LOAD_TMP/wrk.out" latency_max_ms | awk '{print $3}') ms," \
	"max $(mixed "$LOAD_TMP/wrk.out" latency_max_ms | awk '{print $1}') ms"
echo "  nginx logged: $(load_statuses_since "$line0")"
fivexx_wrk=$(mixed "$LOAD_TMP/wrk.out" statuses | tr ' ' '\n' | awk -F: '$1 >= 500 { n += $2 } END { print n + 0 }')
fivexx_log=$(tail -n +"$((line0 + 1))" "$HVAR/log/nginx-access.log" | awk -F'"' '{ split($3, a, " "); if (a[1] >= 500) n++ } END { print n + 0 }')
sockerr=$(mixed "$LOAD_TMP/wrk.out" socket_errors | awk '{print $1}')
[ "$fivexx_wrk" = 0 ] && [ "$fivexx_log" = 0 ] && verdict OK "no 5xx (wrk 0, nginx 0)" ||
	verdict FAIL "5xx answered: wrk $fivexx_wrk, nginx $fivexx_log"
[ "${sockerr:-1}" = 0 ] && verdict OK "no socket errors" ||
	verdict FAIL "socket errors: $(mixed "$LOAD_TMP/wrk.out" socket_errors)"
if [ "$fivexx_log" != 0 ]; then
	echo "  nginx error log, most frequent:"
	grep '\[error\]\|\[crit\]\|\[alert\]' "$HVAR/log/nginx-error.log" | sed 's/^[0-9/: ]*\[[a-z]*\] [0-9#]*: \*[0-9]* //; s/, client.*//' |
		sort | uniq -c | sort -rn | head -n 3 | sed 's/^/    /'
fi
echo "  workers' RSS: $((rss0 / 1024)) MiB after warm-up, $((rss1 / 1024)) MiB at the end ($rss0 -> $rss1 KiB)"
[ "$rss1" -le $((rss0 * 110 / 100 + 1024)) ] && verdict OK "workers' RSS flat (within 10% + 1 MiB)" ||
	verdict FAIL "workers' RSS grew from $rss0 to $rss1 KiB"
[ "$pids0" = "$pids1" ] && verdict OK "the same 8 workers from start to end" ||
	verdict FAIL "workers replaced: [$pids0] -> [$pids1]"
werr=$(( $(grep -cE 'Z (error|warn) \[' "$HVAR/log/workers.log") - werr0 ))
echo "  workers.log: $werr new error/warn lines"
acts=$(( $(db_sql 'SELECT COUNT(*) FROM patient_activities') - acts0 ))
w200=$(mixed "$LOAD_TMP/wrk.out" writes_200)
w200log=$(load_assign_log "$line0" | awk '$1 == 200' | wc -l)
# Writes in flight when wrk stopped are logged 499 (the client left); the
# worker may still have committed them.
load_assign_log "$line0" | awk '$1 == 499 { print $2 }' | sort >"$LOAD_TMP/cut.ids"
cut=$(db_sql "SELECT request_id FROM patient_activities" | sort | comm -12 - "$LOAD_TMP/cut.ids" | wc -l)
echo "  assignments answered 200: $w200 (wrk), $w200log (nginx); activity rows written: $acts" \
	"($cut of them by writes in flight when wrk stopped, logged 499)"
[ $((acts - cut)) = "$w200log" ] && verdict OK "activity rows ($acts - $cut cut off) = changes answered 200 ($w200log)" ||
	verdict FAIL "activity rows ($acts - $cut cut off) != changes answered 200 ($w200log; wrk saw $w200)"
load_integrity "soak" "$line0"
echo
if [ "$LOAD_FAILS" = 0 ]; then echo "soak: all criteria met"; else echo "soak: $LOAD_FAILS criteria failed"; fi
[ "$LOAD_FAILS" = 0 ]
