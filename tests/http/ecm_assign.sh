# Assignment that respects the ECM program's facts: a member's authorization
# (refused when not active, unless overridden with a reason), caseload
# weights by acuity (weighted loads, limits in points, the race for them),
# and auto-assign and transfer balancing on them.

P=/v1/admin/clinic/ecm
LCM=$P/lead_care_managers

# A day relative to today (UTC, the test stack's clinic zone), YYYY-MM-DD.
day() { date -u -d "$1 days" +%F; }

# member PATIENT ACUITY EFF END: PATIENT becomes a member (NULL for none).
member() {
	local eff=NULL end=NULL acuity=NULL
	[ "$2" = - ] || acuity="'$2'"
	[ "${3:--}" = - ] || eff="'$3'"
	[ "${4:--}" = - ] || end="'$4'"
	db_sql "INSERT INTO ecm_members (patient_id, member_id, acuity_level, ecm_benefit_auth_eff_date,
		ecm_benefit_auth_end_date, created_at, updated_at)
		VALUES ($1, 'M$1', $acuity, $eff, $end, NOW(3), NOW(3))"
}

# more_patients FROM TO: patients FROM..TO ("Patient N"), provider 456.
more_patients() {
	db_sql "INSERT INTO patients (id, name, primary_provider_id)
		SELECT seq, CONCAT('Patient ', seq), 456 FROM seq_$1_to_$2"
}

expect_weighted_loads_exact() {
	expect_eq "weighted loads against the case loads" \
		"$(db_sql "SELECT u, SUM(o), SUM(i) FROM (
			SELECT c.olcm_user_id u, IFNULL(w.weight, 1) o, 0 i FROM case_loads c
			LEFT JOIN ecm_members m ON m.patient_id = c.patient_id
			LEFT JOIN acuity_weights w ON w.acuity_level = IFNULL(m.acuity_level, 'low') WHERE c.olcm_user_id IS NOT NULL
			UNION ALL SELECT c.ilcm_user_id, 0, IFNULL(w.weight, 1) FROM case_loads c
			LEFT JOIN ecm_members m ON m.patient_id = c.patient_id
			LEFT JOIN acuity_weights w ON w.acuity_level = IFNULL(m.acuity_level, 'low') WHERE c.ilcm_user_id IS NOT NULL) d
			GROUP BY u ORDER BY u")" \
		"$(for u in $(db_sql "SELECT DISTINCT u FROM (SELECT olcm_user_id u FROM case_loads UNION SELECT ilcm_user_id FROM case_loads) x WHERE u IS NOT NULL ORDER BY u"); do
			req GET "$LCM/$u"
			printf '%s\t%s\t%s\n' "$u" "$(jq -r .olcm_weighted_load <<<"$BODY")" "$(jq -r .ilcm_weighted_load <<<"$BODY")"
		done | sed '/^$/d')"
}

# ---- the authorization -------------------------------------------------------

test_assign_refuses_an_authorization_not_active_unless_overridden() {
	member 123 high "$(day -400)" "$(day -2)"          # ended
	member 124 low "$(day +2)" "$(day +300)"           # not started
	member 125 medium "$(day -30)" "$(day +30)"        # active
	member 126 - - -                                   # a member without dates
	local before
	before=$(snapshot)
	req POST $LCM/assign '{"patient_id":123,"olcm_user_id":101}'
	expect_error 422 "[\"Patient's ECM authorization is not active\"]"
	req POST $LCM/assign '{"patient_id":124,"ilcm_user_id":102}'
	expect_error 422 "[\"Patient's ECM authorization is not active\"]"
	req POST $LCM/assign '{"patient_id":123,"olcm_user_id":101,"override_authorization":true}'
	expect_error 422 '["override_authorization needs a reason"]'
	req POST $LCM/assign '{"patient_id":123,"olcm_user_id":101,"override_authorization":"yes","reason":"x"}'
	expect_error 422 '["override_authorization must be true or false"]'
	expect_unchanged "refused assignments" "$before"
	# Active, and no dates: as any patient.
	req POST $LCM/assign '{"patient_id":125,"olcm_user_id":101}'
	expect_status 200
	req POST $LCM/assign '{"patient_id":126,"ilcm_user_id":103}'
	expect_status 200
	# Overridden with a reason: applied, and the history says so.
	req POST $LCM/assign '{"patient_id":123,"olcm_user_id":101,"override_authorization":true,"reason":{"code":"other","note":"renewal in review"}}'
	expect_status 200
	expect_json '.case_load.olcm_user_id' 101
	req GET $P/patients/123/lead_care_managers/history
	expect_json '.history[0] | {authorization_override, capacity_override, reason}' \
		'{"authorization_override":true,"capacity_override":false,"reason":{"code":"other","note":"renewal in review"}}'
	req GET $P/patients/125/lead_care_managers/history
	expect_json '.history[0].authorization_override' false
	# Taking an LCM away, or naming the holder again, is never refused.
	req DELETE $LCM/assign '{"patient_id":123,"role":"olcm"}'
	expect_status 200
	db_sql "UPDATE ecm_members SET ecm_benefit_auth_end_date = '$(day -2)' WHERE patient_id = 125"
	req POST $LCM/assign '{"patient_id":125,"olcm_user_id":101}'
	expect_status 200
	req POST $LCM/assign '{"patient_id":125,"olcm_user_id":102}'
	expect_error 422 "[\"Patient's ECM authorization is not active\"]"
}

test_the_authorization_counts_in_bulk_and_transfer_and_auto_assign() {
	member 123 high "$(day -400)" "$(day -2)"          # ended
	member 124 low "$(day -30)" -                      # active, open-ended
	req POST $LCM/bulk_assign '{"assignments":[{"patient_id":123,"olcm_user_id":101},{"patient_id":124,"olcm_user_id":101},
		{"patient_id":123,"ilcm_user_id":102,"override_authorization":true,"reason":"continuity"}]}'
	expect_status 200
	expect_json '.results' "[{\"patient_id\":123,\"status\":\"failed\",\"errors\":[\"Patient's ECM authorization is not active\"]},{\"patient_id\":124,\"status\":\"success\"},{\"patient_id\":123,\"status\":\"success\"}]"
	req GET $P/patients/123/lead_care_managers/history
	expect_json '[.history[] | {role, authorization_override}]' '[{"role":"ilcm","authorization_override":true}]'
	# Transfer: the ended member's move fails alone, unless overridden.
	req POST $LCM/assign '{"patient_id":125,"ilcm_user_id":102}'
	req POST $LCM/transfer '{"from_user_id":102,"to_user_ids":[103],"role":"ilcm"}'
	expect_status 200
	expect_json '[.moves[] | {patient_id, status, errors}]' "[{\"patient_id\":123,\"status\":\"failed\",\"errors\":[\"Patient's ECM authorization is not active\"]},{\"patient_id\":125,\"status\":\"moved\",\"errors\":null}]"
	req POST $LCM/transfer '{"from_user_id":102,"to_user_ids":[103],"role":"ilcm","override_authorization":true}'
	expect_error 422 '["override_authorization needs a reason"]'
	req POST $LCM/transfer '{"from_user_id":102,"to_user_ids":[103],"role":"ilcm","override_authorization":true,"reason":{"code":"staffing_change"}}'
	expect_json '[.moves[] | {patient_id, status}]' '[{"patient_id":123,"status":"moved"}]'
	req GET $P/patients/123/lead_care_managers/history
	expect_json '.history[0] | {user: .user.id, source, authorization_override}' '{"user":103,"source":"transfer","authorization_override":true}'
	# Auto-assign: a named member whose authorization ended fails, saying so; no override.
	req POST $LCM/auto_assign '{"role":"olcm","patient_ids":[123,125],"user_ids":[101,102]}'
	expect_status 200
	expect_json '[.assignments[] | {patient_id, status, errors}]' "[{\"patient_id\":123,\"status\":\"failed\",\"errors\":[\"Patient's ECM authorization is not active\"]},{\"patient_id\":125,\"status\":\"assigned\",\"errors\":null}]"
	req POST $LCM/auto_assign '{"role":"olcm","patient_ids":[123],"override_authorization":true,"reason":"x"}'
	expect_error 422 "[\"auto_assign skips members whose ECM authorization is not active: override_authorization is for assign, bulk_assign and transfer\"]"
	# The unassigned: a member whose authorization is not active is not waiting for one.
	req POST $LCM/auto_assign '{"role":"olcm","unassigned":true,"dry_run":true,"user_ids":[101,102]}'
	expect_json '[.assignments[].patient_id]' '[126]'
	expect_workloads_and_weights
}

expect_workloads_and_weights() {
	expect_weighted_loads_exact
}

test_auto_assign_takes_high_acuity_first_for_the_ilcm() {
	more_patients 200 209
	# 200..204 low, 205..207 high, 208 medium, 209 no member: room for three.
	local p
	for p in 200 201 202 203 204; do member $p low "$(day -5)" "$(day +5)"; done
	for p in 205 206 207; do member $p high "$(day -5)" "$(day +5)"; done
	member 208 medium "$(day -5)" "$(day +5)"
	req PUT $LCM/103/capacity '{"max_ilcm":3}'
	req POST $LCM/auto_assign '{"role":"ilcm","patient_ids":[200,201,202,203,204,205,206,207,208,209],"user_ids":[103]}'
	expect_status 200
	expect_json '[.assignments[] | select(.status == "assigned") | .patient_id]' '[205,206,207]'
	# The unassigned, the same: high acuity first, whatever their ids.
	db_sql "UPDATE case_loads SET ilcm_user_id = NULL WHERE ilcm_user_id = 103"
	req POST $LCM/auto_assign '{"role":"ilcm","unassigned":true,"user_ids":[103]}'
	expect_json '[.assignments[] | select(.status == "assigned") | .patient_id]' '[205,206,207]'
	# The oLCM: by id.
	req PUT $LCM/103/capacity '{"max_olcm":2}'
	req POST $LCM/auto_assign '{"role":"olcm","patient_ids":[200,205,206],"user_ids":[103]}'
	expect_json '[.assignments[] | select(.status == "assigned") | .patient_id]' '[200,205]'
}

# ---- weights -----------------------------------------------------------------

test_weights_are_set_checked_and_shown() {
	req GET $P/acuity_weights
	expect_status 200
	expect_json . '{"low":1,"medium":1,"high":1}'
	local before
	before=$(db_sql "SELECT * FROM acuity_weights ORDER BY acuity_level")
	req PUT $P/acuity_weights '{}'
	expect_error 422 '["Give at least one of low, medium or high"]'
	req PUT $P/acuity_weights '{"low":0,"medium":2.5,"high":101}'
	expect_error 422 '["low must be an integer from 1 to 100","medium must be an integer from 1 to 100","high must be an integer from 1 to 100"]'
	req PUT $P/acuity_weights '{"high":"3"}'
	expect_error 422 '["high must be an integer from 1 to 100"]'
	expect_eq "weights after refusals" "$before" "$(db_sql "SELECT * FROM acuity_weights ORDER BY acuity_level")"
	TOKEN=dev-user-token req PUT $P/acuity_weights '{"high":3}'
	expect_status 403
	req PUT $P/acuity_weights '{"medium":2,"high":3}'
	expect_status 200
	expect_json . '{"low":1,"medium":2,"high":3}'
	req GET $P/acuity_weights
	expect_json . '{"low":1,"medium":2,"high":3}'
	req DELETE $P/acuity_weights
	expect_status 405
}

test_weighted_loads_follow_acuity_and_weights() {
	member 123 high "$(day -5)" "$(day +5)"
	member 124 medium "$(day -5)" "$(day +5)"
	req POST $LCM/bulk_assign '{"assignments":[{"patient_id":123,"olcm_user_id":101,"ilcm_user_id":102},
		{"patient_id":124,"olcm_user_id":101},{"patient_id":125,"olcm_user_id":102}]}'
	expect_json .successful_count 3
	req GET "$LCM/101"
	expect_json '{olcm_assignments_count, olcm_weighted_load, ilcm_weighted_load, max_olcm_points}' \
		'{"olcm_assignments_count":2,"olcm_weighted_load":2,"ilcm_weighted_load":0,"max_olcm_points":null}'
	req PUT $P/acuity_weights '{"low":1,"medium":2,"high":5}'
	req GET "$LCM/101"
	expect_json .olcm_weighted_load 7
	req GET "$LCM/102"
	expect_json '{olcm_weighted_load, ilcm_weighted_load}' '{"olcm_weighted_load":1,"ilcm_weighted_load":5}'
	expect_weighted_loads_exact
	# An acuity that changes moves the load of whoever holds the member.
	db_sql "UPDATE ecm_members SET acuity_level = 'low' WHERE patient_id = 123"
	req GET "$LCM/101"
	expect_json .olcm_weighted_load 3
	expect_weighted_loads_exact
	# The list: sort=weighted_workload, lightest first (101: 3 points, 102: 1 + 1, 103: 0).
	db_sql "UPDATE ecm_members SET acuity_level = 'high' WHERE patient_id = 123"
	req GET "$LCM?sort=weighted_workload"
	expect_json '[.lead_care_managers[] | {id, w: (.olcm_weighted_load + .ilcm_weighted_load)}]' \
		'[{"id":103,"w":0},{"id":2,"w":0},{"id":102,"w":6},{"id":101,"w":7}]'
	req GET "$LCM?sort=workload"
	expect_json '[.lead_care_managers[].id]' '[103,2,102,101]'
}

test_a_limit_in_points_refuses_what_does_not_fit() {
	member 123 high "$(day -5)" "$(day +5)"
	member 124 medium "$(day -5)" "$(day +5)"
	req PUT $P/acuity_weights '{"low":1,"medium":2,"high":3}'
	req PUT $LCM/102/capacity '{"max_olcm_points":4,"max_ilcm_points":-1}'
	expect_error 422 '["max_ilcm_points must be an integer from 0 to 10000000, or null for no limit"]'
	req PUT $LCM/102/capacity '{"max_olcm_points":4,"max_ilcm_points":10000001}'
	expect_error 422 '["max_ilcm_points must be an integer from 0 to 10000000, or null for no limit"]'
	req PUT $LCM/102/capacity '{"max_olcm_points":4}'
	expect_status 200
	expect_json '{max_olcm, max_olcm_points, max_ilcm_points, at_capacity}' \
		'{"max_olcm":null,"max_olcm_points":4,"max_ilcm_points":null,"at_capacity":{"olcm":false,"ilcm":false}}'
	req POST $LCM/assign '{"patient_id":123,"olcm_user_id":102}'
	expect_status 200
	# 3 points held: a medium one (2) does not fit in 4, a low one (1) does.
	req POST $LCM/assign '{"patient_id":124,"olcm_user_id":102}'
	expect_error 422 '["User 102 is at capacity for olcm"]'
	req POST $LCM/bulk_assign '{"assignments":[{"patient_id":124,"olcm_user_id":102},{"patient_id":125,"olcm_user_id":102},{"patient_id":126,"olcm_user_id":102}]}'
	expect_json '[.results[].status]' '["failed","success","failed"]'
	req GET "$LCM/102"
	expect_json '{olcm_weighted_load, at_capacity}' '{"olcm_weighted_load":4,"at_capacity":{"olcm":true,"ilcm":false}}'
	req GET "$LCM?available=true&role=olcm"
	expect_json '[.lead_care_managers[].id]' '[]'
	# An override passes it, and says so.
	req POST $LCM/assign '{"patient_id":124,"olcm_user_id":102,"override_capacity":true,"reason":"covering"}'
	expect_status 200
	req GET $P/patients/124/lead_care_managers/history
	expect_json '.history[0].capacity_override' true
	# A limit in patients still holds beside it.
	req PUT $LCM/103/capacity '{"max_ilcm":1,"max_ilcm_points":100}'
	req POST $LCM/assign '{"patient_id":125,"ilcm_user_id":103}'
	expect_status 200
	req POST $LCM/assign '{"patient_id":126,"ilcm_user_id":103}'
	expect_error 422 '["User 103 is at capacity for ilcm"]'
	expect_weighted_loads_exact
}

test_twenty_racers_for_three_points() {
	more_patients 1000 1019
	local i ok=0 full=0 s
	# 1000..1009 low (1 point), 1010..1019 medium (2): whatever the order, at most 3 points.
	db_sql "INSERT INTO ecm_members (patient_id, member_id, acuity_level, created_at, updated_at)
		SELECT seq, CONCAT('M', seq), IF(seq < 1010, 'low', 'medium'), NOW(3), NOW(3) FROM seq_1000_to_1019"
	req PUT $P/acuity_weights '{"low":1,"medium":2,"high":3}'
	req PUT $LCM/102/capacity '{"max_ilcm_points":3}'
	for i in $(seq 0 19); do
		curl -s -o "$T_TMP/race.$i.body" -w '%{http_code}' -X POST -H 'X-User-Token: dev-admin-token' \
			-H 'Content-Type: application/json' --data-binary "{\"patient_id\":$((1000 + i)),\"ilcm_user_id\":102}" \
			"$BASE$LCM/assign" >"$T_TMP/race.$i" &
	done
	wait
	for i in $(seq 0 19); do
		s=$(cat "$T_TMP/race.$i")
		[ "$s" = 200 ] && ok=$((ok + 1))
		[ "$s" = 422 ] && [ "$(cat "$T_TMP/race.$i.body")" = '{"errors":["User 102 is at capacity for ilcm"]}' ] &&
			full=$((full + 1))
	done
	local points held
	points=$(db_sql "SELECT IFNULL(SUM(IF(m.acuity_level = 'medium', 2, 1)), 0) FROM case_loads c JOIN ecm_members m ON m.patient_id = c.patient_id WHERE c.ilcm_user_id = 102")
	held=$(db_sql "SELECT COUNT(*) FROM case_loads WHERE ilcm_user_id = 102")
	echo "    race: $ok of 20 assigned ($held held, $points points of 3), $full refused at capacity" >&2
	expect_eq "every racer answered 200 or the capacity 422" 20 "$((ok + full))"
	expect_eq "the assigned are the held" "$ok" "$held"
	expect_eq "points held: the limit filled, never passed" 1 "$([ "$points" -ge 2 ] && [ "$points" -le 3 ] && echo 1)"
	req GET "$LCM/102"
	expect_json '{ilcm_weighted_load, at_capacity: .at_capacity.ilcm}' "{\"ilcm_weighted_load\":$points,\"at_capacity\":$([ "$points" = 3 ] && echo true || echo false)}"
	expect_weighted_loads_exact
}

test_auto_assign_and_transfer_balance_the_weighted_load() {
	more_patients 200 207
	local p
	# 200, 201 high (3 points each); 202..207 low (1 each).
	for p in 200 201; do member $p high "$(day -5)" "$(day +5)"; done
	for p in 202 203 204 205 206 207; do member $p low "$(day -5)" "$(day +5)"; done
	req PUT $P/acuity_weights '{"low":1,"medium":2,"high":3}'
	req POST $LCM/auto_assign '{"role":"olcm","patient_ids":[200,201,202,203,204,205,206,207],"user_ids":[102,103]}'
	expect_status 200
	# 200 -> 102 (3), 201 -> 103 (3), then the lows to the lighter, ties to fewer patients then 102:
	# 202 -> 102 (4), 203 -> 103 (4), 204 -> 102, 205 -> 103, 206 -> 102, 207 -> 103: 6 points each.
	expect_json '[.counts[] | {user_id, olcm_weighted_load_after}]' \
		'[{"user_id":102,"olcm_weighted_load_after":6},{"user_id":103,"olcm_weighted_load_after":6}]'
	# 101 takes nothing of them; 102 gives all to 101 and 103 with limits in points: 103 can take 2 more.
	req PUT $LCM/103/capacity '{"max_olcm_points":8}'
	req POST $LCM/transfer '{"from_user_id":102,"to_user_ids":[101,103],"role":"olcm","dry_run":true}'
	expect_status 200
	local dry
	dry=$(jq -c '[.moves[] | {patient_id, to_user_id, status}]' <<<"$BODY")
	req POST $LCM/transfer '{"from_user_id":102,"to_user_ids":[101,103],"role":"olcm"}'
	expect_eq "the dry run is the real run" "$(sed 's/planned/moved/g' <<<"$dry")" "$(jq -c '[.moves[] | {patient_id, to_user_id, status}]' <<<"$BODY")"
	req GET "$LCM/103"
	expect_json '.olcm_weighted_load <= 8' true
	req GET "$LCM/101"
	expect_json '.olcm_weighted_load' "$(( 6 - $(db_sql "SELECT IFNULL(SUM(IF(m.acuity_level = 'high', 3, 1)), 0) - 6 FROM case_loads c JOIN ecm_members m ON m.patient_id = c.patient_id WHERE c.olcm_user_id = 103") ))"
	expect_weighted_loads_exact
}

# The item-by-item bulk run (the set-based one met a locked case load)
# refuses the same items, and overrides the same way.
test_bulk_item_by_item_checks_the_authorization_too() {
	seed
	# Case loads for all four (the holder's lock on 126's would keep new ones out).
	req POST $LCM/bulk_assign '{"assignments":[{"patient_id":124,"ilcm_user_id":103},{"patient_id":125,"ilcm_user_id":103}]}'
	expect_json .successful_count 2
	member 123 high "$(day -400)" "$(day -2)"
	member 124 low "$(day +2)" -
	local fallbacks
	fallbacks=$(grep -c 'set-based run failed' "$HVAR/log/workers.log")
	hold_case_load 126
	req POST $LCM/bulk_assign '{"assignments":[{"patient_id":123,"olcm_user_id":103},{"patient_id":126,"olcm_user_id":101},
		{"patient_id":124,"olcm_user_id":101,"override_authorization":true,"reason":"starts Monday"},{"patient_id":125,"ilcm_user_id":102}]}'
	release_holder
	expect_status 200
	expect_json '[.results[] | {patient_id, status, errors}]' "[{\"patient_id\":123,\"status\":\"failed\",\"errors\":[\"Patient's ECM authorization is not active\"]},{\"patient_id\":126,\"status\":\"failed\",\"errors\":[\"Assignment could not be applied because of concurrent changes, try again\"]},{\"patient_id\":124,\"status\":\"success\",\"errors\":null},{\"patient_id\":125,\"status\":\"success\",\"errors\":null}]"
	expect_eq "the set-based run gave way to item by item" $((fallbacks + 1)) \
		"$(grep -c 'set-based run failed' "$HVAR/log/workers.log")"
	req GET $P/patients/124/lead_care_managers/history
	expect_json '.history[0] | {source, authorization_override}' '{"source":"bulk","authorization_override":true}'
	expect_eq "123 keeps its oLCM" 101 "$(db_sql 'SELECT olcm_user_id FROM case_loads WHERE patient_id = 123')"
}
