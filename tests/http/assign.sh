# POST and PUT /v1/admin/clinic/ecm/lead_care_managers/assign: creating and
# updating a patient's case load, the success body, id validation,
# eligibility, unknown patients, and that every refused write changes nothing.

P=/v1/admin/clinic/ecm
LCM=$P/lead_care_managers
# An ISO 8601 UTC timestamp with milliseconds, as a jq string literal.
ISO_RE='"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z$"'

# A DATETIME(3) column as the API writes it, for patient's case load.
cl_iso() {
	db_sql "SELECT IFNULL(CONCAT(DATE_FORMAT($1, '%Y-%m-%dT%H:%i:%s.'),
		LPAD(MICROSECOND($1) DIV 1000, 3, '0'), 'Z'), 'NULL') FROM case_loads WHERE patient_id = $2"
}

# expect_body JSON: the whole body equals JSON (key order aside).
expect_body() {
	expect_eq "body" "$(printf '%s' "$1" | jq -cS .)" "$(printf '%s' "$BODY" | jq -cS . 2>&1)"
}

# The success body the contract shows, for the current database row.
# expected_assigned PATIENT_ID PATIENT_NAME PROVIDER_ID PROVIDER_NAME OLCM OLCM_NAME ILCM ILCM_NAME
# (ids as JSON: a number or null; names as JSON: a quoted string or null).
expected_assigned() {
	jq -cn --argjson id "$(cl_col id "$1")" --argjson pid "$1" --argjson pname "$2" \
		--argjson prov "$3" --argjson provname "$4" \
		--argjson o "$5" --argjson oname "$6" --argjson i "$7" --argjson iname "$8" \
		--arg c "$(cl_iso created_at "$1")" --arg u "$(cl_iso updated_at "$1")" \
		'{message: "Lead Care Manager assigned successfully",
		  case_load: {id: $id, patient_id: $pid, patient_name: $pname, provider_id: $prov,
		    provider_name: $provname, olcm_user_id: $o, olcm_name: $oname,
		    ilcm_user_id: $i, ilcm_name: $iname, created_at: $c, updated_at: $u}}'
}

test_assign_creates_case_load_contract_body() {
	req POST $LCM/assign '{"patient_id":123,"olcm_user_id":101,"ilcm_user_id":102}'
	expect_status 200
	expect_header content-type 'application/json; charset=utf-8'
	expect_eq "case loads" 1 "$(db_sql 'SELECT COUNT(*) FROM case_loads')"
	expect_eq "row" "456	101	102" "$(cl_col 'provider_id, olcm_user_id, ilcm_user_id' 123)"
	expect_body "$(expected_assigned 123 '"John Doe"' 456 '"Dr. Smith"' \
		101 '"Jane Coordinator"' 102 '"Bob Manager"')"
	expect_json '.case_load | keys_unsorted' \
		'["id","patient_id","patient_name","provider_id","provider_name","olcm_user_id","olcm_name","ilcm_user_id","ilcm_name","created_at","updated_at"]'
	expect_json "[.case_load.created_at, .case_load.updated_at] | all(test($ISO_RE))" true
	expect_json '.case_load.created_at == .case_load.updated_at' true
	# Both roles were stamped when assigned.
	expect_eq "assigned_at set" "0	0" "$(cl_col 'olcm_assigned_at IS NULL, ilcm_assigned_at IS NULL' 123)"
}

test_assign_creates_with_one_role_nulls_where_unset() {
	req POST $LCM/assign '{"patient_id":124,"ilcm_user_id":103}'
	expect_status 200
	expect_body "$(expected_assigned 124 '"Mary Major"' 456 '"Dr. Smith"' null null 103 '"Carla Intensive"')"
	expect_eq "row" "NULL	103" "$(cl_col 'olcm_user_id, ilcm_user_id' 124)"
	expect_eq "olcm_assigned_at" "NULL" "$(cl_iso olcm_assigned_at 124)"
}

test_assign_patient_without_provider_provider_null() {
	req POST $LCM/assign '{"patient_id":126,"olcm_user_id":101}'
	expect_status 200
	expect_body "$(expected_assigned 126 '"Pat Noprovider"' null null 101 '"Jane Coordinator"' null null)"
	expect_eq "provider_id" NULL "$(cl_col provider_id 126)"
}

test_assign_provider_is_patients_primary_provider() {
	db_sql "INSERT INTO providers (id, name) VALUES (457, 'Dr. Jones');
		UPDATE patients SET primary_provider_id = 457 WHERE id = 125"
	req POST $LCM/assign '{"patient_id":125,"olcm_user_id":102}'
	expect_status 200
	expect_json '.case_load | [.provider_id, .provider_name]' '[457,"Dr. Jones"]'
	expect_eq "provider_id" 457 "$(cl_col provider_id 125)"
	req POST $LCM/assign '{"patient_id":124,"olcm_user_id":102}'
	expect_json '.case_load | [.provider_id, .provider_name]' '[456,"Dr. Smith"]'
}

test_assign_updates_existing_only_given_roles() {
	seed
	local id created o_at i_at upd
	id=$(cl_col id 123)
	created=$(cl_iso created_at 123)
	o_at=$(cl_iso olcm_assigned_at 123)
	i_at=$(cl_iso ilcm_assigned_at 123)
	upd=$(cl_iso updated_at 123)
	req POST $LCM/assign '{"patient_id":123,"ilcm_user_id":103}'
	expect_status 200
	expect_eq "case loads" 2 "$(db_sql 'SELECT COUNT(*) FROM case_loads')"
	expect_eq "same case load" "$id" "$(cl_col id 123)"
	expect_eq "roles" "101	103" "$(cl_col 'olcm_user_id, ilcm_user_id' 123)"
	expect_eq "olcm_assigned_at kept" "$o_at" "$(cl_iso olcm_assigned_at 123)"
	expect_eq "created_at kept" "$created" "$(cl_iso created_at 123)"
	[[ "$(cl_iso ilcm_assigned_at 123)" > "$i_at" ]] || fail "ilcm_assigned_at did not move on: $i_at"
	[[ "$(cl_iso updated_at 123)" > "$upd" ]] || fail "updated_at did not move on: $upd"
	expect_body "$(expected_assigned 123 '"John Doe"' 456 '"Dr. Smith"' \
		101 '"Jane Coordinator"' 103 '"Carla Intensive"')"
	expect_json '.case_load.created_at != .case_load.updated_at' true
	# The other patient's case load is untouched.
	expect_eq "126" "NULL	103" "$(cl_col 'olcm_user_id, ilcm_user_id' 126)"
}

test_assign_adds_missing_role_to_existing() {
	seed
	local i_at
	i_at=$(cl_iso ilcm_assigned_at 126)
	req POST $LCM/assign '{"patient_id":126,"olcm_user_id":2}'
	expect_status 200
	expect_body "$(expected_assigned 126 '"Pat Noprovider"' null null 2 '"Nora Nurse"' 103 '"Carla Intensive"')"
	expect_eq "ilcm_assigned_at kept" "$i_at" "$(cl_iso ilcm_assigned_at 126)"
}

test_assign_same_user_keeps_assigned_at_no_write() {
	seed
	local before body_before
	before=$(snapshot)
	req POST $LCM/assign '{"patient_id":123,"olcm_user_id":101}'
	expect_status 200
	expect_unchanged "re-assigning the same oLCM" "$before"
	req POST $LCM/assign '{"patient_id":123,"olcm_user_id":101,"ilcm_user_id":102}'
	expect_status 200
	expect_unchanged "re-assigning both the same" "$before"
	expect_body "$(expected_assigned 123 '"John Doe"' 456 '"Dr. Smith"' \
		101 '"Jane Coordinator"' 102 '"Bob Manager"')"
	req PUT $LCM/assign '{"patient_id":126,"ilcm_user_id":103,"reason":"no-op"}'
	expect_status 200
	expect_unchanged "PUT of the same iLCM" "$before"
}

test_assign_same_user_with_other_role_changing() {
	seed
	local o_at i_at
	o_at=$(cl_iso olcm_assigned_at 123)
	i_at=$(cl_iso ilcm_assigned_at 123)
	req POST $LCM/assign '{"patient_id":123,"olcm_user_id":101,"ilcm_user_id":103}'
	expect_status 200
	expect_eq "olcm_assigned_at kept" "$o_at" "$(cl_iso olcm_assigned_at 123)"
	[[ "$(cl_iso ilcm_assigned_at 123)" > "$i_at" ]] || fail "ilcm_assigned_at did not move on"
}

test_assign_other_user_restamps_assigned_at() {
	seed
	local o_at
	o_at=$(cl_iso olcm_assigned_at 123)
	req POST $LCM/assign '{"patient_id":123,"olcm_user_id":103}'
	expect_status 200
	[[ "$(cl_iso olcm_assigned_at 123)" > "$o_at" ]] || fail "olcm_assigned_at did not move on"
}

test_assign_null_id_is_absent() {
	seed
	req POST $LCM/assign '{"patient_id":123,"olcm_user_id":103,"ilcm_user_id":null}'
	expect_status 200
	expect_eq "iLCM kept" "103	102" "$(cl_col 'olcm_user_id, ilcm_user_id' 123)"
	expect_json '.case_load | [.olcm_user_id, .ilcm_user_id]' '[103,102]'
	req POST $LCM/assign '{"patient_id":124,"olcm_user_id":null,"ilcm_user_id":101}'
	expect_status 200
	expect_eq "124" "NULL	101" "$(cl_col 'olcm_user_id, ilcm_user_id' 124)"
	local before
	before=$(snapshot)
	req POST $LCM/assign '{"patient_id":123,"olcm_user_id":null,"ilcm_user_id":null}'
	expect_error 422 '["At least one of olcm_user_id or ilcm_user_id must be provided"]'
	req POST $LCM/assign '{"patient_id":null,"olcm_user_id":101}'
	expect_error 422
	expect_json '.errors | length == 1 and (.[0] | test("patient_id"))' true
	expect_unchanged "null ids" "$before"
}

test_assign_unknown_fields_ignored() {
	req POST $LCM/assign '{"patient_id":124,"olcm_user_id":101,"provider_id":999,"id":7,"role":"ilcm","ilcm_name":"x","extra":{"a":[1,"b"]}}'
	expect_status 200
	expect_eq "row" "456	101	NULL" "$(cl_col 'provider_id, olcm_user_id, ilcm_user_id' 124)"
	expect_body "$(expected_assigned 124 '"Mary Major"' 456 '"Dr. Smith"' 101 '"Jane Coordinator"' null null)"
}

test_assign_id_validation_names_field() {
	seed
	local before field v body m
	before=$(snapshot)
	for m in POST PUT; do
		for field in patient_id olcm_user_id ilcm_user_id; do
			for v in '"123"' 1.5 123.0 1e2 true false 0 -1 -123 9223372036854775808 \
				18446744073709551616 99999999999999999999 '"abc"' '[123]' '{"id":123}' '""'; do
				case $field in
				patient_id) body="{\"patient_id\":$v,\"olcm_user_id\":101}" ;;
				olcm_user_id) body="{\"patient_id\":123,\"olcm_user_id\":$v}" ;;
				ilcm_user_id) body="{\"patient_id\":123,\"olcm_user_id\":101,\"ilcm_user_id\":$v}" ;;
				esac
				req $m $LCM/assign "$body"
				expect_error 422
				expect_json ".errors | length == 1 and (.[0] | test(\"$field\"))" true
				[ "$field" != patient_id ] ||
					expect_json '.errors' '["patient_id must be a positive integer"]'
			done
		done
	done
	expect_unchanged "bad ids" "$before"
}

test_assign_largest_id_is_valid() {
	seed
	local before
	before=$(snapshot)
	req POST $LCM/assign '{"patient_id":9223372036854775807,"olcm_user_id":101}'
	expect_error 404 '["Patient not found"]'
	req POST $LCM/assign '{"patient_id":123,"olcm_user_id":9223372036854775807}'
	expect_error 422 '["User 9223372036854775807 is not eligible to be a Lead Care Manager"]'
	req POST $LCM/assign '{"patient_id":123,"ilcm_user_id":9223372036854775807}'
	expect_error 422 '["User 9223372036854775807 is not eligible to be a Lead Care Manager"]'
	expect_unchanged "largest ids" "$before"
}

test_assign_requires_patient_and_a_role() {
	seed
	local before m
	before=$(snapshot)
	for m in POST PUT; do
		req $m $LCM/assign '{"patient_id":123}'
		expect_error 422 '["At least one of olcm_user_id or ilcm_user_id must be provided"]'
		req $m $LCM/assign '{"patient_id":123,"reason":"why"}'
		expect_error 422 '["At least one of olcm_user_id or ilcm_user_id must be provided"]'
		req $m $LCM/assign '{"olcm_user_id":101}'
		expect_error 422
		expect_json '.errors | length == 1 and (.[0] | test("patient_id"))' true
		req $m $LCM/assign '{}'
		expect_error 422
		expect_json '.errors | any(test("patient_id"))' true
		expect_json '.errors | any(. == "At least one of olcm_user_id or ilcm_user_id must be provided")' true
	done
	expect_unchanged "incomplete bodies" "$before"
}

test_assign_ineligible_users_422() {
	seed
	local before m uid field
	before=$(snapshot)
	for m in POST PUT; do
		# 104 inactive ecm, 105 no ecm, 999 unknown, 1 admin without ecm.
		for uid in 104 105 999 1; do
			for field in olcm_user_id ilcm_user_id; do
				req $m $LCM/assign "{\"patient_id\":123,\"$field\":$uid}"
				expect_error 422 "[\"User $uid is not eligible to be a Lead Care Manager\"]"
			done
		done
		# One good and one bad: nothing of it applies.
		req $m $LCM/assign '{"patient_id":123,"olcm_user_id":103,"ilcm_user_id":104}'
		expect_error 422 '["User 104 is not eligible to be a Lead Care Manager"]'
		req $m $LCM/assign '{"patient_id":123,"olcm_user_id":105,"ilcm_user_id":101}'
		expect_error 422 '["User 105 is not eligible to be a Lead Care Manager"]'
		# Both bad: both named.
		req $m $LCM/assign '{"patient_id":123,"olcm_user_id":104,"ilcm_user_id":105}'
		expect_error 422
		expect_json '.errors | sort' \
			'["User 104 is not eligible to be a Lead Care Manager","User 105 is not eligible to be a Lead Care Manager"]'
	done
	# A patient with no case load yet: none is created.
	req POST $LCM/assign '{"patient_id":124,"olcm_user_id":104}'
	expect_error 422 '["User 104 is not eligible to be a Lead Care Manager"]'
	expect_unchanged "ineligible users" "$before"
}

test_assign_eligibility_follows_user_state() {
	seed
	local before
	# 103 loses ecm, 101 is deactivated: no longer assignable.
	db_sql "DELETE FROM user_roles WHERE user_id = 103 AND role_id = (SELECT id FROM roles WHERE name = 'ecm');
		UPDATE users SET active = 0 WHERE id = 101"
	before=$(snapshot)
	req POST $LCM/assign '{"patient_id":124,"olcm_user_id":103}'
	expect_error 422 '["User 103 is not eligible to be a Lead Care Manager"]'
	req POST $LCM/assign '{"patient_id":124,"ilcm_user_id":101}'
	expect_error 422 '["User 101 is not eligible to be a Lead Care Manager"]'
	expect_unchanged "users no longer eligible" "$before"
	# Nora Nurse (active, ecm, not coordinator) and 105 once given ecm are.
	req POST $LCM/assign '{"patient_id":124,"olcm_user_id":2}'
	expect_status 200
	expect_json '.case_load | [.olcm_user_id, .olcm_name]' '[2,"Nora Nurse"]'
	db_sql "INSERT INTO user_roles (user_id, role_id) SELECT 105, id FROM roles WHERE name = 'ecm'"
	req POST $LCM/assign '{"patient_id":124,"ilcm_user_id":105}'
	expect_status 200
	expect_json '.case_load | [.ilcm_user_id, .ilcm_name]' '[105,"Frank Frontdesk"]'
}

# The ecm role as the assign reads it (users.is_ecm, db-schema/048) follows
# the role however it changes: its row in user_roles moved to another role
# and back, the role renamed and named back, and agrees with user_roles for
# every user after each.
test_assign_eligibility_follows_the_role_however_it_changes() {
	seed
	local agree="SELECT COUNT(*) FROM users u WHERE u.is_ecm <> EXISTS (SELECT 1 FROM user_roles ur
		JOIN roles r ON r.id = ur.role_id WHERE ur.user_id = u.id AND r.name = 'ecm')"
	# 105 (frontdesk): its frontdesk row becomes an ecm row, then back.
	db_sql "UPDATE user_roles SET role_id = (SELECT id FROM roles WHERE name = 'ecm')
		WHERE user_id = 105 AND role_id = (SELECT id FROM roles WHERE name = 'frontdesk')"
	expect_eq "users whose flag disagrees with their roles" 0 "$(db_sql "$agree")"
	req POST $LCM/assign '{"patient_id":124,"olcm_user_id":105}'
	expect_status 200
	db_sql "UPDATE user_roles SET role_id = (SELECT id FROM roles WHERE name = 'frontdesk')
		WHERE user_id = 105 AND role_id = (SELECT id FROM roles WHERE name = 'ecm')"
	req POST $LCM/assign '{"patient_id":125,"olcm_user_id":105}'
	expect_error 422 '["User 105 is not eligible to be a Lead Care Manager"]'
	# The role renamed: nobody has it; named back: its users again.
	db_sql "UPDATE roles SET name = 'ecm_before' WHERE name = 'ecm'"
	expect_eq "users whose flag disagrees with their roles (renamed)" 0 "$(db_sql "$agree")"
	req POST $LCM/assign '{"patient_id":125,"olcm_user_id":102}'
	expect_error 422 '["User 102 is not eligible to be a Lead Care Manager"]'
	db_sql "UPDATE roles SET name = 'ecm' WHERE name = 'ecm_before'"
	expect_eq "users whose flag disagrees with their roles (named back)" 0 "$(db_sql "$agree")"
	expect_eq "users with the ecm role" "$(db_sql "SELECT COUNT(*) FROM user_roles ur JOIN roles r ON r.id = ur.role_id WHERE r.name = 'ecm'")" \
		"$(db_sql 'SELECT COUNT(*) FROM users WHERE is_ecm = 1')"
	req POST $LCM/assign '{"patient_id":125,"olcm_user_id":102}'
	expect_status 200
}

test_assign_unknown_patient_404() {
	seed
	local before m
	before=$(snapshot)
	for m in POST PUT; do
		req $m $LCM/assign '{"patient_id":999,"olcm_user_id":101}'
		expect_error 404 '["Patient not found"]'
		req $m $LCM/assign '{"patient_id":999,"olcm_user_id":101,"ilcm_user_id":102,"reason":"x"}'
		expect_error 404 '["Patient not found"]'
	done
	expect_unchanged "unknown patient" "$before"
}

test_put_without_case_load_404() {
	seed
	local before
	before=$(snapshot)
	req PUT $LCM/assign '{"patient_id":124,"olcm_user_id":101}'
	expect_error 404 '["Case load not found"]'
	req PUT $LCM/assign '{"patient_id":125,"olcm_user_id":101,"ilcm_user_id":102,"reason":"r"}'
	expect_error 404 '["Case load not found"]'
	req PUT $LCM/assign '{"patient_id":126,"olcm_user_id":101}'
	expect_status 200
	before=$(snapshot)
	req PUT $LCM/assign '{"patient_id":124,"ilcm_user_id":103}'
	expect_error 404 '["Case load not found"]'
	expect_unchanged "PUT without a case load" "$before"
	expect_eq "case loads of 124 and 125" 0 \
		"$(db_sql 'SELECT COUNT(*) FROM case_loads WHERE patient_id IN (124, 125)')"
}

test_put_updates_existing_case_load() {
	seed
	local id o_at
	id=$(cl_col id 123)
	o_at=$(cl_iso olcm_assigned_at 123)
	req PUT $LCM/assign '{"patient_id":123,"ilcm_user_id":103}'
	expect_status 200
	expect_header content-type 'application/json; charset=utf-8'
	expect_eq "same case load" "$id" "$(cl_col id 123)"
	expect_eq "roles" "101	103" "$(cl_col 'olcm_user_id, ilcm_user_id' 123)"
	expect_eq "olcm_assigned_at kept" "$o_at" "$(cl_iso olcm_assigned_at 123)"
	expect_body "$(expected_assigned 123 '"John Doe"' 456 '"Dr. Smith"' \
		101 '"Jane Coordinator"' 103 '"Carla Intensive"')"
	req PUT $LCM/assign '{"patient_id":126,"olcm_user_id":102,"ilcm_user_id":101}'
	expect_status 200
	expect_body "$(expected_assigned 126 '"Pat Noprovider"' null null \
		102 '"Bob Manager"' 101 '"Jane Coordinator"')"
	expect_eq "case loads" 2 "$(db_sql 'SELECT COUNT(*) FROM case_loads')"
}

test_assign_refused_requests_change_nothing() {
	seed
	local before m big
	before=$(snapshot)
	for m in POST PUT; do
		CT=text/plain
		req $m $LCM/assign '{"patient_id":123,"olcm_user_id":103}'
		expect_error 415
		CT=application/x-www-form-urlencoded
		req $m $LCM/assign '{"patient_id":124,"olcm_user_id":103}'
		expect_error 415
		unset CT
		req $m $LCM/assign '{"patient_id":123,"olcm_user_id":103'
		expect_error 400
		req $m $LCM/assign '[{"patient_id":123,"olcm_user_id":103}]'
		expect_error 400
		req $m $LCM/assign '{"patient_id":123,"olcm_user_id":103} {}'
		expect_error 400
		TOKEN=dev-user-token
		req $m $LCM/assign '{"patient_id":123,"olcm_user_id":103}'
		expect_error 403 '["Admin access required"]'
		TOKEN=""
		req $m $LCM/assign '{"patient_id":123,"olcm_user_id":103}'
		expect_error 401 '["Authentication required"]'
		TOKEN=dev-admin-token
	done
	big=$(head -c 1100000 /dev/zero | tr '\0' 'a')
	req POST $LCM/assign "{\"patient_id\":124,\"olcm_user_id\":101,\"x\":\"$big\"}"
	expect_error 413
	expect_unchanged "refused requests" "$before"
}

test_assign_reason_validated() {
	seed
	local before m long
	before=$(snapshot)
	long=$(printf 'a%.0s' $(seq 501))
	for m in POST PUT; do
		req $m $LCM/assign "{\"patient_id\":123,\"olcm_user_id\":103,\"reason\":\"$long\"}"
		expect_error 422
		expect_json '.errors | length == 1 and (.[0] | test("reason"))' true
		req $m $LCM/assign '{"patient_id":123,"olcm_user_id":103,"reason":42}'
		expect_error 422
		expect_json '.errors | length == 1 and (.[0] | test("reason"))' true
		req $m $LCM/assign '{"patient_id":123,"olcm_user_id":103,"reason":["x"]}'
		expect_error 422
	done
	expect_unchanged "bad reasons" "$before"
}

test_assign_concurrent_requests_one_case_load() {
	local i u pids=() codes
	for i in $(seq 1 24); do
		u=$((101 + i % 3))
		curl -s -o /dev/null -w '%{http_code}\n' -X POST -H 'X-User-Token: dev-admin-token' \
			-H 'Content-Type: application/json' \
			--data "{\"patient_id\":124,\"olcm_user_id\":$u,\"ilcm_user_id\":$((101 + (i + 1) % 3))}" \
			"$BASE$LCM/assign" >"$T_TMP/conc.$i" &
		pids+=($!)
	done
	wait "${pids[@]}"
	codes=$(cat "$T_TMP"/conc.* | sort | uniq -c | awk '{print $2 "x" $1}' | tr '\n' ' ')
	expect_eq "statuses" "200x24 " "$codes"
	expect_eq "case loads of 124" 1 "$(db_sql 'SELECT COUNT(*) FROM case_loads WHERE patient_id = 124')"
	# The activity trail is one unbroken chain per role, ending at the row.
	local r chain
	for r in olcm ilcm; do
		chain=$(db_sql "SELECT IFNULL(previous_user_id, 0), IFNULL(new_user_id, 0) FROM patient_activities
			WHERE patient_id = 124 AND role = '$r' ORDER BY id" |
			awk -v cur=0 '$1 != cur {bad = 1} {cur = $2} END {print bad ? "broken" : cur}')
		expect_eq "$r chain ends at the row" "$(cl_col "${r}_user_id" 124)" "$chain"
	done
}
