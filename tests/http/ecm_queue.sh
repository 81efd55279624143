# The queue and the summary for ECM members (issue 24): GET /patients's
# filters acuity, authorization, auth_ends_within_days, member_id and
# assigned, alone, combined with every other filter and validated; the
# member's authorization_status in the list and the care team; the
# summary's high_acuity_without_ilcm and authorization_ended_assigned, each
# the total of the list it names; and what a client that knows only the
# contract sees of patients that are no members.
#
# The authorization is compared with the clinic's day (today(), UTC in the
# test stack). Dates are set relative to the database's UTC_DATE() with at
# least two days of margin, so that a run across midnight cannot flip them;
# where a boundary (ends today, within N days) is the point, the test reads
# the day before and after and runs again when it changed meanwhile.

P=/v1/admin/clinic/ecm
LCM=$P/lead_care_managers

pids() { printf '%s' "$BODY" | jq -c '[.patients[].id]'; }

# ecmq_members "PID|MEMBER_ID|ACUITY|EFF|END" lines: members of existing
# patients, EFF and END as SQL expressions of d (the day: UTC_DATE()), or NULL.
ecmq_members() {
	local pid mid acuity eff fin sql=""
	while IFS='|' read -r pid mid acuity eff fin; do
		[ -n "$pid" ] || continue
		sql="$sql INSERT INTO ecm_members (patient_id, member_id, cin, acuity_level,
			ecm_benefit_auth_eff_date, ecm_benefit_auth_end_date, created_at, updated_at)
			SELECT $pid, '$mid', 'CIN$pid', $acuity, $eff, $fin, NOW(3), NOW(3)
			FROM (SELECT UTC_DATE() AS d) t;"
	done
	db_sql "$sql"
}

# The ECM clinic beside the demo's four patients (123-126, no members):
#   127 Ada Active    high,   active (d-30..d+60),   oLCM 101
#   128 Ben Covered   high,   active (d-30..d+60),   iLCM 103
#   129 Cid Ended     high,   ended (d-100..d-2),    oLCM 101
#   130 Dee Ended     low,    ended (d-100..d-2),    no one, no provider
#   131 Eve Future    medium, not started (d+2..d+100)
#   132 Fay Open      high,   active, open-ended (d-10..)
#   133 Gus Undated   high,   no authorization dates
#   134 Hal Lapsed    medium, ended (d-100..d-3),    iLCM 102
# and John Doe (123, no member): oLCM 101, iLCM 102. The roles are given
# before the patients are members (an authorization decides nothing here).
ecm_clinic() {
	db_sql "INSERT INTO providers (id, name) VALUES (457, 'Dr. Jones');
		INSERT INTO patients (id, name, primary_provider_id) VALUES
		(127, 'Ada Active', 456), (128, 'Ben Covered', 456), (129, 'Cid Ended', 456),
		(130, 'Dee Ended', NULL), (131, 'Eve Future', 457), (132, 'Fay Open', 456),
		(133, 'Gus Undated', 456), (134, 'Hal Lapsed', 456)"
	req POST $LCM/bulk_assign '{"assignments":[{"patient_id":123,"olcm_user_id":101,"ilcm_user_id":102},{"patient_id":127,"olcm_user_id":101},{"patient_id":128,"ilcm_user_id":103},{"patient_id":129,"olcm_user_id":101},{"patient_id":134,"ilcm_user_id":102}]}'
	expect_status 200
	expect_json '[.successful_count, .failed_count]' '[5,0]'
	ecmq_members <<'ROWS'
127|M127|'high'|d - INTERVAL 30 DAY|d + INTERVAL 60 DAY
128|M128|'high'|d - INTERVAL 30 DAY|d + INTERVAL 60 DAY
129|M129|'high'|d - INTERVAL 100 DAY|d - INTERVAL 2 DAY
130|M130|'low'|d - INTERVAL 100 DAY|d - INTERVAL 2 DAY
131|M131|'medium'|d + INTERVAL 2 DAY|d + INTERVAL 100 DAY
132|M132|'high'|d - INTERVAL 10 DAY|NULL
133|M133|'high'|NULL|NULL
134|M134|'medium'|d - INTERVAL 100 DAY|d - INTERVAL 3 DAY
ROWS
}

# expect_list QUERY IDS: GET /patients?QUERY lists exactly IDS, in order.
expect_list() {
	req GET "$P/patients?per_page=100&$1"
	expect_status 200
	expect_eq "patients?$1" "$2" "$(pids)"
}

# ---- each filter alone ------------------------------------------------------------

test_ecm_queue_each_member_filter() {
	ecm_clinic
	local q want
	while IFS='|' read -r q want; do
		expect_list "$q" "$want"
	done <<'CASES'
acuity=high|[127,128,129,132,133]
acuity=medium|[131,134]
acuity=low|[130]
authorization=active|[127,128,132]
authorization=ended|[129,130,134]
authorization=not_started|[131]
auth_ends_within_days=60|[127,128]
auth_ends_within_days=59|[]
auth_ends_within_days=3650|[127,128]
member_id=M129|[129]
member_id=m129|[]
member_id=M12|[]
member_id=CIN129|[]
assigned=true|[127,128,129,134,123]
assigned=false|[130,131,132,133,124,126,125]
CASES
}

# Every row of a filter says the status it was chosen by; every member with
# authorization dates is in exactly one of the three lists.
test_ecm_queue_authorization_filter_and_status_agree() {
	ecm_clinic
	local s all=""
	for s in active ended not_started; do
		req GET "$P/patients?per_page=100&authorization=$s"
		expect_json "[.patients[].ecm_eligibility_information.authorization_status] | unique" "[\"$s\"]"
		all="$all $(printf '%s' "$BODY" | jq -r '.patients[].id')"
	done
	expect_eq "the three lists partition the members with dates" "127 128 129 130 131 132 134" \
		"$(tr ' ' '\n' <<<"$all" | sed '/^$/d' | sort -n | tr '\n' ' ' | sed 's/ $//')"
	req GET "$P/patients?per_page=100"
	expect_json '[.patients[] | [.id, .ecm_eligibility_information.authorization_status]]' \
		'[[127,"active"],[128,"active"],[129,"ended"],[130,"ended"],[131,"not_started"],[132,"active"],[133,null],[134,"ended"],[123,null],[124,null],[126,null],[125,null]]'
}

# ---- combined with every other filter, and with each other ------------------------

test_ecm_queue_filters_combine() {
	ecm_clinic
	db_sql "UPDATE users SET active = 0 WHERE id = 102"
	local q want
	while IFS='|' read -r q want; do
		expect_list "$q" "$want"
	done <<'CASES'
acuity=high&authorization=active|[127,128,132]
acuity=high&authorization=active&unassigned=ilcm|[127,132]
acuity=high&assigned=true|[127,128,129]
acuity=medium&authorization=ended|[134]
authorization=ended&assigned=true|[129,134]
authorization=ended&assigned=false|[130]
authorization=ended&unassigned=both|[130]
authorization=ended&provider_id=456|[129,134]
authorization=not_started&provider_id=457|[131]
authorization=ended&held_by_inactive=true|[134]
acuity=high&lcm_user_id=101|[127,129]
acuity=high&search=en|[128,129,132]
auth_ends_within_days=60&unassigned=ilcm|[127]
auth_ends_within_days=60&acuity=low|[]
auth_ends_within_days=60&authorization=ended|[]
member_id=M128&authorization=active&acuity=high&assigned=true&unassigned=olcm&provider_id=456&search=ben&lcm_user_id=103|[128]
member_id=M128&unassigned=ilcm|[]
assigned=true&unassigned=olcm|[128,134]
assigned=false&lcm_user_id=101|[]
assigned=true&held_by_inactive=true|[134,123]
assigned=false&search=e|[130,131,132,133,126]
CASES
	# Paged: the pagination is the filter's.
	req GET "$P/patients?acuity=high&per_page=2&page=3"
	expect_eq "page 3 of the high-acuity members" "[133]" "$(pids)"
	expect_json .pagination '{"current_page":3,"total_pages":3,"total_count":5,"per_page":2}'
	req GET "$P/patients?assigned=true&per_page=2&page=4"
	expect_json . '{"patients":[],"pagination":{"current_page":4,"total_pages":3,"total_count":5,"per_page":2}}'
}

# The member id is compared exactly, as stored, whatever it holds of the
# visible ASCII ("+" sent as %2B: a query's "+" is a space).
test_ecm_queue_member_id_as_stored() {
	ecm_clinic
	db_sql "UPDATE ecm_members SET member_id = 'A+b/C%_*!~' WHERE patient_id = 130"
	expect_list "member_id=A%2Bb%2FC%25_*!~" "[130]"
	expect_list "member_id=a%2Bb%2FC%25_*!~" "[]"
	expect_list "member_id=A%2Bb%2FC%25%25*!~" "[]"
	expect_list "member_id=A%2Bb%2FC%25_*!" "[]"
	db_sql "UPDATE ecm_members SET member_id = '$(printf 'Z%.0s' $(seq 1 64))' WHERE patient_id = 131"
	expect_list "member_id=$(printf 'Z%.0s' $(seq 1 64))" "[131]"
}

# The list follows the data: a new iLCM, a new end date, a role removed.
test_ecm_queue_filters_follow_changes() {
	ecm_clinic
	expect_list "acuity=high&authorization=active&unassigned=ilcm" "[127,132]"
	req POST $LCM/assign '{"patient_id":127,"ilcm_user_id":103}'
	expect_status 200
	expect_list "acuity=high&authorization=active&unassigned=ilcm" "[132]"
	db_sql "UPDATE ecm_members SET ecm_benefit_auth_end_date = UTC_DATE() - INTERVAL 2 DAY WHERE patient_id = 128"
	expect_list "authorization=ended&assigned=true" "[128,129,134]"
	expect_list "auth_ends_within_days=3650" "[127]"
	req DELETE $LCM/assign '{"patient_id":129,"role":"olcm"}'
	expect_status 200
	expect_list "authorization=ended&assigned=true" "[128,134]"
	expect_list "authorization=ended&assigned=false" "[129,130]"
	db_sql "UPDATE ecm_members SET acuity_level = 'low' WHERE patient_id = 132"
	expect_list "acuity=high&authorization=active&unassigned=ilcm" "[]"
	expect_list "acuity=low" "[130,132]"
}

# ---- auth_ends_within_days: both ends of the window included ---------------------

# The members of the window test: ends today, tomorrow, in 5 days, yesterday;
# one not started yet (ends in 3 days); one that starts and ends today.
ecmq_window_members() {
	db_sql "DELETE FROM ecm_members; DELETE FROM patients WHERE id > 126;
		INSERT INTO patients (id, name, primary_provider_id) VALUES
		(141, 'W1 Today', 456), (142, 'W2 Tomorrow', 456), (143, 'W3 Five', 456),
		(144, 'W4 Yesterday', 456), (145, 'W5 Later', 456), (146, 'W6 One day', 456)"
	ecmq_members <<'ROWS'
141|W141|'low'|d - INTERVAL 10 DAY|d
142|W142|'low'|d - INTERVAL 10 DAY|d + INTERVAL 1 DAY
143|W143|'low'|d - INTERVAL 10 DAY|d + INTERVAL 5 DAY
144|W144|'low'|d - INTERVAL 10 DAY|d - INTERVAL 1 DAY
145|W145|'low'|d + INTERVAL 1 DAY|d + INTERVAL 3 DAY
146|W146|'low'|d|d
ROWS
}

# What the window test reads: one line per query.
ecmq_window_lists() {
	local n
	for n in 0 1 4 5 3650; do
		req GET "$P/patients?per_page=100&auth_ends_within_days=$n"
		printf '%s %s\n' "$n" "$(pids)"
	done
	req GET "$P/patients?per_page=100&search=W"
	printf 'status %s\n' "$(printf '%s' "$BODY" | jq -c '[.patients[] | .ecm_eligibility_information.authorization_status]')"
}

test_ecm_queue_auth_ends_within_days_includes_both_ends() {
	local day got try
	for try in 1 2; do
		day=$(db_sql "SELECT UTC_DATE()")
		ecmq_window_members
		got=$(ecmq_window_lists)
		# The same clinic day throughout (the stack runs UTC): else again, once.
		[ "$day" = "$(db_sql "SELECT UTC_DATE()")" ] && [ "$day" = "$(date -u +%F)" ] && break
	done
	expect_eq "the windows on $day" "0 [141,146]
1 [141,142,146]
4 [141,142,146]
5 [141,142,143,146]
3650 [141,142,143,146]
status [\"active\",\"active\",\"active\",\"ended\",\"not_started\",\"active\"]" "$got"
}

# ---- bad values: a 422 naming the parameter, nothing else --------------------------

test_ecm_queue_filter_validation() {
	local q msg
	while IFS='|' read -r q msg; do
		req GET "$P/patients?$q"
		expect_error 422 "[\"$msg\"]"
		expect_no_internals
	done <<'CASES'
acuity=critical|acuity must be low, medium or high
acuity=HIGH|acuity must be low, medium or high
acuity=|acuity must be low, medium or high
acuity|acuity must be low, medium or high
acuity=high%00|acuity must be low, medium or high
acuity=%ZZ|acuity must be low, medium or high
authorization=expired|authorization must be active, ended or not_started
authorization=none|authorization must be active, ended or not_started
authorization=|authorization must be active, ended or not_started
authorization=Active|authorization must be active, ended or not_started
auth_ends_within_days=-1|auth_ends_within_days must be an integer between 0 and 3650
auth_ends_within_days=3651|auth_ends_within_days must be an integer between 0 and 3650
auth_ends_within_days=x|auth_ends_within_days must be an integer between 0 and 3650
auth_ends_within_days=1.5|auth_ends_within_days must be an integer between 0 and 3650
auth_ends_within_days=|auth_ends_within_days must be an integer between 0 and 3650
auth_ends_within_days=+1|auth_ends_within_days must be an integer between 0 and 3650
auth_ends_within_days=99999999999999999999999|auth_ends_within_days must be an integer between 0 and 3650
member_id=|member_id must be 1 to 64 visible ASCII characters (letters, digits, punctuation)
member_id=M%201|member_id must be 1 to 64 visible ASCII characters (letters, digits, punctuation)
member_id=M+1|member_id must be 1 to 64 visible ASCII characters (letters, digits, punctuation)
member_id=M%C3%A91|member_id must be 1 to 64 visible ASCII characters (letters, digits, punctuation)
member_id=M%091|member_id must be 1 to 64 visible ASCII characters (letters, digits, punctuation)
member_id=M%7F|member_id must be 1 to 64 visible ASCII characters (letters, digits, punctuation)
member_id=%ZZ|member_id must be 1 to 64 visible ASCII characters (letters, digits, punctuation)
member_id=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA|member_id must be 1 to 64 visible ASCII characters (letters, digits, punctuation)
assigned=yes|assigned must be true or false
assigned=|assigned must be true or false
assigned=TRUE|assigned must be true or false
assigned=1|assigned must be true or false
CASES
	# Every problem at once, in the parameters' order, the existing ones first.
	req GET "$P/patients?assigned=no&member_id=&auth_ends_within_days=-5&authorization=x&acuity=x&unassigned=x&page=0"
	expect_error 422 '["page must be a positive integer","unassigned must be olcm, ilcm, any or both","acuity must be low, medium or high","authorization must be active, ended or not_started","auth_ends_within_days must be an integer between 0 and 3650","member_id must be 1 to 64 visible ASCII characters (letters, digits, punctuation)","assigned must be true or false"]'
	# The bounds themselves are taken; the last occurrence wins.
	req GET "$P/patients?auth_ends_within_days=0&auth_ends_within_days=3650&acuity=x&acuity=low"
	expect_status 200
	req GET "$P/patients?auth_ends_within_days=007"
	expect_status 200
	# Auth before validation; the filters are an admin's.
	TOKEN=dev-user-token req GET "$P/patients?acuity=x"
	expect_error 403 '["Admin access required"]'
	TOKEN= req GET "$P/patients?acuity=x"
	expect_error 401 '["Authentication required"]'
}

# ---- the summary: each count, the total of the list it names ------------------------

# expect_summary_is_the_lists: every count of the summary that names a list
# equals that list's pagination total_count.
expect_summary_is_the_lists() {
	local summary key q n
	req GET $P/patients/summary
	expect_status 200
	summary=$BODY
	while IFS='|' read -r key q; do
		req GET "$P/patients?per_page=1&$q"
		expect_status 200
		n=$(printf '%s' "$BODY" | jq .pagination.total_count)
		expect_eq "summary.$key = the total of ?$q ($1)" "$(jq ".$key" <<<"$summary")" "$n"
	done <<'LISTS'
patients|
without_olcm|unassigned=olcm
without_ilcm|unassigned=ilcm
without_both|unassigned=both
assigned_to_inactive|held_by_inactive=true
high_acuity_without_ilcm|acuity=high&authorization=active&unassigned=ilcm
authorization_ended_assigned|authorization=ended&assigned=true
LISTS
	BODY=$summary
}

test_ecm_queue_summary_counts() {
	req GET $P/patients/summary
	expect_json . '{"patients":4,"with_case_load":0,"without_olcm":4,"without_ilcm":4,"without_both":4,"assigned_to_inactive":0,"high_acuity_without_ilcm":0,"authorization_ended_assigned":0}'
	ecm_clinic
	req GET $P/patients/summary
	expect_json . '{"patients":12,"with_case_load":5,"without_olcm":9,"without_ilcm":9,"without_both":7,"assigned_to_inactive":0,"high_acuity_without_ilcm":2,"authorization_ended_assigned":2}'
	expect_summary_is_the_lists "the clinic"
}

test_ecm_queue_summary_counts_are_the_lists_totals_as_things_change() {
	ecm_clinic
	expect_summary_is_the_lists "to start with"
	req POST $LCM/assign '{"patient_id":132,"ilcm_user_id":103}'
	expect_status 200
	expect_summary_is_the_lists "Fay given an iLCM"
	expect_json '[.high_acuity_without_ilcm, .authorization_ended_assigned]' '[1,2]'
	db_sql "UPDATE ecm_members SET ecm_benefit_auth_end_date = UTC_DATE() - INTERVAL 2 DAY WHERE patient_id = 132"
	expect_summary_is_the_lists "Fay's authorization ended"
	expect_json '[.high_acuity_without_ilcm, .authorization_ended_assigned]' '[1,3]'
	db_sql "UPDATE users SET active = 0 WHERE id = 101"
	expect_summary_is_the_lists "Jane deactivated"
	db_sql "UPDATE ecm_members SET ecm_benefit_auth_eff_date = UTC_DATE() - INTERVAL 5 DAY,
		ecm_benefit_auth_end_date = NULL WHERE patient_id IN (129, 133)"
	expect_summary_is_the_lists "Cid renewed open-ended, Gus given dates"
	expect_json '[.high_acuity_without_ilcm, .authorization_ended_assigned]' '[3,2]'
	db_sql "DELETE FROM ecm_members WHERE patient_id = 127"
	expect_summary_is_the_lists "Ada no member any more"
	expect_json '[.high_acuity_without_ilcm, .authorization_ended_assigned]' '[2,2]'
}

# A clinic of 3,000 patients, 2,000 of them members of every kind: the
# counts are still the lists' totals.
test_ecm_queue_summary_counts_are_the_lists_totals_at_scale() {
	db_sql "INSERT INTO patients (id, name, primary_provider_id)
			SELECT seq, CONCAT('Patient ', LPAD(seq * 7919 % 10007, 5, '0')), IF(seq % 9 = 0, NULL, 456)
			FROM seq_1000_to_3999;
		INSERT INTO case_loads (patient_id, provider_id, olcm_user_id, olcm_assigned_at,
				ilcm_user_id, ilcm_assigned_at, created_at, updated_at)
			SELECT seq, 456, IF(seq % 3 = 0, NULL, 101), NOW(3), IF(seq % 4 = 0, 103, NULL), NOW(3), NOW(3), NOW(3)
			FROM seq_1000_to_3999 WHERE seq % 2 = 0;
		INSERT INTO ecm_members (patient_id, member_id, acuity_level, ecm_benefit_auth_eff_date,
				ecm_benefit_auth_end_date, created_at, updated_at)
			SELECT seq, CONCAT('S', seq), ELT(seq % 4 + 1, 'low', 'medium', 'high', NULL),
				IF(seq % 17 = 0, NULL, UTC_DATE() - INTERVAL (seq % 400) DAY + INTERVAL IF(seq % 11 = 0, 420, 0) DAY),
				IF(seq % 17 = 0 OR seq % 13 = 0, NULL,
					UTC_DATE() - INTERVAL (seq % 400) DAY + INTERVAL IF(seq % 11 = 0, 420, 0) DAY + INTERVAL (seq % 500) DAY),
				NOW(3), NOW(3)
			FROM seq_1000_to_3999 WHERE seq % 3 <> 1" || fail "the clinic was not made"
	expect_summary_is_the_lists "3,000 patients"
	local n
	n=$(jq '[.high_acuity_without_ilcm, .authorization_ended_assigned] | min' <<<"$BODY")
	[ "$n" -gt 50 ] || fail "too few patients in the two counts to tell anything: $BODY"
}

# ---- authorization_status: in the list and the care team, not in the ETag ---------

test_ecm_queue_authorization_status_in_the_care_team_not_its_etag() {
	ecm_clinic
	local s
	for s in "127 active" "129 ended" "131 not_started" "132 active" "133 null"; do
		set -- $s
		req GET "$P/patients/$1/lead_care_managers"
		expect_status 200
		[ "$2" = null ] || set -- "$1" "\"$2\""
		expect_json .ecm_eligibility_information.authorization_status "$2"
	done
	req GET "$P/patients/127/lead_care_managers"
	expect_json '.ecm_eligibility_information | keys' '["acuity_level","authorization_status","cin","ecm_benefit_auth_eff_date","ecm_benefit_auth_end_date","ecm_service_auth_id","member_id","member_record_status"]'
	local etag
	etag=$(header etag)
	# The day moves past the end (as the data says it): another status, the same ETag.
	db_sql "UPDATE ecm_members SET ecm_benefit_auth_end_date = UTC_DATE() - INTERVAL 2 DAY WHERE patient_id = 127"
	req GET "$P/patients/127/lead_care_managers"
	expect_json .ecm_eligibility_information.authorization_status '"ended"'
	expect_header etag "$etag"
	curl -s -o /dev/null -w '%{http_code}' -H 'X-User-Token: dev-admin-token' -H "If-None-Match: $etag" \
		"$BASE$P/patients/127/lead_care_managers" >"$T_TMP/inm"
	expect_eq "If-None-Match with the ETag read before" 304 "$(cat "$T_TMP/inm")"
	# The person's patients show no member facts (nothing to add there).
	req GET "$LCM/101/patients"
	expect_status 200
	expect_json '[.patients[] | has("ecm_eligibility_information")] | any' false
}

# ---- what a client that knows only the contract sees ----------------------------------

test_ecm_queue_non_members_look_as_before() {
	local team list summary
	req POST $LCM/assign '{"patient_id":123,"olcm_user_id":101,"ilcm_user_id":102}'
	req GET $P/patients/123/lead_care_managers
	team=$BODY
	req GET "$P/patients?search=o"
	list=$BODY
	req GET $P/patients/summary
	summary=$BODY
	ecm_clinic
	req GET $P/patients/123/lead_care_managers
	expect_eq "a non-member's care team, members beside it" "$team" "$BODY"
	expect_json '.ecm_eligibility_information' null
	# The old filters give the old patients, with the members among them.
	req GET "$P/patients?search=o&per_page=100"
	expect_json '[.patients[] | select(.id <= 126)]' "$(jq -c '.patients' <<<"$list")"
	expect_json '[.patients[] | select(.id <= 126) | keys] | unique' '[["case_load","ecm_eligibility_information","id","name"]]'
	# The summary keeps its counts' names and meaning; the new ones come after.
	req GET $P/patients/summary
	expect_json 'keys_unsorted' '["patients","with_case_load","without_olcm","without_ilcm","without_both","assigned_to_inactive","high_acuity_without_ilcm","authorization_ended_assigned"]'
	expect_json '[.patients, .with_case_load]' "[$(($(jq .patients <<<"$summary") + 8)),5]"
	# Without the new filters the list is every patient, members or not.
	req GET "$P/patients?per_page=100"
	expect_json '.pagination.total_count' 12
	# And an unknown parameter is ignored, as before.
	req GET "$P/patients?acuity_level=high&per_page=100"
	expect_json '.pagination.total_count' 12
}
