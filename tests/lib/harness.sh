# The throwaway stack for HTTP tests and benchmarks: a fresh data directory,
# a free port, the demo data; torn down on exit, failure or interrupt.
# Source it, then call harness_start. It sets:
#   BASE      http://127.0.0.1:PORT
#   HVAR      the stack's directory (logs in $HVAR/log)
#   DB_SOCK   the private MariaDB's socket
#   LCM_BIN, LCM_ADMIN   the worker and lcm-admin it runs: build/'s, or
#             build-san/'s with SANITIZE=1, whose every sanitizer report
#             (a file in $HVAR/log) makes harness_stop fail
# and gives db_sql (run SQL as root in the lcm database) and db_reset
# (empty every table and load the demo data again).

HARNESS_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$HARNESS_ROOT/tests/lib/sanitizer.sh"
if [ "${SANITIZE:-}" = 1 ]; then HARNESS_BUILD=$HARNESS_ROOT/build-san; else HARNESS_BUILD=$HARNESS_ROOT/build; fi
LCM_BIN=${LCM_BIN:-$HARNESS_BUILD/lcm-worker}
LCM_ADMIN=${LCM_ADMIN:-$HARNESS_BUILD/lcm-admin}
export LCM_BIN LCM_ADMIN

# A port nothing listens on (best effort; start retries on a clash).
harness_free_port() {
	local p
	while :; do
		p=$((20000 + RANDOM % 30000))
		(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
	done
}

# Stops the stack; returns 1 when a sanitized process left a report (the
# workers' leaks are reported as they exit, so only now).
harness_stop() {
	local rc=0
	[ -n "${HVAR:-}" ] || return 0
	LCM_VAR=$HVAR LCM_QUIET=1 bash "$HARNESS_ROOT/deploy/stack.sh" stop >/dev/null 2>&1 || true
	san_check "$HVAR/log" || rc=1
	if [ -n "${HARNESS_KEEP:-}" ]; then
		echo "harness: kept $HVAR" >&2
	else
		rm -rf "$HVAR"
	fi
	HVAR=
	return "$rc"
}

# With SANITIZE=1 the workers must have the reporting variables (spawn-fcgi
# and multiwatch pass the environment on): else a report would go unseen.
harness_check_sanitized() {
	local pool pid
	[ "${SANITIZE:-}" = 1 ] || return 0
	pool=$(cat "$HVAR/run/workers.pid")
	for pid in $(pgrep -P "$pool"); do
		tr '\0' '\n' <"/proc/$pid/environ" | grep -qxF "ASAN_OPTIONS=$ASAN_OPTIONS" || {
			echo "harness: worker $pid lacks ASAN_OPTIONS: its reports would go unseen" >&2
			return 1
		}
	done
}

# harness_start [workers]
harness_start() {
	local workers=${1:-4} try port
	HVAR=$(mktemp -d /tmp/lcm-test.XXXXXX)
	mkdir -p "$HVAR/log"
	[ "${SANITIZE:-}" = 1 ] && san_env "$HVAR/log"
	trap harness_stop EXIT
	trap 'harness_stop; exit 130' INT TERM
	for try in 1 2 3 4 5; do
		port=$(harness_free_port)
		if LCM_VAR=$HVAR LCM_PORT=$port LCM_WORKERS=$workers LCM_QUIET=1 LCM_DEMO=1 \
			bash "$HARNESS_ROOT/deploy/stack.sh" start; then
			BASE=http://127.0.0.1:$port
			DB_SOCK=$HVAR/run/mysqld.sock
			export BASE HVAR DB_SOCK
			harness_check_sanitized
			return
		fi
	done
	echo "harness: the stack did not start; logs:" >&2
	tail -n 20 "$HVAR"/log/* >&2 || true
	return 1
}

# db_sql "SQL" -- tab-separated rows, no header.
db_sql() {
	mariadb --no-defaults --default-character-set=utf8mb4 --socket="$DB_SOCK" -uroot --batch --skip-column-names lcm -e "$1"
}

db_reset() {
	{
		echo "SET FOREIGN_KEY_CHECKS = 0;"
		for t in phi_access_log idempotency_keys lcm_capacity lcm_workload patient_index patient_activities case_loads patients providers api_tokens user_roles roles users; do
			echo "TRUNCATE TABLE $t;"
		done
		echo "SET FOREIGN_KEY_CHECKS = 1;"
		cat "$HARNESS_ROOT/db-schema/demo/demo.sql"
	} | mariadb --no-defaults --default-character-set=utf8mb4 --socket="$DB_SOCK" -uroot lcm
}
