# Pieces of tests/cluster/run.sh that tests/cluster/selftest.sh checks on
# their own. Sourced; the caller sets C (its directory, with run/ in it).

# clients_wait SECONDS NAME...: waits until each client NAME has ended (it
# leaves $C/run/NAME.done), at most SECONDS, then reaps them; returns 1 and
# prints the names of those still running (ended now) when time ran out.
# By these files, not by pid: bash forgets a finished background job once a
# new child of the shell gets its pid (pids wrap within minutes on a busy
# machine), and `wait PID` then fails with "pid N is not a child of this
# shell".
clients_wait() {
	local deadline=$(($(date +%s) + $1)) n missing
	shift
	while :; do
		missing=""
		for n in "$@"; do [ -e "$C/run/$n.done" ] || missing+=" $n"; done
		[ -z "$missing" ] || [ "$(date +%s)" -ge "$deadline" ] && break
		sleep 0.2
	done
	# Those still running are still the shell's jobs.
	if [ -n "$missing" ]; then
		for n in $(jobs -pr); do tree_kill "$n"; done
	fi
	wait 2>/dev/null   # (not "Killed" for each client ended above)
	[ -z "$missing" ] && return 0
	echo "${missing# }"
	return 1
}

# tree_kill PID: the process and all it started, frozen first so that none
# starts another.
tree_kill() {
	local c
	kill -STOP "$1" 2>/dev/null
	for c in $(pgrep -P "$1"); do tree_kill "$c"; done
	kill -KILL "$1" 2>/dev/null
}
