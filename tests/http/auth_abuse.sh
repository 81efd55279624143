# Failed authentications are counted per client address by nginx (the
# workers hand their 401s to lcm-api.conf's @lcm_unauthorized): a burst of
# them is answered 429 with Retry-After, in the JSON envelope, while good
# tokens from the same address go on being served. Tokens are stored and
# compared only as SHA-256.
#
# Each test sends from an address of its own in 127/8 (curl --interface),
# so its bucket starts empty and the rest of the suite, sending from
# 127.0.0.1, never meets a limit these tests filled.

P=/v1/admin/clinic/ecm

# The zone's burst and rate, as the stack's nginx has them.
aa_burst() {
	grep -o 'zone=lcm_authfail burst=[0-9]*' "$HVAR/nginx/lcm-api.conf" | grep -o '[0-9]*$'
}
aa_rate() {
	grep -o 'zone=lcm_authfail:[^ ]* rate=[0-9]*' "$HVAR/nginx/lcm-upstream.conf" | grep -o '[0-9]*$'
}

# An address of 127/8 no other test used.
aa_addr() {
	echo "127.$((RANDOM % 200 + 20)).$((RANDOM % 250 + 1)).$((RANDOM % 250 + 1))"
}

# aa_get ADDR TOKEN OUT: GET a care team from ADDR; "status retry-after" into OUT,
# the body into OUT.body.
aa_get() {
	local h=()
	[ -n "$2" ] && h=(-H "X-User-Token: $2")
	curl -s --interface "$1" "${h[@]}" -D "$3.hdr" -o "$3.body" "$BASE$P/patients/123/lead_care_managers" >/dev/null
	tr -d '\r' <"$3.hdr" | awk 'NR == 1 {s = $2} tolower($1) == "retry-after:" {r = $2}
		tolower($1) == "content-type:" {c = $2 $3} END {print s, (r == "" ? "-" : r), c}' >"$3"
}

test_aa_sources_in_127_8_reach_nginx() {
	local a
	a=$(aa_addr)
	curl -s --interface "$a" -o /dev/null "$BASE/healthz" ||
		{ skip "cannot send from $a (no 127/8 source addresses here)"; return; }
	aa_get "$a" dev-admin-token "$T_TMP/aa_probe"
	expect_eq "a good token from $a" "200 - application/json;charset=utf-8" "$(cat "$T_TMP/aa_probe")"
	expect_eq "nginx saw the request from $a" 1 \
		"$(grep -c "^$a .*patients/123/lead_care_managers" "$HVAR/log/nginx-access.log")"
}

test_aa_bad_token_burst_429_good_tokens_served() {
	local a burst bad=150 good=150 i s n401 n429 nother ngood
	a=$(aa_addr)
	burst=$(aa_burst)
	curl -s --interface "$a" -o /dev/null "$BASE/healthz" ||
		{ skip "cannot send from $a (no 127/8 source addresses here)"; return; }
	[ -n "$burst" ] || { fail "no lcm_authfail burst in the stack's lcm-api.conf"; return; }
	[ "$bad" -gt $((burst * 2)) ] || fail "the test's burst ($bad) is not well past the limit ($burst)"
	remember
	mkdir -p "$T_TMP/aa"
	rm -f "$T_TMP"/aa/*
	# Bad tokens (and no token) and good tokens, interleaved, 16 at a time,
	# from one curl (a process per request would be slower than the refill).
	for i in $(seq 1 $((bad + good))); do
		[ "$i" = 1 ] || echo next
		echo "url = \"$BASE$P/patients/123/lead_care_managers?n=$i\""
		echo "output = \"$T_TMP/aa/$i.body\""
		echo "dump-header = \"$T_TMP/aa/$i.hdr\""
		echo "interface = \"$a\""
		echo 'write-out = "%{url} %{http_code} %header{retry-after}\n"'
		if [ $((i % 2)) = 0 ]; then echo 'header = "X-User-Token: dev-admin-token"'
		elif [ $((i % 10)) != 1 ]; then echo "header = \"X-User-Token: guess-$i-$RANDOM\""; fi
	done >"$T_TMP/aa/curl.cfg"
	# (Options after each "next" are that request's own; -Z shows a progress meter on stderr.)
	curl -s -Z --parallel-max 16 -K "$T_TMP/aa/curl.cfg" >"$T_TMP/aa/out" 2>"$T_TMP/aa/err"
	awk '{ sub(/.*[?]n=/, "", $1); k = ($1 % 2 == 0) ? "good" : "bad"; print k, $2, ($3 == "" ? "-" : $3) }' \
		"$T_TMP/aa/out" >"$T_TMP/aa/res"
	n401=$(grep -c '^bad 401 -$' "$T_TMP/aa/res")
	n429=$(grep -c '^bad 429 1$' "$T_TMP/aa/res")
	nother=$(grep '^bad ' "$T_TMP/aa/res" | grep -vc '^bad 401 -$\|^bad 429 1$')
	ngood=$(grep -c '^good 200 -$' "$T_TMP/aa/res")
	echo "    $bad bad-token requests from $a: $n401 answered 401, $n429 answered 429 (burst $burst); $ngood of $good good-token requests 200" >&2
	expect_eq "answers" $((bad + good)) "$(wc -l <"$T_TMP/aa/res")"
	expect_eq "bad-token answers other than 401 or 429 with Retry-After: 1" 0 "$nother"
	expect_eq "good-token requests from the limited address answered 200" "$good" "$ngood"
	[ "$n429" -gt 0 ] || fail "no 429 after $bad failed authentications from one address"
	# The burst passes, and little more (the bucket refills at the zone's rate while it runs).
	[ "$n401" -ge "$burst" ] || fail "only $n401 failures answered 401 before the limit (burst $burst)"
	[ "$n401" -le $((burst + 30)) ] || fail "$n401 failures answered 401: the limit let far more than the burst ($burst) through"
	# A 429 in full: the envelope saying why, Retry-After, the usual headers.
	i=$(awk '$1 == "bad" && $2 == 429 {print NR; exit}' "$T_TMP/aa/res")
	i=$(sed -n "${i:-1}p" "$T_TMP/aa/out" | sed 's/.*[?]n=\([0-9]*\).*/\1/')
	STATUS=$(awk 'NR == 1 {print $2}' "$T_TMP/aa/$i.hdr")
	HEADERS=$(tr -d '\r' <"$T_TMP/aa/$i.hdr" | awk -F': ' 'NR>1 && NF>1 {print tolower($1) ": " $2}')
	BODY=$(cat "$T_TMP/aa/$i.body")
	LAST_REQ="burst request $i"
	expect_error 429 '["Too many failed authentications, try again shortly"]'
	expect_header retry-after 1
	expect_header cache-control no-store
	[ -n "$(header x-request-id)" ] || fail "a 429 without X-Request-Id"
	# A good token still passes at once; another address is not limited at all.
	aa_get "$a" dev-admin-token "$T_TMP/aa_after"
	expect_eq "a good token right after the burst" "200 -" "$(cut -d' ' -f1,2 "$T_TMP/aa_after")"
	aa_get "$a" dev-user-token "$T_TMP/aa_after"
	expect_eq "a non-admin's good token (403 is no failed authentication)" "403 -" "$(cut -d' ' -f1,2 "$T_TMP/aa_after")"
	aa_get "$(aa_addr)" nope "$T_TMP/aa_after"
	expect_eq "a bad token from another address" "401 -" "$(cut -d' ' -f1,2 "$T_TMP/aa_after")"
	# Every answer is the JSON envelope.
	for i in $(seq 1 2 $((bad + good))); do
		jq -e '.errors | length > 0 and all(type == "string")' "$T_TMP/aa/$i.body" >/dev/null 2>&1 ||
			{ fail "answer $i is not the error envelope: $(head -c 200 "$T_TMP/aa/$i.body")"; break; }
	done
	# Retry-After is honest: a second later the address may fail again.
	sleep 1.2
	aa_get "$a" nope "$T_TMP/aa_after"
	expect_eq "a bad token after Retry-After" "401 -" "$(cut -d' ' -f1,2 "$T_TMP/aa_after")"
	expect_unchanged "failed authentications"
	expect_workers_fine
}

# The workers answered every one of those 401s (none died, none is busy):
# a refused credential costs a worker one hash and one indexed lookup, and
# no worker state. The 401 body is nginx's, the same envelope as before.
test_aa_401_is_still_the_json_envelope() {
	TOKEN=""
	req GET $P/patients/123/lead_care_managers
	expect_error 401 '["Authentication required"]'
	expect_header cache-control no-store
	[ -n "$(header x-request-id)" ] || fail "a 401 without X-Request-Id"
	[ -z "$(header x-accel-redirect)" ] || fail "X-Accel-Redirect reached the client"
	TOKEN=bogus
	req POST $P/lead_care_managers/assign '{"patient_id":123,"olcm_user_id":101}'
	expect_error 401 '["Authentication required"]'
	[ -z "$(header x-accel-redirect)" ] || fail "X-Accel-Redirect reached the client"
	expect_eq "activity rows" 0 "$(db_sql 'SELECT COUNT(*) FROM patient_activities')"
}

# Tokens live in the database only as SHA-256; nothing holds one in clear.
test_aa_tokens_stored_as_sha256_only() {
	local dump
	expect_eq "dev-admin-token's row" "$(printf %s dev-admin-token | sha256sum | cut -c1-64 | tr a-f A-F)" \
		"$(db_sql "SELECT HEX(t.token_sha256) FROM api_tokens t WHERE t.user_id = 1")"
	dump=$(mariadb-dump --no-defaults --socket="$DB_SOCK" -uroot --hex-blob lcm 2>/dev/null)
	[ -n "$dump" ] || { fail "mariadb-dump gave nothing"; return; }
	if printf '%s' "$dump" | grep -q 'dev-admin-token\|dev-user-token'; then
		fail "a token is stored in clear"
	fi
}
