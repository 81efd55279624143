#!/bin/bash
# The deploy test: deploy/README.md step by step, the way an operator runs
# it, on this machine and without touching anything of the host's:
#   make install DESTDIR=<tmp> PREFIX=/usr; a MariaDB of its own with no demo
#   data; the two accounts; lcm-admin migrate (onto a database made at an
#   earlier schema, whose token must keep working), check, user add, token
#   issue, role add, the imports (and all of that again on databases made
#   with the server's default collation); the workers started with the unit's own
#   ExecStart, as an unprivileged user (systemd is not running here); an
#   nginx configured the way an operator's is (locations and error pages of
#   its own) that includes the two snippets; then the contract's curl
#   examples (tests/smoke.sh) with the issued tokens, the operator's own
#   locations unchanged, revoked and expired tokens refused, a bad
#   configuration line stopping the workers with its message, a backup
#   restored and compared, and every command of deploy/README.md run.
# Usage: tests/deploy/run.sh   (DEPLOY_KEEP=1 keeps the directory)
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)

T=$(mktemp -d /tmp/lcm-deploy.XXXXXX)
chmod 755 "$T"
D=$T/root                 # DESTDIR
ETC=$D/etc/lcm
SOCK=$T/run/mysqld.sock
POOL_SOCK=$T/run/lcm/fcgi.sock
RAN=$T/ran                # the README commands this run performed (or stood in for)
PASS=0 FAIL=0 SKIP=0
POOL_PID= NGINX_PID=

# The process is gone (or a zombie of ours, waiting to be reaped).
gone() { ! kill -0 "$1" 2>/dev/null || [ "$(ps -o stat= -p "$1" | cut -c1)" = Z ]; }
ok() { PASS=$((PASS + 1)); echo "ok - $1"; }
not_ok() { FAIL=$((FAIL + 1)); echo "not ok - $1"; [ -z "${2:-}" ] || echo "    $2"; }
check() { local name=$1; shift; if "$@"; then ok "$name"; else not_ok "$name"; fi; }
# held NAME: what the condition just before it returned (for conditions of
# several commands: "cond1 && cond2; held NAME").
held() { if [ "$?" = 0 ]; then ok "$1"; else not_ok "$1"; fi; }
ran() { echo "$*" >>"$RAN"; }
die() { not_ok "$1" "${2:-}"; finish; }

cleanup() {
	local rc=$?
	[ -n "$NGINX_PID" ] && kill -QUIT "$NGINX_PID" 2>/dev/null
	if [ -n "$POOL_PID" ] && kill -TERM "$POOL_PID" 2>/dev/null; then
		# The workers report their leaks as they exit.
		for _ in $(seq 1 150); do gone "$POOL_PID" && break; sleep 0.2; done
	fi
	if [ -f "$T/run/mysqld.pid" ]; then
		local pid
		pid=$(cat "$T/run/mysqld.pid")
		kill -TERM "$pid" 2>/dev/null
		for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
	fi
	sleep 0.3
	if [ "${SANITIZE:-}" = 1 ] && ! san_check "$T/san"; then
		echo "deploy: failed: sanitizer reports (above)"
		rc=1
	fi
	if [ -n "${DEPLOY_KEEP:-}" ]; then echo "deploy: kept $T" >&2; else rm -rf "$T"; fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

finish() {
	echo "deploy: $PASS passed, $FAIL failed, $SKIP skipped"
	if [ "$SKIP" -gt 0 ] && [ "${CI:-}" = true ]; then
		echo "deploy: skipped checks fail under CI (CI=true): CI must run what it claims to"
		exit 1
	fi
	[ "$FAIL" = 0 ]
	exit
}

# The workers and nginx run as an unprivileged user: nobody, when this runs as root.
if [ "$(id -u)" = 0 ]; then
	AS_USER=(setpriv --reuid=65534 --regid=65534 --clear-groups)
	RUN_USER=nobody
	RUN_GROUP=$(id -gn 65534)
else
	AS_USER=()
	RUN_USER=$(id -un)
	RUN_GROUP=$(id -gn)
fi

. tests/lib/harness.sh   # harness_free_port, san_env, san_check
# SANITIZE=1: the build-san/ binaries (make install takes them) report into
# $T/san, which the workers' unprivileged user can write; any report fails.
if [ "${SANITIZE:-}" = 1 ]; then
	mkdir -p "$T/san"
	chmod 1777 "$T/san"
	san_env "$T/san"
fi


sql() { mariadb --no-defaults --default-character-set=utf8mb4 --socket="$SOCK" -uroot --batch --skip-column-names "$@"; }

# ---- 1. packages -----------------------------------------------------------
# The README's list must be what the suite's installer put on this machine.
missing=""
for p in $(sed -n '/^## 1\. Packages/,/^## 2/p' deploy/README.md | grep '^    ' | tr ' \\' '\n\n' |
	grep -E '^[a-z0-9][a-z0-9.+-]+$' | grep -vE '^(sudo|apt-get|install)$'); do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
check "README's packages are installed${missing:+ (missing:$missing)}" [ -z "$missing" ]
ran apt-get

# ---- 2. build and install --------------------------------------------------
make -s --no-print-directory all >/dev/null || die "make"
ran make
make -s --no-print-directory install DESTDIR="$D" PREFIX=/usr >"$T/install.out" 2>&1 ||
	die "make install" "$(cat "$T/install.out")"
ran make install
for f in usr/bin/lcm-admin usr/sbin/lcm-worker usr/share/lcm/db-schema/001_users.sql \
	usr/share/lcm/db-schema/011_base_roles.sql usr/share/lcm/openapi.json \
	usr/share/lcm/console/index.html usr/share/lcm/console/js/app.js \
	etc/nginx/snippets/lcm-upstream.conf \
	etc/nginx/snippets/lcm-api.conf lib/systemd/system/lcm-workers.service \
	lib/systemd/system/lcm-release-ended.service lib/systemd/system/lcm-release-ended.timer \
	etc/lcm/lcm.conf.example usr/share/man/man8/lcm-admin.8 usr/share/man/man5/lcm.conf.5; do
	check "installed $f" [ -s "$D/$f" ]
done
# The manual pages, as written (tests/unit/test_man.c holds them to the
# code), render without a warning.
for page in deploy/lcm-admin.8 deploy/lcm.conf.5; do
	inst=$D/usr/share/man/man${page##*.}/${page#deploy/}
	check "the installed ${page#deploy/} is $page" cmp -s "$page" "$inst"
	if command -v mandoc >/dev/null 2>&1; then
		out=$(mandoc -T lint -W warning "$inst" 2>&1)
		if [ $? = 0 ]; then ok "mandoc -T lint: ${page#deploy/} has no warning"
		else not_ok "mandoc -T lint: ${page#deploy/} has no warning" "$out"; fi
	else
		SKIP=$((SKIP + 1))
		echo "skip - mandoc -T lint ${page#deploy/}: mandoc is not installed"
	fi
done
[ -x "$D/usr/bin/lcm-admin" ] && [ -x "$D/usr/sbin/lcm-worker" ]
held "installed binaries are executable"
check "no demo data is installed" [ -z "$(find "$D" -name 'demo*')" ]
UNIT=$D/lib/systemd/system/lcm-workers.service
EXEC=$(sed -n 's/^ExecStart=//p' "$UNIT")
check "the unit starts /usr/bin/lcm-admin pool" [ "$EXEC" = "/usr/bin/lcm-admin pool" ]
for key in 'User=lcm' 'Restart=always' 'TimeoutStopSec=60' 'ProtectSystem=strict' 'ProtectHome=yes' \
	'PrivateTmp=yes' 'NoNewPrivileges=yes' 'CapabilityBoundingSet=' 'RestrictAddressFamilies=' \
	'RuntimeDirectory=lcm' 'RuntimeDirectoryMode=0750' 'Group=www-data' 'KillMode=mixed'; do
	check "the unit has $key" grep -q "^$key" "$UNIT"
done
check "the unit's reload has multiwatch pass USR2 on (the workers reopen their log)" \
	grep -qx 'ExecReload=/bin/kill -USR2 $MAINPID' "$UNIT"
check "installed etc/logrotate.d/lcm, reloading the unit" \
	grep -q 'systemctl reload lcm-workers' "$D/etc/logrotate.d/lcm"
if command -v logrotate >/dev/null 2>&1; then
	# The rule names the service's user (lcm), which this machine need not
	# have: it is read with this run's user and group in its place.
	sed "s/^\(\s*create [0-7]*\) lcm adm$/\1 $(id -un) $(id -gn)/" "$D/etc/logrotate.d/lcm" \
		>"$T/logrotate.rule"
	out=$(logrotate -d -s "$T/logrotate.state" "$T/logrotate.rule" 2>&1)
	rc=$?
	check "logrotate reads the rule${out:+: $(echo "$out" | grep -i error | head -3)}" [ $rc = 0 ]
else
	SKIP=$((SKIP + 1))
	echo "skip - logrotate -d: logrotate is not installed"
fi
# systemd-analyze checks the unit; the binaries it names live under DESTDIR here.
sed "s|/usr/bin/|$D/usr/bin/|g" "$UNIT" >"$T/lcm-workers.service"
if command -v systemd-analyze >/dev/null 2>&1; then
	out=$(systemd-analyze verify "$T/lcm-workers.service" 2>&1)
	[ $? = 0 ] && [ -z "$out" ]
	held "systemd-analyze verify passes, silently${out:+: $out}"
else
	SKIP=$((SKIP + 1))
	echo "skip - systemd-analyze verify: systemd-analyze is not installed"
fi
# The daily release of ended authorizations: a oneshot service of lcm-admin
# release-ended as the workers' user, and its timer beside it (the timer
# starts the service of its own name).
RUNIT=$D/lib/systemd/system/lcm-release-ended.service
RTIMER=$D/lib/systemd/system/lcm-release-ended.timer
check "the release unit runs /usr/bin/lcm-admin release-ended" \
	[ "$(sed -n 's/^ExecStart=//p' "$RUNIT")" = "/usr/bin/lcm-admin release-ended" ]
for key in 'Type=oneshot' 'User=lcm' 'ProtectSystem=strict' 'NoNewPrivileges=yes' 'PrivateTmp=yes'; do
	check "the release unit has $key" grep -qx "$key" "$RUNIT"
done
for key in 'OnCalendar=\*-\*-\* 02:30' 'Persistent=true' 'RandomizedDelaySec=[0-9]+min' 'WantedBy=timers.target'; do
	check "the release timer has $key" grep -qxE "$key" "$RTIMER"
done
check "the timer has no Unit= of another name (it starts lcm-release-ended.service)" \
	[ -z "$(grep '^Unit=' "$RTIMER")" ]
mkdir -p "$T/units"
sed "s|/usr/bin/|$D/usr/bin/|g" "$RUNIT" >"$T/units/lcm-release-ended.service"
cp "$RTIMER" "$T/units/"
if command -v systemd-analyze >/dev/null 2>&1; then
	# Their Documentation= is the installed lcm-admin(8).
	out=$(MANPATH=$D/usr/share/man systemd-analyze verify "$T/units/lcm-release-ended.timer" \
		"$T/units/lcm-release-ended.service" 2>&1)
	[ $? = 0 ] && [ -z "$out" ]
	held "systemd-analyze verify passes the release service and timer, silently${out:+: $out}"
	# What systemctl list-timers shows as NEXT: the calendar's next elapse.
	cal=$(sed -n 's/^OnCalendar=//p' "$RTIMER")
	out=$(systemd-analyze calendar "$cal" 2>&1)
	check "the timer's OnCalendar is daily at 02:30 ($(grep 'Next elapse' <<<"$out" | sed 's/^ *//'))" \
		grep -q 'Normalized form: \*-\*-\* 02:30:00$' <<<"$out"
	ran systemctl list-timers
else
	SKIP=$((SKIP + 2))
	echo "skip - systemd-analyze verify of the release units: systemd-analyze is not installed"
	echo "skip - systemd-analyze calendar of the release timer: systemd-analyze is not installed"
fi
# make install keeps an existing lcm.conf.
echo "# the operator's" >"$ETC/lcm.conf"
make -s --no-print-directory install DESTDIR="$D" PREFIX=/usr >/dev/null 2>&1
check "make install keeps an existing lcm.conf" [ "$(cat "$ETC/lcm.conf")" = "# the operator's" ]
rm -f "$ETC/lcm.conf"
make -s --no-print-directory install DESTDIR="$T/root-local" >/dev/null 2>&1
check "the default PREFIX /usr/local puts the manual pages under the prefix" \
	[ -s "$T/root-local/usr/local/share/man/man8/lcm-admin.8" ] &&
	[ -s "$T/root-local/usr/local/share/man/man5/lcm.conf.5" ]
check "the default PREFIX /usr/local puts the unit under the prefix" \
	[ -s "$T/root-local/usr/local/lib/systemd/system/lcm-workers.service" ] &&
	grep -q '^ExecStart=/usr/local/bin/lcm-admin pool' \
	"$T/root-local/usr/local/lib/systemd/system/lcm-workers.service"
[ -s "$T/root-local/usr/local/lib/systemd/system/lcm-release-ended.timer" ] &&
	grep -q '^ExecStart=/usr/local/bin/lcm-admin release-ended$' \
	"$T/root-local/usr/local/lib/systemd/system/lcm-release-ended.service"
held "the default PREFIX /usr/local puts the release units under the prefix"
ran adduser   # the workers run as $RUN_USER below

# ---- 3. a MariaDB of the test's own, then the two accounts -------------------
mkdir -p "$T/run" "$T/mysql" "$T/mysql-tmp" "$T/log"
ME=$(id -un)
mariadb-install-db --no-defaults --datadir="$T/mysql" --user="$ME" \
	--auth-root-authentication-method=normal --skip-test-db >"$T/log/install-db.log" 2>&1 ||
	die "mariadb-install-db" "$(tail -5 "$T/log/install-db.log")"
setsid mariadbd --no-defaults --datadir="$T/mysql" --socket="$SOCK" --pid-file="$T/run/mysqld.pid" \
	--log-error="$T/log/mariadb.err" --skip-networking --user="$ME" --tmpdir="$T/mysql-tmp" \
	--character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci </dev/null >/dev/null 2>&1 &
for _ in $(seq 1 150); do mariadb-admin --no-defaults --socket="$SOCK" -uroot ping >/dev/null 2>&1 && break; sleep 0.2; done
mariadb-admin --no-defaults --socket="$SOCK" -uroot ping >/dev/null 2>&1 || die "MariaDB started"

sh -c "umask 077; head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >$ETC/db_password"
sh -c "umask 077; head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >$ETC/migrate_password"
ran sh
if [ "$(id -u)" = 0 ]; then chown "$RUN_USER" "$ETC/db_password"; fi
ran chown
# The README's own SQL, its password files read from here.
readme_sql=$(sed -n '/^    sudo mariadb <<SQL$/,/^    SQL$/p' deploy/README.md | sed -e '1d' -e '$d' -e 's/^    //' |
	sed "s|\$(sudo cat /etc/lcm/|\$(cat $ETC/|")
check "the README has the accounts' SQL" grep -q "GRANT SELECT, INSERT, UPDATE, DELETE ON lcm.\* TO 'lcm_app'@'localhost';" <<<"$readme_sql"
eval "sql <<SQL
$readme_sql
SQL" || die "the README's SQL ran"
ran mariadb

# ---- 4. configuration ------------------------------------------------------
cp "$ETC/lcm.conf.example" "$ETC/lcm.conf"
ran cp
sed -i -e "s|^db_socket = .*|db_socket = $SOCK|" \
	-e "s|^db_password_file = .*|db_password_file = $ETC/db_password|" \
	-e "s|^migrate_password_file = .*|migrate_password_file = $ETC/migrate_password|" \
	-e "s|^schema_dir = .*|schema_dir = $D/usr/share/lcm/db-schema|" \
	-e "s|^listen = .*|listen = $POOL_SOCK|" "$ETC/lcm.conf"
chmod 644 "$ETC/lcm.conf"
check "the example's schema_dir is the installed one" \
	grep -q '^schema_dir = /usr/share/lcm/db-schema$' "$ETC/lcm.conf.example"
export LCM_CONFIG=$ETC/lcm.conf
ADMIN=$D/usr/bin/lcm-admin
admin() { ran "lcm-admin $1 ${2:-}"; "$ADMIN" "$@"; }

# An installation of an earlier release: its schema and a token of the old kind.
out=$("$ADMIN" migrate --to 7 2>&1)
check "migrate --to 7 (an earlier release's schema)" grep -q 'applied 007_patient_activities.sql' <<<"$out"
sql lcm -e "INSERT INTO roles (name) VALUES ('admin');
	INSERT INTO users (id, name, email, active, token_sha256)
	VALUES (1000, 'Olga Oldadmin', 'olga@clinic.example', 1, UNHEX(SHA2('old-release-token', 256)));
	INSERT INTO user_roles (user_id, role_id) SELECT 1000, id FROM roles WHERE name = 'admin'"

# ---- 5. schema, then the workers -------------------------------------------
"$ADMIN" check >"$T/check.out" 2>&1
[ $? != 0 ] && grep -q 'pending' "$T/check.out"
held "check fails while migrations are pending"
out=$(admin migrate 2>&1)
rc=$?
last=$(basename "$(ls "$D"/usr/share/lcm/db-schema/[0-9]*.sql | tail -1)")
check "migrate applies the rest onto the old data, through $last ($(tail -1 <<<"$out"))" \
	[ $rc = 0 ] && grep -q 'applied 010_users_drop_token.sql' <<<"$out" && grep -q "applied $last" <<<"$out"
out=$(admin migrate 2>&1)
check "migrate again: up to date" [ "$out" = "migrate: schema is up to date" ]
out=$(admin check 2>&1)
check "check passes: $(tail -1 <<<"$out")" grep -q '^schema: up to date' <<<"$out"
# db-schema/schema.sql is the schema of this migrated database, through the
# last migration (make schema regenerates it).
out=$(diff -u --label db-schema/schema.sql --label "the migrated database" \
	<(awk 'body; /^$/ { body = 1 }' db-schema/schema.sql) <(bash db-schema/schema.sh --dump "$SOCK" lcm) 2>&1)
rc=$?
grep -qxF -- "--     $last" db-schema/schema.sql || out="its header does not name $last${out:+
$out}"
if [ $rc = 0 ] && [ -z "$out" ]; then
	ok "db-schema/schema.sql is the migrated database's schema, through $last"
else
	not_ok "db-schema/schema.sql is the migrated database's schema, through $last (make schema)" \
		"$(head -c 6000 <<<"$out")"
fi
check "the old token became an API token" \
	[ "$(sql lcm -e "SELECT COUNT(*) FROM api_tokens WHERE user_id = 1000 AND token_sha256 = UNHEX(SHA2('old-release-token', 256))")" = 1 ]
# A migration edited after it was applied is refused.
cp -a "$D/usr/share/lcm/db-schema" "$T/schema-edited"
echo "-- edited" >>"$T/schema-edited/005_patients.sql"
sed "s|^schema_dir = .*|schema_dir = $T/schema-edited|" "$ETC/lcm.conf" >"$T/edited.conf"
out=$("$ADMIN" --config "$T/edited.conf" migrate 2>&1)
[ $? != 0 ] && grep -q '005_patients.sql changed' <<<"$out"
held "an edited migration is refused"

# systemctl enable --now lcm-workers: the unit's ExecStart, as the unit's (unprivileged) user.
mkdir -p "$T/run/lcm"
[ "$(id -u)" = 0 ] && chown "$RUN_USER:$RUN_GROUP" "$T/run/lcm"
chmod 750 "$T/run/lcm"
read -r -a exec_argv <<<"$(sed -n 's/^ExecStart=//p' "$UNIT" | sed "s|^/usr/bin/|$D/usr/bin/|")"
setsid "${AS_USER[@]}" env LCM_CONFIG="$ETC/lcm.conf" "${exec_argv[@]}" \
	>>"$T/log/workers.log" 2>&1 </dev/null &
POOL_PID=$!
ran systemctl enable
for _ in $(seq 1 300); do [ -S "$POOL_SOCK" ] && break; sleep 0.1; done
check "the pool listens on its socket" [ -S "$POOL_SOCK" ]
check "the socket is mode 0660, for the pool's group alone" [ "$(stat -c %a "$POOL_SOCK")" = 660 ]
workers=$(pgrep -c -P "$POOL_PID" -f lcm-worker)
check "multiwatch runs the configured 4 workers (saw $workers)" [ "$workers" = 4 ]
check "the workers run as $RUN_USER" [ "$(ps -o user= -p "$(pgrep -P "$POOL_PID" -f lcm-worker | head -1)")" = "$RUN_USER" ]
check "the pool is spawn-fcgi -n's multiwatch" grep -q multiwatch "/proc/$POOL_PID/cmdline"
ran systemctl status

# ---- 6. nginx, the operator's, then with the two includes ---------------------
PORT=$(harness_free_port)
mkdir -p "$T/nginx/conf.d" "$T/nginx/tmp" "$T/www"
echo '<html>the operator'"'"'s own 404</html>' >"$T/www/custom_404.html"
echo '<html>home</html>' >"$T/www/index.html"
# The installed snippets, pointing where this install put things (DESTDIR).
sed "s|unix:/run/lcm/fcgi.sock|unix:$POOL_SOCK|" "$D/etc/nginx/snippets/lcm-upstream.conf" \
	>"$T/nginx/lcm-upstream.conf"
sed -e "s|/usr/share/lcm/openapi.json|$D/usr/share/lcm/openapi.json|" \
	-e "s|/usr/share/lcm/console/|$D/usr/share/lcm/console/|" "$D/etc/nginx/snippets/lcm-api.conf" \
	>"$T/nginx/lcm-api.conf"
# nginx.conf as an operator's looks: mime types, a default_type, a server with
# locations and an error page of its own. @API@ is where the include goes.
user_line=""
[ "$(id -u)" = 0 ] && user_line="user $RUN_USER $RUN_GROUP;"
operator_conf() {
	cat <<CONF
$user_line
worker_processes 1;
pid $T/nginx/nginx.pid;
error_log $T/nginx/error.log warn;
events { worker_connections 64; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log $T/nginx/access.log;
    client_body_temp_path $T/nginx/tmp/body;
    fastcgi_temp_path $T/nginx/tmp/fastcgi;
    proxy_temp_path $T/nginx/tmp/proxy;
    uwsgi_temp_path $T/nginx/tmp/uwsgi;
    scgi_temp_path $T/nginx/tmp/scgi;
    include $T/nginx/conf.d/*.conf;
    server {
        listen 127.0.0.1:$PORT;
        root $T/www;
        error_page 404 /custom_404.html;
        location = /other { return 200 "other"; }
        location ~ \.json\$ { return 418; }
        location / { try_files \$uri \$uri/ =404; }
        $1
    }
}
CONF
}
start_nginx() {
	nginx -t -q -p "$T/nginx" -c "$T/nginx/nginx.conf" -e "$T/nginx/error.log" 2>"$T/nginx/t.out" ||
		die "nginx -t" "$(cat "$T/nginx/t.out")"
	nginx -p "$T/nginx" -c "$T/nginx/nginx.conf" -e "$T/nginx/error.log" || die "nginx started"
	for _ in $(seq 1 300); do [ -s "$T/nginx/nginx.pid" ] && break; sleep 0.1; done
	NGINX_PID=$(cat "$T/nginx/nginx.pid")
}
# answer PATH [curl args]: status, content type and body on one line.
answer() {
	local p=$1
	shift
	curl -s -o "$T/body" -w '%{http_code} %{content_type} ' "$@" "http://127.0.0.1:$PORT$p"
	cat "$T/body"
}
OPERATOR_PATHS=(/other /missing /index.html /data.json /nope/deeper)
operator_conf "" >"$T/nginx/nginx.conf"
start_nginx
declare -A before
for p in "${OPERATOR_PATHS[@]}"; do before[$p]=$(answer "$p"); done
check "before the include, the API is not there" [ "$(answer /healthz | cut -c1-3)" = 404 ]

# The two includes of the README, then nginx -t and a reload.
ln -s "$T/nginx/lcm-upstream.conf" "$T/nginx/conf.d/lcm-upstream.conf"
ran ln
operator_conf "include $T/nginx/lcm-api.conf;" >"$T/nginx/nginx.conf"
ran include
nginx -t -q -p "$T/nginx" -c "$T/nginx/nginx.conf" -e "$T/nginx/error.log" 2>"$T/nginx/t.out"
rc=$?
check "nginx -t accepts the operator's config with both includes $(cat "$T/nginx/t.out")" [ $rc = 0 ]
ran nginx
# The reload is over once every worker of the old configuration is gone:
# until then one of them may still accept a connection and answer 404.
old_workers=$(pgrep -P "$NGINX_PID")
nginx -p "$T/nginx" -c "$T/nginx/nginx.conf" -e "$T/nginx/error.log" -s reload
ran systemctl reload
for _ in $(seq 1 600); do
	gone=1
	for w in $old_workers; do kill -0 "$w" 2>/dev/null && gone=0; done
	[ "$gone" = 1 ] && break
	sleep 0.1
done
check "the reload replaced nginx's workers" [ "$gone" = 1 ]
for _ in $(seq 1 300); do [ "$(answer /healthz | cut -c1-3)" = 200 ] && break; sleep 0.1; done
got=$(answer /healthz)
check "after the reload /healthz answers 200 (${got:0:80})" [ "${got:0:3}" = 200 ]
for p in "${OPERATOR_PATHS[@]}"; do
	now=$(answer "$p")
	check "the operator's $p answers as before ($(cut -c1-60 <<<"$now"))" [ "$now" = "${before[$p]}" ]
done
out=$(answer /v1/admin/clinic/ecm/no/such.json)
check "the API's own paths are the API's, even ending in .json ($out)" \
	[ "$out" = '404 application/json; charset=utf-8 {"errors":["Not found"]}' ]
out=$(answer /v1/admin/clinic/ecm/lead_care_managers/assign -X POST -H 'Content-Type: application/json' \
	--data-binary @<(head -c 1100000 /dev/zero | tr '\0' 'x'))
check "a body over 1 MiB is the API's JSON 413 ($(cut -c1-70 <<<"$out"))" \
	[ "$out" = '413 application/json; charset=utf-8 {"errors":["Request body too large (limit 1 MiB)"]}' ]
out=$(answer /v1/admin/clinic/ecm/openapi.json)
check "the OpenAPI document is served, without a token ($(head -c 35 <<<"$out"))" \
	[ "$(head -c 35 <<<"$out")" = '200 application/json; charset=utf-8' ] &&
	[ "$(jq -r .openapi "$T/body")" = 3.1.0 ]
out=$(curl -s -D - -o "$T/body" "http://127.0.0.1:$PORT/console/" | tr -d '\r')
check "the admin console is served, with its Content-Security-Policy" \
	grep -q '^HTTP/1.1 200' <<<"$out" && grep -qi '^content-type: text/html' <<<"$out" &&
	grep -qi "^content-security-policy: default-src 'none'; script-src 'self'; style-src 'self'" <<<"$out" &&
	cmp -s "$T/body" "$D/usr/share/lcm/console/index.html"
out=$(answer /console/js/app.js)
check "the console's modules are served as JavaScript ($(head -c 40 <<<"$out"))" \
	[ "$(head -c 35 <<<"$out")" = '200 text/javascript; charset=utf-8 ' ] &&
	cmp -s "$T/body" "$D/usr/share/lcm/console/js/app.js"
out=$(answer /v1/admin/clinic/ecm/lead_care_managers -H 'X-User-Token: old-release-token')
check "the earlier release's token works after the upgrade" [ "$(cut -c1-3 <<<"$out")" = 200 ]

# ---- 7. the first admin and token ------------------------------------------
ADA=$(admin user add --name "Ada Admin" --email ada@clinic.example --role admin)
check "user add prints the new id alone ($ADA)" grep -qE '^[0-9]+$' <<<"$ADA"
TOKEN=$(admin token issue "$ADA" --label "ada laptop" --expires-days 365 2>/dev/null)
check "token issue prints a token alone" grep -qE '^lcm_[A-Za-z0-9_-]{43}$' <<<"$TOKEN"
check "only the token's SHA-256 is stored" \
	[ "$(sql lcm -e "SELECT COUNT(*) FROM api_tokens WHERE token_sha256 = UNHEX(SHA2('$TOKEN', 256))")" = 1 ]
out=$("$ADMIN" user add --name "Dup" --email ada@clinic.example 2>&1)
check "user add refuses an email in use ($out)" [ $? = 1 ]

# ---- 8. the clinic's data --------------------------------------------------
admin role add coordinator >/dev/null
out=$(admin import users "$ROOT/deploy/sample/users.csv" 2>&1)
check "import users before providers and patients ($out)" grep -q '6 rows: 6 added' <<<"$out"
printf 'id,name,primary_provider_id\n123,John Doe,999\n,No Id,\n' >"$T/bad-patients.csv"
out=$("$ADMIN" import patients "$T/bad-patients.csv" 2>&1)
rc=$?
[ $rc = 1 ] &&
	grep -q 'bad-patients.csv:2: provider 999 does not exist' <<<"$out" &&
	grep -q 'bad-patients.csv:3: id must be a positive integer' <<<"$out" &&
	[ "$(sql lcm -e 'SELECT COUNT(*) FROM patients')" = 0 ]
held "a bad patients file is refused line by line, nothing written"
out=$(admin import providers "$ROOT/deploy/sample/providers.csv" 2>&1)
check "import providers ($out)" grep -q '1 rows: 1 added' <<<"$out"
out=$(admin import patients "$ROOT/deploy/sample/patients.csv" 2>&1)
check "import patients ($out)" grep -q '4 rows: 4 added' <<<"$out"
before_sum=$(sql lcm -e 'CHECKSUM TABLE providers, patients, users, user_roles')
for k in providers patients users; do
	out=$("$ADMIN" import "$k" "$ROOT/deploy/sample/$k.csv" 2>&1)
	check "importing $k again changes nothing ($out)" grep -q ' 0 added, 0 changed' <<<"$out"
done
check "tables are unchanged by the second import" \
	[ "$before_sum" = "$(sql lcm -e 'CHECKSUM TABLE providers, patients, users, user_roles')" ]
# A health plan's MIF: its members become patients after the highest id, once.
out=$(admin import mif "$ROOT/deploy/sample/mif.csv" 2>&1)
check "import mif ($out)" grep -q '^import mif: 3 members: 3 imported, 0 updated, 0 unchanged (request lcm-admin-' <<<"$out"
out=$(sql lcm -e "SELECT GROUP_CONCAT(CONCAT(p.id, ':', p.name, ':', IFNULL(m.acuity_level, '-')) ORDER BY p.id)
	FROM patients p JOIN ecm_members m ON m.patient_id = p.id")
check "the MIF's members are patients 127-129 with their facts ($out)" \
	[ "$out" = "127:Rosa Alvarez:high,128:Tom Nguyen:low,129:Ana Silva:medium" ]
out=$("$ADMIN" import mif "$ROOT/deploy/sample/mif.csv" 2>&1)
check "importing the MIF again changes nothing ($out)" grep -q ' 0 imported, 0 updated, 3 unchanged ' <<<"$out"
printf 'MEMBER_ID,FIRST_NAME,LAST_NAME,ACUITY_LEVEL\nMEM9,Ann,Lee,severe\n' >"$T/bad-mif.csv"
out=$("$ADMIN" import mif "$T/bad-mif.csv" 2>&1)
rc=$?
[ $rc = 1 ] && grep -q "bad-mif.csv:2: ACUITY_LEVEL must be low, medium or high" <<<"$out" &&
	[ "$(sql lcm -e 'SELECT COUNT(*) FROM ecm_members')" = 3 ]
held "a bad MIF is refused by line, nothing imported"
# 100,000 patients, timed (a figure, not a limit).
{ echo id,name,primary_provider_id; seq 200000 299999 | awk '{ print $1 ",Patient " $1 ",456" }'; } >"$T/big.csv"
start=$(date +%s%N)
out=$("$ADMIN" import patients "$T/big.csv" 2>&1)
ms=$((($(date +%s%N) - start) / 1000000))
check "import 100,000 patients in $ms ms ($out)" grep -q '100000 rows: 100000 added' <<<"$out"
out=$(admin user list)
check "user list shows the imported users and their roles" \
	grep -qP '^101\tJane Coordinator\tjane.coordinator@example.test\tactive\tcoordinator ecm$' <<<"$out"

# ---- 8a. what the database holds the same -----------------------------------
# users.email and roles.name compare under their collation (utf8mb4_unicode_ci:
# case and accents folded), and the database, not a byte comparison, decides
# what is the same. (Each check below tests its whole condition.)
users_sum() { sql "$1" -e 'CHECKSUM TABLE users, user_roles' | cut -f2 | tr '\n' ' '; }
# same_email DB NAME LINES WANT: a users file of LINES is refused with the
# message FILE:WANT, and nothing is written.
same_email() {
	local db=$1 name=$2 lines=$3 want=$4 before out rc
	before=$(users_sum "$db")
	printf 'id,name,email,roles,active\n%s' "$lines" >"$T/same.csv"
	out=$(LCM_DB_NAME=$db "$ADMIN" import users "$T/same.csv" 2>&1)
	rc=$?
	if [ $rc = 1 ] && grep -qF "same.csv:$want" <<<"$out" &&
		grep -q 'same.csv: 1 bad line: nothing imported$' <<<"$out" && [ "$(users_sum "$db")" = "$before" ]; then
		ok "$db: $name: refused by line, nothing imported"
	else
		not_ok "$db: $name: refused by line, nothing imported" "exit $rc: $out"
	fi
}
# The checks on database DB, which holds deploy/sample's users.
collation_checks() {
	local db=$1 out rc id
	same_email "$db" "two new users whose emails differ in case" \
		$'301,Col One,Collide.X@clinic.test,,1\n302,Col Two,collide.X@clinic.test,,1\n' \
		'3: email collide.X@clinic.test is on line 2 already (as Collide.X@clinic.test)'
	same_email "$db" "two new users whose emails differ in accents" \
		$'301,José One,josé@clinic.test,,1\n302,Jose Two,jose@clinic.test,,1\n' \
		'3: email jose@clinic.test is on line 2 already (as josé@clinic.test)'
	same_email "$db" "two users of the database given emails that differ in case" \
		$'101,Jane Coordinator,shared.x@clinic.test,coordinator ecm,1\n102,Bob Manager,Shared.X@clinic.test,coordinator ecm,1\n' \
		'3: email Shared.X@clinic.test is on line 2 already (as shared.x@clinic.test)'
	same_email "$db" "another user's email in other case" \
		$'103,Carla Intensive,JANE.Coordinator@example.test,ecm,1\n' \
		"2: email JANE.Coordinator@example.test is user 101's"
	# A user's own email in other case is theirs; a name in other case is a
	# change (no unique key makes names the same): each counted as changed.
	printf 'id,name,email,roles,active\n101,Jane Coordinator,JANE.coordinator@example.test,coordinator ecm,1\n' >"$T/own.csv"
	out=$(LCM_DB_NAME=$db "$ADMIN" import users "$T/own.csv" 2>&1)
	if grep -q ' 1 rows: 0 added, 1 changed, 0 unchanged, 0 role grants changed$' <<<"$out" &&
		[ "$(sql "$db" -e 'SELECT email FROM users WHERE id = 101')" = JANE.coordinator@example.test ]; then
		ok "$db: a user's own email in other case is a change"
	else
		not_ok "$db: a user's own email in other case is a change" "$out"
	fi
	printf 'id,name\n456,DR. SMITH\n' >"$T/prov.csv"
	out=$(LCM_DB_NAME=$db "$ADMIN" import providers "$T/prov.csv" 2>&1)
	if grep -q ' 1 rows: 0 added, 1 changed, 0 unchanged$' <<<"$out" &&
		[ "$(sql "$db" -e 'SELECT name FROM providers WHERE id = 456')" = "DR. SMITH" ]; then
		ok "$db: a provider's name in other case is a change"
	else
		not_ok "$db: a provider's name in other case is a change" "$out"
	fi
	for k in users providers; do
		out=$(LCM_DB_NAME=$db "$ADMIN" import "$k" "$ROOT/deploy/sample/$k.csv" 2>&1)
		check "$db: the sample's $k again: one changed back ($out)" grep -q ' 0 added, 1 changed, ' <<<"$out"
	done
	out=$(LCM_DB_NAME=$db "$ADMIN" user add --name "Jane Again" --email JANE.COORDINATOR@example.test 2>&1)
	rc=$?
	if [ $rc = 1 ] && grep -q 'is the email of user 101$' <<<"$out"; then
		ok "$db: user add refuses another user's email in other case"
	else
		not_ok "$db: user add refuses another user's email in other case" "exit $rc: $out"
	fi
	# A role an operator's SQL spelt "Auditor" is the role "auditor" names.
	sql "$db" -e "INSERT INTO roles (name) VALUES ('Auditor')"
	out=$(LCM_DB_NAME=$db "$ADMIN" role add auditor 2>&1)
	rc=$?
	if [ $rc = 1 ] && grep -q "role 'auditor' exists already" <<<"$out"; then
		ok "$db: role add auditor: Auditor exists already"
	else
		not_ok "$db: role add auditor: Auditor exists already" "exit $rc: $out"
	fi
	id=$(LCM_DB_NAME=$db "$ADMIN" user add --name "Aud Itor" --email aud.itor@clinic.test --role auditor 2>&1)
	if grep -qE '^[0-9]+$' <<<"$id" && [ "$(sql "$db" -e "SELECT r.name FROM user_roles ur
		JOIN roles r ON r.id = ur.role_id WHERE ur.user_id = $id")" = Auditor ]; then
		ok "$db: user add --role auditor grants Auditor"
	else
		not_ok "$db: user add --role auditor grants Auditor" "$id"
	fi
	printf 'id,name,email,roles,active\n311,Ann Auditor,ann.auditor@clinic.test,auditor,1\n' >"$T/aud.csv"
	out=$(LCM_DB_NAME=$db "$ADMIN" import users "$T/aud.csv" 2>&1)
	if grep -q ' 1 rows: 1 added, 0 changed, 0 unchanged, 1 role grants changed$' <<<"$out" &&
		[ "$(sql "$db" -e "SELECT r.name FROM user_roles ur JOIN roles r ON r.id = ur.role_id
		WHERE ur.user_id = 311")" = Auditor ]; then
		ok "$db: import users with role auditor grants Auditor"
	else
		not_ok "$db: import users with role auditor grants Auditor" "$out"
	fi
	out=$(LCM_DB_NAME=$db "$ADMIN" import users "$T/aud.csv" 2>&1)
	check "$db: importing it again changes nothing ($out)" \
		grep -q ' 1 rows: 0 added, 0 changed, 1 unchanged, 0 role grants changed$' <<<"$out"
}
collation_checks lcm
# An email another session takes between the import's checks and its write
# (here: inserted, not yet committed; the import's write waits on it, then
# it commits): the database refuses the write, and the report names the line.
# race_import N: that with user N inserted and user N+1 imported; the
# import's exit status, its output in $T/race-import.out.
race_import() {
	local n=$1 race_pid import_pid rc
	rm -f "$T/race.in" "$T/race.out"
	mkfifo "$T/race.in"
	sql --unbuffered lcm <"$T/race.in" >"$T/race.out" 2>&1 &
	race_pid=$!
	exec 7>"$T/race.in"
	echo "BEGIN; INSERT INTO users (id, name, email) VALUES ($n, 'Rae Race', 'race$n@clinic.test');
		SELECT 'inserted';" >&7
	for _ in $(seq 1 100); do grep -q inserted "$T/race.out" && break; sleep 0.1; done
	printf 'id,name,email,roles,active\n%s,Ray Racer,Race%s@clinic.test,,1\n' $((n + 1)) "$n" >"$T/race.csv"
	"$ADMIN" import users "$T/race.csv" >"$T/race-import.out" 2>&1 &
	import_pid=$!
	# InnoDB refreshes INNODB_TRX only for a reader that comes 0.1 s or more
	# after the last one.
	for _ in $(seq 1 40); do
		sleep 0.15
		[ "$(sql -e "SELECT COUNT(*) FROM information_schema.INNODB_TRX WHERE trx_state = 'LOCK WAIT'")" != 0 ] && break
	done
	echo "COMMIT;" >&7
	exec 7>&-
	wait "$import_pid"
	rc=$?
	wait "$race_pid"
	return "$rc"
}
# The import waits 2 s at most (innodb_lock_wait_timeout): a machine too
# busy to commit within that time gets another try.
for n in 320 330 340; do
	race_import "$n"
	rc=$?
	grep -q '(elocked)' "$T/race-import.out" || break
done
out=$(cat "$T/race-import.out")
if [ $rc = 1 ] && grep -qF "race.csv:2: email Race$n@clinic.test is user $n's" <<<"$out" &&
	[ "$(sql lcm -e "SELECT COUNT(*) FROM users WHERE id IN ($n, $((n + 1)))")" = 1 ] &&
	[ "$(sql lcm -e "SELECT name FROM users WHERE id = $n")" = "Rae Race" ]; then
	ok "an email taken during the import: refused by line, nothing imported"
else
	not_ok "an email taken during the import: refused by line, nothing imported" "exit $rc: $out"
fi

# ---- 8b. a database made with the server's default collation ------------------
# An operator's DBA may leave out the README's COLLATE (MariaDB 10.11's
# default for utf8mb4 is utf8mb4_general_ci, 11.x's utf8mb4_uca1400_ai_ci):
# the schema names its own collation, so migrate, check (which prepares
# every statement), the admin commands and the imports work there as well,
# and make the same tables.
schema_of() {
	sql -e "SELECT t.TABLE_NAME, t.TABLE_COLLATION, c.COLUMN_NAME, c.COLUMN_TYPE, c.COLLATION_NAME
		FROM information_schema.TABLES t JOIN information_schema.COLUMNS c
		ON c.TABLE_SCHEMA = t.TABLE_SCHEMA AND c.TABLE_NAME = t.TABLE_NAME
		WHERE t.TABLE_SCHEMA = '$1' ORDER BY t.TABLE_NAME, c.ORDINAL_POSITION"
}
create_db=$(grep '^CREATE DATABASE lcm ' <<<"$readme_sql")
grants=$(grep '^GRANT .* ON lcm\.\* TO ' <<<"$readme_sql")
check "the README creates the database with a collation (${create_db:-none})" grep -q ' COLLATE ' <<<"$create_db"
for spec in "lcm_dflt:$(sed 's/ COLLATE [a-z0-9_]*//' <<<"${create_db#CREATE DATABASE lcm }")" \
	'lcm_uca:CHARACTER SET utf8mb4 COLLATE utf8mb4_uca1400_ai_ci;'; do
	db=${spec%%:*}
	sql -e "CREATE DATABASE $db ${spec#*:}
		$(sed "s/ ON lcm\.\* / ON $db.* /" <<<"$grants")" || not_ok "$db: created"
	coll=$(sql -e "SELECT DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = '$db'")
	out=$(LCM_DB_NAME=$db "$ADMIN" migrate 2>&1)
	rc=$?
	if [ $rc = 0 ] && grep -q "applied $last" <<<"$out"; then ok "$db ($coll): migrate"
	else not_ok "$db ($coll): migrate" "exit $rc: $out"; fi
	out=$(LCM_DB_NAME=$db "$ADMIN" check 2>&1)
	rc=$?
	if [ $rc = 0 ] && grep -q '^statements: ' <<<"$out"; then ok "$db ($coll): check passes"
	else not_ok "$db ($coll): check passes" "exit $rc: $out"; fi
	out=$(LCM_DB_NAME=$db "$ADMIN" role add coordinator 2>&1)
	rc=$?
	if [ $rc = 0 ]; then ok "$db ($coll): role add"; else not_ok "$db ($coll): role add" "exit $rc: $out"; fi
	out=$(LCM_DB_NAME=$db "$ADMIN" user add --name "Ada Admin" --email ada@clinic.example --role admin 2>&1)
	check "$db ($coll): user add ($out)" grep -qE '^[0-9]+$' <<<"$out"
	for k in users providers patients; do
		out=$(LCM_DB_NAME=$db "$ADMIN" import "$k" "$ROOT/deploy/sample/$k.csv" 2>&1)
		check "$db ($coll): import $k ($out)" grep -q ' added, 0 changed, 0 unchanged' <<<"$out"
	done
	check "$db ($coll): its tables and columns are the README database's" [ "$(schema_of "$db")" = "$(schema_of lcm)" ]
	collation_checks "$db"
done

# ---- 9. try it: the contract's curl examples --------------------------------
# The demo clinic's files import beside the contract's example, and the
# contract's examples still run with them there.
for k in providers:3 patients:300 users:13; do
	out=$(admin import "${k%%:*}" "$ROOT/deploy/sample/clinic/${k%%:*}.csv" 2>&1)
	check "import the demo clinic's ${k%%:*} ($out)" grep -q "${k#*:} rows: ${k#*:} added" <<<"$out"
done
[ "$(sql lcm -e 'SELECT COUNT(*) FROM users WHERE id BETWEEN 201 AND 213 AND active = 0')" = 1 ] &&
	[ "$(sql lcm -e 'SELECT COUNT(DISTINCT primary_provider_id) FROM patients WHERE id BETWEEN 1001 AND 1300')" = 3 ]
held "the demo clinic: one of its users has left, its patients have three providers"
NORA_TOKEN=$("$ADMIN" token issue 2 --label smoke 2>/dev/null)
out=$(bash "$ROOT/tests/smoke.sh" "http://127.0.0.1:$PORT/" "$TOKEN" "$NORA_TOKEN" 2>&1)
check "tests/smoke.sh passes through the operator's nginx: $(tail -1 <<<"$out")" \
	[ "$(tail -1 <<<"$out")" = "smoke: 11 passed, 0 failed" ]
[ "$(tail -1 <<<"$out")" = "smoke: 11 passed, 0 failed" ] || echo "$out" | grep 'not ok' | sed 's/^/    /'
ran tests/smoke.sh

# ---- 9b. ended authorizations: the timer's service, run by hand ---------------
# systemd is not running here: the release unit's ExecStart runs as its
# (unprivileged) user, as the timer would start it. Rosa (127) ended two
# days ago, Tom (128) is active, Ana (129) has no dates: their LCMs given
# while all were active, then the dates as the plan's next file has them.
sql lcm -e "UPDATE ecm_members SET ecm_benefit_auth_eff_date = UTC_DATE() - INTERVAL 100 DAY,
		ecm_benefit_auth_end_date = UTC_DATE() + INTERVAL 10 DAY WHERE patient_id IN (127, 128)"
for b in '{"patient_id":127,"olcm_user_id":101,"ilcm_user_id":102}' '{"patient_id":128,"olcm_user_id":101}' \
	'{"patient_id":129,"ilcm_user_id":103}'; do
	out=$(answer /v1/admin/clinic/ecm/lead_care_managers/assign -X POST -H "X-User-Token: $TOKEN" \
		-H 'Content-Type: application/json' --data-binary "$b")
	check "assigned ${b:14:3} (${out:0:3})" [ "${out:0:3}" = 200 ]
done
sql lcm -e "UPDATE ecm_members SET ecm_benefit_auth_end_date = UTC_DATE() - INTERVAL 2 DAY WHERE patient_id = 127;
	UPDATE ecm_members SET ecm_benefit_auth_eff_date = UTC_DATE() - INTERVAL 10 DAY WHERE patient_id = 128"
holders() { sql lcm -e "SELECT GROUP_CONCAT(CONCAT(patient_id, ':', IFNULL(olcm_user_id, '-'), ':',
	IFNULL(ilcm_user_id, '-')) ORDER BY patient_id) FROM case_loads WHERE patient_id IN (127, 128, 129)"; }
out=$(admin release-ended --dry-run 2>&1)
check "lcm-admin release-ended --dry-run ($out)" \
	grep -qE '^release-ended: dry run: 2 roles of 1 patients to release, 0 more after them \(as of [0-9-]{10}\)$' <<<"$out"
check "the dry run changed nothing" [ "$(holders)" = "127:101:102,128:101:-,129:-:103" ]
read -r -a release_argv <<<"$(sed -n 's/^ExecStart=//p' "$RUNIT" | sed "s|^/usr/bin/|$D/usr/bin/|")"
out=$("${AS_USER[@]}" env LCM_CONFIG="$ETC/lcm.conf" "${release_argv[@]}" 2>&1)
rc=$?
ran "lcm-admin release-ended"
if [ $rc = 0 ] && grep -qE '^release-ended: 2 roles of 1 patients released \(as of [0-9-]{10}, request lcm-admin-[^)]+\)$' <<<"$out" &&
	[ "$(holders)" = "127:-:-,128:101:-,129:-:103" ] &&
	[ "$(sql lcm -e "SELECT COUNT(*) FROM patient_activities WHERE patient_id = 127 AND source = 'release_ended'
		AND reason_code = 'authorization_ended' AND actor_user_id IS NULL")" = 2 ]; then
	ok "the release unit's ExecStart, as $RUN_USER, releases the ended member alone ($out)"
else
	not_ok "the release unit's ExecStart, as $RUN_USER, releases the ended member alone" "exit $rc: $out; $(holders)"
fi
out=$("${AS_USER[@]}" env LCM_CONFIG="$ETC/lcm.conf" "${release_argv[@]}" 2>&1)
rc=$?
[ $rc = 0 ] && grep -q '^release-ended: 0 roles of 0 patients released ' <<<"$out"
held "run again, it finds nothing (exit $rc: $out)"
# journalctl -u lcm-release-ended: its one line went to the journal (here: out).

# ---- 10. upgrade: restart the pool -------------------------------------------
kill -TERM "$POOL_PID"
for _ in $(seq 1 100); do gone "$POOL_PID" && break; sleep 0.1; done
check "the pool stops on TERM" gone "$POOL_PID"
wait "$POOL_PID" 2>/dev/null
check "no worker outlives the pool" [ -z "$(pgrep -f "$D/usr/sbin/lcm-worker")" ]
rm -f "$POOL_SOCK"
setsid "${AS_USER[@]}" env LCM_CONFIG="$ETC/lcm.conf" "${exec_argv[@]}" \
	>>"$T/log/workers.log" 2>&1 </dev/null &
POOL_PID=$!
ran systemctl restart
for _ in $(seq 1 300); do [ "$(answer /healthz | cut -c1-3)" = 200 ] && break; sleep 0.1; done
check "the restarted pool answers" [ "$(answer /healthz | cut -c1-3)" = 200 ]
# systemctl reload lcm-workers: the unit's ExecReload (USR2 to multiwatch,
# passed on: each worker reopens its log; tests/http/pool.sh moves one away).
before=$(pgrep -P "$POOL_PID" | sort | tr '\n' ' ')
reopened=$(grep -c 'log reopened' "$T/log/workers.log")
kill -USR2 "$POOL_PID"
ran systemctl reload
# Once every worker has taken the reload.
for _ in $(seq 1 300); do
	[ "$(grep -c 'log reopened' "$T/log/workers.log")" -ge $((reopened + $(wc -w <<<"$before"))) ] && break
	sleep 0.1
done
[ "$(grep -c 'log reopened' "$T/log/workers.log")" -ge $((reopened + $(wc -w <<<"$before"))) ] &&
	[ "$(pgrep -P "$POOL_PID" | sort | tr '\n' ' ')" = "$before" ] &&
	[ "$(answer /healthz | cut -c1-3)" = 200 ]
held "a reload stops no worker"

# ---- 11. tokens: rotation, revocation, expiry ------------------------------------
NEW=$(admin token issue "$ADA" --label "ada laptop 2027" 2>/dev/null)
out=$(admin token list "$ADA")
first=$(head -1 <<<"$out" | cut -f1)
[ "$(wc -l <<<"$out")" = 2 ] && ! grep -q "$TOKEN" <<<"$out" && ! grep -q "$NEW" <<<"$out"
held "token list shows both tokens, never a secret"
check "a used token's last use is noted" grep -qP "^$first\tactive\tada laptop\tcreated [^\t]+\tlast used 20" <<<"$out"
out=$(admin token revoke "$first")
check "token revoke ($out)" [ "$out" = "token $first revoked" ]
tok_status() { curl -s -o /dev/null -w '%{http_code}' -H "X-User-Token: $1" "http://127.0.0.1:$PORT/v1/admin/clinic/ecm/lead_care_managers"; }
# A worker trusts a token it checked for auth_cache_seconds (2 by default).
settle() { sleep 2.1; }
settle
check "a revoked token gets 401" [ "$(tok_status "$TOKEN")" = 401 ]
check "the new token works" [ "$(tok_status "$NEW")" = 200 ]
sql lcm -e "UPDATE api_tokens SET expires_at = NOW(3) - INTERVAL 1 SECOND WHERE token_sha256 = UNHEX(SHA2('$NEW', 256))"
settle
check "an expired token gets 401" [ "$(tok_status "$NEW")" = 401 ]
check "token list says expired" grep -qP '\texpired\t' <<<"$("$ADMIN" token list "$ADA")"
"$ADMIN" user deactivate 1000 >/dev/null
settle
check "a deactivated user's token gets 401" [ "$(tok_status old-release-token)" = 401 ]

# ---- a bad configuration line stops the workers with its message ----------------
cp "$ETC/lcm.conf" "$T/bad.conf"
echo "db_pasword_file = /etc/lcm/db_password" >>"$T/bad.conf"
line=$(wc -l <"$T/bad.conf")
out=$("$ADMIN" --config "$T/bad.conf" pool 2>&1)
[ $? = 1 ] && [ "$out" = "lcm-admin: $T/bad.conf:$line: unknown key 'db_pasword_file'" ]
held "lcm-admin pool stops on a bad line ($out)"
out=$(LCM_CONFIG=$T/bad.conf "$D/usr/sbin/lcm-worker" 2>&1 </dev/null)
[ $? = 1 ] && [ "$out" = "lcm-worker: $T/bad.conf:$line: unknown key 'db_pasword_file'" ]
held "lcm-worker stops on a bad line ($out)"
sed "s|^db_password_file = .*|db_password_file = $T/no-such-file|" "$ETC/lcm.conf" >"$T/bad2.conf"
out=$("$ADMIN" --config "$T/bad2.conf" pool 2>&1)
[ $? = 1 ] && grep -q 'cannot read password file' <<<"$out"
held "an unreadable password file stops the pool ($out)"
echo "wrong-password" >"$T/wrong_password"
sed "s|^db_password_file = .*|db_password_file = $T/wrong_password|" "$ETC/lcm.conf" >"$T/bad3.conf"
out=$("$ADMIN" --config "$T/bad3.conf" pool 2>&1)
rc=$?
[ $rc = 1 ] && grep -q 'refused lcm_app' <<<"$out"
held "a refused login stops the pool ($(cut -c1-60 <<<"$out"))"

# ---- 12. backup and restore -------------------------------------------------------
mariadb-dump --no-defaults --socket="$SOCK" -uroot --single-transaction lcm >"$T/lcm-backup.sql" ||
	not_ok "mariadb-dump --single-transaction"
ran mariadb-dump
sql -e 'CREATE DATABASE lcm_restore CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci'
sql lcm_restore <"$T/lcm-backup.sql" || not_ok "restore"
tables=$(sql lcm -e 'SHOW TABLES' | tr '\n' ' ')
same=1
for t in $tables; do
	a=$(sql -e "CHECKSUM TABLE lcm.$t" | cut -f2)
	b=$(sql -e "CHECKSUM TABLE lcm_restore.$t" | cut -f2)
	[ -n "$a" ] && [ "$a" = "$b" ] || { same=0; echo "    $t: $a vs $b"; }
done
check "the restored database's tables have the same checksums ($(wc -w <<<"$tables") tables)" [ "$same" = 1 ]

# ---- 13. logs ------------------------------------------------------------------
check "the workers' lines carry nginx's request id" grep -qE 'info \[[0-9]+\] worker ready' "$T/log/workers.log"
ran journalctl

# ---- every command of deploy/README.md ran here ---------------------------------------
# Each command line of the README, by its first word (lcm-admin, make and
# systemctl with their subcommand), against what this run did. Section 14
# (app hosts and a Galera cluster) is make cluster-test's (tests/cluster/).
while read -r key; do
	grep -qxF "$key" <(sed 's/ *$//' "$RAN" | sort -u) && continue
	not_ok "deploy/README.md's '$key' is not run by this test"
done < <(awk '/^## 14\./ { exit } /^    [a-z]/ && !cont { print } { cont = /\\$/ }' deploy/README.md |
	sed -e 's/^    //' -e 's/^sudo //' | awk '
		$1 == "lcm-admin" && ($2 == "user" || $2 == "role" || $2 == "token" || $2 == "import") { print $1, $2, $3; next }
		$1 == "lcm-admin" || $1 == "systemctl" { print $1, $2; next }
		$1 == "make" && $2 == "install" { print "make install"; next }
		$1 ~ /^[a-z][a-z.\/-]*$/ { print $1 }' | sort -u)
check "every command of deploy/README.md is one this test runs" true

finish
