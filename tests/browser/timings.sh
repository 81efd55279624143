#!/bin/bash
# The patients' queue timed at 10,000 patients: a throwaway stack (the
# harness's) seeded with tests/bench/seed.sql (10,000 patients with case
# loads, 200 coordinators), then gaps opened in it (2,000 patients without an
# oLCM, 1,000 of them without an iLCM too, one coordinator deactivated), and
# tests/browser/timings.mjs in Debian's chromium: the queue's first paint, the
# selection of 1000 and the bulk and auto-assign dry runs of 1000. It prints
# figures and asserts none (not part of make test). RUNS=5 by default.
# Usage: tests/browser/timings.sh
set -uo pipefail
cd "$(dirname "$0")/../.."
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] || { echo "timings: no chromium at $CHROMIUM" >&2; exit 1; }
[ -d tests/browser/node_modules/playwright-core ] ||
	{ echo "timings: playwright-core is not installed (make browser installs it)" >&2; exit 1; }
make -s --no-print-directory all >/dev/null || exit 1
. tests/lib/harness.sh
harness_start 2 || exit 1
trap harness_stop EXIT
mariadb --no-defaults --socket="$DB_SOCK" -uroot lcm <tests/bench/seed.sql || exit 1
db_sql "UPDATE case_loads SET olcm_user_id = NULL, olcm_assigned_at = NULL WHERE patient_id % 5 = 0;
	UPDATE case_loads SET ilcm_user_id = NULL, ilcm_assigned_at = NULL WHERE patient_id % 10 = 0;
	UPDATE users SET active = 0 WHERE id = 300" || exit 1
harness_fresh_workers || exit 1
echo "timings: $(db_sql 'SELECT COUNT(*) FROM patients') patients, $(db_sql 'SELECT COUNT(*) FROM patient_index WHERE olcm_user_id IS NULL') without an oLCM;" \
	"$(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
CHROMIUM=$CHROMIUM BASE=$BASE TOKEN=admintoken RUNS=${RUNS:-5} node tests/browser/timings.mjs
