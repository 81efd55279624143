#!/bin/bash
# The contract's examples, in the contract's order, against any running
# service with the demo data (or deploy/sample/ imported).
# Usage: tests/smoke.sh BASE_URL [ADMIN_TOKEN [NON_ADMIN_TOKEN]]
# e.g. tests/smoke.sh http://127.0.0.1:8080
# It writes: patients 123..125 end with Lead Care Managers assigned.
set -uo pipefail
BASE=${1:?usage: $0 BASE_URL [ADMIN_TOKEN [NON_ADMIN_TOKEN]]}
BASE=${BASE%/}
TOKEN=${2:-dev-admin-token}
USER_TOKEN=${3:-dev-user-token}
P=$BASE/v1/admin/clinic/ecm
pass=0 failed=0

# check NAME EXPECTED_STATUS JQ_TEST -- curl args...
check() {
	local name=$1 want=$2 test=$3 out status body
	shift 4
	out=$(curl -s -w '\n%{http_code}' "$@")
	status=${out##*$'\n'}
	body=${out%$'\n'*}
	if [ "$status" = "$want" ] && [ "$(printf '%s' "$body" | jq -e "$test" 2>/dev/null)" = true ]; then
		pass=$((pass + 1))
		echo "ok - $name"
	else
		failed=$((failed + 1))
		echo "not ok - $name: HTTP $status $body"
	fi
}

json=(-H "Content-Type: application/json" -H "X-User-Token: $TOKEN")

check "list lead care managers (search=Jane)" 200 \
	'(.lead_care_managers | length >= 1) and .lead_care_managers[0].name == "Jane Coordinator" and .pagination.current_page == 1 and .pagination.per_page == 25' \
	-- "${json[@]}" "$P/lead_care_managers?search=Jane"

check "assign oLCM" 200 \
	'.message == "Lead Care Manager assigned successfully" and .case_load.patient_id == 123 and .case_load.olcm_user_id == 101' \
	-- -X POST "${json[@]}" "$P/lead_care_managers/assign" -d '{"patient_id": 123, "olcm_user_id": 101}'

check "assign both LCMs" 200 \
	'.case_load.olcm_user_id == 101 and .case_load.ilcm_user_id == 102 and .case_load.patient_name == "John Doe" and .case_load.provider_name == "Dr. Smith" and .case_load.olcm_name == "Jane Coordinator" and .case_load.ilcm_name == "Bob Manager"' \
	-- -X POST "${json[@]}" "$P/lead_care_managers/assign" -d '{"patient_id": 123, "olcm_user_id": 101, "ilcm_user_id": 102}'

check "update assignment (PUT)" 200 \
	'.message == "Lead Care Manager assigned successfully" and .case_load.ilcm_user_id == 103 and .case_load.olcm_user_id == 101' \
	-- -X PUT "${json[@]}" "$P/lead_care_managers/assign" -d '{"patient_id": 123, "ilcm_user_id": 103}'

check "remove assignment (DELETE)" 200 \
	'. == {"message": "Lead Care Manager assignment removed successfully"}' \
	-- -X DELETE "${json[@]}" "$P/lead_care_managers/assign" -d '{"patient_id": 123, "role": "olcm"}'

check "patient's lead care managers" 200 \
	'.patient_id == 123 and .patient_name == "John Doe" and .case_load.provider_id == 456 and .case_load.olcm == null and .case_load.ilcm.user_id == 103' \
	-- "${json[@]}" "$P/patients/123/lead_care_managers"

check "bulk assign" 200 \
	'.message == "Bulk assignment completed" and .successful_count == 3 and .failed_count == 0 and ([.results[].patient_id] == [123,124,125]) and all(.results[]; .status == "success")' \
	-- -X POST "${json[@]}" "$P/lead_care_managers/bulk_assign" \
	-d '{"assignments": [{"patient_id": 123, "olcm_user_id": 101, "ilcm_user_id": 102}, {"patient_id": 124, "olcm_user_id": 101}, {"patient_id": 125, "ilcm_user_id": 102}]}'

check "cURL example" 200 \
	'.case_load.olcm_user_id == 101 and .case_load.ilcm_user_id == 102' \
	-- -X POST "$P/lead_care_managers/assign" -H "Content-Type: application/json" -H "X-User-Token: $TOKEN" \
	-d '{
"patient_id": 123,
"olcm_user_id": 101,
"ilcm_user_id": 102
}'

check "403 Forbidden" 403 '. == {"errors": ["Admin access required"]}' \
	-- -H "X-User-Token: $USER_TOKEN" "$P/patients/123/lead_care_managers"

check "404 Not Found" 404 '. == {"errors": ["Patient not found"]}' \
	-- "${json[@]}" "$P/patients/999/lead_care_managers"

check "422 Unprocessable Entity" 422 \
	'. == {"errors": ["At least one of olcm_user_id or ilcm_user_id must be provided"]}' \
	-- -X POST "${json[@]}" "$P/lead_care_managers/assign" -d '{"patient_id": 123}'

echo "smoke: $pass passed, $failed failed"
[ "$failed" = 0 ]
