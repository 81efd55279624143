#!/bin/sh
# Install the Debian packages the service, its tests and its benchmark need
# (clang and its runtimes for the sanitizer build and the fuzz targets,
# valgrind for make memcheck).
# Only what is missing is installed; running it again is a no-op.
# Needs root, or sudo without a password.
set -eu

PKGS="build-essential pkg-config libfcgi-dev libjson-c-dev libssl-dev
default-libmysqlclient-dev libcriterion-dev mariadb-server mariadb-client
nginx-light spawn-fcgi multiwatch curl jq nodejs procps systemd logrotate faketime
clang libclang-rt-14-dev valgrind"

# mandoc -T lint checks the manual pages (tests/deploy/run.sh).
PKGS="$PKGS mandoc"

# The browser the console's end-to-end tests drive, headless (tests/browser/).
PKGS="$PKGS chromium"
# A worker whose host's clock is off (tests/http/access_log.sh): libfaketime.
PKGS="$PKGS libfaketime"
# The zones clinic_time_zone names (lcm.conf(5)); the unit tests use two.
PKGS="$PKGS tzdata"
[ "${1:-}" = "--bench" ] && PKGS="$PKGS wrk"  # make bench, soak, faults
# make cluster-test: Galera, the state transfer's tools, and ip and ss (its
# network namespace, and who holds a port).
[ "${1:-}" = "--cluster" ] && PKGS="$PKGS galera-4 mariadb-backup socat iproute2"
# The JavaScript tests' tools come from the npm registry: npm itself from
# Debian when the machine has none.
command -v npm >/dev/null 2>&1 || PKGS="$PKGS npm"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
	SUDO=""
elif command -v sudo >/dev/null 2>&1; then
	SUDO="sudo -n"
else
	echo "install-deps: need root or sudo to install:$missing" >&2
	exit 1
fi

echo "install-deps: installing:$missing"
# The services these packages bring that the host does not have yet.
new_services=""
for svc in mariadb nginx; do
	[ -e "/lib/systemd/system/$svc.service" ] || new_services="$new_services $svc"
done
export DEBIAN_FRONTEND=noninteractive
# The distribution's own services are not ours to run (the stack starts
# private copies): keep the packages from starting them while they install,
# where no policy says otherwise already.
policy=/usr/sbin/policy-rc.d
made_policy=0
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null && $SUDO chmod 755 "$policy" &&
		made_policy=1
fi
status=0
$SUDO apt-get update -q >/dev/null || status=$?
# shellcheck disable=SC2086
[ "$status" -ne 0 ] || $SUDO apt-get install -y -q --no-install-recommends $missing >/dev/null ||
	status=$?
[ "$made_policy" = 0 ] || $SUDO rm -f "$policy"
if [ "$status" -ne 0 ]; then
	echo "install-deps: apt-get failed ($status)" >&2
	exit "$status"
fi
# A service this run installed did not run before and never started (the
# policy above): leave it so, not enabled at boot. A service the host had
# already is not touched in any way.
for svc in $new_services; do
	if [ -e "/lib/systemd/system/$svc.service" ] && command -v systemctl >/dev/null 2>&1 &&
		[ -d /run/systemd/system ]; then
		$SUDO systemctl disable "$svc" >/dev/null 2>&1 || true
	fi
done
