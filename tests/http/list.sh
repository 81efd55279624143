# GET /v1/admin/clinic/ecm/lead_care_managers: who is listed, search, the
# role filter, the workload counts, order and pagination; and
# GET .../lead_care_managers/{user_id}: one person, as the list shows them.

P=/v1/admin/clinic/ecm
LCM=$P/lead_care_managers

# add_ecm_user ID NAME_SQL [ROLE...]: an active user holding ecm (and the
# given extra roles). NAME_SQL is an SQL expression, e.g. "'Ann'" or
# "CONCAT('a', CHAR(92), 'b')".
add_ecm_user() {
	local id=$1 name=$2 role
	shift 2
	db_sql "INSERT INTO users (id, name, email, active) VALUES ($id, $name, 'user$id@example.test', 1);
		INSERT INTO user_roles (user_id, role_id) SELECT $id, id FROM roles WHERE name = 'ecm'"
	for role in "$@"; do
		db_sql "INSERT IGNORE INTO roles (name) VALUES ('$role');
			INSERT INTO user_roles (user_id, role_id) SELECT $id, id FROM roles WHERE name = '$role'"
	done
}

# expect_ids QUERY IDS: GET the list with that query string; its ids, in
# order, are IDS (a JSON array). Leaves the response in BODY.
expect_ids() {
	req GET "$LCM${1:+?$1}"
	expect_status 200
	expect_json '[.lead_care_managers[].id]' "$2"
}

# The ids of the last response.
ids() {
	printf '%s' "$BODY" | jq -c '[.lead_care_managers[].id]'
}

assign() {
	req POST $LCM/assign "$1"
	expect_status 200
}

test_list_default_shows_only_active_ecm_users_ordered_by_name() {
	req GET $LCM
	expect_status 200
	expect_header content-type 'application/json; charset=utf-8'
	expect_json 'keys' '["lead_care_managers","pagination"]'
	# Bob Manager, Carla Intensive, Jane Coordinator, Nora Nurse (ecm, active).
	expect_json '[.lead_care_managers[].id]' '[102,103,101,2]'
	expect_json '.pagination' '{"current_page":1,"total_pages":1,"total_count":4,"per_page":25}'
}

# A worker whose connection first ran the list with role=olcm&available=true
# still lists everyone afterwards (MariaDB once made that first run's
# outer-join simplification permanent, losing Nora, who has no workload
# row). The workers' connections are killed so that each prepares anew.
test_list_filtered_first_does_not_stick() {
	local i counts=""
	db_sql "SELECT CONCAT('KILL ', id, ';') FROM information_schema.processlist WHERE user = 'lcm_app'" |
		db_sql "$(cat)" 2>/dev/null
	for i in $(seq 1 16); do
		req GET "$LCM?role=olcm&available=true"
	done
	for i in $(seq 1 16); do
		req GET $LCM
		counts="$counts$(printf '%s' "$BODY" | jq .pagination.total_count) "
	done
	expect_eq "16 default lists, on every worker" "$(printf '4 %.0s' $(seq 1 16))" "$counts"
}

# The same for the ecm role (a join once, the user's flag since db-schema
# 048): a default list first on every fresh connection must not make later
# inactive_with_patients lists lose a deactivated holder who no longer has
# the ecm role.
test_list_eligible_first_does_not_hide_inactive_without_ecm() {
	local i ids=""
	req POST $LCM/assign '{"patient_id":123,"olcm_user_id":101}'
	expect_status 200
	db_sql "UPDATE users SET active = 0 WHERE id = 101;
		DELETE FROM user_roles WHERE user_id = 101;
		SELECT CONCAT('KILL ', id, ';') FROM information_schema.processlist WHERE user = 'lcm_app'" |
		db_sql "$(cat)" 2>/dev/null
	for i in $(seq 1 16); do
		req GET $LCM
	done
	for i in $(seq 1 16); do
		req GET "$LCM?inactive_with_patients=true"
		ids="$ids$(printf '%s' "$BODY" | jq -c '[.lead_care_managers[].id]') "
	done
	expect_eq "16 inactive lists, on every worker" "$(printf '[101] %.0s' $(seq 1 16))" "$ids"
}

# The contract's fields with their values, and the caseload-limit fields
# (issue 9) beside them, nothing else.
test_list_row_shape_and_values() {
	req GET "$LCM?search=Jane"
	expect_status 200
	expect_json '[.lead_care_managers[] | {id, name, email, roles, assigned_patients_count, olcm_assignments_count, ilcm_assignments_count}]' \
		'[{"id":101,"name":"Jane Coordinator","email":"jane.coordinator@example.test","roles":["coordinator","ecm"],"assigned_patients_count":0,"olcm_assignments_count":0,"ilcm_assignments_count":0}]'
	expect_json '.lead_care_managers[0] | {max_olcm, max_ilcm, at_capacity}' \
		'{"max_olcm":null,"max_ilcm":null,"at_capacity":{"olcm":false,"ilcm":false}}'
	expect_json '.lead_care_managers[0] | keys' \
		'["assigned_patients_count","at_capacity","email","id","ilcm_assignments_count","ilcm_weighted_load","max_ilcm","max_ilcm_points","max_olcm","max_olcm_points","name","olcm_assignments_count","olcm_weighted_load","roles"]'
}

test_list_inactive_and_non_ecm_never_listed() {
	# 104 is inactive ecm, 105 lacks ecm: even holding case loads they stay out.
	db_sql "INSERT INTO case_loads (patient_id, provider_id, olcm_user_id, olcm_assigned_at,
		ilcm_user_id, ilcm_assigned_at, created_at, updated_at)
		VALUES (123, 456, 104, NOW(3), 105, NOW(3), NOW(3), NOW(3))"
	local q ids
	for q in "" "search=Ian" "search=Frank" "search=Inactive" "role=olcm" "role=ilcm" "per_page=100"; do
		req GET "$LCM${q:+?$q}"
		expect_status 200
		ids=$(ids)
		printf '%s' "$ids" | jq -e 'index(104) == null and index(105) == null' >/dev/null ||
			fail "query [$q] lists 104 or 105: $ids"
	done
	expect_ids search=Ian '[]'
	expect_ids role=olcm '[]'
	expect_ids role=ilcm '[]'
	expect_json '.pagination.total_count' 0
	# The admin (no ecm) is not listed either.
	expect_ids search=Ada '[]'
}

test_list_follows_user_state() {
	# Deactivating a user or taking its ecm role away drops it from the list.
	db_sql "UPDATE users SET active = 0 WHERE id = 101;
		DELETE FROM user_roles WHERE user_id = 103 AND role_id = (SELECT id FROM roles WHERE name = 'ecm')"
	expect_ids '' '[102,2]'
	expect_json '.pagination.total_count' 2
	# Giving 105 the ecm role and reactivating 104 lists them.
	db_sql "UPDATE users SET active = 1 WHERE id = 104;
		INSERT INTO user_roles (user_id, role_id) SELECT 105, id FROM roles WHERE name = 'ecm'"
	expect_ids '' '[102,105,104,2]'
}

test_list_roles_sorted_by_name() {
	# Role ids in an order unlike their names: sorting must be by name.
	db_sql "INSERT INTO roles (id, name) VALUES (10, 'zeta'), (11, 'alpha'), (12, 'mid')"
	add_ecm_user 200 "'Rolf Roles'" zeta mid alpha frontdesk
	req GET "$LCM?search=Rolf"
	expect_status 200
	expect_json '.lead_care_managers[0].roles' '["alpha","ecm","frontdesk","mid","zeta"]'
	req GET "$LCM?search=Bob"
	expect_json '.lead_care_managers[0].roles' '["coordinator","ecm"]'
	req GET "$LCM?search=Carla"
	expect_json '.lead_care_managers[0].roles' '["ecm"]'
}

test_list_order_name_then_id() {
	add_ecm_user 311 "'Dup Name'"
	add_ecm_user 309 "'Dup Name'"
	add_ecm_user 310 "'Dup Name'"
	add_ecm_user 320 "'Abe First'"
	add_ecm_user 90 "'Zed Last'"
	expect_ids '' '[320,102,103,309,310,311,101,2,90]'
	# Pages cut the same order, through the tie.
	expect_ids 'per_page=4&page=1' '[320,102,103,309]'
	expect_ids 'per_page=4&page=2' '[310,311,101,2]'
	expect_ids 'per_page=4&page=3' '[90]'
	expect_ids 'search=Dup' '[309,310,311]'
}

test_list_pagination_defaults() {
	local i
	for i in $(seq 501 530); do add_ecm_user "$i" "'Extra User $i'"; done
	req GET $LCM
	expect_status 200
	expect_json '.lead_care_managers | length' 25
	expect_json '.pagination' '{"current_page":1,"total_pages":2,"total_count":34,"per_page":25}'
	req GET "$LCM?page=2"
	expect_json '.lead_care_managers | length' 9
	expect_json '.pagination' '{"current_page":2,"total_pages":2,"total_count":34,"per_page":25}'
	req GET "$LCM?per_page=100"
	expect_json '.lead_care_managers | length' 34
	expect_json '.pagination' '{"current_page":1,"total_pages":1,"total_count":34,"per_page":100}'
	req GET "$LCM?per_page=1&page=34"
	expect_json '.lead_care_managers | length' 1
	expect_json '.pagination' '{"current_page":34,"total_pages":34,"total_count":34,"per_page":1}'
	# Pages do not overlap and together are the whole list.
	local all p1 p2
	req GET "$LCM?per_page=100"
	all=$(ids)
	req GET "$LCM?page=1"
	p1=$(ids)
	req GET "$LCM?page=2"
	p2=$(ids)
	expect_eq "page 1 + page 2" "$all" "$(jq -cn --argjson a "$p1" --argjson b "$p2" '$a + $b')"
}

test_list_total_pages_is_ceil() {
	# 4 users listed.
	local pp want
	for pp in 1 2 3 4 5 100; do
		want=$(((4 + pp - 1) / pp))
		req GET "$LCM?per_page=$pp"
		expect_status 200
		expect_json '.pagination.total_pages' "$want"
		expect_json '.pagination.per_page' "$pp"
		expect_json '.pagination.total_count' 4
		expect_json '.lead_care_managers | length' "$((pp < 4 ? pp : 4))"
	done
}

test_list_nothing_matches_total_pages_zero() {
	req GET "$LCM?search=nobody-has-this-name"
	expect_status 200
	expect_json '.' '{"lead_care_managers":[],"pagination":{"current_page":1,"total_pages":0,"total_count":0,"per_page":25}}'
	req GET "$LCM?role=olcm&per_page=7"
	expect_status 200
	expect_json '.' '{"lead_care_managers":[],"pagination":{"current_page":1,"total_pages":0,"total_count":0,"per_page":7}}'
}

test_list_page_past_the_end_is_empty() {
	req GET "$LCM?per_page=2&page=3"
	expect_status 200
	expect_json '.' '{"lead_care_managers":[],"pagination":{"current_page":3,"total_pages":2,"total_count":4,"per_page":2}}'
	req GET "$LCM?page=1000"
	expect_status 200
	expect_json '.' '{"lead_care_managers":[],"pagination":{"current_page":1000,"total_pages":1,"total_count":4,"per_page":25}}'
	req GET "$LCM?page=9223372036854775807&per_page=100"
	expect_status 200
	expect_json '.lead_care_managers' '[]'
	expect_json '.pagination | del(.current_page)' '{"total_pages":1,"total_count":4,"per_page":100}'
	# jq may round integers this large: read the raw body.
	case $BODY in
	*'"current_page":9223372036854775807,'* | *'"current_page": 9223372036854775807,'*) ;;
	*) fail "current_page is not 9223372036854775807: $BODY" ;;
	esac
	# Past the end of nothing.
	req GET "$LCM?search=zzzz&page=2"
	expect_status 200
	expect_json '.' '{"lead_care_managers":[],"pagination":{"current_page":2,"total_pages":0,"total_count":0,"per_page":25}}'
}

# The error names page (as a word, not per_page).
NAMES_PAGE='.errors | length == 1 and (.[0] | test("(^|[^_a-z])page([^_a-z]|$)"))'
NAMES_PER_PAGE='.errors | length == 1 and (.[0] | test("per_page"))'

test_list_page_validation() {
	local v
	for v in 0 -1 abc 1.5 '' 1e2 ' 1' '0x1' 9223372036854775808 99999999999999999999; do
		req GET "$LCM?page=$(jq -rn --arg v "$v" '$v | @uri')"
		expect_error 422
		expect_json "$NAMES_PAGE" true
	done
	for v in 1 2 50; do
		req GET "$LCM?page=$v"
		expect_status 200
		expect_json '.pagination.current_page' "$v"
	done
}

test_list_per_page_validation() {
	local v
	for v in 0 101 -1 1000 abc 2.5 '' 1e1; do
		req GET "$LCM?per_page=$(jq -rn --arg v "$v" '$v | @uri')"
		expect_error 422
		expect_json "$NAMES_PER_PAGE" true
	done
	for v in 1 100; do
		req GET "$LCM?per_page=$v"
		expect_status 200
		expect_json '.pagination.per_page' "$v"
	done
}

test_list_page_and_per_page_both_bad_names_both() {
	req GET "$LCM?page=0&per_page=0"
	expect_error 422
	expect_json '.errors | any(test("per_page"))' true
	expect_json '.errors | any(test("(^|[^_a-z])page([^_a-z]|$)"))' true
}

test_list_search_case_insensitive_substring() {
	expect_ids search=jane '[101]'
	expect_ids search=JANE '[101]'
	expect_ids search=oORdInAt '[101]'
	# A substring in the middle, across a space.
	expect_ids 'search=b%20manager' '[102]'
	expect_ids 'search=b+manager' '[102]'
	# "an" is in Bob Manager and Jane Coordinator only.
	expect_ids search=an '[102,101]'
	expect_json '.pagination.total_count' 2
	expect_ids search=xyz '[]'
	# An empty search is no filter.
	expect_ids search= '[102,103,101,2]'
}

test_list_search_wildcards_match_literally() {
	add_ecm_user 201 "'Pct 100% Sure'"
	add_ecm_user 202 "'Pct 100 Sure'"
	add_ecm_user 203 "'Under_Score'"
	add_ecm_user 204 "'UnderXScore'"
	add_ecm_user 205 "CONCAT('Back', CHAR(92), 'Slash')"
	add_ecm_user 206 "'BackSlash'"
	add_ecm_user 207 "'Bang!Name'"
	add_ecm_user 208 "'BangName'"
	add_ecm_user 209 "'Dan O''Brien'"
	expect_eq "stored name with one backslash" 'Back.Slash 10' \
		"$(db_sql "SELECT REPLACE(name, CHAR(92), '.'), LENGTH(name) FROM users WHERE id = 205" | tr '\t' ' ')"
	# % matches only itself.
	expect_ids search=%25 '[201]'
	expect_ids search=0%25 '[201]'
	expect_ids search=0%25%20s '[201]'
	# _ matches only itself.
	expect_ids search=_ '[203]'
	expect_ids search=r_s '[203]'
	# \ matches only itself, and escapes nothing.
	expect_ids search=%5C '[205]'
	expect_ids search=k%5Cs '[205]'
	expect_ids search=%5C%25 '[]'
	expect_ids search=%5C_ '[]'
	# The other usual escape characters too.
	expect_ids search=! '[207]'
	expect_ids search=g!n '[207]'
	expect_ids search=!%25 '[]'
	expect_ids search=bang '[207,208]'
	expect_ids "search=o'b" '[209]'
	expect_ids "search=%27" '[209]'
}

test_list_role_filter_current_assignments() {
	assign '{"patient_id":123,"olcm_user_id":101,"ilcm_user_id":102}'
	assign '{"patient_id":124,"olcm_user_id":103}'
	expect_ids role=olcm '[103,101]'
	expect_json '.pagination.total_count' 2
	expect_ids role=ilcm '[102]'
	expect_json '.pagination' '{"current_page":1,"total_pages":1,"total_count":1,"per_page":25}'
	# Combined with search.
	expect_ids 'role=olcm&search=carla' '[103]'
	expect_ids 'role=ilcm&search=carla' '[]'
	# "Currently": once removed or replaced, the user no longer qualifies.
	req DELETE $LCM/assign '{"patient_id":124,"role":"olcm"}'
	expect_status 200
	expect_ids role=olcm '[101]'
	assign '{"patient_id":123,"ilcm_user_id":103}'
	expect_ids role=ilcm '[103]'
	# The row still carries the full counts.
	req GET "$LCM?role=olcm"
	expect_json '.lead_care_managers[0] | [.id, .olcm_assignments_count, .ilcm_assignments_count]' '[101,1,0]'
}

test_list_role_filter_invalid_422() {
	local v
	for v in OLCM Olcm both x lcm olcm,ilcm 1 ""; do
		req GET "$LCM?role=$v"
		expect_error 422
		expect_json '.errors | length == 1 and (.[0] | test("role"))' true
	done
}

test_list_counts() {
	# 101: oLCM of 123 and 124, iLCM of 123 and 125 -> 2, 2, patients 123,124,125 = 3.
	assign '{"patient_id":123,"olcm_user_id":101,"ilcm_user_id":101}'
	assign '{"patient_id":124,"olcm_user_id":101}'
	assign '{"patient_id":125,"ilcm_user_id":101}'
	assign '{"patient_id":126,"ilcm_user_id":102}'
	req GET $LCM
	expect_status 200
	expect_json '.lead_care_managers | map({key: (.id|tostring), value: [.olcm_assignments_count, .ilcm_assignments_count, .assigned_patients_count]}) | from_entries' \
		'{"102":[0,1,1],"103":[0,0,0],"101":[2,2,3],"2":[0,0,0]}'
}

test_list_counts_user_in_both_roles_of_one_patient_counts_once() {
	assign '{"patient_id":126,"olcm_user_id":103,"ilcm_user_id":103}'
	req GET "$LCM?search=Carla"
	expect_json '.lead_care_managers[0] | [.olcm_assignments_count, .ilcm_assignments_count, .assigned_patients_count]' '[1,1,1]'
	# Move the oLCM role away: still one patient, now only as iLCM.
	assign '{"patient_id":126,"olcm_user_id":101}'
	req GET "$LCM?search=Carla"
	expect_json '.lead_care_managers[0] | [.olcm_assignments_count, .ilcm_assignments_count, .assigned_patients_count]' '[0,1,1]'
	req GET "$LCM?search=Jane"
	expect_json '.lead_care_managers[0] | [.olcm_assignments_count, .ilcm_assignments_count, .assigned_patients_count]' '[1,0,1]'
}

test_list_counts_follow_removals() {
	assign '{"patient_id":123,"olcm_user_id":102,"ilcm_user_id":102}'
	assign '{"patient_id":124,"olcm_user_id":102}'
	req DELETE $LCM/assign '{"patient_id":123,"role":"olcm"}'
	expect_status 200
	req GET "$LCM?search=Bob"
	expect_json '.lead_care_managers[0] | [.olcm_assignments_count, .ilcm_assignments_count, .assigned_patients_count]' '[1,1,2]'
	req DELETE $LCM/assign '{"patient_id":123,"role":"ilcm"}'
	req GET "$LCM?search=Bob"
	expect_json '.lead_care_managers[0] | [.olcm_assignments_count, .ilcm_assignments_count, .assigned_patients_count]' '[1,0,1]'
}

# The list by name with no filter but the search runs a statement of its
# own (lcm_page_by_name, which reads workloads and limits for its page
# only): it answers what lcm_page, the list of every filter and sort,
# answers for the same parameters, row for row, among users of every kind
# (deactivated, without the ecm role, with workloads and limits), for the
# whole list, its pages and a search.
test_list_by_name_is_the_list_of_every_filter_unfiltered() {
	local general lean args pat
	if ! general=$(catalogue_sql lcm_page 2>&1) || ! lean=$(catalogue_sql lcm_page_by_name 2>&1); then
		fail "the catalogue's statements could not be printed: $general $lean"
		return
	fi
	db_sql "INSERT INTO users (id, name, email, active)
			SELECT 1000 + seq, CONCAT('Member ', seq % 17), CONCAT('m', seq, '@example.test'), seq % 7 <> 0
			FROM seq_1_to_60;
		INSERT INTO user_roles (user_id, role_id) SELECT 1000 + seq, id FROM seq_1_to_60, roles
			WHERE name = 'ecm' AND seq % 5 <> 0;
		INSERT INTO lcm_workload (user_id, olcm_count, ilcm_count, both_count, olcm_medium, olcm_high)
			SELECT 1000 + seq, seq % 4, seq % 3, seq % 2, seq % 2, seq % 3 = 0 FROM seq_1_to_60 WHERE seq % 3 <> 1;
		INSERT INTO lcm_capacity (user_id, max_olcm, max_ilcm, max_olcm_points, updated_at, updated_by)
			SELECT 1000 + seq, seq % 5, NULL, IF(seq % 2, 9, NULL), NOW(3), 1 FROM seq_1_to_60 WHERE seq % 4 = 0"
	for args in "'%'|25|0" "'%'|25|25" "'%'|100|0" "'%ember 1%'|10|0" "'%ember 1%'|10|10" "'%nobody%'|25|0"; do
		pat=${args%%|*}
		args=${args#*|}
		expect_eq "the list by name of $pat, $args" \
			"$(db_sql "$(bind_sql "$general" "$pat" NULL 0 0 "'name'" "${args%|*}" "${args#*|}")")" \
			"$(db_sql "$(bind_sql "$lean" "$pat" NULL 0 0 "'name'" "${args%|*}" "${args#*|}")")"
	done
	expect_eq "users listed by name" 45 "$(db_sql "$(bind_sql "$lean" "'%'" NULL 0 0 "'name'" 100 0)" | wc -l)"
}

test_list_requires_admin() {
	TOKEN=dev-user-token
	req GET $LCM
	expect_error 403 '["Admin access required"]'
	TOKEN=""
	req GET $LCM
	expect_error 401 '["Authentication required"]'
	# Auth before validation.
	req GET "$LCM?page=0"
	expect_error 401
}

# A page past the end is empty and still says how many there are, whether
# its offset fits or would overflow; and so is a search that finds nobody.
test_list_pages_past_the_end_keep_the_total() {
	local page
	for page in 2 99 4611686018427387904 9223372036854775807; do
		req GET "$LCM?page=$page&per_page=100"
		expect_status 200
		expect_json '[(.lead_care_managers | length), .pagination.total_count]' '[0,4]'
		# jq reads numbers as doubles: the page, as sent, in the raw body.
		case $BODY in *"\"current_page\":$page,"*) ;; *) fail "page $page: $BODY" ;; esac
	done
	req GET "$LCM?search=nobody-is-called-this"
	expect_json '[(.lead_care_managers | length), .pagination.total_count]' '[0,0]'
}

# ---- GET .../lead_care_managers/{user_id}: one person ----------------------

# expect_one_is_listed ID QUERY: GET $LCM/ID answers, byte for byte once
# sorted, the entry of ID in the list with QUERY.
expect_one_is_listed() {
	local listed
	req GET "$LCM?per_page=100${2:+&$2}"
	expect_status 200
	listed=$(printf '%s' "$BODY" | jq -cS --argjson id "$1" '.lead_care_managers[] | select(.id == $id)')
	[ -n "$listed" ] || fail "user $1 is not in the list ?$2: $BODY"
	req GET "$LCM/$1"
	expect_status 200
	expect_header content-type 'application/json; charset=utf-8'
	expect_eq "GET $LCM/$1 against its list entry" "$listed" "$(printf '%s' "$BODY" | jq -cS .)"
}

# Every person the list shows answers their list entry: counts, limits,
# at_capacity, roles, and nothing else.
test_one_person_is_their_list_entry() {
	local id
	req POST $LCM/assign '{"patient_id":123,"olcm_user_id":101,"ilcm_user_id":101}'
	expect_status 200
	req POST $LCM/assign '{"patient_id":124,"olcm_user_id":101,"ilcm_user_id":102}'
	expect_status 200
	req PUT $LCM/101/capacity '{"max_olcm":2,"max_ilcm":null}'
	expect_status 200
	req PUT $LCM/102/capacity '{"max_olcm":0,"max_ilcm":5}'
	expect_status 200
	for id in 101 102 103 2; do
		expect_one_is_listed $id
	done
	req GET $LCM/101
	expect_json '{id, name, olcm_assignments_count, ilcm_assignments_count, assigned_patients_count, max_olcm, max_ilcm, at_capacity}' \
		'{"id":101,"name":"Jane Coordinator","olcm_assignments_count":2,"ilcm_assignments_count":1,"assigned_patients_count":2,"max_olcm":2,"max_ilcm":null,"at_capacity":{"olcm":true,"ilcm":false}}'
	expect_json 'has("active")' false
	# It follows a change at once.
	req DELETE $LCM/assign '{"patient_id":124,"role":"olcm"}'
	expect_status 200
	expect_one_is_listed 101
	req GET $LCM/101
	expect_json '[.olcm_assignments_count, .at_capacity.olcm]' '[1,false]'
}

# A deactivated person still holding patients is found, active false, as
# inactive_with_patients=true lists them; once they hold nobody, not.
test_one_deactivated_holder_is_found_inactive() {
	req POST $LCM/assign '{"patient_id":123,"olcm_user_id":101}'
	expect_status 200
	db_sql "UPDATE users SET active = 0 WHERE id = 101"
	expect_one_is_listed 101 inactive_with_patients=true
	req GET $LCM/101
	expect_json '[.id, .active, .olcm_assignments_count, .roles]' '[101,false,1,["coordinator","ecm"]]'
	req DELETE $LCM/assign '{"patient_id":123,"role":"olcm"}'
	expect_status 200
	req GET $LCM/101
	expect_error 404 '["User not found"]'
}

# Nobody else: no such user, or one neither eligible nor holding patients
# (the admin without ecm, Ian Inactive, Frank Frontdesk without ecm).
test_one_unknown_or_not_eligible_without_patients_is_404() {
	local id
	for id in 999999 9223372036854775807 1 104 105; do
		req GET $LCM/$id
		expect_error 404 '["User not found"]'
	done
	# Holding patients, they are found whatever their state (as the patient's
	# care team names them): Ian deactivated, Frank without ecm.
	db_sql "INSERT INTO case_loads (patient_id, provider_id, olcm_user_id, olcm_assigned_at,
		ilcm_user_id, ilcm_assigned_at, created_at, updated_at)
		VALUES (123, 456, 104, NOW(3), 105, NOW(3), NOW(3), NOW(3))"
	req GET $LCM/104
	expect_status 200
	expect_json '[.id, .active, .olcm_assignments_count, .ilcm_assignments_count]' '[104,false,1,0]'
	req GET $LCM/105
	expect_status 200
	expect_json '[.id, has("active"), .roles, .ilcm_assignments_count]' '[105,false,["frontdesk"],1]'
	expect_json 'keys' '["assigned_patients_count","at_capacity","email","id","ilcm_assignments_count","ilcm_weighted_load","max_ilcm","max_ilcm_points","max_olcm","max_olcm_points","name","olcm_assignments_count","olcm_weighted_load","roles"]'
}

# An id is the canonical decimal of every {id} route: anything else is no
# path (404 "Not found"), as for the patient's routes; other methods 405.
test_one_bad_ids_methods_and_neighbours() {
	local id m
	for id in abc 0 -1 +1 01 1.5 1e2 101x 9223372036854775808 99999999999999999999; do
		req GET "$LCM/$id"
		expect_error 404 '["Not found"]'
	done
	for m in POST PUT DELETE PATCH; do
		req $m $LCM/101 '{}'
		expect_error 405 '["Method not allowed"]'
		expect_header allow 'GET, HEAD'
	done
	# The literal paths beside it are still theirs.
	req GET $LCM/assign
	expect_error 405
	expect_header allow 'POST, PUT, DELETE'
	req GET $LCM/assignments.csv
	expect_status 200
	expect_header content-type 'text/csv; charset=utf-8'
	req GET $LCM/101/patients
	expect_status 200
}

# Auth first, as everywhere: 401 without a token (even for a user that is
# not there), 403 for a non-admin.
test_one_requires_admin() {
	TOKEN=""
	req GET $LCM/101
	expect_error 401 '["Authentication required"]'
	req GET $LCM/999999
	expect_error 401 '["Authentication required"]'
	TOKEN=dev-user-token
	req GET $LCM/101
	expect_error 403 '["Admin access required"]'
}

# Like the list, it shows no patient: no PHI access-log record (a care
# team read beside it is, to show the records were written).
test_one_leaves_no_access_record() {
	local one team
	req POST $LCM/assign '{"patient_id":123,"olcm_user_id":101}'
	expect_status 200
	req GET $LCM/101
	expect_status 200
	one=$(request_id)
	req GET $P/patients/123/lead_care_managers
	expect_status 200
	team=$(request_id)
	all_records_written
	expect_eq "the care team read's record" 1 "$(db_sql "SELECT COUNT(*) FROM phi_access_log WHERE request_id = '$team'")"
	expect_eq "the person read's records" 0 "$(db_sql "SELECT COUNT(*) FROM phi_access_log WHERE request_id = '$one'")"
}

# One person is one read by key whatever the number of users: the
# statement (lcm_one, as the catalogue has it) finds every table by its
# primary or a unique key, none scanned, among 3,000 users with limits.
test_one_is_read_by_key_not_by_scan() {
	local sql plan
	if ! sql=$(catalogue_sql lcm_one 2>&1); then
		fail "the catalogue's statement could not be printed: $sql"
		return
	fi
	db_sql "INSERT INTO users (id, name, email, active)
		SELECT 1000 + seq, CONCAT('User ', seq), CONCAT('u', seq, '@example.test'), 1 FROM seq_1_to_3000;
		INSERT INTO user_roles (user_id, role_id) SELECT 1000 + seq, id FROM seq_1_to_3000, roles WHERE name = 'ecm';
		INSERT INTO lcm_capacity (user_id, max_olcm, max_ilcm, updated_at, updated_by)
		SELECT 1000 + seq, 5, NULL, NOW(3), 1 FROM seq_1_to_3000;
		ANALYZE TABLE users, user_roles, roles, lcm_capacity, lcm_workload" >/dev/null
	case $sql in *'WHERE u.id = ?'*) ;; *) fail "lcm_one is not keyed by u.id: $sql"; return ;; esac
	plan=$(db_sql "EXPLAIN ${sql/\?/2500}" | awk -F'\t' '{print $3 ":" $4 ":" $6}')
	[ -n "$plan" ] || fail "no plan for lcm_one"
	# Every row a const, eq_ref or ref on a key: no ALL, index or range.
	expect_eq "tables read otherwise than by key, in [$(echo $plan)]" "" \
		"$(echo "$plan" | awk -F: '$2 !~ /^(const|eq_ref|ref)$/ || $3 == "NULL"')"
	req GET $LCM/2500
	expect_status 200
	expect_json '[.id, .max_olcm, .max_ilcm]' '[2500,5,null]'
}
