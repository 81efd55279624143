# The PHI access log: every read or change of a patient's care team or
# history, with the acting user, the action, the request id and the time.
# Records reach the table within two seconds (tests wait for them).

P=/v1/admin/clinic/ecm
LCM=$P/lead_care_managers

# log_rows PATIENT: "action request_id actor" per record of the patient, oldest first
# (by time: workers write their records at different moments).
log_rows() {
	db_sql "SELECT action, request_id, actor_user_id FROM phi_access_log WHERE patient_id = $1 ORDER BY at, id"
}

# wait_for_rows PATIENT N: until the patient has N records (30 s at most).
wait_for_rows() {
	local i
	for i in $(seq 1 300); do
		[ "$(db_sql "SELECT COUNT(*) FROM phi_access_log WHERE patient_id = $1")" -ge "$2" ] && return 0
		sleep 0.1
	done
}

test_each_kind_of_access_is_recorded_with_its_request_id() {
	local want="" r
	# Each record written before the next request: a record's time is the
	# database's at its batch's INSERT less its age, which a batch held up
	# on a starved machine can put after the next request's.
	req GET $P/patients/123/lead_care_managers
	want="${want}read_care_team $(request_id) 1"$'\n'
	wait_for_rows 123 1
	req POST $LCM/assign '{"patient_id":123,"olcm_user_id":101}'
	want="${want}assign $(request_id) 1"$'\n'
	wait_for_rows 123 2
	req PUT $LCM/assign '{"patient_id":123,"olcm_user_id":102}'
	want="${want}update $(request_id) 1"$'\n'
	wait_for_rows 123 3
	req GET $P/patients/123/lead_care_managers/history
	want="${want}read_history $(request_id) 1"$'\n'
	wait_for_rows 123 4
	req DELETE $LCM/assign '{"patient_id":123,"role":"olcm"}'
	want="${want}remove $(request_id) 1"$'\n'
	wait_for_rows 123 5
	req POST $LCM/bulk_assign '{"assignments":[{"patient_id":123,"olcm_user_id":103},{"patient_id":124,"olcm_user_id":103}]}'
	want="${want}bulk $(request_id) 1"
	wait_for_rows 123 6
	expect_eq "patient 123's records" "$(printf '%s' "$want" | tr ' ' '\t')" "$(log_rows 123)"
	expect_eq "patient 124's record" "bulk	$(request_id)	1" "$(log_rows 124)"
}

test_listing_the_log_is_recorded_and_shows_itself() {
	req GET $P/patients/125/lead_care_managers
	local read_id
	read_id=$(request_id)
	req GET $P/patients/125/access_log
	expect_status 200
	expect_json '.access_log[0] | {actor, action}' '{"actor":{"id":1,"name":"Ada Admin"},"action":"read_access_log"}'
	expect_json '.access_log[0].request_id' "\"$(request_id)\""
	expect_json '.access_log[0].at | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z$")' true
	# The earlier read, from whichever worker served it, within two seconds.
	local i
	for i in $(seq 1 300); do
		req GET $P/patients/125/access_log
		printf '%s' "$BODY" | jq -e --arg id "$read_id" '.access_log | any(.request_id == $id and .action == "read_care_team")' >/dev/null && break
		sleep 0.1
	done
	expect_json "[.access_log[] | select(.request_id == \"$read_id\") | .action]" '["read_care_team"]'
	expect_json '.pagination.per_page' 25
}

# request_records ID N: the records of request ID, "patient action" sorted,
# once it has N of them (3 s at most: workers write within two seconds).
request_records() {
	local i rows
	for i in $(seq 1 30); do
		rows=$(db_sql "SELECT patient_id, action FROM phi_access_log WHERE request_id = '$1' ORDER BY patient_id, id" | tr '\t' ' ')
		[ "$(printf '%s' "$rows" | grep -c .)" -ge "$2" ] && break
		sleep 0.1
	done
	printf '%s' "$rows"
}

# Regression: a user's patient list showed names and assignment times and recorded nothing.
test_a_users_patient_list_is_recorded_per_patient_shown() {
	local id
	req POST $LCM/assign '{"patient_id":124,"olcm_user_id":101}'
	req POST $LCM/assign '{"patient_id":123,"olcm_user_id":101,"ilcm_user_id":101}'
	req POST $LCM/assign '{"patient_id":125,"ilcm_user_id":101}'
	req GET $LCM/101/patients
	expect_status 200
	expect_json '[.patients[].patient_id]' '[123,123,124,125]'
	id=$(request_id)
	# Once per patient shown, though 123 is shown twice (both roles).
	expect_eq "records of the list" "123 read_lcm_patients
124 read_lcm_patients
125 read_lcm_patients" "$(request_records "$id" 3)"
	# A page records the patients it shows, no others.
	req GET "$LCM/101/patients?per_page=2&page=2"
	expect_json '[.patients[].patient_id]' '[124,125]'
	expect_eq "records of page 2" "124 read_lcm_patients
125 read_lcm_patients" "$(request_records "$(request_id)" 2)"
	req GET "$LCM/101/patients?role=olcm&per_page=1"
	expect_json '[.patients[].patient_id]' '[123]'
	expect_eq "records of a filtered page" "123 read_lcm_patients" "$(request_records "$(request_id)" 1)"
	# The patient's own log lists it.
	req GET $P/patients/124/access_log
	expect_json "[.access_log[] | select(.request_id == \"$id\") | .action]" '["read_lcm_patients"]'
}

test_access_log_pages_newest_first() {
	local i
	for i in 1 2 3; do req GET $P/patients/126/lead_care_managers; done
	wait_for_rows 126 3
	req GET "$P/patients/126/access_log?per_page=2"
	expect_json '.pagination | {total_count, total_pages, per_page}' '{"total_count":4,"total_pages":2,"per_page":2}'
	expect_json '[.access_log[].action]' '["read_access_log","read_care_team"]'
	# Each listing is one more record: 5 now, 3 pages of 2.
	req GET "$P/patients/126/access_log?per_page=2&page=4"
	expect_json '.access_log' '[]'
	expect_json '.pagination | {total_count, total_pages}' '{"total_count":5,"total_pages":3}'
}

test_access_log_refusals() {
	req GET $P/patients/999/access_log
	expect_error 404 '["Patient not found"]'
	req GET "$P/patients/123/access_log?page=0"
	expect_error 422 '["page must be a positive integer"]'
	TOKEN=dev-user-token
	req GET $P/patients/123/access_log
	expect_error 403
}

test_refused_requests_leave_no_record() {
	req POST $LCM/assign '{"patient_id":123,"olcm_user_id":104}'
	expect_status 422
	req GET $P/patients/999/lead_care_managers
	expect_status 404
	TOKEN=dev-user-token
	req GET $P/patients/123/lead_care_managers
	expect_status 403
	# One that is recorded, to show the records were written.
	TOKEN=dev-admin-token
	req GET $P/patients/124/lead_care_managers
	expect_status 200
	all_records_written
	expect_eq "the accepted read's record" 1 "$(db_sql 'SELECT COUNT(*) FROM phi_access_log WHERE patient_id = 124')"
	expect_eq "records" 0 "$(db_sql 'SELECT COUNT(*) FROM phi_access_log WHERE patient_id IN (123, 999)')"
}

test_a_stopped_pool_writes_what_it_held() {
	local id
	req GET $P/patients/124/lead_care_managers
	id=$(request_id)
	# Stop the workers at once (TERM: each writes its buffer as it goes).
	kill -TERM "$(cat "$HVAR/run/workers.pid")"
	for _ in $(seq 1 50); do kill -0 "$(cat "$HVAR/run/workers.pid")" 2>/dev/null || break; sleep 0.1; done
	expect_eq "the read was written by the stopping worker" 1 \
		"$(db_sql "SELECT COUNT(*) FROM phi_access_log WHERE request_id = '$id'")"
	LCM_VAR=$HVAR LCM_PORT=${BASE##*:} LCM_QUIET=1 bash "$HARNESS_ROOT/deploy/stack.sh" start ||
		fail "stack did not come back"
}

# log_since OFFSET PATTERN SECONDS: until workers.log, past byte OFFSET, has a
# line matching PATTERN; 1 when none came within SECONDS.
log_since() {
	local i
	for i in $(seq 1 $(($3 * 20))); do
		tail -c +$(($1 + 1)) "$HVAR/log/workers.log" | grep -q -- "$2" && return 0
		sleep 0.05
	done
	return 1
}

# hold_global_read_lock: the test's own session takes FLUSH TABLES WITH
# READ LOCK (what a backup does; a stalled disk looks the same): every write
# waits until release_holder. Returns once the lock is held.
hold_global_read_lock() {
	db_sql "FLUSH TABLES WITH READ LOCK; SELECT SLEEP(600); UNLOCK TABLES" >/dev/null 2>&1 &
	HOLDER=$!
	local i
	for i in $(seq 1 600); do
		[ "$(db_sql "SELECT COUNT(*) FROM information_schema.processlist
			WHERE user = 'root' AND info LIKE 'SELECT SLEEP(600)%'")" -gt 0 ] && return 0
		sleep 0.05
	done
	fail "the other session never held the global read lock"
}

# The sessions of the app's access-log batches on the server now.
batch_sessions() {
	db_sql "SELECT id FROM information_schema.processlist
		WHERE user = 'lcm_app' AND info LIKE 'INSERT INTO phi_access_log%'"
}

# Regression: a worker stopped within a second of a batch that found the
# database stalled did not try it again: the records it held were lost.
test_a_worker_stopped_right_after_a_stall_still_writes_what_it_held() {
	local id from abandoned old s
	req GET $P/patients/124/lead_care_managers
	expect_status 200
	id=$(request_id)
	from=$(stat -c %s "$HVAR/log/workers.log")
	hold_global_read_lock
	# The worker's batch waits for the lock; the worker gives up on it after
	# its read timeout (3 s), keeping the record.
	log_since "$from" 'access: 1 records not written yet' 30 ||
		fail "the worker never gave up on its batch"
	abandoned=$(batch_sessions)
	# Stop the workers at once, while the one that gave up counts the
	# database as away.
	old=$(worker_pids)
	kill -TERM $old
	# Only the worker may write the record now: its abandoned batch is
	# ended on the server; then the lock goes.
	for s in $abandoned; do db_sql "KILL $s" 2>/dev/null; done
	release_holder
	all_records_written
	expect_eq "records of the one read ($id)" 1 \
		"$(db_sql "SELECT COUNT(*) FROM phi_access_log WHERE request_id = '$id'")"
}

# pool_restart [VAR=value...]: the worker pool stopped and started again
# (nginx and MariaDB stay) with these variables in its environment; returns
# once every worker is ready.
pool_restart() {
	local workers
	workers=$(awk -F' *= *' '$1 == "workers" {print $2}' "$HVAR/lcm.conf")
	LCM_VAR=$HVAR LCM_QUIET=1 bash "$HARNESS_ROOT/deploy/stack.sh" stop-workers >/dev/null ||
		fail "the pool did not stop"
	env LCM_VAR="$HVAR" LCM_PORT="${BASE##*:}" LCM_WORKERS="$workers" LCM_QUIET=1 "$@" \
		bash "$HARNESS_ROOT/deploy/stack.sh" start || fail "the pool did not start again"
	harness_fresh_workers || fail "the workers were not all ready"
}

# Regression: a worker on a host whose clock was a day ahead stamped its
# records a day in the future (they came first in the newest-first
# listing). A record's time is the database's, whatever the app host's
# clock says.
test_access_log_times_are_the_databases_whatever_the_app_hosts_clock() {
	local t0 t1 at id ready now lib
	lib=$(dpkg -L libfaketime 2>/dev/null | grep '/libfaketime\.so\.1$' | head -n 1)
	[ -n "$lib" ] || { skip "no libfaketime (deploy/install-deps.sh installs it)"; return; }
	# libfaketime goes before the sanitizer's runtime in a SANITIZE=1 build.
	pool_restart LD_PRELOAD="$lib" FAKETIME=+1d \
		ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0"
	# The workers do see tomorrow: their log lines say so.
	ready=$(grep 'worker ready' "$HVAR/log/workers.log" | tail -n 1 | cut -d' ' -f1)
	now=$(db_sql "SELECT UNIX_TIMESTAMP()")
	[ $(($(date -u -d "$ready" +%s) - now)) -gt 80000 ] ||
		fail "the workers' clock is not a day ahead (their last line: $ready; the database's: $now)"
	t0=$(db_sql "SELECT UTC_TIMESTAMP(3)")
	req GET $P/patients/124/lead_care_managers
	expect_status 200
	id=$(request_id)
	all_records_written
	t1=$(db_sql "SELECT UTC_TIMESTAMP(3)")
	at=$(db_sql "SELECT at FROM phi_access_log WHERE request_id = '$id'")
	expect_eq "the record's time ($at) is the database's, between $t0 and $t1" 1 \
		"$(db_sql "SELECT '$at' BETWEEN '$t0' AND '$t1'")"
	# Listed newest first among records of a host with the right time.
	pool_restart
	req GET $P/patients/124/access_log
	expect_json '.access_log[1].request_id' "\"$id\""
}

# The migration that adds the records' writer key applies to a table that
# holds an earlier release's records, those it wrote twice included: they
# stay, without a writer, and the key names each record written since.
# upgrade_sql SQL: run it in the database $db (not lcm).
upgrade_sql() {
	mariadb --no-defaults --socket="$DB_SOCK" -uroot --batch --skip-column-names "$db" -e "$1"
}

test_the_writer_key_migration_keeps_an_earlier_releases_records() {
	local v out db=lcm_upgrade_$$
	v=$(ls "$HARNESS_ROOT/db-schema" | sed -n 's/^\([0-9]\{3\}\)_access_log_writer\.sql$/\1/p')
	[ -n "$v" ] || { fail "no NNN_access_log_writer.sql in db-schema"; return; }
	mariadb --no-defaults --socket="$DB_SOCK" -uroot -e "CREATE DATABASE $db"
	out=$(LCM_DB_NAME=$db "$LCM_ADMIN" --config "$HVAR/lcm.conf" migrate --to $((10#$v - 1)) 2>&1) ||
		fail "migrate --to $((10#$v - 1)): $out"
	upgrade_sql "INSERT INTO phi_access_log (patient_id, actor_user_id, action, request_id, at) VALUES
		(123, 1, 'read_care_team', 'r1', '2026-01-02 03:04:05.006'),
		(123, 1, 'read_care_team', 'r1', '2026-01-02 03:04:05.006'),
		(124, 1, 'assign', 'r2', '2026-01-02 03:04:06.000')"
	out=$(LCM_DB_NAME=$db "$LCM_ADMIN" --config "$HVAR/lcm.conf" migrate 2>&1) || fail "migrate: $out"
	expect_eq "the earlier records, without a writer" "3 3" \
		"$(upgrade_sql "SELECT COUNT(*), SUM(writer_id IS NULL AND writer_seq IS NULL) FROM phi_access_log" | tr '\t' ' ')"
	upgrade_sql "INSERT INTO phi_access_log (patient_id, actor_user_id, action, request_id, at, writer_id, writer_seq)
		VALUES (125, 1, 'read_history', 'r3', NOW(3), 42, 1)"
	upgrade_sql "INSERT INTO phi_access_log (patient_id, actor_user_id, action, request_id, at, writer_id, writer_seq)
		VALUES (125, 1, 'read_history', 'r3', NOW(3), 42, 1)" 2>/dev/null &&
		fail "a second record of writer 42's number 1 was taken"
	expect_eq "records now" 4 "$(upgrade_sql "SELECT COUNT(*) FROM phi_access_log")"
	mariadb --no-defaults --socket="$DB_SOCK" -uroot -e "DROP DATABASE $db"
}
