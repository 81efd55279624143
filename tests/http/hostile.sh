# Hostile requests, table-driven: every row is sent through the real nginx
# to the workers, and its status and JSON envelope checked. Around the whole
# table: a checksum of every table before and after (nothing changed), the
# workers' pids (none died or was replaced) and their log (no new error,
# warning or crash line).
#
# A row is
#   STATUS | METHOD | PATH | AUTH | HEADERS | BODY | ERROR
# STATUS   the expected status; "a/b" where either is right (nginx decides)
# PATH     sent as is (curl --path-as-is); {P} is /v1/admin/clinic/ecm and
#          {L} is {P}/lead_care_managers
# AUTH     admin, user (a valid non-admin token), none, or tok:VALUE
# HEADERS  "-" or extra headers separated by " ;; "
# BODY     "-" for none, @NAME for what hb_NAME writes, else the body;
#          \xHH in HEADERS and BODY is that byte (JSON's own escapes pass)
# ERROR    optional: a jq regex one of the answer's errors must match
# Content-Type is application/json when there is a body, unless HEADERS set one.
# (A body over 1 MiB is refused by nginx before any worker sees the token.)
#
# Rows for the defects the request-parsing work is fixing (HEAD, duplicate
# keys, charset, two Content-Types, HTTP/2.0, 431, TRACE and 405s on
# unknown paths) are left to that work.

P=/v1/admin/clinic/ecm
LCM=$P/lead_care_managers

# ---- generated bodies --------------------------------------------------------

hb_over_1mib() {  # a valid assignment of 1 MiB + 1 byte
	local pre='{"patient_id":124,"olcm_user_id":101,"pad":"' post='"}'
	printf '%s' "$pre"
	head -c $((1048577 - ${#pre} - ${#post})) /dev/zero | tr '\0' a
	printf '%s' "$post"
}
hb_deep() { head -c 100000 /dev/zero | tr '\0' '['; }
hb_deep_obj() { for _ in $(seq 2000); do printf '{"a":'; done; printf 1; head -c 2000 /dev/zero | tr '\0' '}'; }
hb_reason_501() { printf '{"patient_id":123,"olcm_user_id":102,"reason":"%s"}' "$(head -c 501 /dev/zero | tr '\0' r)"; }
hb_note_501() { printf '{"patient_id":123,"olcm_user_id":102,"reason":{"code":"other","note":"%s"}}' "$(head -c 501 /dev/zero | tr '\0' n)"; }
hb_reason_501_emoji() {  # 501 characters of 4 bytes each
	printf '{"patient_id":123,"olcm_user_id":102,"reason":"'
	for _ in $(seq 501); do printf '\xf0\x9f\x98\x80'; done
	printf '"}'
}
hb_bulk_1001() { jq -cn '{assignments: [range(1001) | {patient_id: 124, olcm_user_id: 101}]}'; }
hb_bulk_garbage() { jq -cn '{assignments: [range(1000) | [null, 1, "x", [], {}, {patient_id: -1}, {patient_id: 999999, olcm_user_id: 101}, {patient_id: 124, olcm_user_id: 105}][. % 8]]}'; }
hb_transfer_101() { jq -cn '{from_user_id: 101, to_user_ids: [range(102; 203)]}'; }
hb_auto_1001() { jq -cn '{role: "olcm", patient_ids: [range(1; 1002)]}'; }
hb_binary() { head -c 4096 /dev/urandom | tr -d '{["0-9'; }
hb_keys_60000() { jq -cn '[range(60000) | {key: "k\(.)", value: .}] | from_entries + {patient_id: 999999, olcm_user_id: 101}'; }
hb_huge_number() { printf '{"patient_id":%s,"olcm_user_id":101}' "$(head -c 50000 /dev/zero | tr '\0' 9)"; }
hb_over_16mib() {  # a MIF body of 16 MiB + 1 byte
	local pre='{"mif":{"file_type":"csv","file":"data:text/csv;base64,' post='"}}'
	printf '%s' "$pre"
	head -c $((16777217 - ${#pre} - ${#post})) /dev/zero | tr '\0' A
	printf '%s' "$post"
}
hb_mif_binary() {  # random bytes as a MIF
	printf '{"mif":{"file_type":"csv","file":"data:text/csv;base64,%s"}}' \
		"$(head -c 20000 /dev/urandom | base64 -w0)"
}
hb_mif_nul() {  # a header of NUL bytes, then a line of them
	printf '{"mif":{"file_type":"tsv","file":"data:text/csv;base64,%s"}}' \
		"$(printf 'MEMBER_ID\tFIRST_NAME\tLAST_NAME\n\0\0\t\0\t\0\n' | base64 -w0)"
}
hb_long_string_id() { printf '{"patient_id":"%s","olcm_user_id":101}' "$(head -c 500000 /dev/zero | tr '\0' 1)"; }

# ---- the table ---------------------------------------------------------------

HOSTILE_TABLE=$(cat <<'TABLE'
# --- ids in paths: bad, huge, negative, float, overflow, injection ---
404 | GET | {P}/patients/0/lead_care_managers | admin | - | - |
404 | GET | {P}/patients/-1/lead_care_managers | admin | - | - | ^Not found$
404 | GET | {P}/patients/1.5/lead_care_managers | admin | - | - | ^Not found$
404 | GET | {P}/patients/1e3/lead_care_managers | admin | - | - | ^Not found$
404 | GET | {P}/patients/0x7b/lead_care_managers | admin | - | - | ^Not found$
404 | GET | {P}/patients/9223372036854775808/lead_care_managers | admin | - | - | ^Not found$
404 | GET | {P}/patients/99999999999999999999999999/lead_care_managers | admin | - | - | ^Not found$
404 | GET | {P}/patients/9223372036854775807/lead_care_managers | admin | - | - | ^Patient not found$
404 | GET | {P}/patients/999999/lead_care_managers | admin | - | - | ^Patient not found$
404 | GET | {P}/patients/abc/lead_care_managers | admin | - | - | ^Not found$
404 | GET | {P}/patients/123%27%20OR%20%271%27=%271/lead_care_managers | admin | - | - | ^Not found$
404 | GET | {P}/patients/123;DROP%20TABLE%20case_loads/lead_care_managers | admin | - | - | ^Not found$
404 | GET | {P}/patients/123%20OR%201=1/lead_care_managers | admin | - | - | ^Not found$
404 | GET | {P}/patients/(SELECT%201)/lead_care_managers | admin | - | - | ^Not found$
404 | GET | {P}/patients/%D9%A1%D9%A2%D9%A3/lead_care_managers | admin | - | - | ^Not found$
404 | GET | {P}/patients/%EF%BC%91%EF%BC%92%EF%BC%93/lead_care_managers | admin | - | - | ^Not found$
404 | GET | {P}/patients/123%0a/lead_care_managers | admin | - | - | ^Not found$
404 | GET | {P}/patients/123%09/lead_care_managers | admin | - | - | ^Not found$
404 | GET | {P}/patients/%2B123/lead_care_managers | admin | - | - | ^Not found$
404 | GET | {P}/patients/-0/lead_care_managers | admin | - | - | ^Not found$
404 | GET | {P}/patients/123abc/lead_care_managers | admin | - | - | ^Not found$
404 | GET | {P}/patients/0/lead_care_managers/history | admin | - | - |
404 | GET | {P}/patients/-5/lead_care_managers/history | admin | - | - | ^Not found$
404 | GET | {P}/patients/1.0/lead_care_managers/history | admin | - | - | ^Not found$
404 | GET | {P}/patients/999999/lead_care_managers/history | admin | - | - | ^Patient not found$
404 | GET | {P}/patients/18446744073709551616/access_log | admin | - | - | ^Not found$
404 | GET | {P}/patients/x/access_log | admin | - | - | ^Not found$
404 | GET | {P}/patients/999999/access_log | admin | - | - | ^Patient not found$
404 | GET | {L}/abc | admin | - | - | ^Not found$
404 | GET | {L}/-101 | admin | - | - | ^Not found$
404 | GET | {L}/101.0 | admin | - | - | ^Not found$
404 | GET | {L}/0101 | admin | - | - | ^Not found$
404 | GET | {L}/101%20OR%201=1 | admin | - | - | ^Not found$
404 | GET | {L}/9223372036854775808 | admin | - | - | ^Not found$
404 | GET | {L}/9223372036854775807 | admin | - | - | ^User not found$
404 | GET | {L}/105 | admin | - | - | ^User not found$
404 | GET | {L}/abc/patients | admin | - | - | ^Not found$
404 | GET | {L}/-101/patients | admin | - | - | ^Not found$
404 | GET | {L}/101.0/patients | admin | - | - | ^Not found$
404 | GET | {L}/9223372036854775808/patients | admin | - | - | ^Not found$
404 | GET | {L}/999999/patients | admin | - | - | ^User not found$
404 | PUT | {L}/abc/capacity | admin | - | {"max_olcm":1} | ^Not found$
404 | PUT | {L}/-101/capacity | admin | - | {"max_olcm":1} | ^Not found$
404 | PUT | {L}/1e2/capacity | admin | - | {"max_olcm":1} | ^Not found$
# --- path traversal, odd encodings, unknown paths ---
404 | GET | {P}/patients/../../../../etc/passwd | admin | - | - | ^Not found$
404 | GET | {L}/assign/../../../../../etc/passwd | admin | - | - | ^Not found$
404 | GET | {P}/patients/..%2f..%2f..%2fetc%2fpasswd/lead_care_managers | admin | - | - | ^Not found$
404 | GET | {P}/patients/%252e%252e/lead_care_managers | admin | - | - | ^Not found$
404 | GET | {P}/patients/%c0%ae%c0%ae/lead_care_managers | admin | - | - | ^Not found$
404 | GET | {P}/patients/..%5c..%5cetc%5cpasswd/lead_care_managers | admin | - | - | ^Not found$
400/404 | GET | /%2e%2e/%2e%2e/etc/passwd | admin | - | - |
400/404 | GET | {P}/patients/%00/lead_care_managers | admin | - | - |
400/404 | GET | {P}/patients/123%00.json/lead_care_managers | admin | - | - |
404 | GET | {P}/patients/123/lead_care_managers.json | admin | - | - | ^Not found$
404 | GET | {P}/patients/123/lead_care_managers/ | admin | - | - | ^Not found$
404 | GET | {P}/patients/123/LEAD_CARE_MANAGERS | admin | - | - | ^Not found$
404 | GET | {P}/nothing | admin | - | - | ^Not found$
404 | GET | {P}/ | admin | - | - | ^Not found$
404 | GET | {P} | admin | - | - | ^Not found$
404 | GET | /v2/admin/clinic/ecm/lead_care_managers | admin | - | - | ^Not found$
404 | GET | /index.php | admin | - | - | ^Not found$
404 | GET | /.env | admin | - | - | ^Not found$
404 | GET | /.git/config | admin | - | - | ^Not found$
404 | GET | /wp-login.php?redirect_to=%2F | none | - | - | ^Not found$
400 | GET | /cgi-bin/../../bin/sh | none | - | - | ^Bad request$
404 | GET | {L}/assign.json | admin | - | - | ^Not found$
404 | GET | {L}/assign%2Fx | admin | - | - | ^Not found$
404 | GET | {P}/patients/summary/x | admin | - | - | ^Not found$
404 | GET | {P}/%70atients/123/lead_care_managers/x | admin | - | - | ^Not found$
# --- wrong methods on known paths (405 with Allow) ---
405 | GET | {L}/assign | admin | - | - | ^Method not allowed$
405 | PATCH | {L}/assign | admin | - | {"patient_id":123,"olcm_user_id":101} | ^Method not allowed$
405 | POST | {P}/patients/123/lead_care_managers | admin | - | {"patient_id":123} | ^Method not allowed$
405 | DELETE | {P}/patients/123/lead_care_managers | admin | - | - | ^Method not allowed$
405 | PUT | {L}/bulk_assign | admin | - | {"assignments":[]} | ^Method not allowed$
405 | GET | {L}/bulk_assign | admin | - | - | ^Method not allowed$
405 | DELETE | {L} | admin | - | - | ^Method not allowed$
405 | POST | {L} | admin | - | {} | ^Method not allowed$
405 | GET | {L}/101/capacity | admin | - | - | ^Method not allowed$
405 | POST | {L}/101/capacity | admin | - | {"max_olcm":1} | ^Method not allowed$
405 | DELETE | {L}/101/patients | admin | - | - | ^Method not allowed$
405 | PUT | {L}/101 | admin | - | {"max_olcm":1} | ^Method not allowed$
405 | DELETE | {L}/101 | admin | - | - | ^Method not allowed$
405 | GET | {L}/transfer | admin | - | - | ^Method not allowed$
405 | PUT | {L}/auto_assign | admin | - | {} | ^Method not allowed$
405 | POST | {P}/patients | admin | - | {} | ^Method not allowed$
405 | DELETE | {P}/patients/summary | admin | - | - | ^Method not allowed$
405 | POST | {L}/assignments.csv | admin | - | {} | ^Method not allowed$
405 | PUT | {P}/patients/123/lead_care_managers/history | admin | - | {} | ^Method not allowed$
405 | OPTIONS | {P}/patients/123/access_log | admin | - | - | ^Method not allowed$
405 | POST | /healthz | none | - | {} | ^Method not allowed$
405 | PROPFIND | {L}/assign | admin | - | - | ^Method not allowed$
# --- auth header oddities (auth runs before validation) ---
401 | GET | {P}/patients/123/lead_care_managers | none | - | - | ^Authentication required$
401 | GET | {P}/patients/123/lead_care_managers | tok:' OR '1'='1 | - | - | ^Authentication required$
401 | GET | {P}/patients/123/lead_care_managers | tok:dev-admin-token' -- | - | - | ^Authentication required$
401 | GET | {P}/patients/123/lead_care_managers | tok:\xff\xfe\xfd | - | - | ^Authentication required$
401 | GET | {P}/patients/123/lead_care_managers | tok:DEV-ADMIN-TOKEN | - | - | ^Authentication required$
401 | GET | {P}/patients/123/lead_care_managers | tok:dev-admin-token%00 | - | - | ^Authentication required$
401 | GET | {P}/patients/123/lead_care_managers | tok:ZGV2LWFkbWluLXRva2Vu | - | - | ^Authentication required$
401 | GET | {P}/patients/123/lead_care_managers | tok:e2c7b4e0d1b1f5f8a8b6b3d0f2b7e1a8c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4 | - | - | ^Authentication required$
401 | GET | {P}/patients/123/lead_care_managers | none | Authorization: Bearer dev-admin-token | - | ^Authentication required$
401 | GET | {P}/patients/123/lead_care_managers | none | X-User-Token; | - | ^Authentication required$
401 | GET | {P}/patients/123/lead_care_managers | none | X-User-Token: dev-admin-token ;; X-User-Token: dev-admin-token | - | ^Authentication required$
401 | GET | {P}/patients/123/lead_care_managers | none | X_User_Token: dev-admin-token | - | ^Authentication required$
401 | GET | {P}/patients/123/lead_care_managers?token=dev-admin-token | none | - | - | ^Authentication required$
401 | GET | {P}/patients/123/lead_care_managers | none | Cookie: X-User-Token=dev-admin-token | - | ^Authentication required$
401 | POST | {L}/assign | none | - | not json at all | ^Authentication required$
401 | POST | {L}/assign | tok:nope | Content-Type: text/plain | {"patient_id":123} | ^Authentication required$
413 | DELETE | {L}/assign | tok:nope | - | @over_1mib | ^Request body too large
401 | POST | {L}/bulk_assign | none | - | {"assignments":5} | ^Authentication required$
401 | PUT | {L}/101/capacity | none | - | {"max_olcm":-1} | ^Authentication required$
401 | GET | {L}/assignments.csv | none | - | - | ^Authentication required$
401 | GET | {L}/999999 | none | - | - | ^Authentication required$
401 | GET | {P}/patients/summary | tok:dev-user-token\x01 | - | - | ^Authentication required$
403 | GET | {P}/patients/123/lead_care_managers | user | - | - | ^Admin access required$
403 | POST | {L}/assign | user | - | {"patient_id":123,"olcm_user_id":102} | ^Admin access required$
403 | POST | {L}/assign | user | - | [broken | ^Admin access required$
403 | POST | {L}/bulk_assign | user | - | {"assignments":[{"patient_id":124,"olcm_user_id":101}]} | ^Admin access required$
403 | POST | {L}/transfer | user | - | {"from_user_id":101,"to_user_ids":[102]} | ^Admin access required$
403 | PUT | {L}/101/capacity | user | - | {"max_olcm":0} | ^Admin access required$
403 | GET | {L}/assignments.csv | user | - | - | ^Admin access required$
403 | GET | {L}/101 | user | - | - | ^Admin access required$
403 | GET | {P}/patients | user | - | - | ^Admin access required$
# --- other headers ---
400 | PUT | {L}/assign | admin | If-Match: garbage | {"patient_id":123,"olcm_user_id":102} | If-Match
400 | POST | {L}/assign | admin | If-Match: "1 | {"patient_id":123,"olcm_user_id":102} | If-Match
400 | DELETE | {L}/assign | admin | If-Match: W/ | {"patient_id":123,"role":"olcm"} | If-Match
400 | GET | {P}/patients/123/lead_care_managers | admin | If-None-Match: ' OR 1=1 -- | - | If-None-Match
400 | GET | {P}/patients/123/lead_care_managers | admin | If-None-Match: "1", garbage | - | If-None-Match
412 | PUT | {L}/assign | admin | If-Match: "99" | {"patient_id":123,"olcm_user_id":102} | ^Case load has changed since it was read$
412 | POST | {L}/assign | admin | If-Match: "0" | {"patient_id":123,"olcm_user_id":102} | ^Case load has changed since it was read$
400 | POST | {L}/assign | admin | Idempotency-Key: has space | {"patient_id":123,"olcm_user_id":102} | Idempotency-Key
400 | POST | {L}/assign | admin | Idempotency-Key: caf\xc3\xa9 | {"patient_id":123,"olcm_user_id":102} | Idempotency-Key
400 | POST | {L}/bulk_assign | admin | Idempotency-Key: @long_key | {"assignments":[{"patient_id":124,"olcm_user_id":101}]} | Idempotency-Key
415 | POST | {L}/assign | admin | Content-Type: text/plain | {"patient_id":123,"olcm_user_id":102} | ^Content-Type must be application/json$
415 | POST | {L}/assign | admin | Content-Type: application/x-www-form-urlencoded | patient_id=123&olcm_user_id=102 | ^Content-Type must be application/json$
415 | PUT | {L}/assign | admin | Content-Type: application/xml | <a>1</a> | ^Content-Type must be application/json$
415 | POST | {L}/bulk_assign | admin | Content-Type: multipart/form-data; boundary=x | --x-- | ^Content-Type must be application/json$
415 | PUT | {L}/101/capacity | admin | Content-Type: text/json | {"max_olcm":1} | ^Content-Type must be application/json$
415 | POST | {L}/transfer | admin | Content-Type: application/jsonp | {} | ^Content-Type must be application/json$
# --- bodies that are not a JSON object ---
400 | POST | {L}/assign | admin | - | | ^Request body must be a JSON object$
400 | POST | {L}/assign | admin | - | [] | ^Request body must be a JSON object$
400 | POST | {L}/assign | admin | - | "patient_id" | ^Request body must be a JSON object$
400 | POST | {L}/assign | admin | - | 123 | ^Request body must be a JSON object$
400 | POST | {L}/assign | admin | - | null | ^Request body must be a JSON object$
400 | POST | {L}/assign | admin | - | {"patient_id":123,"olcm_user_id":102 | ^Request body must be a JSON object$
400 | POST | {L}/assign | admin | - | {"patient_id":123,"olcm_user_id":102}x | ^Request body must be a JSON object$
400 | POST | {L}/assign | admin | - | {"patient_id":123}{"olcm_user_id":102} | ^Request body must be a JSON object$
400 | POST | {L}/assign | admin | - | {'patient_id':123,'olcm_user_id':102} | ^Request body must be a JSON object$
400 | POST | {L}/assign | admin | - | {patient_id:123,olcm_user_id:102} | ^Request body must be a JSON object$
400 | POST | {L}/assign | admin | - | {"patient_id":123,"olcm_user_id":102 /* c */} | ^Request body must be a JSON object$
400 | POST | {L}/assign | admin | - | {"patient_id":NaN,"olcm_user_id":102} | ^Request body must be a JSON object$
400 | POST | {L}/assign | admin | - | {"patient_id":Infinity,"olcm_user_id":102} | ^Request body must be a JSON object$
400 | POST | {L}/assign | admin | - | {"patient_id":0x7b,"olcm_user_id":102} | ^Request body must be a JSON object$
400 | POST | {L}/assign | admin | - | {"patient_id":123,,"olcm_user_id":102} | ^Request body must be a JSON object$
400 | PUT | {L}/assign | admin | - | {"patient_id":123,"olcm_user_id":102,"reason":"\xc3\x28"} | ^Request body must be a JSON object$
400 | PUT | {L}/assign | admin | - | {"patient_id":123,"olcm_user_id":102,"reason":"\xed\xa0\x80"} | ^Request body must be a JSON object$
400 | PUT | {L}/assign | admin | - | {"patient_id":123,"olcm_user_id":102,"reason":"\xc0\xaf"} | ^Request body must be a JSON object$
400 | DELETE | {L}/assign | admin | - | {"patient_id":123,"role":"olcm","reason":"a\x00b"} | ^Request body must be a JSON object$
400 | DELETE | {L}/assign | admin | - | {"patient_id":123,\x00"role":"olcm"} | ^Request body must be a JSON object$
400 | POST | {L}/bulk_assign | admin | - | \xef\xbb\xbf{"assignments":[{"patient_id":124,"olcm_user_id":101}]} | ^Request body must be a JSON object$
400 | POST | {L}/bulk_assign | admin | - | @binary | ^Request body must be a JSON object$
400 | POST | {L}/transfer | admin | - | @deep | ^JSON nested too deeply \(more than 16 levels\)$
400 | POST | {L}/auto_assign | admin | - | @deep_obj | ^JSON nested too deeply \(more than 16 levels\)$
400 | PUT | {L}/101/capacity | admin | - | [{"max_olcm":1}] | ^Request body must be a JSON object$
400 | POST | {L}/transfer | admin | - | \x00\x00\x00\x00 | ^Request body must be a JSON object$
413 | POST | {L}/assign | admin | - | @over_1mib | ^Request body too large
413 | PUT | {L}/101/capacity | admin | - | @over_1mib | ^Request body too large
413 | POST | {L}/bulk_assign | admin | Transfer-Encoding: chunked | @over_1mib | ^Request body too large
# --- assign (POST): every field's validation ---
422 | POST | {L}/assign | admin | - | {} | ^patient_id is required$
422 | POST | {L}/assign | admin | - | {"olcm_user_id":101} | ^patient_id is required$
422 | POST | {L}/assign | admin | - | {"patient_id":123} | ^At least one of olcm_user_id or ilcm_user_id must be provided$
422 | POST | {L}/assign | admin | - | {"patient_id":123,"olcm_user_id":null,"ilcm_user_id":null} | ^At least one of olcm_user_id or ilcm_user_id must be provided$
422 | POST | {L}/assign | admin | - | {"patient_id":"123","olcm_user_id":101} | ^patient_id must be a positive integer$
422 | POST | {L}/assign | admin | - | {"patient_id":123.5,"olcm_user_id":101} | ^patient_id must be a positive integer$
422 | POST | {L}/assign | admin | - | {"patient_id":123.0,"olcm_user_id":101} | ^patient_id must be a positive integer$
422 | POST | {L}/assign | admin | - | {"patient_id":1.23e2,"olcm_user_id":101} | ^patient_id must be a positive integer$
422 | POST | {L}/assign | admin | - | {"patient_id":-123,"olcm_user_id":101} | ^patient_id must be a positive integer$
422 | POST | {L}/assign | admin | - | {"patient_id":0,"olcm_user_id":101} | ^patient_id must be a positive integer$
422 | POST | {L}/assign | admin | - | {"patient_id":-0,"olcm_user_id":101} | ^patient_id must be a positive integer$
422 | POST | {L}/assign | admin | - | {"patient_id":9223372036854775808,"olcm_user_id":101} | ^patient_id must be a positive integer$
422 | POST | {L}/assign | admin | - | {"patient_id":-9223372036854775809,"olcm_user_id":101} | ^patient_id must be a positive integer$
422 | POST | {L}/assign | admin | - | {"patient_id":1e400,"olcm_user_id":101} | ^patient_id must be a positive integer$
422 | POST | {L}/assign | admin | - | @huge_number | ^patient_id must be a positive integer$
422 | POST | {L}/assign | admin | - | @long_string_id | ^patient_id must be a positive integer$
422 | POST | {L}/assign | admin | - | {"patient_id":true,"olcm_user_id":101} | ^patient_id must be a positive integer$
422 | POST | {L}/assign | admin | - | {"patient_id":[123],"olcm_user_id":101} | ^patient_id must be a positive integer$
422 | POST | {L}/assign | admin | - | {"patient_id":{"id":123},"olcm_user_id":101} | ^patient_id must be a positive integer$
422 | POST | {L}/assign | admin | - | {"patient_id":"123 OR 1=1","olcm_user_id":101} | ^patient_id must be a positive integer$
422 | POST | {L}/assign | admin | - | {"patient_id":"123; DROP TABLE case_loads; --","olcm_user_id":101} | ^patient_id must be a positive integer$
422 | POST | {L}/assign | admin | - | {"patient_id":"123\u0000","olcm_user_id":101} | ^patient_id must be a positive integer$
422 | POST | {L}/assign | admin | - | {"patient_id":123,"olcm_user_id":"101"} | ^olcm_user_id must be a positive integer$
422 | POST | {L}/assign | admin | - | {"patient_id":123,"olcm_user_id":-101} | ^olcm_user_id must be a positive integer$
422 | POST | {L}/assign | admin | - | {"patient_id":123,"olcm_user_id":101.5} | ^olcm_user_id must be a positive integer$
422 | POST | {L}/assign | admin | - | {"patient_id":123,"ilcm_user_id":false} | ^ilcm_user_id must be a positive integer$
422 | POST | {L}/assign | admin | - | {"patient_id":123,"ilcm_user_id":"102' OR '1'='1"} | ^ilcm_user_id must be a positive integer$
422 | POST | {L}/assign | admin | - | {"patient_id":123,"ilcm_user_id":18446744073709551615} | ^ilcm_user_id must be a positive integer$
422 | POST | {L}/assign | admin | - | {"patient_id":"x","olcm_user_id":"y","ilcm_user_id":"z"} |
404 | POST | {L}/assign | admin | - | {"patient_id":999999,"olcm_user_id":101} | ^Patient not found$
404 | POST | {L}/assign | admin | - | {"patient_id":9223372036854775807,"olcm_user_id":101} | ^Patient not found$
404 | POST | {L}/assign | admin | - | {"patient_id":999999,"olcm_user_id":101,"reason":"'); DROP TABLE patients; --"} | ^Patient not found$
422 | POST | {L}/assign | admin | - | {"patient_id":123,"olcm_user_id":104} | ^User 104 is not eligible to be a Lead Care Manager$
422 | POST | {L}/assign | admin | - | {"patient_id":123,"olcm_user_id":105} | ^User 105 is not eligible to be a Lead Care Manager$
422 | POST | {L}/assign | admin | - | {"patient_id":123,"ilcm_user_id":999999} | ^User 999999 is not eligible to be a Lead Care Manager$
422 | POST | {L}/assign | admin | - | {"patient_id":123,"ilcm_user_id":9223372036854775807} | ^User 9223372036854775807 is not eligible to be a Lead Care Manager$
422 | POST | {L}/assign | admin | - | {"patient_id":123,"olcm_user_id":1} | ^User 1 is not eligible to be a Lead Care Manager$
422 | POST | {L}/assign | admin | - | {"patient_id":123,"olcm_user_id":102,"reason":5} | ^reason must be a string of at most 500 characters$
422 | POST | {L}/assign | admin | - | {"patient_id":123,"olcm_user_id":102,"reason":["x"]} | ^reason
422 | POST | {L}/assign | admin | - | {"patient_id":123,"olcm_user_id":102,"reason":"\u0000"} | ^reason must be a string of at most 500 characters$
422 | POST | {L}/assign | admin | - | {"patient_id":123,"olcm_user_id":102,"reason":"\ud800"} | ^reason
422 | POST | {L}/assign | admin | - | @reason_501 | ^reason must be a string of at most 500 characters$
422 | POST | {L}/assign | admin | - | @reason_501_emoji | ^reason must be a string of at most 500 characters$
422 | POST | {L}/assign | admin | - | @note_501 | ^reason.note must be a string of at most 500 characters$
422 | POST | {L}/assign | admin | - | {"patient_id":123,"olcm_user_id":102,"reason":{"code":"bogus"}} | ^reason.code must be one of
422 | POST | {L}/assign | admin | - | {"patient_id":123,"olcm_user_id":102,"reason":{"code":"other' OR '1'='1"}} | ^reason.code must be one of
422 | POST | {L}/assign | admin | - | {"patient_id":123,"olcm_user_id":102,"reason":{"note":"x"}} | ^reason.code is required$
422 | POST | {L}/assign | admin | - | {"patient_id":123,"olcm_user_id":102,"override_capacity":"yes"} | ^override_capacity must be true or false$
422 | POST | {L}/assign | admin | - | {"patient_id":123,"olcm_user_id":102,"override_capacity":1} | ^override_capacity must be true or false$
422 | POST | {L}/assign | admin | - | {"patient_id":123,"olcm_user_id":102,"override_capacity":null} | ^override_capacity must be true or false$
422 | POST | {L}/assign | admin | - | {"patient_id":123,"olcm_user_id":102,"override_capacity":true,"reason":" "} | ^override_capacity needs a reason$
404 | POST | {L}/assign | admin | - | @keys_60000 | ^Patient not found$
# --- assign (PUT), remove (DELETE) ---
404 | PUT | {L}/assign | admin | - | {"patient_id":124,"olcm_user_id":101} | ^Case load not found$
404 | PUT | {L}/assign | admin | - | {"patient_id":999999,"olcm_user_id":101} | ^Patient not found$
422 | PUT | {L}/assign | admin | - | {"patient_id":123} | ^At least one of olcm_user_id or ilcm_user_id must be provided$
422 | PUT | {L}/assign | admin | - | {"patient_id":123,"olcm_user_id":0} | ^olcm_user_id must be a positive integer$
422 | PUT | {L}/assign | admin | - | {"patient_id":123,"ilcm_user_id":105} | ^User 105 is not eligible to be a Lead Care Manager$
422 | PUT | {L}/assign | admin | - | {"patient_id":[],"olcm_user_id":101} | ^patient_id must be a positive integer$
422 | DELETE | {L}/assign | admin | - | {"patient_id":123} | ^role is required$
422 | DELETE | {L}/assign | admin | - | {"role":"olcm"} | ^patient_id is required$
422 | DELETE | {L}/assign | admin | - | {"patient_id":123,"role":"admin"} | ^role must be olcm or ilcm$
422 | DELETE | {L}/assign | admin | - | {"patient_id":123,"role":"OLCM"} | ^role must be olcm or ilcm$
422 | DELETE | {L}/assign | admin | - | {"patient_id":123,"role":"olcm "} | ^role must be olcm or ilcm$
422 | DELETE | {L}/assign | admin | - | {"patient_id":123,"role":5} | ^role must be olcm or ilcm$
422 | DELETE | {L}/assign | admin | - | {"patient_id":123,"role":["olcm"]} | ^role must be olcm or ilcm$
422 | DELETE | {L}/assign | admin | - | {"patient_id":123,"role":"olcm' OR '1'='1"} | ^role must be olcm or ilcm$
422 | DELETE | {L}/assign | admin | - | {"patient_id":123,"role":"olcm\u0000"} | ^role must be olcm or ilcm$
422 | DELETE | {L}/assign | admin | - | {"patient_id":-1,"role":"olcm"} | ^patient_id must be a positive integer$
404 | DELETE | {L}/assign | admin | - | {"patient_id":124,"role":"olcm"} | ^Case load not found$
404 | DELETE | {L}/assign | admin | - | {"patient_id":999999,"role":"ilcm"} | ^Patient not found$
400 | DELETE | {L}/assign | admin | - | - | ^Request body must be a JSON object$
# --- bulk_assign ---
422 | POST | {L}/bulk_assign | admin | - | {} | ^assignments must be an array of 1 to 1000 items$
422 | POST | {L}/bulk_assign | admin | - | {"assignments":[]} | ^assignments must be an array of 1 to 1000 items$
422 | POST | {L}/bulk_assign | admin | - | {"assignments":null} | ^assignments must be an array of 1 to 1000 items$
422 | POST | {L}/bulk_assign | admin | - | {"assignments":"[{}]"} | ^assignments must be an array of 1 to 1000 items$
422 | POST | {L}/bulk_assign | admin | - | {"assignments":{"0":{"patient_id":124,"olcm_user_id":101}}} | ^assignments must be an array of 1 to 1000 items$
422 | POST | {L}/bulk_assign | admin | - | @bulk_1001 | ^assignments must be an array of 1 to 1000 items$
422 | POST | {L}/bulk_assign | admin | - | {"assignments":[{"patient_id":124,"olcm_user_id":101}],"dry_run":"yes"} | ^dry_run must be true or false$
422 | POST | {L}/bulk_assign | admin | - | {"assignments":[{"patient_id":124,"olcm_user_id":101}],"dry_run":null} | ^dry_run must be true or false$
400 | POST | {L}/bulk_assign | admin | - | [{"patient_id":124,"olcm_user_id":101}] | ^Request body must be a JSON object$
200 | POST | {L}/bulk_assign | admin | - | @bulk_garbage |
200 | POST | {L}/bulk_assign | admin | - | {"assignments":[{"patient_id":"124","olcm_user_id":101},{"patient_id":124,"olcm_user_id":-1},{"patient_id":124}]} |
200 | POST | {L}/bulk_assign | admin | - | {"assignments":[{"patient_id":124,"olcm_user_id":101,"reason":"\ud800"},{"patient_id":125,"ilcm_user_id":102,"reason":{"code":"nope"}}]} |
200 | POST | {L}/bulk_assign | admin | - | {"assignments":[{"patient_id":124,"olcm_user_id":101},{"patient_id":125,"ilcm_user_id":103}],"dry_run":true} |
# --- transfer ---
422 | POST | {L}/transfer | admin | - | {} | from_user_id is required
422 | POST | {L}/transfer | admin | - | {"from_user_id":"101","to_user_ids":[102]} | ^from_user_id must be a positive integer$
422 | POST | {L}/transfer | admin | - | {"from_user_id":-101,"to_user_ids":[102]} | ^from_user_id must be a positive integer$
422 | POST | {L}/transfer | admin | - | {"from_user_id":101} | ^to_user_ids is required$
422 | POST | {L}/transfer | admin | - | {"from_user_id":101,"to_user_ids":[]} | to_user_ids
422 | POST | {L}/transfer | admin | - | {"from_user_id":101,"to_user_ids":102} | to_user_ids
422 | POST | {L}/transfer | admin | - | {"from_user_id":101,"to_user_ids":["102"]} | to_user_ids
422 | POST | {L}/transfer | admin | - | {"from_user_id":101,"to_user_ids":[101]} | ^to_user_ids must not hold from_user_id$
422 | POST | {L}/transfer | admin | - | @transfer_101 | to_user_ids
422 | POST | {L}/transfer | admin | - | {"from_user_id":101,"to_user_ids":[102],"role":"both"} | ^role must be olcm or ilcm$
422 | POST | {L}/transfer | admin | - | {"from_user_id":101,"to_user_ids":[102],"patient_ids":[0]} | patient_ids
422 | POST | {L}/transfer | admin | - | {"from_user_id":101,"to_user_ids":[102],"patient_ids":"all"} | patient_ids
422 | POST | {L}/transfer | admin | - | {"from_user_id":101,"to_user_ids":[102],"dry_run":"false"} | ^dry_run must be true or false$
422 | POST | {L}/transfer | admin | - | {"from_user_id":101,"to_user_ids":[102],"override_capacity":"true"} | ^override_capacity must be true or false$
422 | POST | {L}/transfer | admin | - | {"from_user_id":101,"to_user_ids":[105]} | not eligible
404 | POST | {L}/transfer | admin | - | {"from_user_id":999999,"to_user_ids":[102]} | ^User not found$
200 | POST | {L}/transfer | admin | - | {"from_user_id":101,"to_user_ids":[103],"dry_run":true} |
422 | POST | {L}/transfer | admin | - | {"from_user_id":101,"to_user_ids":[103],"dry_run":null} | ^dry_run must be true or false$
422 | POST | {L}/transfer | admin | - | {"from_user_id":101,"to_user_ids":[103],"override_capacity":null} | ^override_capacity must be true or false$
422 | POST | {L}/transfer | admin | - | {"from_user_id":101,"to_user_ids":[103],"role":null,"dry_run":true} | ^role must be olcm or ilcm$
422 | POST | {L}/transfer | admin | - | {"from_user_id":101,"to_user_ids":[103],"patient_ids":null} | ^patient_ids must be an array of 1 to 1000 patient ids$
422 | POST | {L}/transfer | admin | - | {"from_user_id":101,"to_user_ids":[103],"override_capacity":true,"reason":""} | ^override_capacity needs a reason$
422 | POST | {L}/transfer | admin | - | {"from_user_id":101,"to_user_ids":[103],"override_capacity":true,"reason":" \t "} | ^override_capacity needs a reason$
# --- auto_assign ---
422 | POST | {L}/auto_assign | admin | - | {} | role
422 | POST | {L}/auto_assign | admin | - | {"role":"x","unassigned":true} | ^role must be olcm or ilcm$
422 | POST | {L}/auto_assign | admin | - | {"role":"olcm"} | patient_ids
422 | POST | {L}/auto_assign | admin | - | {"role":"olcm","patient_ids":[]} | patient_ids
422 | POST | {L}/auto_assign | admin | - | @auto_1001 | patient_ids
422 | POST | {L}/auto_assign | admin | - | {"role":"olcm","patient_ids":[-1]} | patient_ids
422 | POST | {L}/auto_assign | admin | - | {"role":"olcm","unassigned":"yes"} | ^unassigned must be true or false$
422 | POST | {L}/auto_assign | admin | - | {"role":"olcm","unassigned":true,"user_ids":[0]} | user_ids
422 | POST | {L}/auto_assign | admin | - | {"role":"olcm","unassigned":true,"dry_run":"true"} | ^dry_run must be true or false$
200 | POST | {L}/auto_assign | admin | - | {"role":"olcm","unassigned":true,"dry_run":true} |
422 | POST | {L}/auto_assign | admin | - | {"role":"olcm","unassigned":true,"dry_run":null} | ^dry_run must be true or false$
422 | POST | {L}/auto_assign | admin | - | {"role":"olcm","unassigned":true,"user_ids":null} | ^user_ids must be an array of 1 to 1000 user ids$
422 | POST | {L}/auto_assign | admin | - | {"role":"olcm","patient_ids":[124],"unassigned":null} | ^unassigned must be true or false$
# --- capacity ---
422 | PUT | {L}/101/capacity | admin | - | {"max_olcm":-1} | max_olcm
422 | PUT | {L}/101/capacity | admin | - | {"max_olcm":100001} | max_olcm
422 | PUT | {L}/101/capacity | admin | - | {"max_olcm":"5"} | max_olcm
422 | PUT | {L}/101/capacity | admin | - | {"max_ilcm":1.5} | max_ilcm
422 | PUT | {L}/101/capacity | admin | - | {"max_ilcm":true} | max_ilcm
422 | PUT | {L}/105/capacity | admin | - | {"max_olcm":5} | ^User 105 is not eligible to be a Lead Care Manager$
422 | PUT | {L}/999999/capacity | admin | - | {"max_olcm":5} | ^User 999999 is not eligible to be a Lead Care Manager$
404 | PUT | {L}/0/capacity | admin | - | {"max_olcm":5} |
# --- query strings: the LCM list ---
422 | GET | {L}?per_page=0 | admin | - | - | ^per_page must be an integer between 1 and 100$
422 | GET | {L}?per_page=101 | admin | - | - | ^per_page must be an integer between 1 and 100$
422 | GET | {L}?per_page=-1 | admin | - | - | ^per_page must be an integer between 1 and 100$
422 | GET | {L}?per_page=1e1 | admin | - | - | ^per_page must be an integer between 1 and 100$
422 | GET | {L}?per_page=99999999999999999999 | admin | - | - | ^per_page must be an integer between 1 and 100$
422 | GET | {L}?per_page= | admin | - | - | ^per_page must be an integer between 1 and 100$
422 | GET | {L}?per_page=10;DROP%20TABLE%20users | admin | - | - | ^per_page must be an integer between 1 and 100$
422 | GET | {L}?page=0 | admin | - | - | ^page must be a positive integer$
422 | GET | {L}?page=-1 | admin | - | - | ^page must be a positive integer$
422 | GET | {L}?page=1.5 | admin | - | - | ^page must be a positive integer$
422 | GET | {L}?page=abc | admin | - | - | ^page must be a positive integer$
422 | GET | {L}?page=9223372036854775808 | admin | - | - | ^page must be a positive integer$
422 | GET | {L}?page=%201 | admin | - | - | ^page must be a positive integer$
422 | GET | {L}?page=1%00 | admin | - | - | ^page must be a positive integer$
200 | GET | {L}?page=9223372036854775807&per_page=100 | admin | - | - |
422 | GET | {L}?role=admin | admin | - | - | ^role must be olcm or ilcm$
422 | GET | {L}?role= | admin | - | - | ^role must be olcm or ilcm$
422 | GET | {L}?role=olcm%27%20OR%20%271%27=%271 | admin | - | - | ^role must be olcm or ilcm$
200 | GET | {L}?search=%27%20OR%20%271%27=%271 | admin | - | - |
200 | GET | {L}?search=%25 | admin | - | - |
200 | GET | {L}?search=_ | admin | - | - |
200 | GET | {L}?search=%5C | admin | - | - |
200 | GET | {L}?search=%22%3B%20DROP%20TABLE%20users%3B%20-- | admin | - | - |
200 | GET | {L}?search=%3Cscript%3Ealert(1)%3C%2Fscript%3E | admin | - | - |
422 | GET | {L}?search=%ff | admin | - | - | search
400/422 | GET | {L}?search=%00 | admin | - | - |
422 | GET | {L}?search=@search_201 | admin | - | - | ^search must be at most 200 characters$
422 | GET | {L}?sort=id%20DESC | admin | - | - | sort
422 | GET | {L}?available=maybe | admin | - | - | available
# --- query strings: the other lists and the export ---
422 | GET | {P}/patients/123/lead_care_managers/history?page=0 | admin | - | - | ^page must be a positive integer$
422 | GET | {P}/patients/123/lead_care_managers/history?per_page=1000 | admin | - | - | ^per_page must be an integer between 1 and 100$
422 | GET | {P}/patients/123/lead_care_managers/history?role=both | admin | - | - | ^role must be olcm or ilcm$
422 | GET | {P}/patients/123/access_log?per_page=0 | admin | - | - | ^per_page must be an integer between 1 and 100$
422 | GET | {P}/patients/123/access_log?page=-1 | admin | - | - | ^page must be a positive integer$
422 | GET | {L}/101/patients?role=x | admin | - | - | ^role must be olcm or ilcm$
422 | GET | {L}/101/patients?per_page=0 | admin | - | - | ^per_page must be an integer between 1 and 100$
422 | GET | {P}/patients?unassigned=x | admin | - | - | ^unassigned must be olcm, ilcm, any or both$
422 | GET | {P}/patients?provider_id=abc | admin | - | - | provider_id
422 | GET | {P}/patients?provider_id=0 | admin | - | - | provider_id
422 | GET | {P}/patients?lcm_user_id=-1 | admin | - | - | lcm_user_id
422 | GET | {P}/patients?lcm_user_id=9223372036854775808 | admin | - | - | lcm_user_id
422 | GET | {P}/patients?per_page=0 | admin | - | - | ^per_page must be an integer between 1 and 100$
422 | GET | {P}/patients?page=99999999999999999999 | admin | - | - | ^page must be a positive integer$
200 | GET | {P}/patients?search=%27)%20OR%201=1%20--%20 | admin | - | - |
422 | GET | {L}/assignments.csv?as_of=2999-01-01 | admin | - | - | ^as_of must be a date
422 | GET | {L}/assignments.csv?as_of=2024-13-01 | admin | - | - | ^as_of must be a date
422 | GET | {L}/assignments.csv?as_of=2024-02-30 | admin | - | - | ^as_of must be a date
422 | GET | {L}/assignments.csv?as_of=yesterday | admin | - | - | ^as_of must be a date
422 | GET | {L}/assignments.csv?as_of=2024-01-01%27%20OR%201=1 | admin | - | - | ^as_of must be a date
422 | GET | {L}/assignments.csv?role=x | admin | - | - | ^role must be olcm or ilcm$
# --- the MIF import (POST .../mifs): bodies, files, its own 16 MiB ---
401 | POST | {P}/mifs | none | - | {"mif":{}} | ^Authentication required$
403 | POST | {P}/mifs | user | - | {"mif":{}} | ^Admin access required$
413 | POST | {P}/mifs | none | - | @over_16mib | ^Request body too large \(limit 16 MiB\)$
413 | POST | {P}/mifs | admin | Transfer-Encoding: chunked | @over_16mib | ^Request body too large \(limit 16 MiB\)$
400 | POST | {P}/mifs | admin | - | {"mif":{"file":"data:,","file_type":"csv"},"mif":{}} | ^Duplicate key
422 | POST | {P}/mifs | admin | - | {"mif":[]} | ^mif must be an object$
422 | POST | {P}/mifs | admin | - | {"mif":{"file":"data:text/csv;base64,QUJD\u0000","file_type":"csv"}} | ^mif.file must be a data URI
422 | POST | {P}/mifs | admin | - | {"mif":{"file":"data:text/csv;base64,QUJDRA==QUJD","file_type":"csv"}} | ^mif.file must be a data URI
422 | POST | {P}/mifs | admin | - | {"mif":{"file":"javascript:alert(1)","file_type":"csv"}} | ^mif.file must be a data URI
422 | POST | {P}/mifs | admin | - | {"mif":{"file":"data:text/csv;base64,","file_type":"csv"}} | ^Line 1: the file is empty
422 | POST | {P}/mifs | admin | - | {"mif":{"file":"data:text/csv;base64,QUFB","file_type":"tsv\u0000"}} | ^mif.file_type must be csv or tsv$
422 | POST | {P}/mifs | admin | - | @mif_binary | ^Line
422 | POST | {P}/mifs | admin | - | @mif_nul | ^Line 2: MEMBER_ID must be 1 to 64
TABLE
)

# ---- the runner --------------------------------------------------------------

# Every table's checksum, but the two that record use rather than state:
# phi_access_log (reads are logged, written a moment later: checked apart)
# and api_tokens.last_used_at (noted once a minute per token).
hostile_checksum() {
	local tables
	tables=$(db_sql "SELECT GROUP_CONCAT(table_name ORDER BY table_name) FROM information_schema.tables
		WHERE table_schema = 'lcm' AND table_type = 'BASE TABLE'
		AND table_name NOT IN ('phi_access_log', 'api_tokens')")
	db_sql "CHECKSUM TABLE ${tables//,/, } EXTENDED"
	db_sql "SELECT 'api_tokens', MD5(GROUP_CONCAT(CONCAT_WS(',', id, user_id, HEX(token_sha256), label,
		created_at, IFNULL(expires_at, '-'), IFNULL(revoked_at, '-')) ORDER BY id)) FROM api_tokens"
}

# PHI access log records of writes (reads record by design).
hostile_write_records() {
	db_sql "SELECT COUNT(*) FROM phi_access_log WHERE action NOT IN ('read_care_team', 'read_history', 'read_access_log')"
}

# Lines of workers.log that say a process died.
crash_lines() {
	grep -ciE 'signal|segfault|abort|core dump|died|exited|terminated' "$HVAR/log/workers.log" || true
}

# hostile_bytes TEXT: TEXT with each \xHH made the byte.
hostile_bytes() {
	case $1 in
	*'\x'*) printf '%s' "$1" | perl -pe 's/\\x([0-9a-fA-F]{2})/chr hex $1/ge' ;;
	*) printf '%s' "$1" ;;
	esac
}

trim() {
	local s=$1
	s=${s#"${s%%[![:space:]]*}"}
	TRIMMED=${s%"${s##*[![:space:]]}"}
}

# What expect_no_internals looks for, as one bash regex (lower case).
HOSTILE_INTERNALS='select .* from|insert into|update [a-z_`]+ set|delete from|sqlstate|mysql|mariadb|case_loads|patient_activities|providers([^a-z_]|$)|json_tokener|json-c|token_sha256|/tmp/|/work/|/usr/|/var/|\.c:[0-9]|errno|segmentation|backtrace'

# hostile_row LINE: send one row, check what came back. (Few processes per
# row: the table is long and a fork costs here.)
hostile_row() {
	local want method path auth hdrs body msg f=$T_TMP/hostile_body h args=() has_ct=0
	local line name value ct="" allow="" retry="" verdict
	IFS='|' read -r want method path auth hdrs body msg <<<"$1"
	trim "$want"; want=$TRIMMED
	trim "$method"; method=$TRIMMED
	trim "$path"; path=$TRIMMED
	trim "$auth"; auth=$TRIMMED
	trim "$hdrs"; hdrs=$TRIMMED
	trim "$body"; body=$TRIMMED
	trim "$msg"; msg=$TRIMMED
	path=${path//\{L\}/$LCM}
	path=${path//\{P\}/$P}
	case $path in
	*@search_201*) path=${path//@search_201/$(head -c 201 /dev/zero | tr '\0' s)} ;;
	esac
	args=(-s --path-as-is -X "$method" -D "$T_TMP/hostile_hdr" -o "$T_TMP/hostile_out" -w '%{http_code}')
	case $auth in
	admin) args+=(-H 'X-User-Token: dev-admin-token') ;;
	user) args+=(-H 'X-User-Token: dev-user-token') ;;
	none) ;;
	tok:*) args+=(-H "X-User-Token: $(hostile_bytes "${auth#tok:}")") ;;
	*) fail "row with auth [$auth]: $1"; return ;;
	esac
	if [ "$hdrs" != - ]; then
		while [ -n "$hdrs" ]; do
			h=${hdrs%% ;; *}
			[ "$h" = "$hdrs" ] && hdrs= || hdrs=${hdrs#* ;; }
			trim "$h"; h=$TRIMMED
			[ "$h" = "Idempotency-Key: @long_key" ] && h="Idempotency-Key: $(head -c 256 /dev/zero | tr '\0' k)"
			case ${h,,} in content-type:*) has_ct=1 ;; esac
			args+=(-H "$(hostile_bytes "$h")")
		done
	fi
	if [ "$body" != - ]; then
		case $body in
		@*) "hb_${body#@}" >"$f" ;;
		*) hostile_bytes "$body" >"$f" ;;
		esac
		[ $has_ct = 1 ] || args+=(-H 'Content-Type: application/json')
		args+=(--data-binary "@$f")
	fi
	: >"$T_TMP/hostile_hdr"
	: >"$T_TMP/hostile_out"
	LAST_REQ="row: $1"
	STATUS=$(curl "${args[@]}" "$BASE$path")
	HOSTILE_SENT=$((HOSTILE_SENT + 1))
	BODY=$(tr -d '\000' <"$T_TMP/hostile_out")
	# The last response's headers (after any 100 Continue).
	while IFS= read -r line; do
		line=${line%$'\r'}
		case $line in HTTP/*) ct="" allow="" retry="" ;; esac
		name=${line%%:*} value=${line#*: }
		case ${name,,} in
		content-type) ct=$value ;;
		allow) allow=$value ;;
		retry-after) retry=$value ;;
		esac
	done <"$T_TMP/hostile_hdr"
	case "/$want/" in
	*"/$STATUS/"*) ;;
	*) fail "status: expected $want, got [$STATUS]; body: ${BODY:0:300}"; return ;;
	esac
	expect_eq "content-type" 'application/json; charset=utf-8' "$ct"
	if [[ ${BODY,,} =~ $HOSTILE_INTERNALS ]]; then
		fail "body leaks internals: ${BODY:0:300}"
	fi
	# One jq: JSON at all, the envelope on an error, the message.
	verdict=$(printf '%s' "$BODY" | jq -r --arg msg "$msg" --argjson err "$((STATUS >= 400))" '
		if $err == 0 then "ok"
		elif (.errors | type) != "array" or (.errors | length) == 0 or (.errors | any(type != "string"))
		then "not the error envelope"
		elif $msg != "" and (.errors | any(test($msg)) | not) then "no error matches /\($msg)/"
		else "ok" end' 2>/dev/null) || verdict="not JSON"
	[ "$verdict" = ok ] || fail "$verdict: ${BODY:0:300}"
	[ "$STATUS" != 405 ] || [ -n "$allow" ] || fail "a 405 without Allow"
	[ "$STATUS" != 503 ] || [ -n "$retry" ] || fail "a 503 without Retry-After"
}

test_hostile_table() {
	local line n=0 sum0 sum1 w0 w1 c0 c1
	seed
	all_records_written  # the seed's records, before they are counted
	remember
	sum0=$(hostile_checksum)
	w0=$(hostile_write_records)
	c0=$(crash_lines)
	HOSTILE_SENT=0
	while IFS= read -r line; do
		case $line in '' | '#'*) continue ;; esac
		n=$((n + 1))
		hostile_row "$line"
	done <<<"$HOSTILE_TABLE"
	TOKEN=dev-admin-token
	LAST_REQ="after the $n rows"
	[ "$n" -ge 200 ] || fail "the table has $n rows, fewer than 200"
	expect_eq "rows sent" "$n" "$HOSTILE_SENT"
	sum1=$(hostile_checksum)
	expect_eq "checksum of every table" "$sum0" "$sum1"
	expect_unchanged "the hostile table"
	c1=$(crash_lines)
	expect_eq "crash lines in workers.log" "$c0" "$c1"
	expect_workers_fine
	all_records_written  # what the hostile rows would have recorded
	w1=$(hostile_write_records)
	expect_eq "write records in the PHI access log" "$w0" "$w1"
	echo "    $n hostile rows sent; $(echo "$sum1" | wc -l) tables checksummed" >&2
}
