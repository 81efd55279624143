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
# sent in the background while another session holds 123's case load for
# HOLD seconds, so that it is surely in flight for that long. bulk_wait
# collects it.
bulk_start() {
	local hold=$1
	jq -nc '{assignments: [range(0; 1000) | {patient_id: 123, olcm_user_id: (101 + (. % 2))}]}' \
		>"$T_TMP/bulk.json"
	db_sql "START TRANSACTION; SELECT id FROM case_loads WHERE patient_id = 123 FOR UPDATE;
		SELECT SLEEP($hold); ROLLBACK" >/dev/null &
	BULK_HOLDER=$!
	sleep 0.2
	curl -s -o "$T_TMP/bulk.out" -w '%{http_code}' -X POST -H 'X-User-Token: dev-admin-token' \
		-H 'Content-Type: application/json' --data-binary @"$T_TMP/bulk.json" \
		"$BASE$P/lead_care_managers/bulk_assign" >"$T_TMP/bulk.status" &
	BULK_CURL=$!
	sleep 0.4
}

# The bulk was answered 200, every item applied and said so, once.
expect_bulk_whole() {
	wait "$BULK_CURL"
	wait "$BULK_HOLDER"
	expect_eq "bulk status ($(head -c 200 "$T_TMP/bulk.out"))" 200 "$(cat "$T_TMP/bulk.status")"
	expect_eq "successful items" 1000 "$(jq .successful_count "$T_TMP/bulk.out")"
	expect_eq "results that say success" 1000 "$(jq '[.results[] | select(.status == "success")] | length' "$T_TMP/bulk.out")"
	expect_eq "activity rows" 1000 "$(db_sql 'SELECT COUNT(*) FROM patient_activities')"
	expect_eq "final oLCM" 102 "$(db_sql 'SELECT olcm_user_id FROM case_loads WHERE patient_id = 123')"
}

test_stopping_the_pool_lets_a_bulk_in_flight_finish() {
	local port=${BASE##*:} mw pids p left= said
	mw=$(cat "$HVAR/run/workers.pid")
	pids=$(pool_workers)
	# (Earlier files of the suite may have stopped workers of this stack.)
	said=$(grep -c 'worker stopping' "$HVAR/log/workers.log")
	# Held for 2 s: the set-based run gives up on the lock after 1 s and the
	# items go one by one, each its own transaction, for seconds more.
	bulk_start 2
	# What make stop and systemctl stop do to the pool: TERM to multiwatch,
	# which passes a stop (QUIT) on to each worker; it waits for them.
	LCM_VAR=$HVAR LCM_QUIET=1 bash "$HARNESS_ROOT/deploy/stack.sh" stop-workers ||
		fail "stop-workers failed"
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
		# Held 0.8 s: the bulk waits for it, then applies its items at once.
		bulk_start 0.8
		kill -"$sig" $(pool_workers)
		expect_bulk_whole
		# multiwatch was not told to stop: it replaces each worker.
		expect_eq "pool after $sig" 4 "$(wait_pool 4 10)"
	done
	req GET /healthz
	expect_status 200
}

test_killed_workers_are_always_replaced() {
	local i before
	before=$(grep -cE 'Child\[[0-9]+\] died, respawn|Spawning child\[[0-9]+\] failed, next try' "$HVAR/log/pool.log")
	expect_eq "pool at the start" 4 "$(wait_pool 4 10)"
	# multiwatch's default gave a slot up after three quick deaths, and
	# exited silently once every slot was given up.
	for i in 1 2 3 4 5 6; do
		kill -KILL $(pool_workers)
		sleep 0.5
	done
	expect_eq "pool after six rounds of kill -9" 4 "$(wait_pool 4 10)"
	expect_eq "replacements logged" $((before + 24)) \
		"$(grep -cE 'Child\[[0-9]+\] died, respawn|Spawning child\[[0-9]+\] failed, next try' "$HVAR/log/pool.log")"
	grep -q 'not forking again' "$HVAR/log/pool.log" && fail "multiwatch gave a slot up"
	req GET /healthz
	expect_status 200
	req GET $P/patients/123/lead_care_managers
	expect_status 200
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
	sleep 0.5
	logged_request
	[ -f "$log" ] || fail "no new workers.log after reopen-logs"
	expect_eq "workers that reopened the log" 4 "$(grep -c 'log reopened' "$log" 2>/dev/null)"
	expect_eq "the request's line is in the new log" 1 "$(grep -c "$(request_id)" "$log" 2>/dev/null)"
	expect_eq "the request's line is not in the old log" 0 "$(grep -c "$(request_id)" "$log.1")"
	# HUP sent to the workers themselves: the same, and none of them stops.
	mv "$log" "$log.2"
	kill -HUP $(pool_workers)
	sleep 0.5
	logged_request
	expect_eq "workers that reopened the log on HUP" 4 "$(grep -c 'log reopened' "$log" 2>/dev/null)"
	expect_eq "the request's line is in the newest log" 1 "$(grep -c "$(request_id)" "$log" 2>/dev/null)"
	expect_eq "the same workers (HUP stopped none)" "$pids" "$(pool_workers | sort | tr '\n' ' ')"
}
