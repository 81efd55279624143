#!/bin/bash
# The database's work per request, counted in instructions: a yardstick that
# does not move when another process takes a core (req/s and CPU time on a
# shared 2-core box move by 10-30% from run to run).
#
#   bash tests/bench/instructions.sh [N [SCENARIO...]]
#                                   (N iterations each, default 300; every
#                                   scenario, or those named)
#
# A throwaway stack (tests/lib/harness.sh) loaded with tests/bench/seed.sql;
# then its MariaDB again under valgrind's callgrind, instrumented only while
# each scenario runs. A scenario is the statements of one request as the
# catalogue (lib/db/sql.c) has them, prepared once and executed N times over
# the mariadb client with random patients and users (a warm-up pass first,
# with other ones). Printed: instructions (callgrind's Ir) per iteration of
# the connection's thread, and of all the server's threads (purge and the
# page cleaner run the rest of a write later).
#
#   change      the single assign's six statements: refs, START TRANSACTION,
#               case_load_lock, case_load_update (and its trigger),
#               activity_insert_at, COMMIT
#   update      case_load_update alone (the bookkeeping trigger's cost)
#   refs        the change's first statement alone (its reference read)
#   locked      START TRANSACTION, case_load_lock, COMMIT: the transaction
#               around the change, without its writes
#   activity    START TRANSACTION, activity_insert_at, COMMIT
#   key_read    one read of a case load by its key: the least a statement
#               costs, the yardstick of "a statement's worth"
#   care_team   the care-team read
#   list        the list's page (per_page 25, by name: lcm_page_by_name)
#   list_workload  the list's page sorted by workload (lcm_page, which
#               reads every user's workload and limits for its filter)
#
# The parameters each statement is given are written below: a statement
# whose parameters change needs its line here changed (the run says FAILED).
set -uo pipefail
cd "$(dirname "$0")/../.."
N=${1:-300}
[ $# -gt 0 ] && shift
SCENARIOS=${*:-change update care_team list list_workload refs locked activity key_read}
command -v valgrind >/dev/null && command -v callgrind_control >/dev/null ||
	{ echo "instructions: valgrind is not installed (sh deploy/install-deps.sh installs it)" >&2; exit 1; }
make -s >/dev/null || exit 1
. tests/lib/harness.sh
export LCM_DB_BUFFER_POOL=256M
harness_start 1 >/dev/null || exit 1
S() { mariadb --no-defaults --socket="$DB_SOCK" -uroot lcm "$@"; }
S <tests/bench/seed.sql || exit 1
LCM_VAR=$HVAR LCM_QUIET=1 bash deploy/stack.sh stop >/dev/null 2>&1
CG=$HVAR/cg
mkdir -p "$CG"
# No native AIO and a bounded buffer pool's reservation: what valgrind can run.
valgrind --tool=callgrind --separate-threads=yes --instr-atstart=no --callgrind-out-file="$CG/cg.out" \
	mariadbd --no-defaults --datadir="$HVAR/mysql/data" --socket="$DB_SOCK" --tmpdir="$HVAR/mysql/tmp" \
	--skip-networking --user="$(id -un)" --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
	--innodb-buffer-pool-size=256M --innodb-buffer-pool-size-max=256M --innodb-use-native-aio=0 \
	--max-connections=20 --log-error="$CG/mariadb" </dev/null >"$CG/valgrind.log" 2>&1 &
VPID=$!
trap 'kill $VPID 2>/dev/null; wait $VPID 2>/dev/null; rm -rf "$HVAR"' EXIT
for _ in $(seq 1 600); do
	kill -0 $VPID 2>/dev/null || { cat "$CG/valgrind.log" "$CG/mariadb.err" >&2; exit 1; }
	mariadb-admin --no-defaults --socket="$DB_SOCK" -uroot ping >/dev/null 2>&1 && break
	sleep 0.5
done

# A statement's text from the catalogue, quoted for PREPARE.
sqltext() {
	printf '#include <stdio.h>\n#include <string.h>\n#include "sql.h"\nint main(void) { for (int i = 0; i < STMT__MAX; i++) if (strcmp(sql_stmts[i].name, "%s") == 0) { fputs(sql_stmts[i].sql, stdout); return 0; } return 1; }\n' \
		"$1" >"$CG/sql.c"
	cc -std=c11 -Ilib/db -Ilib/base -o "$CG/sql" "$CG/sql.c" lib/db/sql.c && "$CG/sql" | sed "s/'/''/g"
}
prep() { echo "PREPARE $1 FROM '$(sqltext "$2")';"; }

# scenario NAME 'BODY' PREPARES...: the file run N times (@p a patient, @u a user, @at a time),
# as NAME.warm.sql and NAME.run.sql, each scenario and pass with patients and users of its own
# (a write that repeats what the one before it wrote changes nothing).
SEED=0
scenario() {
	local name=$1 body=$2 seed pass
	shift 2
	for pass in warm run; do
		SEED=$((SEED + 1)) seed=$SEED
		{ echo "SET @at = '2026-12-06 10:00:00.000';"; "$@"
		  awk -v n="$N" -v b="$body" -v seed=$seed 'BEGIN { srand(seed); for (k = 0; k < n; k++)
			printf "SET @p=%d, @u=%d; %s\n", 1 + int(rand() * 10000), 101 + int(rand() * 200), b }'
		} >"$CG/$name.$pass.sql"
	done
}
change_preps() { prep r refs; prep l case_load_lock; prep u case_load_update; prep a activity_insert_at; }
update_preps() { prep u case_load_update; }
care_team_preps() { prep c care_team; }
list_preps() { prep s lcm_page_by_name; }
list_workload_preps() { prep s lcm_page; }
refs_preps() { prep r refs; }
locked_preps() { prep l case_load_lock; }
activity_preps() { prep a activity_insert_at; }
key_read_preps() { echo "PREPARE k FROM 'SELECT id FROM case_loads WHERE patient_id = ?';"; }
scenario change "EXECUTE r USING @u, NULL, @p; START TRANSACTION; EXECUTE l USING @p;\
 EXECUTE u USING 1, @u, @at, 1, @u, 0, NULL, @at, 0, NULL, @at, @p;\
 EXECUTE a USING @p, @p, 'lcm_changed', 'olcm', 101, @u, 1, NULL, NULL, 'assign', 0, 0, 'req', @at; COMMIT;" change_preps
scenario update "EXECUTE u USING 1, @u, @at, 1, @u, 0, NULL, @at, 0, NULL, @at, @p;" update_preps
scenario care_team "EXECUTE c USING @p;" care_team_preps
scenario list "EXECUTE s USING '%', NULL, 0, 0, 'name', 25, 0;" list_preps
scenario list_workload "EXECUTE s USING '%', NULL, 0, 0, 'workload', 25, 0;" list_workload_preps
scenario refs "EXECUTE r USING @u, NULL, @p;" refs_preps
scenario locked "START TRANSACTION; EXECUTE l USING @p; COMMIT;" locked_preps
scenario activity "START TRANSACTION;\
 EXECUTE a USING @p, @p, 'lcm_changed', 'olcm', 101, @u, 1, NULL, NULL, 'assign', 0, 0, 'req', @at; COMMIT;" activity_preps
scenario key_read "EXECUTE k USING @p;" key_read_preps

echo "instructions per iteration, $N iterations each (callgrind Ir; the connection's thread / all threads):"
for name in $SCENARIOS; do
	S <"$CG/$name.warm.sql" >/dev/null || { echo "  $name: FAILED (its statements or their parameters changed?)"; continue; }
	rm -f "$CG"/cg.out.* "$CG"/cg.out-*
	callgrind_control -z $VPID >/dev/null 2>&1
	callgrind_control -i on $VPID >/dev/null 2>&1
	S <"$CG/$name.run.sql" >/dev/null || echo "  $name: FAILED"
	callgrind_control -i off $VPID >/dev/null 2>&1
	callgrind_control -d "$name" $VPID >/dev/null 2>&1
	best=0 all=0
	for o in "$CG"/cg.out.*; do
		[ -f "$o" ] || continue
		ir=$(callgrind_annotate "$o" 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1; exit }')
		case $ir in '' | *[!0-9]*) ir=0 ;; esac
		all=$((all + ir))
		[ "$ir" -gt "$best" ] && best=$ir
	done
	printf '  %-10s %10d / %10d\n' "$name" $((best / N)) $((all / N))
done
