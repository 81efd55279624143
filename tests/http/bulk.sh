# POST /v1/admin/clinic/ecm/lead_care_managers/bulk_assign: the envelope
# (1..1000 items), per-item results in order with the single endpoint's
# messages, items applied in order and each on its own.

P=/v1/admin/clinic/ecm
LCM=$P/lead_care_managers
NOT_ELIGIBLE=' is not eligible to be a Lead Care Manager'

# The case loads as {"patient_id": [olcm, ilcm]} (JSON, nulls for NULL).
case_loads_json() {
	db_sql "SELECT patient_id, IFNULL(olcm_user_id, 'null'), IFNULL(ilcm_user_id, 'null') FROM case_loads ORDER BY patient_id" |
		jq -R -s -c 'split("\n") | map(select(length > 0) | split("\t") | {key: .[0], value: [.[1], .[2]] | map(fromjson)}) | from_entries'
}

bulk() {
	req POST $LCM/bulk_assign "$1"
}

# items N: a valid envelope of N items, cycling patients 123..126 and users
# 101..103 (repeats included), an iLCM on every fifth item.
items() {
	jq -cn --argjson n "$1" '{assignments: [range($n) | . as $i |
		{patient_id: (123 + ($i % 4)), olcm_user_id: ([101, 102, 103][(($i / 8) | floor) % 3])}
		+ (if $i % 5 == 0 then {ilcm_user_id: ([2, 103][(($i / 5) | floor) % 2])} else {} end)]}'
}

# The state and the number of changes applying the items in order gives.
simulate() {
	jq -c 'reduce .assignments[] as $it ({s: {}, n: 0};
		reduce ("olcm", "ilcm") as $r (.;
			($it[$r + "_user_id"]) as $u | ($it.patient_id | tostring) as $p |
			if $u == null or (.s[$p][$r] == $u) then .
			else .s[$p][$r] = $u | .n += 1 end))
		| {n, s: (.s | map_values([.olcm, .ilcm]))}'
}

test_bulk_contract_example() {
	bulk '{"assignments":[{"patient_id":123,"olcm_user_id":101,"ilcm_user_id":102},{"patient_id":124,"olcm_user_id":101},{"patient_id":125,"ilcm_user_id":102}]}'
	expect_status 200
	expect_header content-type 'application/json; charset=utf-8'
	expect_json . '{"message":"Bulk assignment completed","successful_count":3,"failed_count":0,"results":[{"patient_id":123,"status":"success"},{"patient_id":124,"status":"success"},{"patient_id":125,"status":"success"}]}'
	expect_eq "case loads" '{"123":[101,102],"124":[101,null],"125":[null,102]}' "$(case_loads_json)"
	# Created like POST .../assign: the patient's primary provider.
	expect_eq "providers" "456 456 456" "$(db_sql 'SELECT provider_id FROM case_loads ORDER BY patient_id' | tr '\n' ' ' | sed 's/ $//')"
	bulk '{"assignments":[{"patient_id":126,"olcm_user_id":103}]}'
	expect_status 200
	expect_eq "no provider" NULL "$(cl_col provider_id 126)"
}

test_bulk_envelope_invalid_422() {
	seed
	local before b
	before=$(snapshot)
	for b in '{}' '{"assignments":null}' '{"assignments":{}}' '{"assignments":{"patient_id":124,"olcm_user_id":101}}' \
		'{"assignments":"x"}' '{"assignments":5}' '{"assignments":true}' '{"assignments":[]}' \
		'{"items":[{"patient_id":124,"olcm_user_id":101}]}' '{"patient_id":124,"olcm_user_id":101}'; do
		bulk "$b"
		expect_error 422
		expect_json '.errors | length == 1 and (.[0] | test("assignments"))' true
	done
	expect_unchanged "invalid envelopes" "$before"
}

test_bulk_1001_items_422_nothing_applied() {
	seed
	local before
	before=$(snapshot)
	bulk "$(items 1001)"
	expect_error 422
	expect_json '.errors | length == 1 and (.[0] | test("assignments"))' true
	expect_unchanged "1001 items" "$before"
}

test_bulk_1000_items_accepted() {
	local body want
	body=$(items 1000)
	want=$(printf '%s' "$body" | simulate)
	bulk "$body"
	expect_status 200
	expect_json '[.message, .successful_count, .failed_count, (.results | length)]' \
		'["Bulk assignment completed",1000,0,1000]'
	expect_json '.results | all(keys == ["patient_id","status"] and .status == "success")' true
	expect_eq "result order" "$(printf '%s' "$body" | jq -c '[.assignments[].patient_id]')" \
		"$(printf '%s' "$BODY" | jq -c '[.results[].patient_id]')"
	expect_eq "final case loads" "$(printf '%s' "$want" | jq -cS .s)" "$(case_loads_json | jq -cS .)"
	expect_eq "activity rows (one per change)" "$(printf '%s' "$want" | jq .n)" \
		"$(db_sql 'SELECT COUNT(*) FROM patient_activities')"
	expect_eq "case loads" 4 "$(db_sql 'SELECT COUNT(*) FROM case_loads')"
}

test_bulk_results_in_order_with_single_endpoint_messages() {
	local long body i n item single
	long=$(printf 'c%.0s' $(seq 501))
	body=$(jq -cn --arg long "$long" '{assignments: [
		{patient_id: 123, olcm_user_id: 101},
		{patient_id: 999, olcm_user_id: 101},
		{patient_id: 124, olcm_user_id: 104},
		{patient_id: "125", olcm_user_id: 101},
		{patient_id: 125},
		{patient_id: 125, ilcm_user_id: 1.5},
		{patient_id: 124, olcm_user_id: 101, ilcm_user_id: 105},
		{patient_id: 126, ilcm_user_id: 103, reason: $long},
		{patient_id: 126, ilcm_user_id: 103, reason: 7},
		{patient_id: 125, olcm_user_id: null, ilcm_user_id: 102},
		{patient_id: 126, olcm_user_id: 999},
		{patient_id: 0, olcm_user_id: 101},
		{olcm_user_id: 101}
	]}')
	bulk "$body"
	expect_status 200
	expect_json '[.message, .successful_count, .failed_count, (.results | length)]' '["Bulk assignment completed",2,11,13]'
	expect_json '[.results[].status]' \
		'["success","failed","failed","failed","failed","failed","failed","failed","failed","success","failed","failed","failed"]'
	expect_json '.results[0]' '{"patient_id":123,"status":"success"}'
	expect_json '.results[9]' '{"patient_id":125,"status":"success"}'
	expect_json '.results[1]' '{"patient_id":999,"status":"failed","errors":["Patient not found"]}'
	expect_json '.results[2]' "{\"patient_id\":124,\"status\":\"failed\",\"errors\":[\"User 104$NOT_ELIGIBLE\"]}"
	expect_json '.results[3] | [.status, .errors]' '["failed",["patient_id must be a positive integer"]]'
	expect_json '.results[4]' '{"patient_id":125,"status":"failed","errors":["At least one of olcm_user_id or ilcm_user_id must be provided"]}'
	expect_json '.results[5] | [.patient_id, (.errors | length == 1 and (.[0] | test("ilcm_user_id")))]' '[125,true]'
	expect_json '.results[6]' "{\"patient_id\":124,\"status\":\"failed\",\"errors\":[\"User 105$NOT_ELIGIBLE\"]}"
	expect_json '.results[7] | [.patient_id, (.errors | length == 1 and (.[0] | test("reason")))]' '[126,true]'
	expect_json '.results[8] | [.patient_id, (.errors | length == 1 and (.[0] | test("reason")))]' '[126,true]'
	expect_json '.results[10]' "{\"patient_id\":126,\"status\":\"failed\",\"errors\":[\"User 999$NOT_ELIGIBLE\"]}"
	expect_json '.results | map(select(.status == "failed") | .errors | length > 0 and all(type == "string")) | all' true
	# Only the two good items applied.
	expect_eq "case loads" '{"123":[101,null],"125":[null,102]}' "$(case_loads_json)"
	# Each failed item, sent alone to POST .../assign, fails with the same messages.
	local results before
	results=$BODY
	before=$(snapshot)
	n=$(printf '%s' "$body" | jq '.assignments | length')
	for i in $(seq 0 $((n - 1))); do
		[ "$(printf '%s' "$results" | jq -r ".results[$i].status")" = failed ] || continue
		item=$(printf '%s' "$body" | jq -c ".assignments[$i]")
		req POST $LCM/assign "$item"
		[ "$STATUS" != 200 ] || fail "item $i succeeded alone: $item"
		single=$(printf '%s' "$BODY" | jq -c '.errors')
		expect_eq "item $i errors, bulk vs single" "$single" "$(printf '%s' "$results" | jq -c ".results[$i].errors")"
	done
	expect_unchanged "the failed items alone" "$before"
}

test_bulk_result_echoes_patient_id() {
	bulk '{"assignments":[{"patient_id":126,"olcm_user_id":101},{"patient_id":124,"ilcm_user_id":102},{"patient_id":126,"ilcm_user_id":103},{"patient_id":998,"olcm_user_id":101}]}'
	expect_status 200
	expect_json '[.results[].patient_id]' '[126,124,126,998]'
	expect_json '[.successful_count, .failed_count]' '[3,1]'
}

test_bulk_non_object_items_fail_alone() {
	bulk '{"assignments":[5,"x",null,[1],{"patient_id":124,"olcm_user_id":101},true]}'
	expect_status 200
	expect_json '[.successful_count, .failed_count, (.results | length)]' '[1,5,6]'
	expect_json '[.results[].status]' '["failed","failed","failed","failed","success","failed"]'
	expect_json '.results | map(select(.status == "failed") | .errors | length > 0 and all(type == "string")) | all' true
	expect_json '.results[4]' '{"patient_id":124,"status":"success"}'
	expect_eq "case loads" '{"124":[101,null]}' "$(case_loads_json)"
}

test_bulk_all_failed_still_200_nothing_changed() {
	seed
	local before
	before=$(snapshot)
	bulk '{"assignments":[{"patient_id":999,"olcm_user_id":101},{"patient_id":123,"olcm_user_id":104},{"patient_id":123},{"patient_id":true,"olcm_user_id":101}]}'
	expect_status 200
	expect_json '[.message, .successful_count, .failed_count]' '["Bulk assignment completed",0,4]'
	expect_json '[.results[].status] | unique' '["failed"]'
	expect_unchanged "an all-failed bulk" "$before"
}

test_bulk_bad_item_does_not_undo_others() {
	seed
	bulk '{"assignments":[{"patient_id":124,"olcm_user_id":102},{"patient_id":123,"olcm_user_id":103},{"patient_id":123,"olcm_user_id":104},{"patient_id":999,"ilcm_user_id":101},{"patient_id":123,"ilcm_user_id":"x"},{"patient_id":125,"ilcm_user_id":101}]}'
	expect_status 200
	expect_json '[.results[].status]' '["success","success","failed","failed","failed","success"]'
	expect_json '[.successful_count, .failed_count]' '[3,3]'
	expect_eq "case loads" '{"123":[103,102],"124":[102,null],"125":[null,101],"126":[null,103]}' "$(case_loads_json)"
	# The failed item on 123 wrote no activity; the good ones wrote one each.
	expect_eq "activities of 123" "olcm 101 103" \
		"$(db_sql "SELECT role, previous_user_id, new_user_id FROM patient_activities WHERE patient_id = 123 AND previous_user_id IS NOT NULL" | tr '\t' ' ')"
	expect_eq "activities" 6 "$(db_sql 'SELECT COUNT(*) FROM patient_activities')"
}

test_bulk_later_item_sees_earlier_result() {
	bulk '{"assignments":[{"patient_id":123,"olcm_user_id":101},{"patient_id":123,"ilcm_user_id":102},{"patient_id":123,"olcm_user_id":103},{"patient_id":124,"ilcm_user_id":101},{"patient_id":124,"ilcm_user_id":101},{"patient_id":123,"olcm_user_id":103,"ilcm_user_id":102}]}'
	expect_status 200
	expect_json '[.successful_count, .failed_count]' '[6,0]'
	expect_eq "case loads" '{"123":[103,102],"124":[null,101]}' "$(case_loads_json)"
	expect_eq "one case load each" "1 1" "$(db_sql 'SELECT COUNT(*) FROM case_loads GROUP BY patient_id ORDER BY patient_id' | tr '\n' ' ' | sed 's/ $//')"
	# The third item replaced the first one's oLCM; repeats wrote nothing.
	expect_eq "activities" "123 olcm NULL 101
123 ilcm NULL 102
123 olcm 101 103
124 ilcm NULL 101" "$(db_sql 'SELECT patient_id, role, IFNULL(previous_user_id, "NULL"), IFNULL(new_user_id, "NULL") FROM patient_activities ORDER BY id' | tr '\t' ' ')"
}

test_bulk_same_user_changes_nothing() {
	seed
	local before
	before=$(snapshot)
	bulk '{"assignments":[{"patient_id":123,"olcm_user_id":101},{"patient_id":126,"ilcm_user_id":103,"reason":"again"},{"patient_id":123,"olcm_user_id":101,"ilcm_user_id":102}]}'
	expect_status 200
	expect_json '[.successful_count, .failed_count]' '[3,0]'
	expect_unchanged "re-assigning the same users" "$before"
}

test_bulk_unknown_fields_and_null_ids() {
	bulk '{"extra":1,"assignments":[{"patient_id":124,"olcm_user_id":101,"ilcm_user_id":null,"provider_id":7,"x":"y"}]}'
	expect_status 200
	expect_json '.results' '[{"patient_id":124,"status":"success"}]'
	expect_eq "case loads" '{"124":[101,null]}' "$(case_loads_json)"
	expect_eq "provider" 456 "$(cl_col provider_id 124)"
}

test_bulk_refused_requests_change_nothing() {
	seed
	local before good='{"assignments":[{"patient_id":124,"olcm_user_id":101}]}'
	before=$(snapshot)
	CT=text/plain
	bulk "$good"
	expect_error 415
	unset CT
	bulk '{"assignments":[{"patient_id":124,"olcm_user_id":101}]'
	expect_error 400
	bulk '[{"patient_id":124,"olcm_user_id":101}]'
	expect_error 400
	TOKEN=dev-user-token
	bulk "$good"
	expect_error 403 '["Admin access required"]'
	TOKEN=""
	bulk "$good"
	expect_error 401
	TOKEN=dev-admin-token
	expect_unchanged "refused bulk requests" "$before"
}

# The items are decided in one transaction: a limit counts the patients the
# earlier items gave the user, a version counts every item that changed
# the case load (as if each had been its own request), and a patient
# named by several items gets one case load.
test_bulk_limits_and_versions_count_each_item() {
	req PUT $LCM/101/capacity '{"max_olcm":2}'
	expect_status 200
	bulk '{"assignments":[{"patient_id":123,"olcm_user_id":101},{"patient_id":124,"olcm_user_id":101},
		{"patient_id":125,"olcm_user_id":101},{"patient_id":124,"ilcm_user_id":102},
		{"patient_id":124,"olcm_user_id":103},{"patient_id":125,"olcm_user_id":101}]}'
	expect_status 200
	expect_json '[.results[].status]' '["success","success","failed","success","success","success"]'
	expect_json '.results[2].errors' '["User 101 is at capacity for olcm"]'
	expect_eq "case loads" '{"123":[101,null],"124":[103,102],"125":[101,null]}' "$(case_loads_json)"
	req GET $P/patients/124/lead_care_managers
	expect_header etag '"3"'
	req GET $P/patients/123/lead_care_managers
	expect_header etag '"1"'
	expect_eq "activity rows in item order" "123 olcm #1
124 olcm #2
124 ilcm #4
124 olcm #5
125 olcm #6" "$(db_sql "SELECT patient_id, role, SUBSTRING_INDEX(request_id, '#', -1) FROM patient_activities ORDER BY id" |
		awk '{ print $1, $2, "#" $3 }')"
}

# A dry run whose set-based run meets a case load another transaction holds
# falls back to item by item, as a real one does, and still writes nothing:
# each item says what a real run would say now.
test_bulk_dry_run_item_by_item_writes_nothing() {
	seed
	local before fallbacks
	before=$(snapshot)
	fallbacks=$(grep -c 'set-based run failed' "$HVAR/log/workers.log")
	hold_case_load 126
	bulk '{"dry_run":true,"assignments":[{"patient_id":123,"olcm_user_id":103},{"patient_id":126,"olcm_user_id":101},{"patient_id":999,"olcm_user_id":101}]}'
	release_holder
	expect_status 200
	expect_json '.dry_run' true
	expect_json '[.results[].status]' '["success","failed","failed"]'
	expect_json '.results[1].errors[0] | test("try again")' true
	expect_json '.results[2].errors[0]' '"Patient not found"'
	expect_unchanged "a dry run applied item by item" "$before"
	expect_eq "the set-based run gave way to item by item" $((fallbacks + 1)) \
		"$(grep -c 'set-based run failed' "$HVAR/log/workers.log")"
}
