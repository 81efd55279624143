# The throwaway stack for HTTP tests and benchmarks: a fresh data directory,
# a free port, the demo data; torn down on exit, failure or interrupt.
# Source it, then call harness_start. It sets:
#   BASE      http://127.0.0.1:PORT
#   HVAR      the stack's directory (logs in $HVAR/log)
#   DB_SOCK   the private MariaDB's socket
# and gives db_sql (run SQL as root in the lcm database) and db_reset
# (empty every table and load the demo data again).

HARNESS_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# A port nothing listens on (best effort; start retries on a clash).
harness_free_port() {
	local p
	while :; do
		p=$((20000 + RANDOM % 30000))
		(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
	done
}

harness_stop() {
	[ -n "${HVAR:-}" ] || return 0
	LCM_VAR=$HVAR LCM_QUIET=1 bash "$HARNESS_ROOT/deploy/stack.sh" stop >/dev/null 2>&1 || true
	if [ -n "${HARNESS_KEEP:-}" ]; then
		echo "harness: kept $HVAR" >&2
	else
		rm -rf "$HVAR"
	fi
	HVAR=
}

# harness_start [workers]
harness_start() {
	local workers=${1:-4} try port
	HVAR=$(mktemp -d /tmp/lcm-test.XXXXXX)
	trap harness_stop EXIT
	trap 'harness_stop; exit 130' INT TERM
	for try in 1 2 3 4 5; do
		port=$(harness_free_port)
		if LCM_VAR=$HVAR LCM_PORT=$port LCM_WORKERS=$workers LCM_QUIET=1 LCM_DEMO=1 \
			bash "$HARNESS_ROOT/deploy/stack.sh" start; then
			BASE=http://127.0.0.1:$port
			DB_SOCK=$HVAR/run/mysqld.sock
			export BASE HVAR DB_SOCK
			return 0
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
