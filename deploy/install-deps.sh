#!/bin/sh
# Install the Debian packages the service, its tests and its benchmark need.
# Only what is missing is installed; running it again is a no-op.
# Needs root, or sudo without a password.
set -eu

PKGS="build-essential pkg-config libfcgi-dev libjson-c-dev libssl-dev
default-libmysqlclient-dev libcriterion-dev mariadb-server mariadb-client
nginx-light spawn-fcgi multiwatch curl jq nodejs procps"

[ "${1:-}" = "--bench" ] && PKGS="$PKGS wrk"

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
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >/dev/null
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing >/dev/null
# The distribution's own services are not ours to run: the stack starts private copies.
for svc in mariadb nginx; do
	if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
		$SUDO systemctl disable --now "$svc" >/dev/null 2>&1 || true
	fi
done
