# DELETE /v1/admin/clinic/ecm/lead_care_managers/assign with a JSON body
# {"patient_id", "role"}: clearing one role of an existing case load.

P=/v1/admin/clinic/ecm
LCM=$P/lead_care_managers
REMOVED='{"message":"Lead Care Manager assignment removed successfully"}'

test_remove_clears_one_role_keeps_row() {
	seed
	local id i_at created upd
	id=$(cl_col id 123)
	i_at=$(cl_col ilcm_assigned_at 123)
	created=$(cl_col created_at 123)
	upd=$(cl_col updated_at 123)
	req DELETE $LCM/assign '{"patient_id":123,"role":"olcm"}'
	expect_status 200
	expect_header content-type 'application/json; charset=utf-8'
	expect_json . "$REMOVED"
	expect_eq "row after removing oLCM" "$id	NULL	NULL	102	$i_at	$created" \
		"$(cl_col 'id, olcm_user_id, olcm_assigned_at, ilcm_user_id, ilcm_assigned_at, created_at' 123)"
	[[ "$(cl_col updated_at 123)" > "$upd" ]] || fail "updated_at did not move on"
	expect_eq "other case load" "NULL	103" "$(cl_col 'olcm_user_id, ilcm_user_id' 126)"
	req GET $P/patients/123/lead_care_managers
	expect_json '.case_load | [.id, .olcm, .ilcm.user_id]' "[$id,null,102]"
}

test_remove_ilcm() {
	seed
	local o_at
	o_at=$(cl_col olcm_assigned_at 123)
	req DELETE $LCM/assign '{"patient_id":123,"role":"ilcm"}'
	expect_status 200
	expect_json . "$REMOVED"
	expect_eq "row" "101	$o_at	NULL	NULL" \
		"$(cl_col 'olcm_user_id, olcm_assigned_at, ilcm_user_id, ilcm_assigned_at' 123)"
}

test_remove_both_roles_row_stays() {
	seed
	local id
	id=$(cl_col id 123)
	req DELETE $LCM/assign '{"patient_id":123,"role":"olcm"}'
	expect_status 200
	req DELETE $LCM/assign '{"patient_id":123,"role":"ilcm"}'
	expect_status 200
	expect_json . "$REMOVED"
	expect_eq "case loads" 2 "$(db_sql 'SELECT COUNT(*) FROM case_loads')"
	expect_eq "row" "$id	456	NULL	NULL" "$(cl_col 'id, provider_id, olcm_user_id, ilcm_user_id' 123)"
	req GET $P/patients/123/lead_care_managers
	expect_status 200
	expect_json '.case_load' "{\"id\":$id,\"provider_id\":456,\"provider_name\":\"Dr. Smith\",\"olcm\":null,\"ilcm\":null}"
	# The emptied case load takes a new assignment (PUT needs it to exist).
	req PUT $LCM/assign '{"patient_id":123,"olcm_user_id":103}'
	expect_status 200
	expect_json '.case_load | [.id, .olcm_user_id, .ilcm_user_id]' "[$id,103,null]"
}

test_remove_empty_role_is_idempotent() {
	seed
	local before
	req DELETE $LCM/assign '{"patient_id":123,"role":"olcm"}'
	expect_status 200
	sleep 0.05
	before=$(snapshot)
	req DELETE $LCM/assign '{"patient_id":123,"role":"olcm"}'
	expect_status 200
	expect_json . "$REMOVED"
	req DELETE $LCM/assign '{"patient_id":123,"role":"olcm","reason":"again"}'
	expect_status 200
	expect_json . "$REMOVED"
	# A role that was never assigned.
	req DELETE $LCM/assign '{"patient_id":126,"role":"olcm"}'
	expect_status 200
	expect_json . "$REMOVED"
	expect_unchanged "removing empty roles" "$before"
}

test_remove_unknown_patient_404() {
	seed
	local before
	before=$(snapshot)
	req DELETE $LCM/assign '{"patient_id":999,"role":"olcm"}'
	expect_error 404 '["Patient not found"]'
	req DELETE $LCM/assign '{"patient_id":9223372036854775807,"role":"ilcm"}'
	expect_error 404 '["Patient not found"]'
	expect_unchanged "unknown patient" "$before"
}

test_remove_without_case_load_404() {
	seed
	local before
	before=$(snapshot)
	req DELETE $LCM/assign '{"patient_id":124,"role":"olcm"}'
	expect_error 404 '["Case load not found"]'
	req DELETE $LCM/assign '{"patient_id":125,"role":"ilcm","reason":"x"}'
	expect_error 404 '["Case load not found"]'
	expect_unchanged "no case load" "$before"
	expect_eq "case loads of 124, 125" 0 "$(db_sql 'SELECT COUNT(*) FROM case_loads WHERE patient_id IN (124, 125)')"
}

test_remove_role_validation() {
	seed
	local before v
	before=$(snapshot)
	for v in '"OLCM"' '"Olcm"' '"both"' '"oLCM"' '""' '" olcm"' '"olcm "' '"provider"' 1 0 true '["olcm"]' '{"role":"olcm"}'; do
		req DELETE $LCM/assign "{\"patient_id\":123,\"role\":$v}"
		expect_error 422
		expect_json '.errors | length == 1 and (.[0] | test("role"))' true
	done
	req DELETE $LCM/assign '{"patient_id":123}'
	expect_error 422
	expect_json '.errors | length == 1 and (.[0] | test("role"))' true
	req DELETE $LCM/assign '{"patient_id":123,"role":null}'
	expect_error 422
	expect_json '.errors | length == 1 and (.[0] | test("role"))' true
	# An assign body is no removal.
	req DELETE $LCM/assign '{"patient_id":123,"olcm_user_id":101}'
	expect_error 422
	expect_unchanged "invalid roles" "$before"
}

test_remove_patient_id_validation() {
	seed
	local before v
	before=$(snapshot)
	for v in '"123"' 1.5 123.0 true 0 -1 9223372036854775808 '"abc"' '[123]' null; do
		req DELETE $LCM/assign "{\"patient_id\":$v,\"role\":\"olcm\"}"
		expect_error 422
		expect_json '.errors | length == 1 and (.[0] | test("patient_id"))' true
	done
	req DELETE $LCM/assign '{"role":"olcm"}'
	expect_error 422
	expect_json '.errors | length == 1 and (.[0] | test("patient_id"))' true
	req DELETE $LCM/assign '{"patient_id":"123","role":"olcm"}'
	expect_error 422 '["patient_id must be a positive integer"]'
	expect_unchanged "bad patient ids" "$before"
}

test_remove_unknown_fields_ignored() {
	seed
	req DELETE $LCM/assign '{"patient_id":123,"role":"olcm","olcm_user_id":103,"ilcm_user_id":101,"extra":[1]}'
	expect_status 200
	expect_json . "$REMOVED"
	expect_eq "roles" "NULL	102" "$(cl_col 'olcm_user_id, ilcm_user_id' 123)"
}

test_remove_refused_requests_change_nothing() {
	seed
	local before long
	before=$(snapshot)
	CT=text/plain
	req DELETE $LCM/assign '{"patient_id":123,"role":"olcm"}'
	expect_error 415
	unset CT
	req DELETE $LCM/assign '{"patient_id":123,"role":"olcm"'
	expect_error 400
	req DELETE $LCM/assign '["olcm"]'
	expect_error 400
	req DELETE $LCM/assign
	expect_error 400
	TOKEN=dev-user-token
	req DELETE $LCM/assign '{"patient_id":123,"role":"olcm"}'
	expect_error 403 '["Admin access required"]'
	TOKEN=""
	req DELETE $LCM/assign '{"patient_id":123,"role":"olcm"}'
	expect_error 401
	TOKEN=dev-admin-token
	long=$(printf 'b%.0s' $(seq 501))
	req DELETE $LCM/assign "{\"patient_id\":123,\"role\":\"olcm\",\"reason\":\"$long\"}"
	expect_error 422
	expect_json '.errors | length == 1 and (.[0] | test("reason"))' true
	req DELETE $LCM/assign '{"patient_id":123,"role":"olcm","reason":{"text":"x"}}'
	expect_error 422
	expect_json '.errors | length == 1 and (.[0] | test("reason"))' true
	expect_unchanged "refused removals" "$before"
}

test_remove_then_assign_again() {
	seed
	local o_at
	o_at=$(cl_col olcm_assigned_at 123)
	req DELETE $LCM/assign '{"patient_id":123,"role":"olcm"}'
	expect_status 200
	sleep 0.02
	req POST $LCM/assign '{"patient_id":123,"olcm_user_id":101}'
	expect_status 200
	expect_json '.case_load | [.olcm_user_id, .olcm_name, .ilcm_user_id]' '[101,"Jane Coordinator",102]'
	[[ "$(cl_col olcm_assigned_at 123)" > "$o_at" ]] || fail "a fresh assignment kept the old assigned_at"
}
