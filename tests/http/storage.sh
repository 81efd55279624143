# A database that cannot write (a full disk, a table at its size limit, a
# file it cannot write): a 503 with Retry-After, never a 500; what does not
# need the space goes on; /healthz says so. (Issue 20 §6: with MariaDB's
# datadir full, 5,039 keyed writes answered 500 without Retry-After, their
# claim's INSERT refused with "The table 'idempotency_keys' is full".)

P=/v1/admin/clinic/ecm
LCM=$P/lead_care_managers
STORAGE_MSG='["Service temporarily unavailable: the database is out of space or resources, try again later"]'

# A table that is really full: idempotency_keys made a MyISAM table of at
# most 64 KiB (MAX_ROWS), filled to the brim with the test's own rows.
# (An InnoDB table grows until the disk is full, which a test must not do.)
fill_idempotency_keys() {
	local size i
	db_sql "ALTER TABLE idempotency_keys ENGINE=MyISAM MAX_ROWS=2 AVG_ROW_LENGTH=10" ||
		fail "idempotency_keys could not be given a size limit"
	for size in 16000 1000 100 0; do
		for i in $(seq 1 100); do
			db_sql "INSERT INTO idempotency_keys VALUES (9, 'f$size.$i', UNHEX(SHA2('f', 256)),
				'r', 'done', 200, NULL, REPEAT('x', $size), NOW(3), NULL)" 2>/dev/null || break
		done
	done
}

# The table as the schema has it, empty (DDL outlives db_reset).
restore_idempotency_keys() {
	db_sql "DELETE FROM idempotency_keys;
		ALTER TABLE idempotency_keys ENGINE=InnoDB MAX_ROWS=0 AVG_ROW_LENGTH=0"
}

test_a_full_table_refuses_keyed_writes_with_503_and_retry_after() {
	seed
	fill_idempotency_keys
	local before
	before=$(snapshot)
	send $LCM/assign -X POST -H 'Idempotency-Key: k-full' -H 'Content-Type: application/json' \
		--data-binary '{"patient_id":123,"olcm_user_id":103}'
	expect_error 503 "$STORAGE_MSG"
	expect_no_internals
	[ -n "$(header retry-after)" ] || fail "a 503 without Retry-After"
	expect_unchanged "the refused keyed write" "$before"
	# The claim was refused for want of room, not for another reason.
	db_sql "INSERT INTO idempotency_keys VALUES (1, 'k-full', UNHEX(SHA2('f', 256)),
		'$(request_id)', 'running', NULL, NULL, NULL, NOW(3), NULL)" 2>"$T_TMP/full.err"
	grep -q 'ERROR 1114' "$T_TMP/full.err" ||
		fail "the table was not full: $(cat "$T_TMP/full.err")"
	# What needs no room in that table goes on.
	req POST $LCM/assign '{"patient_id":124,"olcm_user_id":101}'
	expect_status 200
	req GET $P/patients/123/lead_care_managers
	expect_status 200
	restore_idempotency_keys
	# With room again, the retry runs.
	send $LCM/assign -X POST -H 'Idempotency-Key: k-full' -H 'Content-Type: application/json' \
		--data-binary '{"patient_id":123,"olcm_user_id":103}'
	expect_status 200
	expect_eq "applied" 103 "$(cl_col olcm_user_id 123)"
}

# Each error the server gives for want of space or resources, where the
# write path meets it (here an activity row's INSERT, as a full disk refuses
# it): a 503 with Retry-After, the transaction rolled back.
test_storage_errors_are_503_with_retry_after_never_500() {
	local e before
	seed
	before=$(snapshot)
	for e in 3 1021 1026 1030 1114 1041; do
		refuse_rows "e$e" "BEFORE INSERT ON patient_activities" 1 "$e" "test: storage error $e"
		req POST $LCM/assign '{"patient_id":123,"olcm_user_id":103}'
		expect_error 503 "$STORAGE_MSG"
		[ -n "$(header retry-after)" ] || fail "error $e: a 503 without Retry-After"
		req POST $LCM/bulk_assign '{"assignments":[{"patient_id":123,"olcm_user_id":103}]}'
		expect_error 503 "$STORAGE_MSG"
		[ -n "$(header retry-after)" ] || fail "error $e: a bulk's 503 without Retry-After"
		unrefuse_all
	done
	expect_unchanged "the refused writes" "$before"
}

# /healthz answers 503, naming the cause, while the worker that answers it
# met such an error within the last 30 s. Every worker is made to meet one:
# each refused write takes a worker for 0.3 s (a SLEEP before the refusal),
# four at once take the four; rounds until each has logged its refusal.
test_healthz_says_when_the_database_cannot_write() {
	local i j pids pid all from
	TOKEN=""
	req GET /healthz
	expect_status 200
	TOKEN=dev-admin-token
	from=$(stat -c %s "$HVAR/log/workers.log")
	refuse_rows full "BEFORE INSERT ON idempotency_keys" "SLEEP(0.3) = 0" 1114 \
		"The table idempotency_keys is full"
	pids=$(worker_pids)
	for i in $(seq 1 20); do
		for j in 1 2 3 4; do
			curl -s -o /dev/null -X POST -H 'X-User-Token: dev-admin-token' \
				-H "Idempotency-Key: k-hz-$i-$j" -H 'Content-Type: application/json' \
				--data-binary '{"patient_id":123,"olcm_user_id":101}' "$BASE$LCM/assign" &
		done
		wait
		all=1
		for pid in $pids; do
			tail -c +$((from + 1)) "$HVAR/log/workers.log" |
				grep -q "\[$pid\] .*1114 statement idem_claim" || all=0
		done
		[ $all = 1 ] && break
	done
	unrefuse_all
	[ $all = 1 ] || fail "not every worker met the full table in 20 rounds"
	TOKEN=""
	for i in $(seq 1 8); do
		req GET /healthz
		expect_error 503 "$STORAGE_MSG"
		[ -n "$(header retry-after)" ] || fail "healthz: a 503 without Retry-After"
	done
	expect_eq "no claim was kept" 0 "$(db_sql 'SELECT COUNT(*) FROM idempotency_keys')"
}
