# Runs last: the database goes away and comes back; an internal failure
# answers a bare 500.

P=/v1/admin/clinic/ecm

# Internals that must never reach a client.
expect_no_internals() {
	local word
	for word in SELECT FROM case_loads providers mysql mariadb /tmp .c: errno; do
		case $BODY in *"$word"*) fail "body leaks '$word': $BODY" ;; esac
	done
}

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
