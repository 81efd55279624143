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
# (new workers, every table emptied and the demo data loaded again: what a
# test starts from).

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

# The tables a test may change: every table of the schema but the
# migrations' own, read from the database (a table a new migration adds is
# emptied too, without a list to keep in step).
harness_tables() {
	db_sql "SELECT table_name FROM information_schema.tables
		WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE'
		AND table_name <> 'schema_migrations' ORDER BY table_name"
}

# harness_alive NAME PROCESS: the stack's pid file NAME names a live PROCESS.
harness_alive() {
	local pid
	pid=$(cat "$HVAR/run/$1.pid" 2>/dev/null) && [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null &&
		tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$2"
}

# harness_fresh_workers: every worker of the pool finishes what it serves,
# writes what it holds (its PHI access-log records) and exits; multiwatch
# starts new ones, and this returns once each of them has said it is ready.
# Nothing a worker remembers (the tokens it trusts, a database it found
# away, records not yet written) outlives it. Restarts a stack a test left
# stopped. 0, or 1 after saying what did not come back.
harness_fresh_workers() {
	local mw want old p i n new ready log=$HVAR/log/workers.log from
	if ! harness_alive workers multiwatch || ! harness_alive nginx nginx ||
		! harness_alive mysqld mariadbd; then
		LCM_VAR=$HVAR LCM_PORT=${BASE##*:} LCM_QUIET=1 bash "$HARNESS_ROOT/deploy/stack.sh" start ||
			{ echo "harness: the stack did not start again" >&2; return 1; }
	fi
	mw=$(cat "$HVAR/run/workers.pid")
	want=$(awk -F' *= *' '$1 == "workers" {print $2}' "$HVAR/lcm.conf")
	old=$(pgrep -P "$mw")
	# (A worker a test froze with STOP would never see the TERM.)
	[ -z "$old" ] || kill -CONT $old 2>/dev/null
	from=$(stat -c %s "$log" 2>/dev/null || echo 0)
	[ -z "$old" ] || kill -TERM $old 2>/dev/null
	# 60 s: nginx's fastcgi_read_timeout, the longest a request may run.
	for i in $(seq 1 3000); do
		n=0
		for p in $old; do kill -0 "$p" 2>/dev/null && n=$((n + 1)); done
		[ "$n" = 0 ] && break
		sleep 0.02
	done
	[ "$n" = 0 ] || { echo "harness: $n workers did not stop within 60 s" >&2; return 1; }
	for i in $(seq 1 3000); do
		new=$(pgrep -P "$mw")
		# What the log gained since the stop (all of it if it was moved away).
		[ "$(stat -c %s "$log" 2>/dev/null || echo 0)" -ge "$from" ] || from=0
		ready=0
		for p in $new; do
			tail -c +$((from + 1)) "$log" 2>/dev/null | grep -q "\[$p\] .*worker ready" &&
				ready=$((ready + 1))
		done
		[ "$ready" = "$want" ] && [ "$(echo "$new" | wc -w)" = "$want" ] && return 0
		sleep 0.02
	done
	echo "harness: $ready of $want new workers ready after 60 s" >&2
	tail -n 5 "$HVAR/log/workers.log" "$HVAR/log/pool.log" >&2
	return 1
}

# db_reset: fresh workers (harness_fresh_workers), then every table emptied
# and the demo data loaded again. 0, or 1 when the stack is not whole.
db_reset() {
	local t tables
	harness_fresh_workers || return 1
	tables=$(harness_tables) || return 1
	{
		echo "SET FOREIGN_KEY_CHECKS = 0;"
		for t in $tables; do
			echo "TRUNCATE TABLE \`$t\`;"
		done
		echo "SET FOREIGN_KEY_CHECKS = 1;"
		cat "$HARNESS_ROOT/db-schema/demo/demo.sql"
	} | mariadb --no-defaults --default-character-set=utf8mb4 --socket="$DB_SOCK" -uroot lcm
}
