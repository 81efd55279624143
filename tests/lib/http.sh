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
T_SKIP=0
T_FAILURES=()

req() {
	local method=$1 path=$2 body=${3-} hdr out
	LAST_REQ="$method $path${3+ $(printf '%s' "$body" | head -c 300)}"
	local args=(-s -X "$method" -D - -o "$T_TMP/body")
	[ -n "${TOKEN}" ] && args+=(-H "X-User-Token: $TOKEN")
	if [ $# -ge 3 ]; then
		local ct=${CT-application/json}
		if [ -n "$ct" ]; then args+=(-H "Content-Type: $ct"); else args+=(-H "Content-Type:"); fi
		printf '%s' "$body" >"$T_TMP/req"
		args+=(--data-binary "@$T_TMP/req")
	fi
	: >"$T_TMP/body"  # curl leaves the file alone when there is no body
	hdr=$(curl "${args[@]}" "$BASE$path" | tr -d '\r')
	STATUS=$(echo "$hdr" | awk 'NR==1 {print $2}')
	HEADERS=$(echo "$hdr" | awk -F': ' 'NR>1 && NF>1 {print tolower($1) ": " $2}')
	BODY=$(cat "$T_TMP/body")
}

# fail WHY: the running test fails; the request it last sent is shown once.
fail() {
	T_FAILED=1
	if [ -n "${LAST_REQ:-}" ] && [ "$LAST_REQ" != "${T_SHOWN_REQ:-}" ]; then
		echo "    after: $LAST_REQ" >&2
		T_SHOWN_REQ=$LAST_REQ
	fi
	echo "    $*" >&2
}

# skip WHY: the running test cannot run here; it is counted as skipped, never ok.
skip() {
	T_SKIPPED=$*
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

# header NAME: the value of a header of the last response ("" when absent).
header() {
	echo "$HEADERS" | awk -F': ' -v n="$1" '$1 == n {print $2}'
}

# The request id the last response carried.
request_id() {
	header x-request-id
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

# expect_unchanged WHAT [BEFORE]: the tables are as snapshot said they were
# (BEFORE, or what remember saw).
expect_unchanged() {
	local now before=${2-$REMEMBERED_STATE}
	now=$(snapshot)
	[ "$before" = "$now" ] || fail "${1:-abuse} changed the database: before [$before] after [$now]"
}

# cl_col COLUMN PATIENT: one column of a patient's case load.
cl_col() {
	db_sql "SELECT $1 FROM case_loads WHERE patient_id = $2"
}

# catalogue_sql NAME: the statement of lib/db/sql.c's catalogue named NAME,
# as the workers prepare it (status 1, and why on stderr, when it cannot).
catalogue_sql() {
	local bin=$T_TMP/catalogue
	if [ ! -x "$bin" ]; then
		printf '%s\n' '#include <stdio.h>' '#include <string.h>' '#include "sql.h"' \
			'int main(int argc, char **argv) { for (int i = 0; argc == 2 && i < STMT__MAX; i++)' \
			'	if (strcmp(sql_stmts[i].name, argv[1]) == 0) { fputs(sql_stmts[i].sql, stdout); return 0; }' \
			'	return 1; }' >"$T_TMP/catalogue.c"
		cc -std=c11 -I"$HARNESS_ROOT/lib/db" -I"$HARNESS_ROOT/lib/base" -o "$bin" "$T_TMP/catalogue.c" \
			"$HARNESS_ROOT/lib/db/sql.c" 2>"$T_TMP/catalogue.err" ||
			{ echo "catalogue_sql: $(head -n 5 "$T_TMP/catalogue.err")" >&2; return 1; }
	fi
	"$bin" "$1" || { echo "catalogue_sql: no statement $1" >&2; return 1; }
}

# bind_sql SQL VALUE...: SQL with its placeholders replaced by the values
# (SQL literals), in order: a catalogue statement to run by hand.
bind_sql() {
	local sql=$1 v
	shift
	for v in "$@"; do
		sql=${sql/\?/"$v"}
	done
	printf '%s' "$sql"
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
	final=${final:-NULL}  # no case load: the role was never held
	expect_eq "$role trail breaks" 0 "$bad"
	expect_eq "$role trail ends at the case load" "$final" "$prev"
}

# run_tests FUNC...: db_reset before each, count, summarise. A test that
# called skip (and failed nothing) is counted apart.
run_tests() {
	local t
	for t in "$@"; do
		T_FAILED=0
		T_SKIPPED=
		LAST_REQ=
		T_SHOWN_REQ=
		db_reset || fail "the stack could not be reset for $t (above)"
		TOKEN=dev-admin-token
		unset CT
		"$t"
		if [ -n "$T_SKIPPED" ] && [ "$T_FAILED" = 0 ]; then
			T_SKIP=$((T_SKIP + 1))
			echo "skip - $t: $T_SKIPPED"
		elif [ "$T_FAILED" = 0 ]; then
			T_PASS=$((T_PASS + 1))
			echo "ok - $t"
		else
			T_FAIL=$((T_FAIL + 1))
			T_FAILURES+=("$t")
			echo "not ok - $t"
		fi
	done
}

# hold SQL: another session (the test's own, as root) runs SQL in a
# transaction and holds what it locked until release_holder; returns once
# it holds it. HOLD_ISOLATION: the transaction's isolation level (else the
# server's default, REPEATABLE READ).
hold() {
	db_sql "${HOLD_ISOLATION:+SET SESSION TRANSACTION ISOLATION LEVEL $HOLD_ISOLATION;}
		START TRANSACTION; $1; SELECT SLEEP(600); ROLLBACK" >/dev/null 2>&1 &
	HOLDER=$!
	local i
	for i in $(seq 1 200); do
		[ "$(db_sql "SELECT COUNT(*) FROM information_schema.processlist
			WHERE user = 'root' AND info LIKE 'SELECT SLEEP(600)%'")" -gt 0 ] && return 0
		sleep 0.15
	done
	fail "the other session never held what it locked ($1)"
}

# hold_case_load PATIENT: hold the patient's case load (hold), in the root
# session's REPEATABLE READ: the row and the gap before it, so a patient
# without a case load yet is held too (none can be made for it). With
# HOLD_ISOLATION='READ COMMITTED', as a worker's transaction holds it: the
# row alone.
hold_case_load() {
	hold "SELECT id FROM case_loads WHERE patient_id = $1 FOR UPDATE"
}

# hold_table TABLE: another session (the test's own, as root) holds a write
# lock on the whole table (LOCK TABLES) until release_holder: the app's
# statements on it wait, past the worker's 3 s read timeout (a table lock's
# wait is not InnoDB's 2 s lock wait); returns once the lock is held.
hold_table() {
	db_sql "LOCK TABLES $1 WRITE; SELECT SLEEP(600); UNLOCK TABLES" >/dev/null 2>&1 &
	HOLDER=$!
	local i
	for i in $(seq 1 600); do
		[ "$(db_sql "SELECT COUNT(*) FROM information_schema.processlist
			WHERE user = 'root' AND info LIKE 'SELECT SLEEP(600)%'")" -gt 0 ] && return 0
		sleep 0.05
	done
	fail "the other session never held the table $1"
}

# release_holder: the holding session ends its sleep and rolls back (or
# unlocks its table); returns once it has.
release_holder() {
	db_sql "SELECT CONCAT('KILL QUERY ', id, ';') FROM information_schema.processlist
		WHERE user = 'root' AND info LIKE 'SELECT SLEEP(600)%'" | db_sql "$(cat)"
	wait "$HOLDER" 2>/dev/null
}

# wait_for_app_statement: until a statement of the app's runs on the
# server (with hold_case_load: a request in flight, waiting for the lock);
# 30 s at most. The processlist leaves out a session busy in a trigger, and
# InnoDB's list of transactions is a cache refreshed only for a reader that
# comes 0.1 s or more after the last: both are asked, 0.15 s apart.
wait_for_app_statement() {
	local i
	for i in $(seq 1 200); do
		[ "$(db_sql "SELECT (SELECT COUNT(*) FROM information_schema.processlist
			WHERE user = 'lcm_app' AND command IN ('Query', 'Execute'))
			+ (SELECT COUNT(*) FROM information_schema.innodb_trx WHERE trx_state = 'LOCK WAIT')")" -gt 0 ] &&
			return 0
		sleep 0.15
	done
	fail "no statement of the app ran; the server's sessions:"
	db_sql "SELECT id, user, command, time, state, LEFT(info, 80) FROM information_schema.processlist" >&2
}

# The ids of the app user's sessions on the server now.
app_sessions() {
	db_sql "SELECT id FROM information_schema.processlist WHERE user = 'lcm_app'"
}

# wait_sessions_gone IDS: until none of these sessions is left (60 s at most).
wait_sessions_gone() {
	local i ids
	ids=$(echo $1 | tr ' ' ',')
	[ -n "$ids" ] || return 0
	for i in $(seq 1 1200); do
		[ "$(db_sql "SELECT COUNT(*) FROM information_schema.processlist WHERE id IN ($ids)")" = 0 ] &&
			return 0
		sleep 0.05
	done
	return 1
}

# wait_back METHOD PATH [BODY]: send it until it answers 200, as it must
# once the database is back: a worker that found the database away answers
# 503 (with Retry-After, having done nothing) for a second before it tries
# again. 30 s at most; any other answer meanwhile fails the test.
wait_back() {
	local i
	for i in $(seq 1 300); do
		req "$@"
		[ "$STATUS" = 200 ] && return 0
		[ "$STATUS" = 503 ] && [ -n "$(header retry-after)" ] ||
			{ fail "while the database came back: $STATUS without Retry-After: ${BODY:0:200}"; return 1; }
		sleep 0.1
	done
	fail "$1 $2 still answered $STATUS 30 s after the database came back"
}

# all_records_written: every PHI access-log record the workers hold is in
# the table, for each writes what it holds as it stops (the workers are
# replaced: harness_fresh_workers). What a request would have recorded is
# then there or never will be.
all_records_written() {
	harness_fresh_workers || fail "the workers were not replaced"
}

# ---- sending anything, and what must hold after any request ----

# The worker processes multiwatch keeps, sorted.
worker_pids() {
	pgrep -P "$(cat "$HVAR/run/workers.pid")" | sort -n | tr '\n' ' '
}

# Error and warning lines the workers have logged so far.
log_problems() {
	grep -cE 'Z (error|warn) \[' "$HVAR/log/workers.log" || true
}

# Remember the workers, the tables and the log, for expect_unchanged and
# expect_workers_fine.
remember() {
	RB_PIDS=$(worker_pids)
	REMEMBERED_STATE=$(snapshot)
	RB_LOG=$(log_problems)
}

# The same workers as at remember, none busy, all serving, nothing logged.
expect_workers_fine() {
	local pid i busy now
	now=$(worker_pids)
	expect_eq "worker pids (a change means a worker died and was respawned)" "$RB_PIDS" "$now"
	# A worker stuck in a loop stays runnable: every one must be back in accept().
	for i in $(seq 1 30); do
		busy=
		for pid in $now; do
			case $(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) in
			S | "") ;;
			*) busy="$busy $pid" ;;
			esac
		done
		[ -z "$busy" ] && break
		sleep 0.1
	done
	[ -z "$busy" ] || fail "workers still busy after the abuse:$busy"
	# Enough normal requests, some at once, that every worker answers some.
	local saved=$TOKEN
	TOKEN=dev-admin-token
	for i in $(seq 1 8); do
		curl -s -o "$T_TMP/rb_ok.$i" -w '%{http_code}' -H 'X-User-Token: dev-admin-token' \
			"$BASE$P/patients/123/lead_care_managers" >"$T_TMP/rb_code.$i" &
	done
	wait
	for i in $(seq 1 8); do
		expect_eq "normal request $i after the abuse" 200 "$(cat "$T_TMP/rb_code.$i")"
		expect_eq "normal body $i after the abuse" '"John Doe"' \
			"$(jq -c .patient_name "$T_TMP/rb_ok.$i" 2>&1)"
	done
	TOKEN=$saved
	expect_eq "worker pids after normal requests" "$RB_PIDS" "$(worker_pids)"
	expect_eq "error/warn lines in workers.log" "$RB_LOG" "$(log_problems)"
}

# send PATH [curl arguments...]: like req, but any curl arguments (a body
# from a file, extra headers, a method) and the path sent as is. Adds the
# token unless TOKEN is empty. STATUS is the final status (after any
# "100 Continue"); HEADERS and BODY as req sets them.
send() {
	local path=$1 hdr a m=GET data=""
	shift
	for a in "$@"; do
		case $a in
		GET | POST | PUT | DELETE | PATCH | HEAD | OPTIONS | TRACE) m=$a ;;
		@*) [ -f "${a#@}" ] && data=$(head -c 300 "${a#@}" | tr -d '\000') ;;
		esac
	done
	LAST_REQ="$m $path${data:+ $data}"
	local args=(-s --path-as-is -D "$T_TMP/rb_hdr" -o "$T_TMP/body")
	[ -n "${TOKEN}" ] && args+=(-H "X-User-Token: $TOKEN")
	: >"$T_TMP/rb_hdr"
	: >"$T_TMP/body"
	curl "${args[@]}" "$@" "$BASE$path"
	hdr=$(tr -d '\r' <"$T_TMP/rb_hdr" | awk '/^HTTP\// {buf = ""} {buf = buf $0 "\n"} END {printf "%s", buf}')
	STATUS=$(echo "$hdr" | awk 'NR==1 {print $2}')
	HEADERS=$(echo "$hdr" | awk -F': ' 'NR>1 && NF>1 {print tolower($1) ": " $2}')
	BODY=$(tr -d '\000' <"$T_TMP/body")
}

# send_file METHOD PATH FILE [curl arguments...]: a JSON-typed body from FILE.
send_file() {
	local m=$1 path=$2 f=$3
	shift 3
	send "$path" -X "$m" -H 'Content-Type: application/json' --data-binary "@$f" "$@"
}

# send_raw TEXT: TEXT (printf escapes) straight onto a TCP connection, for
# framing curl will not produce. Sets STATUS, HEADERS, BODY.
send_raw() {
	local port=${BASE##*:} out
	out=$(
		exec 3<>"/dev/tcp/127.0.0.1/$port" || exit 1
		printf "$1" >&3
		timeout 10 cat <&3
	)
	out=$(printf '%s' "$out" | tr -d '\r')
	STATUS=$(printf '%s\n' "$out" | awk 'NR==1 {print $2}')
	HEADERS=$(printf '%s\n' "$out" | awk -F': ' 'NR>1 && /^$/ {exit} NR>1 && NF>1 {print tolower($1) ": " $2}')
	BODY=$(printf '%s\n' "$out" | awk 'f {print} /^$/ {f = 1}')
}

# Whatever the abuse: below 500, JSON with the JSON content type, no internals.
expect_sane() {
	case $STATUS in
	[1-4][0-9][0-9]) ;;
	*) fail "status [$STATUS] for abuse; body: ${BODY:0:300}" ;;
	esac
	expect_header content-type 'application/json; charset=utf-8'
	printf '%s' "$BODY" | jq -e . >/dev/null 2>&1 || fail "body is not JSON: ${BODY:0:300}"
	expect_no_internals
}

# expect_error_in "400 422" [ERRORS]: the error envelope with one of these
# statuses (where the rules allow either).
expect_error_in() {
	local s ok=0
	for s in $1; do [ "$STATUS" = "$s" ] && ok=1; done
	[ $ok = 1 ] || fail "status: expected one of [$1], got [$STATUS]; body: ${BODY:0:300}"
	expect_json '.errors | length > 0 and all(type == "string")' true
	expect_header content-type 'application/json; charset=utf-8'
	expect_no_internals
	[ -z "${2:-}" ] || expect_json '.errors' "$2"
}

# ---- the database refusing what a test needs refused ----

# refuse_rows NAME "BEFORE INSERT ON table" CONDITION ERRNO MESSAGE: until
# unrefuse_all, the database refuses such a statement when a row meets
# CONDITION (SQL on NEW or OLD; 1 for every row), with error ERRNO, the way
# a full disk (1114, 1021...) or a fault (1644, SQLSTATE 45000) would, right
# where the test wants it. A trigger: DDL, which db_reset does not undo.
refuse_rows() {
	local state=HY000
	[ "$4" = 1644 ] && state=45000
	db_sql "DELIMITER //
CREATE TRIGGER lcm_test_$1 $2 FOR EACH ROW IF $3 THEN
  SIGNAL SQLSTATE '$state' SET MYSQL_ERRNO = $4, MESSAGE_TEXT = '$5'; END IF //
DELIMITER ;" || fail "could not make the database refuse $2"
}

# unrefuse_all: every trigger refuse_rows made is dropped.
unrefuse_all() {
	db_sql "SELECT CONCAT('DROP TRIGGER ', trigger_name, ';') FROM information_schema.triggers
		WHERE trigger_schema = DATABASE() AND trigger_name LIKE 'lcm\\_test\\_%'" | db_sql "$(cat)"
}
