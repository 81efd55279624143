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
