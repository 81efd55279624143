#!/bin/bash
# make faults: the mixed load of make soak (64 connections, 8 workers, the
# bench's seed) while things break, each phase's figures printed:
#   1. kill -9 of a random worker every 2 s for FAULTS_KILL_SECONDS (30):
#      the supervisor replaces each (8 workers again within a second), no
#      request hangs (no wrk timeout, none over 10 s), errors under 0.1%;
#   2. MariaDB paused (SIGSTOP) for 5 s: requests meanwhile answered 503
#      with Retry-After within FAULTS_AWAY_ANSWER (3.9) seconds, while it is still away; after SIGCONT
#      the API answers 200 again within 2 s, by the same workers;
#   3. MariaDB stopped and started again: 503 with Retry-After while it is
#      away, 200 within 2 s of its return, by the same workers.
# After each phase: every write answered 200 is in the database, none was
# applied twice, each patient's oLCM chain runs unbroken.
# Exits 1 when a criterion fails, 2 when the run could not start.
set -uo pipefail
cd "$(dirname "$0")/../.."
KILL_SECONDS=${FAULTS_KILL_SECONDS:-30}
AWAY_ANSWER=${FAULTS_AWAY_ANSWER:-3.9}  # the probe starts 1 s into a 5 s pause: answered while MariaDB is still away
. tests/lib/harness.sh
LOAD_TMP=$(mktemp -d /tmp/lcm-faults.XXXXXX)
. tests/load/lib.sh
cleanup() {
	[ -n "${DB_STOPPED_PID:-}" ] && kill -CONT "$DB_STOPPED_PID" 2>/dev/null
	[ -n "${LOAD_WRK_PID:-}" ] && kill "$LOAD_WRK_PID" 2>/dev/null
	harness_stop
	rm -rf "$LOAD_TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
command -v wrk >/dev/null || load_die "wrk is missing (deploy/install-deps.sh --bench)"

CARE=$LOAD_API/patients/1/lead_care_managers

# probe OUT: one care-team read, "status|retry-after|seconds" into OUT.
probe() {
	curl -s -o /dev/null --max-time 15 -H "X-User-Token: $LOAD_TOKEN" \
		-w '%{http_code}|%header{retry-after}|%{time_total}\n' "$BASE$CARE" >"$1"
}
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }

# wrk_figures FILE: errors over requests, timeouts, max latency.
wrk_figures() {
	local f=$1 st req sock to max bad
	st=$(mixed "$f" statuses)
	req=$(mixed "$f" requests)
	sock=$(mixed "$f" socket_errors | awk '{print $1}')
	to=$(mixed "$f" socket_errors | awk '{print $NF}')
	max=$(mixed "$f" latency_max_ms | awk '{print $1}')
	bad=$(echo "$st" | tr ' ' '\n' | awk -F: 'NF == 2 && ($1 < 200 || $1 >= 400) { n += $2 } END { print n + 0 }')
	echo "  wrk: ${req:-?} requests, statuses: $st; socket errors: $(mixed "$f" socket_errors); max latency ${max:-?} ms"
	W_REQ=${req:-0} W_BAD=$bad W_SOCK=${sock:-0} W_TO=${to:-0} W_MAX=${max:-0}
}

echo "== faults: the mixed load while workers are killed and the database goes away"
load_stack 8
: >"$LOAD_TMP/all.ids"
: >"$LOAD_TMP/notok.all"

# ---- 1. kill -9 a worker every 2 s ----
echo
echo "-- 1. kill -9 of a worker every 2 s, ${KILL_SECONDS}s"
line0=$(load_log_lines)
load_wrk $((KILL_SECONDS + 3)) "$LOAD_TMP/wrk1.out"
sleep 2
kills=0 minback=8 notback=0
end=$((SECONDS + KILL_SECONDS))
while [ $SECONDS -lt $end ]; do
	victim=$(load_worker_pids | tr ' ' '\n' | grep . | shuf -n 1)
	[ -n "$victim" ] && kill -9 "$victim" 2>/dev/null && kills=$((kills + 1))
	sleep 1
	n=$(load_worker_pids | wc -w)
	[ "$n" -lt "$minback" ] && minback=$n
	[ "$n" = 8 ] || notback=$((notback + 1))
	sleep 1
done
wait "$LOAD_WRK_PID"
sleep 1
wrk_figures "$LOAD_TMP/wrk1.out"
final=$(load_worker_pids | wc -w)
echo "  $kills workers killed; workers a second after a kill: fewest $minback, $notback times not 8; at the end: $final"
echo "  nginx logged: $(load_statuses_since "$line0")"
[ "$notback" = 0 ] && [ "$final" = 8 ] && verdict OK "the supervisor replaced every killed worker within a second" ||
	verdict FAIL "workers not replaced: $notback of $kills times fewer than 8 a second after the kill; $final at the end"
[ "$W_TO" = 0 ] && awk -v m="$W_MAX" 'BEGIN { exit !(m < 10000) }' && verdict OK "no request hung (no timeout, max ${W_MAX} ms)" ||
	verdict FAIL "requests hung: $W_TO wrk timeouts, max latency ${W_MAX} ms"
errs=$((W_BAD + W_SOCK))
rate=$(awk -v e="$errs" -v n="$W_REQ" 'BEGIN { printf "%.3f", n ? 100 * e / n : 100 }')
awk -v e="$errs" -v n="$W_REQ" 'BEGIN { exit !(n > 0 && e * 1000 < n) }' &&
	verdict OK "errors $errs of $W_REQ requests ($rate%, under 0.1%)" ||
	verdict FAIL "errors $errs of $W_REQ requests ($rate%, 0.1% allowed)"
load_integrity "after the kills" "$line0"

# ---- 2. MariaDB paused for 5 s ----
echo
echo "-- 2. MariaDB paused (SIGSTOP) for 5 s under load"
pids0=$(load_worker_pids)
line0=$(load_log_lines)
load_wrk 16 "$LOAD_TMP/wrk2.out" 64 60
sleep 3
DB_STOPPED_PID=$(cat "$HVAR/run/mysqld.pid")
kill -STOP "$DB_STOPPED_PID"
t0=$(now)
sleep 1
probe "$LOAD_TMP/p2" &
probe_pid=$!
sleep 4
kill -CONT "$DB_STOPPED_PID"
DB_STOPPED_PID=
t1=$(now)
first=""
for _ in $(seq 1 150); do
	[ "$(curl -s -o /dev/null --max-time 5 -w '%{http_code}' -H "X-User-Token: $LOAD_TOKEN" "$BASE$CARE")" = 200 ] &&
		{ first=$(since "$t1"); break; }
	sleep 0.1
done
wait "$probe_pid"
IFS="|" read -r pst pra ptime <"$LOAD_TMP/p2"
echo "  a read 1 s into the pause: status $pst, Retry-After [${pra}], answered in ${ptime}s"
echo "  after SIGCONT: first 200 after ${first:-never (15 s)}s"
wait "$LOAD_WRK_PID"
sleep 1
wrk_figures "$LOAD_TMP/wrk2.out"
echo "  nginx logged: $(load_statuses_since "$line0")"
[ "$pst" = 503 ] && [ -n "$pra" ] && awk -v t="$ptime" -v l="$AWAY_ANSWER" 'BEGIN { exit !(t <= l) }' &&
	verdict OK "paused: 503 with Retry-After in ${ptime}s" ||
	verdict FAIL "paused: status $pst, Retry-After [${pra}], in ${ptime}s (503 with Retry-After within ${AWAY_ANSWER}s wanted)"
[ -n "$first" ] && awk -v t="$first" 'BEGIN { exit !(t <= 2) }' &&
	verdict OK "back within 2 s of SIGCONT (${first}s)" ||
	verdict FAIL "not back within 2 s of SIGCONT (${first:-never}s)"
pids1=$(load_worker_pids)
[ "$pids0" = "$pids1" ] && verdict OK "the same workers before and after the pause" ||
	verdict FAIL "workers restarted across the pause: [$pids0] -> [$pids1]"
load_integrity "after the pause" "$line0"

# ---- 3. MariaDB stopped and started again ----
echo
echo "-- 3. MariaDB stopped and started again under load"
pids0=$(load_worker_pids)
line0=$(load_log_lines)
load_wrk 25 "$LOAD_TMP/wrk3.out" 64 120
sleep 3
dbpid=$(cat "$HVAR/run/mysqld.pid")
kill -TERM "$dbpid"
for _ in $(seq 1 150); do kill -0 "$dbpid" 2>/dev/null || break; sleep 0.1; done
t0=$(now)
probe "$LOAD_TMP/p3"
IFS="|" read -r pst pra ptime <"$LOAD_TMP/p3"
echo "  MariaDB stopped; a read meanwhile: status $pst, Retry-After [${pra}], answered in ${ptime}s"
sleep 2
# Back, the way the stack starts it (workers and nginx are left running).
( LCM_VAR=$HVAR LCM_PORT=${BASE##*:} LCM_QUIET=1 bash deploy/stack.sh start >"$LOAD_TMP/restart.out" 2>&1 ) &
restart_pid=$!
back="" first=""
for _ in $(seq 1 600); do
	if [ -z "$back" ] && mariadb-admin --no-defaults --socket="$DB_SOCK" -uroot ping >/dev/null 2>&1; then
		back=$(now)
	fi
	if [ -n "$back" ] &&
		[ "$(curl -s -o /dev/null --max-time 5 -w '%{http_code}' -H "X-User-Token: $LOAD_TOKEN" "$BASE$CARE")" = 200 ]; then
		first=$(since "$back")
		break
	fi
	sleep 0.05
done
wait "$restart_pid" || { echo "  stack.sh start:"; sed 's/^/    /' "$LOAD_TMP/restart.out"; }
echo "  MariaDB answering again; first 200 after ${first:-never}s"
wait "$LOAD_WRK_PID"
sleep 1
wrk_figures "$LOAD_TMP/wrk3.out"
echo "  nginx logged: $(load_statuses_since "$line0")"
[ "$pst" = 503 ] && [ -n "$pra" ] && awk -v t="$ptime" -v l="$AWAY_ANSWER" 'BEGIN { exit !(t <= l) }' &&
	verdict OK "stopped: 503 with Retry-After in ${ptime}s" ||
	verdict FAIL "stopped: status $pst, Retry-After [${pra}], in ${ptime}s (503 with Retry-After within ${AWAY_ANSWER}s wanted)"
[ -n "$first" ] && awk -v t="$first" 'BEGIN { exit !(t <= 2) }' &&
	verdict OK "back within 2 s of MariaDB's return (${first}s)" ||
	verdict FAIL "not back within 2 s of MariaDB's return (${first:-never}s)"
pids1=$(load_worker_pids)
[ "$pids0" = "$pids1" ] && verdict OK "the same workers before and after the restart" ||
	verdict FAIL "workers restarted across MariaDB's restart: [$pids0] -> [$pids1]"
load_integrity "after the restart" "$line0"

echo
if [ "$LOAD_FAILS" = 0 ]; then echo "faults: all criteria met"; else echo "faults: $LOAD_FAILS criteria failed"; fi
[ "$LOAD_FAILS" = 0 ]
