# The running service: routing, auth, the error envelope and statuses, the
# patient care-team read, health.

P=/v1/admin/clinic/ecm
LCM=$P/lead_care_managers

test_healthz_ok_without_token() {
	TOKEN=""
	req GET /healthz
	expect_status 200
	expect_json . '{"status":"ok"}'
	expect_header content-type 'application/json; charset=utf-8'
}

test_care_team_seed_example_is_null_at_first() {
	req GET $P/patients/123/lead_care_managers
	expect_status 200
	expect_json . '{"patient_id":123,"patient_name":"John Doe","case_load":null,"ecm_eligibility_information":null}'
	expect_header content-type 'application/json; charset=utf-8'
}

test_care_team_after_assign_matches_contract_shape() {
	req POST $LCM/assign '{"patient_id":123,"olcm_user_id":101,"ilcm_user_id":102}'
	expect_status 200
	req GET $P/patients/123/lead_care_managers
	expect_status 200
	expect_json '.case_load | keys' '["id","ilcm","olcm","provider_id","provider_name"]'
	expect_json '.case_load.provider_id' 456
	expect_json '.case_load.provider_name' '"Dr. Smith"'
	expect_json '.case_load.olcm | keys' '["assigned_at","email","name","user_id"]'
	expect_json '.case_load.olcm.user_id' 101
	expect_json '.case_load.olcm.name' '"Jane Coordinator"'
	expect_json '.case_load.ilcm.user_id' 102
	expect_json '.case_load.olcm.assigned_at | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z$")' true
}

test_care_team_unassigned_role_is_null() {
	req POST $LCM/assign '{"patient_id":126,"ilcm_user_id":103}'
	req GET $P/patients/126/lead_care_managers
	expect_status 200
	expect_json '.case_load.olcm' null
	expect_json '.case_load.provider_id' null
	expect_json '.case_load.provider_name' null
	expect_json '.case_load.ilcm.user_id' 103
}

test_care_team_unknown_patient_404() {
	req GET $P/patients/999/lead_care_managers
	expect_error 404 '["Patient not found"]'
}

test_care_team_bad_path_ids_are_404() {
	local id
	for id in abc 0 -1 12x 1.5 9223372036854775808 99999999999999999999; do
		req GET "$P/patients/$id/lead_care_managers"
		expect_error 404 '["Not found"]'
	done
	req GET "$P/patients/9223372036854775807/lead_care_managers"
	expect_error 404 '["Patient not found"]'
}

test_unknown_route_404() {
	req GET /v1/nothing/here
	expect_error 404 '["Not found"]'
	req GET $LCM/
	expect_error 404 '["Not found"]'
}

test_wrong_method_405_with_allow() {
	req DELETE $P/patients/123/lead_care_managers
	expect_error 405
	expect_header allow 'GET, HEAD'
	req GET $LCM/assign
	expect_error 405
	expect_header allow 'POST, PUT, DELETE'
	req PATCH $LCM
	expect_error 405
	expect_header allow 'GET, HEAD'
	req GET $LCM/bulk_assign
	expect_header allow POST
}

test_missing_token_401() {
	TOKEN=""
	req GET $P/patients/123/lead_care_managers
	expect_error 401 '["Authentication required"]'
}

test_unknown_token_401() {
	TOKEN=not-a-token
	req GET $P/patients/123/lead_care_managers
	expect_error 401 '["Authentication required"]'
}

# A worker trusts a token it has checked for auth_cache_seconds (2 s by
# default): a revoked or expired token, a deactivated user or a lost admin
# role takes effect on every worker within that. warm_workers has each of
# them check the token first; after the change and 2.1 s, 12 requests (spread
# over the 4 workers) must all be refused.
warm_workers() {
	local i
	for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
		req GET $P/patients/123/lead_care_managers
		expect_status 200
	done
}
every_worker_answers() {
	local want=$1 i
	sleep 2.1
	for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
		req GET $P/patients/123/lead_care_managers
		expect_status "$want"
	done
	expect_json '.errors | length' 1
}

test_deactivated_user_401_within_2s() {
	warm_workers
	db_sql "UPDATE users SET active = 0 WHERE id = 1"
	every_worker_answers 401
	expect_error 401 '["Authentication required"]'
}

test_revoked_token_401_within_2s() {
	warm_workers
	db_sql "UPDATE api_tokens SET revoked_at = NOW(3) WHERE user_id = 1"
	every_worker_answers 401
	expect_error 401 '["Authentication required"]'
}

test_expired_token_401_within_2s() {
	warm_workers
	db_sql "UPDATE api_tokens SET expires_at = NOW(3) WHERE user_id = 1"
	every_worker_answers 401
}

test_token_expiring_soon_is_not_trusted_past_its_expiry() {
	local i codes
	db_sql "UPDATE api_tokens SET expires_at = NOW(3) + INTERVAL 1500000 MICROSECOND WHERE user_id = 1"
	# Every worker trusts the token from now on for 2 s, but only until it
	# expires 1.5 s from now: twelve requests at once reach all four even on
	# a busy machine (one by one they could take longer than 1.5 s).
	codes=$(for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
		curl -s -o /dev/null -w '%{http_code}\n' -H "X-User-Token: $TOKEN" \
			"$BASE$P/patients/123/lead_care_managers" &
	done; wait)
	expect_eq "the twelve warming answers" "200 200 200 200 200 200 200 200 200 200 200 200" \
		"$(echo $codes)"
	# Once the database says it has expired, and before the 2 s lapse.
	for i in $(seq 1 30); do
		[ "$(db_sql "SELECT NOW(3) > expires_at FROM api_tokens WHERE user_id = 1 LIMIT 1")" = 1 ] && break
		sleep 0.05
	done
	req GET $P/patients/123/lead_care_managers
	expect_error 401 '["Authentication required"]'
}

test_lost_admin_role_403_within_2s() {
	warm_workers
	db_sql "DELETE FROM user_roles WHERE user_id = 1 AND role_id = (SELECT id FROM roles WHERE name = 'admin')"
	every_worker_answers 403
	expect_error 403 '["Admin access required"]'
}

test_new_token_works_at_once() {
	TOKEN=brand-new-token
	req GET $P/patients/123/lead_care_managers
	expect_error 401 '["Authentication required"]'
	db_sql "INSERT INTO api_tokens (user_id, token_sha256, created_at)
		VALUES (1, UNHEX(SHA2('brand-new-token', 256)), NOW(3))"
	req GET $P/patients/123/lead_care_managers
	expect_status 200
}

test_non_admin_403() {
	TOKEN=dev-user-token
	req GET $P/patients/123/lead_care_managers
	expect_error 403 '["Admin access required"]'
	req POST $LCM/assign '{"patient_id":123,"olcm_user_id":101}'
	expect_error 403 '["Admin access required"]'
	expect_eq "case loads after a refused write" 0 "$(db_sql 'SELECT COUNT(*) FROM case_loads')"
}

test_token_hash_only_in_database() {
	expect_eq "raw token stored" 0 \
		"$(db_sql "SELECT COUNT(*) FROM api_tokens WHERE token_sha256 = 'dev-admin-token'")"
	expect_eq "hash stored" 1 \
		"$(db_sql "SELECT COUNT(*) FROM api_tokens WHERE token_sha256 = UNHEX(SHA2('dev-admin-token', 256))")"
}

test_auth_before_validation() {
	TOKEN=""
	req POST $LCM/assign 'not json'
	expect_error 401
	TOKEN=dev-user-token
	req POST $LCM/assign '{"patient_id":"x"}'
	expect_error 403
}

test_bad_json_400() {
	local b
	for b in 'not json' '{"patient_id":123' '[1,2]' '"str"' '123' '{"a":1} x' '{"a":1,}'; do
		req POST $LCM/assign "$b"
		expect_error 400 '["Request body must be a JSON object"]'
	done
	req POST $LCM/assign ''
	expect_error 400
}

test_deep_json_400() {
	req POST $LCM/assign "$(printf '%.0s[' $(seq 100))"
	expect_error 400
}

test_wrong_content_type_415() {
	CT=text/plain
	req POST $LCM/assign '{"patient_id":123,"olcm_user_id":101}'
	expect_error 415 '["Content-Type must be application/json"]'
	CT=application/x-www-form-urlencoded
	req DELETE $LCM/assign '{"patient_id":123,"role":"olcm"}'
	expect_error 415
	expect_eq "case loads" 0 "$(db_sql 'SELECT COUNT(*) FROM case_loads')"
}

test_json_content_type_with_charset_accepted() {
	CT='application/json; charset=utf-8'
	req POST $LCM/assign '{"patient_id":123,"olcm_user_id":101}'
	expect_status 200
}

test_absent_content_type_accepted() {
	CT=""
	req POST $LCM/assign '{"patient_id":123,"olcm_user_id":101}'
	expect_status 200
}

test_body_over_1mib_413_json() {
	local big
	big=$(head -c 1100000 /dev/zero | tr '\0' 'a')
	req POST $LCM/assign "{\"patient_id\":123,\"reason\":\"$big\"}"
	expect_error 413
	expect_eq "case loads" 0 "$(db_sql 'SELECT COUNT(*) FROM case_loads')"
}

test_validation_422() {
	req POST $LCM/assign '{"patient_id":123}'
	expect_error 422 '["At least one of olcm_user_id or ilcm_user_id must be provided"]'
}

test_request_id_header() {
	req GET /healthz
	expect_json '.status' '"ok"'
	[ -n "$(echo "$HEADERS" | awk -F': ' '$1 == "x-request-id" {print $2}')" ] ||
		fail "no X-Request-Id header"
}

# README.md's quick start: its curl, sent to this stack, answers the care
# team; its demo tokens are an admin's and a non-admin's; and make run
# (deploy/stack.sh start) prints the same curl, both tokens and the console.
test_readme_quick_start_holds() {
	local quick curl token path said
	quick=$(sed -n '/^## Quick start/,/^## [^Q]/p' "$HARNESS_ROOT/README.md")
	curl=$(grep -A1 '^    curl ' <<<"$quick" | tr -d '\\\n')
	token=$(sed -n "s/.*-H 'X-User-Token: \([^']*\)'.*/\1/p" <<<"$curl")
	path=$(grep -o 'http://127\.0\.0\.1:8080/[^ ]*' <<<"$curl" | sed 's|^http://127\.0\.0\.1:8080||')
	[ -n "$token" ] && [ -n "$path" ] || { fail "README.md's quick start has no curl with a token and a URL: [$curl]"; return; }
	TOKEN=$token
	req GET "$path"
	expect_status 200
	expect_json '.patient_id' 123
	grep -qF '`dev-admin-token` (Ada Admin, admin)' <<<"$quick" && grep -qF '`dev-user-token`' <<<"$quick" ||
		fail "README.md's quick start does not name the demo tokens"
	TOKEN=dev-user-token
	req GET "$path"
	expect_status 403
	said=$(sed -n '/^Lead Care Managers API is up at/,/^MSG$/p' "$HARNESS_ROOT/deploy/stack.sh")
	grep -qF "curl -s -H 'X-User-Token: $token' http://127.0.0.1:\$PORT$path" <<<"$said" ||
		fail "make run does not print the README's curl"
	grep -q 'dev-admin-token' <<<"$said" && grep -q 'dev-user-token' <<<"$said" ||
		fail "make run does not print both demo tokens"
	grep -q '/console/' <<<"$said" || fail "make run does not print the console's address"
}

# no_store_answer STATUS: the last answer had STATUS, Cache-Control:
# no-store and a request id; its status is added to $SEEN.
no_store_answer() {
	expect_eq "status of $LAST_REQ" "$1" "$STATUS"
	expect_eq "cache-control of $LAST_REQ" no-store "$(header cache-control)"
	[ -n "$(request_id)" ] || fail "$LAST_REQ: no X-Request-Id"
	SEEN="$SEEN $STATUS"
}

# Every answer, the workers' and nginx's own, is no-store with its request
# id; openapi.json alone is public and cacheable for an hour (openapi.json's
# "Answers").
test_every_answer_is_no_store_with_its_request_id() {
	local big
	SEEN=""
	req GET /healthz; no_store_answer 200
	req GET $P/patients/123/lead_care_managers; no_store_answer 200
	req POST $LCM/assign '{"patient_id":123,"olcm_user_id":101}'; no_store_answer 200
	req GET $LCM/assignments.csv; no_store_answer 200
	req POST $LCM/assign '{"patient_id":123}'; no_store_answer 422
	req GET $P/patients/999999/lead_care_managers; no_store_answer 404
	req GET $P/nowhere; no_store_answer 404
	req PATCH $LCM/assign; no_store_answer 405
	big=$(head -c 1100000 /dev/zero | tr '\0' 'a')
	req POST $LCM/assign "{\"patient_id\":123,\"reason\":\"$big\"}"; no_store_answer 413
	TOKEN=dev-user-token
	req GET $P/patients/123/lead_care_managers; no_store_answer 403
	TOKEN=""
	req GET $P/patients/123/lead_care_managers; no_store_answer 401
	expect_eq "the answers seen" " 200 200 200 200 422 404 404 405 413 403 401" "$SEEN"
	req GET $P/openapi.json
	expect_status 200
	expect_header cache-control 'public, max-age=3600'
}

test_worker_socket_is_private() {
	local mode
	mode=$(stat -c %a "$HVAR/run/fcgi.sock")
	expect_eq "socket mode" 600 "$mode"
	expect_eq "run dir mode" 700 "$(stat -c %a "$HVAR/run")"
}

# Every statement of lib/db/sql.c but migrate's own (prepared by lcm-admin
# migrate, as the migrate user, on every start of the stack).
test_every_statement_prepares_against_the_test_database() {
	local out rc all migrate
	out=$("$LCM_ADMIN" --config "$HVAR/lcm.conf" check 2>&1)
	rc=$?
	all=$(grep -c '^	\[STMT_' "$HARNESS_ROOT/lib/db/sql.c")
	migrate=$(grep -c ', M},$' "$HARNESS_ROOT/lib/db/sql.c")
	expect_eq "lcm-admin check exit ($out)" 0 "$rc"
	expect_eq "statements line" "statements: $((all - migrate)) prepared, each matching its signature" \
		"$(grep '^statements:' <<<"$out")"
}
