# Shared by tests/load/soak.sh and tests/load/faults.sh: a private stack
# (tests/lib/harness.sh) seeded with tests/bench/seed.sql, the mixed load
# (mixed.lua) under wrk, and the checks that the database kept every write
# once. Source after harness.sh, with LOAD_TMP set.

LOAD_API=/v1/admin/clinic/ecm
LOAD_TOKEN=admintoken
LOAD_FAILS=0

# verdict OK|FAIL WHAT: print a criterion's outcome; FAIL counts.
verdict() {
	local v=$1
	shift
	if [ "$v" = OK ]; then
		printf '  ok      %s\n' "$*"
	else
		printf '  FAILED  %s\n' "$*"
		LOAD_FAILS=$((LOAD_FAILS + 1))
	fi
}

load_die() { echo "load: $*" >&2; exit 2; }

# load_stack WORKERS: start the private stack and seed it (10,000 patients,
# each with a case load; users 101..300; token admintoken).
load_stack() {
	harness_start "$1" || load_die "the stack did not start"
	mariadb --no-defaults --socket="$DB_SOCK" -uroot lcm <"$HARNESS_ROOT/tests/bench/seed.sql" ||
		load_die "seed.sql failed"
	# The workers trust tokens they checked: make them forget the demo's.
	sleep 2.1
	[ "$(curl -s -o /dev/null -w '%{http_code}' -H "X-User-Token: $LOAD_TOKEN" \
		"$BASE$LOAD_API/patients/1/lead_care_managers")" = 200 ] || load_die "the seeded stack does not answer"
	echo "  stack: $BASE, $1 workers, $(db_sql 'SELECT COUNT(*) FROM case_loads') case loads"
}

# load_wrk SECONDS OUT [CONNS [PASS0]]: the mixed load, in the background
# (LOAD_WRK_PID). Each run on one database needs a PASS0 of its own (mixed.lua).
load_wrk() {
	local secs=$1 out=$2 conns=${3:-64} pass0=${4:-0}
	env PREFIX="$LOAD_API" TOKEN="$LOAD_TOKEN" PATIENTS=10000 THREADS=2 PASS0="$pass0" \
		wrk -t2 -c"$conns" -d"${secs}s" --timeout 10s --latency \
		-s "$HARNESS_ROOT/tests/load/mixed.lua" "$BASE" >"$out" 2>&1 &
	LOAD_WRK_PID=$!
}

# mixed FILE NAME: a figure mixed.lua printed.
mixed() { sed -n "s/^mixed: $2 //p" "$1"; }

# The workers (children of multiwatch), sorted.
load_worker_pids() {
	pgrep -P "$(cat "$HVAR/run/workers.pid")" | sort -n | tr '\n' ' '
}

# Total RSS of the workers, KiB.
load_workers_rss() {
	ps --ppid "$(cat "$HVAR/run/workers.pid")" -o rss= | awk '{ t += $1 } END { print t + 0 }'
}

# Access log lines of the assign endpoint since line $1: "STATUS REQUEST_ID".
load_assign_log() {
	tail -n +"$(($1 + 1))" "$HVAR/log/nginx-access.log" |
		awk '$3 == "\"POST" && $4 ~ /\/lead_care_managers\/assign$/ { id = $NF; sub(/^req=/, "", id); print $6, id }'
}

# Statuses nginx logged since line $1, as "200:1234 502:3".
load_statuses_since() {
	tail -n +"$(($1 + 1))" "$HVAR/log/nginx-access.log" |
		awk -F'"' '{ split($3, a, " "); n[a[1]]++ } END { for (s in n) printf "%s:%d ", s, n[s] }'
}

load_log_lines() { wc -l <"$HVAR/log/nginx-access.log"; }

# load_integrity LABEL LOGLINE: every write nginx answered 200 since LOGLINE
# left its activity row, no write left two, every row belongs to a write
# nginx logged, and each patient's oLCM history is one unbroken chain from
# the seed to its case load.
load_integrity() {
	local label=$1 from=$2 ok200 ids missing extra dup chain ends starts unanswered
	load_assign_log "$from" >"$LOAD_TMP/assign.log"
	awk '$1 == 200 { print $2 }' "$LOAD_TMP/assign.log" | sort >"$LOAD_TMP/ok.ids"
	awk '$1 != 200 { print $2 }' "$LOAD_TMP/assign.log" | sort >"$LOAD_TMP/notok.ids"
	sort "$LOAD_TMP/all.ids" "$LOAD_TMP/ok.ids" 2>/dev/null | uniq >"$LOAD_TMP/all.ids.new"
	mv "$LOAD_TMP/all.ids.new" "$LOAD_TMP/all.ids"
	cat "$LOAD_TMP/notok.ids" >>"$LOAD_TMP/notok.all"
	db_sql "SELECT request_id FROM patient_activities" | sort >"$LOAD_TMP/db.ids"
	ok200=$(wc -l <"$LOAD_TMP/ok.ids")
	missing=$(comm -23 "$LOAD_TMP/ok.ids" <(sort -u "$LOAD_TMP/db.ids") | wc -l)
	dup=$(uniq -d "$LOAD_TMP/db.ids" | wc -l)
	# Rows of writes not answered 200 (cut off by a kill, a 499, a 5xx):
	# allowed (a write may commit and lose its answer), counted.
	unanswered=$(comm -12 <(sort -u "$LOAD_TMP/db.ids") <(sort -u "$LOAD_TMP/notok.all") | wc -l)
	extra=$(comm -23 <(sort -u "$LOAD_TMP/db.ids") <(sort -u "$LOAD_TMP/all.ids" "$LOAD_TMP/notok.all") | wc -l)
	chain=$(db_sql "SELECT COUNT(*) FROM (SELECT previous_user_id,
			LAG(new_user_id) OVER (PARTITION BY patient_id ORDER BY id) AS before_it,
			ROW_NUMBER() OVER (PARTITION BY patient_id ORDER BY id) AS n
			FROM patient_activities WHERE role = 'olcm') t
		WHERE n > 1 AND NOT (previous_user_id <=> before_it)")
	starts=$(db_sql "SELECT COUNT(*) FROM (SELECT patient_id, previous_user_id,
			ROW_NUMBER() OVER (PARTITION BY patient_id ORDER BY id) AS n
			FROM patient_activities WHERE role = 'olcm') t
		WHERE n = 1 AND NOT (previous_user_id <=> 101 + patient_id % 200)")
	ends=$(db_sql "SELECT COUNT(*) FROM case_loads c JOIN (SELECT patient_id, new_user_id,
			ROW_NUMBER() OVER (PARTITION BY patient_id ORDER BY id DESC) AS n
			FROM patient_activities WHERE role = 'olcm') t ON t.patient_id = c.patient_id AND t.n = 1
		WHERE NOT (c.olcm_user_id <=> t.new_user_id)")
	echo "  $label: $ok200 writes answered 200; activity rows in all: $(wc -l <"$LOAD_TMP/db.ids");" \
		"rows of writes not answered 200: $unanswered"
	[ "$missing" = 0 ] && verdict OK "$label: every write answered 200 is in the database" ||
		verdict FAIL "$label: $missing writes answered 200 are not in the database"
	[ "$dup" = 0 ] && verdict OK "$label: no write applied twice" ||
		verdict FAIL "$label: $dup request ids with two activity rows"
	[ "$extra" = 0 ] && verdict OK "$label: no activity row without a logged request" ||
		verdict FAIL "$label: $extra activity rows of requests nginx never logged"
	[ "$chain$starts$ends" = 000 ] && verdict OK "$label: every patient's oLCM chain runs unbroken from the seed to its case load" ||
		verdict FAIL "$label: chains broken: $chain links, $starts starts, $ends ends"
}
