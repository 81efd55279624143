#!/bin/bash
# make memcheck: valgrind memcheck on the unit tests and on the workers of a
# throwaway stack serving MEMCHECK_REQUESTS (3000) mixed requests of every
# endpoint, good and bad. Fails on any invalid access or uninitialised use,
# and on any leak (definite, indirect or possible); memory still reachable
# at exit (libraries' own) is not a leak. Reports stay in build/memcheck/.
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/lib/harness.sh
. tests/lib/http.sh

N=${MEMCHECK_REQUESTS:-3000}
OUT=$PWD/build/memcheck
rm -rf "$OUT"
mkdir -p "$OUT/unit" "$OUT/worker"
failed=()

# check_logs DIR WHAT: every report in DIR says 0 errors.
check_logs() {
	local f bad=0 n=0
	for f in "$1"/*; do
		[ -e "$f" ] || continue
		n=$((n + 1))
		if ! grep -q 'ERROR SUMMARY: 0 errors' "$f"; then
			bad=$((bad + 1))
			echo "  $f:"
			grep -vE '^==[0-9]+== *$' "$f" | head -n 40 | sed 's/^/    /'
		fi
	done
	echo "memcheck: $2: $n processes, $bad with errors"
	[ "$n" -gt 0 ] && [ "$bad" = 0 ]
}

# ---- the unit tests: Criterion runs each test in a process of its own, which
# valgrind follows (--trace-children); each writes its own report.
if [ -z "${MEMCHECK_SKIP_UNIT:-}" ]; then
	valgrind --tool=memcheck --trace-children=yes --leak-check=full \
		--show-leak-kinds=definite,indirect,possible --errors-for-leak-kinds=definite,indirect,possible \
		--num-callers=30 --log-file="$OUT/unit/unit.%p" build/unit-tests --jobs 2 2>&1 |
		grep -v 'running under valgrind' | tail -n 3
	[ "${PIPESTATUS[0]}" = 0 ] || failed+=("unit tests")
	check_logs "$OUT/unit" "unit tests" || failed+=("unit tests' memcheck")
fi

# ---- a worker under load ----------------------------------------------------
# N requests, drawn with a fixed seed from every endpoint, in one curl config.
gen_requests() {
	local api=$BASE/v1/admin/clinic/ecm i p u r role body ids j
	local pats=(123 124 125 126 999) users=(101 102 103 104 105 1 7777) roles=(olcm ilcm x)
	RANDOM=12
	for ((i = 0; i < N; i++)); do
		p=${pats[RANDOM % 5]} u=${users[RANDOM % 7]} role=${roles[RANDOM % 2]}
		body="" hdr=()
		case $((RANDOM % 25)) in
		0) r="GET $api/patients/$p/lead_care_managers" ;;
		1) r="GET $api/patients/$p/lead_care_managers"; hdr=('If-None-Match: "1", W/"2"') ;;
		2) r="GET $api/patients/$p/lead_care_managers/history?per_page=$((RANDOM % 120))&role=${roles[RANDOM % 3]}" ;;
		3) r="GET $api/patients/$p/access_log?page=$((RANDOM % 3))" ;;
		4) r="GET $api/lead_care_managers?search=a&role=$role&sort=workload&available=true" ;;
		5) r="GET $api/lead_care_managers?inactive_with_patients=true&search=%zz" ;;
		6) r="GET $api/lead_care_managers/$u/patients?role=$role" ;;
		7) r="GET $api/patients?unassigned=${roles[RANDOM % 3]}&search=M&provider_id=456" ;;
		8) r="GET $api/patients/summary" ;;
		9) r="GET $api/lead_care_managers/assignments.csv?role=$role" ;;
		10) r="GET $api/lead_care_managers/assignments.csv?as_of=2024-01-01" ;;
		11) r="POST $api/lead_care_managers/assign"
			body="{\"patient_id\":$p,\"olcm_user_id\":$u,\"ilcm_user_id\":${users[RANDOM % 7]}}" ;;
		12) r="POST $api/lead_care_managers/assign"; hdr=("Idempotency-Key: k$((RANDOM % 20))")
			body="{\"patient_id\":$p,\"$role""_user_id\":$u,\"reason\":{\"code\":\"workload_balance\",\"note\":\"m\"}}" ;;
		13) r="PUT $api/lead_care_managers/assign"; hdr=('If-Match: *')
			body="{\"patient_id\":$p,\"ilcm_user_id\":$u,\"reason\":\"$(printf '%*s' $((RANDOM % 600)) '' | tr ' ' r)\"}" ;;
		14) r="DELETE $api/lead_care_managers/assign"; body="{\"patient_id\":$p,\"role\":\"$role\",\"reason\":\"r\"}" ;;
		15) r="POST $api/lead_care_managers/bulk_assign"; ids=""
			for ((j = 0; j < RANDOM % 30 + 1; j++)); do
				ids+="${ids:+,}{\"patient_id\":${pats[RANDOM % 5]},\"olcm_user_id\":${users[RANDOM % 7]}}"
			done
			body="{\"assignments\":[$ids],\"dry_run\":$([ $((RANDOM % 2)) = 0 ] && echo true || echo false)}" ;;
		16) r="PUT $api/lead_care_managers/$u/capacity"; body="{\"max_olcm\":$((RANDOM % 5)),\"max_ilcm\":null}" ;;
		17) r="POST $api/lead_care_managers/transfer"
			body="{\"from_user_id\":$u,\"to_user_ids\":[101,102,103],\"dry_run\":true}" ;;
		18) r="POST $api/lead_care_managers/auto_assign"; body="{\"role\":\"$role\",\"unassigned\":true,\"dry_run\":true}" ;;
		19) r="POST $api/lead_care_managers/assign"; body='{"patient_id": 1,, }' ;;
		20) r="POST $api/lead_care_managers/assign"; body='{"patient_id":"x","olcm_user_id":-1,"z":[[[]]]}' ;;
		21) r="GET $api/nowhere" ;;
		22) r="DELETE $api/patients/summary" ;;
		23) r="GET $api/lead_care_managers/$u" ;;
		*) r="GET $BASE/healthz" ;;
		esac
		echo "url = \"${r#* }\""
		echo "request = \"${r%% *}\""
		if [ $((RANDOM % 30)) = 0 ]; then echo 'header = "X-User-Token: dev-user-token"'
		else echo 'header = "X-User-Token: dev-admin-token"'; fi
		for h in "${hdr[@]}"; do printf 'header = %s\n' "$(jq -Rn --arg h "$h" '$h')"; done
		if [ -n "$body" ]; then
			echo 'header = "Content-Type: application/json"'
			printf 'data-binary = %s\n' "$(jq -Rn --arg b "$body" '$b')"
		fi
		printf 'output = "/dev/null"\nwrite-out = "%%{http_code}\\n"\nsilent\n'
		[ $((i + 1)) -lt "$N" ] && echo next
	done
}

export MEMCHECK_DIR=$OUT/worker MEMCHECK_WORKER=$PWD/build/lcm-worker
LCM_BIN=$PWD/tests/memcheck/worker.sh
harness_start 2 || exit 1
gen_requests >"$OUT/requests.curl"
start=$(date +%s)
curl --config "$OUT/requests.curl" >"$OUT/statuses" 2>"$OUT/curl.err"
secs=$(($(date +%s) - start))
summary=$(sort "$OUT/statuses" | uniq -c | awk '{printf "%s%s x%s", sep, $2, $1; sep=", "}')
echo "memcheck: $(wc -l <"$OUT/statuses") requests in ${secs}s: $summary"
[ "$(wc -l <"$OUT/statuses")" = "$N" ] || failed+=("not every request was answered")
grep -qE '^(5[0-9][0-9]|000)$' "$OUT/statuses" && failed+=("5xx answers (a worker died?)")
harness_stop || failed+=("harness")
check_logs "$OUT/worker" "workers" || failed+=("workers' memcheck")

if [ ${#failed[@]} -gt 0 ]; then
	echo "memcheck: failed: ${failed[*]} (reports in build/memcheck/)"
	exit 1
fi
echo "memcheck: no errors, no leaks"
