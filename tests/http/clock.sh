# One clock for what is compared or ordered: the database's. The workers
# here run a day behind (libfaketime, from Debian's faketime package).

P=/v1/admin/clinic/ecm
LCM=$P/lead_care_managers
FAKETIME_LIB=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1

# pool_with_clock OFFSET: the pool started again with its clock OFFSET
# ("-1d") from the host's; "" for the host's own. Returns once its workers
# are ready (harness_fresh_workers).
pool_with_clock() {
	local port=${BASE##*:} pool
	pool=$(cat "$HVAR/run/workers.pid" 2>/dev/null)
	LCM_VAR=$HVAR LCM_QUIET=1 bash "$HARNESS_ROOT/deploy/stack.sh" stop-workers ||
		{ fail "the pool did not stop"; return 1; }
	# What libfaketime shared in a faked pool's process outlives it.
	[ -n "$pool" ] && rm -f "/dev/shm/sem.faketime_sem_$pool" "/dev/shm/faketime_shm_$pool"
	LCM_POOL_FAKETIME=$1 LCM_VAR=$HVAR LCM_PORT=$port LCM_QUIET=1 \
		bash "$HARNESS_ROOT/deploy/stack.sh" start || { fail "the pool did not start"; return 1; }
	harness_fresh_workers || fail "the pool's workers are not ready"
}

test_the_export_takes_the_databases_today_not_the_hosts() {
	local today yesterday
	[ -r "$FAKETIME_LIB" ] || { skip "no libfaketime at $FAKETIME_LIB (deploy/install-deps.sh installs faketime)"; return; }
	pool_with_clock -1d || return
	today=$(db_sql "SELECT UTC_DATE()")
	yesterday=$(db_sql "SELECT UTC_DATE() - INTERVAL 1 DAY")
	# The workers' own clock is a day behind: their log says so.
	[ "$(grep 'worker ready' "$HVAR/log/workers.log" | tail -1 | cut -c1-10)" = "$yesterday" ] ||
		fail "the workers' clock is not a day behind: $(grep 'worker ready' "$HVAR/log/workers.log" | tail -1)"
	req GET "$LCM/assignments.csv?as_of=$today"
	expect_status 200
	expect_header content-disposition "attachment; filename=\"lcm-assignments-$today.csv\""
	req GET "$LCM/assignments.csv"
	expect_status 200
	expect_header content-disposition "attachment; filename=\"lcm-assignments-$today.csv\""
	pool_with_clock ""
}
