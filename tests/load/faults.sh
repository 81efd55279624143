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
#      away, 200 within 2 s of its return, by the same workers;
#   4. with 40% writes and 16 clients writing one coordinator's patients,
#      a worker frozen (SIGSTOP) for 12 s inside a write transaction that
#      holds that coordinator's workload: under 5% of the mixed load fails
#      and the pool answers at least half as much of it as before;
#   5. with 40% writes and 16 clients writing the held patients, another
#      session holding 50 case loads for 20 s: every read of another
#      patient answers 200 within 3 s.
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

# load_window FROM TO: of the mixed load's requests nginx logged between
# those lines (from 127.0.0.1: the hot writers send from 127.0.0.2),
# "TOTAL FAILED" (FAILED: 5xx).
load_window() {
	sed -n "$(($1 + 1)),$2p" "$HVAR/log/nginx-access.log" |
		awk -F'"' '$1 ~ /^127\.0\.0\.1 / { split($3, a, " "); n++; if (a[1] >= 500) bad++ } END { print n + 0, bad + 0 }'
}

# hot_writers_start N FIRST: N clients (from 127.0.0.2) writing patients
# FIRST + j, FIRST + N + j, FIRST + 2N + j (client j) in turn, each given
# the oLCM 400 or 401 by turns (a turn passes on a 200 only, so that every
# write answered 200 is a change), until hot_writers_stop. Their answers
# go to $LOAD_TMP/hot.
hot_writers_start() {
	local n=$1 first=$2 j
	rm -f "$LOAD_TMP/hot.stop"
	: >"$LOAD_TMP/hot"
	HOT=()
	for j in $(seq 0 $((n - 1))); do
		(
			declare -A next
			k=0
			while [ -d "$LOAD_TMP" ] && [ ! -e "$LOAD_TMP/hot.stop" ]; do
				p=$((first + j + n * (k % 3)))
				u=${next[$p]:-400}
				code=$(curl -s -o /dev/null --max-time 30 --interface 127.0.0.2 -w '%{http_code}' -X POST \
					-H "X-User-Token: $LOAD_TOKEN" -H 'Content-Type: application/json' \
					--data "{\"patient_id\":$p,\"olcm_user_id\":$u}" "$BASE$LOAD_API/lead_care_managers/assign")
				echo "$code" >>"$LOAD_TMP/hot"
				[ "$code" = 200 ] && next[$p]=$((u == 400 ? 401 : 400))
				k=$((k + 1))
			done
		) &
		HOT+=($!)
	done
}

hot_writers_stop() {
	touch "$LOAD_TMP/hot.stop"
	wait "${HOT[@]}"
}

# hot_figures: "N answers: 200:a 503:b ..." of the hot writers.
hot_figures() {
	echo "$(wc -l <"$LOAD_TMP/hot") answers: $(sort "$LOAD_TMP/hot" | uniq -c | awk '{ printf "%s:%s ", $2, $1 }')"
}

# Two more coordinators, 400 and 401, whom the mixed load never assigns.
db_sql "INSERT INTO users (id, name, email, active) VALUES
		(400, 'Hot Four Hundred', 'hot400@example.test', 1), (401, 'Hot Four Hundred One', 'hot401@example.test', 1);
	INSERT INTO user_roles (user_id, role_id) SELECT seq, 2 FROM seq_400_to_401"
ip -o addr show lo 2>/dev/null | grep -q '127\.0\.0\.2\|127\.0\.0\.1/8' ||
	load_die "cannot send from 127.0.0.2"

# ---- 4. a worker frozen inside its write transaction ----
echo
echo "-- 4. a worker frozen (SIGSTOP) inside its write transaction for 12 s, holding coordinator"
echo "      400's workload; 40% writes, and 16 clients assigning 400 and 401 to patients (6000-6047"
echo "      before, 7000-7047 while frozen)"
# Six seconds of the same load before, for comparison.
line0=$(load_log_lines)
WRITE_PCT=40 load_wrk 6 "$LOAD_TMP/wrk4a.out" 64 180
hot_writers_start 16 6000
wait "$LOAD_WRK_PID"
hot_writers_stop
line1=$(load_log_lines)
read -r before_n before_bad <<<"$(load_window "$line0" "$line1")"
before_hot=$(hot_figures)
# A write that holds 400's workload row, frozen inside its transaction:
# held up by another session on that row, its worker stopped, the row let go.
db_sql "START TRANSACTION; SELECT user_id FROM lcm_workload WHERE user_id = 400 FOR UPDATE; SELECT SLEEP(600); ROLLBACK" \
	>/dev/null 2>&1 &
holder=$!
for _ in $(seq 1 200); do
	[ "$(db_sql "SELECT COUNT(*) FROM information_schema.processlist WHERE info LIKE 'SELECT SLEEP(600)%'")" -gt 0 ] && break
	sleep 0.15
done
curl -s -o "$LOAD_TMP/frozen.out" -X POST -H "X-User-Token: $LOAD_TOKEN" -H 'Content-Type: application/json' \
	--data '{"patient_id":9998,"olcm_user_id":400}' "$BASE$LOAD_API/lead_care_managers/assign" &
frozen_curl=$!
# The worker that serves it waits for its statement in poll() (an idle one is in accept).
frozen=""
for _ in $(seq 1 200); do
	for w in $(load_worker_pids); do
		[ "$(cut -d' ' -f1 "/proc/$w/syscall" 2>/dev/null)" = 7 ] && { frozen=$w; break; }
	done
	[ -n "$frozen" ] && break
	sleep 0.05
done
[ -n "$frozen" ] && kill -STOP "$frozen"
db_sql "SELECT CONCAT('KILL QUERY ', id, ';') FROM information_schema.processlist WHERE info LIKE 'SELECT SLEEP(600)%'" |
	db_sql "$(cat)" >/dev/null 2>&1
wait "$holder" 2>/dev/null
idle=0
for _ in $(seq 1 100); do
	[ "$(db_sql "SELECT COUNT(*) FROM information_schema.innodb_trx t JOIN information_schema.processlist p
		ON p.id = t.trx_mysql_thread_id WHERE p.user = 'lcm_app' AND p.command = 'Sleep'")" -gt 0 ] && { idle=1; break; }
	sleep 0.15
done
line2=$(load_log_lines)
t1=$(now)
WRITE_PCT=40 load_wrk 12 "$LOAD_TMP/wrk4.out" 64 181
hot_writers_start 16 7000  # patients of their own: each write answered 200 a change
wait "$LOAD_WRK_PID"
hot_writers_stop
t2=$(now)
line3=$(load_log_lines)
[ -n "$frozen" ] && kill -CONT "$frozen"
wait "$frozen_curl"
wrk_figures "$LOAD_TMP/wrk4.out"
read -r during_n during_bad <<<"$(load_window "$line2" "$line3")"
before_rate=$(awk -v n="$before_n" 'BEGIN { printf "%.0f", n / 6 }')
during_rate=$(awk -v n="$during_n" -v a="$t1" -v b="$t2" 'BEGIN { printf "%.0f", n / (b - a) }')
share=$(awk -v b="$during_bad" -v n="$during_n" 'BEGIN { printf "%.2f", n ? 100 * b / n : 100 }')
echo "  before: the mixed load $before_rate req/s ($before_bad of $before_n failed); the hot writers $before_hot"
echo "  frozen: the mixed load $during_rate req/s, $during_bad of $during_n failed ($share%); the hot writers $(hot_figures)"
echo "  the frozen write, once let go: $(head -c 150 "$LOAD_TMP/frozen.out")"
[ -n "$frozen" ] && [ "$idle" = 1 ] && verdict OK "a worker was frozen inside its transaction ($frozen)" ||
	verdict FAIL "no worker frozen inside a transaction (worker [$frozen], idle transaction seen: $idle)"
awk -v s="$share" 'BEGIN { exit !(s < 5) }' && verdict OK "frozen worker: $share% of the mixed load failed (under 5%)" ||
	verdict FAIL "frozen worker: $share% of the mixed load failed (under 5% wanted)"
awk -v d="$during_rate" -v b="$before_rate" 'BEGIN { exit !(d * 2 >= b) }' &&
	verdict OK "frozen worker: the pool answered $during_rate req/s of the mixed load, at least half the $before_rate before" ||
	verdict FAIL "frozen worker: the pool answered $during_rate req/s of the mixed load, less than half the $before_rate before"
load_integrity "after the frozen worker" "$line0"

# ---- 5. 50 case loads held by another session for 20 s ----
echo
echo "-- 5. another session holds case loads 5000-5049 (FOR UPDATE) for 20 s; 40% writes, and"
echo "      16 clients writing patients 5000-5047"
line0=$(load_log_lines)
db_sql "START TRANSACTION; SELECT COUNT(*) FROM (SELECT id FROM case_loads WHERE patient_id BETWEEN 5000 AND 5049 FOR UPDATE) x;
	SELECT SLEEP(20); ROLLBACK" >/dev/null 2>&1 &
holder=$!
for _ in $(seq 1 200); do
	[ "$(db_sql "SELECT COUNT(*) FROM information_schema.processlist WHERE info LIKE 'SELECT SLEEP(20)%'")" -gt 0 ] && break
	sleep 0.15
done
WRITE_PCT=40 load_wrk 17 "$LOAD_TMP/wrk5.out" 64 190
hot_writers_start 16 5000
: >"$LOAD_TMP/p5"
end=$((SECONDS + 16))
while [ $SECONDS -lt $end ]; do
	curl -s -o /dev/null --max-time 15 -H "X-User-Token: $LOAD_TOKEN" -w '%{http_code} %{time_total}\n' \
		"$BASE$LOAD_API/patients/$((1 + RANDOM % 4999))/lead_care_managers" >>"$LOAD_TMP/p5"
	sleep 0.2
done
hot_writers_stop
wait "$LOAD_WRK_PID"
wait "$holder"
wrk_figures "$LOAD_TMP/wrk5.out"
echo "  nginx logged: $(load_statuses_since "$line0"); the hot writers $(hot_figures)"
reads=$(wc -l <"$LOAD_TMP/p5")
slowest=$(sort -k2 -n "$LOAD_TMP/p5" | tail -1 | cut -d' ' -f2)
not200=$(awk '$1 != 200' "$LOAD_TMP/p5" | wc -l)
p50=$(sort -k2 -n "$LOAD_TMP/p5" | awk '{ t[NR] = $2 } END { print t[int((NR + 1) / 2)] }')
echo "  reads of other patients while held: $reads, median ${p50}s, slowest ${slowest}s, $not200 not 200"
[ "$reads" -gt 0 ] && [ "$not200" = 0 ] && awk -v m="$slowest" 'BEGIN { exit !(m < 3) }' &&
	verdict OK "held locks: every read of another patient answered 200 within 3 s (slowest ${slowest}s)" ||
	verdict FAIL "held locks: reads of other patients: $not200 not 200, slowest ${slowest}s (3 s allowed)"
load_integrity "after the held locks" "$line0"

echo
if [ "$LOAD_FAILS" = 0 ]; then echo "faults: all criteria met"; else echo "faults: $LOAD_FAILS criteria failed"; fi
[ "$LOAD_FAILS" = 0 ]
