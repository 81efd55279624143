# Safe retries: Idempotency-Key on the POSTs (assign, bulk_assign, transfer,
# auto_assign); PUT and DELETE, idempotent by their method, ignore it.

P=/v1/admin/clinic/ecm
LCM=$P/lead_care_managers

# kreq KEY METHOD PATH BODY: a request with an Idempotency-Key.
kreq() {
	local key=$1
	shift
	LAST_REQ="$1 $2 (Idempotency-Key: $key) $3"
	printf '%s' "$3" >"$T_TMP/req"
	local hdr
	: >"$T_TMP/body"
	hdr=$(curl -s -X "$1" -D - -o "$T_TMP/body" -H "X-User-Token: $TOKEN" \
		-H "Idempotency-Key: $key" -H 'Content-Type: application/json' \
		--data-binary "@$T_TMP/req" "$BASE$2" | tr -d '\r')
	STATUS=$(echo "$hdr" | awk 'NR==1 {print $2}')
	HEADERS=$(echo "$hdr" | awk -F': ' 'NR>1 && NF>1 {print tolower($1) ": " $2}')
	BODY=$(cat "$T_TMP/body")
}

acts() { db_sql 'SELECT COUNT(*) FROM patient_activities'; }

test_retry_with_the_key_gets_the_first_answer_and_writes_nothing() {
	local first etag
	kreq k-assign-1 POST $LCM/assign '{"patient_id":123,"olcm_user_id":101}'
	expect_status 200
	expect_header idempotent-replayed ""
	first=$BODY
	etag=$(header etag)
	expect_eq "activity rows" 1 "$(acts)"
	# Someone else changes the case load; the retry still gets the first answer.
	req POST $LCM/assign '{"patient_id":123,"olcm_user_id":102}'
	kreq k-assign-1 POST $LCM/assign '{"patient_id":123,"olcm_user_id":101}'
	expect_status 200
	expect_header idempotent-replayed true
	expect_eq "replayed body" "$first" "$BODY"
	expect_header etag "$etag"
	expect_eq "activity rows after the retry" 2 "$(acts)"
	expect_eq "the retry did not write" 102 "$(cl_col olcm_user_id 123)"
}

test_same_key_different_body_is_422() {
	kreq k-2 POST $LCM/assign '{"patient_id":123,"olcm_user_id":101}'
	expect_status 200
	local before
	before=$(snapshot)
	kreq k-2 POST $LCM/assign '{"patient_id":123,"olcm_user_id":103}'
	expect_error 422 '["Idempotency-Key was already used for a different request"]'
	kreq k-2 POST $LCM/bulk_assign '{"assignments":[{"patient_id":123,"olcm_user_id":101}]}'
	expect_error 422
	expect_unchanged "a reused key" "$before"
}

test_twenty_at_once_with_one_key_apply_once() {
	local i s ok=0 busy=0 bodies
	for i in $(seq 1 20); do
		curl -s -o "$T_TMP/k20.$i.body" -w '%{http_code}' -X POST -H 'X-User-Token: dev-admin-token' \
			-H 'Content-Type: application/json' -H 'Idempotency-Key: twenty-at-once' \
			--data-binary '{"patient_id":124,"olcm_user_id":101,"ilcm_user_id":102}' \
			"$BASE$LCM/assign" >"$T_TMP/k20.$i" &
	done
	wait
	for i in $(seq 1 20); do
		s=$(cat "$T_TMP/k20.$i")
		case $s in
		200) ok=$((ok + 1)) ;;
		409) busy=$((busy + 1))
			expect_eq "409 body" '{"errors":["A request with this Idempotency-Key is still being processed"]}' \
				"$(cat "$T_TMP/k20.$i.body")" ;;
		*) fail "request $i answered $s: $(cat "$T_TMP/k20.$i.body")" ;;
		esac
	done
	expect_eq "answered" 20 $((ok + busy))
	[ "$ok" -ge 1 ] || fail "no request was answered 200"
	bodies=$(for i in $(seq 1 20); do [ "$(cat "$T_TMP/k20.$i")" = 200 ] && cat "$T_TMP/k20.$i.body" && echo; done | sort -u | wc -l)
	expect_eq "every 200 is the same answer" 1 "$bodies"
	expect_eq "applied once: one case load" 1 "$(db_sql 'SELECT COUNT(*) FROM case_loads WHERE patient_id = 124')"
	expect_eq "applied once: two activity rows" 2 "$(acts)"
	expect_eq "applied once: version" 1 "$(cl_col version 124)"
}

test_bulk_retry_is_replayed() {
	local first
	kreq bulk-k POST $LCM/bulk_assign '{"assignments":[{"patient_id":123,"olcm_user_id":101},{"patient_id":999,"olcm_user_id":101}]}'
	expect_status 200
	expect_json '[.successful_count, .failed_count]' '[1,1]'
	first=$BODY
	kreq bulk-k POST $LCM/bulk_assign '{"assignments":[{"patient_id":123,"olcm_user_id":101},{"patient_id":999,"olcm_user_id":101}]}'
	expect_status 200
	expect_header idempotent-replayed true
	expect_eq "replayed bulk body" "$first" "$BODY"
	expect_eq "activity rows" 1 "$(acts)"
}

test_a_refused_request_is_replayed_too() {
	kreq k-refused POST $LCM/assign '{"patient_id":123,"olcm_user_id":104}'
	expect_error 422 '["User 104 is not eligible to be a Lead Care Manager"]'
	# 104 becomes eligible: the retry still gets the first answer.
	db_sql "UPDATE users SET active = 1 WHERE id = 104"
	kreq k-refused POST $LCM/assign '{"patient_id":123,"olcm_user_id":104}'
	expect_error 422 '["User 104 is not eligible to be a Lead Care Manager"]'
	expect_header idempotent-replayed true
	expect_eq "nothing written" 0 "$(acts)"
}

test_keys_are_per_acting_user() {
	db_sql "INSERT INTO users (id, name, email, active) VALUES (7, 'Second Admin', 'second.admin@example.test', 1);
		INSERT INTO api_tokens (user_id, token_sha256, created_at) VALUES (7, UNHEX(SHA2('second-admin-token', 256)), NOW(3));
		INSERT INTO user_roles (user_id, role_id) SELECT 7, id FROM roles WHERE name = 'admin'"
	kreq shared-key POST $LCM/assign '{"patient_id":123,"olcm_user_id":101}'
	expect_status 200
	TOKEN=second-admin-token
	kreq shared-key POST $LCM/assign '{"patient_id":123,"olcm_user_id":102}'
	expect_status 200
	expect_header idempotent-replayed ""
	expect_eq "the second admin's request ran" 102 "$(cl_col olcm_user_id 123)"
}

test_expired_and_abandoned_keys_run_again() {
	kreq old-key POST $LCM/assign '{"patient_id":123,"olcm_user_id":101}'
	expect_status 200
	db_sql "UPDATE idempotency_keys SET created_at = NOW(3) - INTERVAL 25 HOUR"
	req POST $LCM/assign '{"patient_id":123,"olcm_user_id":102}'
	kreq old-key POST $LCM/assign '{"patient_id":123,"olcm_user_id":101}'
	expect_status 200
	expect_header idempotent-replayed ""
	expect_eq "after 24 hours the key is new" 101 "$(cl_col olcm_user_id 123)"
	# A claim whose request died with its worker (running for minutes) is taken over.
	db_sql "INSERT INTO idempotency_keys (user_id, idem_key, request_sha256, request_id, state, created_at)
		VALUES (1, 'dead-key', UNHEX(SHA2('x', 256)), 'gone', 'running', NOW(3) - INTERVAL 5 MINUTE)"
	kreq dead-key POST $LCM/assign '{"patient_id":124,"olcm_user_id":103}'
	expect_status 200
	expect_eq "the abandoned key's request ran" 103 "$(cl_col olcm_user_id 124)"
	# One still running is not.
	db_sql "INSERT INTO idempotency_keys (user_id, idem_key, request_sha256, request_id, state, created_at)
		VALUES (1, 'busy-key', UNHEX(SHA2('x', 256)), 'elsewhere', 'running', NOW(3))"
	kreq busy-key POST $LCM/assign '{"patient_id":125,"olcm_user_id":103}'
	expect_error 422
	expect_eq "a key still running is not taken over" 0 \
		"$(db_sql 'SELECT COUNT(*) FROM case_loads WHERE patient_id = 125')"
}

test_key_validation_400() {
	local before long
	before=$(snapshot)
	long=$(printf 'k%.0s' $(seq 1 256))
	kreq "$long" POST $LCM/assign '{"patient_id":123,"olcm_user_id":101}'
	expect_error 400 '["Idempotency-Key must be 1 to 255 visible ASCII characters"]'
	kreq "with space" POST $LCM/assign '{"patient_id":123,"olcm_user_id":101}'
	expect_error 400
	kreq "$(printf 'k%.0s' $(seq 1 255))" POST $LCM/assign '{"patient_id":123,"olcm_user_id":101}'
	expect_status 200
	send $LCM/assign -X POST -H 'Idempotency-Key: a' -H 'Idempotency-Key: b' \
		-H 'Content-Type: application/json' --data-binary '{"patient_id":124,"olcm_user_id":101}'
	expect_error 400 '["Idempotency-Key may be sent once"]'
	expect_eq "only the valid request wrote" 1 "$(acts)"
}

test_transfer_and_auto_assign_retries_are_replayed() {
	local first
	req POST $LCM/assign '{"patient_id":123,"olcm_user_id":101}'
	req POST $LCM/assign '{"patient_id":124,"olcm_user_id":101}'
	kreq move-k POST $LCM/transfer '{"from_user_id":101,"to_user_ids":[102]}'
	expect_status 200
	expect_json .moved_count 2
	first=$BODY
	# Someone gives 124 back; the retry still gets the first answer and moves nothing.
	req PUT $LCM/assign '{"patient_id":124,"olcm_user_id":101}'
	kreq move-k POST $LCM/transfer '{"from_user_id":101,"to_user_ids":[102]}'
	expect_status 200
	expect_header idempotent-replayed true
	expect_eq "replayed transfer" "$first" "$BODY"
	expect_eq "124 stays with 101" 101 "$(cl_col olcm_user_id 124)"
	kreq fill-k POST $LCM/auto_assign '{"role":"ilcm","patient_ids":[125],"user_ids":[103]}'
	expect_status 200
	first=$BODY
	req DELETE $LCM/assign '{"patient_id":125,"role":"ilcm"}'
	kreq fill-k POST $LCM/auto_assign '{"role":"ilcm","patient_ids":[125],"user_ids":[103]}'
	expect_header idempotent-replayed true
	expect_eq "replayed auto-assign" "$first" "$BODY"
	expect_eq "125 stays without an iLCM" NULL "$(cl_col ilcm_user_id 125)"
}

# DELETE (like PUT) is idempotent by its method (RFC 9110 9.2.2): the key is
# not read, kept or replayed there; a retry finds the role empty and answers 200.
test_delete_ignores_the_key() {
	seed
	local first
	kreq del-k DELETE $LCM/assign '{"patient_id":123,"role":"olcm"}'
	expect_status 200
	expect_header etag '"2"'
	first=$BODY
	kreq del-k DELETE $LCM/assign '{"patient_id":123,"role":"olcm"}'
	expect_status 200
	expect_header idempotent-replayed ""
	expect_header etag '"2"'
	expect_eq "the retry's answer" "$first" "$BODY"
	# A conditional retry with the ETag its first attempt read: that attempt applied, 412.
	send $LCM/assign -X DELETE -H 'Idempotency-Key: del-k' -H 'If-Match: "1"' \
		-H 'Content-Type: application/json' --data-binary '{"patient_id":123,"role":"olcm"}'
	expect_error 412 '["Case load has changed since it was read"]'
	kreq "not a key" DELETE $LCM/assign '{"patient_id":123,"role":"ilcm"}'
	expect_status 200
	expect_eq "no key kept" 0 "$(db_sql 'SELECT COUNT(*) FROM idempotency_keys')"
	expect_eq "one removal row per role" 2 \
		"$(db_sql "SELECT COUNT(*) FROM patient_activities WHERE patient_id = 123 AND activity_type = 'lcm_removed'")"
	# The key was never claimed: a POST may use it.
	kreq del-k POST $LCM/assign '{"patient_id":123,"olcm_user_id":103}'
	expect_status 200
	expect_header idempotent-replayed ""
	expect_eq "the POST ran" 103 "$(cl_col olcm_user_id 123)"
}

test_keys_are_ignored_where_not_honoured() {
	seed
	kreq not-here PUT $LCM/assign '{"patient_id":123,"olcm_user_id":103}'
	expect_status 200
	kreq not-here PUT $LCM/assign '{"patient_id":123,"olcm_user_id":101}'
	expect_status 200
	expect_header idempotent-replayed ""
	kreq not-here PUT $LCM/101/capacity '{"max_olcm":5}'
	expect_status 200
	kreq not-here PUT $LCM/101/capacity '{"max_olcm":5}'
	expect_status 200
	expect_header idempotent-replayed ""
	expect_eq "no key kept" 0 "$(db_sql 'SELECT COUNT(*) FROM idempotency_keys')"
}

# claim_state KEY: the state of the key's claim ("" when there is none).
claim_state() {
	db_sql "SELECT state FROM idempotency_keys WHERE idem_key = '$1'"
}

# wait_claim_gone KEY: until the key has no claim; 30 s at most.
wait_claim_gone() {
	local i
	for i in $(seq 1 600); do
		[ -z "$(claim_state "$1")" ] && return 0
		sleep 0.05
	done
	fail "the claim of $1 is still there 30 s on: $(claim_state "$1")"
}

# ---- a 5xx lets its key go (issue 20 §4) ----

# A 5xx is not kept: its claim goes before the answer does, so the retry it
# invites runs at once. (The campaign: a table locked past the worker's 3 s
# read timeout left the worker taking the database for away for a second,
# in which the release was not even tried: the retry got 409 for 90 s.)
test_a_5xx_lets_its_key_go_before_it_answers() {
	hold_table case_loads
	kreq k-locked POST $LCM/assign '{"patient_id":123,"olcm_user_id":101}'
	expect_error 503
	[ -n "$(header retry-after)" ] || fail "a 503 without Retry-After"
	expect_eq "the 503's claim, when it answered" "" "$(claim_state k-locked)"
	release_holder
	kreq k-locked POST $LCM/assign '{"patient_id":123,"olcm_user_id":101}'
	expect_status 200
	expect_header idempotent-replayed ""
	expect_eq "applied" 101 "$(cl_col olcm_user_id 123)"
	expect_eq "activity rows" 1 "$(acts)"
	expect_eq "the 200 is kept" done "$(claim_state k-locked)"
}

# A release the database refuses stays with the worker, which makes it
# between requests or when idle; meanwhile a retry is told to wait (409).
test_a_release_the_database_refused_is_made_later() {
	refuse_rows write "BEFORE INSERT ON patient_activities" 1 1644 "test: refused"
	refuse_rows release "BEFORE DELETE ON idempotency_keys" 1 1644 "test: refused"
	kreq k-later POST $LCM/assign '{"patient_id":123,"olcm_user_id":101}'
	expect_error 500 '["Internal server error"]'
	expect_eq "the claim whose release was refused" running "$(claim_state k-later)"
	unrefuse_all
	wait_claim_gone k-later
	kreq k-later POST $LCM/assign '{"patient_id":123,"olcm_user_id":101}'
	expect_status 200
	expect_header idempotent-replayed ""
	expect_eq "applied once" 1 "$(acts)"
}

# ---- an answer that is not kept is no write (issue 20 §5) ----

# The row that keeps a key's answer is refused (as on a full disk); another
# admin then changes the case load, and once the claim is as old as the
# takeover wants, the same keyed request comes again. Whatever the first
# answer was, the keyed write must not be applied a second time over the
# other admin's change: check (SQL) still gives what that change left. A
# 200 must have its answer kept.
# lost_answer KEY PATH BODY UNDO_METHOD UNDO_PATH UNDO_BODY CHECK
lost_answer() {
	local key=$1 path=$2 body=$3 check=$7 want rows
	refuse_rows done "BEFORE UPDATE ON idempotency_keys" "NEW.state = 'done'" 1644 "test: refused"
	kreq "$key" POST "$path" "$body"
	if [ "$STATUS" = 200 ]; then
		expect_eq "a 200 ($BODY) has its answer kept" done "$(claim_state "$key")"
	else
		expect_error_in "500 503"
		expect_eq "the ${STATUS}'s claim" "" "$(claim_state "$key")"
	fi
	rows=$(acts)
	req "$4" "$5" "$6"
	expect_status 200
	want=$(db_sql "$check")
	db_sql "UPDATE idempotency_keys SET created_at = created_at - INTERVAL 5 MINUTE"
	kreq "$key" POST "$path" "$body"
	expect_eq "after the retry, another admin's change stands: $check" "$want" "$(db_sql "$check")"
	unrefuse_all
	# Once the answer can be kept: the request runs (nothing of it was
	# applied), once, and its retry is a replay.
	rows=$(acts)
	kreq "$key" POST "$path" "$body"
	expect_status 200
	expect_header idempotent-replayed ""
	local first=$BODY
	rows=$(acts)
	kreq "$key" POST "$path" "$body"
	expect_status 200
	expect_header idempotent-replayed true
	expect_eq "the replay" "$first" "$BODY"
	expect_eq "activity rows after the replay" "$rows" "$(acts)"
}

test_an_assignment_whose_answer_was_not_kept_is_not_applied_twice() {
	seed
	lost_answer k-lost $LCM/assign '{"patient_id":123,"olcm_user_id":103}' \
		PUT $LCM/assign '{"patient_id":123,"olcm_user_id":102}' \
		"SELECT olcm_user_id FROM case_loads WHERE patient_id = 123"
	expect_eq "the request ran once it could be kept" 103 "$(cl_col olcm_user_id 123)"
}

# One that changed nothing wrote no activity row to tell it happened: its
# 200 is not sent unless kept either.
test_a_no_op_whose_answer_was_not_kept_is_not_applied_later() {
	seed
	lost_answer k-noop $LCM/assign '{"patient_id":123,"olcm_user_id":101}' \
		PUT $LCM/assign '{"patient_id":123,"olcm_user_id":103}' \
		"SELECT olcm_user_id FROM case_loads WHERE patient_id = 123"
}

test_a_transfer_whose_answer_was_not_kept_is_not_applied_twice() {
	seed
	lost_answer k-move $LCM/transfer '{"from_user_id":101,"to_user_ids":[103]}' \
		PUT $LCM/assign '{"patient_id":123,"olcm_user_id":101}' \
		"SELECT olcm_user_id FROM case_loads WHERE patient_id = 123"
}

test_an_auto_assign_whose_answer_was_not_kept_is_not_applied_twice() {
	seed
	lost_answer k-fill $LCM/auto_assign '{"role":"olcm","patient_ids":[126],"user_ids":[103]}' \
		DELETE $LCM/assign '{"patient_id":126,"role":"olcm"}' \
		"SELECT IFNULL(olcm_user_id, 'none') FROM case_loads WHERE patient_id = 126"
}

test_a_bulk_whose_answer_was_not_kept_is_not_applied_twice() {
	seed
	lost_answer k-bulk $LCM/bulk_assign '{"assignments":[{"patient_id":123,"olcm_user_id":103},{"patient_id":124,"olcm_user_id":101}]}' \
		PUT $LCM/assign '{"patient_id":123,"olcm_user_id":102}' \
		"SELECT olcm_user_id FROM case_loads WHERE patient_id = 123"
}

# A bulk whose set-based run meets a case load locked by another transaction
# applies its items one by one; with a key, in one transaction that keeps its
# answer, so that it too is applied once or not at all.
test_a_keyed_bulk_applied_item_by_item_is_kept_with_its_answer() {
	local body='{"assignments":[{"patient_id":123,"olcm_user_id":103},{"patient_id":126,"olcm_user_id":101}]}'
	seed
	hold_case_load 126
	kreq k-items POST $LCM/bulk_assign "$body"
	release_holder
	expect_status 200
	expect_json '[.results[].status]' '["success","failed"]'
	expect_json '.results[1].errors[0] | test("try again")' true
	expect_eq "kept" done "$(claim_state k-items)"
	local first=$BODY rows
	rows=$(acts)
	kreq k-items POST $LCM/bulk_assign "$body"
	expect_header idempotent-replayed true
	expect_eq "the replay" "$first" "$BODY"
	expect_eq "activity rows after the replay" "$rows" "$(acts)"
	expect_eq "123 changed" 103 "$(cl_col olcm_user_id 123)"
	expect_eq "126 did not" NULL "$(cl_col 'IFNULL(olcm_user_id, "NULL")' 126)"
	# The same, the answer refused: nothing of it is applied.
	req PUT $LCM/assign '{"patient_id":123,"olcm_user_id":101}'
	refuse_rows done "BEFORE UPDATE ON idempotency_keys" "NEW.state = 'done'" 1644 "test: refused"
	hold_case_load 126
	rows=$(acts)
	kreq k-items-2 POST $LCM/bulk_assign "$body"
	release_holder
	unrefuse_all
	expect_error_in "500 503"
	expect_eq "activity rows of the refused bulk" "$rows" "$(acts)"
	expect_eq "123 kept its oLCM" 101 "$(cl_col olcm_user_id 123)"
	expect_eq "its claim" "" "$(claim_state k-items-2)"
}
