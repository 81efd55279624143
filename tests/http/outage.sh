# runs last (tests/run-http.sh runs files marked so after the others): the
# database goes away and comes back; an internal failure answers a bare 500.

P=/v1/admin/clinic/ecm

test_internal_error_is_bare_500() {
	db_sql "RENAME TABLE providers TO providers_gone"
	req GET $P/patients/123/lead_care_managers
	db_sql "RENAME TABLE providers_gone TO providers"
	expect_error 500 '["Internal server error"]'
	expect_no_internals
	req GET $P/patients/123/lead_care_managers
	expect_status 200
}

test_database_down_503_then_back() {
	local pid port=${BASE##*:}
	pid=$(cat "$HVAR/run/mysqld.pid")
	kill -TERM "$pid"
	for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done

	req GET $P/patients/123/lead_care_managers
	expect_error 503
	expect_header retry-after 5
	expect_no_internals
	req POST $P/lead_care_managers/assign '{"patient_id":123,"olcm_user_id":101}'
	expect_error 503
	TOKEN=""
	req GET /healthz
	expect_error 503
	expect_header retry-after 5

	# Bad input is still answered as such while the database is down.
	req GET /v1/unknown
	expect_error 404

	LCM_VAR=$HVAR LCM_PORT=$port LCM_QUIET=1 bash "$HARNESS_ROOT/deploy/stack.sh" start ||
		fail "stack did not come back"
	req GET /healthz
	expect_status 200
	TOKEN=dev-admin-token
	req GET $P/patients/123/lead_care_managers
	expect_status 200
	expect_json .patient_name '"John Doe"'
}

test_workers_survive_a_killed_database_connection() {
	# Every server-side connection of the app user is killed: the workers
	# notice (2006/2013), reconnect and answer as if nothing happened.
	db_sql "SELECT CONCAT('KILL ', id, ';') FROM information_schema.processlist WHERE user = 'lcm_app'" |
		db_sql "$(cat)" 2>/dev/null || true
	local i ok=0
	for i in 1 2 3 4 5 6 7 8; do
		req GET /v1/admin/clinic/ecm/patients/124/lead_care_managers
		[ "$STATUS" = 200 ] && ok=$((ok + 1))
	done
	expect_eq "answers after the kill" 8 "$ok"
}

# Kill every connection of the app user, now.
kill_app_connections() {
	db_sql "SELECT CONCAT('KILL ', id, ';') FROM information_schema.processlist WHERE user = 'lcm_app'" |
		db_sql "$(cat)" 2>/dev/null || true
}

test_lost_connections_mid_bulk_apply_each_item_once() {
	local items status applied dup
	# 1000 items flipping patient 123's oLCM: each one is a real change.
	items=$(jq -nc '{assignments: [range(0; 1000) | {patient_id: 123, olcm_user_id: (101 + (. % 2))}]}')
	printf '%s' "$items" >"$T_TMP/bulk.json"
	curl -s -o "$T_TMP/bulk.out" -w '%{http_code}' -X POST -H 'X-User-Token: dev-admin-token' \
		-H 'Content-Type: application/json' --data-binary @"$T_TMP/bulk.json" \
		"$BASE/v1/admin/clinic/ecm/lead_care_managers/bulk_assign" >"$T_TMP/bulk.status" &
	local c=$! i
	for i in $(seq 1 40); do
		kill -0 $c 2>/dev/null || break
		sleep 0.1
		kill_app_connections
	done
	wait $c
	status=$(cat "$T_TMP/bulk.status")
	applied=$(db_sql "SELECT COUNT(*) FROM patient_activities")
	dup=$(db_sql "SELECT COUNT(*) FROM (SELECT request_id FROM patient_activities GROUP BY request_id HAVING COUNT(*) > 1) d")
	expect_eq "items applied twice" 0 "$dup"
	if [ "$status" = 200 ]; then
		expect_eq "successful items" 1000 "$(jq .successful_count "$T_TMP/bulk.out")"
		expect_eq "activity rows" 1000 "$applied"
		expect_eq "final oLCM" 102 "$(db_sql 'SELECT olcm_user_id FROM case_loads WHERE patient_id = 123')"
	else
		expect_eq "status when the database kept going away" 503 "$status"
	fi
	expect_trail_consistent 123 olcm
}

test_row_locked_too_long_is_503_not_a_long_wait() {
	req POST /v1/admin/clinic/ecm/lead_care_managers/assign '{"patient_id":123,"olcm_user_id":101}'
	expect_status 200
	# Another session holds patient 123's case load for longer than the lock wait.
	db_sql "START TRANSACTION; SELECT id FROM case_loads WHERE patient_id = 123 FOR UPDATE;
		SELECT SLEEP(14); ROLLBACK" >/dev/null &
	local holder=$!
	sleep 0.5
	req POST /v1/admin/clinic/ecm/lead_care_managers/assign '{"patient_id":123,"olcm_user_id":102}'
	expect_error 503
	expect_header retry-after 5
	req POST /v1/admin/clinic/ecm/lead_care_managers/bulk_assign \
		'{"assignments":[{"patient_id":123,"olcm_user_id":103},{"patient_id":124,"olcm_user_id":101}]}'
	expect_status 200
	expect_json '[.results[].status]' '["failed","success"]'
	expect_json '.results[0].errors[0] | test("try again")' true
	wait $holder
	expect_eq "123 kept its oLCM" 101 "$(db_sql 'SELECT olcm_user_id FROM case_loads WHERE patient_id = 123')"
	expect_eq "124 assigned" 101 "$(db_sql 'SELECT olcm_user_id FROM case_loads WHERE patient_id = 124')"
}

test_a_statement_that_stops_matching_stops_check_and_a_starting_worker() {
	local out rc
	# care_team reads case_loads.created_at as a DATETIME ('t'): make it text.
	db_sql "ALTER TABLE case_loads MODIFY created_at VARCHAR(40) NOT NULL"
	out=$("$LCM_ADMIN" --config "$HVAR/lcm.conf" check 2>&1)
	rc=$?
	grep -v '^log_file' "$HVAR/lcm.conf" >"$T_TMP/stderr.conf"
	local wout wrc
	wout=$(LCM_CONFIG=$T_TMP/stderr.conf "$LCM_BIN" 2>&1 </dev/null)
	wrc=$?
	db_sql "ALTER TABLE case_loads MODIFY created_at DATETIME(3) NOT NULL"
	expect_eq "check exit" 1 "$rc"
	expect_eq "check names the statement" 1 "$(grep -c 'lcm-admin: statement care_team does not match its signature' <<<"$out")"
	expect_eq "worker exit" 1 "$wrc"
	expect_eq "the worker says why" 1 "$(grep -c 'statement care_team does not match its signature' <<<"$wout")"
	out=$("$LCM_ADMIN" --config "$HVAR/lcm.conf" check 2>&1)
	expect_eq "check passes again" 0 $?
}
