#!/bin/bash
# Throughput of the Lead Care Managers API, and the PHP-FPM peer as yardstick.
#
#   bash tests/bench/run.sh          (make bench: builds, installs wrk, runs this)
#
# 1. A throwaway stack (tests/lib/harness.sh) with 8 workers, like the peer's
#    8 PHP-FPM children, loaded with tests/bench/seed.sql: 10,000 patients,
#    200 coordinators (users 101..300), every patient with a case load.
# 2. wrk -t2 -c64 -d10s --latency, after a short warm-up, on the care-team read
#    (get.lua), the single assign (post.lua) and /healthz (FastCGI + SELECT 1).
# 3. One 1000-item bulk_assign, timed; then 100,000 case loads
#    (seed-100k.sql), the list endpoint timed and its query EXPLAINed; then
#    gaps in them (seed-gaps.sql), the patient list's filters and summary
#    timed and EXPLAINed, the whole assignment export timed with the
#    workers' memory sampled.
#    Before that, at 10,000 case loads, the list and the patient list under
#    wrk too (path.lua); and at 10,000, 100,000 and 1,000,000 case loads
#    (seed-1m.sql) the growth table: the read, the assign and the list
#    (any.lua, path.lua) for BENCH_GROWTH_DURATION each, with the plans of
#    their queries compared from size to size (BENCH_GROWTH=0 skips it).
# 4. Worker RSS before and after; our stack stopped.
# 5. When ../shared/bench-peer/up.sh exists: the peer on its own port and
#    directory, the same wrk runs (the assign both as the bare upsert and,
#    when the peer has it, as /peer/assign_audited, the same work as ours)
#    plus nginx's /static ceiling; peer stopped.
# 6. A comparison table.
# Everything runs on loopback and is torn down on exit, failure or interrupt.
#
# Environment: BENCH_DURATION (10s), BENCH_WARMUP (2s), BENCH_CONNS (64),
# BENCH_THREADS (2), BENCH_PEER (auto; 0 skips the peer).
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
BENCH=$ROOT/tests/bench
PEER_SRC=$ROOT/../shared/bench-peer

DURATION=${BENCH_DURATION:-10s}
GROWTH_DURATION=${BENCH_GROWTH_DURATION:-5s}
GROWTH=${BENCH_GROWTH:-1}
WARMUP=${BENCH_WARMUP:-2s}
CONNS=${BENCH_CONNS:-64}
THREADS=${BENCH_THREADS:-2}
TOKEN=admintoken
API=/v1/admin/clinic/ecm
START=$SECONDS

. tests/lib/harness.sh

BTMP=$(mktemp -d /tmp/lcm-bench.XXXXXX)
PEER_UP=0
PEER_PIDS=()

# --- teardown -------------------------------------------------------------

peer_down() {
	[ "$PEER_UP" = 1 ] || return 0
	PEER_UP=0
	local f pid i
	PEER_PIDS=()
	for f in nginx php-fpm mysqld; do
		[ -s "$PEER_DIR/$f.pid" ] && PEER_PIDS+=("$(cat "$PEER_DIR/$f.pid")")
	done
	PEER_DIR=$PEER_DIR bash "$PEER_SRC/down.sh" >/dev/null 2>&1
	# down.sh signals and waits a second; MariaDB takes longer to stop.
	for pid in "${PEER_PIDS[@]}"; do
		for i in $(seq 1 150); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.2
		done
		if kill -0 "$pid" 2>/dev/null; then
			echo "bench: peer process $pid did not stop in 30s, killing it" >&2
			kill -KILL "$pid" 2>/dev/null
		fi
	done
}

cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	harness_stop
	peer_down
	rm -rf "$BTMP"
	exit $rc
}
install_traps() {
	trap cleanup EXIT
	trap 'exit 130' INT TERM
}
install_traps

# --- helpers --------------------------------------------------------------

die() { echo "bench: $*" >&2; exit 1; }
section() { printf '\n== %s\n' "$*"; }

declare -A R_RPS R_P50 R_P99 R_N R_BAD R_SOCK R_Q R_CPU R_CPUS

# MariaDB's statement counter of the server at socket Q_SOCK.
questions() {
	[ -n "${Q_SOCK:-}" ] || return 0
	mariadb --no-defaults --socket="$Q_SOCK" -uroot --batch --skip-column-names \
		-e "SHOW GLOBAL STATUS LIKE 'Questions'" | awk '{ print $2 }'
}

# CPU time, in clock ticks, of the stack under measurement: the database, the
# application processes and the web server, each a parent pid and its
# children (ours: mariadbd, multiwatch and its workers, the nginx master and
# its workers; the peer: mariadbd, the PHP-FPM master and its children, its
# nginx). CPU_PIDS holds "db app web" parent pids; empty: nothing sampled.
# CPU microseconds per request are steadier than req/s on a shared box:
# they do not change when another process takes a core.
CPU_PIDS=
TICK_US=$((1000000 / $(getconf CLK_TCK)))
tree_ticks() {
	local p t=0 v
	for p in "$1" $(ps --ppid "$1" -o pid= 2>/dev/null); do
		v=$(sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null | awk '{ print $12 + $13 }')
		t=$((t + ${v:-0}))
	done
	echo "$t"
}
cpu_ticks() {
	local p out=
	for p in $CPU_PIDS; do out="$out $(tree_ticks "$p")"; done
	echo "$out"
}

# wrk_run KEY URL SCRIPT PREFIX ASSIGN [INNER] -- warm up, then one measured run.
# INNER is the script seeded.lua runs.
wrk_run() {
	local key=$1 url=$2 script=$3 prefix=$4 assign=$5 inner=${6:-} out=$BTMP/wrk-$1.txt
	local args=(-t"$THREADS" -c"$CONNS" --latency)
	[ -n "$script" ] && args+=(-s "$script")
	env PREFIX="$prefix" ASSIGN="$assign" TOKEN="$TOKEN" SCRIPT="$inner" \
		wrk "${args[@]}" -d"$WARMUP" "$url" >/dev/null 2>&1
	[ -n "${WRK_HOOK:-}" ] && $WRK_HOOK
	local q0 q1 c0 c1
	q0=$(questions)
	c0=$(cpu_ticks)
	env PREFIX="$prefix" ASSIGN="$assign" TOKEN="$TOKEN" SCRIPT="$inner" \
		wrk "${args[@]}" -d"$DURATION" "$url" >"$out" 2>&1 ||
		{ cat "$out" >&2; die "wrk failed on $url"; }
	c1=$(cpu_ticks)
	q1=$(questions)
	R_RPS[$key]=$(awk '/^Requests\/sec:/ { print $2 }' "$out")
	R_P50[$key]=$(awk '$1 == "50%" { print $2 }' "$out")
	R_P99[$key]=$(awk '$1 == "99%" { print $2 }' "$out")
	R_N[$key]=$(awk '/requests in/ { print $1 }' "$out")
	R_BAD[$key]=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$out")
	R_BAD[$key]=${R_BAD[$key]:-0}
	R_SOCK[$key]=$(sed -n 's/^ *Socket errors: //p' "$out")
	R_SOCK[$key]=${R_SOCK[$key]:-none}
	R_Q[$key]=-
	[ -n "$q0" ] && [ -n "$q1" ] && R_Q[$key]=$(awk -v a="$q0" -v b="$q1" -v n="${R_N[$key]:-0}" \
		'BEGIN { if (n > 0) printf "%.1f", (b - a - 1) / n; else print "-" }')
	# CPU µs per request: db + app + web = total.
	R_CPU[$key]=- R_CPUS[$key]=-
	if [ -n "$c0" ]; then
		read -r R_CPU[$key] R_CPUS[$key] < <(awk -v a="$c0" -v b="$c1" -v n="${R_N[$key]:-0}" -v us="$TICK_US" 'BEGIN {
			k = split(a, x, " "); split(b, y, " ")
			if (n <= 0) { print "- -"; exit }
			for (i = 1; i <= k; i++) { d[i] = (y[i] - x[i]) * us / n; t += d[i] }
			printf "%.0f %.0f+%.0f+%.0f\n", t, d[1], d[2], d[3] }')
	fi
	printf '  %-16s %10s req/s  p50 %-9s p99 %-9s requests %-8s non-2xx/3xx %-4s SQL/req %-4s CPU us/req %s (db+app+web %s)  socket errors: %s\n' \
		"$key" "${R_RPS[$key]:-?}" "${R_P50[$key]:-?}" "${R_P99[$key]:-?}" \
		"${R_N[$key]:-?}" "${R_BAD[$key]}" "${R_Q[$key]}" "${R_CPU[$key]}" "${R_CPUS[$key]}" "${R_SOCK[$key]}"
}

# Statuses nginx logged since line $1 of our access log, as "200:1234 409:5".
statuses_since() {
	tail -n +"$(($1 + 1))" "$HVAR/log/nginx-access.log" |
		awk -F'"' '{ split($3, a, " "); n[a[1]]++ } END { for (s in n) printf "%s:%d ", s, n[s] }'
}
log_lines() { wc -l <"$HVAR/log/nginx-access.log"; }

# The RSS of each child of a parent pid, and their sum.
children_rss() {
	local label=$1 parent=$2
	ps --ppid "$parent" -o pid=,rss= | awk -v l="$label" '
		{ n++; t += $2; each = each sprintf(" %d", $2) }
		END { printf "  %-34s %d processes, RSS KiB:%s; total %.1f MiB\n", l, n, each, t / 1024 }'
}
pid_rss() { ps -o rss= -p "$2" | awk -v l="$1" '{ printf "  %-34s RSS %.1f MiB\n", l, $1 / 1024 }'; }

workers_rss() {
	local mw
	mw=$(cat "$HVAR/run/workers.pid")
	[ "$(ps -o comm= -p "$mw")" = multiwatch ] || die "workers.pid ($mw) is not multiwatch"
	children_rss "lcm-worker (children of multiwatch)" "$mw"
	pid_rss "mariadbd" "$(cat "$HVAR/run/mysqld.pid")"
}

code_of() { curl -s -o /dev/null -w '%{http_code}' "$@"; }

# --- our stack ------------------------------------------------------------

section "machine"
echo "  $(nproc) cores; wrk, nginx, the FastCGI workers / PHP-FPM children and MariaDB all"
echo "  share them, so the figures compare the two stacks on one box; they are not capacity."
echo "  wrk -t$THREADS -c$CONNS -d$DURATION --latency, after a $WARMUP warm-up per run; loopback only."
echo "  one measured run each: on this box repeated runs of the same test differ by 10-30%."
echo "  load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
other=$(pgrep -c -x mariadbd || true)
[ "${other:-0}" -gt 0 ] && echo "  note: $other other MariaDB server(s) running here (a dev or test stack): any load they take skews the figures."

section "our stack: 8 workers"
# A million case loads with their history take about 1.6 GB of tables and
# indexes: the buffer pool holds them, as a production server's should.
export LCM_DB_BUFFER_POOL=${LCM_DB_BUFFER_POOL:-2G}
harness_start 8 || die "the stack did not start"
echo "  MariaDB: innodb_buffer_pool_size $LCM_DB_BUFFER_POOL"
install_traps  # harness_start installs its own; ours also stops the peer and removes $BTMP
Q_SOCK=$DB_SOCK
our_cpu_pids() { CPU_PIDS="$(cat "$HVAR/run/mysqld.pid") $(cat "$HVAR/run/workers.pid") $(cat "$HVAR/run/nginx.pid")"; }
our_cpu_pids
echo "  $BASE  (stack in $HVAR)"

t0=$(date +%s.%N)
mariadb --no-defaults --socket="$DB_SOCK" -uroot lcm <"$BENCH/seed.sql" || die "seed.sql failed"
t1=$(date +%s.%N)
echo "  seed.sql: $(db_sql 'SELECT COUNT(*) FROM patients') patients, $(db_sql 'SELECT COUNT(*) FROM case_loads') case loads," \
	"$(db_sql "SELECT COUNT(*) FROM user_roles ur JOIN roles r ON r.id = ur.role_id WHERE r.name = 'ecm'") ecm users" \
	"in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')s"

H=(-H "X-User-Token: $TOKEN")
c=$(code_of "${H[@]}" "$BASE$API/patients/1/lead_care_managers")
[ "$c" = 200 ] || die "GET patient 1 answered $c"
c=$(code_of "${H[@]}" -H 'Content-Type: application/json' -d '{"patient_id":1,"olcm_user_id":300}' "$BASE$API/lead_care_managers/assign")
[ "$c" = 200 ] || die "POST assign answered $c"
echo "  sanity: GET care team 200, POST assign 200"

section "memory before load"
workers_rss

section "our runs"
# Every worker connects to MariaDB and prepares its statements at start.
declare -A STATUSES CHANGED
acts() { db_sql 'SELECT COUNT(*) FROM patient_activities'; }
mark_acts() { ACTS0=$(acts); }  # after the warm-up, before the measured run
for run in get post post-seeded healthz; do
	inner= hook=
	case $run in
	get) url=$BASE script=$BENCH/get.lua ;;
	post) url=$BASE script=$BENCH/post.lua hook=mark_acts ;;
	post-seeded) url=$BASE script=$BENCH/seeded.lua inner=$BENCH/post.lua hook=mark_acts ;;
	healthz) url=$BASE/healthz script= ;;
	esac
	before=$(log_lines)
	WRK_HOOK=$hook wrk_run "ours-$run" "$url" "$script" "$API" "$API/lead_care_managers/assign" "$inner"
	STATUSES[$run]=$(statuses_since "$before")
	# Each assignment that changes the oLCM writes one activity row.
	[ -n "$hook" ] && CHANGED[$run]=$(awk -v a="$ACTS0" -v b="$(acts)" -v n="${R_N[ours-$run]:-0}" \
		'BEGIN { printf "%d of %d (%.0f%%)", b - a, n, n ? 100 * (b - a) / n : 0 }')
done
echo "  statuses nginx logged, warm-ups included (499: wrk closing its connections as a run ends):"
for run in get post post-seeded healthz; do echo "    $run: ${STATUSES[$run]}"; done
echo "  POSTs that changed an assignment (one activity row each): post.lua ${CHANGED[post]};" \
	"seeded ${CHANGED[post-seeded]}"
werr=$(grep -c ' error \| warn ' "$HVAR/log/workers.log" 2>/dev/null || true)
echo "  worker log: ${werr:-0} error/warn lines ($HVAR/log/workers.log, $(wc -l <"$HVAR/log/workers.log" 2>/dev/null || echo 0) lines in all)"
nerr=$(grep -c '\[error\]\|\[crit\]\|\[alert\]' "$HVAR/log/nginx-error.log" 2>/dev/null || true)
echo "  nginx error log: ${nerr:-0} error lines"
[ "${nerr:-0}" -gt 0 ] && grep '\[error\]\|\[crit\]\|\[alert\]' "$HVAR/log/nginx-error.log" |
	sed 's/^[0-9/: ]*//; s/, client.*//' | sort | uniq -c | sort -rn | head -n 3 | sed 's/^/    /'
echo "  patient_activities after the runs: $(db_sql 'SELECT COUNT(*) FROM patient_activities') rows"
echo "  phi_access_log after the runs: $(db_sql 'SELECT COUNT(*) FROM phi_access_log') rows (one per read and write)"

section "the PHI access log's cost: the care-team read with the log off"
# The same workers, started with LCM_ACCESS_LOG=off (a measuring switch, never for production).
kill -TERM "$(cat "$HVAR/run/workers.pid")"
for _ in $(seq 1 100); do kill -0 "$(cat "$HVAR/run/workers.pid")" 2>/dev/null || break; sleep 0.1; done
LCM_ACCESS_LOG=off LCM_VAR=$HVAR LCM_PORT=${BASE##*:} LCM_WORKERS=8 LCM_QUIET=1 \
	bash deploy/stack.sh start || die "the workers did not come back"
our_cpu_pids
logged0=$(db_sql 'SELECT COUNT(*) FROM phi_access_log')
wrk_run "ours-get-nolog" "$BASE" "$BENCH/get.lua" "$API" "$API/lead_care_managers/assign"
echo "  access log rows written by that run: $(($(db_sql 'SELECT COUNT(*) FROM phi_access_log') - logged0)) (0 expected)"
kill -TERM "$(cat "$HVAR/run/workers.pid")"
for _ in $(seq 1 100); do kill -0 "$(cat "$HVAR/run/workers.pid")" 2>/dev/null || break; sleep 0.1; done
LCM_VAR=$HVAR LCM_PORT=${BASE##*:} LCM_WORKERS=8 LCM_QUIET=1 bash deploy/stack.sh start ||
	die "the workers did not come back"
our_cpu_pids
# With the log again, so that on and off surround each other in time.
wrk_run "ours-get-log2" "$BASE" "$BENCH/get.lua" "$API" "$API/lead_care_managers/assign"
ACCESS_COST=$(awk -v a="${R_RPS[ours-get]:-0}" -v b="${R_RPS[ours-get-log2]:-0}" -v off="${R_RPS[ours-get-nolog]:-0}" \
	'BEGIN { if (off > 0) printf "%.1f%%", 100 * (off - (a + b) / 2) / off; else print "-" }')
echo "  GET with the log: ${R_RPS[ours-get]} and ${R_RPS[ours-get-log2]} req/s; without: ${R_RPS[ours-get-nolog]} req/s;" \
	"cost $ACCESS_COST (negative: within noise)"

section "the lists under load (10,000 case loads)"
declare -A LIST_Q=(
	[list]="lead_care_managers?per_page=25"
	[list-search]="lead_care_managers?per_page=25&search=Coordinator%201"
	[list-workload]="lead_care_managers?per_page=25&sort=workload"
	[patients-unassigned]="patients?unassigned=olcm"
)
LIST_KEYS="list list-search list-workload patients-unassigned"
for k in $LIST_KEYS; do
	QUERY_PATH="$API/${LIST_Q[$k]}" wrk_run "ours-$k" "$BASE" "$BENCH/path.lua" "$API" "$API/lead_care_managers/assign"
done

# --- growth: the same requests at 10,000, 100,000 and 1,000,000 case loads ----

# A statement's text as the catalogue (lib/db/sql.c) builds it.
sqlgen() {
	local id=$1
	printf '#include <stdio.h>\n#include "sql.h"\nint main(void) { fputs(sql_stmts[%s].sql, stdout); return 0; }\n' \
		"$id" >"$BTMP/sql_$id.c"
	cc -std=c11 -Ilib/db -Ilib/base -o "$BTMP/sql_$id" "$BTMP/sql_$id.c" lib/db/sql.c 2>"$BTMP/sql_$id.err" &&
		"$BTMP/sql_$id"
}
# A statement's plan as "table:type:key" per row (values "|"-separated, bound in order).
plan_sig() {
	local st=$1 values=$2 sql lit
	sql=$(sqlgen "$st") || { echo "?"; return; }
	lit=$(printf '%s' "$sql" | awk -v vals="$values" 'BEGIN { split(vals, v, "|") }
		{ out = ""; s = $0; k = 0
		  while ((i = index(s, "?")) > 0) { out = out substr(s, 1, i - 1) v[++k]; s = substr(s, i + 1) }
		  print out s }')
	mariadb --no-defaults --socket="$DB_SOCK" -uroot --batch --skip-column-names lcm -e "EXPLAIN $lit" |
		awk -F'\t' '{ printf "%s%s:%s:%s", (NR > 1 ? " " : ""), $3, $4, ($6 == "NULL" ? "-" : $6) }'
}
declare -A GPLAN
GROWTH_SIZES=""
GROWTH_PLANS="STMT_CARE_TEAM STMT_REFS STMT_CASE_LOAD_LOCK STMT_LCM_PAGE_BY_NAME STMT_LCM_PAGE STMT_LCM_COUNT"
# growth_at LABEL PATIENTS: the read, the assign and the list, and the plans.
growth_at() {
	local label=$1 n=$2 DURATION=$GROWTH_DURATION mid=$(( $2 / 2 ))
	GROWTH_SIZES="$GROWTH_SIZES $label"
	echo "  $(db_sql 'SELECT COUNT(*) FROM case_loads') case loads, $(db_sql 'SELECT COUNT(*) FROM patient_activities') patient activities:"
	KIND=get PATIENTS=$n wrk_run "g$label-read" "$BASE" "$BENCH/seeded.lua" "$API" \
		"$API/lead_care_managers/assign" "$BENCH/any.lua"
	KIND=post PATIENTS=$n wrk_run "g$label-assign" "$BASE" "$BENCH/seeded.lua" "$API" \
		"$API/lead_care_managers/assign" "$BENCH/any.lua"
	QUERY_PATH="$API/${LIST_Q[list]}" wrk_run "g$label-list" "$BASE" "$BENCH/path.lua" "$API" "$API/lead_care_managers/assign"
	GPLAN[$label:STMT_CARE_TEAM]=$(plan_sig STMT_CARE_TEAM "$mid")
	GPLAN[$label:STMT_REFS]=$(plan_sig STMT_REFS "101|NULL|$mid")
	GPLAN[$label:STMT_CASE_LOAD_LOCK]=$(plan_sig STMT_CASE_LOAD_LOCK "$mid")
	GPLAN[$label:STMT_LCM_PAGE_BY_NAME]=$(plan_sig STMT_LCM_PAGE_BY_NAME "'%%'|NULL|0|0|'name'|25|0")
	GPLAN[$label:STMT_LCM_PAGE]=$(plan_sig STMT_LCM_PAGE "'%%'|NULL|0|0|'workload'|25|0")
	GPLAN[$label:STMT_LCM_COUNT]=$(plan_sig STMT_LCM_COUNT "'%%'|NULL|0|0|'name'")
}

if [ "$GROWTH" = 1 ]; then
	section "growth at 10,000 case loads (wrk -d$GROWTH_DURATION each)"
	growth_at 10k 10000
fi

section "bulk_assign: 1000 items"
# Patients 1..1000 back to the seed's LCMs, then each item changes both roles:
# 1000 transactions, 2000 activity rows.
db_sql "UPDATE case_loads SET olcm_user_id = 101 + (patient_id % 200), ilcm_user_id = 101 + ((patient_id * 7) % 200) WHERE patient_id <= 1000"
awk 'BEGIN {
	printf "{\"assignments\":["
	for (i = 1; i <= 1000; i++)
		printf "%s{\"patient_id\":%d,\"olcm_user_id\":%d,\"ilcm_user_id\":%d}", (i > 1 ? "," : ""),
			i, 101 + ((i + 1) % 200), 101 + ((i * 7 + 1) % 200)
	print "]}"
}' >"$BTMP/bulk.json"
acts0=$(db_sql 'SELECT COUNT(*) FROM patient_activities')
read -r bcode btime < <(curl -s -o "$BTMP/bulk-out.json" -w '%{http_code} %{time_total}\n' "${H[@]}" \
	-H 'Content-Type: application/json' --data-binary @"$BTMP/bulk.json" "$BASE$API/lead_care_managers/bulk_assign")
acts1=$(db_sql 'SELECT COUNT(*) FROM patient_activities')
echo "  HTTP $bcode in ${btime}s ($(awk -v t="$btime" 'BEGIN { printf "%.2f", t }') ms per item);" \
	"successful $(jq -r .successful_count "$BTMP/bulk-out.json" 2>/dev/null)," \
	"failed $(jq -r .failed_count "$BTMP/bulk-out.json" 2>/dev/null); $((acts1 - acts0)) activity rows written;" \
	"body $(wc -c <"$BTMP/bulk.json") bytes"
BULK_TIME=$btime

section "transfer and auto-assign: 1000 patients each"
# User 101 holds patients 1..1000 as oLCM; they move to users 102..106 (5 takers).
db_sql "UPDATE case_loads SET olcm_user_id = 101 WHERE patient_id <= 1000"
counts() { db_sql "SELECT GROUP_CONCAT(CONCAT(user_id, ':', olcm_count) ORDER BY user_id) FROM lcm_workload WHERE user_id BETWEEN 101 AND 106"; }
echo "  oLCM counts before (user:count): $(counts)"
read -r tcode ttime < <(curl -s -o "$BTMP/transfer.json" -w '%{http_code} %{time_total}\n' "${H[@]}" \
	-H 'Content-Type: application/json' --data-binary '{"from_user_id":101,"to_user_ids":[102,103,104,105,106],"role":"olcm","reason":{"code":"staffing_change","note":"bench"}}' \
	"$BASE$API/lead_care_managers/transfer")
echo "  transfer of 1000 across 5 users: HTTP $tcode in ${ttime}s; moved $(jq .moved_count "$BTMP/transfer.json" 2>/dev/null)," \
	"failed $(jq .failed_count "$BTMP/transfer.json" 2>/dev/null)"
echo "  oLCM counts after: $(counts)"
TRANSFER_TIME=$ttime
# Patients 1001..2000 lose their iLCM; auto-assign fills them from users 110..119.
db_sql "UPDATE case_loads SET ilcm_user_id = NULL WHERE patient_id BETWEEN 1001 AND 2000"
read -r acode atime < <(curl -s -o "$BTMP/auto.json" -w '%{http_code} %{time_total}\n' "${H[@]}" \
	-H 'Content-Type: application/json' --data-binary '{"role":"ilcm","unassigned":true,"user_ids":[110,111,112,113,114,115,116,117,118,119]}' \
	"$BASE$API/lead_care_managers/auto_assign")
echo "  auto-assign of 1000: HTTP $acode in ${atime}s; assigned $(jq .assigned_count "$BTMP/auto.json" 2>/dev/null)," \
	"failed $(jq .failed_count "$BTMP/auto.json" 2>/dev/null), more $(jq .more_unassigned "$BTMP/auto.json" 2>/dev/null)"
AUTO_TIME=$atime

section "list: GET $API/lead_care_managers?per_page=100 with 100,000 case loads"
t0=$(date +%s.%N)
mariadb --no-defaults --socket="$DB_SOCK" -uroot lcm <"$BENCH/seed-100k.sql" || die "seed-100k.sql failed"
t1=$(date +%s.%N)
echo "  seed-100k.sql: $(db_sql 'SELECT COUNT(*) FROM case_loads') case loads in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')s"
times=()
for i in 1 2 3 4 5 6; do
	read -r lcode ltime < <(curl -s -o "$BTMP/list.json" -w '%{http_code} %{time_total}\n' "${H[@]}" \
		"$BASE$API/lead_care_managers?per_page=100")
	[ "$lcode" = 200 ] || die "list answered $lcode: $(head -c 300 "$BTMP/list.json")"
	times+=("$ltime")
done
echo "  6 requests, HTTP 200, seconds: ${times[*]}  (the first is the coldest)"
LIST_MED=$(printf '%s\n' "${times[@]:1}" | sort -n | sed -n 3p)
echo "  median of the last 5: ${LIST_MED}s; rows $(jq '.lead_care_managers | length' "$BTMP/list.json")," \
	"total_count $(jq .pagination.total_count "$BTMP/list.json")," \
	"first: $(jq -c '.lead_care_managers[0] | {name, olcm_assignments_count, ilcm_assignments_count, assigned_patients_count}' "$BTMP/list.json")"
read -r lcode ltime < <(curl -s -o "$BTMP/list2.json" -w '%{http_code} %{time_total}\n' "${H[@]}" \
	"$BASE$API/lead_care_managers?per_page=100&page=2&role=olcm&search=Coordinator")
echo "  page=2&role=olcm&search=Coordinator: HTTP $lcode in ${ltime}s, rows $(jq '.lead_care_managers | length' "$BTMP/list2.json" 2>/dev/null)"
read -r lcode ltime < <(curl -s -o "$BTMP/list3.json" -w '%{http_code} %{time_total}\n' "${H[@]}" \
	"$BASE$API/lead_care_managers?per_page=25&sort=workload&available=true")
echo "  per_page=25&sort=workload&available=true: HTTP $lcode in ${ltime}s, first $(jq -c '.lead_care_managers[0] | {id, assigned_patients_count}' "$BTMP/list3.json" 2>/dev/null)"

# Placeholders in order: LIKE pattern, role (NULL: any), inactive, available, sort, then LIMIT and OFFSET.
bind_literals() {
	awk 'BEGIN { split("'"'"'%%'"'"' NULL 0 1 '"'"'workload'"'"' 25 0", v, " ") }
		{ out = ""; s = $0
		  while ((i = index(s, "?")) > 0) { out = out substr(s, 1, i - 1) v[++n]; s = substr(s, i + 1) }
		  print out s }'
}
for st in STMT_LCM_PAGE STMT_LCM_COUNT; do
	if sql=$(sqlgen "$st"); then
		lit=$(printf '%s' "$sql" | bind_literals)
		echo
		echo "  EXPLAIN $st (role any, search '', available, sort=workload, per_page 25, page 1):"
		echo "  $lit" | fold -w 110 -s | sed '2,$ s/^/    /'
		mariadb --no-defaults --socket="$DB_SOCK" -uroot -t lcm -e "EXPLAIN $lit" | sed 's/^/  /'
	else
		echo "  could not extract $st from lib/db/sql.c: $(head -c 300 "$BTMP/sql_$st.err")"
	fi
done

if [ "$GROWTH" = 1 ]; then
	section "growth at 100,000 case loads"
	growth_at 100k 100000
fi

section "patients: the list, the summary and the export at 100,000 patients (seed-gaps.sql)"
mariadb --no-defaults --socket="$DB_SOCK" -uroot lcm <"$BENCH/seed-gaps.sql" || die "seed-gaps.sql failed"
echo "  $(db_sql 'SELECT COUNT(*), SUM(olcm_user_id IS NULL), SUM(has_case_load = 0) FROM patient_index' |
	awk '{ printf "%d patients, %d without an oLCM, %d without a case load", $1, $2, $3 }')"
# median5 NAME PATH: six GETs, the median of the last five into MED[NAME].
declare -A MED
median5() {
	local name=$1 path=$2 i code t times=()
	for i in 1 2 3 4 5 6; do
		read -r code t < <(curl -s -o "$BTMP/$name.json" -w '%{http_code} %{time_total}\n' "${H[@]}" "$BASE$API/$path")
		[ "$code" = 200 ] || die "$path answered $code: $(head -c 300 "$BTMP/$name.json")"
		times+=("$t")
	done
	MED[$name]=$(printf '%s\n' "${times[@]:1}" | sort -n | sed -n 3p)
	printf '  %-44s %s s (median of 5; first %s s), %s\n' "$path" "${MED[$name]}" "${times[0]}" \
		"$(jq -c 'if .pagination then "total_count \(.pagination.total_count)" else . end' "$BTMP/$name.json")"
}
median5 unassigned 'patients?unassigned=olcm'
median5 unassigned10 'patients?unassigned=olcm&page=10'
median5 holder 'patients?lcm_user_id=150'
median5 combined 'patients?unassigned=ilcm&provider_id=8'
median5 all 'patients'
median5 search 'patients?search=Patient%2099'
median5 summary 'patients/summary'
# Placeholders of the filter (SQL_PATIENT_PARAMS): search, provider, lcm, unassigned,
# held_by_inactive, assigned, acuity, authorization, ends within, member id, the day;
# then LIMIT, OFFSET. (The summary binds the day twice.)
explain_patients() {
	local st=$1 what=$2 values=$3 sql lit
	sql=$(sqlgen "$st") || { echo "  could not extract $st from lib/db/sql.c"; return; }
	lit=$(printf '%s' "$sql" | awk -v vals="$values" 'BEGIN { split(vals, v, " ") }
		{ out = ""; s = $0
		  while ((i = index(s, "?")) > 0) { out = out substr(s, 1, i - 1) v[++n]; s = substr(s, i + 1) }
		  print out s }')
	echo
	echo "  EXPLAIN $st ($what):"
	mariadb --no-defaults --socket="$DB_SOCK" -uroot -t lcm -e "EXPLAIN $lit" | sed 's/^/  /'
}
N6="NULL NULL NULL NULL NULL UTC_DATE()"  # no member's filter, and the day
explain_patients STMT_PATIENT_COUNT "unassigned=olcm" "NULL NULL NULL 'olcm' NULL $N6"
explain_patients STMT_PATIENT_PAGE "unassigned=olcm, page 10" "NULL NULL NULL 'olcm' NULL $N6 25 225"
explain_patients STMT_PATIENT_COUNT "lcm_user_id=150" "NULL NULL 150 NULL NULL $N6"
explain_patients STMT_PATIENT_PAGE "lcm_user_id=150, page 1" "NULL NULL 150 NULL NULL $N6 25 0"
explain_patients STMT_PATIENT_PAGE "held_by_inactive=true, page 1" "NULL NULL NULL NULL 1 $N6 25 0"
explain_patients STMT_PATIENT_SUMMARY "the summary" "UTC_DATE() UTC_DATE()"

# The export of every assignment, while the workers' memory is sampled.
echo
before=$(ps --ppid "$(cat "$HVAR/run/workers.pid")" -o rss= | sort -n | tail -1)
( while :; do ps --ppid "$(cat "$HVAR/run/workers.pid")" -o rss= | sort -n | tail -1; sleep 0.05; done ) >"$BTMP/rss" &
sampler=$!
read -r ecode etime esize < <(curl -s -o "$BTMP/all.csv" -w '%{http_code} %{time_total} %{size_download}\n' "${H[@]}" \
	"$BASE$API/lead_care_managers/assignments.csv")
kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null
peak=$(sort -n "$BTMP/rss" | tail -1)
EXPORT_TIME=$etime
# The end line counts the rows; an export without it was cut short.
erows=$(sed -n '$s/^#end,\([0-9]*\).*/\1 rows/p' "$BTMP/all.csv")
echo "  assignments.csv: HTTP $ecode in ${etime}s, $(awk -v b="$esize" 'BEGIN { printf "%.1f MB", b / 1e6 }'), ${erows:-CUT SHORT (no end line)}"
echo "  largest worker RSS: $((before / 1024)) MiB before, $((peak / 1024)) MiB at most during the export (sampled every 50 ms)"
PAT_LINE="patients at 100,000: unassigned=olcm ${MED[unassigned]}s (page 10 ${MED[unassigned10]}s), lcm_user_id ${MED[holder]}s, summary ${MED[summary]}s; export ${EXPORT_TIME}s, worker RSS $((before / 1024)) -> $((peak / 1024)) MiB"

if [ "$GROWTH" = 1 ]; then
	section "growth at 1,000,000 case loads (seed-1m.sql)"
	t0=$(date +%s.%N)
	mariadb --no-defaults --socket="$DB_SOCK" -uroot lcm <"$BENCH/seed-1m.sql" || die "seed-1m.sql failed"
	t1=$(date +%s.%N)
	echo "  seed-1m.sql in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", b - a }')s"
	growth_at 1M 1001000
fi

section "memory after load"
workers_rss
pid_rss "nginx master" "$(cat "$HVAR/run/nginx.pid")"

harness_stop  # free the cores and memory for the peer
Q_SOCK= CPU_PIDS=

# --- the peer ---------------------------------------------------------------

if [ "${BENCH_PEER:-1}" != 0 ] && [ -f "$PEER_SRC/up.sh" ]; then
	section "PHP-FPM peer ($(cd "$PEER_SRC" && pwd))"
	chmod 711 "$BTMP"  # the peer's nginx workers do not run as root: let them reach its socket
	PEER_DIR=$BTMP/peer
	PEER_PORT=$(harness_free_port)
	PEER=http://127.0.0.1:$PEER_PORT
	export PEER_DIR PEER_PORT
	PEER_UP=1
	t0=$(date +%s.%N)
	if bash "$PEER_SRC/up.sh" >"$BTMP/peer-up.log" 2>&1 &&
		[ "$(code_of -H "X-User-Token: $TOKEN" "$PEER/peer/patients/1/lead_care_managers")" = 200 ]; then
		t1=$(date +%s.%N)
		Q_SOCK=$PEER_DIR/mysql.sock
		CPU_PIDS="$(cat "$PEER_DIR/mysqld.pid") $(cat "$PEER_DIR/php-fpm.pid") $(cat "$PEER_DIR/nginx.pid")"
		echo "  up on $PEER in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')s (dir $PEER_DIR)"
		wrk_run peer-get "$PEER" "$BENCH/get.lua" /peer /peer/assign
		wrk_run peer-post "$PEER" "$BENCH/post.lua" /peer /peer/assign
		wrk_run peer-post-seeded "$PEER" "$BENCH/seeded.lua" /peer /peer/assign "$BENCH/post.lua"
		# The same assign doing the contract's work (users checked, case load
		# locked, activity rows, the answer read back), when the peer has it.
		if [ "$(code_of -H "X-User-Token: $TOKEN" -H 'Content-Type: application/json' \
			-d '{"patient_id":1,"olcm_user_id":101}' "$PEER/peer/assign_audited")" = 200 ]; then
			wrk_run peer-audited "$PEER" "$BENCH/post.lua" /peer /peer/assign_audited
			wrk_run peer-audited-seeded "$PEER" "$BENCH/seeded.lua" /peer /peer/assign_audited \
				"$BENCH/post.lua"
		else
			echo "  the peer has no /peer/assign_audited: only the bare upsert is compared"
		fi
		Q_SOCK= CPU_PIDS=
		wrk_run static "$PEER/static" "" /peer /peer/assign
		children_rss "php-fpm children after load" "$(cat "$PEER_DIR/php-fpm.pid")"
		pid_rss "peer mariadbd" "$(cat "$PEER_DIR/mysqld.pid")"
	else
		echo "  the peer did not come up; its log:"
		tail -n 15 "$BTMP/peer-up.log" | sed 's/^/    /'
	fi
	peer_down
	echo "  peer down"
else
	section "PHP-FPM peer: skipped ($PEER_SRC/up.sh not found or BENCH_PEER=0)"
fi

# --- the table ----------------------------------------------------------------

section "comparison (req/s; latency p50 / p99; non-2xx/3xx responses; SQL statements per request; CPU µs per request of the whole stack but wrk)"
row() {
	local name=$1 a=$2 b=${3:-}
	local ratio=-
	[ -n "$b" ] && [ -n "${R_RPS[$b]:-}" ] && [ -n "${R_RPS[$a]:-}" ] &&
		ratio=$(awk -v x="${R_RPS[$a]}" -v y="${R_RPS[$b]}" 'BEGIN { printf "%.2fx", x / y }')
	printf '  %-22s | %9s %9s %9s %7s %4s %6s | %9s %9s %9s %7s %4s %6s | %7s\n' "$name" \
		"${R_RPS[$a]:--}" "${R_P50[$a]:--}" "${R_P99[$a]:--}" "${R_BAD[$a]:--}" "${R_Q[$a]:--}" "${R_CPU[$a]:--}" \
		"${b:+${R_RPS[$b]:--}}" "${b:+${R_P50[$b]:--}}" "${b:+${R_P99[$b]:--}}" "${b:+${R_BAD[$b]:--}}" \
		"${b:+${R_Q[$b]:--}}" "${b:+${R_CPU[$b]:--}}" "$ratio"
}
printf '  %-22s | %9s %9s %9s %7s %4s %6s | %9s %9s %9s %7s %4s %6s | %7s\n' "" "ours" "p50" "p99" "non-2xx" "SQL" "CPUus" \
	"peer" "p50" "p99" "non-2xx" "SQL" "CPUus" "ours/peer"
row "care-team read (GET)" ours-get peer-get
row "single assign (POST)" ours-post peer-post
row "  ... vs same work" ours-post peer-audited
row "  ... threads seeded" ours-post-seeded peer-post-seeded
row "  ... seeded same work" ours-post-seeded peer-audited-seeded
row "our /healthz" ours-healthz
row "  GET, access log off" ours-get-nolog
row "  GET, log on again" ours-get-log2
if [ -n "${R_RPS[static]:-}" ]; then
	printf '  %-22s | %9s %9s %9s %7s %4s |\n' "nginx /static ceiling" \
		"${R_RPS[static]}" "${R_P50[static]}" "${R_P99[static]}" "${R_BAD[static]}" "-"
fi
row "list (per_page 25)" ours-list
row "  ... search" ours-list-search
row "  ... sort=workload" ours-list-workload
row "patients unassigned" ours-patients-unassigned
echo "  bulk_assign 1000 items: ${BULK_TIME}s; list per_page=100 at 100,000 case loads: ${LIST_MED}s (median of 5)"
echo "  transfer of 1000 patients across 5 users: ${TRANSFER_TIME:-?}s; auto-assign of 1000: ${AUTO_TIME:-?}s"
echo "  ${PAT_LINE:-patients: not measured}"
echo "  the PHI access log costs the care-team read ${ACCESS_COST:-?} (with it vs without it, same run)"
if [ -n "$GROWTH_SIZES" ]; then
	echo
	echo "  growth (wrk -d$GROWTH_DURATION, $CONNS connections; req/s and p99 at each number of case loads):"
	printf '  %-22s' ""
	for s in $GROWTH_SIZES; do printf ' | %18s' "$s"; done
	printf ' | %s\n' "last/first"
	for what in read assign list; do
		printf '  %-22s' "$what"
		first= last=
		for s in $GROWTH_SIZES; do
			printf ' | %9s %8s' "${R_RPS[g$s-$what]:--}" "${R_P99[g$s-$what]:--}"
			[ -z "$first" ] && first=${R_RPS[g$s-$what]:-}
			last=${R_RPS[g$s-$what]:-}
		done
		awk -v a="$first" -v b="$last" 'BEGIN { if (a > 0) printf " | %.2f\n", b / a; else print " | -" }'
	done
	for st in $GROWTH_PLANS; do
		first= changed=
		for s in $GROWTH_SIZES; do
			[ -z "$first" ] && first=${GPLAN[$s:$st]}
			[ "${GPLAN[$s:$st]}" != "$first" ] && changed="$changed $s"
		done
		if [ -z "$changed" ]; then
			echo "  plan of $st: the same at every size ($first)"
		else
			echo "  plan of $st CHANGES:"
			for s in $GROWTH_SIZES; do echo "    $s: ${GPLAN[$s:$st]}"; done
		fi
	done
fi
echo "  differences not of the code: our nginx writes an access log and runs 2 workers; the peer's logs"
echo "  nothing and runs 1. Our POST writes an audit row per change and answers with the case load;"
echo "  a POST that changes nothing writes nothing (the peer's upsert always writes). post.lua as it is"
echo "  repeats its patients across wrk's two threads and replays the warm-up: see the changed counts."
echo "  load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "bench: done in $((SECONDS - START))s"
