# Patient activities: every change of a Lead Care Manager assignment
# (assign, update, remove, bulk item) writes one row per changed role, in the
# same transaction as the change, with the acting admin and the reason.

P=/v1/admin/clinic/ecm
LCM=$P/lead_care_managers

# The activity rows from id $1 on, space-separated:
# patient case_load type role previous new actor reason.
acts() {
	db_sql "SELECT patient_id, case_load_id, activity_type, role, IFNULL(previous_user_id, 'NULL'),
		IFNULL(new_user_id, 'NULL'), actor_user_id, IFNULL(reason, 'NULL')
		FROM patient_activities WHERE id >= ${1:-0} ORDER BY id" | tr '\t' ' '
}

next_act_id() {
	db_sql "SELECT IFNULL(MAX(id), 0) + 1 FROM patient_activities"
}

# Make the database refuse every activity row for patients 124 and 126 (a
# CHECK constraint: the insert fails inside the write's transaction).
refuse_activities() {
	db_sql "ALTER TABLE patient_activities ADD CONSTRAINT ck_lcm_test_refuse CHECK (patient_id NOT IN (124, 126))" ||
		fail "constraint not added"
}

allow_activities() {
	db_sql "ALTER TABLE patient_activities DROP CONSTRAINT IF EXISTS ck_lcm_test_refuse"
}

test_activity_assign_new_case_load_one_row_per_role() {
	req POST $LCM/assign '{"patient_id":123,"olcm_user_id":101,"ilcm_user_id":102,"reason":"Initial setup"}'
	expect_status 200
	local cl
	cl=$(cl_col id 123)
	expect_eq "rows" "123 $cl lcm_assigned olcm NULL 101 1 Initial setup
123 $cl lcm_assigned ilcm NULL 102 1 Initial setup" "$(acts)"
	# Stamped with the request's id and a time.
	expect_eq "request ids" "$(request_id)" \
		"$(db_sql 'SELECT DISTINCT request_id FROM patient_activities')"
	expect_eq "created_at set" 0 "$(db_sql 'SELECT COUNT(*) FROM patient_activities WHERE created_at IS NULL')"
}

test_activity_one_role_one_row_reason_optional() {
	req POST $LCM/assign '{"patient_id":126,"ilcm_user_id":103}'
	expect_status 200
	expect_eq "rows" "126 $(cl_col id 126) lcm_assigned ilcm NULL 103 1 NULL" "$(acts)"
}

test_activity_update_writes_only_changed_roles() {
	seed
	local from cl
	from=$(next_act_id)
	cl=$(cl_col id 123)
	req POST $LCM/assign '{"patient_id":123,"olcm_user_id":103,"ilcm_user_id":102,"reason":"Rebalance"}'
	expect_status 200
	expect_eq "rows" "123 $cl lcm_changed olcm 101 103 1 Rebalance" "$(acts "$from")"
	from=$(next_act_id)
	req POST $LCM/assign '{"patient_id":123,"olcm_user_id":102,"ilcm_user_id":101}'
	expect_status 200
	expect_eq "rows" "123 $cl lcm_changed olcm 103 102 1 NULL
123 $cl lcm_changed ilcm 102 101 1 NULL" "$(acts "$from")"
	# Adding the missing role of an existing case load.
	from=$(next_act_id)
	req POST $LCM/assign '{"patient_id":126,"olcm_user_id":2,"reason":"Add outreach"}'
	expect_status 200
	expect_eq "rows" "126 $(cl_col id 126) lcm_assigned olcm NULL 2 1 Add outreach" "$(acts "$from")"
}

test_activity_put_writes_row() {
	seed
	local from
	from=$(next_act_id)
	req PUT $LCM/assign '{"patient_id":126,"ilcm_user_id":101,"reason":"PUT change"}'
	expect_status 200
	expect_eq "rows" "126 $(cl_col id 126) lcm_changed ilcm 103 101 1 PUT change" "$(acts "$from")"
}

test_activity_no_change_no_row() {
	seed
	local before
	before=$(snapshot)
	req POST $LCM/assign '{"patient_id":123,"olcm_user_id":101,"reason":"same"}'
	expect_status 200
	req PUT $LCM/assign '{"patient_id":123,"olcm_user_id":101,"ilcm_user_id":102,"reason":"same"}'
	expect_status 200
	req DELETE $LCM/assign '{"patient_id":126,"role":"olcm","reason":"already empty"}'
	expect_status 200
	req POST $LCM/bulk_assign '{"assignments":[{"patient_id":126,"ilcm_user_id":103,"reason":"same"}]}'
	expect_status 200
	expect_json '.results[0].status' '"success"'
	expect_unchanged "writes that change nothing" "$before"
}

test_activity_remove_row_new_user_null() {
	seed
	local from cl
	from=$(next_act_id)
	cl=$(cl_col id 123)
	req DELETE $LCM/assign '{"patient_id":123,"role":"olcm","reason":"Left the team"}'
	expect_status 200
	expect_eq "rows" "123 $cl lcm_removed olcm 101 NULL 1 Left the team" "$(acts "$from")"
	expect_eq "request id" "$(request_id)" "$(db_sql "SELECT request_id FROM patient_activities WHERE id = $from")"
	from=$(next_act_id)
	req DELETE $LCM/assign '{"patient_id":123,"role":"ilcm"}'
	expect_status 200
	expect_eq "rows" "123 $cl lcm_removed ilcm 102 NULL 1 NULL" "$(acts "$from")"
	# Assigning after a removal starts from nobody.
	from=$(next_act_id)
	req POST $LCM/assign '{"patient_id":123,"olcm_user_id":103}'
	expect_status 200
	expect_eq "rows" "123 $cl lcm_assigned olcm NULL 103 1 NULL" "$(acts "$from")"
}

test_activity_bulk_items_write_rows() {
	seed
	local from
	from=$(next_act_id)
	req POST $LCM/bulk_assign '{"assignments":[
		{"patient_id":124,"olcm_user_id":101,"ilcm_user_id":102,"reason":"bulk one"},
		{"patient_id":123,"olcm_user_id":101,"ilcm_user_id":103,"reason":"bulk two"},
		{"patient_id":999,"olcm_user_id":101,"reason":"bulk bad"},
		{"patient_id":124,"olcm_user_id":104,"reason":"bulk ineligible"},
		{"patient_id":124,"olcm_user_id":103}
	]}'
	expect_status 200
	expect_json '[.results[].status]' '["success","success","failed","failed","success"]'
	local c124 c123
	c124=$(cl_col id 124)
	c123=$(cl_col id 123)
	expect_eq "rows" "124 $c124 lcm_assigned olcm NULL 101 1 bulk one
124 $c124 lcm_assigned ilcm NULL 102 1 bulk one
123 $c123 lcm_changed ilcm 102 103 1 bulk two
124 $c124 lcm_changed olcm 101 103 1 NULL" "$(acts "$from")"
	# Each item's rows carry the request id with its position: "#N".
	local rid
	rid=$(request_id)
	expect_eq "request ids" "$rid#1
$rid#2
$rid#5" "$(db_sql "SELECT DISTINCT request_id FROM patient_activities WHERE id >= $from ORDER BY id")"
}

test_activity_actor_is_acting_admin() {
	db_sql "INSERT INTO users (id, name, email, active)
		VALUES (7, 'Second Admin', 'second.admin@example.test', 1);
		INSERT INTO api_tokens (user_id, token_sha256, created_at)
		VALUES (7, UNHEX(SHA2('second-admin-token', 256)), NOW(3));
		INSERT INTO user_roles (user_id, role_id) SELECT 7, id FROM roles WHERE name = 'admin'"
	TOKEN=second-admin-token
	req POST $LCM/assign '{"patient_id":124,"olcm_user_id":101}'
	expect_status 200
	req DELETE $LCM/assign '{"patient_id":124,"role":"olcm"}'
	expect_status 200
	req POST $LCM/bulk_assign '{"assignments":[{"patient_id":125,"ilcm_user_id":102}]}'
	expect_status 200
	TOKEN=dev-admin-token
	req POST $LCM/assign '{"patient_id":125,"ilcm_user_id":103}'
	expect_status 200
	expect_eq "actors" "124 olcm 7
124 olcm 7
125 ilcm 7
125 ilcm 1" "$(db_sql 'SELECT patient_id, role, actor_user_id FROM patient_activities ORDER BY id' | tr '\t' ' ')"
}

test_activity_reason_stored_exactly() {
	local r500 body got
	# 500 characters of two bytes each: the limit is characters.
	r500=$(printf 'é%.0s' $(seq 500))
	body=$(jq -cn --arg r "$r500" '{patient_id: 123, olcm_user_id: 101, reason: $r}')
	req POST $LCM/assign "$body"
	expect_status 200
	got=$(db_sql "SELECT CHAR_LENGTH(reason), reason = '$r500' FROM patient_activities")
	expect_eq "500-character reason" "500	1" "$got"
	# Quotes, backslashes, newlines and non-Latin text survive byte for byte.
	local text=$'He said "no"\\ then left\nline 2 — 日本'
	body=$(jq -cn --arg r "$text" '{patient_id: 123, role: "olcm", reason: $r}')
	req DELETE $LCM/assign "$body"
	expect_status 200
	expect_eq "reason bytes" "$(printf '%s' "$text" | od -An -tx1 | tr -d ' \n' | tr a-f A-F)" \
		"$(db_sql "SELECT HEX(reason) FROM patient_activities WHERE activity_type = 'lcm_removed'")"
}

test_activity_reason_validation_changes_nothing() {
	seed
	local before r501 v b
	before=$(snapshot)
	r501=$(printf 'é%.0s' $(seq 501))
	for v in "\"$r501\"" 42 true '{"text":"x"}' '["x"]'; do
		for b in "{\"patient_id\":123,\"olcm_user_id\":103,\"reason\":$v}" \
			"{\"patient_id\":124,\"olcm_user_id\":103,\"reason\":$v}"; do
			req POST $LCM/assign "$b"
			expect_error 422
			expect_json '.errors | length == 1 and (.[0] | test("reason"))' true
			req PUT $LCM/assign "$b"
			expect_error 422
			expect_json '.errors | length == 1 and (.[0] | test("reason"))' true
		done
		req DELETE $LCM/assign "{\"patient_id\":123,\"role\":\"olcm\",\"reason\":$v}"
		expect_error 422
		expect_json '.errors | length == 1 and (.[0] | test("reason"))' true
		req POST $LCM/bulk_assign "{\"assignments\":[{\"patient_id\":124,\"olcm_user_id\":103,\"reason\":$v}]}"
		expect_status 200
		expect_json '[.successful_count, .failed_count, .results[0].status]' '[0,1,"failed"]'
		expect_json '.results[0].errors | length == 1 and (.[0] | test("reason"))' true
	done
	expect_unchanged "bad reasons" "$before"
}

test_activity_same_transaction_as_change() {
	local before m b
	req POST $LCM/assign '{"patient_id":123,"olcm_user_id":101,"ilcm_user_id":102}'
	expect_status 200
	refuse_activities
	# 126's case load, made directly (its history would break the constraint).
	db_sql "INSERT INTO case_loads (patient_id, provider_id, ilcm_user_id, ilcm_assigned_at, created_at, updated_at)
		VALUES (126, NULL, 103, NOW(3), NOW(3), NOW(3))"
	sleep 0.05
	before=$(snapshot)
	# 124 has no case load (the write would create one), 126 has one (the
	# write would update or clear it): with the activity row refused, the
	# change must roll back with it.
	for b in 'POST {"patient_id":124,"olcm_user_id":101}' \
		'POST {"patient_id":126,"olcm_user_id":101,"reason":"r"}' \
		'PUT {"patient_id":126,"ilcm_user_id":102}' \
		'DELETE {"patient_id":126,"role":"ilcm"}'; do
		m=${b%% *}
		req "$m" $LCM/assign "${b#* }"
		[ "$STATUS" != 200 ] || fail "$b succeeded though its activity row was refused"
		expect_json '.errors | length > 0 and all(type == "string")' true
		case $BODY in *ck_lcm*|*CHECK*|*SQL*|*patient_activities*|*constraint*)
			fail "error body leaks internals: $BODY" ;;
		esac
	done
	expect_unchanged "writes whose activity row failed" "$before"
	# In bulk, those items fail alone; the others apply with their rows.
	req POST $LCM/bulk_assign '{"assignments":[{"patient_id":124,"olcm_user_id":101},{"patient_id":123,"olcm_user_id":103},{"patient_id":126,"olcm_user_id":102},{"patient_id":125,"ilcm_user_id":101}]}'
	expect_status 200
	expect_json '[.results[].status]' '["failed","success","failed","success"]'
	expect_json '[.successful_count, .failed_count]' '[2,2]'
	expect_json '[.results[0,2].errors | length > 0 and all(type == "string")] | all' true
	expect_eq "case loads" "123 103 102
125 NULL 101
126 NULL 103" "$(db_sql "SELECT patient_id, IFNULL(olcm_user_id, 'NULL'), IFNULL(ilcm_user_id, 'NULL') FROM case_loads ORDER BY patient_id" | tr '\t' ' ')"
	expect_eq "new activities" "123 olcm 101 103
125 ilcm NULL 101" "$(db_sql "SELECT patient_id, role, IFNULL(previous_user_id, 'NULL'), new_user_id FROM patient_activities WHERE patient_id IN (123, 125) AND id > 2 ORDER BY id" | tr '\t' ' ')"
	allow_activities
	# Allowed again, the same write goes through with its row.
	req POST $LCM/assign '{"patient_id":124,"olcm_user_id":101}'
	expect_status 200
	expect_eq "activities of 124" 1 "$(db_sql 'SELECT COUNT(*) FROM patient_activities WHERE patient_id = 124')"
}

# A change's activity rows carry the time the change gave its case load: a
# history period starts exactly when the care team says the role was assigned.
test_activity_time_is_the_case_loads_change_time() {
	req POST $LCM/assign '{"patient_id":123,"olcm_user_id":101}'
	expect_status 200
	local from
	from=$(next_act_id)
	req PUT $LCM/assign '{"patient_id":123,"olcm_user_id":102,"ilcm_user_id":103,"reason":"Rebalance"}'
	expect_status 200
	expect_eq "rows of the change" 2 "$(db_sql "SELECT COUNT(*) FROM patient_activities WHERE id >= $from")"
	expect_eq "rows stamped other than the case load's change" 0 "$(db_sql "
		SELECT COUNT(*) FROM patient_activities a JOIN case_loads c ON c.id = a.case_load_id
		WHERE a.id >= $from AND NOT (a.created_at = c.updated_at
			AND a.created_at = IF(a.role = 'olcm', c.olcm_assigned_at, c.ilcm_assigned_at))")"
	expect_eq "the patient" 123 "$(db_sql "SELECT DISTINCT patient_id FROM patient_activities WHERE id >= $from")"
}
