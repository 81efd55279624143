# The demo clinic (make demo, deploy/demo.sh) on this stack: what README.md
# and deploy/README.md promise of it, read through the API; beside the
# contract's demo data, which it leaves as it was; a second run changes
# nothing; a history cut short is refused.

P=/v1/admin/clinic/ecm
LCM=$P/lead_care_managers

# demo_load: deploy/demo.sh against this stack, as make demo runs it; its
# output in DEMO_OUT, its exit status returned.
demo_load() {
	local rc
	DEMO_OUT=$(LCM_VAR=$HVAR LCM_PORT=${BASE##*:} bash "$HARNESS_ROOT/deploy/demo.sh" 2>&1)
	rc=$?
	[ "$rc" = 0 ] || echo "    deploy/demo.sh said: $DEMO_OUT" >&2
	return "$rc"
}

# The clinic's rows and their history, the way the database holds them:
# every table but the access log and the tokens (a run's own reads and its
# token's last use are recorded there, as any client's are).
demo_snapshot() {
	local t
	for t in users user_roles roles providers patients case_loads patient_activities \
		lcm_capacity lcm_workload patient_index idempotency_keys; do
		db_sql "CHECKSUM TABLE $t"
	done
}

# demo_total QUERY: how many patients GET .../patients?QUERY finds.
demo_total() {
	req GET "$P/patients?per_page=1&$1"
	printf '%s' "$BODY" | jq .pagination.total_count
}

test_demo_clinic_is_what_the_readmes_promise() {
	local before after lcms n over provs p sum
	req GET $P/patients/summary
	before=$BODY
	demo_load || { fail "deploy/demo.sh failed"; return; }
	req GET $P/patients/summary
	after=$BODY
	# A dozen care managers, each with both limits, some at a limit and
	# some over one.
	req GET "$LCM?per_page=100"
	expect_status 200
	lcms=$(printf '%s' "$BODY" | jq -c '[.lead_care_managers[] | select(.id >= 201 and .id <= 213)]')
	expect_eq "the clinic's eligible care managers" 12 "$(jq length <<<"$lcms")"
	expect_eq "care managers without both limits" 0 \
		"$(jq '[.[] | select(.max_olcm == null or .max_ilcm == null)] | length' <<<"$lcms")"
	n=$(jq '[.[] | select(.at_capacity.olcm or .at_capacity.ilcm)] | length' <<<"$lcms")
	over=$(jq '[.[] | select(.olcm_assignments_count > .max_olcm or .ilcm_assignments_count > .max_ilcm)] | length' <<<"$lcms")
	[ "$n" -ge 2 ] && [ "$over" -ge 1 ] && [ "$n" -lt 12 ] ||
		fail "at or over a limit: $n of 12, over: $over (want some at and at least one over, not all): $lcms"
	expect_eq "workloads differ" true \
		"$(jq '[.[].assigned_patients_count] | unique | length > 4' <<<"$lcms")"
	# One deactivated person still holding patients, whose page lists them.
	req GET "$LCM?inactive_with_patients=true"
	expect_json '[.lead_care_managers[] | select(.assigned_patients_count > 0) | [.id, .active]]' '[[213,false]]'
	req GET "$LCM/213/patients?per_page=100"
	expect_status 200
	[ "$(printf '%s' "$BODY" | jq '.patients | length')" -gt 0 ] || fail "Nadia Rahman's page lists no patients: $BODY"
	# The summary: a few hundred patients, a few dozen waiting for each role.
	sum=$(jq -nc --argjson b "$before" --argjson a "$after" \
		'{patients: ($a.patients - $b.patients), without_olcm: ($a.without_olcm - $b.without_olcm),
		  without_ilcm: ($a.without_ilcm - $b.without_ilcm), assigned_to_inactive: $a.assigned_to_inactive}')
	expect_eq "the clinic's summary ($sum)" true "$(jq '.patients == 300 and
		.without_olcm >= 24 and .without_olcm < 100 and .without_ilcm >= 24 and .without_ilcm < 100 and
		.assigned_to_inactive > 0' <<<"$sum")"
	# Three providers, with nearly every clinic patient among them (a few
	# have none).
	provs=0 sum=0
	for p in 601 602 603; do
		n=$(demo_total "provider_id=$p")
		[ "$n" -gt 0 ] && provs=$((provs + 1)) && sum=$((sum + n))
	done
	expect_eq "providers with patients" 3 "$provs"
	[ $((sum * 10)) -ge $((9 * $(jq .patients <<<"$after") - 9 * $(jq .patients <<<"$before"))) ] ||
		fail "only $sum clinic patients have one of the three providers"
	# History: a patient's periods, of every kind the clinic's weeks made,
	# and an override.
	req GET "$P/patients/1001/lead_care_managers/history"
	expect_status 200
	expect_json '[.history[].source] | unique' '["assign","bulk","transfer","update"]'
	expect_json '[.history[] | select(.ended_at == null) | .role] | sort' '["ilcm","olcm"]'
	expect_json '[.history[] | select(.reason == null)] | length' 0
	# A removal: patient 1100's oLCM period ended, and nobody took the role.
	req GET "$P/patients/1100/lead_care_managers/history"
	expect_json '[.history[] | select(.role == "olcm") | .ended_at != null]' '[true]'
	req GET "$P/patients/1100/lead_care_managers"
	expect_json '.case_load.olcm' null
	req GET "$P/patients/1265/lead_care_managers/history"
	expect_json '[.history[] | [.role, .user.id, .capacity_override]]' '[["olcm",201,true]]'
	# Made through the API: every activity of the clinic is the admin's, with
	# nginx's request id.
	expect_eq "the clinic's activities not made through the API" 0 \
		"$(db_sql "SELECT COUNT(*) FROM patient_activities WHERE patient_id BETWEEN 1001 AND 1300
			AND (actor_user_id <> 1 OR request_id IS NULL OR request_id = '')")"
	[ "$(db_sql "SELECT COUNT(DISTINCT request_id) FROM patient_activities WHERE patient_id BETWEEN 1001 AND 1300")" -gt 30 ] ||
		fail "fewer than 30 requests made the clinic's history"
}

# The contract's demo data is left as it was, and the contract's examples
# still run beside the clinic.
test_demo_clinic_leaves_the_contracts_demo_data() {
	local before out
	before=$(db_sql "SELECT id, name, email, active FROM users WHERE id < 200 ORDER BY id;
		SELECT * FROM user_roles WHERE user_id < 200 ORDER BY user_id, role_id;
		SELECT * FROM patients WHERE id < 1000 ORDER BY id; SELECT * FROM providers WHERE id < 600;
		SELECT COUNT(*) FROM case_loads; SELECT COUNT(*) FROM lcm_capacity WHERE user_id < 200")
	demo_load || { fail "deploy/demo.sh failed"; return; }
	expect_eq "the contract's demo data" "$before" \
		"$(db_sql "SELECT id, name, email, active FROM users WHERE id < 200 ORDER BY id;
		SELECT * FROM user_roles WHERE user_id < 200 ORDER BY user_id, role_id;
		SELECT * FROM patients WHERE id < 1000 ORDER BY id; SELECT * FROM providers WHERE id < 600;
		SELECT COUNT(*) FROM case_loads WHERE patient_id < 1000; SELECT COUNT(*) FROM lcm_capacity WHERE user_id < 200")"
	out=$(bash "$HARNESS_ROOT/tests/smoke.sh" "$BASE" 2>&1)
	expect_eq "tests/smoke.sh beside the demo clinic" "smoke: 11 passed, 0 failed" "$(tail -n 1 <<<"$out")"
	[ "$(tail -n 1 <<<"$out")" = "smoke: 11 passed, 0 failed" ] || echo "$out" | grep 'not ok' | sed 's/^/    /' >&2
}

# A second run imports the same files (each row found as it is) and builds
# no history again: nothing changes, what the clinic did since included.
test_demo_clinic_second_run_changes_nothing() {
	local before export_before
	demo_load || { fail "deploy/demo.sh failed"; return; }
	# What the clinic does next in the console stays.
	req POST $LCM/transfer '{"from_user_id":213,"to_user_ids":[209,210],"role":"olcm","override_capacity":true,"reason":{"code":"staffing_change","note":"Nadia left"}}'
	expect_status 200
	before=$(demo_snapshot)
	req GET "$LCM/assignments.csv"
	export_before=$BODY
	demo_load || { fail "the second run failed"; return; }
	grep -q 'import providers: 3 rows: 0 added, 0 changed, 3 unchanged' <<<"$DEMO_OUT" &&
		grep -q 'import patients: 300 rows: 0 added, 0 changed, 300 unchanged' <<<"$DEMO_OUT" &&
		grep -q 'import users: 13 rows: 0 added, 0 changed, 13 unchanged, 0 role grants changed' <<<"$DEMO_OUT" &&
		grep -q 'history is there already' <<<"$DEMO_OUT" ||
		fail "the second run did not say it found everything as it was: $DEMO_OUT"
	expect_eq "the tables after a second run" "$before" "$(demo_snapshot)"
	req GET "$LCM/assignments.csv"
	expect_eq "the export after a second run" "$export_before" "$BODY"
}

# A run cut short (Nadia active again, the enrolment begun) is refused, and
# the refusal changes nothing.
test_demo_clinic_refuses_a_history_cut_short() {
	local before out
	for k in providers patients users; do
		"$LCM_ADMIN" --config "$HVAR/lcm.conf" import "$k" "$HARNESS_ROOT/deploy/sample/clinic/$k.csv" >/dev/null ||
			{ fail "import $k"; return; }
	done
	"$LCM_ADMIN" --config "$HVAR/lcm.conf" user activate 213 >/dev/null
	req POST $LCM/assign '{"patient_id":1001,"olcm_user_id":213}'
	expect_status 200
	before=$(demo_snapshot)
	out=$(LCM_VAR=$HVAR LCM_PORT=${BASE##*:} bash "$HARNESS_ROOT/deploy/demo.sh" 2>&1) &&
		fail "a history cut short was not refused: $out"
	grep -q 'only partly built' <<<"$out" || fail "the refusal does not say why: $out"
	expect_eq "the tables after the refusal" "$before" "$(demo_snapshot)"
}

# make run (deploy/stack.sh start) says how to load it, with this stack's
# place and port, and that line loads it; README's quick start names it.
test_make_run_says_how_to_load_the_demo_clinic() {
	local out line
	out=$(LCM_VAR=$HVAR LCM_PORT=${BASE##*:} bash "$HARNESS_ROOT/deploy/stack.sh" start 2>&1) ||
		{ fail "stack.sh start: $out"; return; }
	line=$(grep 'make demo' <<<"$out")
	grep -qF "LCM_VAR=$HVAR LCM_PORT=${BASE##*:} make demo" <<<"$line" ||
		fail "make run does not say how to load the demo clinic here: $out"
	sed -n '/^## Quick start/,/^## [^Q]/p' "$HARNESS_ROOT/README.md" | grep -q '^    make demo ' ||
		fail "README.md's quick start does not show make demo"
	grep -q '^demo: run$' "$HARNESS_ROOT/Makefile" && grep -q 'bash deploy/demo.sh' "$HARNESS_ROOT/Makefile" ||
		fail "make demo is not make run followed by deploy/demo.sh"
}
