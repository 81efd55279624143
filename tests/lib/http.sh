# Requests and assertions for the HTTP tests. Source after harness.sh.
#
#   req METHOD PATH [BODY]   sets STATUS, BODY and HEADERS (lower-cased names)
#                            token from $TOKEN (default dev-admin-token; "" for
#                            none), Content-Type from $CT (default
#                            application/json when there is a body; "" for none)
#   expect_status 200
#   expect_json '.jq.filter' 'expected jq -c output'
#   expect_header name value
#   expect_eq "what" expected actual
# An assertion that fails marks the running test failed and says why.

TOKEN=${TOKEN-dev-admin-token}
T_FAILED=0
T_PASS=0
T_FAIL=0
T_FAILURES=()

req() {
	local method=$1 path=$2 body=${3-} hdr out
	local args=(-s -X "$method" -D - -o "$T_TMP/body")
	[ -n "${TOKEN}" ] && args+=(-H "X-User-Token: $TOKEN")
	if [ $# -ge 3 ]; then
		local ct=${CT-application/json}
		if [ -n "$ct" ]; then args+=(-H "Content-Type: $ct"); else args+=(-H "Content-Type:"); fi
		printf '%s' "$body" >"$T_TMP/req"
		args+=(--data-binary "@$T_TMP/req")
	fi
	hdr=$(curl "${args[@]}" "$BASE$path" | tr -d '\r')
	STATUS=$(echo "$hdr" | awk 'NR==1 {print $2}')
	HEADERS=$(echo "$hdr" | awk -F': ' 'NR>1 && NF>1 {print tolower($1) ": " $2}')
	BODY=$(cat "$T_TMP/body")
}

fail() {
	T_FAILED=1
	echo "    $*" >&2
}

expect_eq() {
	[ "$2" = "$3" ] || fail "$1: expected [$2], got [$3]"
}

expect_status() {
	expect_eq "status of $BODY" "$1" "$STATUS"
}

expect_json() {
	local got
	got=$(printf '%s' "$BODY" | jq -c "$1" 2>&1) || { fail "body is not JSON: $BODY"; return; }
	expect_eq "$1" "$2" "$got"
}

expect_header() {
	local got
	got=$(echo "$HEADERS" | awk -F': ' -v n="$1" '$1 == n {print $2}')
	expect_eq "header $1" "$2" "$got"
}

# Every error is the JSON envelope: {"errors": [strings]} with a JSON type.
expect_error() {
	expect_status "$1"
	expect_json '.errors | length > 0 and all(type == "string")' true
	expect_header content-type 'application/json; charset=utf-8'
	[ -z "${2:-}" ] || expect_json '.errors' "$2"
}

# Internals that must never reach a client: SQL, table, library and file names.
expect_no_internals() {
	if printf '%s' "$BODY" | grep -qiE 'select .* from|insert into|update [a-z_`]+ set|delete from|sqlstate|mysql|mariadb|case_loads|patient_activities|providers\b|json_tokener|json-c|token_sha256|/tmp/|/work/|/usr/|/var/|\.c:[0-9]|errno|segmentation|backtrace'; then
		fail "body leaks internals: ${BODY:0:300}"
	fi
}

# Two case loads to start from (123: oLCM 101, iLCM 102; 126: iLCM 103),
# then a pause so any later write would show in the timestamps.
seed() {
	req POST /v1/admin/clinic/ecm/lead_care_managers/assign '{"patient_id":123,"olcm_user_id":101,"ilcm_user_id":102}'
	expect_status 200
	req POST /v1/admin/clinic/ecm/lead_care_managers/assign '{"patient_id":126,"ilcm_user_id":103}'
	expect_status 200
	sleep 0.05
}

# The tables a write changes, to compare before and after a refused one.
snapshot() {
	db_sql "SELECT * FROM case_loads ORDER BY id; SELECT * FROM patient_activities ORDER BY id"
}

# expect_unchanged WHAT BEFORE: the tables are as snapshot said they were.
expect_unchanged() {
	local now
	now=$(snapshot)
	[ "$2" = "$now" ] || fail "$1 changed the database: before [$2] after [$now]"
}

# cl_col COLUMN PATIENT: one column of a patient's case load.
cl_col() {
	db_sql "SELECT $1 FROM case_loads WHERE patient_id = $2"
}

# The activity rows of a patient's role, replayed, must end at the case load's value.
expect_trail_consistent() {
	local patient=$1 role=$2 prev="NULL" row p n final bad=0
	while IFS=$'\t' read -r p n; do
		[ "$p" = "$prev" ] || bad=$((bad + 1))
		[ "$p" != "$n" ] || bad=$((bad + 1))
		prev=$n
	done < <(db_sql "SELECT IFNULL(previous_user_id,'NULL'), IFNULL(new_user_id,'NULL')
		FROM patient_activities WHERE patient_id = $patient AND role = '$role' ORDER BY id")
	final=$(db_sql "SELECT IFNULL(${role}_user_id,'NULL') FROM case_loads WHERE patient_id = $patient")
	expect_eq "$role trail breaks" 0 "$bad"
	expect_eq "$role trail ends at the case load" "$final" "$prev"
}

# run_tests FUNC...: db_reset before each, count, summarise.
run_tests() {
	local t
	for t in "$@"; do
		T_FAILED=0
		db_reset
		TOKEN=dev-admin-token
		unset CT
		"$t"
		if [ "$T_FAILED" = 0 ]; then
			T_PASS=$((T_PASS + 1))
			echo "ok - $t"
		else
			T_FAIL=$((T_FAIL + 1))
			T_FAILURES+=("$t")
			echo "not ok - $t"
		fi
	done
}
