# Caseload limits, checked inside the assignment under the user's lock;
# the list's workload fields, sorting and filters; a user's patients;
# deactivated holders flagged.

P=/v1/admin/clinic/ecm
LCM=$P/lead_care_managers

# more_patients FROM TO: patients FROM..TO ("Patient N"), provider 456.
more_patients() {
	db_sql "INSERT INTO patients (id, name, primary_provider_id)
		SELECT seq, CONCAT('Patient ', seq), 456 FROM seq_$1_to_$2"
}

# The workload table agrees with the case loads, and with their members' acuity.
expect_workloads_exact() {
	expect_eq "lcm_workload against the case loads" \
		"$(db_sql "SELECT u, SUM(o), SUM(i), SUM(b), SUM(om), SUM(oh), SUM(im), SUM(ih) FROM (
			SELECT c.olcm_user_id u, 1 o, 0 i, IF(c.olcm_user_id = c.ilcm_user_id, 1, 0) b,
				m.acuity_level <=> 'medium' om, m.acuity_level <=> 'high' oh, 0 im, 0 ih
			FROM case_loads c LEFT JOIN ecm_members m ON m.patient_id = c.patient_id WHERE c.olcm_user_id IS NOT NULL
			UNION ALL SELECT c.ilcm_user_id, 0, 1, 0, 0, 0, m.acuity_level <=> 'medium', m.acuity_level <=> 'high'
			FROM case_loads c LEFT JOIN ecm_members m ON m.patient_id = c.patient_id WHERE c.ilcm_user_id IS NOT NULL) d
			GROUP BY u ORDER BY u")" \
		"$(db_sql "SELECT user_id, olcm_count, ilcm_count, both_count, olcm_medium, olcm_high, ilcm_medium, ilcm_high
			FROM lcm_workload WHERE olcm_count <> 0 OR ilcm_count <> 0 OR both_count <> 0
			OR olcm_medium <> 0 OR olcm_high <> 0 OR ilcm_medium <> 0 OR ilcm_high <> 0 ORDER BY user_id")"
}

# Members for patients $1..$2, their acuity picked by SALT $3 (none, low, medium or high).
acuity_of() { echo "ELT(1 + CONV(LEFT(MD5(CONCAT('$1', patient_id)), 4), 16, 10) % 4, NULL, 'low', 'medium', 'high')"; }
more_members() {
	db_sql "INSERT INTO ecm_members (patient_id, member_id, created_at, updated_at)
		SELECT seq, CONCAT('M', seq), NOW(3), NOW(3) FROM seq_$1_to_$2"
	db_sql "UPDATE ecm_members SET acuity_level = $(acuity_of "$3") WHERE patient_id BETWEEN $1 AND $2"
}

# The patient index agrees with the case loads (and patients without one).
expect_index_exact() {
	expect_eq "patient_index against the case loads" \
		"$(db_sql "SELECT p.id, IFNULL(c.provider_id, p.primary_provider_id), c.olcm_user_id, c.ilcm_user_id, c.id IS NOT NULL
			FROM patients p LEFT JOIN case_loads c ON c.patient_id = p.id ORDER BY p.id")" \
		"$(db_sql "SELECT patient_id, provider_id, olcm_user_id, ilcm_user_id, has_case_load FROM patient_index ORDER BY patient_id")"
}

test_capacity_put_answers_the_users_list_entry() {
	req PUT $LCM/101/capacity '{"max_olcm":2,"max_ilcm":null}'
	expect_status 200
	expect_json '{id, max_olcm, max_ilcm, at_capacity, olcm_assignments_count}' \
		'{"id":101,"max_olcm":2,"max_ilcm":null,"at_capacity":{"olcm":false,"ilcm":false},"olcm_assignments_count":0}'
	req PUT $LCM/101/capacity '{"max_ilcm":0}'
	expect_json '{max_olcm, max_ilcm, at_capacity}' '{"max_olcm":null,"max_ilcm":0,"at_capacity":{"olcm":false,"ilcm":true}}'
	req GET "$LCM?search=Jane"
	expect_json '.lead_care_managers[0] | {max_olcm, max_ilcm, at_capacity}' \
		'{"max_olcm":null,"max_ilcm":0,"at_capacity":{"olcm":false,"ilcm":true}}'
}

test_capacity_put_validation() {
	local before
	before=$(db_sql "SELECT * FROM lcm_capacity")
	req PUT $LCM/101/capacity '{"max_olcm":-1,"max_ilcm":"3"}'
	expect_error 422 '["max_olcm must be an integer from 0 to 100000, or null for no limit","max_ilcm must be an integer from 0 to 100000, or null for no limit"]'
	req PUT $LCM/101/capacity '{"max_olcm":100001}'
	expect_error 422
	req PUT $LCM/101/capacity '{"max_olcm":1.5}'
	expect_error 422
	for u in 104 105 999; do
		req PUT $LCM/$u/capacity '{"max_olcm":3}'
		expect_error 422 "[\"User $u is not eligible to be a Lead Care Manager\"]"
	done
	req PUT $LCM/101/capacity 'nope'
	expect_error 400
	req GET $LCM/101/capacity
	expect_error 405
	expect_header allow PUT
	TOKEN=dev-user-token
	req PUT $LCM/101/capacity '{"max_olcm":3}'
	expect_error 403
	expect_eq "limits unchanged" "$before" "$(db_sql "SELECT * FROM lcm_capacity")"
}

test_assignment_past_the_limit_is_422_and_changes_nothing() {
	req PUT $LCM/101/capacity '{"max_olcm":1,"max_ilcm":1}'
	req POST $LCM/assign '{"patient_id":123,"olcm_user_id":101}'
	expect_status 200
	local before
	before=$(snapshot)
	req POST $LCM/assign '{"patient_id":124,"olcm_user_id":101}'
	expect_error 422 '["User 101 is at capacity for olcm"]'
	req POST $LCM/assign '{"patient_id":123,"olcm_user_id":101}'
	expect_status 200  # holding it already is not taking one more
	req POST $LCM/assign '{"patient_id":124,"ilcm_user_id":101}'
	expect_status 200  # the other role has its own limit
	req POST $LCM/assign '{"patient_id":125,"olcm_user_id":101,"ilcm_user_id":101}'
	expect_error 422 '["User 101 is at capacity for olcm","User 101 is at capacity for ilcm"]'
	req POST $LCM/bulk_assign '{"assignments":[{"patient_id":126,"olcm_user_id":101},{"patient_id":126,"ilcm_user_id":102}]}'
	expect_json '[.results[] | {status, errors}]' '[{"status":"failed","errors":["User 101 is at capacity for olcm"]},{"status":"success","errors":null}]'
	# A limit lowered below what a user holds refuses new ones, keeps the old.
	req PUT $LCM/101/capacity '{"max_olcm":0}'
	expect_json .at_capacity.olcm true
	expect_eq "123 keeps 101" 101 "$(cl_col olcm_user_id 123)"
	expect_workloads_exact
}

test_override_needs_a_reason_and_shows_in_the_history() {
	req PUT $LCM/102/capacity '{"max_olcm":0}'
	req POST $LCM/assign '{"patient_id":123,"olcm_user_id":102,"override_capacity":true}'
	expect_error 422 '["override_capacity needs a reason"]'
	req POST $LCM/assign '{"patient_id":123,"olcm_user_id":102,"override_capacity":"yes","reason":"x"}'
	expect_error 422 '["override_capacity must be true or false"]'
	req POST $LCM/assign '{"patient_id":123,"olcm_user_id":102,"override_capacity":true,"reason":{"code":"acuity_change","note":"only 102 speaks Hmong"}}'
	expect_status 200
	req POST $LCM/assign '{"patient_id":124,"olcm_user_id":103,"override_capacity":true,"reason":"no limit here"}'
	expect_status 200
	req GET $P/patients/123/lead_care_managers/history
	expect_json '.history[0] | {capacity_override, reason}' '{"capacity_override":true,"reason":{"code":"acuity_change","note":"only 102 speaks Hmong"}}'
	req GET $P/patients/124/lead_care_managers/history
	expect_json '.history[0].capacity_override' false
}

# Regression: "reason": "" or " " passed as the reason an override needs,
# and the history then showed capacity_override with an empty note.
test_override_with_an_empty_reason_is_refused_everywhere() {
	local before r
	req PUT $LCM/102/capacity '{"max_olcm":0,"max_ilcm":0}'
	req POST $LCM/assign '{"patient_id":125,"olcm_user_id":101}'
	before=$(snapshot)
	for r in '""' '" "' '"\t\n "' '"\u00a0\u3000"'; do
		req POST $LCM/assign "{\"patient_id\":123,\"olcm_user_id\":102,\"override_capacity\":true,\"reason\":$r}"
		expect_error 422 '["override_capacity needs a reason"]'
		req POST $LCM/bulk_assign "{\"assignments\":[{\"patient_id\":124,\"ilcm_user_id\":102,\"override_capacity\":true,\"reason\":$r}]}"
		expect_status 200
		expect_json '.results' '[{"patient_id":124,"status":"failed","errors":["override_capacity needs a reason"]}]'
		req POST $LCM/transfer "{\"from_user_id\":101,\"to_user_ids\":[102],\"override_capacity\":true,\"reason\":$r}"
		expect_error 422 '["override_capacity needs a reason"]'
	done
	expect_unchanged "overrides with empty reasons" "$before"
	# Text in it, spaces around it: accepted on all three.
	req POST $LCM/assign '{"patient_id":123,"olcm_user_id":102,"override_capacity":true,"reason":" covering "}'
	expect_status 200
	req POST $LCM/bulk_assign '{"assignments":[{"patient_id":124,"ilcm_user_id":102,"override_capacity":true,"reason":"x"}]}'
	expect_json '[.results[].status]' '["success"]'
	req POST $LCM/transfer '{"from_user_id":101,"to_user_ids":[102],"override_capacity":true,"reason":{"code":"other"}}'
	expect_status 200
	expect_json '[.moves[] | {patient_id, capacity_override}]' '[{"patient_id":125,"capacity_override":true}]'
}

test_twenty_racing_for_three_slots_give_three() {
	more_patients 1000 1019
	req PUT $LCM/102/capacity '{"max_olcm":3}'
	local i ok=0 full=0 s
	for i in $(seq 0 19); do
		curl -s -o "$T_TMP/race.$i.body" -w '%{http_code}' -X POST -H 'X-User-Token: dev-admin-token' \
			-H 'Content-Type: application/json' --data-binary "{\"patient_id\":$((1000 + i)),\"olcm_user_id\":102}" \
			"$BASE$LCM/assign" >"$T_TMP/race.$i" &
	done
	wait
	for i in $(seq 0 19); do
		s=$(cat "$T_TMP/race.$i")
		[ "$s" = 200 ] && ok=$((ok + 1))
		[ "$s" = 422 ] && [ "$(cat "$T_TMP/race.$i.body")" = '{"errors":["User 102 is at capacity for olcm"]}' ] &&
			full=$((full + 1))
	done
	expect_eq "successes" 3 "$ok"
	expect_eq "refused at capacity" 17 "$full"
	expect_eq "case loads with 102" 3 "$(db_sql 'SELECT COUNT(*) FROM case_loads WHERE olcm_user_id = 102')"
	expect_workloads_exact
}

test_list_sort_by_workload_and_available() {
	req POST $LCM/bulk_assign '{"assignments":[{"patient_id":123,"olcm_user_id":101,"ilcm_user_id":102},{"patient_id":124,"olcm_user_id":101},{"patient_id":125,"olcm_user_id":103}]}'
	req PUT $LCM/103/capacity '{"max_olcm":1}'
	req GET "$LCM?sort=workload"
	expect_json '[.lead_care_managers[] | [.id, .assigned_patients_count]]' '[[2,0],[102,1],[103,1],[101,2]]'
	req GET "$LCM?sort=name"
	expect_json '[.lead_care_managers[].id]' '[102,103,101,2]'
	req GET "$LCM?available=true"
	expect_json '[.lead_care_managers[].id]' '[102,103,101,2]'
	req GET "$LCM?available=true&role=olcm"
	expect_json '[.lead_care_managers[].id]' '[101]'
	req PUT $LCM/103/capacity '{"max_olcm":1,"max_ilcm":0}'
	req GET "$LCM?available=true&sort=workload"
	expect_json '[.lead_care_managers[].id]' '[2,102,101]'
	expect_json .pagination.total_count 3
}

test_list_new_parameters_validated() {
	req GET "$LCM?sort=random&available=maybe&inactive_with_patients=1"
	expect_error 422 '["sort must be name, workload or weighted_workload","available must be false or true","inactive_with_patients must be false or true"]'
	req GET "$LCM?sort="
	expect_error 422 '["sort must be name, workload or weighted_workload"]'
	req GET "$LCM?sort=name&available=false&inactive_with_patients=false"
	expect_status 200
}

test_deactivated_holders_are_flagged() {
	req POST $LCM/assign '{"patient_id":123,"olcm_user_id":101,"ilcm_user_id":102}'
	db_sql "UPDATE users SET active = 0 WHERE id = 101"
	req GET $P/patients/123/lead_care_managers
	expect_json '.case_load.olcm | {user_id, active}' '{"user_id":101,"active":false}'
	expect_json '.case_load.ilcm | has("active")' false
	req GET $LCM
	expect_json '[.lead_care_managers[].id] | index(101)' null
	req GET "$LCM?inactive_with_patients=true"
	expect_json '[.lead_care_managers[] | {id, active, olcm_assignments_count}]' '[{"id":101,"active":false,"olcm_assignments_count":1}]'
	# Ian Inactive holds nobody: not listed.
	req DELETE $LCM/assign '{"patient_id":123,"role":"olcm"}'
	req GET "$LCM?inactive_with_patients=true"
	expect_json '.lead_care_managers' '[]'
}

test_a_users_patients() {
	req POST $LCM/assign '{"patient_id":124,"olcm_user_id":101}'
	req POST $LCM/assign '{"patient_id":123,"olcm_user_id":101,"ilcm_user_id":101}'
	req GET $LCM/101/patients
	expect_status 200
	expect_json '[.patients[] | [.patient_id, .patient_name, .role]]' '[[123,"John Doe","ilcm"],[123,"John Doe","olcm"],[124,"Mary Major","olcm"]]'
	expect_json '.patients[0].assigned_at | test("Z$")' true
	expect_json .pagination '{"current_page":1,"total_pages":1,"total_count":3,"per_page":25}'
	req GET "$LCM/101/patients?role=olcm&per_page=1&page=2"
	expect_json '[.patients[] | .patient_id]' '[124]'
	expect_json .pagination.total_count 2
	req GET $LCM/102/patients
	expect_json . '{"patients":[],"pagination":{"current_page":1,"total_pages":0,"total_count":0,"per_page":25}}'
	req GET $LCM/999/patients
	expect_error 404 '["User not found"]'
	req GET "$LCM/101/patients?role=x&page=0"
	expect_error 422 '["page must be a positive integer","role must be olcm or ilcm"]'
}

test_workloads_follow_every_kind_of_change() {
	req POST $LCM/assign '{"patient_id":123,"olcm_user_id":101,"ilcm_user_id":101}'
	req PUT $LCM/assign '{"patient_id":123,"ilcm_user_id":102}'
	req POST $LCM/bulk_assign '{"assignments":[{"patient_id":124,"olcm_user_id":101},{"patient_id":125,"ilcm_user_id":101}]}'
	req DELETE $LCM/assign '{"patient_id":124,"role":"olcm"}'
	req POST $LCM/transfer '{"from_user_id":101,"to_user_ids":[103]}'
	expect_status 200
	req POST $LCM/auto_assign '{"role":"ilcm","unassigned":true}'
	expect_status 200
	expect_workloads_exact
	expect_index_exact
}

# Every shape of change the triggers distinguish: a new case load with one
# role, with two users in either id order, with one user in both; a change
# to the same user in both roles, a swap, a clear; each checked at once.
# An operator's SQL moves holders at random, one role per row, then both,
# through every pair of none and three users, each round checked: the
# trigger's one-role path (its two holders in one statement, either id
# order, one of them none, a holder of the other role among them) and its
# walk of both roles.
test_workloads_exact_through_random_operator_updates() {
	more_patients 200 239
	more_members 200 239 start
	local ids='' n seed
	for n in $(seq 200 239); do ids="$ids${ids:+,}{\"patient_id\":$n,\"olcm_user_id\":101}"; done
	req POST $LCM/bulk_assign "{\"assignments\":[$ids]}"
	expect_json .successful_count 40
	# pick SALT: none or one of three users, for each row its own, the same every run.
	pick() { echo "ELT(1 + CONV(LEFT(MD5(CONCAT('$1', patient_id)), 4), 16, 10) % 4, NULL, 101, 102, 103)"; }
	for seed in 1 2 3 4 5 6; do
		db_sql "UPDATE case_loads SET olcm_user_id = $(pick o$seed)
			WHERE patient_id BETWEEN 200 AND 239"
		expect_workloads_exact
		db_sql "UPDATE case_loads SET ilcm_user_id = $(pick i$seed)
			WHERE patient_id BETWEEN 200 AND 239"
		expect_workloads_exact
		db_sql "UPDATE case_loads SET olcm_user_id = $(pick b$seed),
			ilcm_user_id = $(pick c$seed)
			WHERE patient_id BETWEEN 200 AND 239"
		expect_workloads_exact
		# A member's acuity changing, coming and going moves their holders' counts.
		db_sql "UPDATE ecm_members SET acuity_level = $(acuity_of a$seed) WHERE patient_id BETWEEN 200 AND 239"
		expect_workloads_exact
		db_sql "DELETE FROM ecm_members WHERE patient_id BETWEEN 200 AND 239 AND patient_id % $((seed + 1)) = 0"
		expect_workloads_exact
		db_sql "INSERT INTO ecm_members (patient_id, member_id, acuity_level, created_at, updated_at)
			SELECT seq, CONCAT('M', seq), IF(seq % 2, 'high', 'medium'), NOW(3), NOW(3) FROM seq_200_to_239
			WHERE seq NOT IN (SELECT patient_id FROM ecm_members)"
		expect_workloads_exact
	done
	expect_eq "members of every acuity held" 1 "$(db_sql "SELECT COUNT(DISTINCT m.acuity_level) = 3
		FROM ecm_members m JOIN case_loads c ON c.patient_id = m.patient_id WHERE c.olcm_user_id IS NOT NULL")"
	# The last round left many of the 16 pairs, the same user in both roles among them.
	expect_eq "pairs of holders left" 1 "$(db_sql "SELECT COUNT(DISTINCT IFNULL(olcm_user_id, 0), IFNULL(ilcm_user_id, 0)) >= 8
		AND SUM(olcm_user_id = ilcm_user_id) > 0 FROM case_loads WHERE patient_id BETWEEN 200 AND 239")"
	expect_index_exact
}

test_workloads_exact_through_every_shape_of_change() {
	more_patients 200 209
	more_members 200 209 shapes
	local step
	for step in \
		'POST {"patient_id":200,"olcm_user_id":101}' \
		'POST {"patient_id":201,"olcm_user_id":101,"ilcm_user_id":102}' \
		'POST {"patient_id":202,"olcm_user_id":102,"ilcm_user_id":101}' \
		'POST {"patient_id":203,"olcm_user_id":103,"ilcm_user_id":103}' \
		'POST {"patient_id":204,"ilcm_user_id":103}' \
		'POST {"patient_id":201,"ilcm_user_id":101}' \
		'POST {"patient_id":201,"olcm_user_id":102,"ilcm_user_id":101}' \
		'POST {"patient_id":202,"olcm_user_id":101,"ilcm_user_id":102}' \
		'POST {"patient_id":203,"olcm_user_id":101}' \
		'DELETE {"patient_id":203,"role":"olcm"}' \
		'DELETE {"patient_id":203,"role":"ilcm"}' \
		'POST {"patient_id":203,"olcm_user_id":103}' \
		'POST {"patient_id":200,"olcm_user_id":102,"ilcm_user_id":102}' \
		'POST {"patient_id":200,"olcm_user_id":101,"ilcm_user_id":103}'; do
		req "${step%% *}" $LCM/assign "${step#* }"
		expect_status 200
		expect_workloads_exact
	done
	req POST $LCM/bulk_assign '{"assignments":[
		{"patient_id":205,"olcm_user_id":103,"ilcm_user_id":101},
		{"patient_id":205,"olcm_user_id":101},
		{"patient_id":206,"olcm_user_id":102,"ilcm_user_id":102},
		{"patient_id":206,"ilcm_user_id":103},
		{"patient_id":201,"olcm_user_id":103,"ilcm_user_id":103}]}'
	expect_json .successful_count 5
	expect_workloads_exact
	expect_index_exact
	# The single writes after a set-based one keep the books again.
	req POST $LCM/assign '{"patient_id":205,"olcm_user_id":102}'
	expect_status 200
	req POST $LCM/transfer '{"from_user_id":101,"to_user_ids":[102,103]}'
	expect_status 200
	req POST $LCM/assign '{"patient_id":206,"ilcm_user_id":101}'
	expect_status 200
	expect_workloads_exact
	expect_index_exact
}
