# Ended authorizations (issue 24): POST .../lead_care_managers/release_ended
# and lcm-admin release-ended clear both roles of every ECM member whose
# authorization ended before the clinic's day, in one set-based
# transaction, with the reason code authorization_ended; a dry run is the
# real run, writing nothing. Members whose authorization is active, not
# started, or who have none are never touched.
#
# Dates are set relative to the database's UTC day (the test stack's clinic
# day is UTC's), with at least two days of margin, so that a run across
# midnight cannot flip a member.

P=/v1/admin/clinic/ecm
LCM=$P/lead_care_managers
REL=$LCM/release_ended

# rel_member PATIENT EFF END: the patient is an ECM member whose
# authorization runs from EFF to END, each a number of days from today
# ("" for none).
rel_member() {
	local eff=NULL fin=NULL
	[ -z "$2" ] || eff="UTC_DATE() + INTERVAL $2 DAY"
	[ -z "$3" ] || fin="UTC_DATE() + INTERVAL $3 DAY"
	db_sql "INSERT INTO ecm_members (patient_id, member_id, ecm_benefit_auth_eff_date,
		ecm_benefit_auth_end_date, created_at, updated_at)
		VALUES ($1, 'REL$1', $eff, $fin, NOW(3), NOW(3))"
}

# rel_patients FROM TO: more patients, of provider 456.
rel_patients() {
	db_sql "INSERT INTO patients (id, name, primary_provider_id)
		SELECT seq, CONCAT('Patient ', seq), 456 FROM seq_$1_to_$2"
}

# rel_assign BODY: an assignment through the API, which must succeed.
rel_assign() {
	req POST $LCM/assign "$1"
	expect_status 200
}

# The clinic every test starts from:
#   123 oLCM 101, iLCM 102   ended two days ago          released
#   124 oLCM 101             active (ends in ten days)    kept
#   125 oLCM 102, iLCM 103   not started (in two days)    kept
#   126 iLCM 103             no member                    kept
#   1000 oLCM 102            active, no end date          kept
#   1001 (a case load, no LCM)  ended                     not listed
#   1002 (no case load)      ended                        not listed
#   1003 iLCM 104, deactivated since   ended a year ago   released
#   1004 oLCM 103            a member without dates       kept
rel_clinic() {
	rel_patients 1000 1004
	# The LCMs first, then the plan's file with its dates: an authorization
	# that has ended, or not started, refuses a new assignment.
	rel_assign '{"patient_id":123,"olcm_user_id":101,"ilcm_user_id":102}'
	rel_assign '{"patient_id":124,"olcm_user_id":101}'
	rel_assign '{"patient_id":125,"olcm_user_id":102,"ilcm_user_id":103}'
	rel_assign '{"patient_id":126,"ilcm_user_id":103}'
	rel_assign '{"patient_id":1000,"olcm_user_id":102}'
	rel_assign '{"patient_id":1001,"olcm_user_id":101}'
	req DELETE $LCM/assign '{"patient_id":1001,"role":"olcm"}'
	expect_status 200
	db_sql "UPDATE users SET active = 1 WHERE id = 104"
	rel_assign '{"patient_id":1003,"ilcm_user_id":104}'
	db_sql "UPDATE users SET active = 0 WHERE id = 104"
	rel_assign '{"patient_id":1004,"olcm_user_id":103}'
	rel_member 123 -100 -2
	rel_member 124 -10 10
	rel_member 125 2 100
	rel_member 1000 -5 ''
	rel_member 1001 -100 -3
	rel_member 1002 -100 -3
	rel_member 1003 -500 -365
	rel_member 1004 '' ''
}

# Every case load's holders, to compare the kept ones before and after.
rel_holders() {
	db_sql "SELECT patient_id, IFNULL(olcm_user_id, '-'), IFNULL(ilcm_user_id, '-')
		FROM case_loads ORDER BY patient_id" | tr '\t' ' ' | tr '\n' ';'
}

# An answer without what differs between a dry run and the real one (and the day).
rel_plan() {
	printf '%s' "$1" | jq -c 'del(.dry_run, .as_of, .planned_count, .released_count) |
		.releases |= map(del(.status))'
}

# The workloads the triggers and the set-based writes keep, against a count
# of the case loads: every user's, and the patient index's holders.
rel_expect_bookkeeping_exact() {
	expect_eq "users whose lcm_workload is not the case loads' count" 0 "$(db_sql "
		SELECT COUNT(*) FROM (SELECT u.id, IFNULL(w.olcm_count, 0) AS wo, IFNULL(w.ilcm_count, 0) AS wi,
		 IFNULL(w.both_count, 0) AS wb,
		 (SELECT COUNT(*) FROM case_loads c WHERE c.olcm_user_id = u.id) AS o,
		 (SELECT COUNT(*) FROM case_loads c WHERE c.ilcm_user_id = u.id) AS i,
		 (SELECT COUNT(*) FROM case_loads c WHERE c.olcm_user_id = u.id AND c.ilcm_user_id = u.id) AS b
		 FROM users u LEFT JOIN lcm_workload w ON w.user_id = u.id) t
		WHERE wo <> o OR wi <> i OR wb <> b")"
	expect_eq "users whose medium and high counts are not their members'" 0 "$(db_sql "
		SELECT COUNT(*) FROM (SELECT u.id, IFNULL(w.olcm_medium, 0) AS wom, IFNULL(w.olcm_high, 0) AS woh,
		 IFNULL(w.ilcm_medium, 0) AS wim, IFNULL(w.ilcm_high, 0) AS wih,
		 (SELECT COUNT(*) FROM case_loads c JOIN ecm_members m ON m.patient_id = c.patient_id
		  WHERE c.olcm_user_id = u.id AND m.acuity_level = 'medium') AS om,
		 (SELECT COUNT(*) FROM case_loads c JOIN ecm_members m ON m.patient_id = c.patient_id
		  WHERE c.olcm_user_id = u.id AND m.acuity_level = 'high') AS oh,
		 (SELECT COUNT(*) FROM case_loads c JOIN ecm_members m ON m.patient_id = c.patient_id
		  WHERE c.ilcm_user_id = u.id AND m.acuity_level = 'medium') AS im,
		 (SELECT COUNT(*) FROM case_loads c JOIN ecm_members m ON m.patient_id = c.patient_id
		  WHERE c.ilcm_user_id = u.id AND m.acuity_level = 'high') AS ih
		 FROM users u LEFT JOIN lcm_workload w ON w.user_id = u.id) t
		WHERE wom <> om OR woh <> oh OR wim <> im OR wih <> ih")"
	expect_eq "patients whose patient_index is not their case load's holders" 0 "$(db_sql "
		SELECT COUNT(*) FROM patient_index x LEFT JOIN case_loads c ON c.patient_id = x.patient_id
		WHERE NOT (x.olcm_user_id <=> c.olcm_user_id AND x.ilcm_user_id <=> c.ilcm_user_id)")"
}

# rel_admin ARGS...: lcm-admin against the stack; its output in OUT, its status in RC.
rel_admin() {
	OUT=$("$LCM_ADMIN" --config "$HVAR/lcm.conf" "$@" 2>&1)
	RC=$?
}

# rel_kreq KEY BODY: POST .../release_ended with an Idempotency-Key.
rel_kreq() {
	LAST_REQ="POST $REL (Idempotency-Key: $1) $2"
	printf '%s' "$2" >"$T_TMP/req"
	local hdr
	: >"$T_TMP/body"
	hdr=$(curl -s -X POST -D - -o "$T_TMP/body" -H "X-User-Token: $TOKEN" \
		-H "Idempotency-Key: $1" -H 'Content-Type: application/json' \
		--data-binary "@$T_TMP/req" "$BASE$REL" | tr -d '\r')
	STATUS=$(echo "$hdr" | awk 'NR==1 {print $2}')
	HEADERS=$(echo "$hdr" | awk -F': ' 'NR>1 && NF>1 {print tolower($1) ": " $2}')
	BODY=$(cat "$T_TMP/body")
}

# rel_access N REQUEST_ID: until N release_ended records of the request are written (30 s at most).
rel_access() {
	local i
	for i in $(seq 1 300); do
		[ "$(db_sql "SELECT COUNT(*) FROM phi_access_log WHERE action = 'release_ended'
			AND request_id = '$2'")" -ge "$1" ] && return 0
		sleep 0.1
	done
	fail "fewer than $1 release_ended records of $2 in the access log after 30 s"
}

# The day the stack's clinic has now (UTC), as the answer's as_of gives it.
rel_day_ok() {
	local day
	day=$(printf '%s' "$BODY" | jq -r .as_of)
	[ "$day" = "$1" ] || [ "$day" = "$(date -u +%F)" ] || fail "as_of $day is not today ($1)"
}

test_release_dry_run_is_the_real_run_and_only_ended_members_are_released() {
	local before dry holders day
	rel_clinic
	before=$(snapshot)
	holders=$(rel_holders)
	day=$(date -u +%F)
	req POST $REL '{"dry_run":true}'
	expect_status 200
	expect_json '{dry_run, planned_count, patients_count, remaining}' \
		'{"dry_run":true,"planned_count":3,"patients_count":2,"remaining":0}'
	expect_json '[.releases[] | [.patient_id, .role, .from_user_id, .status]]' \
		'[[123,"olcm",101,"planned"],[123,"ilcm",102,"planned"],[1003,"ilcm",104,"planned"]]'
	expect_json '.counts' '[{"user_id":101,"olcm_before":2,"ilcm_before":0,"olcm_after":1,"ilcm_after":0,"olcm_weighted_load_after":1,"ilcm_weighted_load_after":0},{"user_id":102,"olcm_before":2,"ilcm_before":1,"olcm_after":2,"ilcm_after":0,"olcm_weighted_load_after":2,"ilcm_weighted_load_after":0},{"user_id":104,"olcm_before":0,"ilcm_before":1,"olcm_after":0,"ilcm_after":0,"olcm_weighted_load_after":0,"ilcm_weighted_load_after":0}]'
	rel_day_ok "$day"
	dry=$BODY
	expect_unchanged "a dry run" "$before"
	req POST $REL '{}'
	expect_status 200
	expect_json '{dry_run, released_count, patients_count, remaining}' \
		'{"dry_run":false,"released_count":3,"patients_count":2,"remaining":0}'
	expect_json '[.releases[].status] | unique' '["released"]'
	expect_eq "the real run did what the dry run said" "$(rel_plan "$dry")" "$(rel_plan "$BODY")"
	# Only 123 and 1003 lost their LCMs; every other case load is as it was.
	expect_eq "holders after" \
		"$(sed -e 's/^123 101 102;/123 - -;/' -e 's/;1003 - 104;/;1003 - -;/' <<<"$holders")" "$(rel_holders)"
	expect_trail_consistent 123 olcm
	expect_trail_consistent 123 ilcm
	expect_trail_consistent 1003 ilcm
	rel_expect_bookkeeping_exact
}

test_release_each_cleared_role_has_its_activity_row_and_history() {
	local rid
	rel_clinic
	req POST $REL '{"reason":"the plan ended the authorization"}'
	expect_status 200
	rid=$(request_id)
	expect_eq "activity rows of the release" "123 olcm 101 NULL lcm_removed authorization_ended the plan ended the authorization release_ended 1 $rid
123 ilcm 102 NULL lcm_removed authorization_ended the plan ended the authorization release_ended 1 $rid
1003 ilcm 104 NULL lcm_removed authorization_ended the plan ended the authorization release_ended 1 $rid" \
		"$(db_sql "SELECT patient_id, role, previous_user_id, IFNULL(new_user_id, 'NULL'), activity_type,
			reason_code, reason, source, actor_user_id, request_id FROM patient_activities
			WHERE source = 'release_ended' ORDER BY id" | tr '\t' ' ')"
	req GET "$P/patients/123/lead_care_managers/history?role=olcm"
	expect_status 200
	expect_json '.history[0] | [.user.id, (.ended_at != null), .ended_by.id]' '[101,true,1]'
	req GET $P/patients/123/lead_care_managers
	expect_json '[.case_load.olcm, .case_load.ilcm]' '[null,null]'
	# The version counts the change, once.
	expect_header etag '"2"'
}

test_release_a_second_run_finds_nothing() {
	local acts
	rel_clinic
	req POST $REL '{"dry_run":false}'
	expect_json .released_count 3
	acts=$(db_sql 'SELECT COUNT(*) FROM patient_activities')
	req POST $REL '{"dry_run":true}'
	expect_json '{planned_count, patients_count, remaining, releases, counts}' \
		'{"planned_count":0,"patients_count":0,"remaining":0,"releases":[],"counts":[]}'
	req POST $REL '{}'
	expect_status 200
	expect_json '{released_count, patients_count, remaining, releases}' \
		'{"released_count":0,"patients_count":0,"remaining":0,"releases":[]}'
	expect_eq "no activity row" "$acts" "$(db_sql 'SELECT COUNT(*) FROM patient_activities')"
	rel_expect_bookkeeping_exact
}

test_release_is_in_the_access_log_per_role_released() {
	local rid
	rel_clinic
	req POST $REL '{"dry_run":true}'
	expect_status 200
	req POST $REL '{}'
	expect_status 200
	rid=$(request_id)
	rel_access 3 "$rid"
	expect_eq "records of the release" "123 1
123 1
1003 1" "$(db_sql "SELECT patient_id, actor_user_id FROM phi_access_log
		WHERE action = 'release_ended' ORDER BY patient_id" | tr '\t' ' ')"
	req GET $P/patients/1003/access_log
	expect_json "[.access_log[] | select(.request_id == \"$rid\") | {actor, action}]" \
		'[{"actor":{"id":1,"name":"Ada Admin"},"action":"release_ended"}]'
}

test_release_idempotency_key_replays_the_first_answer() {
	local first acts
	rel_clinic
	rel_kreq rel-key-1 '{}'
	expect_status 200
	expect_header idempotent-replayed ""
	expect_json .released_count 3
	first=$BODY
	acts=$(db_sql 'SELECT COUNT(*) FROM patient_activities')
	# New work meanwhile: the retry still gets the first answer, and does nothing.
	rel_assign '{"patient_id":123,"olcm_user_id":103,"override_authorization":true,"reason":"renewal on its way"}'
	rel_kreq rel-key-1 '{}'
	expect_status 200
	expect_header idempotent-replayed true
	expect_eq "replayed body" "$first" "$BODY"
	expect_eq "activity rows after the retry" $((acts + 1)) "$(db_sql 'SELECT COUNT(*) FROM patient_activities')"
	expect_eq "123 keeps its new oLCM" 103 "$(cl_col olcm_user_id 123)"
	rel_kreq rel-key-1 '{"dry_run":true}'
	expect_error 422 '["Idempotency-Key was already used for a different request"]'
}

test_release_validation() {
	local before
	rel_clinic
	before=$(snapshot)
	req POST $REL '{"dry_run":"yes"}'
	expect_error 422 '["dry_run must be true or false"]'
	req POST $REL '{"dry_run":null}'
	expect_error 422 '["dry_run must be true or false"]'
	req POST $REL '{"dry_run":1,"reason":7}'
	expect_error 422 '["reason must be a string of at most 500 characters","dry_run must be true or false"]'
	req POST $REL "{\"reason\":\"$(printf 'x%.0s' $(seq 1 501))\"}"
	expect_error 422 '["reason must be a string of at most 500 characters"]'
	req POST $REL '{"reason":{"code":"member_request"}}'
	expect_error 422 '["reason.code must be authorization_ended"]'
	req POST $REL '[true]'
	expect_error 400 '["Request body must be a JSON object"]'
	req GET $REL
	expect_error 405
	expect_header allow POST
	TOKEN=dev-user-token req POST $REL '{"dry_run":true}'
	expect_error 403 '["Admin access required"]'
	TOKEN= req POST $REL '{}'
	expect_error 401 '["Authentication required"]'
	expect_unchanged "refused releases" "$before"
	# Unknown fields are ignored, as everywhere; a coded reason of its own code is one.
	req POST $REL '{"dry_run":true,"patient_ids":[124]}'
	expect_status 200
	expect_json '[.planned_count, ([.releases[].patient_id] | unique)]' '[3,[123,1003]]'
	req POST $REL '{"dry_run":true,"reason":{"code":"authorization_ended","note":"monthly"}}'
	expect_status 200
	expect_unchanged "dry runs" "$before"
}

# A thousand patients a call: the rest are counted in remaining, and
# released by the next call; lcm-admin calls until none remains.
test_release_at_most_a_thousand_patients_a_call() {
	rel_patients 2000 3000
	db_sql "INSERT INTO ecm_members (patient_id, member_id, ecm_benefit_auth_eff_date,
		ecm_benefit_auth_end_date, created_at, updated_at)
		SELECT seq, CONCAT('BIG', seq), UTC_DATE() - INTERVAL 90 DAY, UTC_DATE() - INTERVAL 2 DAY,
		NOW(3), NOW(3) FROM seq_2000_to_3000"
	db_sql "INSERT INTO case_loads (patient_id, provider_id, olcm_user_id, olcm_assigned_at,
		ilcm_user_id, ilcm_assigned_at, created_at, updated_at)
		SELECT seq, 456, IF(seq % 2, 101, 102), NOW(3), IF(seq % 3, 103, NULL), NOW(3), NOW(3), NOW(3)
		FROM seq_2000_to_3000"
	req POST $REL '{"dry_run":true}'
	expect_status 200
	expect_json '[.patients_count, .remaining, .releases[0].patient_id, .releases[-1].patient_id]' \
		'[1000,1,2000,2999]'
	req POST $REL '{}'
	expect_json '[.patients_count, .remaining]' '[1000,1]'
	expect_eq "left" 1 "$(db_sql 'SELECT COUNT(*) FROM case_loads WHERE olcm_user_id IS NOT NULL OR ilcm_user_id IS NOT NULL')"
	rel_expect_bookkeeping_exact
	req POST $REL '{}'
	expect_json '[.patients_count, .remaining, ([.releases[].patient_id] | unique)]' '[1,0,[3000]]'
	rel_expect_bookkeeping_exact
	# Through lcm-admin: every batch, until none remains.
	db_sql "UPDATE case_loads SET olcm_user_id = 101, olcm_assigned_at = NOW(3) WHERE patient_id BETWEEN 2000 AND 3000"
	rel_admin release-ended
	expect_eq "lcm-admin exit ($OUT)" 0 "$RC"
	grep -qE '^release-ended: 1001 roles of 1001 patients released \(as of [0-9-]{10}, request lcm-admin-[^)]*\)$' <<<"$OUT" ||
		fail "lcm-admin's summary: $OUT"
	expect_eq "none left" 0 "$(db_sql 'SELECT COUNT(*) FROM case_loads WHERE olcm_user_id IS NOT NULL OR ilcm_user_id IS NOT NULL')"
	rel_expect_bookkeeping_exact
}

test_release_lcm_admin_does_the_same_for_operators() {
	local before rid
	rel_clinic
	before=$(snapshot)
	rel_admin release-ended --dry-run
	expect_eq "dry run exit ($OUT)" 0 "$RC"
	grep -qE '^release-ended: dry run: 3 roles of 2 patients to release, 0 more after them \(as of [0-9-]{10}\)$' <<<"$OUT" ||
		fail "lcm-admin's dry run summary: $OUT"
	expect_unchanged "lcm-admin's dry run" "$before"
	rel_admin release-ended
	expect_eq "exit ($OUT)" 0 "$RC"
	rid=$(sed -n 's/.*, request \(.*\))$/\1/p' <<<"$OUT")
	expect_eq "summary" "release-ended: 3 roles of 2 patients released (as of $(sed -n 's/.*(as of \([0-9-]*\),.*/\1/p' <<<"$OUT"), request $rid)" "$OUT"
	# No user: an operator's. Its history says so, its access-log records too.
	expect_eq "activity rows" "123 olcm authorization_ended release_ended NULL $rid
123 ilcm authorization_ended release_ended NULL $rid
1003 ilcm authorization_ended release_ended NULL $rid" \
		"$(db_sql "SELECT patient_id, role, reason_code, source, IFNULL(actor_user_id, 'NULL'), request_id
			FROM patient_activities WHERE source = 'release_ended' ORDER BY id" | tr '\t' ' ')"
	req GET "$P/patients/123/lead_care_managers/history?role=ilcm"
	expect_json '.history[0] | [.user.id, (.ended_at != null), .ended_by]' '[102,true,null]'
	expect_eq "access records, written before it exits" "123 0 $rid
123 0 $rid
1003 0 $rid" "$(db_sql "SELECT patient_id, actor_user_id, request_id FROM phi_access_log
		WHERE action = 'release_ended' ORDER BY patient_id" | tr '\t' ' ')"
	req GET $P/patients/123/access_log
	expect_json '[.access_log[] | select(.action == "release_ended") | .actor] | unique' '[null]'
	rel_expect_bookkeeping_exact
	rel_admin release-ended
	expect_eq "again: exit ($OUT)" 0 "$RC"
	grep -q '^release-ended: 0 roles of 0 patients released ' <<<"$OUT" || fail "again: $OUT"
	# A usage error is 2; a database it cannot reach, 1.
	rel_admin release-ended --now
	expect_eq "bad option exit ($OUT)" 2 "$RC"
	sed "s|^db_socket = .*|db_socket = $T_TMP/no-such.sock|" "$HVAR/lcm.conf" >"$T_TMP/away.conf"
	OUT=$("$LCM_ADMIN" --config "$T_TMP/away.conf" release-ended 2>&1)
	RC=$?
	expect_eq "unreachable database exit ($OUT)" 1 "$RC"
}

# A MIF import that moves an end date while the release runs: the release
# read the member as ended, then waits for the case load the import holds;
# once the import commits, the release reads the authorization again under
# the lock and leaves the member alone. (On a machine so slow that the
# release gives up waiting, 503, the round runs again.)
test_release_reads_the_authorization_again_under_the_lock() {
	local round pid importer status=
	rel_clinic
	for round in 1 2 3; do
		# A gate (a named lock another session holds until release_holder
		# ends it), then the import, which changes 123's member, locks its
		# case load, and commits once the gate opens.
		db_sql "SELECT GET_LOCK('rel_gate', 0); SELECT SLEEP(600)" >/dev/null 2>&1 &
		HOLDER=$!
		rel_wait_query 'SELECT SLEEP(600)%'
		db_sql "START TRANSACTION;
			UPDATE ecm_members SET ecm_benefit_auth_end_date = UTC_DATE() + INTERVAL 30 DAY
			WHERE patient_id = 123;
			SELECT id FROM case_loads WHERE patient_id = 123 FOR UPDATE;
			SELECT GET_LOCK('rel_gate', 600); COMMIT; SELECT 'committed'" >"$T_TMP/importer.out" 2>&1 &
		importer=$!
		rel_wait_query "SELECT GET_LOCK('rel_gate', 600)%"
		LAST_REQ="POST $REL {} (while 123's case load is held)"
		curl -s -o "$T_TMP/rel.body" -w '%{http_code}' -X POST -H 'X-User-Token: dev-admin-token' \
			-H 'Content-Type: application/json' --data-binary '{}' "$BASE$REL" >"$T_TMP/rel.status" &
		pid=$!
		wait_for_app_statement
		release_holder
		wait "$importer"
		wait "$pid"
		status=$(cat "$T_TMP/rel.status")
		[ "$status" = 503 ] || break
		db_sql "UPDATE ecm_members SET ecm_benefit_auth_end_date = UTC_DATE() - INTERVAL 2 DAY
			WHERE patient_id = 123"
	done
	BODY=$(cat "$T_TMP/rel.body")
	STATUS=$status
	expect_status 200
	grep -q '^committed$' "$T_TMP/importer.out" || fail "the import did not commit: $(cat "$T_TMP/importer.out")"
	expect_json '[.releases[] | [.patient_id, .role]]' '[[1003,"ilcm"]]'
	expect_json '[.patients_count, .released_count]' '[1,1]'
	expect_eq "123 keeps its LCMs" "101 102" "$(db_sql 'SELECT olcm_user_id, ilcm_user_id FROM case_loads WHERE patient_id = 123' | tr '\t' ' ')"
	rel_expect_bookkeeping_exact
}

# rel_wait_query PATTERN: until a session of root runs a statement LIKE PATTERN (10 s at most).
rel_wait_query() {
	local i
	for i in $(seq 1 200); do
		[ "$(db_sql "SELECT COUNT(*) FROM information_schema.processlist
			WHERE user = 'root' AND info LIKE \"$1\"")" -gt 0 ] && return 0
		sleep 0.05
	done
	fail "no session ran $1"
}
