# Sanitizer reports as files: make test SANITIZE=1 runs everything built with
# ASan (LeakSanitizer included) and UBSan, any report fatal. A sanitized
# process started with san_env's variables writes each report to
# DIR/sanitizer.PID instead of its stderr (which a test, nginx or a
# supervisor may swallow, and which LeakSanitizer's reports at a forked
# Criterion test's exit never reach), and san_check fails when there is one.
#
# Sourced: san_env DIR, san_check DIR.
# Run:     tests/lib/sanitizer.sh CMD [ARG...]   runs CMD so, fails on a report
#          tests/lib/sanitizer.sh --self-test   proves that a report is caught

# san_env DIR: sanitized processes started from now on report into DIR.
san_env() {
	ASAN_OPTIONS="log_path=$1/sanitizer:detect_leaks=1:halt_on_error=1:abort_on_error=0"
	UBSAN_OPTIONS="log_path=$1/sanitizer:print_stacktrace=1:halt_on_error=1"
	export ASAN_OPTIONS UBSAN_OPTIONS
}

# san_check DIR: 0 when DIR holds no report, else show them and return 1.
san_check() {
	local f found=0
	for f in "$1"/sanitizer.*; do
		[ -e "$f" ] || continue
		found=1
		echo "sanitizer report $f:" >&2
		head -n 40 "$f" | sed 's/^/    /' >&2
	done
	return "$found"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -u
	SAN_FLAGS=${SAN_FLAGS:--fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer}
	dir=$(mktemp -d /tmp/lcm-san.XXXXXX)
	trap 'rm -rf "$dir"' EXIT
	if [ "${1:-}" = --self-test ]; then
		# A leak, a heap overflow and a signed overflow must each be caught.
		cat >"$dir/bad.c" <<'C'
#include <stdlib.h>
#include <string.h>
int main(int argc, char **argv)
{
	volatile int big = 2147483647;
	char *p = malloc(4);
	if (strcmp(argv[1], "leak") == 0) { p[0] = 0; p = NULL; return 0; }
	if (strcmp(argv[1], "overflow") == 0) { p[argc + 2] = 1; free(p); return 0; }
	if (strcmp(argv[1], "ub") == 0) { big += argc; free(p); return big == 0; }
	free(p);
	return 0;
}
C
		# shellcheck disable=SC2086
		${CC:-cc} -g $SAN_FLAGS "$dir/bad.c" -o "$dir/bad" || exit 1
		rc=0
		for kind in leak overflow ub clean; do
			mkdir "$dir/$kind"
			(san_env "$dir/$kind"; "$dir/bad" "$kind")
			if san_check "$dir/$kind" 2>/dev/null; then caught=no; else caught=yes; fi
			want=yes
			[ "$kind" = clean ] && want=no
			echo "sanitizer self-test: $kind: report caught: $caught"
			[ "$caught" = "$want" ] || rc=1
		done
		exit "$rc"
	fi
	san_env "$dir"
	"$@"
	rc=$?
	san_check "$dir" || { echo "sanitizer: reports above: failing" >&2; rc=1; }
	exit "$rc"
fi
