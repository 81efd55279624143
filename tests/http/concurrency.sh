# Two admins (here sixty) writing one patient at once: one case load, no
# 500, and an activity trail that replays to the final state.

LCM=/v1/admin/clinic/ecm/lead_care_managers

# fire N METHOD BODY-TEMPLATE...: N concurrent requests, statuses into $T_TMP/statuses.
# Each body is chosen round-robin from the templates.
fire() {
	local n=$1 method=$2 i
	shift 2
	local bodies=("$@")
	: >"$T_TMP/statuses"
	for i in $(seq 1 "$n"); do
		printf '%s\n' "${bodies[$((i % ${#bodies[@]}))]}"
	done | xargs -d '\n' -P "$n" -I{} curl -s -o /dev/null -w '%{http_code}\n' \
		-X "$method" -H 'X-User-Token: dev-admin-token' -H 'Content-Type: application/json' \
		--data-binary {} "$BASE$LCM/assign" >>"$T_TMP/statuses"
}

test_concurrent_first_assignments_make_one_case_load() {
	fire 60 POST \
		'{"patient_id":124,"olcm_user_id":101,"ilcm_user_id":102}' \
		'{"patient_id":124,"olcm_user_id":102,"ilcm_user_id":103}' \
		'{"patient_id":124,"olcm_user_id":103}' \
		'{"patient_id":124,"ilcm_user_id":101,"reason":"cover"}'
	expect_eq "requests" 60 "$(wc -l <"$T_TMP/statuses")"
	expect_eq "non-200 answers" "" "$(grep -v '^200$' "$T_TMP/statuses" | sort | uniq -c)"
	expect_eq "case loads of 124" 1 "$(db_sql 'SELECT COUNT(*) FROM case_loads WHERE patient_id = 124')"
	expect_trail_consistent 124 olcm
	expect_trail_consistent 124 ilcm
}

test_concurrent_mixed_writes_keep_trail_consistent() {
	req POST $LCM/assign '{"patient_id":125,"olcm_user_id":101,"ilcm_user_id":102}'
	expect_status 200
	: >"$T_TMP/all"
	fire 20 PUT '{"patient_id":125,"olcm_user_id":102}' '{"patient_id":125,"ilcm_user_id":103}' &
	local a=$!
	cp /dev/null "$T_TMP/statuses2"
	for i in $(seq 1 20); do
		printf '{"patient_id":125,"role":"%s"}\n' "$([ $((i % 2)) = 0 ] && echo olcm || echo ilcm)"
	done | xargs -d '\n' -P 20 -I{} curl -s -o /dev/null -w '%{http_code}\n' \
		-X DELETE -H 'X-User-Token: dev-admin-token' -H 'Content-Type: application/json' \
		--data-binary {} "$BASE$LCM/assign" >>"$T_TMP/statuses2"
	wait $a
	cat "$T_TMP/statuses" "$T_TMP/statuses2" >"$T_TMP/all"
	expect_eq "requests" 40 "$(wc -l <"$T_TMP/all")"
	expect_eq "non-200 answers" "" "$(grep -v '^200$' "$T_TMP/all" | sort | uniq -c)"
	expect_eq "case loads of 125" 1 "$(db_sql 'SELECT COUNT(*) FROM case_loads WHERE patient_id = 125')"
	expect_trail_consistent 125 olcm
	expect_trail_consistent 125 ilcm
}

test_concurrent_bulk_and_single_on_same_patients() {
	local items
	items=$(jq -nc '{assignments: [range(0; 200) | {patient_id: (123 + (. % 4)), olcm_user_id: (101 + (. % 3))}]}')
	: >"$T_TMP/statuses"
	(curl -s -o /dev/null -w '%{http_code}\n' -X POST -H 'X-User-Token: dev-admin-token' \
		-H 'Content-Type: application/json' --data-binary "$items" \
		"$BASE$LCM/bulk_assign" >"$T_TMP/bulk_status") &
	local b=$!
	fire 30 POST '{"patient_id":123,"ilcm_user_id":103}' '{"patient_id":126,"olcm_user_id":102}'
	wait $b
	expect_eq "bulk status" 200 "$(cat "$T_TMP/bulk_status")"
	expect_eq "non-200 singles" "" "$(grep -v '^200$' "$T_TMP/statuses" | sort | uniq -c)"
	expect_eq "one case load per patient" 4 "$(db_sql 'SELECT COUNT(DISTINCT patient_id) FROM case_loads')"
	expect_eq "case loads" 4 "$(db_sql 'SELECT COUNT(*) FROM case_loads')"
	local p
	for p in 123 124 125 126; do
		expect_trail_consistent $p olcm
		expect_trail_consistent $p ilcm
	done
}
