#!/bin/sh
# Apply the numbered migrations of this directory that the database has not
# seen, in order, each once. Usage: migrate.sh DATABASE [mariadb client options]
# e.g. migrate.sh lcm --socket=var/run/mysqld.sock
#
# Each migration runs in one client session with its schema_migrations row;
# DML migrations are atomic; DDL commits implicitly in MariaDB, so each file
# holds one DDL statement. A file whose content changed after it was applied is
# reported and stops the run: write a new migration instead.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
db=$1
shift
sql() { mariadb "$@" --default-character-set=utf8mb4 --batch --skip-column-names; }

sql "$@" "$db" <<'SQL'
CREATE TABLE IF NOT EXISTS schema_migrations (
  version    INT          NOT NULL,
  name       VARCHAR(200) NOT NULL,
  sha256     CHAR(64)     NOT NULL,
  applied_at DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (version)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
SQL

applied=0
for f in "$here"/[0-9][0-9][0-9]_*.sql; do
	name=$(basename "$f")
	version=$(echo "$name" | sed 's/^0*\([0-9]\)/\1/; s/_.*//')
	sum=$(sha256sum "$f" | cut -c1-64)
	have=$(echo "SELECT sha256 FROM schema_migrations WHERE version = $version" | sql "$@" "$db")
	if [ -n "$have" ]; then
		if [ "$have" != "$sum" ]; then
			echo "migrate: $name changed after it was applied; add a new migration instead" >&2
			exit 1
		fi
		continue
	fi
	{
		echo "SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION';"
		echo "START TRANSACTION;"
		cat "$f"
		echo "INSERT INTO schema_migrations (version, name, sha256) VALUES ($version, '$name', '$sum');"
		echo "COMMIT;"
	} | sql "$@" "$db"
	echo "migrate: applied $name"
	applied=$((applied + 1))
done
[ "$applied" -gt 0 ] || echo "migrate: schema is up to date"
