# ECM members as the health plans send them (issue 24): a Member Information
# File through POST .../ecm/mifs and lcm-admin import mif, the member's facts
# in GET /patients and the care team, their history, the PHI access log per
# member, hostile files, the body limit of both nginx and the worker, and the
# time of 10,000 members in one request (printed, never asserted).

P=/v1/admin/clinic/ecm
MIFS=$P/mifs
MIF_HDR=MEMBER_ID,CIN,FIRST_NAME,LAST_NAME,DOB,ACUITY_LEVEL,ECM_SERVICE_AUTH_ID,ECM_BENEFIT_AUTH_EFF_DATE,ECM_BENEFIT_AUTH_END_DATE,MEMBER_RECORD_STATUS,PROVIDER_ID
MIF_ROSA=MEM0000000001,CIN123456,Rosa,Alvarez,04-12-1961,high,AUTH123456,01-01-2024,12-31-2024,new_member,456
MIF_TOM=MEM0000000002,CIN654321,Tom,Nguyen,11-30-1975,low,AUTH654321,03-01-2024,02-28-2025,new_member,
MIF_TWO="$MIF_HDR
$MIF_ROSA
$MIF_TOM
"
# What the care team and the patient list show of Rosa (patient 127: the first after the demo's 126).
MIF_ROSA_JSON='{"member_id":"MEM0000000001","cin":"CIN123456","ecm_service_auth_id":"AUTH123456","ecm_benefit_auth_eff_date":"2024-01-01","ecm_benefit_auth_end_date":"2024-12-31","acuity_level":"high","member_record_status":"new_member","authorization_status":"ended"}'

# mif_json TEXT [TYPE] [MEDIA]: the body of POST .../mifs carrying TEXT as a data URI.
mif_json() {
	printf '{"mif":{"file":"data:%s;base64,%s","file_type":"%s"}}' "${3:-text/csv}" \
		"$(printf '%s' "$1" | base64 -w0)" "${2:-csv}"
}

# mif TEXT [TYPE]: import TEXT through the API.
mif() {
	req POST $MIFS "$(mif_json "$@")"
}

# mif_refused TEXT ERRORS_JSON: TEXT is refused with exactly these errors, and nothing is written.
mif_refused() {
	local before
	before=$(mif_tables)
	mif "$1"
	expect_error 422 "$2"
	expect_eq "tables after a refused file" "$before" "$(mif_tables)"
}

# The tables an import writes, to compare before and after.
mif_tables() {
	db_sql "SELECT * FROM patients ORDER BY id; SELECT * FROM ecm_members ORDER BY patient_id;
		SELECT * FROM ecm_member_activities ORDER BY id; SELECT * FROM patient_index ORDER BY patient_id"
}

# mif_counts: the answer's three counts, "imported updated unchanged".
mif_counts() {
	printf '%s' "$BODY" | jq -r '"\(.imported_count) \(.updated_count) \(.unchanged_count)"'
}

# mif_access N [ACTION]: until N records of the action (mif_import) are written (30 s at most).
mif_access() {
	local i
	for i in $(seq 1 300); do
		[ "$(db_sql "SELECT COUNT(*) FROM phi_access_log WHERE action = '${2:-mif_import}'")" -ge "$1" ] &&
			return 0
		sleep 0.1
	done
	fail "fewer than $1 ${2:-mif_import} records in the access log after 30 s"
}

# mif_admin ARGS...: lcm-admin against the stack; its output in OUT, its status in RC.
mif_admin() {
	OUT=$("$LCM_ADMIN" --config "$HVAR/lcm.conf" "$@" 2>&1)
	RC=$?
}

# Two more tokens of Ada Admin's: mif-admin-1 and mif-admin-2 (one import at a time per token).
mif_tokens() {
	db_sql "INSERT INTO api_tokens (user_id, token_sha256, label, created_at) VALUES
		(1, UNHEX(SHA2('mif-admin-1', 256)), 'mif test', NOW(3)),
		(1, UNHEX(SHA2('mif-admin-2', 256)), 'mif test', NOW(3))"
}

# mif_members N [FIRST] [ACUITY]: a MIF of N members from MEMBER FIRST (1) on.
mif_members() {
	awk -v n="$1" -v first="${2:-1}" -v acuity="${3:-medium}" -v hdr="$MIF_HDR" 'BEGIN {
		print hdr
		for (i = first; i < first + n; i++)
			printf "M%09d,C%08dA,First%d,Last%d,%02d-%02d-19%02d,%s,A%d,01-01-2025,12-31-2025,existing_member,456\n",
				i, i, i, i, i % 12 + 1, i % 28 + 1, i % 90 + 10, acuity, i
	}'
}

# ---- the member's facts, and getting them in ---------------------------------

test_mif_new_members_become_patients_shown_in_the_wider_apis_shape() {
	mif "$MIF_TWO"
	expect_status 200
	expect_json . '{"message":"MIF imported successfully","imported_count":2,"updated_count":0,"unchanged_count":0}'
	# New patients take the ids after the highest, in the file's order; "First Last".
	expect_eq "patients" "127	Rosa Alvarez	456
128	Tom Nguyen	NULL" "$(db_sql "SELECT id, name, IFNULL(primary_provider_id, 'NULL') FROM patients WHERE id > 126 ORDER BY id")"
	req GET $P/patients/127/lead_care_managers
	expect_status 200
	expect_json . "{\"patient_id\":127,\"patient_name\":\"Rosa Alvarez\",\"case_load\":null,\"ecm_eligibility_information\":$MIF_ROSA_JSON}"
	expect_header etag '"0"'
	req GET "$P/patients?search=Alvarez"
	expect_status 200
	expect_json '.patients' "[{\"id\":127,\"name\":\"Rosa Alvarez\",\"case_load\":null,\"ecm_eligibility_information\":$MIF_ROSA_JSON}]"
	# The new patients are in the list's index: the provider filter finds Rosa, not Tom.
	req GET "$P/patients?provider_id=456"
	expect_json '[.patients[].id]' '[123,124,127,125]'
	# The DOB is kept with the member's facts.
	expect_eq "dob" "1961-04-12 1975-11-30" "$(db_sql "SELECT dob FROM ecm_members ORDER BY patient_id" | tr '\n' ' ' | sed 's/ $//')"
}

test_mif_patients_that_are_no_members_show_null_and_the_contract_is_unchanged() {
	mif "$MIF_TWO"
	expect_status 200
	req GET $P/patients/123/lead_care_managers
	expect_json . '{"patient_id":123,"patient_name":"John Doe","case_load":null,"ecm_eligibility_information":null}'
	req POST $P/lead_care_managers/assign '{"patient_id":123,"olcm_user_id":101}'
	expect_status 200
	# The contract's answers keep exactly their keys.
	expect_json '.case_load | keys' '["created_at","id","ilcm_name","ilcm_user_id","olcm_name","olcm_user_id","patient_id","patient_name","provider_id","provider_name","updated_at"]'
	req GET $P/patients/123/lead_care_managers
	expect_json 'keys' '["case_load","ecm_eligibility_information","patient_id","patient_name"]'
	expect_json '.case_load | keys' '["id","ilcm","olcm","provider_id","provider_name"]'
	req GET "$P/patients?per_page=100"
	expect_json '[.patients[] | select(.ecm_eligibility_information == null) | .id]' '[123,124,126,125]'
	expect_json '[.patients[] | select(.ecm_eligibility_information != null) | .id]' '[127,128]'
}

test_mif_same_file_again_changes_nothing() {
	local before
	mif "$MIF_TWO"
	expect_eq "first import" "2 0 0" "$(mif_counts)"
	before=$(mif_tables)
	mif "$MIF_TWO"
	expect_status 200
	expect_eq "second import" "0 0 2" "$(mif_counts)"
	expect_eq "tables after the same file again" "$before" "$(mif_tables)"
}

test_mif_known_members_are_updated_and_the_history_records_each_change() {
	local first second
	mif "$MIF_TWO"
	first=$(request_id)
	# Rosa: another name, acuity, authorization end and no provider; Tom as he was.
	mif "$MIF_HDR
MEM0000000001,CIN123456,Rosa,Alvarez-Diaz,04-12-1961,Medium,AUTH123456,01-01-2024,06-30-2025,UPDATED_MEMBER,
$MIF_TOM
"
	expect_status 200
	expect_eq "counts" "0 1 1" "$(mif_counts)"
	second=$(request_id)
	req GET $P/patients/127/lead_care_managers
	expect_json '.patient_name' '"Rosa Alvarez-Diaz"'
	expect_json '.ecm_eligibility_information | [.acuity_level, .ecm_benefit_auth_end_date, .member_record_status]' \
		'["medium","2025-06-30","updated_member"]'
	expect_eq "provider" "NULL" "$(db_sql "SELECT IFNULL(primary_provider_id, 'NULL') FROM patients WHERE id = 127")"
	req GET "$P/patients/127/lead_care_managers/history?kind=member"
	expect_status 200
	expect_json '.pagination' '{"current_page":1,"total_pages":1,"total_count":2,"per_page":25}'
	expect_json '.history[0] | del(.at)' "{\"activity_type\":\"member_updated\",\"changes\":{\"name\":{\"from\":\"Rosa Alvarez\",\"to\":\"Rosa Alvarez-Diaz\"},\"primary_provider_id\":{\"from\":456,\"to\":null},\"ecm_benefit_auth_end_date\":{\"from\":\"2024-12-31\",\"to\":\"2025-06-30\"},\"acuity_level\":{\"from\":\"high\",\"to\":\"medium\"},\"member_record_status\":{\"from\":\"new_member\",\"to\":\"updated_member\"}},\"by\":{\"id\":1,\"name\":\"Ada Admin\"},\"source\":\"api\",\"request_id\":\"$second\"}"
	expect_json '.history[1] | del(.at)' "{\"activity_type\":\"member_added\",\"changes\":{\"name\":{\"from\":null,\"to\":\"Rosa Alvarez\"},\"primary_provider_id\":{\"from\":null,\"to\":456},\"member_id\":{\"from\":null,\"to\":\"MEM0000000001\"},\"cin\":{\"from\":null,\"to\":\"CIN123456\"},\"ecm_service_auth_id\":{\"from\":null,\"to\":\"AUTH123456\"},\"ecm_benefit_auth_eff_date\":{\"from\":null,\"to\":\"2024-01-01\"},\"ecm_benefit_auth_end_date\":{\"from\":null,\"to\":\"2024-12-31\"},\"acuity_level\":{\"from\":null,\"to\":\"high\"},\"member_record_status\":{\"from\":null,\"to\":\"new_member\"},\"dob\":{\"from\":null,\"to\":\"1961-04-12\"}},\"by\":{\"id\":1,\"name\":\"Ada Admin\"},\"source\":\"api\",\"request_id\":\"$first\"}"
	expect_json '.history[0].at | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z$")' true
	# Tom did not change: his one row is the first import's.
	req GET "$P/patients/128/lead_care_managers/history?kind=member"
	expect_json '[.history[].activity_type]' '["member_added"]'
	# The assignment history is what it was: no periods.
	req GET $P/patients/127/lead_care_managers/history
	expect_json . '{"history":[],"pagination":{"current_page":1,"total_pages":0,"total_count":0,"per_page":25}}'
	expect_eq "patient activities" 0 "$(db_sql 'SELECT COUNT(*) FROM patient_activities')"
}

# Decision: the plan is the source of truth for the CIN; a new one is an
# update like any other, and the history keeps both.
test_mif_a_cin_that_changes_is_an_update_with_both_in_the_history() {
	mif "$MIF_TWO"
	mif "$MIF_HDR
MEM0000000001,CIN999999,Rosa,Alvarez,04-12-1961,high,AUTH123456,01-01-2024,12-31-2024,new_member,456
"
	expect_status 200
	expect_eq "counts" "0 1 0" "$(mif_counts)"
	req GET $P/patients/127/lead_care_managers
	expect_json '.ecm_eligibility_information.cin' '"CIN999999"'
	req GET "$P/patients/127/lead_care_managers/history?kind=member&per_page=1"
	expect_json '.history[0].changes' '{"cin":{"from":"CIN123456","to":"CIN999999"}}'
	expect_json '.pagination.total_count' 2
}

test_mif_tsv_names_in_any_case_and_unknown_columns() {
	mif "$(printf 'plan_code\tmember_id\t Last_Name \tfirst_name\tAcuity_Level\tzip\nX1\tMEM0000000003\tSilva\tAna\tHIGH\t90210\n')" tsv
	expect_status 200
	expect_eq "counts" "1 0 0" "$(mif_counts)"
	req GET $P/patients/127/lead_care_managers
	expect_json '[.patient_name, .ecm_eligibility_information.member_id, .ecm_eligibility_information.acuity_level, .ecm_eligibility_information.cin]' \
		'["Ana Silva","MEM0000000003","high",null]'
	# The data URI's media type is not read: file_type says what the file is.
	req POST $MIFS "$(mif_json "$(printf 'MEMBER_ID\tFIRST_NAME\tLAST_NAME\nMEM0000000003\tAna\tSilva\n')" tsv application/octet-stream)"
	expect_status 200
	expect_eq "counts" "0 0 1" "$(mif_counts)"
}

# A column the file lacks leaves a known member's fact as it is; an empty cell clears it.
test_mif_a_missing_column_keeps_a_fact_an_empty_cell_clears_it() {
	mif "$MIF_TWO"
	mif "MEMBER_ID,FIRST_NAME,LAST_NAME
MEM0000000001,Rosa,Alvarez
"
	expect_eq "without the other columns" "0 0 1" "$(mif_counts)"
	req GET $P/patients/127/lead_care_managers
	expect_json .ecm_eligibility_information "$MIF_ROSA_JSON"
	mif "MEMBER_ID,FIRST_NAME,LAST_NAME,ACUITY_LEVEL,PROVIDER_ID
MEM0000000001,Rosa,Alvarez,,456
"
	expect_eq "an empty acuity" "0 1 0" "$(mif_counts)"
	req GET $P/patients/127/lead_care_managers
	expect_json .ecm_eligibility_information.acuity_level null
	expect_json .ecm_eligibility_information.cin '"CIN123456"'
	req GET "$P/patients/127/lead_care_managers/history?kind=member&per_page=1"
	expect_json '.history[0].changes' '{"acuity_level":{"from":"high","to":null}}'
}

# ---- bad files: every bad line by number, nothing written ----------------------

test_mif_bad_lines_are_reported_by_number_and_nothing_is_imported() {
	mif_refused "$MIF_HDR
$MIF_ROSA
MEM0000000002,CIN654321,Tom,Nguyen,1975-11-30,low,AUTH654321,03-01-2024,02-28-2025,new_member,
MEM0000000003,,Ana,Silva,,severe,,12-31-2025,01-01-2025,,999
MEM0000000001,CIN123456,Rosa,Alvarez,04-12-1961,high,AUTH123456,01-01-2024,12-31-2024,new_member,456
MEM0000000004,,,Lee,,,,,,,
MEM0000000005,,Bo,Lee,,,,,,,457
" '["Line 3: DOB must be a date as MM-DD-YYYY","Line 4: ACUITY_LEVEL must be low, medium or high","Line 4: ECM_BENEFIT_AUTH_END_DATE is before ECM_BENEFIT_AUTH_EFF_DATE","Line 4: PROVIDER_ID 999 does not exist","Line 5: MEMBER_ID MEM0000000001 is on line 2 already","Line 6: FIRST_NAME is required","Line 7: PROVIDER_ID 457 does not exist"]'
	expect_no_internals
}

# The issue's hostile cases, each alone; and the CSV reader's own.
test_mif_hostile_files_are_refused_each_by_its_line() {
	mif_refused "$MIF_HDR
MEM1,,Ann,Lee,01/31/1960,,,,,,
" '["Line 2: DOB must be a date as MM-DD-YYYY"]'
	mif_refused "$MIF_HDR
MEM1,,Ann,Lee,,,,2025-01-01,2025-12-31,,
" '["Line 2: ECM_BENEFIT_AUTH_EFF_DATE must be a date as MM-DD-YYYY","Line 2: ECM_BENEFIT_AUTH_END_DATE must be a date as MM-DD-YYYY"]'
	mif_refused "$MIF_HDR
MEM1,,Ann,Lee,,,,12-31-2025,12-30-2025,,
" '["Line 2: ECM_BENEFIT_AUTH_END_DATE is before ECM_BENEFIT_AUTH_EFF_DATE"]'
	mif_refused "$MIF_HDR
MEM1,,Ann,Lee,,critical,,,,,
" '["Line 2: ACUITY_LEVEL must be low, medium or high"]'
	mif_refused "$MIF_HDR
MEM1,,Ann,Lee,,,,,,,
MEM1,,Ann,Lee,,,,,,,
" '["Line 3: MEMBER_ID MEM1 is on line 2 already"]'
	mif_refused "MEMBER_ID,CIN,LAST_NAME
MEM1,C1,Lee
" '["Line 1: the header has no FIRST_NAME column"]'
	mif_refused "$MIF_HDR
MEM1,,Ann,Lee,,,,,,,999
" '["Line 2: PROVIDER_ID 999 does not exist"]'
	mif_refused "" '["Line 1: the file is empty: it needs a header row naming MEMBER_ID, FIRST_NAME and LAST_NAME"]'
	mif_refused "$MIF_HDR
" '["Line 1: the file has a header and no member lines"]'
	mif_refused "$MIF_HDR
MEM1,,\"Ann,Lee,,,,,,,
" '["Line 2: a quoted field is not closed"]'
	mif_refused "$MIF_HDR
MEM1,,An\"n,Lee,,,,,,,
" '["Line 2: a quote inside an unquoted field"]'
	mif_refused "$MIF_HDR
MEM1,,Ann,Lee
" '["Line 2: 4 fields, the header has 11"]'
	mif_refused "MEMBER_ID,FIRST_NAME,LAST_NAME
MEM1,$(printf 'A\001'),Lee
" '["Line 2: FIRST_NAME must be UTF-8 text without control characters"]'
	mif_refused "MEMBER_ID,FIRST_NAME,LAST_NAME
MEM1,$(printf 'Jos\351'),Lee
" '["Line 2: FIRST_NAME must be UTF-8 text without control characters"]'
}

# Past the first 1000 problems, one line says how many more.
test_mif_a_thousand_problems_then_how_many_more() {
	mif "$(awk 'BEGIN { print "MEMBER_ID,FIRST_NAME,LAST_NAME,ACUITY_LEVEL"
		for (i = 1; i <= 1010; i++) printf "M%d,A,B,x\n", i }')"
	expect_status 422
	expect_json '.errors | length' 1001
	expect_json '.errors[0]' '"Line 2: ACUITY_LEVEL must be low, medium or high"'
	expect_json '.errors[999]' '"Line 1001: ACUITY_LEVEL must be low, medium or high"'
	expect_json '.errors[1000]' '"... and 10 more problems"'
	expect_eq "members" 0 "$(db_sql 'SELECT COUNT(*) FROM ecm_members')"
}

# A CIN the plan changes on a member the clinic knows is no hostile file: see
# test_mif_a_cin_that_changes_is_an_update_with_both_in_the_history.

test_mif_a_member_unchanged_by_a_bad_file_elsewhere() {
	mif "$MIF_TWO"
	mif_refused "$MIF_HDR
MEM0000000001,CIN000000,Rosa,Alvarez,04-12-1961,low,AUTH123456,01-01-2024,12-31-2024,new_member,456
MEM0000000002,CIN654321,Tom,Nguyen,11-30-1975,extreme,AUTH654321,03-01-2024,02-28-2025,new_member,
" '["Line 3: ACUITY_LEVEL must be low, medium or high"]'
	req GET $P/patients/127/lead_care_managers
	expect_json .ecm_eligibility_information "$MIF_ROSA_JSON"
}

test_mif_bad_bodies_are_422_naming_the_field() {
	req POST $MIFS '{}'
	expect_error 422 '["mif is required"]'
	req POST $MIFS '{"mif":"data:text/csv;base64,QQ=="}'
	expect_error 422 '["mif must be an object"]'
	req POST $MIFS '{"mif":{}}'
	expect_error 422 '["mif.file is required","mif.file_type is required"]'
	req POST $MIFS '{"mif":{"file":"MEMBER_ID,FIRST_NAME","file_type":"csv"}}'
	expect_error 422 '["mif.file must be a data URI of base64 (data:text/csv;base64,...)"]'
	req POST $MIFS '{"mif":{"file":"data:text/csv,MEMBER_ID","file_type":"csv"}}'
	expect_error 422 '["mif.file must be a data URI of base64 (data:text/csv;base64,...)"]'
	req POST $MIFS '{"mif":{"file":"data:text/csv;base64,not base64!","file_type":"csv"}}'
	expect_error 422 '["mif.file must be a data URI of base64 (data:text/csv;base64,...)"]'
	req POST $MIFS '{"mif":{"file":42,"file_type":"xlsx"}}'
	expect_error 422 '["mif.file must be a data URI of base64 (data:text/csv;base64,...)","mif.file_type must be csv or tsv"]'
	req POST $MIFS "{\"mif\":{\"file\":\"data:text/csv;base64,QQ==\",\"file_type\":\"CSV\"}}"
	expect_error 422 '["mif.file_type must be csv or tsv"]'
	req POST $MIFS '[]'
	expect_error 400
	expect_eq "patients" 4 "$(db_sql 'SELECT COUNT(*) FROM patients')"
}

test_mif_is_for_admins_only_and_post_only() {
	TOKEN=dev-user-token mif "$MIF_TWO"
	expect_error 403 '["Admin access required"]'
	TOKEN= mif "$MIF_TWO"
	expect_error 401 '["Authentication required"]'
	req GET $MIFS
	expect_error 405 '["Method not allowed"]'
	expect_header allow POST
	expect_eq "members" 0 "$(db_sql 'SELECT COUNT(*) FROM ecm_members')"
}

# ---- the history, the access log, the ETag ----------------------------------------

test_mif_history_kind_is_checked() {
	req GET "$P/patients/123/lead_care_managers/history?kind=everything"
	expect_error 422 '["kind must be assignments or member"]'
	req GET "$P/patients/123/lead_care_managers/history?kind=member&role=olcm"
	expect_error 422 '["role is for kind=assignments"]'
	req GET "$P/patients/999/lead_care_managers/history?kind=member"
	expect_error 404 '["Patient not found"]'
	req GET "$P/patients/123/lead_care_managers/history?kind=member"
	expect_json . '{"history":[],"pagination":{"current_page":1,"total_pages":0,"total_count":0,"per_page":25}}'
	req GET "$P/patients/123/lead_care_managers/history?kind=assignments&role=olcm"
	expect_status 200
}

test_mif_each_member_of_the_file_is_in_the_access_log() {
	local id
	mif "$MIF_TWO"
	id=$(request_id)
	mif_access 2
	expect_eq "records of the import" "127	mif_import	1	$id
128	mif_import	1	$id" "$(db_sql "SELECT patient_id, action, actor_user_id, request_id FROM phi_access_log ORDER BY patient_id")"
	# Unchanged members too: the request carried their data.
	mif "$MIF_TWO"
	id=$(request_id)
	mif_access 4
	expect_eq "records of the second import" "127 128" \
		"$(db_sql "SELECT patient_id FROM phi_access_log WHERE request_id = '$id' ORDER BY patient_id" | tr '\n' ' ' | sed 's/ $//')"
	req GET $P/patients/127/access_log
	expect_json "[.access_log[] | select(.request_id == \"$id\") | {actor, action}]" '[{"actor":{"id":1,"name":"Ada Admin"},"action":"mif_import"}]'
}

# Decision: the member's facts are not part of the care team's ETag, which
# follows the assignments (as it does not follow the names in it): an
# If-Match read before an import still holds after it.
test_mif_member_facts_are_not_the_care_teams_etag() {
	# Rosa's authorization renewed to 2099: assignable (ecm_assign.sh holds the refusal of an ended one).
	local two=${MIF_TWO/12-31-2024/12-31-2099}
	mif "$two"
	req POST $P/lead_care_managers/assign '{"patient_id":127,"olcm_user_id":101}'
	expect_status 200
	expect_header etag '"1"'
	req PUT $P/acuity_weights '{"low":1,"high":3}'
	req GET $P/lead_care_managers/101
	expect_json .olcm_weighted_load 3
	mif "${two/high/low}"
	expect_eq "counts" "0 1 1" "$(mif_counts)"
	# The import moved the holder's weighted load with the acuity.
	req GET $P/lead_care_managers/101
	expect_json .olcm_weighted_load 1
	req GET $P/patients/127/lead_care_managers
	expect_header etag '"1"'
	expect_json '[.case_load.olcm.user_id, .ecm_eligibility_information.acuity_level]' '[101,"low"]'
	CT= req PUT $P/lead_care_managers/assign '{"patient_id":127,"ilcm_user_id":102}'
	expect_status 200
	expect_header etag '"2"'
}

test_mif_idempotency_key_replays_the_first_answer() {
	local body
	body=$(mif_json "$MIF_TWO")
	curl -s -o "$T_TMP/mif1" -D "$T_TMP/mif1.hdr" -X POST -H 'X-User-Token: dev-admin-token' \
		-H 'Content-Type: application/json' -H 'Idempotency-Key: mif-key-1' --data-binary "$body" "$BASE$MIFS"
	curl -s -o "$T_TMP/mif2" -D "$T_TMP/mif2.hdr" -X POST -H 'X-User-Token: dev-admin-token' \
		-H 'Content-Type: application/json' -H 'Idempotency-Key: mif-key-1' --data-binary "$body" "$BASE$MIFS"
	expect_eq "first" '{"message":"MIF imported successfully","imported_count":2,"updated_count":0,"unchanged_count":0}' \
		"$(jq -c . "$T_TMP/mif1")"
	expect_eq "replay" "$(cat "$T_TMP/mif1")" "$(cat "$T_TMP/mif2")"
	grep -qi '^idempotent-replayed: true' "$T_TMP/mif2.hdr" || fail "the retry is no replay: $(cat "$T_TMP/mif2.hdr")"
	expect_eq "members" 2 "$(db_sql 'SELECT COUNT(*) FROM ecm_members')"
}

# Two imports of the same new members at once: one adds them, the other
# (its attempt loses to the first's unique keys and runs again) finds them.
test_mif_two_imports_of_the_same_new_members_at_once() {
	local i
	mif_tokens
	mif_members 300 >"$T_TMP/race.csv"
	mif_json "$(cat "$T_TMP/race.csv")" >"$T_TMP/race.json"
	for i in 1 2; do
		curl -s -o "$T_TMP/race.$i" -w '%{http_code}' -X POST -H "X-User-Token: mif-admin-$i" \
			-H 'Content-Type: application/json' --data-binary "@$T_TMP/race.json" "$BASE$MIFS" \
			>"$T_TMP/race.$i.code" &
	done
	wait
	for i in 1 2; do
		expect_eq "import $i" 200 "$(cat "$T_TMP/race.$i.code")"
	done
	expect_eq "added in all" 300 "$(jq -s 'map(.imported_count) | add' "$T_TMP/race.1" "$T_TMP/race.2")"
	expect_eq "members" 300 "$(db_sql 'SELECT COUNT(*) FROM ecm_members')"
	expect_eq "patients" 304 "$(db_sql 'SELECT COUNT(*) FROM patients')"
	expect_eq "index rows" 304 "$(db_sql 'SELECT COUNT(*) FROM patient_index')"
	expect_eq "added rows of the history" 300 "$(db_sql "SELECT COUNT(*) FROM ecm_member_activities WHERE activity_type = 'member_added'")"
}

# ---- the body limit: 16 MiB, nginx's and the worker's ------------------------------

# mif_sized FILE SIZE: a body of exactly SIZE bytes importing one member (an unknown field pads it).
mif_sized() {
	local pre post
	pre=$(mif_json "MEMBER_ID,FIRST_NAME,LAST_NAME
MEM0000000009,Pad,Ding
")
	pre="${pre%\}\}},\"pad\":\""
	post='"}}'
	{
		printf '%s' "$pre"
		head -c $(($2 - ${#pre} - ${#post})) /dev/zero | tr '\0' a
		printf '%s' "$post"
	} >"$1"
	[ "$(stat -c %s "$1")" = "$2" ] || fail "mif_sized made $(stat -c %s "$1") bytes, not $2"
}

# mif_send FILE [CURL ARGS]: POST the file as it is.
mif_send() {
	local f=$1
	shift
	LAST_REQ="POST $MIFS <$(stat -c %s "$f") bytes>"
	curl -s -o "$T_TMP/body" -D "$T_TMP/hdr" -X POST -H 'X-User-Token: dev-admin-token' \
		-H 'Content-Type: application/json' "$@" --data-binary "@$f" "$BASE$MIFS" >/dev/null
	# The last answer's status (after a 100 Continue).
	STATUS=$(awk '/^HTTP\// {s = $2} END {print s}' "$T_TMP/hdr")
	HEADERS=$(tr -d '\r' <"$T_TMP/hdr" | awk -F': ' '/^HTTP\// {h = ""} NF>1 {h = h tolower($1) ": " $2 "\n"} END {printf "%s", h}')
	BODY=$(cat "$T_TMP/body")
}

# mif_fcgi PATH FILE: the worker's own answer (bypassing nginx, over FastCGI): "STATUS BODY".
mif_fcgi() {
	node "$HARNESS_ROOT/tests/js/fcgi.mjs" "$HVAR/run/fcgi.sock" POST "$1" dev-admin-token "$2"
}

test_mif_body_of_16_mib_is_taken_one_byte_more_is_413_from_nginx_and_the_worker() {
	local f=$T_TMP/mif_size out
	mif_sized "$f" $((16 * 1048576 + 1))
	mif_send "$f"
	expect_error 413 '["Request body too large (limit 16 MiB)"]'
	mif_send "$f" -H 'Transfer-Encoding: chunked'
	expect_error 413 '["Request body too large (limit 16 MiB)"]'
	# The worker refuses it the same when a body reaches it past nginx.
	out=$(mif_fcgi $MIFS "$f")
	expect_eq "the worker's answer" '413 {"errors":["Request body too large (limit 16 MiB)"]}' "$out"
	expect_eq "members" 0 "$(db_sql 'SELECT COUNT(*) FROM ecm_members')"
	mif_sized "$f" $((16 * 1048576))
	mif_send "$f"
	expect_status 200
	expect_eq "counts" "1 0 0" "$(mif_counts)"
	out=$(mif_fcgi $MIFS "$f")
	expect_eq "the worker's answer to 16 MiB" '200 {"message":"MIF imported successfully","imported_count":0,"updated_count":0,"unchanged_count":1}' "$out"
	# Other routes keep their 1 MiB, at the worker too.
	head -c $((1048576 + 1)) /dev/zero | tr '\0' ' ' >"$f"
	out=$(mif_fcgi $P/lead_care_managers/assign "$f")
	expect_eq "the worker's answer to 1 MiB + 1 on assign" '413 {"errors":["Request body too large (limit 1 MiB)"]}' "$out"
}

# mif_hold NAME TOKEN: an upload of 2 MB at 20 KB/s in the background (it
# holds its place in nginx's limits while its body arrives).
mif_hold() {
	head -c 2000000 /dev/zero | tr '\0' ' ' >"$T_TMP/hold.body"
	curl -s -o /dev/null -m 300 --limit-rate 20K -X POST -H "X-User-Token: $2" \
		-H 'Content-Type: application/json' --data-binary "@$T_TMP/hold.body" "$BASE$MIFS" &
	eval "MIF_HOLD_$1=\$!"
}

# mif_busy TOKEN: until a small request with TOKEN is answered 429 (30 s at most).
mif_busy() {
	local i
	for i in $(seq 1 300); do
		TOKEN=$1 req POST $MIFS '{}'
		[ "$STATUS" = 429 ] && return 0
		sleep 0.1
	done
	return 1
}

test_mif_imports_at_once_are_limited() {
	local i
	mif_tokens
	mif_hold a dev-admin-token
	mif_busy dev-admin-token || fail "a second import with the same token was never refused"
	expect_error 429 '["Too many MIF imports at once (one per token, two in all): try again when one has ended"]'
	expect_header retry-after 10
	# Another token goes ahead; a third import, whatever its token, waits.
	TOKEN=mif-admin-1 req POST $MIFS '{}'
	expect_error 422 '["mif is required"]'
	mif_hold b mif-admin-1
	# Two imports must be under way for the third to wait: a hold that ended
	# (its upload cut short on a starved machine) is started again.
	local tries=0
	until mif_busy mif-admin-2; do
		tries=$((tries + 1))
		kill -0 "$MIF_HOLD_a" 2>/dev/null || mif_hold a dev-admin-token
		kill -0 "$MIF_HOLD_b" 2>/dev/null || mif_hold b mif-admin-1
		[ "$tries" -lt 3 ] || { fail "a third import at once was never refused, with two under way"; break; }
	done
	kill "$MIF_HOLD_a" "$MIF_HOLD_b" 2>/dev/null
	wait "$MIF_HOLD_a" "$MIF_HOLD_b" 2>/dev/null
	for i in $(seq 1 100); do
		TOKEN=mif-admin-2 req POST $MIFS '{}'
		[ "$STATUS" = 422 ] && break
		sleep 0.1
	done
	expect_error 422 '["mif is required"]'
}

# ---- lcm-admin import mif ------------------------------------------------------------

test_mif_lcm_admin_imports_the_same_way() {
	local rid
	printf '%s' "$MIF_TWO" >"$T_TMP/plan.csv"
	mif_admin import mif "$T_TMP/plan.csv"
	expect_eq "exit ($OUT)" 0 "$RC"
	rid=$(sed -n 's/.*(request \(.*\))$/\1/p' <<<"$OUT")
	expect_eq "output" "import mif: 2 members: 2 imported, 0 updated, 0 unchanged (request $rid)" "$OUT"
	req GET $P/patients/127/lead_care_managers
	expect_json .ecm_eligibility_information "$MIF_ROSA_JSON"
	req GET "$P/patients/127/lead_care_managers/history?kind=member"
	expect_json '.history[0] | [.activity_type, .by, .source, .request_id]' "[\"member_added\",null,\"lcm-admin\",\"$rid\"]"
	# Its access-log records are written before it exits, with no user.
	expect_eq "access records" "127	0	$rid
128	0	$rid" "$(db_sql "SELECT patient_id, actor_user_id, request_id FROM phi_access_log WHERE action = 'mif_import' ORDER BY patient_id")"
	req GET $P/patients/127/access_log
	expect_json '[.access_log[] | select(.action == "mif_import") | .actor]' '[null]'
	# TSV (a tab on the first line), again: unchanged.
	printf 'MEMBER_ID\tFIRST_NAME\tLAST_NAME\nMEM0000000001\tRosa\tAlvarez\n' >"$T_TMP/plan.tsv"
	mif_admin import mif "$T_TMP/plan.tsv"
	expect_eq "tsv exit ($OUT)" 0 "$RC"
	grep -q '^import mif: 1 members: 0 imported, 0 updated, 1 unchanged' <<<"$OUT" || fail "tsv: $OUT"
}

test_mif_lcm_admin_reports_bad_lines_and_imports_nothing() {
	local before
	before=$(mif_tables)
	printf '%s\nM1,,Ann,Lee,1960-01-31,,,,,,\nM1,,Ann,Lee,,,,,,,999\n' "$MIF_HDR" >"$T_TMP/bad.csv"
	mif_admin import mif "$T_TMP/bad.csv"
	expect_eq "exit" 1 "$RC"
	expect_eq "output" "$T_TMP/bad.csv:2: DOB must be a date as MM-DD-YYYY
$T_TMP/bad.csv:3: MEMBER_ID M1 is on line 2 already
$T_TMP/bad.csv:3: PROVIDER_ID 999 does not exist
$T_TMP/bad.csv: 2 bad lines: nothing imported" "$OUT"
	expect_eq "tables" "$before" "$(mif_tables)"
	mif_admin import mif "$T_TMP/no-such-file.csv"
	expect_eq "a missing file" 1 "$RC"
	mif_admin import mif
	expect_eq "no file: usage" 2 "$RC"
}

# ---- 10,000 members in one request: the time, printed (a figure, not a limit) ----------

test_mif_ten_thousand_members_in_one_request() {
	local t
	mif_members 10000 >"$T_TMP/big.csv"
	mif_json "$(cat "$T_TMP/big.csv")" >"$T_TMP/big.json"
	echo "    a MIF of 10,000 members: $(stat -c %s "$T_TMP/big.csv") bytes, a body of $(stat -c %s "$T_TMP/big.json")"
	for t in new again changed; do
		[ "$t" = changed ] && { mif_members 10000 1 high >"$T_TMP/big.csv"; mif_json "$(cat "$T_TMP/big.csv")" >"$T_TMP/big.json"; }
		LAST_REQ="POST $MIFS (10,000 members, $t)"
		curl -s -o "$T_TMP/body" -w '%{http_code} %{time_total}' -X POST -H 'X-User-Token: dev-admin-token' \
			-H 'Content-Type: application/json' --data-binary "@$T_TMP/big.json" "$BASE$MIFS" >"$T_TMP/big.out"
		BODY=$(cat "$T_TMP/body")
		echo "    10,000 members ($t): $(cut -d' ' -f2 "$T_TMP/big.out") s"
		expect_eq "status ($t)" 200 "$(cut -d' ' -f1 "$T_TMP/big.out")"
		case $t in
		new) expect_eq "counts" "10000 0 0" "$(mif_counts)" ;;
		again) expect_eq "counts" "0 0 10000" "$(mif_counts)" ;;
		changed) expect_eq "counts" "0 10000 0" "$(mif_counts)" ;;
		esac
	done
	expect_eq "members" 10000 "$(db_sql 'SELECT COUNT(*) FROM ecm_members')"
	expect_eq "history rows" 20000 "$(db_sql 'SELECT COUNT(*) FROM ecm_member_activities')"
	mif_access 30000
}
