# The assignment export under strain: a worker killed mid-stream, slow
# readers, clients that stop reading or leave, and the limits that keep the
# worker pool free for the rest of the API. Tests that kill a worker wait
# until the pool has all its workers again, each answering.

P=/v1/admin/clinic/ecm
LCM=$P/lead_care_managers
EXPORT=$LCM/assignments.csv

# The workers multiwatch keeps now, one per line; how many it should keep.
ex_workers() {
	pgrep -P "$(cat "$HVAR/run/workers.pid")" 2>/dev/null | sort -n
}
ex_pool_size() {
	awk '$1 == "workers" {print $3}' "$HVAR/lcm.conf"
}

# The workers connected to nginx now (serving a request), one per line: the
# pool socket's connected ends (/proc/net/unix, state 03) that a worker holds.
ex_busy_workers() {
	local inodes pid fd
	inodes=$(awk -v p="$HVAR/run/fcgi.sock" '$8 == p && $6 == "03" {print "socket:[" $7 "]"}' /proc/net/unix)
	[ -n "$inodes" ] || return 0
	for pid in $(ex_workers); do
		for fd in /proc/"$pid"/fd/*; do
			grep -qxF "$(readlink "$fd" 2>/dev/null)" <<<"$inodes" && { echo "$pid"; break; }
		done
	done
}

# ex_pool_whole: wait until multiwatch runs all its workers again and each
# of them answers (as many care-team reads at once as there are workers,
# all 200), 30 s at most; then say so or fail.
ex_pool_whole() {
	local n j ok=0 end=$((SECONDS + 30)) pids
	n=$(ex_pool_size)
	while [ "$SECONDS" -lt "$end" ]; do
		[ "$(ex_workers | wc -l)" = "$n" ] && [ -z "$(ex_busy_workers)" ] && break
		sleep 0.1
	done
	while [ "$SECONDS" -lt "$end" ]; do
		pids=()
		for j in $(seq 1 "$n"); do
			curl -s -o /dev/null -m 2 -w '%{http_code}' -H 'X-User-Token: dev-admin-token' \
				"$BASE$P/patients/123/lead_care_managers" >"$T_TMP/ex_whole.$j" &
			pids+=($!)
		done
		wait "${pids[@]}"
		ok=$(cat "$T_TMP"/ex_whole.* | grep -o 200 | wc -l)
		[ "$ok" = "$n" ] && break
		sleep 0.1
	done
	expect_eq "workers in the pool" "$n" "$(ex_workers | wc -l)"
	expect_eq "care-team reads answered 200 at once, one per worker" "$n" "$ok"
}

# NGINX_EXPORT_BUFFERS: what nginx may hold of an export (lcm-api.conf's
# fastcgi_buffers, 4096 x 8 KB).
NGINX_EXPORT_BUFFERS=$((4096 * 8192))

# What may lie between a worker and a client that stopped reading early:
# nginx's buffers; nginx's socket send buffer at its largest (tcp_wmem);
# the client's receive buffer as it starts (tcp_rmem's default, twice for
# the kernel's bookkeeping: it grows only as the client reads); the
# worker's socket to nginx (twice its default send buffer); 1 MB for curl
# and the test's pipe.
ex_hold_bytes() {
	echo $((NGINX_EXPORT_BUFFERS + $(awk '{print $3}' /proc/sys/net/ipv4/tcp_wmem) +
		2 * $(awk '{print $2}' /proc/sys/net/ipv4/tcp_rmem) +
		2 * $(cat /proc/sys/net/core/wmem_default) + 1000000))
}

# The bytes the kernel holds now in the TCP connections to nginx's port,
# both ends (sent and not yet taken, received and not yet read).
ex_tcp_queued() {
	local port n=0 sl addr peer st q rest
	port=$(printf ':%04X' "${BASE##*:}")
	while read -r sl addr peer st q rest; do
		[ "$st" = 01 ] || continue
		[ "${addr: -5}" = "$port" ] || [ "${peer: -5}" = "$port" ] || continue
		n=$((n + 16#${q%%:*} + 16#${q##*:}))
	done < <(tail -n +2 /proc/net/tcp)
	echo "$n"
}

# ex_big_clinic BYTES: patients 1000 and up, each with both roles held and
# long names, so that the export is over BYTES; sets EX_PATIENTS (how
# many) and EX_PATIENT_BYTES (the bytes of a patient's two lines).
ex_big_clinic() {
	db_sql "UPDATE users SET name = CONCAT(name, ' ', REPEAT('n', 150)),
		email = CONCAT(REPEAT('e', 200), '.', id, '@example.test') WHERE id IN (101, 102)"
	EX_PATIENTS=$(($1 / 1200 + 1))
	db_sql "INSERT INTO patients (id, name, primary_provider_id)
			SELECT seq, CONCAT('Patient ', seq, ' ', REPEAT('x', 180)), 456 FROM seq_1000_to_$((999 + EX_PATIENTS));
		INSERT INTO case_loads (patient_id, provider_id, olcm_user_id, olcm_assigned_at, ilcm_user_id, ilcm_assigned_at, created_at, updated_at)
			SELECT seq, 456, 101, NOW(3), 102, NOW(3), NOW(3), NOW(3) FROM seq_1000_to_$((999 + EX_PATIENTS))" ||
		fail "the clinic was not made"
	# The last patient's two lines (its id is the widest).
	EX_PATIENT_BYTES=$(db_sql "SELECT SUM(LENGTH(CONCAT(p.id, ',', p.name, ',', r.role, ',', u.id, ',',
		u.name, ',', u.email, ',2026-01-01T00:00:00.000Z', CHAR(13), CHAR(10))))
		FROM patients p JOIN (SELECT 'olcm' AS role, 101 AS uid UNION ALL SELECT 'ilcm', 102) r
		JOIN users u ON u.id = r.uid WHERE p.id = $((999 + EX_PATIENTS))")
	[ "$((EX_PATIENTS * EX_PATIENT_BYTES))" -gt "$1" ] || fail "the export is not over $1 bytes"
}

# ex_reader_start NAME [TOKEN]: GET the export with a client that reads the
# headers and the first 64 KB, then stops reading (curl writes into a pipe
# nobody reads) until ex_reader_go NAME (it reads the rest) or
# ex_reader_leave NAME (it closes the connection). Its headers go to
# $T_TMP/NAME.hdr, what it read to $T_TMP/NAME, curl's exit status to
# $T_TMP/NAME.rc.
ex_reader_start() {
	local f=$T_TMP/$1
	rm -f "$f" "$f.hdr" "$f.rc" "$f.go"
	mkfifo "$f.go"
	(
		curl -s -m 120 -D "$f.hdr" -H "X-User-Token: ${2:-dev-admin-token}" "$BASE$EXPORT" |
			{ head -c 65536 >"$f"; read -r what <"$f.go"; [ "$what" = go ] && cat >>"$f"; }
		echo "${PIPESTATUS[0]}" >"$f.rc"
	) &
}
ex_reader_go() {
	timeout 10 bash -c 'echo go >"$1"' _ "$T_TMP/$1.go" || fail "the reader $1 was gone"
}
ex_reader_leave() {
	timeout 10 bash -c 'echo leave >"$1"' _ "$T_TMP/$1.go" || fail "the reader $1 was gone"
}
# ex_reader_wait NAME: until the reader is done (130 s at most); its curl status.
ex_reader_wait() {
	local i
	for i in $(seq 1 1300); do
		[ -s "$T_TMP/$1.rc" ] && break
		sleep 0.1
	done
	cat "$T_TMP/$1.rc" 2>/dev/null
}

# ex_wait_for_bytes FILE N: until FILE has N bytes (30 s at most).
ex_wait_for_bytes() {
	local i
	for i in $(seq 1 300); do
		[ "$(stat -c %s "$1" 2>/dev/null || echo 0)" -ge "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

# The export records the access log holds.
ex_logged() {
	db_sql "SELECT COUNT(*) FROM phi_access_log WHERE action = 'export_assignments'"
}

# Issue 20 §1: a worker killed while it streams (here: while its client
# reads nothing, so that it cannot have finished) must leave the client
# with a transfer it sees cut (no last chunk: curl exits 18), never a
# short CSV that ends like a whole one.
test_a_worker_killed_mid_export_leaves_the_transfer_cut() {
	local worker rc lines
	ex_big_clinic "$(($(ex_hold_bytes) + 8000000))"
	ex_reader_start killed
	ex_wait_for_bytes "$T_TMP/killed" 65536 || fail "the export did not start"
	worker=$(ex_busy_workers)
	[ -n "$worker" ] || fail "no worker streams the export"
	expect_eq "workers streaming" 1 "$(wc -w <<<"$worker")"
	kill -KILL $worker
	ex_reader_go killed
	rc=$(ex_reader_wait killed)
	expect_eq "status line" "HTTP/1.1 200 OK" "$(head -1 "$T_TMP/killed.hdr" | tr -d '\r')"
	[ "$rc" != 0 ] || fail "curl took the export of a killed worker for a whole one (exit 0)"
	expect_eq "curl: the transfer was cut (18)" 18 "$rc"
	lines=$(wc -l <"$T_TMP/killed")
	[ "$lines" -lt $((2 * EX_PATIENTS + 1)) ] || fail "$lines lines: more than the worker can have sent"
	grep -q '^#end' "$T_TMP/killed" && fail "the cut export has an end line"
	ex_pool_whole
}

# ex_tokens N: admin tokens export-admin-1 .. N (user 1's).
ex_tokens() {
	local i
	for i in $(seq 1 "$1"); do
		db_sql "INSERT INTO api_tokens (user_id, token_sha256, label, created_at)
			VALUES (1, UNHEX(SHA2('export-admin-$i', 256)), 'export test', NOW(3))"
	done
}

# ex_get TOKEN: GET the export as TOKEN; STATUS, HEADERS as req sets them,
# BODY its first 4 KB (a test that expected an error gets no 50 MB of CSV).
ex_get() {
	local hdr
	LAST_REQ="GET $EXPORT (X-User-Token: $1)"
	curl -s -m 30 -D "$T_TMP/ex_get.hdr" -H "X-User-Token: $1" "$BASE$EXPORT" |
		head -c 4096 >"$T_TMP/ex_get.body"
	hdr=$(tr -d '\r' <"$T_TMP/ex_get.hdr")
	STATUS=$(echo "$hdr" | awk 'NR==1 {print $2}')
	HEADERS=$(echo "$hdr" | awk -F': ' 'NR>1 && NF>1 {print tolower($1) ": " $2}')
	BODY=$(cat "$T_TMP/ex_get.body")
}

# ex_head TOKEN: the status of a HEAD of the export.
ex_head() {
	curl -s -I -m 10 -o /dev/null -w '%{http_code}' -H "X-User-Token: $1" "$BASE$EXPORT"
}

# ex_timed PATH [TOKEN]: "STATUS SECONDS" of one GET, 5 s at most.
ex_timed() {
	curl -s -o /dev/null -m 5 -w '%{http_code} %{time_total}' ${2:+-H "X-User-Token: $2"} "$BASE$1"
}

# Issue 19 §4: as many readers at 2 KB/s as there are workers, of an
# export larger than what nginx holds for a client (so that each one served
# holds its worker): /healthz and a care-team read still answer, because
# no more than two exports run at once (the others are told to come back
# later, 429 with Retry-After).
test_slow_readers_leave_the_pool_free() {
	local n i pids=() codes t
	n=$(ex_pool_size)
	ex_big_clinic "$(($(ex_hold_bytes) + 8000000))"
	ex_tokens "$n"
	for i in $(seq 1 "$n"); do
		curl -s -m 120 --limit-rate 2K -o "$T_TMP/slow.$i" -D "$T_TMP/slow.$i.hdr" \
			-H "X-User-Token: export-admin-$i" "$BASE$EXPORT" &
		pids+=($!)
	done
	for i in $(seq 1 "$n"); do
		ex_wait_for_bytes "$T_TMP/slow.$i.hdr" 1 || fail "reader $i got no answer"
	done
	codes=$(for i in $(seq 1 "$n"); do head -1 "$T_TMP/slow.$i.hdr" | awk '{print $2}'; done | sort | tr '\n' ' ')
	expect_eq "answers to $n readers" "200 200 $(printf '429 %.0s' $(seq 3 "$n"))" "$codes"
	for i in 1 2 3; do
		t=$(ex_timed /healthz)
		echo "    /healthz with $n slow readers: ${t#* } s"
		expect_eq "/healthz with $n slow readers" 200 "${t%% *}"
		t=$(ex_timed "$P/patients/123/lead_care_managers" dev-admin-token)
		echo "    care-team read with $n slow readers: ${t#* } s"
		expect_eq "care-team read with $n slow readers" 200 "${t%% *}"
	done
	for i in $(seq 1 "$n"); do
		if grep -q '^HTTP/1.1 200' "$T_TMP/slow.$i.hdr"; then
			kill -0 "${pids[$((i - 1))]}" 2>/dev/null || fail "reader $i was done before the reads above"
		fi
	done
	kill "${pids[@]}" 2>/dev/null
	wait "${pids[@]}" 2>/dev/null
	ex_pool_whole
}

# An export nginx can hold whole (here 12 MB, under its 32 MB) frees its
# worker as soon as the worker has written it, however slowly the client
# reads: the client still gets all of it, from nginx's memory.
test_an_export_nginx_can_hold_frees_its_worker_at_once() {
	local pid i busy logged=0
	ex_big_clinic 12000000
	curl -s -m 120 --limit-rate 2K -o "$T_TMP/held.csv" -H 'X-User-Token: dev-admin-token' "$BASE$EXPORT" &
	pid=$!
	for i in $(seq 1 300); do
		logged=$(ex_logged)
		busy=$(ex_busy_workers)
		[ "$logged" = "$EX_PATIENTS" ] && [ -z "$busy" ] && break
		sleep 0.1
	done
	expect_eq "patients written (logged)" "$EX_PATIENTS" "$logged"
	expect_eq "workers still serving the slow reader" "" "$busy"
	kill -0 "$pid" 2>/dev/null || fail "the slow reader was done already"
	ex_pool_whole
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}

# One export at a time per token, two in all: past that, a JSON 429 with
# Retry-After, and nothing is exported. The slot is free again when the
# export it held ends.
test_exports_at_once_are_limited() {
	local i
	ex_big_clinic 12000000
	ex_tokens 2
	ex_reader_start first
	ex_wait_for_bytes "$T_TMP/first" 65536 || fail "the first export did not start"
	ex_get dev-admin-token
	expect_error 429 '["Too many exports at once (one per token, two in all): try again when one has ended"]'
	expect_header retry-after 10
	expect_header cache-control no-store
	ex_reader_start second export-admin-1
	ex_wait_for_bytes "$T_TMP/second" 65536 || fail "the second export (another token) did not start"
	expect_eq "second: status" "HTTP/1.1 200 OK" "$(head -1 "$T_TMP/second.hdr" | tr -d '\r')"
	ex_get export-admin-2
	expect_error 429
	expect_eq "HEAD past the limit" 429 "$(ex_head export-admin-2)"
	ex_reader_leave first
	ex_reader_wait first >/dev/null
	for i in $(seq 1 100); do
		[ "$(ex_head dev-admin-token)" = 200 ] && break
		sleep 0.1
	done
	expect_eq "HEAD once the first export has ended" 200 "$(ex_head dev-admin-token)"
	ex_reader_leave second
	ex_reader_wait second >/dev/null
	for i in $(seq 1 100); do
		[ -z "$(ex_busy_workers)" ] && break
		sleep 0.1
	done
	expect_eq "workers still serving" "" "$(ex_busy_workers)"
}

# Issue 19 §4: the access log records each chunk's patients before the chunk
# leaves, so a client that stops reading and leaves is logged for more than
# it received: at most what nginx and the sockets held for it, and the chunk
# the worker was sending (openapi.json, the export). Past that the worker stops.
test_a_client_that_leaves_is_logged_within_the_bound() {
	local i logged=0 bound left queued
	ex_big_clinic "$(($(ex_hold_bytes) + 8000000))"
	left=$(grep -c 'export: the client left after' "$HVAR/log/workers.log")
	ex_reader_start gone
	ex_wait_for_bytes "$T_TMP/gone" 65536 || fail "the export did not start"
	# nginx takes what its buffers hold while the client reads nothing.
	for i in $(seq 1 300); do
		logged=$(ex_logged)
		[ $((logged * EX_PATIENT_BYTES)) -ge "$NGINX_EXPORT_BUFFERS" ] && break
		sleep 0.1
	done
	[ $((logged * EX_PATIENT_BYTES)) -ge "$NGINX_EXPORT_BUFFERS" ] ||
		fail "the worker wrote $((logged * EX_PATIENT_BYTES)) bytes, less than nginx's buffers hold"
	# nginx buffers only what it cannot write: the sockets to the client are full.
	queued=$(ex_tcp_queued)
	ex_reader_leave gone
	ex_reader_wait gone >/dev/null
	for i in $(seq 1 300); do
		[ "$(grep -c 'export: the client left after' "$HVAR/log/workers.log")" -gt "$left" ] && break
		sleep 0.1
	done
	[ "$(grep -c 'export: the client left after' "$HVAR/log/workers.log")" -gt "$left" ] ||
		fail "the worker did not say the client left"
	logged=$(ex_logged)
	# What the client read; what nginx and the TCP sockets held; the worker's
	# socket to nginx; the chunk the worker was sending; 1 MB for curl and the pipe.
	bound=$((65536 + NGINX_EXPORT_BUFFERS + queued + 2 * $(cat /proc/sys/net/core/wmem_default) +
		1000 * EX_PATIENT_BYTES + 1000000))
	echo "    logged $logged of $EX_PATIENTS patients ($((logged * EX_PATIENT_BYTES / 1000)) kB of CSV) for a client that read 64 kB; the sockets held $((queued / 1000)) kB; bound $((bound / 1000)) kB"
	[ "$logged" -lt "$EX_PATIENTS" ] || fail "the worker went on to the end after its client left"
	[ $((logged * EX_PATIENT_BYTES)) -le "$bound" ] ||
		fail "logged $((logged * EX_PATIENT_BYTES)) bytes' worth, over the bound $bound"
	for i in $(seq 1 100); do
		[ -z "$(ex_busy_workers)" ] && break
		sleep 0.1
	done
	expect_eq "workers still serving" "" "$(ex_busy_workers)"
}
