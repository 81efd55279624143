#!/bin/bash
# db-schema/schema.sql: the schema a database has once lcm-admin migrate has
# applied every migration of db-schema/ (tables, indexes, triggers), for
# reading. The migrations stay what makes a database.
#
#   db-schema/schema.sh          regenerate schema.sql (make schema): a
#                                throwaway MariaDB of its own under a
#                                temporary directory, no TCP port, every
#                                migration applied by build/lcm-admin, dumped
#   db-schema/schema.sh --dump SOCKET DATABASE
#                                that dump of DATABASE, on the server of
#                                SOCKET (as root); tests/deploy/run.sh
#                                compares it with schema.sql
#
# The dump is mariadb-dump's, without data, comments, DROP statements,
# session settings, trigger definers, AUTO_INCREMENT counters and empty
# lines, a blank line before each table and trigger: the same for two
# databases that the same migrations made.
set -euo pipefail
cd "$(dirname "$0")/.."

# dump SOCKET DATABASE: the normalised schema on stdout.
dump() {
	mariadb-dump --no-defaults --socket="$1" -uroot --no-data --skip-comments \
		--skip-dump-date --skip-add-drop-table --skip-set-charset --skip-add-locks \
		--skip-disable-keys --skip-tz-utc --triggers --routines --events "$2" |
		perl -0pe '
			s{^/\*M!999999\\- enable the sandbox mode \*/ *\n}{}mg;
			s{^/\*![0-9]+ *SET [^\n]*\n}{}mg;
			s{^SET [^\n]*\n}{}mg;
			s{ AUTO_INCREMENT=[0-9]+}{}g;
			s{/\*!50003 CREATE\*/ /\*!50017 DEFINER=\S+\*/ /\*!50003 (TRIGGER .*?)\s*\*/;;}{CREATE $1;;}gs;
			s{\n\n+}{\n}g;
			s{\n(CREATE TABLE|DELIMITER ;;)}{\n\n$1}g'
}

if [ "${1:-}" = --dump ]; then
	[ $# = 3 ] || { echo "usage: $0 --dump SOCKET DATABASE" >&2; exit 2; }
	dump "$2" "$3"
	exit
fi
[ $# = 0 ] || { echo "usage: $0 [--dump SOCKET DATABASE]" >&2; exit 2; }

ADMIN=build/lcm-admin
[ -x "$ADMIN" ] || { echo "schema: no $ADMIN (run make first)" >&2; exit 1; }
T=$(mktemp -d /tmp/lcm-schema.XXXXXX)
SOCK=$T/mysqld.sock
cleanup() {
	local pid
	if [ -f "$T/mysqld.pid" ]; then
		pid=$(cat "$T/mysqld.pid")
		kill -TERM "$pid" 2>/dev/null
		for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
	fi
	rm -rf "$T"
}
trap cleanup EXIT
mariadb-install-db --no-defaults --datadir="$T/data" --user="$(id -un)" \
	--auth-root-authentication-method=normal --skip-test-db >"$T/install.log" 2>&1 ||
	{ cat "$T/install.log" >&2; exit 1; }
setsid mariadbd --no-defaults --datadir="$T/data" --socket="$SOCK" --pid-file="$T/mysqld.pid" \
	--log-error="$T/mariadb.err" --skip-networking --user="$(id -un)" --tmpdir="$T" \
	--character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci </dev/null >/dev/null 2>&1 &
for _ in $(seq 1 150); do
	mariadb-admin --no-defaults --socket="$SOCK" -uroot ping >/dev/null 2>&1 && break
	sleep 0.2
done
mariadb-admin --no-defaults --socket="$SOCK" -uroot ping >/dev/null 2>&1 ||
	{ echo "schema: MariaDB did not start" >&2; cat "$T/mariadb.err" >&2; exit 1; }
# The database as deploy/README.md makes it.
mariadb --no-defaults --socket="$SOCK" -uroot \
	-e 'CREATE DATABASE lcm CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci'
cat >"$T/lcm.conf" <<CONF
db_socket = $SOCK
db_name = lcm
db_user = root
schema_dir = $(pwd)/db-schema
CONF
"$ADMIN" --config "$T/lcm.conf" migrate >"$T/migrate.out" || { cat "$T/migrate.out" >&2; exit 1; }
last=$(ls db-schema/[0-9][0-9][0-9]_*.sql | tail -n 1)
{
	cat <<HEAD
-- db-schema/schema.sql: the schema of a database that lcm-admin migrate has
-- taken through the last migration,
--     ${last#db-schema/}
-- every table, index and trigger, to read. It is not a migration: lcm-admin
-- applies, and make install installs, only the NNN_name.sql files, which
-- alone make and change a database.
--
-- Regenerate it after adding a migration, or after merging a branch that
-- adds one (a conflict here included), with
--     make schema
-- which runs db-schema/schema.sh: every migration applied to a throwaway
-- MariaDB, then mariadb-dump --no-data, normalised. tests/deploy/run.sh
-- fails with the difference when this file is not what its migrated
-- database has.

HEAD
	dump "$SOCK" lcm
} >"$T/schema.sql"
mv "$T/schema.sql" db-schema/schema.sql
echo "schema: db-schema/schema.sql, through ${last#db-schema/} ($(grep -c '^CREATE TABLE' db-schema/schema.sql) tables, $(grep -c '^CREATE TRIGGER' db-schema/schema.sql) triggers)"
