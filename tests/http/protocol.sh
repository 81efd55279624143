# HTTP itself: HEAD wherever GET is, and what nginx answers on its own.

P=/v1/admin/clinic/ecm
LCM=$P/lead_care_managers

# pr_raw METHOD PATH [HEADER...]: one request on its own connection, as
# written (send_raw: STATUS, HEADERS, BODY), with the admin's token unless
# TOKEN is empty.
pr_raw() {
	local m=$1 path=$2 h="" x
	shift 2
	[ -n "$TOKEN" ] && h="X-User-Token: $TOKEN\r\n"
	for x in "$@"; do h="$h$x\r\n"; done
	LAST_REQ="$m $path $*"
	send_raw "$m $path HTTP/1.1\r\nHost: x\r\n${h}Connection: close\r\n\r\n"
}

# The headers a HEAD must repeat from GET (Date, the request id, and the
# framing of a streamed body aside).
pr_headers() {
	printf '%s\n' "$HEADERS" | grep -vE '^(date|x-request-id|connection|transfer-encoding): ' | sort
}

# pr_same_as_get PATH [SKIP_LENGTH] [HEADER...]: HEAD answers PATH with
# GET's status and headers, and no body.
pr_same_as_get() {
	local path=$1 skip=${2:-} get_status get_headers
	shift 2 2>/dev/null || shift
	pr_raw GET "$path" "$@"
	get_status=$STATUS
	get_headers=$(pr_headers)
	[ -z "$skip" ] || get_headers=$(printf '%s\n' "$get_headers" | grep -v '^content-length: ')
	pr_raw HEAD "$path" "$@"
	expect_eq "HEAD $path: status" "$get_status" "$STATUS"
	if [ -z "$skip" ]; then
		expect_eq "HEAD $path: headers" "$get_headers" "$(pr_headers)"
	else
		expect_eq "HEAD $path: headers" "$get_headers" "$(pr_headers | grep -v '^content-length: ')"
	fi
	expect_eq "HEAD $path: body" "" "$BODY"
}

# A health probe's HEAD: 200, no body, and 503 when GET would say so is
# covered by the outage tests' GET (HEAD runs the same handler).
test_head_healthz_200_without_body() {
	TOKEN=""
	pr_raw HEAD /healthz
	expect_status 200
	expect_eq "body" "" "$BODY"
	expect_header content-type 'application/json; charset=utf-8'
	expect_header content-length 15
	pr_same_as_get /healthz
}

# Every GET route answers HEAD with GET's status and headers (Content-Type,
# Content-Length, ETag, Content-Disposition...), errors included, and no body.
test_head_every_get_route_as_get_without_body() {
	local etag path
	req POST $LCM/assign '{"patient_id":123,"olcm_user_id":101}'
	expect_status 200
	etag=$(header etag)
	for path in "$LCM" "$LCM?role=olcm&per_page=2" "$LCM?page=x" \
		"$LCM/101" "$LCM/999999" "$LCM/101/patients" "$LCM/999999/patients" \
		"$LCM/assignments.csv" "$LCM/assignments.csv?role=x" \
		"$P/patients" "$P/patients?unassigned=olcm" "$P/patients/summary" \
		"$P/patients/123/lead_care_managers" "$P/patients/999999/lead_care_managers" \
		"$P/patients/123/lead_care_managers/history" "$P/openapi.json" \
		"$P/nothing" "/nothing"; do
		pr_same_as_get "$path"
	done
	# A listing of the access log shows its own request: its length may differ.
	pr_same_as_get "$P/patients/123/access_log" skip-length
	# A conditional HEAD is a 304 as the GET is.
	pr_same_as_get "$P/patients/123/lead_care_managers" "" "If-None-Match: $etag"
	expect_status 304
	# Refusals too: no token, a non-admin.
	TOKEN=""
	pr_same_as_get "$P/patients/123/lead_care_managers"
	expect_status 401
	TOKEN=dev-user-token
	pr_same_as_get "$LCM"
	expect_status 403
}

# pr_records REQUEST_ID: the access log records of one request.
pr_records() {
	db_sql "SELECT COUNT(*) FROM phi_access_log WHERE request_id = '$1'"
}

# HEAD of the export answers its headers without reading any assignment:
# nothing is exported, so nothing is logged (a GET after it is, at once).
test_head_export_reads_nothing() {
	local head_id get_id i
	req POST $LCM/assign '{"patient_id":123,"olcm_user_id":101}'
	expect_status 200
	pr_raw HEAD "$LCM/assignments.csv"
	expect_status 200
	expect_header content-type 'text/csv; charset=utf-8'
	expect_eq "body" "" "$BODY"
	head_id=$(request_id)
	pr_raw GET "$LCM/assignments.csv"
	expect_status 200
	get_id=$(request_id)
	for i in $(seq 1 300); do
		[ "$(pr_records "$get_id")" = 1 ] && break
		sleep 0.1
	done
	expect_eq "the GET's export record" 1 "$(pr_records "$get_id")"
	expect_eq "the HEAD's export records" 0 "$(pr_records "$head_id")"
}

# Where GET is allowed, Allow names HEAD too; HEAD where GET is not is a 405.
test_head_in_allow_and_refused_where_get_is_not() {
	local p
	for p in "$P/patients/123/lead_care_managers" "$P/patients/123/access_log" "$LCM" \
		"$LCM/101" "$LCM/101/patients" "$LCM/assignments.csv" "$P/patients" "$P/patients/summary" /healthz; do
		send "$p" -X PATCH
		expect_error 405 '["Method not allowed"]'
		expect_header allow 'GET, HEAD'
	done
	for p in "$LCM/assign=POST, PUT, DELETE" "$LCM/bulk_assign=POST" "$LCM/transfer=POST" \
		"$LCM/auto_assign=POST" "$LCM/101/capacity=PUT"; do
		pr_raw HEAD "${p%%=*}"
		expect_status 405
		expect_header allow "${p#*=}"
		expect_header content-type 'application/json; charset=utf-8'
		expect_eq "body of HEAD ${p%%=*}" "" "$BODY"
	done
}

# --- one normalisation: nginx and the workers agree on which paths exist ---

# pr_view METHOD PATH: send it (the path as is); VIEW is "STATUS ALLOW",
# and the answer must be the error envelope of a 404 or a 405.
pr_view() {
	send "$2" -X "$1"
	VIEW="$STATUS $(header allow)"
	case $STATUS in
	404) expect_error 404 '["Not found"]' ;;
	*) expect_error 405 '["Method not allowed"]' ;;
	esac
}

# nginx answers TRACE itself, from its map; the workers (and nginx's static
# openapi.json) answer OPTIONS. For any path the two must say the same:
# the same 404, or the same 405 with the same Allow. Today's regressions
# (issue 12): nginx's map read the raw URI, so //v1/... was a 404 there
# and a 405 in the worker; %2F was a separator to the worker only; "0123"
# was an id to the map only.
test_nginx_and_workers_agree_on_paths() {
	local p base=$P/patients want
	for p in "$base/123/lead_care_managers" "/$base/123/lead_care_managers" \
		"/v1//admin/clinic/ecm/patients/123/lead_care_managers" \
		"/v1/admin/./clinic/ecm/patients/123/lead_care_managers" \
		"/v1/admin/x/../clinic/ecm/patients/123/lead_care_managers" \
		"$base/%31%32%33/lead_care_managers" "$base/0123/lead_care_managers" \
		"$base/00000000000000000123/lead_care_managers" "$base/0/lead_care_managers" \
		"$base/9223372036854775807/lead_care_managers" "$base/9223372036854775808/lead_care_managers" \
		"$base/123%2Flead_care_managers" "$base/123%2flead_care_managers" \
		"/v1/admin/clinic/ecm%2Fpatients/123/lead_care_managers" \
		"$base/123/lead_care_managers?x=%2F" "$base/123/lead_care_managers/history" \
		"$base/0123/access_log" "$base/summary" "$base/summary/" "$base" "$base/" \
		"$LCM" "$LCM/" "$LCM/assign" "$LCM//assign" "$LCM/assign/" "$LCM/bulk_assign" \
		"$LCM/101/capacity" "$LCM/0101/capacity" "$LCM/101/patients" "$LCM/101%2Fpatients" \
		"$LCM/assignments.csv" "$LCM/assignments%2Ecsv" "$LCM/transfer" "$LCM/auto_assign" \
		"$P/openapi.json" "/$P/openapi.json" "$P%2Fopenapi.json" "$P/nothing" "$P/" "/v1" \
		"/healthz" "//healthz" "/healthz%2F" "/healthz/" "/" "/V1/admin/clinic/ecm/patients"; do
		pr_view OPTIONS "$p"
		want=$VIEW
		pr_view TRACE "$p"
		expect_eq "TRACE and OPTIONS of $p" "$want" "$VIEW"
	done
}

# The canonical id is the only one: a path that spells it otherwise is no
# path, on every route (openapi.json: Paths), and GET agrees with what TRACE said above.
test_path_ids_canonical_only() {
	local p
	req POST $LCM/assign '{"patient_id":123,"olcm_user_id":101}'
	expect_status 200
	for p in "$P/patients/0123/lead_care_managers" "$P/patients/00000000000000000123/lead_care_managers" \
		"$P/patients/0000000000000000123/lead_care_managers" \
		"$P/patients/0123/lead_care_managers/history" "$P/patients/0123/access_log" \
		"$LCM/0101/patients" "$P/patients/%30123/lead_care_managers" \
		"$P/patients/123%2Flead_care_managers" "$P/patients/123%2flead_care_managers/history"; do
		send "$p"
		expect_error 404 '["Not found"]'
		send "$p" -I
		expect_status 404
	done
	send "$LCM/0101/capacity" -X PUT -H 'Content-Type: application/json' --data-binary '{"max_olcm":1}'
	expect_error 404 '["Not found"]'
	expect_eq "capacity rows" 0 "$(db_sql 'SELECT COUNT(*) FROM lcm_capacity')"
	# The canonical spellings are found, however nginx's $uri was reached.
	for p in "$P/patients/123/lead_care_managers" "$P/patients/%31%32%33/lead_care_managers" \
		"//v1/admin/clinic/ecm/patients/123/lead_care_managers"; do
		send "$p"
		expect_status 200
		expect_json '.case_load.olcm.user_id' 101
	done
	send "$LCM/101/patients"
	expect_status 200
}

# --- what nginx answers before any location: the envelope, openapi.json's status ---

# Regression (issue 12): an HTTP/2.0 request line got nginx's HTML 505.
test_unsupported_http_version_505_json() {
	local v
	for v in HTTP/2.0 HTTP/3.0 HTTP/9.9; do
		send_raw "GET /healthz $v\r\nHost: x\r\nConnection: close\r\n\r\n"
		expect_error 505 '["HTTP version not supported (HTTP/1.0 and HTTP/1.1 are)"]'
		send_raw "GET $P/patients/123/lead_care_managers $v\r\nHost: x\r\nX-User-Token: dev-admin-token\r\nConnection: close\r\n\r\n"
		expect_error 505
	done
	# HTTP/1.x stays served.
	send_raw "GET /healthz HTTP/1.0\r\nHost: x\r\n\r\n"
	expect_status 200
}

# Regression (issue 12): oversized headers got a 400 (with the 431's body)
# where the README (now openapi.json) promises a 431.
test_oversized_headers_431_json() {
	local big args=() i
	big=$(head -c 65536 /dev/zero | tr '\0' y)
	send $P/patients/123/lead_care_managers -H "X-Padding: $big"
	expect_error 431 '["Request header fields too large"]'
	TOKEN=$big
	send $P/patients/123/lead_care_managers
	expect_error 431 '["Request header fields too large"]'
	send $LCM/assign -X POST -H 'Content-Type: application/json' --data-binary '{"patient_id":124,"olcm_user_id":101}'
	expect_error 431 '["Request header fields too large"]'
	TOKEN=dev-admin-token
	# Each line fits a buffer, all of them do not.
	for i in $(seq 1 8); do args+=(-H "X-Padding-$i: $(head -c 20000 /dev/zero | tr '\0' y)"); done
	send /healthz "${args[@]}"
	expect_error 431 '["Request header fields too large"]'
	expect_eq "case loads" 0 "$(db_sql 'SELECT COUNT(*) FROM case_loads')"
}
