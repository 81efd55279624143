# Locks another transaction holds: they cost the writes that need them and
# nothing else. A write that waits longer than DB_LOCK_PATIENCE_MS (200 ms)
# goes on waiting only with one of the pool's waiting slots (half the pool:
# 2 of the harness's 4 workers) and gives up at once without one; a
# transaction whose worker froze is ended by the server; a lock wait is
# never taken for a database that went away.

P=/v1/admin/clinic/ecm
LCM=$P/lead_care_managers

# writers_start N BODY: N clients POST BODY to assign, again and again,
# until writers_stop; each answer's status and time into $T_TMP/writers.
writers_start() {
	local i
	: >"$T_TMP/writers"
	rm -f "$T_TMP/writers.stop"
	WRITERS=()
	for i in $(seq 1 "$1"); do
		(
			# (Ends with the run too: a run cut short leaves no stop file to make.)
			while [ -d "$T_TMP" ] && [ ! -e "$T_TMP/writers.stop" ]; do
				curl -s -o /dev/null -w '%{http_code} %{time_total}\n' -X POST \
					-H 'X-User-Token: dev-admin-token' -H 'Content-Type: application/json' \
					--data "$2" "$BASE$LCM/assign" >>"$T_TMP/writers"
			done
		) &
		WRITERS+=($!)
	done
}

writers_stop() {
	touch "$T_TMP/writers.stop"
	wait "${WRITERS[@]}"
}

# Transactions that have waited on a lock for over a second (InnoDB's
# list, a cache refreshed for a reader 0.1 s or more after the last: the
# callers ask less often).
long_waits() {
	db_sql "SELECT COUNT(*) FROM information_schema.innodb_trx
		WHERE trx_state = 'LOCK WAIT' AND trx_wait_started < NOW() - INTERVAL 1 SECOND"
}

# Writes the workers gave up for want of a waiting slot, so far.
given_up() {
	grep -c 'with every waiting slot taken: given up' "$HVAR/log/workers.log" || true
}

test_lock_waits_take_at_most_half_the_pool() {
	local i n most=0 two=0 reads=0 bad=0 gone0
	seed  # 123's case load: the other session holds that row alone
	gone0=$(given_up)
	hold_case_load 123
	# Eight writers of the held patient keep every worker busy, were each
	# one to wait for the lock.
	writers_start 8 '{"patient_id":123,"olcm_user_id":103}'
	# Until the slots are seen full and several writes gave up (60 s at most).
	for i in $(seq 1 600); do
		n=$(long_waits)
		[ "$n" -gt "$most" ] && most=$n
		[ "$n" -ge 2 ] && two=1
		req GET $P/patients/124/lead_care_managers
		reads=$((reads + 1))
		[ "$STATUS" = 200 ] || bad=$((bad + 1))
		[ "$two" = 1 ] && [ $(($(given_up) - gone0)) -ge 8 ] && break
		sleep 0.15
	done
	# Twenty reads more, the slots full and the writers at it.
	for i in $(seq 1 20); do
		req GET $P/patients/124/lead_care_managers
		reads=$((reads + 1))
		[ "$STATUS" = 200 ] || bad=$((bad + 1))
	done
	release_holder
	writers_stop
	echo "    $reads reads while the lock was held; at most $most writes waiting at once;" \
		"$(($(given_up) - gone0)) writes gave up" >&2
	expect_eq "writes waiting on the lock at once, at most (2 slots of 4 workers)" 1 "$((most <= 2))"
	expect_eq "the slots were used" 1 "$two"
	[ $(($(given_up) - gone0)) -ge 8 ] || fail "fewer than 8 writes gave up at once"
	expect_eq "reads of another patient not answered 200" 0 "$bad"
	# Every write said 200 (once the lock was let go) or 503: none was lost.
	expect_eq "writes answered other than 200 or 503 ($(awk '{print $1}' "$T_TMP/writers" | sort | uniq -c | tr -s ' \n' ' '))" 0 \
		"$(awk '$1 != 200 && $1 != 503' "$T_TMP/writers" | wc -l)"
	expect_eq "activity rows of 123 (the seed's two, the writes' change to 103 once)" 3 \
		"$(db_sql 'SELECT COUNT(*) FROM patient_activities WHERE patient_id = 123')"
	expect_trail_consistent 123 olcm
}

# busy_worker: the worker waiting for its statement (in poll(): a write's
# statements wait so, db.c's call_patiently; an idle worker is in accept).
busy_worker() {
	local p i
	for i in $(seq 1 600); do
		for p in $(worker_pids); do
			[ "$(cut -d' ' -f1 "/proc/$p/syscall" 2>/dev/null)" = 7 ] && { echo "$p"; return; }
		done
		sleep 0.05
	done
}

# freeze_a_write: patient 123 (oLCM 101 by seed) given the oLCM 102 by a
# write whose worker is frozen inside its transaction: another session
# holds user 102's workload row, the write locks 123's case load and waits
# for that row, its worker is stopped, the row let go. Sets FROZEN_WORKER,
# FROZEN_SESSION (its server session, idle in its transaction) and
# FROZEN_CURL (the client, answers in $T_TMP/frozen.h and .b).
freeze_a_write() {
	local i
	seed
	hold "SELECT user_id FROM lcm_workload WHERE user_id = 102 FOR UPDATE"
	curl -s -D "$T_TMP/frozen.h" -o "$T_TMP/frozen.b" -X POST -H 'X-User-Token: dev-admin-token' \
		-H 'Content-Type: application/json' --data '{"patient_id":123,"olcm_user_id":102}' \
		"$BASE$LCM/assign" &
	FROZEN_CURL=$!
	wait_for_app_statement
	FROZEN_WORKER=$(busy_worker)
	[ -n "$FROZEN_WORKER" ] || fail "no worker was serving the write"
	kill -STOP "$FROZEN_WORKER"
	release_holder
	FROZEN_SESSION=
	for i in $(seq 1 200); do
		FROZEN_SESSION=$(db_sql "SELECT p.id FROM information_schema.innodb_trx t
			JOIN information_schema.processlist p ON p.id = t.trx_mysql_thread_id
			WHERE p.user = 'lcm_app' AND p.command = 'Sleep'")
		[ -n "$FROZEN_SESSION" ] && break
		sleep 0.15
	done
	[ -n "$FROZEN_SESSION" ] || fail "the frozen worker's transaction was not seen idle"
}

# The frozen write's answer, once its worker goes on: 200 with the case
# load it left (oLCM 102 and, in the answer, the iLCM WANT_ILCM), or 503.
expect_frozen_answer() {
	local rid
	kill -CONT "$FROZEN_WORKER"
	wait "$FROZEN_CURL"
	rid=$(tr -d '\r' <"$T_TMP/frozen.h" | awk -F': ' 'tolower($1) == "x-request-id" {print $2}')
	case $(awk 'NR == 1 {print $2}' "$T_TMP/frozen.h") in
	200)
		expect_eq "the frozen write's answer ($(head -c 400 "$T_TMP/frozen.b"))" \
			"{\"patient_id\":123,\"patient_name\":\"John Doe\",\"olcm\":102,\"olcm_name\":\"Bob Manager\",\"ilcm\":$1}" \
			"$(jq -c '.case_load | {patient_id, patient_name, olcm: .olcm_user_id, olcm_name, ilcm: .ilcm_user_id}' "$T_TMP/frozen.b")"
		;;
	503) ;;
	*) fail "the frozen write was answered $(head -1 "$T_TMP/frozen.h"): $(head -c 200 "$T_TMP/frozen.b")" ;;
	esac
	expect_eq "the frozen write's changes (at most once)" 1 \
		"$(($(db_sql "SELECT COUNT(*) FROM patient_activities WHERE request_id = '$rid'") <= 1))"
	expect_trail_consistent 123 olcm
}

test_a_frozen_worker_holds_its_locks_for_seconds_only() {
	freeze_a_write
	# The server ends it (DB_IDLE_TX_SECONDS, 5 s): 60 s at most here.
	wait_sessions_gone "$FROZEN_SESSION" ||
		fail "the frozen worker's session $FROZEN_SESSION still holds its locks after 60 s"
	# 123 can be written again, by another worker.
	req POST $LCM/assign '{"patient_id":123,"olcm_user_id":103}'
	expect_status 200
	expect_frozen_answer 102
}

# Once let go, the frozen worker finds its session gone and applies the
# write again on a new connection: its answer is the case load it left,
# read again (the first read's row went with the old connection). (When
# the row was let go only after the statement's 2 s bound, the write is a
# 503: not what this test is about, so it is tried again, thrice at most.)
test_a_write_applied_again_on_a_new_connection_answers_whole() {
	local try
	for try in 1 2 3; do
		[ "$try" = 1 ] || db_reset
		freeze_a_write
		wait_sessions_gone "$FROZEN_SESSION" ||
			fail "the frozen worker's session $FROZEN_SESSION still holds its locks after 60 s"
		expect_frozen_answer 102
		[ "$(awk 'NR == 1 {print $2}' "$T_TMP/frozen.h")" = 200 ] && break
	done
	expect_eq "the frozen write's status, the last of $try tries" 200 "$(awk 'NR == 1 {print $2}' "$T_TMP/frozen.h")"
	expect_eq "the case load" "102	102" "$(db_sql 'SELECT olcm_user_id, ilcm_user_id FROM case_loads WHERE patient_id = 123')"
}

# A long statement of set-based work is not a lock wait: while the slots
# are full, a bulk of 1000 patients nobody holds is applied whole.
test_set_based_work_is_not_given_up_while_the_slots_are_full() {
	local i gone0 fallbacks
	db_sql "INSERT INTO patients (id, name, primary_provider_id) SELECT seq, CONCAT('Patient ', seq), 456 FROM seq_1000_to_1999"
	jq -nc '{assignments: [range(1000; 2000) | {patient_id: ., olcm_user_id: 101, ilcm_user_id: 102}]}' >"$T_TMP/bulk.json"
	seed  # 123's case load: the other session holds that row alone, not every insert
	gone0=$(given_up)
	hold_case_load 123
	writers_start 8 '{"patient_id":123,"olcm_user_id":103}'
	for i in $(seq 1 400); do
		[ $(($(given_up) - gone0)) -ge 4 ] && break
		sleep 0.15
	done
	[ $(($(given_up) - gone0)) -ge 4 ] || fail "the slots were not seen full"
	fallbacks=$(grep -c 'set-based run failed' "$HVAR/log/workers.log")
	send_file POST $LCM/bulk_assign "$T_TMP/bulk.json"
	release_holder
	writers_stop
	expect_status 200
	expect_json '{successful_count, failed_count}' '{"successful_count":1000,"failed_count":0}'
	expect_json '[.results[] | select(.status != "success")] | .[:3]' '[]'
	# Its set-based run waited on none of the held rows (it gave up once
	# on the held case load, which it scanned: ran item by item, where the
	# full slots could turn an item away).
	expect_eq "set-based runs given up by this bulk" 0 \
		"$(( $(grep -c 'set-based run failed' "$HVAR/log/workers.log") - fallbacks ))"
	expect_eq "case loads of the bulk" 1000 "$(db_sql 'SELECT COUNT(*) FROM case_loads WHERE patient_id BETWEEN 1000 AND 1999')"
}

# Set-based work locks the rows it changes, and waits on no other: with
# another patient's case load held as a worker holds it (a table of two,
# which the server would rather scan than read by key), a bulk, a transfer
# and an auto-assign of other patients each answer at once, and no
# set-based run gives up.
test_set_based_work_waits_on_its_own_rows_only() {
	local runs=$(grep -c 'set-based run failed' "$HVAR/log/workers.log")
	seed  # 123: oLCM 101, iLCM 102; 126: iLCM 103
	HOLD_ISOLATION='READ COMMITTED' hold_case_load 126
	req POST $LCM/bulk_assign '{"assignments":[{"patient_id":124,"olcm_user_id":101},{"patient_id":125,"olcm_user_id":101}]}'
	expect_status 200
	expect_json '.successful_count' 2
	req POST $LCM/transfer '{"from_user_id":101,"to_user_ids":[102],"role":"olcm"}'
	expect_status 200
	expect_json '[.moves[].patient_id] | sort' '[123,124,125]'
	req POST $LCM/auto_assign '{"role":"ilcm","patient_ids":[124,125],"user_ids":[102]}'
	expect_status 200
	release_holder
	expect_eq "set-based runs given up" "$runs" "$(grep -c 'set-based run failed' "$HVAR/log/workers.log")"
	expect_eq "case loads of 101's three patients now with 102 as oLCM" 3 \
		"$(db_sql 'SELECT COUNT(*) FROM case_loads WHERE olcm_user_id = 102 AND patient_id IN (123, 124, 125)')"
	expect_eq "iLCMs given by the auto-assign" 2 \
		"$(db_sql 'SELECT COUNT(*) FROM case_loads WHERE ilcm_user_id = 102 AND patient_id IN (124, 125)')"
}

test_a_lock_wait_is_not_an_outage() {
	local i codes away
	away=$(grep -c 'no answer within the timeout' "$HVAR/log/workers.log")
	# A backup's global read lock: writes wait on it (a metadata lock).
	hold "FLUSH TABLES WITH READ LOCK"
	req POST $LCM/assign '{"patient_id":123,"olcm_user_id":101}'
	expect_error 503
	[ -n "$(header retry-after)" ] || fail "a 503 without Retry-After"
	release_holder
	# The server bounded the wait: no worker took it for a database away,
	# so none answers 503 now.
	codes=$(for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
		curl -s -o /dev/null -w '%{http_code}\n' -H 'X-User-Token: dev-admin-token' \
			"$BASE$P/patients/124/lead_care_managers" &
	done; wait)
	expect_eq "reads right after" "200 200 200 200 200 200 200 200 200 200 200 200" "$(echo $codes)"
	expect_eq "workers that took the lock wait for a database away" "$away" \
		"$(grep -c 'no answer within the timeout' "$HVAR/log/workers.log")"
	req POST $LCM/assign '{"patient_id":123,"olcm_user_id":101}'
	expect_status 200
}
