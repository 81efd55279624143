#!/bin/bash
# The demo clinic (make demo), loaded into the local stack beside the
# contract's demo data: deploy/sample/clinic/'s providers, patients and
# users through lcm-admin import (the operator's way in), then a few weeks
# of an ECM admin's work done through the API as Ada Admin: the first
# assignments, changes, a transfer, removals, caseload limits, an override,
# an auto-assign, and at last one care manager deactivated while still
# holding patients. No row is written by hand, so every history, workload
# and count the console shows is one the API made.
#
# Its ids are the clinic's own (users 201-213, providers 601-603, patients
# 1001-1300); the contract's demo data (users 1-105, provider 456, patients
# 123-126) is left as it is.
#
# Run it again and it changes nothing: the imports find every row as it is,
# and the history, once built, is never built twice (what the clinic did
# since, in the console, stays). A history cut short (the run interrupted)
# is refused, with how to start again.
#
# Environment, as deploy/stack.sh's: LCM_VAR (./var), LCM_PORT (8080),
# LCM_ADMIN (build/lcm-admin); LCM_DEMO_TOKEN (dev-admin-token, the admin
# make run's demo data holds).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
VAR=${LCM_VAR:-$ROOT/var}
PORT=${LCM_PORT:-8080}
ADMIN=${LCM_ADMIN:-$ROOT/build/lcm-admin}
TOKEN=${LCM_DEMO_TOKEN:-dev-admin-token}
SAMPLE=$ROOT/deploy/sample/clinic
P=http://127.0.0.1:$PORT/v1/admin/clinic/ecm
LCM=$P/lead_care_managers

die() { echo "demo: $*" >&2; exit 1; }
say() { echo "demo: $*"; }
admin() { "$ADMIN" --config "$VAR/lcm.conf" "$@"; }

# api METHOD URL [BODY]: sets STATUS and BODY.
api() {
	local out args=(-sS --max-time 60 -X "$1" -H "X-User-Token: $TOKEN" -w '\n%{http_code}')
	[ $# -lt 3 ] || args+=(-H 'Content-Type: application/json' --data-binary "$3")
	out=$(curl "${args[@]}" "$2") || die "no answer on port $PORT (is the stack up? make run, with LCM_PORT as for it)"
	STATUS=${out##*$'\n'}
	BODY=${out%$'\n'*}
}

# must METHOD URL [BODY]: api, and a 200 or the run stops, saying why.
must() {
	api "$@"
	[ "$STATUS" = 200 ] || die "$1 ${2#"$P"} ${3:-} answered $STATUS: $BODY"
}

# A bulk, a transfer or an auto-assign: every item applied, or the run stops.
all_applied() {
	local failed
	failed=$(jq -c "$1" <<<"$BODY")
	[ "$failed" = "[]" ] || die "$2: not applied: $failed"
}

[ -x "$ADMIN" ] || die "no lcm-admin at $ADMIN: run make first"
[ -f "$VAR/lcm.conf" ] || die "no stack under $VAR: start it with make run"
api GET "$LCM?per_page=1"
case $STATUS in
200) ;;
401 | 403) die "the API refused the token ($STATUS): the demo's history is made by an admin; make run's demo data has dev-admin-token (else set LCM_DEMO_TOKEN)" ;;
*) die "the API at port $PORT answered $STATUS: is the stack up? (make run; LCM_PORT as for make run)" ;;
esac

# Where a run stands: the history starts with patient 1001's first
# assignment and ends with Nadia Rahman (213) deactivated, so a case load
# for 1001 while 213 may still take patients is a run cut short.
api GET "$P/patients/1001/lead_care_managers"
built=0
if [ "$STATUS" = 200 ] && [ "$(jq '.case_load != null' <<<"$BODY")" = true ]; then
	built=1
	api GET "$LCM/213"
	if [ "$STATUS" = 200 ] && [ "$(jq 'has("active")' <<<"$BODY")" = false ]; then
		die "the demo clinic's history was only partly built (an earlier run cut short?):
  start from an empty stack: make clean && make demo"
	fi
fi

# ---- the clinic's records, as an operator imports them --------------------
for k in providers patients users; do
	out=$(admin import "$k" "$SAMPLE/$k.csv" 2>&1) || die "$out"
	say "$out"
done

# finish: what the clinic's patients look like, and where to see them.
finish() {
	must GET "$P/patients/summary"
	say "patients: $(jq -c . <<<"$BODY")"
	local who="your admin token"
	[ "$TOKEN" != dev-admin-token ] || who=dev-admin-token
	say "open http://127.0.0.1:$PORT/console/ and sign in with $who"
	exit 0
}

if [ "$built" = 1 ]; then
	say "the demo clinic's history is there already: nothing more to do"
	finish
fi

# ---- its history, through the API ----------------------------------------
# Nadia was on staff when the clinic enrolled its members; she left at the
# end (below), which is where the clinic's records (users.csv) stand now.
admin user activate 213 >/dev/null

# Enrolment: 264 members get an oLCM, the first 240 an iLCM too, in one bulk;
# 1265-1300 are new and wait for one. The care managers' loads differ.
must POST "$LCM/bulk_assign" "$(jq -nc '
	[201,201,202,202,202,203,204,204,205,206,206,207,208,208,208,209,210,211,211,212,213,213] as $o |
	[203,203,205,205,207,209,209,210,212,212,213,201,204,206,203,211] as $i |
	{assignments: [range(0; 264) as $k |
		{patient_id: (1001 + $k), olcm_user_id: $o[$k % ($o | length)]} +
		(if $k < 240 then {ilcm_user_id: $i[$k % ($i | length)]} else {} end) +
		{reason: {code: "initial_assignment", note: "enrolled from the health plan'"'"'s list"}}]}')"
all_applied '[.results[] | select(.status != "success") | .patient_id]' "the enrolment"
say "enrolment: $(jq .successful_count <<<"$BODY") patients assigned in one bulk"

# Changes, one patient at a time.
change() {
	must PUT "$LCM/assign" "$1"
}
change '{"patient_id":1001,"ilcm_user_id":205,"reason":{"code":"acuity_change","note":"behavioral health needs: Elena'"'"'s specialty"}}'
change '{"patient_id":1003,"olcm_user_id":211,"reason":{"code":"member_request","note":"asked for a Spanish-speaking care manager"}}'
change '{"patient_id":1010,"olcm_user_id":207,"reason":{"code":"provider_request","note":"Dr. Patel'"'"'s team works with Grace"}}'
change '{"patient_id":1021,"ilcm_user_id":206,"reason":{"code":"workload_balance"}}'
change '{"patient_id":1034,"olcm_user_id":209,"reason":{"code":"member_request","note":"moved across town"}}'
change '{"patient_id":1047,"olcm_user_id":204,"ilcm_user_id":204,"reason":{"code":"member_request","note":"one person for both roles, as the family asked"}}'
change '{"patient_id":1058,"ilcm_user_id":212,"reason":"housing crisis: Marcus knows the shelters"}'
change '{"patient_id":1003,"ilcm_user_id":211,"reason":{"code":"member_request","note":"the same Spanish-speaking care manager for both roles"}}'
change '{"patient_id":1123,"olcm_user_id":210,"reason":{"code":"workload_balance","note":"Hugo'"'"'s list was the longest"}}'
change '{"patient_id":1124,"olcm_user_id":212,"reason":{"code":"workload_balance","note":"Hugo'"'"'s list was the longest"}}'
say "changes: 10 care teams changed one at a time"

# Elena goes part-time: her intensive patients go to Farah and Grace.
must POST "$LCM/transfer" '{"from_user_id":205,"to_user_ids":[206,207],"role":"ilcm",
	"reason":{"code":"staffing_change","note":"Elena moves to part-time outreach"}}'
all_applied '[.moves[] | select(.status != "moved") | .patient_id]' "the transfer"
say "transfer: $(jq .moved_count <<<"$BODY") iLCM patients moved from Elena Petrova to Farah Haddad and Grace Kim"

# Removals: acuity lowered (no iLCM needed), and two members not reached.
for id in 1001 1012 1025 1038 1051 1064 1077 1090; do
	must DELETE "$LCM/assign" "{\"patient_id\":$id,\"role\":\"ilcm\",\"reason\":{\"code\":\"acuity_change\",\"note\":\"stable: outreach only\"}}"
done
for id in 1100 1150; do
	must DELETE "$LCM/assign" "{\"patient_id\":$id,\"role\":\"olcm\",\"reason\":{\"code\":\"other\",\"note\":\"not reached after three attempts: back to the queue\"}}"
done
say "removals: 8 iLCMs (acuity lowered), 2 oLCMs (members not reached)"

# Caseload limits, from what each holds now: Amara and Hugo exactly at
# their oLCM limit, Chloe at her iLCM limit, Ben's lowered below what he
# holds (over it), the others with room.
declare -A room_o=([201]=0 [202]=-3 [203]=6 [204]=8 [205]=4 [206]=8 [207]=6 [208]=0 [209]=10 [210]=8 [211]=6 [212]=10 [213]=2)
declare -A room_i=([201]=4 [202]=5 [203]=0 [204]=6 [205]=0 [206]=4 [207]=4 [208]=5 [209]=6 [210]=6 [211]=4 [212]=6 [213]=2)
for u in $(seq 201 213); do
	must GET "$LCM/$u"
	o=$(jq .olcm_assignments_count <<<"$BODY")
	i=$(jq .ilcm_assignments_count <<<"$BODY")
	must PUT "$LCM/$u/capacity" "{\"max_olcm\":$((o + room_o[$u])),\"max_ilcm\":$((i + room_i[$u]))}"
done
say "limits: set for the 13 care managers"

# A new member whose sibling Amara follows: past her limit, with a reason.
must POST "$LCM/assign" '{"patient_id":1265,"olcm_user_id":201,"override_capacity":true,
	"reason":{"code":"member_request","note":"sibling of a patient of Amara'"'"'s"}}'
say "override: Amara Okafor takes patient 1265 past her limit"

# The monthly review: acuity rose for some. auto_assign gives each back to
# their last iLCM where that one has room, else by workload.
must POST "$LCM/auto_assign" '{"role":"ilcm","patient_ids":[1001,1012,1025,1038,1241,1242,1243,1244,1245,1246],
	"user_ids":[201,203,204,206,207,208,209,210,211,212],
	"reason":{"code":"acuity_change","note":"acuity rose at the monthly review"}}'
all_applied '[.assignments[] | select(.status != "assigned") | .patient_id]' "the auto-assign"
say "auto-assign: $(jq .assigned_count <<<"$BODY") iLCMs filled at the monthly review, $(jq '[.assignments[] | select(.continuity)] | length' <<<"$BODY") back to their last iLCM"

# Nadia leaves, her patients not yet moved: the queue's "held by a
# deactivated person".
admin user deactivate 213 >/dev/null
say "Nadia Rahman deactivated, still holding her patients"

finish
