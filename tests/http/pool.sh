# runs last (tests/run-http.sh runs files marked so after the others): the
# worker pool is stopped, its workers signalled and killed, its log moved.

P=/v1/admin/clinic/ecm

# The workers multiwatch keeps now, one per line.
pool_workers() {
	pgrep -P "$(cat "$HVAR/run/workers.pid")" 2>/dev/null
}

# wait_pool N SECONDS: until multiwatch runs N workers; the count at the end.
wait_pool() {
	local i n
	for i in $(seq 1 $(($2 * 10))); do
		n=$(pool_workers | wc -l)
		[ "$n" = "$1" ] && break
		sleep 0.1
	done
	echo "$n"
}

# A bulk of 1000 items that each change patient 123's oLCM (101, 102, ...),
# sent in the background while another session holds 123's case load
# (hold_case_load): returns once the bulk waits for that lock, so is in
# flight until release_holder. expect_bulk_whole collects it.
bulk_start() {
	jq -nc '{assignments: [range(0; 1000) | {patient_id: 123, olcm_user_id: (101 + (. % 2))}]}' \
		>"$T_TMP/bulk.json"
	hold_case_load 123
	curl -s -o "$T_TMP/bulk.out" -w '%{http_code}' -X POST -H 'X-User-Token: dev-admin-token' \
		-H 'Content-Type: application/json' --data-binary @"$T_TMP/bulk.json" \
		"$BASE$P/lead_care_managers/bulk_assign" >"$T_TMP/bulk.status" &
	BULK_CURL=$!
	wait_for_app_statement
}

# The bulk was answered whole: 200, a result for each of its 1000 items,
# each applied once and said so, or not applied and said to try again (an
# item whose turn at the lock came while it was held); some applied.
expect_bulk_whole() {
	local ok
	wait "$BULK_CURL"
	expect_eq "bulk status ($(head -c 200 "$T_TMP/bulk.out"))" 200 "$(cat "$T_TMP/bulk.status")"
	expect_eq "results" 1000 "$(jq '.results | length' "$T_TMP/bulk.out")"
	ok=$(jq .successful_count "$T_TMP/bulk.out")
	expect_eq "results that say success" "$ok" "$(jq '[.results[] | select(.status == "success")] | length' "$T_TMP/bulk.out")"
	expect_eq "results neither applied nor to try again" 0 \
		"$(jq '[.results[] | select(.status != "success" and (.errors[0] | test("try again") | not))] | length' "$T_TMP/bulk.out")"
	expect_eq "activity rows (one per applied item)" "$ok" "$(db_sql 'SELECT COUNT(*) FROM patient_activities')"
	[ "$ok" -gt 0 ] 2>/dev/null || fail "no item of the bulk was applied"
	expect_trail_consistent 123 olcm
	echo "    $ok of 1000 items applied" >&2
}

# wait_stop_delivered SIG PID...: until each of these processes is gone or
# has SIG pending (a worker serving a request holds it until it is answered).
wait_stop_delivered() {
	local sig=$1 bit p i left pending
	shift
	bit=$((1 << ($(kill -l "$sig") - 1)))
	for i in $(seq 1 600); do
		left=
		for p in "$@"; do
			pending=$(awk '$1 == "ShdPnd:" || $1 == "SigPnd:" {printf "0x%s|", $2}' \
				"/proc/$p/status" 2>/dev/null) || continue
			[ -n "$pending" ] || continue  # gone meanwhile
			((("${pending}0") & bit)) || left="$left $p"
		done
		[ -z "$left" ] && return 0
		sleep 0.05
	done
	fail "workers without the $sig:$left"
}

test_stopping_the_pool_lets_a_bulk_in_flight_finish() {
	local port=${BASE##*:} mw pids p left= said
	mw=$(cat "$HVAR/run/workers.pid")
	pids=$(pool_workers)
	# (Earlier files of the suite may have stopped workers of this stack.)
	said=$(grep -c 'worker stopping' "$HVAR/log/workers.log")
	bulk_start
	# What make stop and systemctl stop do to the pool: TERM to multiwatch,
	# which passes a stop (QUIT) on to each worker; it waits for them. The
	# bulk is let go once every worker has the stop (gone, or holding it
	# until its request is answered).
	LCM_VAR=$HVAR LCM_QUIET=1 bash "$HARNESS_ROOT/deploy/stack.sh" stop-workers &
	local stopper=$!
	wait_stop_delivered QUIT $pids
	release_holder
	wait "$stopper" || fail "stop-workers failed"
	expect_bulk_whole
	kill -0 "$mw" 2>/dev/null && fail "multiwatch still runs after stop-workers"
	for p in $pids; do kill -0 "$p" 2>/dev/null && left="$left $p"; done
	expect_eq "workers left" "" "$left"
	expect_eq "workers that said they stopped" 4 \
		"$(($(grep -c 'worker stopping' "$HVAR/log/workers.log") - said))"
	# While the pool is stopped nginx answers for it, in JSON.
	req GET $P/patients/123/lead_care_managers
	expect_error 502
	LCM_VAR=$HVAR LCM_PORT=$port LCM_QUIET=1 bash "$HARNESS_ROOT/deploy/stack.sh" start ||
		fail "the stack did not start again"
	req GET /healthz
	expect_status 200
}

test_each_stop_signal_lets_the_request_in_flight_finish() {
	local sig
	for sig in TERM QUIT INT USR1; do
		db_reset
		expect_eq "pool before $sig" 4 "$(wait_pool 4 10)"
		bulk_start
		kill -"$sig" $(pool_workers)
		release_holder
		expect_bulk_whole
		# multiwatch was not told to stop: it replaces each worker.
		expect_eq "pool after $sig" 4 "$(wait_pool 4 10)"
	done
	req GET /healthz
	expect_status 200
}

# The replacements multiwatch has logged so far.
replacements() {
	grep -cE 'Child\[[0-9]+\] died, respawn|Spawning child\[[0-9]+\] failed, next try' "$HVAR/log/pool.log"
}

# wait_replaced ROUND: until the pool has four workers again and the log
# the ROUND * 4 replacements since $before (60 s at most); the pool's size.
wait_replaced() {
	local i
	for i in $(seq 1 1200); do
		[ "$(replacements)" -ge $((before + $1 * 4)) ] && [ "$(pool_workers | wc -l)" = 4 ] && break
		sleep 0.05
	done
	pool_workers | wc -l
}

test_killed_workers_are_always_replaced() {
	local i before
	before=$(replacements)
	expect_eq "pool at the start" 4 "$(wait_pool 4 10)"
	# multiwatch's default gave a slot up after three quick deaths, and
	# exited silently once every slot was given up.
	for i in 1 2 3 4 5 6; do
		kill -KILL $(pool_workers)
		# Each round kills a whole pool: the four that replaced the last.
		expect_eq "pool after round $i" 4 "$(wait_replaced "$i")"
	done
	expect_eq "pool after six rounds of kill -9" 4 "$(wait_pool 4 10)"
	expect_eq "replacements logged" $((before + 24)) "$(replacements)"
	grep -q 'not forking again' "$HVAR/log/pool.log" && fail "multiwatch gave a slot up"
	req GET /healthz
	expect_status 200
	req GET $P/patients/123/lead_care_managers
	expect_status 200
}

# wait_reopened LOG: until the four workers said in LOG that they reopened it.
wait_reopened() {
	local i
	for i in $(seq 1 600); do
		[ "$(grep -c 'log reopened' "$1" 2>/dev/null)" -ge 4 ] && return 0
		sleep 0.05
	done
}

# A request whose worker logs a line: every app connection killed first,
# the worker says so (with the request id) and reconnects.
logged_request() {
	db_sql "SELECT CONCAT('KILL ', id, ';') FROM information_schema.processlist WHERE user = 'lcm_app'" |
		db_sql "$(cat)" 2>/dev/null || true
	req GET $P/patients/123/lead_care_managers
	expect_status 200
}

test_a_moved_log_is_reopened_on_reload_and_on_hup() {
	local log=$HVAR/log/workers.log pids
	pids=$(pool_workers | sort | tr '\n' ' ')
	# logrotate's move, then its postrotate (systemctl reload: USR2 to
	# multiwatch, which passes it on).
	mv "$log" "$log.1"
	LCM_VAR=$HVAR LCM_QUIET=1 bash "$HARNESS_ROOT/deploy/stack.sh" reopen-logs ||
		fail "reopen-logs failed"
	wait_reopened "$log"
	logged_request
	[ -f "$log" ] || fail "no new workers.log after reopen-logs"
	expect_eq "workers that reopened the log" 4 "$(grep -c 'log reopened' "$log" 2>/dev/null)"
	expect_eq "the request's line is in the new log" 1 "$(grep -c "$(request_id)" "$log" 2>/dev/null)"
	expect_eq "the request's line is not in the old log" 0 "$(grep -c "$(request_id)" "$log.1")"
	# HUP sent to the workers themselves: the same, and none of them stops.
	mv "$log" "$log.2"
	kill -HUP $(pool_workers)
	wait_reopened "$log"
	logged_request
	expect_eq "workers that reopened the log on HUP" 4 "$(grep -c 'log reopened' "$log" 2>/dev/null)"
	expect_eq "the request's line is in the newest log" 1 "$(grep -c "$(request_id)" "$log" 2>/dev/null)"
	expect_eq "the same workers (HUP stopped none)" "$pids" "$(pool_workers | sort | tr '\n' ' ')"
}
