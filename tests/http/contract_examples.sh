# The contract's own examples: tests/smoke.sh (curl, in the contract's
# order) and the JavaScript examples run with node's fetch.

test_smoke_script_passes_on_demo_data() {
	local out
	out=$(bash "$HARNESS_ROOT/tests/smoke.sh" "$BASE" 2>&1) || fail "smoke.sh failed: $out"
	expect_eq "smoke summary" "smoke: 11 passed, 0 failed" "$(echo "$out" | tail -n 1)"
}

test_javascript_examples_with_node_fetch() {
	if ! command -v node >/dev/null 2>&1; then
		skip "node is not installed: the JavaScript examples are not run"
		return 0
	fi
	local out
	out=$(node "$HARNESS_ROOT/tests/js/examples.mjs" "$BASE" 2>&1) || fail "examples.mjs failed: $out"
	expect_eq "js summary" "js: 5 passed, 0 failed" "$(echo "$out" | tail -n 1)"
}

test_openapi_document_describes_what_the_service_answers() {
	if ! command -v node >/dev/null 2>&1 || [ ! -d "$HARNESS_ROOT/tests/js/node_modules/ajv" ]; then
		skip "node or the npm packages of tests/js are not installed (make http installs them)"
		return 0
	fi
	local out
	out=$(node "$HARNESS_ROOT/tests/js/openapi.mjs" "$BASE" 2>&1) || fail "openapi.mjs failed: $(grep -A1 '^not ok' <<<"$out")"
	expect_eq "openapi summary" 0 "$(tail -n 1 <<<"$out" | sed -n 's/^openapi: [0-9]* passed, \([0-9]*\) failed$/\1/p')"
	[ "$(tail -n 1 <<<"$out" | sed -n 's/^openapi: \([0-9]*\) passed.*/\1/p')" -ge 15 ] ||
		fail "too few checks ran: $(tail -n 1 <<<"$out")"
}

# The OpenAPI ecosystem's linters accept the document with no problem at all,
# warnings included: Spectral's OpenAPI rules and Redocly's recommended ones,
# as tests/js/.spectral.yaml and tests/js/redocly.yaml set them (a rule
# turned off says why there). Both run offline: Redocly's usage data and
# update check are off.
test_openapi_document_passes_spectral() {
	local bin=$HARNESS_ROOT/tests/js/node_modules/.bin/spectral out
	if ! command -v node >/dev/null 2>&1 || [ ! -x "$bin" ]; then
		skip "node or the npm packages of tests/js are not installed (make http installs them)"
		return 0
	fi
	out=$("$bin" lint --ruleset "$HARNESS_ROOT/tests/js/.spectral.yaml" --fail-severity=hint \
		"$HARNESS_ROOT/nginx/openapi.json" 2>&1) || fail "spectral lint: $out"
	expect_eq "spectral's verdict" "No results with a severity of 'hint' or higher found!" \
		"$(tail -n 1 <<<"$out")"
}

test_openapi_document_passes_redocly() {
	local bin=$HARNESS_ROOT/tests/js/node_modules/.bin/redocly out totals
	if ! command -v node >/dev/null 2>&1 || [ ! -x "$bin" ]; then
		skip "node or the npm packages of tests/js are not installed (make http installs them)"
		return 0
	fi
	out=$(cd "$HARNESS_ROOT" && REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true \
		"$bin" lint --config tests/js/redocly.yaml --format=json nginx/openapi.json 2>/dev/null)
	totals=$(jq -c .totals <<<"$out" 2>&1)
	[ "$totals" = '{"errors":0,"warnings":0,"ignored":0}' ] ||
		fail "redocly lint: ${totals:-no answer}
$(jq -r '.problems[]? | "\(.severity) \(.ruleId): \(.message) (\(.location[0].pointer))"' <<<"$out" 2>&1 | head -20)"
}
