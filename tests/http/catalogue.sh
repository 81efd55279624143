# The statement catalogue (lib/db/sql.c) against the server: what a statement
# answers is checked at prepare, column by column, by name as well as type.

# A SELECT of the catalogue with two integer columns swapped (history_page's
# started_by and ended_by: of one type, so that their types alone pass it)
# stops lcm-admin check and a starting worker, each naming the statement,
# the column's position and both names. (Regression: it prepared, and the
# history would have answered each period's starter as its ender.)
test_a_select_that_swaps_two_columns_stops_check_and_a_starting_worker() {
	local alt=$T_TMP/alt out rc wout wrc
	local said='statement history_page does not match its signature: column 7 is named "ended_by", the catalogue says "started_by"'
	mkdir -p "$alt"
	sed '/h\.started_by, sb\.name/{s/h\.started_by, /@@/; s/h\.ended_by, /h.started_by, /; s/@@/h.ended_by, /}' \
		"$HARNESS_ROOT/lib/db/sql.c" >"$alt/sql.c"
	if cmp -s "$HARNESS_ROOT/lib/db/sql.c" "$alt/sql.c"; then
		fail "history_page's SELECT has changed: the swap no longer applies to it"
		return
	fi
	if ! make -s --no-print-directory -C "$HARNESS_ROOT" ALT_SQL="$alt/sql.c" ALT_DIR="$alt" \
		alt-catalogue >"$alt/make.out" 2>&1; then
		fail "the swapped catalogue did not build: $(tail -n 5 "$alt/make.out")"
		return
	fi
	out=$("$alt/lcm-admin" --config "$HVAR/lcm.conf" check 2>&1)
	rc=$?
	expect_eq "check exit ($out)" 1 "$rc"
	expect_eq "check names the statement, the column and both names" 1 \
		"$(grep -cF "lcm-admin: $said" <<<"$out")"
	# The worker, its log on stderr; bounded: one that serves would wait for requests.
	grep -v '^log_file' "$HVAR/lcm.conf" >"$alt/stderr.conf"
	wout=$(LCM_CONFIG=$alt/stderr.conf timeout 60 "$alt/lcm-worker" 2>&1 </dev/null)
	wrc=$?
	expect_eq "worker exit ($wout)" 1 "$wrc"
	expect_eq "the worker says why" 1 "$(grep -cF "$said" <<<"$wout")"
	# The release's own catalogue still prepares against the same database.
	out=$("$LCM_ADMIN" --config "$HVAR/lcm.conf" check 2>&1)
	expect_eq "check with the release's catalogue ($out)" 0 $?
}
