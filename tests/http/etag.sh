# Safe concurrent editing: the care team's ETag (its case load's version),
# If-None-Match on the read, If-Match on the writes.

P=/v1/admin/clinic/ecm
LCM=$P/lead_care_managers

# req with an extra header: hreq HEADER METHOD PATH [BODY]
hreq() {
	local h=$1
	shift
	local args=(-s -X "$1" -D - -o "$T_TMP/body" -H "X-User-Token: $TOKEN" -H "$h")
	LAST_REQ="$1 $2 ($h)${3+ $3}"
	if [ $# -ge 3 ]; then
		printf '%s' "$3" >"$T_TMP/req"
		args+=(-H "Content-Type: application/json" --data-binary "@$T_TMP/req")
	fi
	local hdr
	: >"$T_TMP/body"
	hdr=$(curl "${args[@]}" "$BASE$2" | tr -d '\r')
	STATUS=$(echo "$hdr" | awk 'NR==1 {print $2}')
	HEADERS=$(echo "$hdr" | awk -F': ' 'NR>1 && NF>1 {print tolower($1) ": " $2}')
	BODY=$(cat "$T_TMP/body")
}

test_care_team_etag_is_the_version_and_304s() {
	req GET $P/patients/123/lead_care_managers
	expect_status 200
	expect_header etag '"0"'
	hreq 'If-None-Match: "0"' GET $P/patients/123/lead_care_managers
	expect_status 304
	expect_eq "304 body" "" "$BODY"
	expect_header etag '"0"'
	req POST $LCM/assign '{"patient_id":123,"olcm_user_id":101}'
	expect_header etag '"1"'
	hreq 'If-None-Match: "0"' GET $P/patients/123/lead_care_managers
	expect_status 200
	expect_header etag '"1"'
	expect_json .case_load.olcm.user_id 101
	hreq 'If-None-Match: "7", W/"1"' GET $P/patients/123/lead_care_managers
	expect_status 304
	hreq 'If-None-Match: *' GET $P/patients/123/lead_care_managers
	expect_status 304
	hreq 'If-None-Match: "abc"' GET $P/patients/123/lead_care_managers
	expect_status 200
}

test_every_change_increments_the_version_a_noop_does_not() {
	req POST $LCM/assign '{"patient_id":124,"olcm_user_id":101,"ilcm_user_id":102}'
	expect_header etag '"1"'
	req POST $LCM/assign '{"patient_id":124,"olcm_user_id":101}'
	expect_header etag '"1"'
	req PUT $LCM/assign '{"patient_id":124,"ilcm_user_id":103}'
	expect_header etag '"2"'
	req DELETE $LCM/assign '{"patient_id":124,"role":"olcm"}'
	expect_status 200
	expect_header etag '"3"'
	req DELETE $LCM/assign '{"patient_id":124,"role":"olcm"}'
	expect_header etag '"3"'
	req GET $P/patients/124/lead_care_managers
	expect_header etag '"3"'
	expect_eq "version column" 3 "$(cl_col version 124)"
}

test_stale_if_match_is_412_and_changes_nothing() {
	seed
	local before
	req GET $P/patients/123/lead_care_managers
	expect_header etag '"1"'
	hreq 'If-Match: "1"' PUT $LCM/assign '{"patient_id":123,"olcm_user_id":103}'
	expect_status 200
	expect_header etag '"2"'
	before=$(snapshot)
	for m in POST PUT; do
		hreq 'If-Match: "1"' $m $LCM/assign '{"patient_id":123,"olcm_user_id":101}'
		expect_error 412 '["Case load has changed since it was read"]'
	done
	hreq 'If-Match: "1"' DELETE $LCM/assign '{"patient_id":123,"role":"ilcm"}'
	expect_error 412 '["Case load has changed since it was read"]'
	# A write that would change nothing is refused all the same.
	hreq 'If-Match: "1"' POST $LCM/assign '{"patient_id":123,"olcm_user_id":103}'
	expect_error 412
	expect_unchanged "stale If-Match" "$before"
	hreq 'If-Match: "5", "2"' DELETE $LCM/assign '{"patient_id":123,"role":"ilcm"}'
	expect_status 200
	expect_header etag '"3"'
}

test_if_match_star_and_zero() {
	hreq 'If-Match: *' POST $LCM/assign '{"patient_id":125,"olcm_user_id":101}'
	expect_error 412 '["Case load has changed since it was read"]'
	expect_eq "no case load made" 0 "$(db_sql 'SELECT COUNT(*) FROM case_loads WHERE patient_id = 125')"
	# "0": the case load must not exist yet, a create only.
	hreq 'If-Match: "0"' POST $LCM/assign '{"patient_id":125,"olcm_user_id":101}'
	expect_status 200
	expect_header etag '"1"'
	hreq 'If-Match: "0"' POST $LCM/assign '{"patient_id":125,"olcm_user_id":102}'
	expect_error 412
	hreq 'If-Match: *' POST $LCM/assign '{"patient_id":125,"olcm_user_id":102}'
	expect_status 200
	expect_header etag '"2"'
	# A weak tag never matches If-Match.
	hreq 'If-Match: W/"2"' PUT $LCM/assign '{"patient_id":125,"olcm_user_id":103}'
	expect_error 412
}

test_without_if_match_writes_as_before() {
	seed
	req PUT $LCM/assign '{"patient_id":123,"olcm_user_id":103}'
	expect_status 200
	expect_json .case_load.olcm_user_id 103
}

test_if_match_on_put_without_case_load() {
	hreq 'If-Match: "0"' PUT $LCM/assign '{"patient_id":124,"olcm_user_id":101}'
	expect_error 404 '["Case load not found"]'
	hreq 'If-Match: "1"' PUT $LCM/assign '{"patient_id":124,"olcm_user_id":101}'
	expect_error 412
}

test_malformed_conditions_are_400() {
	seed
	local before
	before=$(snapshot)
	hreq 'If-Match: 1' PUT $LCM/assign '{"patient_id":123,"olcm_user_id":103}'
	expect_error 400 '["If-Match must be * or a list of ETags"]'
	hreq 'If-Match: "1" junk' PUT $LCM/assign '{"patient_id":123,"olcm_user_id":103}'
	expect_error 400
	hreq 'If-None-Match: nope' GET $P/patients/123/lead_care_managers
	expect_error 400 '["If-None-Match must be * or a list of ETags"]'
	expect_unchanged "malformed conditions" "$before"
}

test_concurrent_edits_with_one_etag_one_wins() {
	seed
	local i ok=0 stale=0 s
	for i in $(seq 1 10); do
		curl -s -o /dev/null -w '%{http_code}\n' -X PUT -H 'X-User-Token: dev-admin-token' \
			-H 'Content-Type: application/json' -H 'If-Match: "1"' \
			--data-binary "{\"patient_id\":123,\"olcm_user_id\":$((101 + i % 3))}" \
			"$BASE$LCM/assign" >"$T_TMP/ifm.$i" &
	done
	wait
	for i in $(seq 1 10); do
		s=$(cat "$T_TMP/ifm.$i")
		[ "$s" = 200 ] && ok=$((ok + 1))
		[ "$s" = 412 ] && stale=$((stale + 1))
	done
	# One edit wins; the others are stale, unless the winner's edit was theirs (a no-op 200).
	expect_eq "200s and 412s" 10 $((ok + stale))
	expect_eq "versions written" 2 "$(cl_col version 123)"
	expect_eq "activity rows of the winner" 1 \
		"$(db_sql "SELECT COUNT(*) FROM patient_activities WHERE patient_id = 123 AND role = 'olcm' AND activity_type = 'lcm_changed'")"
	expect_trail_consistent 123 olcm
}

# Regression: tags were compared as numbers, so "05" was the ETag "5".
test_etags_are_compared_as_opaque_strings() {
	local t before
	req POST $LCM/assign '{"patient_id":123,"olcm_user_id":101}'
	req PUT $LCM/assign '{"patient_id":123,"olcm_user_id":102}'
	expect_header etag '"2"'
	for t in '"02"' '"002"' '"+2"' '"2.0"' 'W/"02"'; do
		hreq "If-None-Match: $t" GET $P/patients/123/lead_care_managers
		expect_status 200
		expect_json .case_load.olcm.user_id 102
	done
	before=$(snapshot)
	for t in '"02"' '"+2"' '"2.0"'; do
		hreq "If-Match: $t" PUT $LCM/assign '{"patient_id":123,"olcm_user_id":103}'
		expect_error 412 '["Case load has changed since it was read"]'
	done
	# "00" is not "0": the case load of 124 does not exist yet, and still stays so.
	hreq 'If-Match: "00"' POST $LCM/assign '{"patient_id":124,"olcm_user_id":101}'
	expect_error 412
	hreq 'If-None-Match: "00"' GET $P/patients/124/lead_care_managers
	expect_status 200
	expect_unchanged "If-Match with another spelling of the version" "$before"
	hreq 'If-Match: "2"' PUT $LCM/assign '{"patient_id":123,"olcm_user_id":103}'
	expect_status 200
	expect_header etag '"3"'
}

# "1001", "1002", ... n tags, with the tag want at position at.
tag_list() {
	local n=$1 at=$2 want=$3 i out=""
	for i in $(seq 1 "$n"); do
		[ "$i" = "$at" ] && out="$out, $want" || out="$out, \"$((1000 + i))\""
	done
	printf '%s' "${out#, }"
}

# Regression: only the first 16 tags of a list were compared.
test_every_tag_of_a_list_counts() {
	req POST $LCM/assign '{"patient_id":123,"olcm_user_id":101}'
	expect_header etag '"1"'
	hreq "If-None-Match: $(tag_list 17 17 '"1"')" GET $P/patients/123/lead_care_managers
	expect_status 304
	hreq "If-None-Match: $(tag_list 17 17 'W/"1"')" GET $P/patients/123/lead_care_managers
	expect_status 304
	hreq "If-None-Match: $(tag_list 40 40 '"7"')" GET $P/patients/123/lead_care_managers
	expect_status 200
	hreq "If-Match: $(tag_list 17 17 '"1"')" PUT $LCM/assign '{"patient_id":123,"olcm_user_id":102}'
	expect_status 200
	expect_header etag '"2"'
	# Up to nginx's header line of 32 KB: 3500 tags (28 KB), the current one last.
	hreq "If-Match: $(tag_list 3500 3500 '"2"')" PUT $LCM/assign '{"patient_id":123,"olcm_user_id":103}'
	expect_status 200
	expect_header etag '"3"'
	hreq "If-None-Match: $(tag_list 3500 3500 'W/"3"')" GET $P/patients/123/lead_care_managers
	expect_status 304
	hreq "If-Match: $(tag_list 3500 0 '')" PUT $LCM/assign '{"patient_id":123,"olcm_user_id":101}'
	expect_error 412
	expect_eq "the last write's user" 103 "$(cl_col olcm_user_id 123)"
}

test_etag_lists_per_rfc_9110() {
	req POST $LCM/assign '{"patient_id":123,"olcm_user_id":101}'
	# Empty list elements are ignored (RFC 9110 5.6.1.2).
	hreq 'If-None-Match: , "7",, "1" ,' GET $P/patients/123/lead_care_managers
	expect_status 304
	# What an entity tag may not hold, or a lowercase weak prefix, is malformed.
	hreq 'If-None-Match: "a b"' GET $P/patients/123/lead_care_managers
	expect_error 400 '["If-None-Match must be * or a list of ETags"]'
	hreq 'If-None-Match: w/"1"' GET $P/patients/123/lead_care_managers
	expect_error 400
	hreq 'If-Match: "1", *' PUT $LCM/assign '{"patient_id":123,"olcm_user_id":102}'
	expect_error 400 '["If-Match must be * or a list of ETags"]'
	hreq 'If-Match: ,' PUT $LCM/assign '{"patient_id":123,"olcm_user_id":102}'
	expect_error 400
	expect_eq "no write" 1 "$(cl_col version 123)"
}
