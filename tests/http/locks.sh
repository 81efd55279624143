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
			while [ ! -e "$T_TMP/writers.stop" ]; do
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
	gone0=$(given_up)
	hold_case_load 123
	# Eight writers of the held patient keep every worker busy, were each
	# one to wait for the lock.
	writers_start 8 '{"patient_id":123,"olcm_user_id":101}'
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
	release_holder
	writers_stop
	echo "    $reads reads while the lock was held; at most $most writes waiting at once;" \
		"$(($(given_up) - gone0)) writes gave up" >&2
	expect_eq "writes waiting on the lock at once, at most (2 slots of 4 workers)" 1 "$((most <= 2))"
	expect_eq "the slots were used" 1 "$two"
	[ $(($(given_up) - gone0)) -ge 8 ] || fail "fewer than 8 writes gave up at once"
	expect_eq "reads of another patient not answered 200" 0 "$bad"
	# Every write said 200 (once the lock was let go) or 503: none was lost.
	expect_eq "writes answered other than 200 or 503" 0 "$(awk '$1 != 200 && $1 != 503' "$T_TMP/writers" | wc -l)"
	expect_eq "activity rows of 123 (the writes assign 101 once)" 1 \
		"$(db_sql 'SELECT COUNT(*) FROM patient_activities WHERE patient_id = 123')"
	expect_trail_consistent 123 olcm
}

# busy_worker: the worker that is not waiting for a request (in accept).
busy_worker() {
	local p i
	for i in $(seq 1 600); do
		for p in $(worker_pids); do
			[ "$(cut -d' ' -f1 "/proc/$p/syscall" 2>/dev/null)" != 43 ] && { echo "$p"; return; }
		done
		sleep 0.05
	done
}

test_a_frozen_worker_holds_its_locks_for_seconds_only() {
	local w frozen i rid
	seed  # 123: oLCM 101
	# Another session holds user 102's workload row: a write giving 123's
	# oLCM to 102 locks 123's case load, then waits for that row.
	db_sql "START TRANSACTION; SELECT user_id FROM lcm_workload WHERE user_id = 102 FOR UPDATE;
		SELECT SLEEP(600); ROLLBACK" >/dev/null 2>&1 &
	HOLDER=$!
	for i in $(seq 1 600); do
		[ "$(db_sql "SELECT COUNT(*) FROM information_schema.processlist
			WHERE user = 'root' AND info LIKE 'SELECT SLEEP(600)%'")" -gt 0 ] && break
		sleep 0.05
	done
	curl -s -D "$T_TMP/frozen.h" -o "$T_TMP/frozen.b" -X POST -H 'X-User-Token: dev-admin-token' \
		-H 'Content-Type: application/json' --data '{"patient_id":123,"olcm_user_id":102}' \
		"$BASE$LCM/assign" &
	local c=$!
	wait_for_app_statement
	w=$(busy_worker)
	[ -n "$w" ] || fail "no worker was serving the write"
	# Frozen while it waits; the row let go: its transaction is open, idle,
	# holding 123's case load.
	kill -STOP "$w"
	release_holder
	for i in $(seq 1 200); do
		frozen=$(db_sql "SELECT p.id FROM information_schema.innodb_trx t
			JOIN information_schema.processlist p ON p.id = t.trx_mysql_thread_id
			WHERE p.user = 'lcm_app' AND p.command = 'Sleep'")
		[ -n "$frozen" ] && break
		sleep 0.15
	done
	[ -n "$frozen" ] || fail "the frozen worker's transaction was not seen idle"
	# The server ends it (DB_IDLE_TX_SECONDS, 5 s): 60 s at most here.
	wait_sessions_gone "$frozen" || fail "the frozen worker's session $frozen still holds its locks after 60 s"
	# 123 can be written again, by another worker.
	req POST $LCM/assign '{"patient_id":123,"olcm_user_id":103}'
	expect_status 200
	kill -CONT "$w"
	wait "$c"
	rid=$(tr -d '\r' <"$T_TMP/frozen.h" | awk -F': ' 'tolower($1) == "x-request-id" {print $2}')
	case $(awk 'NR == 1 {print $2}' "$T_TMP/frozen.h") in
	200 | 503) ;;
	*) fail "the frozen write was answered $(head -1 "$T_TMP/frozen.h"): $(head -c 200 "$T_TMP/frozen.b")" ;;
	esac
	expect_eq "the frozen write's changes (at most once)" 1 \
		"$(($(db_sql "SELECT COUNT(*) FROM patient_activities WHERE request_id = '$rid'") <= 1))"
	expect_trail_consistent 123 olcm
}

test_a_lock_wait_is_not_an_outage() {
	local i codes away
	away=$(grep -c 'no answer within the timeout' "$HVAR/log/workers.log")
	# A backup's global read lock: writes wait on it (a metadata lock).
	db_sql "FLUSH TABLES WITH READ LOCK; SELECT SLEEP(600)" >/dev/null 2>&1 &
	HOLDER=$!
	for i in $(seq 1 600); do
		[ "$(db_sql "SELECT COUNT(*) FROM information_schema.processlist
			WHERE user = 'root' AND info LIKE 'SELECT SLEEP(600)%'")" -gt 0 ] && break
		sleep 0.05
	done
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
