# Departures and balancing: transfers, auto-assign and bulk dry runs, each
# dry run exactly what the real run then does, and writing nothing.

P=/v1/admin/clinic/ecm
LCM=$P/lead_care_managers

more_patients() {
	db_sql "INSERT INTO patients (id, name, primary_provider_id)
		SELECT seq, CONCAT('Patient ', seq), 456 FROM seq_$1_to_$2"
}

# held_by USER FROM TO ROLE: patients FROM..TO get USER in ROLE.
held_by() {
	db_sql "INSERT INTO case_loads (patient_id, provider_id, ${4}_user_id, ${4}_assigned_at, created_at, updated_at)
		SELECT seq, 456, $1, NOW(3), NOW(3), NOW(3) FROM seq_$2_to_$3
		ON DUPLICATE KEY UPDATE ${4}_user_id = $1, ${4}_assigned_at = NOW(3)"
}

# A run's answer without what says whether it was a dry run.
plan_of() {
	printf '%s' "$1" | jq -c 'del(.dry_run, .planned_count, .moved_count, .assigned_count) |
		(.moves // .assignments // .results) |= map(del(.status))'
}

test_transfer_all_of_a_users_patients_to_one() {
	req POST $LCM/bulk_assign '{"assignments":[{"patient_id":123,"olcm_user_id":101,"ilcm_user_id":101},{"patient_id":124,"olcm_user_id":101},{"patient_id":125,"ilcm_user_id":101,"olcm_user_id":103}]}'
	req POST $LCM/transfer '{"from_user_id":101,"to_user_ids":[102],"reason":{"code":"staffing_change","note":"Jane leaves"}}'
	expect_status 200
	expect_json '{dry_run, moved_count, failed_count}' '{"dry_run":false,"moved_count":4,"failed_count":0}'
	expect_json '[.moves[] | [.patient_id, .role, .from_user_id, .to_user_id, .status]]' \
		'[[123,"olcm",101,102,"moved"],[123,"ilcm",101,102,"moved"],[124,"olcm",101,102,"moved"],[125,"ilcm",101,102,"moved"]]'
	expect_json '.counts' '[{"user_id":101,"olcm_before":2,"ilcm_before":2,"olcm_after":0,"ilcm_after":0,"olcm_weighted_load_after":0,"ilcm_weighted_load_after":0},{"user_id":102,"olcm_before":0,"ilcm_before":0,"olcm_after":2,"ilcm_after":2,"olcm_weighted_load_after":2,"ilcm_weighted_load_after":2}]'
	expect_eq "101 holds nothing" 0 "$(db_sql 'SELECT COUNT(*) FROM case_loads WHERE olcm_user_id = 101 OR ilcm_user_id = 101')"
	expect_eq "activity rows of the transfer" "4 transfer staffing_change Jane leaves $(request_id)" \
		"$(db_sql "SELECT COUNT(*), MIN(source), MIN(reason_code), MIN(reason), MIN(request_id) FROM patient_activities WHERE source = 'transfer'" | tr '\t' ' ')"
	req GET $P/patients/123/lead_care_managers/history?role=olcm
	expect_json '.history[0] | {user: .user.id, source, reason}' '{"user":102,"source":"transfer","reason":{"code":"staffing_change","note":"Jane leaves"}}'
	expect_trail_consistent 123 olcm
	expect_trail_consistent 125 ilcm
}

test_transfer_shares_by_room_then_fewest_then_id() {
	more_patients 1000 1009
	held_by 101 1000 1009 olcm
	held_by 102 123 125 olcm
	req PUT $LCM/102/capacity '{"max_olcm":5}'
	req PUT $LCM/103/capacity '{"max_olcm":4}'
	# Room: 102 has 2 (5 - 3), 103 has 4, Nora (2) no limit: Nora first until... she has no
	# limit, so all ten go to her? No: no limit is the most room, so Nora takes every one.
	req POST $LCM/transfer '{"from_user_id":101,"to_user_ids":[102,103,2],"role":"olcm","dry_run":true}'
	expect_json '[.moves[].to_user_id] | unique' '[2]'
	# Without the unlimited taker: 103 (room 4) first, then by room, then fewest, then id.
	req POST $LCM/transfer '{"from_user_id":101,"to_user_ids":[102,103],"role":"olcm","dry_run":true}'
	expect_json '[.moves[].to_user_id]' '[103,103,103,102,103,102,null,null,null,null]'
	expect_json '[.moves[] | select(.status == "failed") | .errors[0]] | unique' '["No taker is below its olcm limit"]'
	expect_json '.counts' '[{"user_id":101,"olcm_before":10,"ilcm_before":0,"olcm_after":4,"ilcm_after":0,"olcm_weighted_load_after":4,"ilcm_weighted_load_after":0},{"user_id":102,"olcm_before":3,"ilcm_before":0,"olcm_after":5,"ilcm_after":0,"olcm_weighted_load_after":5,"ilcm_weighted_load_after":0},{"user_id":103,"olcm_before":0,"ilcm_before":0,"olcm_after":4,"ilcm_after":0,"olcm_weighted_load_after":4,"ilcm_weighted_load_after":0}]'
	# With override (and a reason) the rest go past the limits, fewest first.
	req POST $LCM/transfer '{"from_user_id":101,"to_user_ids":[102,103],"role":"olcm","override_capacity":true,"reason":"ward closing","dry_run":true}'
	expect_json '.failed_count' 0
	expect_json '[.moves[] | select(.capacity_override) | .patient_id]' '[1006,1007,1008,1009]'
}

test_transfer_dry_run_is_the_real_run_and_writes_nothing() {
	more_patients 1000 1029
	held_by 101 1000 1019 olcm
	held_by 101 1010 1029 ilcm
	req PUT $LCM/102/capacity '{"max_olcm":7,"max_ilcm":3}'
	req PUT $LCM/103/capacity '{"max_ilcm":9}'
	local before dry real
	before=$(snapshot)
	req POST $LCM/transfer '{"from_user_id":101,"to_user_ids":[103,102],"dry_run":true}'
	expect_status 200
	expect_json '.dry_run' true
	expect_json '[.moves[].status] | unique' '["failed","planned"]'
	dry=$BODY
	expect_unchanged "a dry run" "$before"
	req POST $LCM/transfer '{"from_user_id":101,"to_user_ids":[103,102]}'
	expect_status 200
	real=$BODY
	expect_eq "the real run did what the dry run said" "$(plan_of "$dry")" "$(plan_of "$real")"
	expect_eq "moved" "$(printf '%s' "$real" | jq '.moved_count')" \
		"$(db_sql "SELECT COUNT(*) FROM patient_activities WHERE source = 'transfer'")"
}

test_transfer_named_patients() {
	req POST $LCM/assign '{"patient_id":123,"olcm_user_id":101}'
	req POST $LCM/assign '{"patient_id":124,"olcm_user_id":102}'
	req POST $LCM/transfer '{"from_user_id":101,"to_user_ids":[103],"role":"olcm","patient_ids":[123,124,999]}'
	expect_status 200
	expect_json '[.moves[] | {patient_id, status, errors}]' \
		'[{"patient_id":123,"status":"moved","errors":null},{"patient_id":124,"status":"failed","errors":["Patient 124'"'"'s olcm is not user 101"]},{"patient_id":999,"status":"failed","errors":["Patient not found"]}]'
	expect_eq "124 kept its oLCM" 102 "$(cl_col olcm_user_id 124)"
}

test_transfer_validation() {
	seed
	local before
	before=$(snapshot)
	req POST $LCM/transfer '{}'
	expect_error 422 '["from_user_id is required","to_user_ids is required"]'
	req POST $LCM/transfer '{"from_user_id":101,"to_user_ids":[101,102,102],"role":"x","patient_ids":[]}'
	expect_error 422 '["to_user_ids holds 102 twice","to_user_ids must not hold from_user_id","role must be olcm or ilcm","patient_ids must be an array of 1 to 1000 patient ids"]'
	req POST $LCM/transfer '{"from_user_id":101,"to_user_ids":["102"],"dry_run":"yes","override_capacity":true}'
	expect_error 422 '["to_user_ids must be an array of 1 to 100 user ids","dry_run must be true or false","override_capacity needs a reason"]'
	req POST $LCM/transfer '{"from_user_id":101,"to_user_ids":[104]}'
	expect_error 422 '["User 104 is not eligible to be a Lead Care Manager"]'
	req POST $LCM/transfer '{"from_user_id":101,"to_user_ids":[9999]}'
	expect_error 422 '["User 9999 is not eligible to be a Lead Care Manager"]'
	req POST $LCM/transfer '{"from_user_id":9999,"to_user_ids":[102]}'
	expect_error 404 '["User not found"]'
	expect_unchanged "refused transfers" "$before"
}

# Regression: an explicit null read as absent: "dry_run": null ran for real,
# "role": null moved both roles, "patient_ids": null every patient.
test_null_options_are_refused_and_change_nothing() {
	local before f k
	seed
	before=$(snapshot)
	for f in '"dry_run":null' '"override_capacity":null' '"role":null' '"patient_ids":null'; do
		req POST $LCM/transfer "{\"from_user_id\":101,\"to_user_ids\":[103],$f}"
		expect_status 422
		k=${f%%:*}
		expect_json ".errors | length == 1 and (.[0] | startswith(\"${k//\"/} must be\"))" true
	done
	for f in '"dry_run":null' '"user_ids":null' '"override_capacity":null'; do
		req POST $LCM/auto_assign "{\"role\":\"olcm\",\"unassigned\":true,$f}"
		expect_status 422
		k=${f%%:*}
		expect_json ".errors | length == 1 and (.[0] | startswith(\"${k//\"/} must be\"))" true
	done
	req POST $LCM/auto_assign '{"role":"olcm","patient_ids":[124],"unassigned":null}'
	expect_error 422 '["unassigned must be true or false"]'
	req POST $LCM/bulk_assign '{"assignments":[{"patient_id":124,"olcm_user_id":101}],"dry_run":null}'
	expect_error 422 '["dry_run must be true or false"]'
	req POST $LCM/bulk_assign '{"assignments":[{"patient_id":124,"olcm_user_id":101,"override_capacity":null}]}'
	expect_json '.results[0].errors' '["override_capacity must be true or false"]'
	expect_unchanged "null options" "$before"
	# null stays "none" where it means that: an optional id, a reason, a limit.
	req POST $LCM/assign '{"patient_id":124,"olcm_user_id":null,"ilcm_user_id":103,"reason":null}'
	expect_status 200
	req PUT $LCM/103/capacity '{"max_olcm":null}'
	expect_json .max_olcm null
}

test_auto_assign_fills_gaps_previous_holder_first() {
	more_patients 1000 1005
	# 1000 had 103 as iLCM, removed; 1001 had 104, now inactive.
	req POST $LCM/assign '{"patient_id":1000,"ilcm_user_id":103}'
	req DELETE $LCM/assign '{"patient_id":1000,"role":"ilcm"}'
	db_sql "UPDATE users SET active = 1 WHERE id = 104"
	req POST $LCM/assign '{"patient_id":1001,"ilcm_user_id":104}'
	req DELETE $LCM/assign '{"patient_id":1001,"role":"ilcm"}'
	db_sql "UPDATE users SET active = 0 WHERE id = 104"
	req POST $LCM/auto_assign '{"role":"ilcm","patient_ids":[1000,1001,1002,1003],"user_ids":[102,103],"dry_run":true}'
	expect_status 200
	local dry
	dry=$BODY
	expect_json '[.assignments[] | [.patient_id, .user_id, .continuity, .status]]' \
		'[[1000,103,true,"planned"],[1001,102,false,"planned"],[1002,102,false,"planned"],[1003,103,false,"planned"]]'
	req POST $LCM/auto_assign '{"role":"ilcm","patient_ids":[1000,1001,1002,1003],"user_ids":[102,103]}'
	expect_eq "the real run did what the dry run said" "$(plan_of "$dry")" "$(plan_of "$BODY")"
	expect_eq "made case loads" 4 "$(db_sql 'SELECT COUNT(*) FROM case_loads WHERE patient_id BETWEEN 1000 AND 1003 AND ilcm_user_id IS NOT NULL')"
	req POST $LCM/auto_assign '{"role":"ilcm","patient_ids":[1000]}'
	expect_json '.assignments[0] | {status, errors}' '{"status":"failed","errors":["Patient 1000 has an ilcm already"]}'
}

# A patient's previous holder is found by the history's key, however long
# the histories of others after theirs: the catalogue's statement reads each
# patient's activities by (patient, role, id), never the whole table
# backwards by id (which took 150 ms for 1000 patients in 37,000 rows).
test_previous_holders_are_read_by_key_not_by_scan() {
	local sql plan
	if ! sql=$(catalogue_sql previous_holders 2>&1); then
		fail "the catalogue's statement could not be printed: $sql"
		return
	fi
	req POST $LCM/assign '{"patient_id":123,"olcm_user_id":101,"ilcm_user_id":102}'
	req DELETE $LCM/assign '{"patient_id":123,"role":"ilcm"}'
	# Then 2000 other patients' histories, six changes of the iLCM each.
	more_patients 1000 2999
	held_by 101 1000 2999 olcm
	db_sql "INSERT INTO patient_activities (patient_id, case_load_id, activity_type, role,
			previous_user_id, new_user_id, actor_user_id, source, created_at)
		SELECT c.patient_id, c.id, 'lcm_changed', 'ilcm', 102 + s.seq % 2, 103 - s.seq % 2, 1, 'assign', NOW(3)
		FROM case_loads c JOIN seq_1_to_6 s WHERE c.patient_id BETWEEN 1000 AND 2999 ORDER BY s.seq, c.patient_id;
		ANALYZE TABLE patient_activities" >/dev/null
	plan=$(db_sql "EXPLAIN $(bind_sql "$sql" "'[123]'" "'ilcm'")" | awk -F'\t' '$3 == "a" { print $4 ":" $6 }')
	expect_eq "how the history is read" "ref:ix_patient_activities_history" "$plan"
	req POST $LCM/auto_assign '{"role":"ilcm","patient_ids":[123],"user_ids":[103,102],"dry_run":true}'
	expect_json '.assignments[0] | [.user_id, .continuity]' '[102,true]'
}

test_auto_assign_unassigned_uses_every_eligible_user() {
	req POST $LCM/assign '{"patient_id":123,"olcm_user_id":101}'
	req PUT $LCM/102/capacity '{"max_olcm":0}'
	req POST $LCM/auto_assign '{"role":"olcm","unassigned":true}'
	expect_status 200
	expect_json '{assigned_count, failed_count, more_unassigned}' '{"assigned_count":3,"failed_count":0,"more_unassigned":false}'
	expect_json '[.assignments[] | [.patient_id, .user_id]]' '[[124,2],[125,103],[126,2]]'
	expect_eq "every patient has an oLCM" 4 "$(db_sql 'SELECT COUNT(*) FROM case_loads WHERE olcm_user_id IS NOT NULL')"
	req POST $LCM/auto_assign '{"role":"olcm","unassigned":true}'
	expect_json '{assigned_count, assignments}' '{"assigned_count":0,"assignments":[]}'
}

test_auto_assign_validation() {
	req POST $LCM/auto_assign '{}'
	expect_error 422 '["role is required","Give patient_ids or \"unassigned\": true, one of them"]'
	req POST $LCM/auto_assign '{"role":"olcm","patient_ids":[123],"unassigned":true}'
	expect_error 422 '["Give patient_ids or \"unassigned\": true, one of them"]'
	req POST $LCM/auto_assign '{"role":"olcm","unassigned":true,"user_ids":[104]}'
	expect_error 422 '["User 104 is not eligible to be a Lead Care Manager"]'
	req POST $LCM/auto_assign '{"role":"olcm","unassigned":true,"override_capacity":true,"reason":"x"}'
	expect_error 422
	expect_eq "nothing written" 0 "$(db_sql 'SELECT COUNT(*) FROM case_loads')"
}

test_bulk_dry_run_is_the_real_run_and_writes_nothing() {
	seed
	req PUT $LCM/103/capacity '{"max_olcm":1}'
	local body before dry
	body='{"assignments":[{"patient_id":124,"olcm_user_id":103},{"patient_id":125,"olcm_user_id":103},{"patient_id":124,"olcm_user_id":101},{"patient_id":125,"olcm_user_id":103},{"patient_id":999,"olcm_user_id":101},{"patient_id":126,"olcm_user_id":104},"x"]'
	before=$(snapshot)
	req POST $LCM/bulk_assign "$body,\"dry_run\":true}"
	expect_status 200
	expect_json .dry_run true
	dry=$BODY
	expect_unchanged "a bulk dry run" "$before"
	expect_json '[.results[].status]' '["success","failed","success","success","failed","failed","failed"]'
	req POST $LCM/bulk_assign "$body}"
	expect_json 'has("dry_run")' false
	expect_eq "the real run's results are the dry run's" \
		"$(printf '%s' "$dry" | jq -c 'del(.dry_run)')" "$BODY"
	req POST $LCM/bulk_assign '{"assignments":[{"patient_id":123,"olcm_user_id":101}],"dry_run":"no"}'
	expect_error 422 '["dry_run must be true or false"]'
}
