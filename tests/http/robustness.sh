# Adversarial input: binary and invalid UTF-8 bodies, NUL and surrogate
# escapes, huge numbers, deep and wide JSON, the 1 MiB edge, chunked and
# 100-continue bodies, garbage bulk lists, odd tokens, hostile query strings
# and paths, unrouted methods. For every one: never a 500, never a dead or
# restarted worker, never internals in the body, always the JSON envelope,
# the status DECISIONS.md gives, and a database left as it was.

P=/v1/admin/clinic/ecm
LCM=$P/lead_care_managers

BAD_JSON='["Request body must be a JSON object"]'
TOO_DEEP='["JSON nested too deeply (more than 16 levels)"]'

# --- bodies ---

test_rb_random_binary_bodies_400() {
	seed
	remember
	local i m path f=$T_TMP/rb_rand
	for i in 1 2 3 4 5; do
		head -c $((i * 3000)) /dev/urandom >"$f"
		for m in "POST $LCM/assign" "PUT $LCM/assign" "DELETE $LCM/assign" "POST $LCM/bulk_assign"; do
			path=${m#* }
			send_file "${m%% *}" "$path" "$f"
			expect_error 400 "$BAD_JSON"
		done
	done
	# Binary with a JSON-looking start, and bytes only.
	{ printf '{"patient_id":123,"olcm_user_id":101,'; head -c 2000 /dev/urandom; } >"$f"
	send_file POST $LCM/assign "$f"
	expect_error 400 "$BAD_JSON"
	printf '\x00\x00\x00\x00' >"$f"
	send_file POST $LCM/assign "$f"
	expect_error 400 "$BAD_JSON"
	printf '\xff\xfe{\x00"\x00}\x00' >"$f"
	send_file POST $LCM/assign "$f"
	expect_error 400 "$BAD_JSON"
	expect_unchanged "binary bodies"
	expect_workers_fine
}

test_rb_invalid_utf8_bodies_400() {
	seed
	remember
	local f=$T_TMP/rb_utf8 b
	# In a value, in a key, raw NUL in a string and between tokens, a BOM.
	for b in \
		'{"patient_id":124,"olcm_user_id":101,"reason":"\xc3\x28"}' \
		'{"patient_id":124,"olcm_user_id":101,"reason":"\xc0\xaf"}' \
		'{"patient_id":124,"olcm_user_id":101,"reason":"\xe0\x80\xaf"}' \
		'{"patient_id":124,"olcm_user_id":101,"reason":"\xed\xa0\x80"}' \
		'{"patient_id":124,"olcm_user_id":101,"reason":"\xf4\x90\x80\x80"}' \
		'{"patient_id":124,"olcm_user_id":101,"reason":"\xf0\x9f\x98"}' \
		'{"patient_id":124,"olcm_user_id":101,"reason":"\xff"}' \
		'{"patient_id":124,"olcm_user_id":101,"\xfe":1}' \
		'{"patient_id":124,"olcm_user_id":101,"reason":"a\x00b"}' \
		'{"patient_id":124,\x00"olcm_user_id":101}' \
		'{"patient_id":124,"olcm_user_id":101}\x00' \
		'\xef\xbb\xbf{"patient_id":124,"olcm_user_id":101}'; do
		printf "$b" >"$f"
		send_file POST $LCM/assign "$f"
		expect_error 400 "$BAD_JSON"
		send_file PUT $LCM/assign "$f"
		expect_error 400 "$BAD_JSON"
	done
	printf '{"patient_id":123,"role":"olcm","reason":"\xc3"}' >"$f"
	send_file DELETE $LCM/assign "$f"
	expect_error 400 "$BAD_JSON"
	printf '{"assignments":[{"patient_id":124,"olcm_user_id":101,"reason":"\xe2\x82"}]}' >"$f"
	send_file POST $LCM/bulk_assign "$f"
	expect_error 400 "$BAD_JSON"
	expect_unchanged "invalid UTF-8"
	expect_workers_fine
}

test_rb_nul_escape_in_values_refused() {
	seed
	remember
	req POST $LCM/assign '{"patient_id":124,"olcm_user_id":101,"reason":"a\u0000b"}'
	expect_error 422 '["reason must be a string of at most 500 characters"]'
	req PUT $LCM/assign '{"patient_id":123,"olcm_user_id":103,"reason":"\u0000"}'
	expect_error 422 '["reason must be a string of at most 500 characters"]'
	req DELETE $LCM/assign '{"patient_id":123,"role":"olcm\u0000"}'
	expect_error 422 '["role must be olcm or ilcm"]'
	req DELETE $LCM/assign '{"patient_id":123,"role":"olcm\u0000ilcm"}'
	expect_error 422 '["role must be olcm or ilcm"]'
	req DELETE $LCM/assign '{"patient_id":123,"role":"\u0000olcm"}'
	expect_error 422 '["role must be olcm or ilcm"]'
	req POST $LCM/assign '{"patient_id":"123\u0000","olcm_user_id":101}'
	expect_error 422 '["patient_id must be a positive integer"]'
	req POST $LCM/bulk_assign '{"assignments":[{"patient_id":124,"olcm_user_id":101,"reason":"x\u0000"}]}'
	expect_status 200
	expect_json '[.successful_count, .failed_count, .results[0].status]' '[0,1,"failed"]'
	expect_json '.results[0].errors' '["reason must be a string of at most 500 characters"]'
	expect_unchanged "NUL escapes in values"
	expect_workers_fine
}

# Unknown body fields are ignored (DECISIONS.md), so "patient_id\u0000x" is
# not patient_id. json-c keeps object keys as C strings and cuts them at the
# NUL: today the field is read as patient_id and the write goes through.
test_rb_nul_escape_in_keys_is_another_field() {
	seed
	remember
	req POST $LCM/assign '{"patient_id\u0000x":124,"olcm_user_id":101}'
	expect_error 422 '["patient_id is required"]'
	req PUT $LCM/assign '{"patient_id":123,"olcm_user_id\u0000":103}'
	expect_error 422 '["At least one of olcm_user_id or ilcm_user_id must be provided"]'
	req DELETE $LCM/assign '{"patient_id":123,"role\u0000evil":"olcm"}'
	expect_error 422 '["role is required"]'
	req POST $LCM/bulk_assign '{"assignments\u0000":[{"patient_id":124,"olcm_user_id":101}]}'
	expect_error 422 '["assignments must be an array of 1 to 1000 items"]'
	req POST $LCM/bulk_assign '{"assignments":[{"patient_id\u0000":125,"ilcm_user_id":102}]}'
	expect_status 200
	expect_json '[.successful_count, .failed_count, .results[0].status]' '[0,1,"failed"]'
	expect_json '.results[0].errors' '["patient_id is required"]'
	expect_unchanged "NUL escapes in keys"
	expect_workers_fine
}

# A lone UTF-16 surrogate escape is valid JSON syntax but no character: the
# reason is not text, so it is refused like any bad reason. json-c turns it
# into U+FFFD and today the write goes through with a reason nobody sent
# (while the same surrogate as raw UTF-8 bytes is refused with a 400).
test_rb_lone_surrogate_reason_refused() {
	seed
	remember
	local r
	for r in '\ud800' 'x\udc00y' '\ud83d\ude00\ude00' '\ud800\u0041' '\udbff'; do
		req POST $LCM/assign "{\"patient_id\":124,\"olcm_user_id\":101,\"reason\":\"$r\"}"
		expect_error 422
		expect_json '.errors | length == 1 and (.[0] | test("reason"))' true
		req PUT $LCM/assign "{\"patient_id\":123,\"olcm_user_id\":103,\"reason\":\"$r\"}"
		expect_error 422
		expect_json '.errors | length == 1 and (.[0] | test("reason"))' true
		req DELETE $LCM/assign "{\"patient_id\":123,\"role\":\"ilcm\",\"reason\":\"$r\"}"
		expect_error 422
		expect_json '.errors | length == 1 and (.[0] | test("reason"))' true
		req POST $LCM/bulk_assign "{\"assignments\":[{\"patient_id\":125,\"ilcm_user_id\":102,\"reason\":\"$r\"}]}"
		expect_status 200
		expect_json '[.successful_count, .failed_count, .results[0].status]' '[0,1,"failed"]'
		expect_json '.results[0].errors | length == 1 and (.[0] | test("reason"))' true
	done
	expect_unchanged "lone surrogates"
	expect_workers_fine
}

test_rb_surrogate_pair_reason_stored_exactly() {
	req POST $LCM/assign '{"patient_id":124,"olcm_user_id":101,"reason":"\ud83d\ude00 \uDBFF\uDFFF"}'
	expect_status 200
	expect_eq "reason bytes (U+1F600, space, U+10FFFF)" F09F988020F48FBFBF \
		"$(db_sql 'SELECT HEX(reason) FROM patient_activities')"
}

test_rb_huge_and_odd_numbers_422_named() {
	seed
	remember
	local v big
	big=$(head -c 100000 /dev/zero | tr '\0' 9)
	for v in 1e400 -1e400 1e2 1E+2 123e0 123.0 1.5 -0 0 -123 0.0000001 \
		9223372036854775808 18446744073709551615 18446744073709551616 \
		-9223372036854775808 -9223372036854775809 \
		99999999999999999999999999999999999999 "$big" "-$big" "0.$big" "1e$big" \
		'"124"' true false '[]' '{}' '[124]' '{"id":124}'; do
		req POST $LCM/assign "{\"patient_id\":$v,\"olcm_user_id\":101}"
		expect_error 422 '["patient_id must be a positive integer"]'
		req PUT $LCM/assign "{\"patient_id\":123,\"ilcm_user_id\":$v}"
		expect_error 422 '["ilcm_user_id must be a positive integer"]'
		req DELETE $LCM/assign "{\"patient_id\":$v,\"role\":\"olcm\"}"
		expect_error 422 '["patient_id must be a positive integer"]'
	done
	req POST $LCM/bulk_assign "{\"assignments\":[{\"patient_id\":124,\"olcm_user_id\":$big}]}"
	expect_status 200
	expect_json '.results[0]' '{"patient_id":124,"status":"failed","errors":["olcm_user_id must be a positive integer"]}'
	# The largest id is an id: a clean 404, then a clean 422.
	req POST $LCM/assign '{"patient_id":9223372036854775807,"olcm_user_id":101}'
	expect_error 404 '["Patient not found"]'
	req POST $LCM/assign '{"patient_id":123,"olcm_user_id":9223372036854775807}'
	expect_error 422 '["User 9223372036854775807 is not eligible to be a Lead Care Manager"]'
	expect_unchanged "odd numbers"
	expect_workers_fine
}

# Regression (issue 12): nesting past the limit said "Request body must be
# a JSON object"; it says what is wrong.
test_rb_deep_nesting_400_moderate_nesting_ignored() {
	seed
	remember
	local f=$T_TMP/rb_deep
	head -c 100000 /dev/zero | tr '\0' '[' >"$f"
	send_file POST $LCM/assign "$f"
	expect_error 400 "$TOO_DEEP"
	{ printf '{"patient_id":124,"olcm_user_id":101,"x":'; head -c 200000 /dev/zero | tr '\0' '['; head -c 200000 /dev/zero | tr '\0' ']'; printf '}'; } >"$f"
	send_file POST $LCM/assign "$f"
	expect_error 400 "$TOO_DEEP"
	{ for _ in $(seq 50000); do printf '{"a":'; done; printf 1; head -c 50000 /dev/zero | tr '\0' '}'; } >"$f"
	send_file PUT $LCM/assign "$f"
	expect_error 400 "$TOO_DEEP"
	{ printf '{"assignments":'; head -c 100000 /dev/zero | tr '\0' '['; } >"$f"
	send_file POST $LCM/bulk_assign "$f"
	expect_error 400 "$TOO_DEEP"
	# 17 levels in a bulk item: one past the limit.
	req POST $LCM/bulk_assign '{"assignments":[{"patient_id":124,"olcm_user_id":101,"x":[[[[[[[[[[[[[[1]]]]]]]]]]]]]]}]}'
	expect_error 400 "$TOO_DEEP"
	expect_unchanged "deep nesting"
	# 16 levels (the limit) in a bulk item is fine.
	req POST $LCM/bulk_assign '{"assignments":[{"patient_id":125,"olcm_user_id":101,"x":[[[[[[[[[[[[[1]]]]]]]]]]]]]}]}'
	expect_status 200
	expect_json '.successful_count' 1
	# Nesting a real client might send, in an ignored field, is fine.
	req POST $LCM/assign '{"patient_id":124,"olcm_user_id":101,"meta":{"a":[{"b":[[{"c":[1,{"d":null}]}]]}]}}'
	expect_status 200
	expect_json '.case_load.olcm_user_id' 101
	expect_workers_fine
}

# Regression (issue 12): duplicate keys were read last-wins (json-c), so a
# body meant one thing to us and another to a reader that keeps the first.
# A key twice in any object, at any depth, bulk items included, is a 400
# naming it, and nothing of the body is applied.
test_rb_thousands_of_keys_and_duplicates() {
	local f=$T_TMP/rb_keys
	remember
	# 60,000 unknown keys around the real ones.
	jq -cn '[range(60000) | {key: "k\(.)", value: .}] | from_entries + {patient_id: 125, ilcm_user_id: 102}' >"$f"
	send_file POST $LCM/assign "$f"
	expect_status 200
	expect_json '[.case_load.patient_id, .case_load.ilcm_user_id]' '[125,102]'
	remember
	# 40,000 duplicates of patient_id.
	{ printf '{'; seq 40000 | awk '{printf "\"patient_id\":%d,", 1000 + $1}'; printf '"patient_id":126,"ilcm_user_id":102}'; } >"$f"
	send_file POST $LCM/assign "$f"
	expect_error 400 '["Duplicate key \"patient_id\" in a JSON object"]'
	# A duplicate among 60,000 unknown keys.
	jq -cn '[range(60000) | {key: "k\(.)", value: .}] | from_entries + {patient_id: 126, ilcm_user_id: 102}' |
		sed 's/}$/,"k59999":1}/' >"$f"
	send_file POST $LCM/assign "$f"
	expect_error 400 '["Duplicate key \"k59999\" in a JSON object"]'
	req POST $LCM/assign '{"patient_id":"x","patient_id":124,"olcm_user_id":103}'
	expect_error 400 '["Duplicate key \"patient_id\" in a JSON object"]'
	req POST $LCM/assign '{"patient_id":124,"patient_id":"x","olcm_user_id":101}'
	expect_error 400 '["Duplicate key \"patient_id\" in a JSON object"]'
	req PUT $LCM/assign '{"patient_id":125,"olcm_user_id":101,"olcm_user_id":102}'
	expect_error 400 '["Duplicate key \"olcm_user_id\" in a JSON object"]'
	req DELETE $LCM/assign '{"patient_id":125,"role":"ilcm","role":"olcm"}'
	expect_error 400 '["Duplicate key \"role\" in a JSON object"]'
	# Two spellings of one key are one key.
	req POST $LCM/assign '{"patient_id":124,"patient\u005fid":126,"olcm_user_id":101}'
	expect_error 400 '["Duplicate key \"patient_id\" in a JSON object"]'
	# Nested, in an ignored field, and in the bulk envelope and its items.
	req POST $LCM/assign '{"patient_id":124,"olcm_user_id":101,"meta":{"a":[{"b":1,"b":2}]}}'
	expect_error 400 '["Duplicate key \"b\" in a JSON object"]'
	req POST $LCM/bulk_assign '{"assignments":[{"patient_id":123,"olcm_user_id":101}],"assignments":5}'
	expect_error 400 '["Duplicate key \"assignments\" in a JSON object"]'
	req POST $LCM/bulk_assign '{"assignments":[{"patient_id":124,"olcm_user_id":101},{"patient_id":126,"ilcm_user_id":103,"ilcm_user_id":102}]}'
	expect_error 400 '["Duplicate key \"ilcm_user_id\" in a JSON object"]'
	req POST $LCM/bulk_assign '{"dry_run":true,"assignments":[{"patient_id":124,"olcm_user_id":101}],"dry_run":false}'
	expect_error 400 '["Duplicate key \"dry_run\" in a JSON object"]'
	req POST $LCM/transfer '{"from_user_id":101,"to_user_ids":[102],"to_user_ids":[103]}'
	expect_error 400 '["Duplicate key \"to_user_ids\" in a JSON object"]'
	req PUT $LCM/101/capacity '{"max_olcm":1,"max_olcm":null}'
	expect_error 400 '["Duplicate key \"max_olcm\" in a JSON object"]'
	expect_unchanged "duplicate keys"
	expect_eq "capacity rows" 0 "$(db_sql 'SELECT COUNT(*) FROM lcm_capacity')"
	# The same key in different objects is no duplicate.
	req POST $LCM/bulk_assign '{"assignments":[{"patient_id":124,"olcm_user_id":101},{"patient_id":126,"olcm_user_id":101}]}'
	expect_status 200
	expect_json '.successful_count' 2
	expect_workers_fine
}

# --- size, framing ---

# rb_sized FILE SIZE PATIENT KEY USER: a valid body of exactly SIZE bytes.
rb_sized() {
	local pre="{\"patient_id\":$3,\"$4\":$5,\"pad\":\"" post='"}'
	{
		printf '%s' "$pre"
		head -c $(($2 - ${#pre} - ${#post})) /dev/zero | tr '\0' a
		printf '%s' "$post"
	} >"$1"
	[ "$(stat -c %s "$1")" = "$2" ] || fail "rb_sized made $(stat -c %s "$1") bytes, not $2"
}

test_rb_body_exactly_1mib_accepted_one_more_413() {
	local f=$T_TMP/rb_size
	remember
	rb_sized "$f" 1048577 125 olcm_user_id 101
	send_file POST $LCM/assign "$f"
	expect_error 413 '["Request body too large (limit 1 MiB)"]'
	send_file POST $LCM/assign "$f" -H 'Transfer-Encoding: chunked'
	expect_error 413 '["Request body too large (limit 1 MiB)"]'
	send_file POST $LCM/assign "$f" -H 'Expect: 100-continue'
	expect_error 413 '["Request body too large (limit 1 MiB)"]'
	expect_unchanged "bodies of 1 MiB + 1"
	rb_sized "$f" 1048576 124 olcm_user_id 102
	send_file POST $LCM/assign "$f"
	expect_status 200
	expect_json '[.case_load.patient_id, .case_load.olcm_user_id]' '[124,102]'
	rb_sized "$f" 1048576 124 ilcm_user_id 103
	send_file PUT $LCM/assign "$f" -H 'Transfer-Encoding: chunked'
	expect_status 200
	expect_json '[.case_load.olcm_user_id, .case_load.ilcm_user_id]' '[102,103]'
	expect_workers_fine
}

test_rb_chunked_and_expect_continue_bodies() {
	local f=$T_TMP/rb_chunk
	remember
	printf '{"patient_id":124,"olcm_user_id":101}' >"$f"
	send_file POST $LCM/assign "$f" -H 'Transfer-Encoding: chunked'
	expect_status 200
	expect_json '.case_load.olcm_user_id' 101
	printf 'garbage' >"$f"
	send_file PUT $LCM/assign "$f" -H 'Transfer-Encoding: chunked'
	expect_error 400 "$BAD_JSON"
	printf '{"patient_id":124,"ilcm_user_id":102}' >"$f"
	send_file PUT $LCM/assign "$f" -H 'Expect: 100-continue'
	expect_status 200
	expect_json '.case_load.ilcm_user_id' 102
	# Refusals keep their order: auth, then media type, then JSON.
	TOKEN=""
	send_file DELETE $LCM/assign "$f" -H 'Expect: 100-continue' -H 'Transfer-Encoding: chunked'
	expect_error 401 '["Authentication required"]'
	TOKEN=dev-admin-token
	send $LCM/assign -X POST -H 'Content-Type: text/plain' -H 'Transfer-Encoding: chunked' --data-binary "@$f"
	expect_error 415 '["Content-Type must be application/json"]'
	printf '' >"$f"
	send_file POST $LCM/bulk_assign "$f" -H 'Transfer-Encoding: chunked'
	expect_error 400
	expect_eq "case loads" "124 101 102" \
		"$(db_sql 'SELECT patient_id, olcm_user_id, ilcm_user_id FROM case_loads' | tr '\t' ' ')"
	expect_workers_fine
}

# Chunked framing nginx cannot parse is refused before any worker sees it;
# the refusal must still be the JSON envelope.
test_rb_broken_chunked_framing_400_json() {
	remember
	local h="POST $LCM/assign HTTP/1.1\r\nHost: x\r\nX-User-Token: dev-admin-token\r\nContent-Type: application/json\r\nConnection: close\r\n"
	# (Nothing sent past the point of refusal: unread bytes would make the
	# kernel reset the connection and lose the answer.)
	send_raw "${h}Transfer-Encoding: chunked\r\n\r\nzz\r\n"
	expect_error 400
	send_raw "${h}Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n"
	expect_error 400
	expect_unchanged "broken framing"
	expect_workers_fine
}

# --- bulk ---

test_rb_bulk_1000_garbage_items_each_fails_alone() {
	seed
	remember
	local f=$T_TMP/rb_bulk
	jq -cn '{assignments: [range(1000) as $i |
		[null, [], "x", 1, true, {}, {patient_id: -1}, {patient_id: "123"},
		 {patient_id: 123}, {patient_id: 123, olcm_user_id: 104},
		 {patient_id: 999999, ilcm_user_id: 101}, {patient_id: 1e400, olcm_user_id: 101},
		 {patient_id: 123, olcm_user_id: 101, reason: 5}, [{patient_id: 123, olcm_user_id: 103}],
		 {patient_id: 123, ilcm_user_id: 105}, {olcm_user_id: 101}][$i % 16]]}' >"$f"
	send_file POST $LCM/bulk_assign "$f"
	expect_status 200
	expect_json '[.message, .successful_count, .failed_count, (.results | length)]' \
		'["Bulk assignment completed",0,1000,1000]'
	expect_json 'all(.results[]; .status == "failed" and (.errors | length > 0 and all(type == "string")))' true
	expect_json '[.results[0:16][] | .patient_id]' \
		'[null,null,null,null,null,null,null,null,123,123,999999,null,123,null,123,null]'
	expect_json '[.results[0:16][] | .errors[0]]' \
		'["Assignment must be a JSON object","Assignment must be a JSON object","Assignment must be a JSON object","Assignment must be a JSON object","Assignment must be a JSON object","patient_id is required","patient_id must be a positive integer","patient_id must be a positive integer","At least one of olcm_user_id or ilcm_user_id must be provided","User 104 is not eligible to be a Lead Care Manager","Patient not found","patient_id must be a positive integer","reason must be a string of at most 500 characters","Assignment must be a JSON object","User 105 is not eligible to be a Lead Care Manager","patient_id is required"]'
	expect_json '.results[999] == .results[999 % 16]' true
	expect_unchanged "1000 garbage items"
	expect_workers_fine
}

test_rb_bulk_envelope_abuse() {
	seed
	remember
	local f=$T_TMP/rb_env v
	for v in null '{}' '"x"' 1 true '[]' '{"0":{"patient_id":124,"olcm_user_id":101}}'; do
		req POST $LCM/bulk_assign "{\"assignments\":$v}"
		expect_error 422 '["assignments must be an array of 1 to 1000 items"]'
	done
	req POST $LCM/bulk_assign '{"Assignments":[{"patient_id":124,"olcm_user_id":101}]}'
	expect_error 422 '["assignments must be an array of 1 to 1000 items"]'
	for v in '[{"patient_id":124,"olcm_user_id":101}]' 'null' '"assignments"'; do
		req POST $LCM/bulk_assign "$v"
		expect_error 400 "$BAD_JSON"
	done
	jq -cn '{assignments: [range(1001) | {patient_id: 124, olcm_user_id: 101}]}' >"$f"
	send_file POST $LCM/bulk_assign "$f"
	expect_error 422 '["assignments must be an array of 1 to 1000 items"]'
	jq -cn '{assignments: [range(100000) | null]}' >"$f"
	send_file POST $LCM/bulk_assign "$f"
	expect_error 422 '["assignments must be an array of 1 to 1000 items"]'
	expect_unchanged "bulk envelopes"
	expect_workers_fine
}

# --- tokens ---

test_rb_odd_token_bytes_401() {
	remember
	local t f=$T_TMP/rb_tok
	printf '{"patient_id":124,"olcm_user_id":101}' >"$f"
	for t in $'\xff\xfe\x01abc' $'dev-admin-token\x01' $'dev-admin-token\x7f' 'DEV-ADMIN-TOKEN' \
		'dev-admin-token%00' $'d\xc3\xa9v' "'; DROP TABLE users; --" 'dev-admin-toke' \
		"$(head -c 513 /dev/zero | tr '\0' a)" "$(head -c 8000 /dev/zero | tr '\0' a)"; do
		TOKEN=$t
		send $P/patients/123/lead_care_managers
		expect_error 401 '["Authentication required"]'
		send_file POST $LCM/assign "$f"
		expect_error 401 '["Authentication required"]'
	done
	TOKEN=dev-admin-token
	expect_eq "users" 7 "$(db_sql 'SELECT COUNT(*) FROM users')"
	expect_unchanged "odd tokens"
	expect_workers_fine
}

# DECISIONS.md: an unknown token is a 401 and every body is JSON. A 10 KB
# token passes curl and HTTP; nginx's default 8 KB header buffer answers
# an HTML "400 Request Header Or Cookie Too Large" instead.
test_rb_10kb_token_401_json() {
	remember
	local t
	t=$(head -c 10240 /dev/zero | tr '\0' x)
	TOKEN=$t
	send $P/patients/123/lead_care_managers
	expect_error 401 '["Authentication required"]'
	send $LCM/assign -X POST -H 'Content-Type: application/json' --data-binary 'not json'
	expect_error 401 '["Authentication required"]'
	TOKEN=dev-admin-token
	expect_unchanged "10 KB token"
	expect_workers_fine
}

# Past any sane header size the answer is openapi.json's 431, in JSON.
test_rb_absurd_header_json_error() {
	remember
	TOKEN=$(head -c 65536 /dev/zero | tr '\0' x)
	send $P/patients/123/lead_care_managers
	expect_error 431
	TOKEN=dev-admin-token
	send $P/patients/123/lead_care_managers -H "X-Padding: $(head -c 65536 /dev/zero | tr '\0' y)"
	expect_error 431
	expect_workers_fine
}

# Two X-User-Token headers are ambiguous credentials (the field is not a
# list): refuse them whichever comes first. Today the worker takes the first
# FastCGI parameter, so "admin, bogus" authenticates and "bogus, admin" does not.
test_rb_two_tokens_refused() {
	remember
	TOKEN=""
	send $P/patients/123/lead_care_managers -H 'X-User-Token: bogus' -H 'X-User-Token: dev-admin-token'
	expect_error 401 '["Authentication required"]'
	send $P/patients/123/lead_care_managers -H 'X-User-Token: dev-admin-token' -H 'X-User-Token: bogus'
	expect_error 401 '["Authentication required"]'
	send $LCM/assign -H 'X-User-Token: dev-admin-token' -H 'X-User-Token: dev-user-token' \
		-X POST -H 'Content-Type: application/json' --data-binary '{"patient_id":124,"olcm_user_id":101}'
	expect_error_in "401 403"
	TOKEN=dev-admin-token
	expect_unchanged "two tokens"
	expect_workers_fine
}

# --- query strings ---

# rb_list QUERY: GET the list with QUERY (sent as is).
rb_list() {
	send "$LCM?$1"
}

test_rb_query_string_abuse() {
	remember
	local q
	# Undecodable or NUL-bearing search: refused, never a 500.
	for q in 'search=%00' 'search=a%00b' 'search=%zz' 'search=%' 'search=%4' 'search=a%' \
		'search=%ff' 'search=%c3%28' 'search=%ed%a0%80' 'search=%f4%90%80%80' 'search=%c0%af'; do
		rb_list "$q"
		expect_error_in "400 422"
	done
	# Over the limit: 422 naming search (5 KB of it, 201 emoji).
	rb_list "search=$(head -c 5000 /dev/zero | tr '\0' a)"
	expect_error 422 '["search must be at most 200 characters"]'
	rb_list "search=$(for _ in $(seq 201); do printf '%%F0%%9F%%98%%80'; done)"
	expect_error 422 '["search must be at most 200 characters"]'
	rb_list "search=$(for _ in $(seq 200); do printf '%%F0%%9F%%98%%80'; done)"
	expect_status 200
	expect_json '.pagination.total_count' 0
	rb_list "search=$(for _ in $(seq 200); do printf '%%25'; done)"
	expect_status 200
	expect_json '.pagination.total_count' 0
	# Repeated parameters: the last one counts.
	rb_list 'page=x&page=1'
	expect_status 200
	expect_json '.pagination.current_page' 1
	rb_list 'page=1&page=x'
	expect_error 422
	expect_json '.errors | length == 1 and (.[0] | test("page"))' true
	rb_list 'search=bob&search=jane'
	expect_status 200
	expect_json '[.lead_care_managers[].id]' '[101]'
	rb_list 'role=olcm&role=x'
	expect_error 422 '["role must be olcm or ilcm"]'
	# Numbers at and past the edge.
	rb_list 'page=9223372036854775807&per_page=100'
	expect_status 200
	expect_json '[.lead_care_managers, .pagination.total_count, .pagination.per_page]' '[[],4,100]'
	# (jq reads numbers as doubles: the exact page is checked in the text.)
	case $BODY in
	*'"current_page":9223372036854775807,'*) ;;
	*) fail "current_page is not 9223372036854775807: $BODY" ;;
	esac
	for q in 'page=9223372036854775808' 'page=99999999999999999999' 'page=-0' 'page=0x1' 'page=1e2' \
		'page=%2B1' 'page=1.0' "page=$(head -c 3000 /dev/zero | tr '\0' 9)"; do
		rb_list "$q"
		expect_error 422 '["page must be a positive integer"]'
	done
	# Noise: empty pairs, unknown names, 1000 unknown parameters.
	for q in '&&&' '=' '==&&==' 'foo=%zz' 'Page=x' \
		"$(for i in $(seq 1000); do printf 'x%d=1&' "$i"; done)"; do
		rb_list "$q"
		expect_status 200
		expect_json '.pagination.total_count' 4
	done
	expect_unchanged "query strings"
	expect_workers_fine
}

# DECISIONS.md: page, per_page and role take one kind of value and "anything
# else is a 422 naming the parameter". A NUL or a broken escape in them is
# answered 400 "Malformed query string" today, naming nothing.
test_rb_query_bad_escapes_in_page_per_page_role_422_named() {
	local q
	for q in 'page=1%00' 'page=%00' 'page=%zz' 'page=1%'; do
		rb_list "$q"
		expect_error 422 '["page must be a positive integer"]'
	done
	for q in 'per_page=%00' 'per_page=10%00' 'per_page=1%zz'; do
		rb_list "$q"
		expect_error 422 '["per_page must be an integer between 1 and 100"]'
	done
	for q in 'role=olcm%00' 'role=%00' 'role=%zz' 'role=%ff'; do
		rb_list "$q"
		expect_error 422 '["role must be olcm or ilcm"]'
	done
}

# Regression (issue 12): the last occurrence of a parameter wins completely:
# an earlier one that is malformed (a bad escape, a NUL) or too long used to
# fail the request although the last was good. Names are read decoded.
test_rb_query_last_occurrence_wins_completely() {
	local q
	for q in 'page=%zz&page=1' 'page=%00&page=1' 'page=%&page=1' 'page=x&page=1' \
		"page=$(head -c 3000 /dev/zero | tr '\0' 9)&page=1" 'per_page=%zz&per_page=25' \
		'role=%ff&role=olcm' 'role=%00&role=olcm' 'search=%00&search=jane' 'search=%zz&search=jane' \
		"search=$(head -c 5000 /dev/zero | tr '\0' a)&search=jane" 'sort=%zz&sort=workload' \
		'p%61ge=x&page=1' 'page=x&p%61ge=1'; do
		rb_list "$q"
		expect_status 200
		expect_json '.pagination.current_page' 1
	done
	rb_list 'search=%zz&search=jane'
	expect_json '[.lead_care_managers[].id]' '[101]'
	rb_list 'role=%ff&role=olcm'
	expect_json '.lead_care_managers' '[]'
	# The last one still counts when it is the bad one, decoded name or not.
	rb_list 'page=1&page=%zz'
	expect_error 422 '["page must be a positive integer"]'
	rb_list 'page=1&p%61ge=x'
	expect_error 422 '["page must be a positive integer"]'
	# The other lists and the export read their parameters the same way.
	send "$P/patients?unassigned=%zz&unassigned=olcm&provider_id=%00&provider_id=456"
	expect_status 200
	expect_json '.pagination.total_count' 3
	send "$P/patients?unassigned=olcm&unassigned=%zz"
	expect_error 422
	send "$LCM/assignments.csv?role=%zz&role=olcm&as_of=%zz&as_of=$(date -u +%F)"
	expect_status 200
	send "$LCM/101/patients?role=%zz&role=olcm&page=%00&page=1"
	expect_status 200
	send "$P/patients/123/lead_care_managers/history?role=%zz&role=ilcm&per_page=%zz&per_page=5"
	expect_status 200
}

# Every body is JSON: a 10 KB search (a URI past nginx's 8 KB buffer) must
# not come back as nginx's HTML 414 page.
test_rb_10kb_search_json() {
	remember
	rb_list "search=$(head -c 10240 /dev/zero | tr '\0' a)"
	expect_error_in "414 422"
	rb_list "$(for _ in $(seq 1500); do printf 'page=1&'; done)"
	expect_sane
	expect_workers_fine
}

# rb_ecm_user ID NAME: an active, LCM-eligible user (NAME in UTF-8).
rb_ecm_user() {
	db_sql "SET NAMES utf8mb4;
		INSERT INTO users (id, name, email, active) VALUES ($1, '$2', 'user$1@example.test', 1);
		INSERT INTO user_roles (user_id, role_id) SELECT $1, id FROM roles WHERE name = 'ecm'"
}

rb_ids() {
	rb_list "$1"
	expect_status 200
	expect_eq "ids for $1" "$2" "$(printf '%s' "$BODY" | jq -c '[.lead_care_managers[].id]' 2>&1)"
}

test_rb_unicode_search_case_insensitive() {
	rb_ecm_user 301 'Élodie Émeraude'
	rb_ecm_user 302 'Party 🎉 Planner'
	rb_ecm_user 303 'Zoë Straße'
	# Case-insensitive beyond ASCII.
	rb_ids 'search=%C3%A9lodie' '[301]'
	rb_ids 'search=%C3%89LODIE' '[301]'
	rb_ids 'search=zo%C3%AB' '[303]'
	rb_ids 'search=ZO%C3%8B' '[303]'
	rb_ids 'search=stra%C3%9Fe' '[303]'
	# Emoji match themselves, not one another.
	rb_ids 'search=%F0%9F%8E%89' '[302]'
	rb_ids 'search=%F0%9F%8E%89+p' '[302]'
	rb_ids 'search=%F0%9F%98%80' '[]'
	# A substring of the name, case aside: "é" is in one name only.
	rb_ids 'search=%C3%A9' '[301]'
	rb_ids 'search=%C3%89' '[301]'
}

# --- paths ---

test_rb_path_tricks() {
	remember
	local p
	# What nginx normalises is the same resource.
	for p in "//v1/admin/clinic/ecm/patients/123/lead_care_managers" \
		"/v1//admin/clinic/ecm/patients/123/lead_care_managers" \
		"/v1/admin/./clinic/ecm/patients/123/lead_care_managers" \
		"/v1/admin/x/../clinic/ecm/patients/123/lead_care_managers" \
		"/v1/admin/clinic/ecm/patients/%31%32%33/lead_care_managers" \
		"/v1/admin/clinic/ecm/patients/123/lead_care_managers?" \
		"/v1/admin/clinic/ecm/patients/123/lead_care_managers?x=%00"; do
		send "$p"
		expect_status 200
		expect_json '[.patient_id, .patient_name]' '[123,"John Doe"]'
	done
	# An encoded slash is data, not a separator: no path (openapi.json: Paths).
	send "/v1/admin/clinic/ecm/patients/123%2Flead_care_managers"
	expect_error 404 '["Not found"]'
	# Anything else is no route.
	for p in "$P/patients/123/lead_care_managers/" "$P/patients/+123/lead_care_managers" \
		"$P/patients/123;x/lead_care_managers" "$P/patients/123%20/lead_care_managers" \
		"$P/patients/%20123/lead_care_managers" "$P/patients/%ff/lead_care_managers" \
		"$P/patients/%C3%A9/lead_care_managers" "$P/patients//lead_care_managers" \
		"$P/patients/123/lead_care_managers/x" "$P/patients/123" "$P/patients/" "$P/patients/summary/" \
		"/V1/admin/clinic/ecm/patients/123/lead_care_managers" "$P/lead_care_managers/ASSIGN" \
		"$P/patients/$(head -c 4000 /dev/zero | tr '\0' 1)/lead_care_managers" \
		"/$(head -c 4000 /dev/zero | tr '\0' a)" "$LCM/assign/../../../../../etc/passwd"; do
		send "$p"
		expect_error 404 '["Not found"]'
	done
	# The largest id is an id; one more is no route.
	send "$P/patients/%39223372036854775807/lead_care_managers"
	expect_error 404 '["Patient not found"]'
	send "$P/patients/%39223372036854775808/lead_care_managers"
	expect_error 404 '["Not found"]'
	expect_unchanged "paths"
	expect_workers_fine
}

# NUL, broken escapes and climbing above the root are refused by nginx before
# any worker runs; the refusal must still be the JSON envelope.
test_rb_path_nul_and_bad_escapes_json() {
	remember
	local p
	for p in "$P/patients/123%00/lead_care_managers" "$P/patients/%00/lead_care_managers" \
		"$P/patients/12%zz/lead_care_managers" "$P/patients/123/lead_care_managers%00" \
		"/../../etc/passwd" "/%2e%2e/%2e%2e/etc/passwd"; do
		send "$p"
		expect_error_in "400 404"
	done
	send "/$(head -c 10240 /dev/zero | tr '\0' a)"
	expect_error_in "404 414"
	expect_workers_fine
}

# --- methods ---

test_rb_unrouted_methods_405_with_allow() {
	remember
	local m p allow
	for m in OPTIONS PATCH FOO PROPFIND CONNECTX; do
		for p in "$P/patients/123/lead_care_managers=GET, HEAD" "$LCM=GET, HEAD" \
			"$LCM/assign=POST, PUT, DELETE" "$LCM/bulk_assign=POST" "/healthz=GET, HEAD"; do
			allow=${p#*=}
			send "${p%%=*}" -X "$m" -H 'Content-Type: application/json' --data-binary '{"patient_id":124,"olcm_user_id":101}'
			expect_error 405 '["Method not allowed"]'
			expect_header allow "$allow"
		done
		send /v1/nothing -X "$m"
		expect_error 404 '["Not found"]'
	done
	# HEAD has no body to check, but the status and Allow still hold.
	for p in "$LCM/assign=POST, PUT, DELETE" "$LCM/bulk_assign=POST"; do
		send "${p%%=*}" -I
		expect_status 405
		expect_header allow "${p#*=}"
		expect_header content-type 'application/json; charset=utf-8'
	done
	expect_unchanged "unrouted methods"
	expect_workers_fine
}

# nginx answers TRACE itself (HTML, no Allow); DECISIONS.md: a known path
# with a wrong method is a 405 with an Allow header, in the JSON envelope.
test_rb_trace_405_json_with_allow() {
	send "$P/patients/123/lead_care_managers" -X TRACE
	expect_error 405
	expect_header allow 'GET, HEAD'
	send "$LCM/assign" -X TRACE
	expect_error 405
	expect_header allow 'POST, PUT, DELETE'
}

# --- content types ---

test_rb_content_type_variants() {
	seed
	remember
	local ct f=$T_TMP/rb_ct
	printf '{"patient_id":124,"olcm_user_id":101}' >"$f"
	for ct in application/jsonx application/json-patch+json text/json '*/*' ';' \
		'application/json, text/plain' 'application/ json' 'text/plain; x=application/json' \
		$'application/json\x01' 'multipart/form-data; boundary=x' 'application/x-www-form-urlencoded'; do
		send $LCM/assign -X POST -H "Content-Type: $ct" --data-binary "@$f"
		expect_error 415 '["Content-Type must be application/json"]'
		send $LCM/bulk_assign -X POST -H "Content-Type: $ct" \
			--data-binary '{"assignments":[{"patient_id":124,"olcm_user_id":101}]}'
		expect_error 415 '["Content-Type must be application/json"]'
	done
	expect_unchanged "wrong media types"
	for ct in APPLICATION/JSON 'Application/Json; charset=UTF-8' 'application/json ; x=y'; do
		send $LCM/assign -X POST -H "Content-Type: $ct" --data-binary "@$f"
		expect_status 200
		expect_json '.case_load.olcm_user_id' 101
	done
	expect_workers_fine
}

# Regression (issue 12): a charset other than UTF-8 was read as UTF-8. JSON
# is UTF-8: any other charset is a 415; utf-8 in any case, quoted or not,
# stays accepted.
test_rb_content_type_charset_only_utf8() {
	seed
	remember
	local ct f=$T_TMP/rb_cs
	printf '{"patient_id":124,"olcm_user_id":101}' >"$f"
	for ct in 'application/json; charset=latin1' 'application/json; charset=ISO-8859-1' \
		'application/json; charset=UTF-16' 'application/json; charset="utf-16le"' \
		'application/json;charset=utf-32' 'application/json; charset=utf8' \
		'application/json; charset=utf-8; charset=latin1'; do
		send $LCM/assign -X POST -H "Content-Type: $ct" --data-binary "@$f"
		expect_error 415 '["JSON must be UTF-8: Content-Type charset must be utf-8"]'
		send $LCM/bulk_assign -X POST -H "Content-Type: $ct" \
			--data-binary '{"assignments":[{"patient_id":124,"olcm_user_id":101}]}'
		expect_error 415 '["JSON must be UTF-8: Content-Type charset must be utf-8"]'
	done
	# A UTF-16 body said to be UTF-16: the media type answers first.
	printf '{"patient_id":124,"olcm_user_id":101}' | iconv -f UTF-8 -t UTF-16LE >"$f.16"
	send $LCM/assign -X PUT -H 'Content-Type: application/json; charset=utf-16le' --data-binary "@$f.16"
	expect_error 415 '["JSON must be UTF-8: Content-Type charset must be utf-8"]'
	# A malformed parameter list names no media type.
	send $LCM/assign -X POST -H 'Content-Type: application/json; charset = latin1' --data-binary "@$f"
	expect_error 415 '["Content-Type must be application/json"]'
	expect_unchanged "other charsets"
	for ct in 'application/json; charset=utf-8' 'application/json; charset=UTF-8' \
		'application/json;CHARSET="Utf-8"' 'application/json; charset="utf-8"'; do
		send $LCM/assign -X POST -H "Content-Type: $ct" --data-binary "@$f"
		expect_status 200
		expect_json '.case_load.olcm_user_id' 101
	done
	expect_workers_fine
}

# Regression (issue 12): two Content-Type headers were read as the first
# (nginx's CONTENT_TYPE). Like two tokens, they are refused, whichever comes
# first: a 400, after the token is checked.
test_rb_two_content_types_refused() {
	seed
	remember
	local pair a b body='{"patient_id":124,"olcm_user_id":101}'
	for pair in 'application/json|text/plain' 'text/plain|application/json' \
		'application/json|application/json' 'application/json; charset=latin1|application/json'; do
		a=${pair%|*}
		b=${pair#*|}
		send_raw "POST $LCM/assign HTTP/1.1\r\nHost: x\r\nX-User-Token: dev-admin-token\r\nContent-Type: $a\r\nContent-Type: $b\r\nContent-Length: ${#body}\r\nConnection: close\r\n\r\n$body"
		expect_error 400 '["Content-Type may be sent once"]'
		send_raw "POST $LCM/bulk_assign HTTP/1.1\r\nHost: x\r\nX-User-Token: dev-admin-token\r\nContent-Type: $a\r\nContent-Type: $b\r\nContent-Length: 11\r\nConnection: close\r\n\r\n{\"x\":[1,2]}"
		expect_error 400 '["Content-Type may be sent once"]'
	done
	# The token comes first (openapi.json: The order of the checks).
	send_raw "POST $LCM/assign HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Type: application/json\r\nContent-Length: ${#body}\r\nConnection: close\r\n\r\n$body"
	expect_error 401 '["Authentication required"]'
	expect_unchanged "two content types"
	expect_workers_fine
}

# --- all at once ---

test_rb_workers_survive_concurrent_abuse() {
	seed
	remember
	local i f=$T_TMP/rb_conc
	head -c 50000 /dev/urandom >"$f.bin"
	jq -cn '{assignments: [range(1000) | [null, {}, {patient_id: 999999, olcm_user_id: 101}][. % 3]]}' >"$f.bulk"
	for i in $(seq 1 40); do
		case $((i % 5)) in
		0) curl -s -o "$f.$i" -w '%{http_code}' -H 'X-User-Token: dev-admin-token' \
			-H 'Content-Type: application/json' --data-binary "@$f.bin" "$BASE$LCM/assign" ;;
		1) curl -s -o "$f.$i" -w '%{http_code}' -H 'X-User-Token: dev-admin-token' \
			-H 'Content-Type: application/json' --data-binary "@$f.bulk" "$BASE$LCM/bulk_assign" ;;
		2) curl -s -o "$f.$i" -w '%{http_code}' -H 'X-User-Token: dev-admin-token' \
			"$BASE$LCM?search=%ff%00&page=%zz" ;;
		3) curl -s -o "$f.$i" -w '%{http_code}' -H 'X-User-Token: dev-admin-token' -X DELETE \
			-H 'Content-Type: application/json' --data-binary '{"patient_id":123,"role":"\ud800"}' "$BASE$LCM/assign" ;;
		4) curl -s -o "$f.$i" -w '%{http_code}' -H 'X-User-Token: dev-admin-token' -X PATCH \
			"$BASE$P/patients/123/lead_care_managers" ;;
		esac >"$f.code.$i" &
	done
	# Clients that give up mid-request.
	for i in $(seq 1 10); do
		curl -s -o /dev/null --max-time 0.02 -H 'X-User-Token: dev-admin-token' \
			-H 'Content-Type: application/json' --data-binary "@$f.bulk" "$BASE$LCM/bulk_assign" &
	done
	wait
	for i in $(seq 1 40); do
		case $(cat "$f.code.$i") in
		[1-4][0-9][0-9]) ;;
		*) fail "concurrent abuse $i: status $(cat "$f.code.$i"): $(head -c 200 "$f.$i")" ;;
		esac
		jq -e '.errors // .results' "$f.$i" >/dev/null 2>&1 || fail "concurrent abuse $i: not JSON: $(head -c 200 "$f.$i")"
	done
	expect_unchanged "concurrent abuse"
	expect_workers_fine
}
