# The patient list with case-load filters, the summary, and the assignment
# export (CSV, streamed, from the history for a past date).

P=/v1/admin/clinic/ecm
LCM=$P/lead_care_managers

pids() { printf '%s' "$BODY" | jq -c '[.patients[].id]'; }

# A hand-made clinic: providers 456 and 457; patients 123 (oLCM 101, iLCM 102),
# 124 (oLCM 101), 125 (iLCM 103, provider 457 on the case load), 126 (none,
# no primary provider), 127 (none, primary 457), 128 (oLCM 104, deactivated).
clinic() {
	db_sql "INSERT INTO providers (id, name) VALUES (457, 'Dr. Jones');
		INSERT INTO patients (id, name, primary_provider_id) VALUES
		(127, 'Zoe 100% Sure', 457), (128, 'Al_Underscore', 456)"
	req POST $LCM/bulk_assign '{"assignments":[{"patient_id":123,"olcm_user_id":101,"ilcm_user_id":102},{"patient_id":124,"olcm_user_id":101},{"patient_id":125,"ilcm_user_id":103}]}'
	db_sql "UPDATE case_loads SET provider_id = 457 WHERE patient_id = 125;
		UPDATE users SET active = 1 WHERE id = 104"
	req POST $LCM/assign '{"patient_id":128,"olcm_user_id":104}'
	db_sql "UPDATE users SET active = 0 WHERE id = 104"
}

test_patient_list_shape_and_order() {
	clinic
	req GET $P/patients
	expect_status 200
	expect_json '[.patients[] | [.id, .name]]' '[[128,"Al_Underscore"],[123,"John Doe"],[124,"Mary Major"],[126,"Pat Noprovider"],[125,"Sam Minor"],[127,"Zoe 100% Sure"]]'
	expect_json '.patients[1]' '{"id":123,"name":"John Doe","case_load":{"id":1,"provider_id":456,"provider_name":"Dr. Smith","olcm_user_id":101,"olcm_name":"Jane Coordinator","ilcm_user_id":102,"ilcm_name":"Bob Manager"},"ecm_eligibility_information":null}'
	expect_json '.patients[3].case_load' null
	expect_json .pagination '{"current_page":1,"total_pages":1,"total_count":6,"per_page":25}'
	req GET "$P/patients?per_page=2&page=3"
	expect_json "[.patients[].id]" '[125,127]'
}

test_patient_list_each_filter() {
	clinic
	local q want
	while IFS='|' read -r q want; do
		req GET "$P/patients?$q"
		expect_status 200
		expect_eq "patients?$q" "$want" "$(pids)"
	done <<'CASES'
unassigned=olcm|[126,125,127]
unassigned=ilcm|[128,124,126,127]
unassigned=any|[128,124,126,125,127]
unassigned=both|[126,127]
lcm_user_id=101|[123,124]
lcm_user_id=103|[125]
lcm_user_id=104|[128]
lcm_user_id=999|[]
provider_id=456|[128,123,124]
provider_id=457|[125,127]
search=doe|[123]
search=%25|[127]
search=_|[128]
search=zzz|[]
held_by_inactive=true|[128]
held_by_inactive=false|[128,123,124,126,125,127]
CASES
}

# held_by_inactive=true: the summary's assigned_to_inactive as a list, in
# either role, as users are deactivated and patients moved off them.
test_patient_list_held_by_inactive() {
	clinic
	req GET "$P/patients?held_by_inactive=true"
	expect_eq "Ian (104, deactivated) holds 128's oLCM" "[128]" "$(pids)"
	db_sql "UPDATE users SET active = 0 WHERE id = 102"
	req GET "$P/patients?held_by_inactive=true"
	expect_eq "and Bob, deactivated, 123's iLCM" "[128,123]" "$(pids)"
	req GET $P/patients/summary
	expect_json .assigned_to_inactive 2
	req GET "$P/patients?held_by_inactive=true&unassigned=ilcm"
	expect_eq "combined with another filter" "[128]" "$(pids)"
	req GET "$P/patients?held_by_inactive=true&per_page=1&page=2"
	expect_eq "paged" "[123]" "$(pids)"
	expect_json .pagination '{"current_page":2,"total_pages":2,"total_count":2,"per_page":1}'
	db_sql "UPDATE users SET active = 1 WHERE id = 104"
	req GET "$P/patients?held_by_inactive=true"
	expect_eq "Ian active again" "[123]" "$(pids)"
}

test_patient_list_filters_combine() {
	clinic
	local q want
	while IFS='|' read -r q want; do
		req GET "$P/patients?$q"
		expect_eq "patients?$q" "$want" "$(pids)"
	done <<'CASES'
unassigned=ilcm&lcm_user_id=101|[124]
unassigned=olcm&provider_id=457|[125,127]
unassigned=both&provider_id=457|[127]
lcm_user_id=101&provider_id=456&search=mary|[124]
lcm_user_id=101&unassigned=any&search=john|[]
CASES
	req GET "$P/patients?unassigned=any&per_page=2&page=2"
	expect_json "[.patients[].id]" '[126,125]'
	expect_json .pagination.total_count 5
}

test_patient_list_follows_changes() {
	req GET "$P/patients?unassigned=olcm"
	expect_eq "before" "[123,124,126,125]" "$(pids)"
	req POST $LCM/assign '{"patient_id":124,"olcm_user_id":101}'
	req GET "$P/patients?unassigned=olcm"
	expect_eq "after an assign" "[123,126,125]" "$(pids)"
	req DELETE $LCM/assign '{"patient_id":124,"role":"olcm"}'
	req GET "$P/patients?unassigned=olcm"
	expect_eq "after a removal" "[123,124,126,125]" "$(pids)"
	req POST $LCM/transfer '{"from_user_id":101,"to_user_ids":[102]}'
	req POST $LCM/auto_assign '{"role":"olcm","patient_ids":[126]}'
	req GET "$P/patients?lcm_user_id=2"
	expect_eq "after an auto-assign" "[126]" "$(pids)"
	db_sql "UPDATE patients SET name = 'Aaron Renamed' WHERE id = 125"
	req GET "$P/patients"
	expect_json '.patients[0] | [.id, .name]' '[125,"Aaron Renamed"]'
	db_sql "UPDATE patients SET name = 'aaron renamed' WHERE id = 125"
	req GET "$P/patients?search=renamed"
	expect_json '[.patients[] | .name]' '["aaron renamed"]'
	# Without a case load, the patient's primary provider is the filter's.
	db_sql "INSERT INTO providers (id, name) VALUES (457, 'Dr. Jones');
		INSERT INTO patients (id, name, primary_provider_id) VALUES (127, 'Zed New', NULL)"
	req GET "$P/patients?provider_id=457"
	expect_eq "no provider yet" "[]" "$(pids)"
	db_sql "UPDATE patients SET primary_provider_id = 457 WHERE id = 127"
	req GET "$P/patients?provider_id=457"
	expect_eq "a new primary provider" "[127]" "$(pids)"
	db_sql "INSERT INTO case_loads (patient_id, provider_id, created_at, updated_at) VALUES (127, 456, NOW(3), NOW(3))"
	req GET "$P/patients?provider_id=457"
	expect_eq "the case load's provider wins" "[]" "$(pids)"
	db_sql "UPDATE case_loads SET provider_id = 457 WHERE patient_id = 127"
	req GET "$P/patients?provider_id=457"
	expect_eq "a case load's new provider" "[127]" "$(pids)"
	db_sql "UPDATE case_loads SET provider_id = 456 WHERE patient_id = 127; DELETE FROM case_loads WHERE patient_id = 127"
	req GET "$P/patients?provider_id=457"
	expect_eq "an operator's delete: the primary provider again" "[127]" "$(pids)"
}

test_patient_list_validation() {
	req GET "$P/patients?page=0&per_page=500&provider_id=x&lcm_user_id=0&unassigned=none"
	expect_error 422 '["page must be a positive integer","per_page must be an integer between 1 and 100","provider_id must be a positive integer","lcm_user_id must be a positive integer","unassigned must be olcm, ilcm, any or both"]'
	req GET "$P/patients?held_by_inactive=yes"
	expect_error 422 '["held_by_inactive must be false or true"]'
	req GET "$P/patients?search=%ZZ"
	expect_error 422 '["search must be UTF-8 text"]'
	TOKEN=dev-user-token
	req GET $P/patients
	expect_error 403
}

test_summary_counts() {
	clinic
	req GET $P/patients/summary
	expect_status 200
	expect_json . '{"patients":6,"with_case_load":4,"without_olcm":3,"without_ilcm":4,"without_both":2,"assigned_to_inactive":1,"high_acuity_without_ilcm":0,"authorization_ended_assigned":0}'
	db_sql "UPDATE users SET active = 0 WHERE id = 101"
	req GET $P/patients/summary
	expect_json .assigned_to_inactive 3
}

test_patient_reads_are_in_the_access_log() {
	clinic
	req GET "$P/patients?lcm_user_id=101"
	local id
	id=$(request_id)
	wait_logged "$id" 2
	expect_eq "one record per patient shown" "123 read_patient_list
124 read_patient_list" "$(db_sql "SELECT patient_id, action FROM phi_access_log WHERE request_id = '$id' ORDER BY patient_id" | tr '\t' ' ')"
	req GET $P/patients/summary
	id=$(request_id)
	all_records_written
	expect_eq "the summary shows no patient's data" 0 "$(db_sql "SELECT COUNT(*) FROM phi_access_log WHERE request_id = '$id'")"
}

# wait_logged ID N: until request ID has N access log records (30 s at most; the
# workers write theirs within 2 s).
wait_logged() {
	local i
	for i in $(seq 1 300); do
		[ "$(db_sql "SELECT COUNT(*) FROM phi_access_log WHERE request_id = '$1'")" = "$2" ] && return
		sleep 0.1
	done
}

# csv PATH: the export's body into BODY, its headers into HEADERS.
csv() {
	req GET "$1"
}

test_export_now_csv() {
	clinic
	csv "$LCM/assignments.csv"
	expect_status 200
	expect_header content-type 'text/csv; charset=utf-8'
	expect_header content-disposition "attachment; filename=\"lcm-assignments-$(date -u +%F).csv\""
	expect_eq "the header" "patient_id,patient_name,role,user_id,user_name,user_email,assigned_at" \
		"$(printf '%s' "$BODY" | head -1 | tr -d '\r')"
	expect_eq "rows, by patient then role (olcm, ilcm)" "123,John Doe,olcm,101,Jane Coordinator,jane.coordinator@example.test
123,John Doe,ilcm,102,Bob Manager,bob.manager@example.test
124,Mary Major,olcm,101,Jane Coordinator,jane.coordinator@example.test
125,Sam Minor,ilcm,103,Carla Intensive,carla.intensive@example.test
128,Al_Underscore,olcm,104,Ian Inactive,ian.inactive@example.test" \
		"$(printf '%s' "$BODY" | sed '1d;$d' | tr -d '\r' | cut -d, -f1-6)"
	expect_eq "the end line: the rows" "#end,5" "$(printf '%s' "$BODY" | tail -1 | tr -d '\r')"
	expect_eq "every line ends CRLF" 0 "$(printf '%s' "$BODY" | grep -cv $'\r$')"
	expect_eq "assigned_at is the care team's" "$(db_sql "SELECT DATE_FORMAT(olcm_assigned_at, '%Y-%m-%dT%H:%i:%s.%f') FROM case_loads WHERE patient_id = 123" | cut -c1-23)Z" \
		"$(printf '%s' "$BODY" | sed -n 2p | tr -d '\r' | cut -d, -f7)"
	csv "$LCM/assignments.csv?role=ilcm"
	expect_eq "role=ilcm" "123 125 #end" "$(printf '%s' "$BODY" | tail -n +2 | cut -d, -f1 | tr '\n' ' ' | sed 's/ $//')"
}

test_export_as_of_a_past_day_from_the_history() {
	local y2 y1
	y2=$(date -u -d '2 days ago' +%F)
	y1=$(date -u -d 'yesterday' +%F)
	req POST $LCM/assign '{"patient_id":123,"olcm_user_id":101,"ilcm_user_id":102}'
	db_sql "UPDATE patient_activities SET created_at = '$y2 10:00:00.000';
		UPDATE case_loads SET olcm_assigned_at = '$y2 10:00:00.000', ilcm_assigned_at = '$y2 10:00:00.000'"
	req POST $LCM/assign '{"patient_id":123,"olcm_user_id":103}'
	req DELETE $LCM/assign '{"patient_id":123,"role":"ilcm"}'
	csv "$LCM/assignments.csv?as_of=$y1"
	expect_status 200
	expect_eq "as of yesterday" "123,John Doe,olcm,101,Jane Coordinator,jane.coordinator@example.test,${y2}T10:00:00.000Z
123,John Doe,ilcm,102,Bob Manager,bob.manager@example.test,${y2}T10:00:00.000Z
#end,2" \
		"$(printf '%s' "$BODY" | tail -n +2 | tr -d '\r')"
	# Named for the day it is as of (it was named for the day after).
	expect_header content-disposition "attachment; filename=\"lcm-assignments-$y1.csv\""
	csv "$LCM/assignments.csv?as_of=$(date -u -d '3 days ago' +%F)"
	expect_eq "before any assignment: the header alone" \
		"patient_id,patient_name,role,user_id,user_name,user_email,assigned_at
#end,0" "$(printf '%s' "$BODY" | tr -d '\r')"
	expect_header content-disposition "attachment; filename=\"lcm-assignments-$(date -u -d '3 days ago' +%F).csv\""
	csv "$LCM/assignments.csv?as_of=$(date -u +%F)"
	expect_eq "as of today: now" "123,John Doe,olcm,103
#end,1" "$(printf '%s' "$BODY" | tail -n +2 | tr -d '\r' | cut -d, -f1-4)"
	expect_header content-disposition "attachment; filename=\"lcm-assignments-$(date -u +%F).csv\""
}

test_export_escapes_formulas_and_quotes() {
	db_sql "UPDATE patients SET name = '=HYPERLINK(\"http://x\")' WHERE id = 123;
		UPDATE patients SET name = '+1 555, call' WHERE id = 124;
		UPDATE users SET name = '@admin', email = '-x@example.test' WHERE id = 101"
	req POST $LCM/bulk_assign '{"assignments":[{"patient_id":123,"olcm_user_id":101},{"patient_id":124,"olcm_user_id":102}]}'
	csv "$LCM/assignments.csv"
	expect_eq "line 2" "123,\"'=HYPERLINK(\"\"http://x\"\")\",olcm,101,'@admin,'-x@example.test" \
		"$(printf '%s' "$BODY" | sed -n 2p | tr -d '\r' | cut -d, -f1-6)"
	expect_eq "line 3" "124,\"'+1 555, call\",olcm,102" \
		"$(printf '%s' "$BODY" | sed -n 3p | tr -d '\r' | cut -d, -f1-5)"
}

test_export_errors_are_json() {
	local range='as_of must be a date (YYYY-MM-DD) from 1970-01-01 to today (UTC)'
	csv "$LCM/assignments.csv?as_of=2026-02-30"
	expect_error 422 "[\"$range\"]"
	csv "$LCM/assignments.csv?as_of=$(date -u -d tomorrow +%F)"
	expect_error 422 "[\"$range\"]"
	# The real lower bound, said as such (it was refused as "not after today").
	csv "$LCM/assignments.csv?as_of=1969-12-31"
	expect_error 422 "[\"$range\"]"
	csv "$LCM/assignments.csv?as_of=1970-01-01"
	expect_status 200
	csv "$LCM/assignments.csv?role=x&as_of=yesterday"
	expect_error 422 "[\"role must be olcm or ilcm\",\"$range\"]"
	TOKEN=""
	csv "$LCM/assignments.csv"
	expect_error 401
}

test_export_is_in_the_access_log_per_patient() {
	clinic
	csv "$LCM/assignments.csv"
	local id
	id=$(request_id)
	wait_logged "$id" 4
	expect_eq "one record per patient exported" "123 124 125 128" \
		"$(db_sql "SELECT patient_id FROM phi_access_log WHERE request_id = '$id' AND action = 'export_assignments' ORDER BY patient_id" | tr '\n' ' ' | sed 's/ $//')"
}

# No log, no data: a chunk's patients are logged before any of its lines
# leaves. Refused at the first chunk, the export is an error like any
# other; refused later, the response ends broken (no last chunk), never as
# a whole export.
test_export_without_its_access_log_sends_nothing() {
	clinic
	db_sql "ALTER TABLE phi_access_log ADD CONSTRAINT ck_lcm_test_refuse CHECK (action <> 'export_assignments')" ||
		fail "constraint not added"
	csv "$LCM/assignments.csv"
	expect_eq "nothing logged while the log refuses" 0 \
		"$(db_sql "SELECT COUNT(*) FROM phi_access_log WHERE action = 'export_assignments'")"
	db_sql "ALTER TABLE phi_access_log DROP CONSTRAINT IF EXISTS ck_lcm_test_refuse"
	expect_error 500 '["Internal server error"]'
	# The refused records wait in the worker, written once the log takes them.
	expect_eq "the held records, written" "$(exported_patients)" "$(wait_export_records "$(exported_patients)")"
}

# Patients the export has a line for; export records once there are N (30 s at most).
exported_patients() {
	db_sql "SELECT COUNT(*) FROM case_loads WHERE olcm_user_id IS NOT NULL OR ilcm_user_id IS NOT NULL"
}
wait_export_records() {
	local i n
	for i in $(seq 1 300); do
		n=$(db_sql "SELECT COUNT(*) FROM phi_access_log WHERE action = 'export_assignments'")
		[ "$n" -ge "$1" ] && break
		sleep 0.1
	done
	echo "$n"
}

test_export_cut_short_ends_broken() {
	# 1,500 patients: the second chunk (patients 2000 and up) is refused.
	db_sql "INSERT INTO patients (id, name, primary_provider_id) SELECT seq, CONCAT('Patient ', seq), 456 FROM seq_1000_to_2499;
		INSERT INTO case_loads (patient_id, provider_id, olcm_user_id, olcm_assigned_at, created_at, updated_at)
		SELECT seq, 456, 101, NOW(3), NOW(3), NOW(3) FROM seq_1000_to_2499;
		ALTER TABLE phi_access_log ADD CONSTRAINT ck_lcm_test_refuse CHECK (action <> 'export_assignments' OR patient_id < 2000)" ||
		fail "data or constraint not added"
	local rc=0
	curl -s -o "$T_TMP/cut.csv" -H 'X-User-Token: dev-admin-token' "$BASE$LCM/assignments.csv" || rc=$?
	db_sql "ALTER TABLE phi_access_log DROP CONSTRAINT IF EXISTS ck_lcm_test_refuse"
	expect_eq "curl: the transfer ended early (18)" 18 "$rc"
	grep -q '^#end' "$T_TMP/cut.csv" && fail "the cut export has an end line"
	# What nginx had not passed on when the cut came is dropped: the client
	# gets the header and at most the first chunk, in order.
	local got n
	got=$(tr -d '\r' <"$T_TMP/cut.csv" | cut -d, -f1 | tail -n +2 | tr '\n' ' ')
	n=$(wc -w <<<"$got")
	expect_eq "the header" patient_id "$(head -1 "$T_TMP/cut.csv" | cut -d, -f1)"
	[ "$n" -le 1000 ] || fail "$n patients arrived, more than the first chunk"
	expect_eq "the first $n patients of the first chunk" "$(seq 1000 $((999 + n)) | tr '\n' ' ')" "$got"
	# The first chunk was logged before it left; the refused second one's
	# records wait in the worker and are written once the log takes them
	# again (a client is logged for up to a chunk it did not receive).
	expect_eq "every patient of the chunk sent is logged" 1000 \
		"$(db_sql "SELECT COUNT(DISTINCT l.patient_id) FROM phi_access_log l
			JOIN (SELECT patient_id FROM case_loads ORDER BY patient_id LIMIT 1000) c ON c.patient_id = l.patient_id
			WHERE l.action = 'export_assignments'")"
	expect_eq "then the refused chunk's, each patient once" "$(exported_patients)" \
		"$(wait_export_records "$(exported_patients)")"
	grep -q 'stream cut short' "$HVAR/log/workers.log" || fail "the worker did not log the cut"
	req GET $P/patients/123/lead_care_managers
	expect_status 200
}

test_a_whole_export_of_twenty_thousand() {
	db_sql "INSERT INTO patients (id, name, primary_provider_id) SELECT seq, CONCAT('Patient ', seq), 456 FROM seq_1000_to_20999;
		INSERT INTO case_loads (patient_id, provider_id, olcm_user_id, olcm_assigned_at, created_at, updated_at)
		SELECT seq, 456, 101, NOW(3), NOW(3), NOW(3) FROM seq_1000_to_20999"
	curl -s -o "$T_TMP/all.csv" -H 'X-User-Token: dev-admin-token' "$BASE$LCM/assignments.csv"
	expect_eq "lines" 20002 "$(wc -l <"$T_TMP/all.csv")"
	expect_eq "the last row" "20999,Patient 20999,olcm,101" "$(tail -2 "$T_TMP/all.csv" | head -1 | cut -d, -f1-4)"
	expect_eq "the end line" "#end,20000" "$(tail -1 "$T_TMP/all.csv" | tr -d '\r')"
	expect_eq "in order" "$(seq 1000 20999 | tr '\n' ' ')" "$(sed '1d;$d' "$T_TMP/all.csv" | cut -d, -f1 | tr '\n' ' ')"
}
