#!/bin/bash
# The admin console's end-to-end tests: a throwaway stack (tests/lib/harness.sh:
# MariaDB, the workers and nginx serving nginx/console/ on a free port) and
# Debian's chromium, headless, driven by playwright-core (tests/browser's own
# npm package; no downloaded browser). Screenshots go to var/browser/ of the
# repository (the stack's own directory is removed when the tests end), and
# README.md's to nginx/console/screenshot-queue.png (tests/browser/demo.mjs).
# Usage: tests/browser/run.sh [test-name-substring]
# BROWSER_SLOW=4 (make browser BROWSER_SLOW=4): a busy machine on purpose,
# the page's CPU slowed 4 times, API answers and hashchange events late
# (console.mjs, slowDown): a test that does not wait for what it reads fails.
# Without chromium or playwright-core the tests are reported skipped, not ok;
# make browser (and so make test) installs both first. Under CI (CI=true) a
# skipped suite is a failure: CI must run what it claims to.
set -uo pipefail
cd "$(dirname "$0")/../.."
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}

skip_all() {
	echo "skip - console tests: $1"
	echo "browser: 0 passed, 0 failed, 1 skipped"
	if [ "${CI:-}" = true ]; then
		echo "browser: a skipped suite fails under CI (CI=true)" >&2
		exit 1
	fi
	exit 0
}
[ -x "$CHROMIUM" ] || skip_all "no chromium at $CHROMIUM (deploy/install-deps.sh installs it)"
command -v node >/dev/null 2>&1 || skip_all "node is not installed"
[ -d tests/browser/node_modules/playwright-core ] ||
	skip_all "playwright-core is not installed (make browser runs npm ci in tests/browser)"

make -s --no-print-directory all >/dev/null || exit 1  # never test a stale worker
. tests/lib/harness.sh
harness_start 2 || exit 1
trap harness_stop EXIT
mkdir -p var/browser
CHROMIUM=$CHROMIUM SHOTS=$(pwd)/var/browser BASE=$BASE HVAR=$HVAR DB_SOCK=$DB_SOCK \
	node tests/browser/console.mjs "${1:-}"
