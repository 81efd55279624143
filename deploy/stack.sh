#!/bin/bash
# The local stack: a private MariaDB, the FastCGI workers and nginx, all
# under one directory, owned by whoever runs it. Never the system services.
#
#   stack.sh start    start what is not running; migrate; load demo data on
#                     first run; wait until the API answers; print how to use it
#   stack.sh stop     stop all it started
#   stack.sh stop-workers   stop the worker pool alone (nginx and MariaDB stay)
#   stack.sh reopen-logs    after moving the logs away: the workers and nginx
#                     write to new files (what a logrotate rule's postrotate does)
#   stack.sh status
#
# Environment: LCM_VAR (default ./var), LCM_PORT (8080), LCM_WORKERS (4),
# LCM_DEMO (1: load the demo data into an empty database), LCM_QUIET (1:
# print only errors), LCM_BIN (the worker binary, default build/lcm-worker),
# LCM_ADMIN (lcm-admin, default build/lcm-admin), LCM_DB_BUFFER_POOL (the
# private MariaDB's InnoDB buffer pool, default 256M; make bench's million
# case loads want 2G), LCM_POOL_FAKETIME (tests: the pool alone runs with
# its clock this far from the host's, "-1d", through libfaketime).
#
# It runs the production pieces the way a deployment does: lcm-admin migrate,
# the workers through lcm-admin pool (spawn-fcgi -n + multiwatch), nginx
# from the two snippets of nginx/.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
VAR=${LCM_VAR:-$ROOT/var}
PORT=${LCM_PORT:-8080}
WORKERS=${LCM_WORKERS:-4}
BUFFER_POOL=${LCM_DB_BUFFER_POOL:-256M}
DEMO=${LCM_DEMO:-1}
QUIET=${LCM_QUIET:-0}
BIN=${LCM_BIN:-$ROOT/build/lcm-worker}
ADMIN=${LCM_ADMIN:-$ROOT/build/lcm-admin}
DB=lcm
DB_USER=lcm_app

mkdir -p "$VAR"
VAR=$(cd "$VAR" && pwd)
RUN=$VAR/run
SOCK=$RUN/mysqld.sock
FCGI_SOCK=$RUN/fcgi.sock
ME=$(id -un)

say() { [ "$QUIET" = 1 ] || echo "$@"; }
die() { echo "stack: $*" >&2; exit 1; }
# alive PIDFILE NAME: the pid file names a live process whose command is NAME
# (not some other process that got the pid after a crash or a reboot).
alive() {
	local pid
	[ -f "$1" ] && pid=$(cat "$1") && [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null &&
		tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$2"
}
sql() { mariadb --no-defaults --default-character-set=utf8mb4 --socket="$SOCK" -uroot --batch --skip-column-names "$@"; }

# stop_pid PIDFILE NAME SIGNAL: stop the process gracefully and wait for it to
# go: 60 s, nginx's fastcgi_read_timeout, the longest a request may run.
stop_pid() {
	local f=$1 name=$2 sig=${3:-TERM} pid i
	alive "$f" "$name" || { rm -f "$f"; return 0; }
	pid=$(cat "$f")
	kill -"$sig" "$pid" 2>/dev/null || true
	for i in $(seq 1 300); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.2
	done
	if kill -0 "$pid" 2>/dev/null; then
		echo "stack: $name did not stop in 60s, killing it" >&2
		pkill -KILL -P "$pid" 2>/dev/null || true
		kill -KILL "$pid" 2>/dev/null || true
	fi
	rm -f "$f"
	say "stopped $name"
}

start_db() {
	mkdir -p "$VAR/mysql" "$VAR/mysql/tmp" "$VAR/log" "$RUN" "$VAR/secrets"
	chmod 700 "$RUN" "$VAR/secrets"
	[ ${#SOCK} -lt 100 ] || die "path too long for a unix socket: $SOCK (set LCM_VAR to a shorter directory)"
	if [ ! -d "$VAR/mysql/data/mysql" ]; then
		say "initialising MariaDB data directory in $VAR/mysql/data"
		mariadb-install-db --no-defaults --datadir="$VAR/mysql/data" --user="$ME" \
			--auth-root-authentication-method=normal --skip-test-db \
			>"$VAR/log/mariadb-install.log" 2>&1 ||
			die "mariadb-install-db failed, see $VAR/log/mariadb-install.log"
	fi
	if ! alive "$RUN/mysqld.pid" mariadbd; then
		setsid mariadbd --no-defaults --datadir="$VAR/mysql/data" --socket="$SOCK" \
			--pid-file="$RUN/mysqld.pid" --log-error="$VAR/log/mariadb.err" \
			--tmpdir="$VAR/mysql/tmp" \
			--skip-networking --user="$ME" --character-set-server=utf8mb4 \
			--collation-server=utf8mb4_unicode_ci --innodb-buffer-pool-size="$BUFFER_POOL" \
			--max-connections=200 </dev/null >/dev/null 2>&1 &
	fi
	local i
	for i in $(seq 1 150); do
		mariadb-admin --no-defaults --socket="$SOCK" -uroot ping >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	die "MariaDB did not start, see $VAR/log/mariadb.err"
}

setup_db() {
	local pw_file=$VAR/secrets/db_password pw
	if [ ! -s "$pw_file" ]; then
		(umask 077; head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$pw_file")
	fi
	pw=$(cat "$pw_file")
	sql <<SQL
CREATE DATABASE IF NOT EXISTS $DB CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS '$DB_USER'@'localhost' IDENTIFIED BY '$pw';
ALTER USER '$DB_USER'@'localhost' IDENTIFIED BY '$pw';
GRANT SELECT, INSERT, UPDATE, DELETE ON $DB.* TO '$DB_USER'@'localhost';
SQL
	local out
	write_config
	out=$("$ADMIN" --config "$VAR/lcm.conf" migrate) || die "migration failed"
	say "$out"
	if [ "$DEMO" = 1 ] && [ "$(echo 'SELECT COUNT(*) FROM users' | sql "$DB")" = 0 ]; then
		sql "$DB" <"$ROOT/db-schema/demo/demo.sql"
		say "loaded the demo data"
	fi
}

# The configuration the workers and lcm-admin read (lib/db/config.h).
write_config() {
	cat >"$VAR/lcm.conf" <<CONF
# Written by deploy/stack.sh for the local stack.
db_socket = $SOCK
db_name = $DB
db_user = $DB_USER
db_password_file = $VAR/secrets/db_password
# The private server's root has no password; only this user reaches its socket.
migrate_user = root
log_file = $VAR/log/workers.log
schema_dir = $ROOT/db-schema
listen = $FCGI_SOCK
socket_mode = 0600
workers = $WORKERS
CONF
}

start_workers() {
	[ -x "$BIN" ] || die "no worker binary at $BIN: run make first"
	[ -x "$ADMIN" ] || die "no lcm-admin at $ADMIN: run make first"
	if alive "$RUN/workers.pid" multiwatch; then
		# Running the binary they were started with: restart them after a rebuild.
		[ "$BIN" -nt "$RUN/workers.pid" ] || return 0
		stop_pid "$RUN/workers.pid" multiwatch
	fi
	rm -f "$FCGI_SOCK"
	write_config
	# The pool as lcm-workers.service runs it: lcm-admin checks the
	# configuration and the database, then becomes spawn-fcgi -n and
	# multiwatch. The socket is the workers' only door: mode 0600 in a 0700
	# directory, so only this user (and nginx's workers, running as this
	# user) reach it. The supervisors' own messages (lcm-admin pool,
	# spawn-fcgi, multiwatch: a worker replaced) go to pool.log, which they
	# hold open for their life; the workers write workers.log (log_file),
	# which they reopen on reopen-logs.
	local faked=()
	# libfaketime's first process shares its clock with its children
	# through shared memory that goes when that process does: the pool's
	# (lcm-admin, then spawn-fcgi and multiwatch in the same process) lives
	# as long as its workers, a shell would not.
	[ -n "${LCM_POOL_FAKETIME:-}" ] &&
		faked=(env LD_PRELOAD=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1
		    FAKETIME="$LCM_POOL_FAKETIME")
	"${faked[@]}" setsid "$ADMIN" --config "$VAR/lcm.conf" pool --worker "$BIN" \
		>>"$VAR/log/pool.log" 2>&1 </dev/null &
	local pid=$! i
	echo "$pid" >"$RUN/workers.pid"
	for i in $(seq 1 100); do
		[ -S "$FCGI_SOCK" ] && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	tail -n 5 "$VAR/log/pool.log" "$VAR/log/workers.log" >&2
	die "the worker pool did not start, see $VAR/log/pool.log"
}

start_nginx() {
	mkdir -p "$VAR/tmp" "$VAR/log"
	local user_line=""
	[ "$(id -u)" = 0 ] && user_line="user $ME $(id -gn);"
	mkdir -p "$VAR/nginx"
	# The production snippets, with this stack's worker socket.
	sed -e "s|unix:/run/lcm/fcgi.sock|unix:$FCGI_SOCK|" "$ROOT/nginx/lcm-upstream.conf" \
		>"$VAR/nginx/lcm-upstream.conf"
	sed -e "s|/usr/share/lcm/openapi.json|$ROOT/nginx/openapi.json|" \
		-e "s|/usr/share/lcm/console/|$ROOT/nginx/console/|" "$ROOT/nginx/lcm-api.conf" \
		>"$VAR/nginx/lcm-api.conf"
	sed -e "s|@VAR@|$VAR|g" -e "s|@PORT@|$PORT|g" -e "s|@USER@|$user_line|g" \
		"$ROOT/nginx/lcm.conf.in" >"$VAR/nginx.conf"
	if alive "$RUN/nginx.pid" nginx; then
		nginx -p "$VAR" -c "$VAR/nginx.conf" -e "$VAR/log/nginx-error.log" -s reload
		return 0
	fi
	if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
		die "port $PORT is taken by another program: choose another with LCM_PORT=NNNN"
	fi
	nginx -p "$VAR" -c "$VAR/nginx.conf" -e "$VAR/log/nginx-error.log" -t -q ||
		die "nginx configuration test failed"
	nginx -p "$VAR" -c "$VAR/nginx.conf" -e "$VAR/log/nginx-error.log" ||
		die "nginx did not start (port $PORT taken?), see $VAR/log/nginx-error.log"
}

wait_ready() {
	local i
	for i in $(seq 1 100); do
		[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/healthz")" = 200 ] &&
			return 0
		sleep 0.2
	done
	die "the API did not answer on port $PORT, see $VAR/log/"
}

case ${1:-} in
start)
	start_db
	setup_db
	start_workers
	start_nginx
	wait_ready
	if [ "$QUIET" != 1 ]; then
		# make demo starts this stack again: with the same place and port.
		demo="${LCM_VAR:+LCM_VAR=$VAR }${LCM_PORT:+LCM_PORT=$PORT }make demo"
		cat <<MSG

Lead Care Managers API is up at http://127.0.0.1:$PORT
  admin token:     dev-admin-token   (Ada Admin)
  non-admin token: dev-user-token    (Nora Nurse)
Try:
  curl -s -H 'X-User-Token: dev-admin-token' http://127.0.0.1:$PORT/v1/admin/clinic/ecm/patients/123/lead_care_managers
Admin console (sign in with the admin token): http://127.0.0.1:$PORT/console/
A demo clinic in it (care managers, 300 patients, their history): $demo
Logs in $VAR/log/; stop with: make stop
MSG
	fi
	;;
stop)
	stop_pid "$RUN/nginx.pid" nginx QUIT      # graceful: finish what is in flight
	stop_pid "$RUN/workers.pid" multiwatch   # a stop to each worker, which finishes its request
	rm -f "$FCGI_SOCK"
	stop_pid "$RUN/mysqld.pid" mariadbd
	;;
stop-workers)
	# What systemctl stop lcm-workers does: multiwatch passes the stop on
	# (QUIT, from Debian's build) and exits when the last worker has.
	stop_pid "$RUN/workers.pid" multiwatch
	rm -f "$FCGI_SOCK"
	;;
reopen-logs)
	# multiwatch passes USR2 on to each worker (HUP would stop it), as
	# systemctl reload lcm-workers does; nginx reopens its own.
	if alive "$RUN/workers.pid" multiwatch; then kill -USR2 "$(cat "$RUN/workers.pid")"; fi
	if alive "$RUN/nginx.pid" nginx; then
		nginx -p "$VAR" -c "$VAR/nginx.conf" -e "$VAR/log/nginx-error.log" -s reopen
	fi
	;;
status)
	for p in nginx:nginx workers:multiwatch mysqld:mariadbd; do
		if alive "$RUN/${p%%:*}.pid" "${p#*:}"; then
			echo "${p%%:*}: running ($(cat "$RUN/${p%%:*}.pid"))"
		else
			echo "${p%%:*}: stopped"
		fi
	done
	;;
*)
	echo "usage: $0 start|stop|stop-workers|reopen-logs|status" >&2
	exit 2
	;;
esac
