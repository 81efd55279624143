#!/bin/bash
# The cluster test's own machinery, checked in seconds without a cluster:
# what it must survive on a busy machine, made to happen on purpose.
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
export ROOT
FAILED=0

# 1. Waiting for the clients after their pids were taken again. Bash forgets
# a finished background job once a new child of the shell gets its pid, and
# on a busy machine (pid_max 32768) that happens within minutes: `wait PID`
# then said "pid N is not a child of this shell". Here a private pid
# namespace, where the next pid can be chosen (ns_last_pid), makes it happen
# at once.
reuse_test() {
	. "$ROOT/tests/cluster/lib.sh"
	C=$(mktemp -d /tmp/lcm-cluster-selftest.XXXXXX)
	trap 'rm -rf "$C"' EXIT
	mkdir "$C/run"
	CLIENT_PIDS=()
	{ : >"$C/run/client0.done"; } &
	CLIENT_PIDS+=($!)
	local pid=$! t got
	# Ended and reaped by the shell: its status is now only remembered.
	for t in $(seq 1 100); do [ -e "/proc/$pid" ] || break; sleep 0.05; done
	[ -e "/proc/$pid" ] && { echo "not ok - the client did not end"; return 1; }
	echo $((pid - 1)) >/proc/sys/kernel/ns_last_pid 2>/dev/null || { echo "SKIP no ns_last_pid"; return 0; }
	# A command the shell runs (as wait_synced runs date and sleep) takes it.
	sh -c 'echo $$' >"$C/pid"
	got=$(cat "$C/pid")
	[ "$got" = "$pid" ] || { echo "SKIP the pid was not taken again ($got, not $pid)"; return 0; }
	# In this shell, not a $(...) one: a subshell has no children to wait for.
	clients_wait 10 client0 >"$C/out" 2>&1
	t=$?
	if [ "$t" = 0 ] && [ ! -s "$C/out" ]; then
		echo "ok - the clients are waited for after a new child took a finished client's pid"
	else
		echo "not ok - waiting for the clients after pid reuse: $t $(cat "$C/out")"
		return 1
	fi
}
if [ "$(id -u)" != 0 ] || ! unshare --pid --fork --mount-proc true 2>/dev/null; then
	echo "ok - # skip pid reuse: needs root and a pid namespace (unshare)"
else
	out=$(unshare --pid --fork --mount-proc bash -c "$(declare -f reuse_test); reuse_test") || FAILED=1
	case $out in
	SKIP*) echo "ok - # skip pid reuse: ${out#SKIP }" ;;
	*) echo "$out" ;;
	esac
fi

# 2. A client that does not end in time is named, ended, and the wait ends.
. tests/cluster/lib.sh
C=$(mktemp -d /tmp/lcm-cluster-selftest.XXXXXX)
trap 'rm -rf "$C"' EXIT
mkdir "$C/run"
{ : >"$C/run/quick.done"; } &
{ sleep 600; : >"$C/run/stuck.done"; } &
t0=$(date +%s)
clients_wait 1 quick stuck >"$C/out" 2>&1
rc=$?
out="$(cat "$C/out") rc=$rc"
if [ "$out" = "stuck rc=1" ] && [ $(($(date +%s) - t0)) -lt 60 ] && [ -z "$(jobs -pr)" ]; then
	echo "ok - a client still running when time is up is named and ended"
else
	echo "not ok - a client still running when time is up: '$out', jobs left: $(jobs -pr | wc -l)"
	FAILED=1
fi

echo "cluster selftest: $([ "$FAILED" = 0 ] && echo passed || echo FAILED)"
exit "$FAILED"
