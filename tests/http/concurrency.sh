# Two admins (here sixty) writing one patient at once: one case load, no
# 500, and an activity trail that replays to the final state.

LCM=/v1/admin/clinic/ecm/lead_care_managers

# send_until_answered METHOD BODYFILE: one client's write, sent again while
# it is answered 503 with Retry-After (a write that waited on a lock while
# the pool's waiting slots were full gives up so: "try again"), 30 times at
# most; the last status, then how many 503s came before it.
send_until_answered() {
	local i st n503=0
	for i in $(seq 1 30); do
		st=$(curl -s -o /dev/null -D "$2.h" -w '%{http_code}' -X "$1" -H 'X-User-Token: dev-admin-token' \
			-H 'Content-Type: application/json' --data-binary "@$2" "$BASE$LCM/assign")
		[ "$st" = 503 ] && grep -qi '^retry-after:' "$2.h" || break
		n503=$((n503 + 1))
		sleep 0.2
	done
	echo "$st $n503"
}

# fire N METHOD BODY-TEMPLATE...: N concurrent clients, each sending its
# body until it is answered (send_until_answered); the final statuses into
# $T_TMP/statuses, the 503s that came first counted in $T_TMP/retried.
# Each body is chosen round-robin from the templates.
fire() {
	local n=$1 method=$2 i pids=()
	shift 2
	local bodies=("$@")
	: >"$T_TMP/statuses"
	for i in $(seq 1 "$n"); do
		printf '%s' "${bodies[$((i % ${#bodies[@]}))]}" >"$T_TMP/fire.$i"
		send_until_answered "$method" "$T_TMP/fire.$i" >"$T_TMP/fire.$i.out" &
		pids+=($!)
	done
	wait "${pids[@]}"   # its own clients: a caller's other background job is the caller's to wait for
	for i in $(seq 1 "$n"); do
		cut -d' ' -f1 "$T_TMP/fire.$i.out" >>"$T_TMP/statuses"
	done
	cat "$T_TMP"/fire.*.out | awk '{ n += $2 } END { print n + 0 }' >"$T_TMP/retried"
	[ "$(cat "$T_TMP/retried")" = 0 ] || echo "    $(cat "$T_TMP/retried") answers were 503 'try again' first" >&2
	rm -f "$T_TMP"/fire.*
}

test_concurrent_first_assignments_make_one_case_load() {
	fire 60 POST \
		'{"patient_id":124,"olcm_user_id":101,"ilcm_user_id":102}' \
		'{"patient_id":124,"olcm_user_id":102,"ilcm_user_id":103}' \
		'{"patient_id":124,"olcm_user_id":103}' \
		'{"patient_id":124,"ilcm_user_id":101,"reason":"cover"}'
	expect_eq "requests" 60 "$(wc -l <"$T_TMP/statuses")"
	expect_eq "non-200 answers" "" "$(grep -v '^200$' "$T_TMP/statuses" | sort | uniq -c)"
	expect_eq "case loads of 124" 1 "$(db_sql 'SELECT COUNT(*) FROM case_loads WHERE patient_id = 124')"
	expect_trail_consistent 124 olcm
	expect_trail_consistent 124 ilcm
}

test_concurrent_mixed_writes_keep_trail_consistent() {
	req POST $LCM/assign '{"patient_id":125,"olcm_user_id":101,"ilcm_user_id":102}'
	expect_status 200
	: >"$T_TMP/all"
	fire 20 PUT '{"patient_id":125,"olcm_user_id":102}' '{"patient_id":125,"ilcm_user_id":103}' &
	local a=$!
	cp /dev/null "$T_TMP/statuses2"
	for i in $(seq 1 20); do
		printf '{"patient_id":125,"role":"%s"}' "$([ $((i % 2)) = 0 ] && echo olcm || echo ilcm)" >"$T_TMP/del.$i"
		send_until_answered DELETE "$T_TMP/del.$i" >"$T_TMP/del.$i.out" &
	done
	wait
	for i in $(seq 1 20); do cut -d' ' -f1 "$T_TMP/del.$i.out" >>"$T_TMP/statuses2"; done
	cat "$T_TMP/statuses" "$T_TMP/statuses2" >"$T_TMP/all"
	expect_eq "requests" 40 "$(wc -l <"$T_TMP/all")"
	expect_eq "non-200 answers" "" "$(grep -v '^200$' "$T_TMP/all" | sort | uniq -c)"
	expect_eq "case loads of 125" 1 "$(db_sql 'SELECT COUNT(*) FROM case_loads WHERE patient_id = 125')"
	expect_trail_consistent 125 olcm
	expect_trail_consistent 125 ilcm
}

test_concurrent_bulk_and_single_on_same_patients() {
	local items
	items=$(jq -nc '{assignments: [range(0; 200) | {patient_id: (123 + (. % 4)), olcm_user_id: (101 + (. % 3))}]}')
	: >"$T_TMP/statuses"
	(curl -s -o /dev/null -w '%{http_code}\n' -X POST -H 'X-User-Token: dev-admin-token' \
		-H 'Content-Type: application/json' --data-binary "$items" \
		"$BASE$LCM/bulk_assign" >"$T_TMP/bulk_status") &
	local b=$!
	fire 30 POST '{"patient_id":123,"ilcm_user_id":103}' '{"patient_id":126,"olcm_user_id":102}'
	wait $b
	expect_eq "bulk status" 200 "$(cat "$T_TMP/bulk_status")"
	expect_eq "non-200 singles" "" "$(grep -v '^200$' "$T_TMP/statuses" | sort | uniq -c)"
	expect_eq "one case load per patient" 4 "$(db_sql 'SELECT COUNT(DISTINCT patient_id) FROM case_loads')"
	expect_eq "case loads" 4 "$(db_sql 'SELECT COUNT(*) FROM case_loads')"
	local p
	for p in 123 124 125 126; do
		expect_trail_consistent $p olcm
		expect_trail_consistent $p ilcm
	done
}
