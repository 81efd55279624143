# Assignment history: periods built from the patient activities, each
# change and its history one atomic write; reasons as a note or a code.

P=/v1/admin/clinic/ecm
LCM=$P/lead_care_managers

test_history_empty_for_a_patient_never_assigned() {
	req GET $P/patients/124/lead_care_managers/history
	expect_status 200
	expect_json . '{"history":[],"pagination":{"current_page":1,"total_pages":0,"total_count":0,"per_page":25}}'
}

test_history_unknown_patient_404() {
	req GET $P/patients/999/lead_care_managers/history
	expect_error 404 '["Patient not found"]'
	req GET $P/patients/abc/lead_care_managers/history
	expect_error 404 '["Not found"]'
}

test_history_after_assign_update_remove_and_bulk() {
	local t1 t2 t3
	req POST $LCM/assign '{"patient_id":123,"olcm_user_id":101,"reason":{"code":"initial_assignment","note":"intake"}}'
	expect_status 200
	sleep 0.01
	req PUT $LCM/assign '{"patient_id":123,"olcm_user_id":102,"reason":"covering for leave"}'
	expect_status 200
	sleep 0.01
	req DELETE $LCM/assign '{"patient_id":123,"role":"olcm","reason":{"code":"staffing_change"}}'
	expect_status 200
	sleep 0.01
	req POST $LCM/bulk_assign '{"assignments":[{"patient_id":123,"olcm_user_id":103,"reason":{"code":"workload_balance","note":"rebalanced"}}]}'
	expect_json .successful_count 1
	req GET $P/patients/123/lead_care_managers/history
	expect_status 200
	expect_json '.pagination' '{"current_page":1,"total_pages":1,"total_count":3,"per_page":25}'
	expect_json '[.history[] | {role, user: .user.id, ended: (.ended_at != null), started_by, ended_by, reason, source}]' \
		'[{"role":"olcm","user":103,"ended":false,"started_by":{"id":1,"name":"Ada Admin"},"ended_by":null,"reason":{"code":"workload_balance","note":"rebalanced"},"source":"bulk"},{"role":"olcm","user":102,"ended":true,"started_by":{"id":1,"name":"Ada Admin"},"ended_by":{"id":1,"name":"Ada Admin"},"reason":{"code":null,"note":"covering for leave"},"source":"update"},{"role":"olcm","user":101,"ended":true,"started_by":{"id":1,"name":"Ada Admin"},"ended_by":{"id":1,"name":"Ada Admin"},"reason":{"code":"initial_assignment","note":"intake"},"source":"assign"}]'
	expect_json '.history[0].user' '{"id":103,"name":"Carla Intensive","email":"carla.intensive@example.test"}'
	# A change's end is the next period's start; the removal's, its own time.
	t1=$(printf '%s' "$BODY" | jq -r '.history[2].ended_at')
	t2=$(printf '%s' "$BODY" | jq -r '.history[1].started_at')
	expect_eq "101's period ends when 102's starts" "$t2" "$t1"
	t3=$(printf '%s' "$BODY" | jq -r '.history[1].ended_at')
	expect_eq "102's period ends with the removal" \
		"$(db_sql "SELECT DATE_FORMAT(created_at, '%Y-%m-%dT%H:%i:%s.%fZ') FROM patient_activities WHERE patient_id = 123 AND activity_type = 'lcm_removed'" | sed 's/\([0-9]\{3\}\)[0-9]\{3\}Z$/\1Z/')" "$t3"
	# The current period started when the care team says it was assigned, to the millisecond.
	local started
	started=$(printf '%s' "$BODY" | jq -r '.history[0].started_at')
	req GET $P/patients/123/lead_care_managers
	expect_json .case_load.olcm.assigned_at "\"$started\""
}

test_history_current_started_at_is_assigned_at_for_both_roles() {
	local i
	for i in 1 2 3 4 5; do
		req POST $LCM/assign "{\"patient_id\":125,\"olcm_user_id\":$((100 + i % 2 + 1)),\"ilcm_user_id\":$((100 + (i + 1) % 2 + 1))}"
		expect_status 200
	done
	req GET $P/patients/125/lead_care_managers
	local o i2
	o=$(printf '%s' "$BODY" | jq -r .case_load.olcm.assigned_at)
	i2=$(printf '%s' "$BODY" | jq -r .case_load.ilcm.assigned_at)
	req GET "$P/patients/125/lead_care_managers/history?role=olcm&per_page=1"
	expect_json '.history[0].started_at' "\"$o\""
	expect_json '.history[0].ended_at' null
	req GET "$P/patients/125/lead_care_managers/history?role=ilcm&per_page=1"
	expect_json '.history[0].started_at' "\"$i2\""
}

test_history_role_filter_and_pages() {
	req POST $LCM/assign '{"patient_id":126,"olcm_user_id":101,"ilcm_user_id":102}'
	req POST $LCM/assign '{"patient_id":126,"olcm_user_id":103}'
	req GET $P/patients/126/lead_care_managers/history
	expect_json '.pagination.total_count' 3
	expect_json '[.history[].role] | sort' '["ilcm","olcm","olcm"]'
	req GET "$P/patients/126/lead_care_managers/history?role=ilcm"
	expect_json '[.history[] | {role, user: .user.id}]' '[{"role":"ilcm","user":102}]'
	req GET "$P/patients/126/lead_care_managers/history?role=olcm&per_page=1&page=2"
	expect_json '[.history[] | .user.id]' '[101]'
	expect_json '.pagination' '{"current_page":2,"total_pages":2,"total_count":2,"per_page":1}'
	req GET "$P/patients/126/lead_care_managers/history?page=9"
	expect_json '.history' '[]'
}

test_history_query_validation_422_named() {
	req GET "$P/patients/123/lead_care_managers/history?page=0&per_page=101&role=boss"
	expect_error 422 '["page must be a positive integer","per_page must be an integer between 1 and 100","role must be olcm or ilcm"]'
}

test_history_requires_admin() {
	TOKEN=dev-user-token
	req GET $P/patients/123/lead_care_managers/history
	expect_error 403
	TOKEN=""
	req GET $P/patients/123/lead_care_managers/history
	expect_error 401
}

test_reason_object_validation_changes_nothing() {
	seed
	local before
	before=$(snapshot)
	req POST $LCM/assign '{"patient_id":123,"olcm_user_id":103,"reason":{"code":"bogus","note":"x"}}'
	expect_error 422 '["reason.code must be one of member_request, provider_request, staffing_change, workload_balance, acuity_change, initial_assignment, other, authorization_ended"]'
	req POST $LCM/assign '{"patient_id":123,"olcm_user_id":103,"reason":{"note":"no code"}}'
	expect_error 422 '["reason.code is required"]'
	req POST $LCM/assign '{"patient_id":123,"olcm_user_id":103,"reason":{"code":"other","note":5}}'
	expect_error 422 '["reason.note must be a string of at most 500 characters"]'
	req PUT $LCM/assign '{"patient_id":123,"olcm_user_id":103,"reason":{"code":7}}'
	expect_error 422
	req DELETE $LCM/assign '{"patient_id":123,"role":"olcm","reason":[]}'
	expect_error 422 '["reason must be a string of at most 500 characters"]'
	req POST $LCM/bulk_assign '{"assignments":[{"patient_id":123,"olcm_user_id":103,"reason":{"code":"nope"}}]}'
	expect_status 200
	expect_json '.results[0].errors[0] | startswith("reason.code must be one of")' true
	expect_unchanged "bad reasons" "$before"
}

test_reason_code_and_note_stored_on_the_activity() {
	req POST $LCM/assign '{"patient_id":124,"olcm_user_id":101,"reason":{"code":"member_request","note":"asked by phone"}}'
	expect_status 200
	expect_eq "stored" "member_request	asked by phone	assign" \
		"$(db_sql 'SELECT reason_code, reason, source FROM patient_activities WHERE patient_id = 124')"
	req POST $LCM/assign '{"patient_id":124,"olcm_user_id":102,"reason":{"code":"other","note":null}}'
	expect_eq "a null note is none" "other	NULL" \
		"$(db_sql 'SELECT reason_code, IFNULL(reason, "NULL") FROM patient_activities WHERE patient_id = 124 ORDER BY id DESC LIMIT 1')"
}
