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
	wait_back GET $P/patients/123/lead_care_managers
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
	# Whatever happened, the answer is per item: each applied item says so,
	# each that was not says to send it again, and one whose COMMIT was lost
	# for good says it may have been applied.
	expect_eq "status ($(head -c 300 "$T_TMP/bulk.out"))" 200 "$status"
	expect_eq "results" 1000 "$(jq '.results | length' "$T_TMP/bulk.out")"
	local ok unknown
	ok=$(jq .successful_count "$T_TMP/bulk.out")
	unknown=$(jq '[.results[] | select(.status == "failed" and (.errors[0] | test("may or may not")))] | length' "$T_TMP/bulk.out")
	[ "$applied" -ge "$ok" ] && [ "$applied" -le $((ok + unknown)) ] ||
		fail "activity rows $applied for $ok items said applied and $unknown unknown"
	expect_eq "failed items that say why" "$((1000 - ok - unknown))" \
		"$(jq '[.results[] | select(.status == "failed" and (.errors[0] | test("send it again|try again")))] | length' "$T_TMP/bulk.out")"
	if [ "$ok" = 1000 ]; then
		expect_eq "final oLCM" 102 "$(db_sql 'SELECT olcm_user_id FROM case_loads WHERE patient_id = 123')"
	fi
	expect_trail_consistent 123 olcm
}

test_row_locked_too_long_is_503_not_a_long_wait() {
	req POST /v1/admin/clinic/ecm/lead_care_managers/assign '{"patient_id":123,"olcm_user_id":101}'
	expect_status 200
	# Another session holds patient 123's case load for longer than the lock wait.
	hold_case_load 123
	req POST /v1/admin/clinic/ecm/lead_care_managers/assign '{"patient_id":123,"olcm_user_id":102}'
	expect_error 503
	expect_header retry-after 5
	req POST /v1/admin/clinic/ecm/lead_care_managers/bulk_assign \
		'{"assignments":[{"patient_id":123,"olcm_user_id":103},{"patient_id":124,"olcm_user_id":101}]}'
	expect_status 200
	expect_json '[.results[].status]' '["failed","success"]'
	expect_json '.results[0].errors[0] | test("try again")' true
	release_holder
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

# A worker (re)started against a schema that differs from its release's
# migrations but that every statement still prepares against serves, as a
# rolling upgrade needs, and says how the schema differs; check says the
# same and exits 1. (Regression: it said nothing, and the README said it
# would refuse.)
test_a_worker_serves_with_migrations_pending_or_unknown_and_says_so() {
	local last lastname saved from out rc workers said
	workers=$(awk -F' *= *' '$1 == "workers" {print $2}' "$HVAR/lcm.conf")
	# The newest migration recorded as not applied (its change is there, so
	# the statements prepare: as a release behind would find the schema
	# after a migration that only adds), and one from a release ahead.
	last=$(db_sql "SELECT MAX(version) FROM schema_migrations")
	saved=$(db_sql "SELECT CONCAT_WS(',', version, QUOTE(name), QUOTE(sha256), QUOTE(applied_at))
		FROM schema_migrations WHERE version = $last")
	lastname=$(db_sql "SELECT name FROM schema_migrations WHERE version = $last")
	db_sql "DELETE FROM schema_migrations WHERE version = $last;
		INSERT INTO schema_migrations (version, name, sha256) VALUES (999, '999_from_a_newer_release.sql', REPEAT('0', 64))"
	from=$(stat -c %s "$HVAR/log/workers.log")
	harness_fresh_workers || fail "the workers did not start against the schema"
	req GET $P/patients/123/lead_care_managers
	said=$(tail -c +$((from + 1)) "$HVAR/log/workers.log")
	out=$("$LCM_ADMIN" --config "$HVAR/lcm.conf" check 2>&1)
	rc=$?
	db_sql "DELETE FROM schema_migrations WHERE version = 999;
		INSERT INTO schema_migrations (version, name, sha256, applied_at) VALUES ($saved)"
	expect_status 200
	expect_eq "workers that said the pending migration" "$workers" \
		"$(grep -c "warn .*schema: $lastname is not applied" <<<"$said")"
	expect_eq "workers that said the unknown one" "$workers" \
		"$(grep -c 'warn .*schema: migration 999 (999_from_a_newer_release.sql) is applied but unknown to this release' <<<"$said")"
	expect_eq "workers that said they serve all the same" "$workers" \
		"$(grep -c 'warn .*schema: 1 migrations pending, 1 unknown to this release, 0 changed; serving: every statement prepares' <<<"$said")"
	expect_eq "workers ready" "$workers" "$(grep -c 'worker ready' <<<"$said")"
	expect_eq "check exit ($out)" 1 "$rc"
	expect_eq "check names the pending one" 1 "$(grep -c "$lastname is not applied" <<<"$out")"
	expect_eq "check names the unknown one" 1 "$(grep -c 'migration 999 (999_from_a_newer_release.sql) is applied but unknown' <<<"$out")"
	expect_eq "check says the statements prepare" 1 "$(grep -c '^statements: [0-9]* prepared, each matching its signature' <<<"$out")"
	expect_eq "check says the workers serve" 1 "$(grep -c 'the workers serve with this schema' <<<"$out")"
	out=$("$LCM_ADMIN" --config "$HVAR/lcm.conf" check 2>&1)
	expect_eq "check passes again ($out)" 0 $?
}

# A worker that starts while the database is down serves 503s, and
# compares the schema once it has connected.
test_a_worker_started_while_the_database_is_down_compares_the_schema_once_back() {
	local pid port=${BASE##*:} from old p n new workers
	workers=$(awk -F' *= *' '$1 == "workers" {print $2}' "$HVAR/lcm.conf")
	pid=$(cat "$HVAR/run/mysqld.pid")
	kill -TERM "$pid"
	for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
	from=$(stat -c %s "$HVAR/log/workers.log")
	old=$(worker_pids)
	kill -TERM $old
	# multiwatch starts new ones, which find no database.
	for _ in $(seq 1 600); do
		n=$(tail -c +$((from + 1)) "$HVAR/log/workers.log" | grep -c 'the database is not reachable yet')
		[ "$n" -ge "$workers" ] && break
		sleep 0.05
	done
	expect_eq "new workers that found no database" "$workers" "$n"
	new=$(worker_pids)
	LCM_VAR=$HVAR LCM_PORT=$port LCM_QUIET=1 bash "$HARNESS_ROOT/deploy/stack.sh" start ||
		fail "stack did not come back"
	# Enough reads that every worker has connected.
	wait_back GET $P/patients/123/lead_care_managers
	for _ in $(seq 1 300); do
		n=0
		for p in $new; do
			tail -c +$((from + 1)) "$HVAR/log/workers.log" |
				grep -q "\[$p\] schema: up to date with this release's" && n=$((n + 1))
		done
		[ "$n" = "$workers" ] && break
		curl -s -o /dev/null -H 'X-User-Token: dev-admin-token' "$BASE$P/patients/123/lead_care_managers" &
		curl -s -o /dev/null -H 'X-User-Token: dev-admin-token' "$BASE$P/patients/123/lead_care_managers"
		wait
	done
	expect_eq "workers that compared the schema once connected" "$workers" "$n"
	expect_eq "the same workers" "$new" "$(worker_pids)"
}

# The database stops answering (SIGSTOP: a hung server, a stalled disk):
# nobody waits for it longer than the bounds, and it is all well once it
# answers again, with the same workers.
test_a_frozen_database_is_503_within_seconds_then_back() {
	local pid t0 ms pids frozen
	pid=$(cat "$HVAR/run/mysqld.pid")
	pids=$(worker_pids)
	req POST $P/lead_care_managers/assign '{"patient_id":123,"olcm_user_id":101}'
	expect_status 200
	frozen=$(app_sessions)
	kill -STOP "$pid"
	TOKEN=""
	t0=$(date +%s%N)
	req GET /healthz
	ms=$((($(date +%s%N) - t0) / 1000000))
	expect_error 503
	expect_header retry-after 5
	[ "$ms" -le 2500 ] || fail "/healthz took $ms ms of a frozen database (bound: 2 s)"
	TOKEN=dev-admin-token
	t0=$(date +%s%N)
	req GET $P/patients/123/lead_care_managers
	ms=$((($(date +%s%N) - t0) / 1000000))
	expect_error 503
	expect_header retry-after 5
	[ "$ms" -le 6000 ] || fail "a read took $ms ms of a frozen database (bound: 3 s and a reconnect)"
	t0=$(date +%s%N)
	req POST $P/lead_care_managers/assign '{"patient_id":123,"olcm_user_id":102}'
	ms=$((($(date +%s%N) - t0) / 1000000))
	expect_error 503
	expect_header retry-after 5
	[ "$ms" -le 8000 ] || fail "a write took $ms ms of a frozen database (bound: 3 s and two reconnects)"
	local said=$BODY rid
	rid=$(request_id)
	[ -n "$rid" ] || fail "the 503 carried no X-Request-Id"
	kill -CONT "$pid"
	req GET /healthz
	expect_status 200
	wait_back GET $P/patients/123/lead_care_managers
	wait_back POST $P/lead_care_managers/assign '{"patient_id":123,"olcm_user_id":103}'
	expect_eq "the same workers" "$pids" "$(worker_pids)"
	expect_trail_consistent 123 olcm
	# A 503 that says "try again" was not applied, even once the server
	# ran what it had queued: every session of the frozen time has ended
	# (the workers are replaced, so each of their sessions ends), and
	# the write is not in the trail.
	all_records_written
	wait_sessions_gone "$frozen" || fail "sessions of the frozen time still open"
	if ! grep -q 'may or may not' <<<"$said"; then
		expect_eq "changes by the write said not applied ($rid)" 0 \
			"$(db_sql "SELECT COUNT(*) FROM patient_activities WHERE request_id = '$rid'")"
	fi
}

# Writes in a stream while the server shuts down: an answer that says a
# write was not applied is true (the campaign saw a 503 for a COMMIT that
# had happened); one whose COMMIT was lost for good says so.
test_writes_while_the_server_shuts_down_answer_what_happened() {
	local pid port=${BASE##*:} i rid st bad=0 n503=0
	pid=$(cat "$HVAR/run/mysqld.pid")
	(
		for i in $(seq 1 150); do
			curl -s -D "$T_TMP/sd.h.$i" -o "$T_TMP/sd.b.$i" -X POST -H 'X-User-Token: dev-admin-token' \
				-H 'Content-Type: application/json' \
				--data "{\"patient_id\":$((123 + i % 3)),\"olcm_user_id\":$((101 + i % 2)),\"ilcm_user_id\":$((102 + i % 2))}" \
				"$BASE$P/lead_care_managers/assign"
		done
	) &
	local c=$!
	# Once the stream has begun.
	for _ in $(seq 1 300); do [ -s "$T_TMP/sd.b.3" ] && break; sleep 0.05; done
	kill -TERM "$pid"
	wait $c
	for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
	LCM_VAR=$HVAR LCM_PORT=$port LCM_QUIET=1 bash "$HARNESS_ROOT/deploy/stack.sh" start ||
		fail "stack did not come back"
	for i in $(seq 1 150); do
		st=$(awk 'NR == 1 {print $2}' "$T_TMP/sd.h.$i")
		rid=$(tr -d '\r' <"$T_TMP/sd.h.$i" | awk -F': ' 'tolower($1) == "x-request-id" {print $2}')
		[ "$st" = 503 ] || continue
		n503=$((n503 + 1))
		grep -q 'may or may not' "$T_TMP/sd.b.$i" && continue
		if [ "$(db_sql "SELECT COUNT(*) FROM patient_activities WHERE request_id = '$rid'")" != 0 ]; then
			bad=$((bad + 1))
			echo "    request $i ($rid) was answered $(cat "$T_TMP/sd.b.$i") and applied" >&2
		fi
	done
	expect_eq "503s that said 'not applied' for an applied write" 0 "$bad"
	[ "$n503" -gt 0 ] || fail "no write met the shutdown"
	expect_eq "changes applied twice" 0 "$(db_sql "SELECT COUNT(*) FROM (SELECT request_id, role FROM patient_activities GROUP BY request_id, role HAVING COUNT(*) > 1) d")"
}

# The same stream, each write with an Idempotency-Key, then each sent again
# with its key once the server is back. Whatever a first answer was, its
# write was applied at most once (it commits with its answer, a COMMIT lost
# on the wire settled by the claim's row), and the retry of one that was
# applied is its first answer, replayed; of one that was not, a run.
test_keyed_writes_while_the_server_shuts_down_are_applied_once() {
	local pid port=${BASE##*:} i st rid st2 rid2 a1 a2 twice=0 n503=0 unkept=0
	pid=$(cat "$HVAR/run/mysqld.pid")
	(
		for i in $(seq 1 150); do
			curl -s -D "$T_TMP/ks.h.$i" -o "$T_TMP/ks.b.$i" -X POST -H 'X-User-Token: dev-admin-token' \
				-H "Idempotency-Key: shutdown-$i" -H 'Content-Type: application/json' \
				--data "{\"patient_id\":$((123 + i % 3)),\"olcm_user_id\":$((101 + i % 2))}" \
				"$BASE$P/lead_care_managers/assign"
		done
	) &
	local c=$!
	for _ in $(seq 1 300); do [ -s "$T_TMP/ks.b.3" ] && break; sleep 0.05; done
	kill -TERM "$pid"
	wait $c
	for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
	LCM_VAR=$HVAR LCM_PORT=$port LCM_QUIET=1 bash "$HARNESS_ROOT/deploy/stack.sh" start ||
		fail "stack did not come back"
	wait_back GET $P/patients/123/lead_care_managers
	for i in $(seq 1 150); do
		st=$(awk 'NR == 1 {print $2}' "$T_TMP/ks.h.$i")
		rid=$(tr -d '\r' <"$T_TMP/ks.h.$i" | awk -F': ' 'tolower($1) == "x-request-id" {print $2}')
		[ "$st" = 503 ] && n503=$((n503 + 1))
		# A claim a 503 could not let go while the server was away goes
		# once it is back (the worker tries every second), and any claim is
		# taken over once it is 90 s old: 409 until one of them.
		local until=$((SECONDS + 95))
		while :; do
			send $P/lead_care_managers/assign -X POST -H "Idempotency-Key: shutdown-$i" \
				-H 'Content-Type: application/json' \
				--data-binary "{\"patient_id\":$((123 + i % 3)),\"olcm_user_id\":$((101 + i % 2))}"
			[ "$STATUS" = 409 ] && [ "$SECONDS" -lt "$until" ] || break
			sleep 0.1
		done
		st2=$STATUS
		rid2=$(request_id)
		a1=$(db_sql "SELECT COUNT(*) FROM patient_activities WHERE request_id = '$rid'")
		a2=$(db_sql "SELECT COUNT(*) FROM patient_activities WHERE request_id = '$rid2'")
		if [ "$a1" != 0 ] && [ "$a2" != 0 ]; then
			twice=$((twice + 1))
			echo "    write $i applied by its first request ($st) and by its retry ($st2)" >&2
		fi
		[ "$st2" = 200 ] || fail "write $i: the retry answered $st2: $BODY"
		if [ "$st" = 200 ]; then
			[ "$(header idempotent-replayed)" = true ] && [ "$BODY" = "$(cat "$T_TMP/ks.b.$i")" ] ||
				{ unkept=$((unkept + 1)); echo "    write $i: 200, then a retry that is no replay: $BODY" >&2; }
		fi
	done
	expect_eq "writes applied twice" 0 "$twice"
	expect_eq "200s whose retry was no replay" 0 "$unkept"
	[ "$n503" -gt 0 ] || fail "no write met the shutdown"
}

# Regression: a batch of PHI access-log records the server took while
# frozen, and ran once it was back, after the worker had given up on it and
# kept the records: the worker sent them again, and one read had two records.
test_an_access_log_batch_sent_again_after_a_freeze_is_written_once() {
	local pid id from sessions try workers
	pid=$(cat "$HVAR/run/mysqld.pid")
	# A read, its record held by a worker that has not written it yet
	# (workers write a record once it is a second old): the workers are
	# frozen at once, and the read tried again should one have written it.
	for try in 1 2 3 4 5; do
		req GET $P/patients/124/lead_care_managers
		expect_status 200
		id=$(request_id)
		workers=$(worker_pids)
		kill -STOP $workers
		[ "$(db_sql "SELECT COUNT(*) FROM phi_access_log WHERE request_id = '$id'")" = 0 ] && break
		kill -CONT $workers
	done
	sessions=$(app_sessions)
	from=$(stat -c %s "$HVAR/log/workers.log")
	kill -STOP "$pid"
	kill -CONT $workers
	# The worker sends its batch to the frozen server and gives up on it
	# after its read timeout (3 s), keeping the record.
	for _ in $(seq 1 600); do
		tail -c +$((from + 1)) "$HVAR/log/workers.log" | grep -q 'access: 1 records not written yet' &&
			break
		sleep 0.05
	done
	kill -CONT "$pid"
	tail -c +$((from + 1)) "$HVAR/log/workers.log" | grep -q 'access: 1 records not written yet' ||
		fail "the worker never gave up on its batch"
	# The server now runs the batch it had taken; the worker writes what it
	# still holds as it stops.
	all_records_written
	wait_sessions_gone "$sessions" || fail "sessions of the frozen time still open"
	expect_eq "records of the one read ($id)" 1 \
		"$(db_sql "SELECT COUNT(*) FROM phi_access_log WHERE request_id = '$id'")"
}
