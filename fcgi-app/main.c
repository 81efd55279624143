/*
 * lcm-worker: one FastCGI worker process. spawn-fcgi hands it the listening
 * socket as fd 0 and multiwatch keeps N of them alive (lcm-admin pool
 * starts both). Each runs one accept loop and owns one database
 * connection for its life.
 *
 * Configuration: the file named by LCM_CONFIG, else /etc/lcm/lcm.conf
 * (see lib/db/config.h); LCM_DB_* and LCM_LOG_* override it. A bad file, an
 * unreadable password file, a database that refuses the login, or a schema
 * that a statement of the catalogue does not prepare against or no longer
 * matches the signature of, stop the worker at start with one line on
 * stderr and exit status 1 (a second later: see cannot_start()). A schema
 * that only differs from this release's migrations (some pending, some
 * applied by a newer release: a rolling upgrade) does not: the worker
 * names each difference in a warning and serves. A database that is down
 * is not fatal: requests get 503 until it is back (the schema is compared
 * once it is).
 *
 * Signals: TERM, QUIT, INT or USR1 stop it once the request it serves is
 * answered; HUP or USR2 reopen its log file (log_file) between requests.
 */
#define _DEFAULT_SOURCE  /* explicit_bzero */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>
#include <mysql.h>

#include "access_log.h"
#include "auth.h"
#include "config.h"
#include "db.h"
#include "fcgi_io.h"
#include "idem.h"
#include "lcm.h"
#include "log.h"
#include "today.h"
#include "slots.h"
#include "migrate.h"

static volatile sig_atomic_t stopping;
static volatile sig_atomic_t reopen_log;
/* The tokens this worker checked lately (lib/care/auth.h). */
static struct auth_cache auth_cache;
/* The pool's waiting slots (lib/base/slots.h), for the process's life. */
static struct slots *lock_slots;
/* This release's migrations ("" when there are none to be found); compared yet? */
static char schema_dir[PATH_MAX];
static int schema_compared;

static void
on_term(int sig)
{
	(void)sig;
	stopping = 1;
	FCGX_ShutdownPending();
}

/* SIGHUP (sent to a worker) or SIGUSR2 (what multiwatch passes on): reopen the log. */
static void
on_reopen(int sig)
{
	(void)sig;
	reopen_log = 1;
}

/*
 * Once connected, with every statement prepared: say how the schema
 * stands against this release's migrations (lib/db/migrate.h). Once per
 * worker.
 */
static void
compare_schema(struct db *db)
{
	struct migrate_status st;

	schema_compared = 1;
	if (schema_dir[0] == '\0') {
		log_msg(LV_WARN, "schema: not compared with this release's migrations: no schema_dir,"
		    " and none installed beside the worker");
		return;
	}
	(void)migrate_report(db, schema_dir, &st);
}

/*
 * Between requests: do what a signal asked for while serving or idle; let
 * go the Idempotency-Key claims of 5xx answers the database refused to.
 */
static void
housekeeping(struct db *db)
{
	if (!schema_compared && db_connected(db))
		compare_schema(db);
	if (reopen_log) {
		reopen_log = 0;
		if (log_reopen() == 0)
			log_msg(LV_INFO, "log reopened");
	}
	if (access_log_due())
		(void)access_log_flush(db);
	idem_release_pending(db, 0);
}

/*
 * The accept loop, until a stop signal. While a request is served, signals
 * wait (so neither a stop nor a log reopen interrupts a database call: a
 * stop ends the loop once the request is answered); while idle, a stop
 * interrupts accept(). No timer signal: one could land while libfcgi reads
 * a request it has just accepted, whose read would fail and close the
 * connection under nginx (a 502). Instead the listening socket's receive
 * timeout (IDLE_WAKE_MS) has an idle accept() return, so that the access
 * log is written within two seconds of a record, a reopened log is taken
 * up within one, and a claim a 5xx could not let go is tried again every
 * second (once the database's away pause is over). A connection nginx
 * asked to keep (the export's: fastcgi_keep_conn) stays open past
 * FCGX_Finish_r; nginx closes it after the response all the same (no
 * upstream keepalive), and the next FCGX_Accept_r reads that close and
 * accepts anew.
 */
#define IDLE_WAKE_MS 1000

static void
run(FCGX_Request *fr, struct db *db)
{
	struct timeval wake = {IDLE_WAKE_MS / 1000, (IDLE_WAKE_MS % 1000) * 1000};
	sigset_t serving;
	int rc;

	sigemptyset(&serving);
	sigaddset(&serving, SIGTERM);
	sigaddset(&serving, SIGQUIT);
	sigaddset(&serving, SIGINT);
	sigaddset(&serving, SIGUSR1);
	sigaddset(&serving, SIGHUP);
	sigaddset(&serving, SIGUSR2);
	if (setsockopt(fr->listen_sock, SOL_SOCKET, SO_RCVTIMEO, &wake, sizeof(wake)) != 0)
		log_msg(LV_WARN, "accept: no receive timeout (%s): an idle worker writes "
		    "its access log only at its next request", strerror(errno));
	while (!stopping) {
		if ((rc = FCGX_Accept_r(fr)) < 0) {
			if ((rc == -EINTR || rc == -EAGAIN || rc == -EWOULDBLOCK) && !stopping) {
				housekeeping(db);
				continue;
			}
			if (!stopping)
				log_msg(LV_ERR, "accept: %s", strerror(-rc));
			break;
		}
		sigprocmask(SIG_BLOCK, &serving, NULL);
		fcgi_serve(fr, db, &auth_cache);
		FCGX_Finish_r(fr);
		housekeeping(db);
		sigprocmask(SIG_UNBLOCK, &serving, NULL);
	}
}

/*
 * The file of the pool's waiting slots (lib/base/slots.h), named after the
 * socket the pool's workers share (fd 0, from spawn-fcgi): beside a unix
 * socket, "PATH.slots"; for a TCP socket, in the service's runtime
 * directory (systemd's RUNTIME_DIRECTORY), else /tmp. "" when the socket
 * cannot be told.
 */
static void
slots_path(char *buf, size_t sz)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char addr[INET6_ADDRSTRLEN] = "";
	const char *dir = getenv("RUNTIME_DIRECTORY");
	unsigned port = 0;

	buf[0] = '\0';
	memset(&ss, 0, sizeof(ss));
	if (getsockname(0, (struct sockaddr *)&ss, &len) != 0)
		return;
	if (ss.ss_family == AF_UNIX) {
		const char *path = ((struct sockaddr_un *)&ss)->sun_path;

		if (path[0] != '\0')  /* not an abstract socket */
			snprintf(buf, sz, "%.*s.slots", (int)sizeof(((struct sockaddr_un *)&ss)->sun_path),
			    path);
		return;
	}
	if (ss.ss_family == AF_INET) {
		inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, addr, sizeof(addr));
		port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	} else if (ss.ss_family == AF_INET6) {
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, addr, sizeof(addr));
		port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	} else
		return;
	snprintf(buf, sz, "%s/lcm-pool-%s-%u.slots", dir != NULL && *dir != '\0' ? dir : "/tmp",
	    addr, port);
}

/* Read the configuration and open the log; 0 or -1 after saying why on stderr. */
static int
configure(struct config *cfg, char *password, size_t pwsz)
{
	char err[CONFIG_VALUE_MAX + 256];

	if (config_load(cfg, config_path(NULL), err, sizeof(err)) != 0) {
		fprintf(stderr, "lcm-worker: %s\n", err);
		return -1;
	}
	if (cfg->log_file[0] != '\0' && log_open(cfg->log_file) != 0) {
		fprintf(stderr, "lcm-worker: cannot open log file %s: %s\n", cfg->log_file,
		    strerror(errno));
		return -1;
	}
	setvbuf(stderr, NULL, _IOLBF, 0);
	log_set_level(cfg->log_level);
	if (config_read_secret(cfg->db_password_file, password, pwsz, err, sizeof(err)) != 0) {
		log_msg(LV_ERR, "%s", err);
		return -1;
	}
	return 0;
}

/*
 * The exit status of a worker that cannot start (1), a second later: a
 * supervisor that replaces a worker at once (multiwatch) then restarts
 * one that cannot start once a second, not as fast as it can fork.
 */
static int
cannot_start(void)
{
	if (!stopping)
		sleep(1);
	return 1;
}

int
main(int argc, char **argv)
{
	struct db_config dbc = {0};
	struct config cfg;
	struct sigaction sa;
	FCGX_Request fr;
	struct db *db;
	char password[256] = "", pool[PATH_MAX];
	const char *v;
	enum app_err rc;

	if (argc > 1) {
		fprintf(stderr, "usage: %s (no arguments; configured by %s or LCM_CONFIG)\n",
		    argv[0], CONFIG_DEFAULT_PATH);
		return 2;
	}
	if (configure(&cfg, password, sizeof(password)) != 0)
		return cannot_start();
	if ((v = getenv("LCM_ACCESS_LOG")) != NULL && strcmp(v, "off") == 0) {
		access_log_disable();
		log_msg(LV_WARN, "LCM_ACCESS_LOG=off: the PHI access log records nothing (make bench only)");
	}
	if (today_zone_set(cfg.clinic_time_zone) != 0) {
		log_msg(LV_ERR, "clinic_time_zone %s: no such zone on this machine", cfg.clinic_time_zone);
		return cannot_start();
	}
	auth_cache_init(&auth_cache, cfg.auth_cache_seconds * 1000u);
	dbc.socket = cfg.db_socket[0] ? cfg.db_socket : NULL;
	dbc.host = cfg.db_host[0] ? cfg.db_host : NULL;
	dbc.port = cfg.db_port;
	dbc.database = cfg.db_name;
	dbc.user = cfg.db_user;
	dbc.password = password[0] != '\0' ? password : NULL;
	dbc.prepare = DB_USE_WORKER;
	dbc.connect_timeout = DB_WORKER_CONNECT_TIMEOUT;
	dbc.read_timeout = DB_WORKER_READ_TIMEOUT;
	/*
	 * Half the pool may wait on locks other transactions hold; the rest
	 * serve everything else whatever a stuck transaction holds.
	 */
	slots_path(pool, sizeof(pool));
	if (pool[0] != '\0')
		lock_slots = slots_open(pool, cfg.workers > 1 ? cfg.workers / 2 : 1);
	dbc.lock_slots = lock_slots;
	dbc.worker_session = 1;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;   /* no SA_RESTART: accept returns on SIGTERM */
	sigemptyset(&sa.sa_mask);
	/*
	 * Whatever the supervisor sends to stop (Debian's multiwatch passes
	 * SIGQUIT on for the first TERM it is given, TERM for the next;
	 * multiwatch's default is USR1, libfcgi's own): finish the request,
	 * write the access log, exit.
	 */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	/*
	 * A log rotation: SIGHUP to a worker, or SIGUSR2 to multiwatch, which
	 * passes it on. SA_RESTART: it must not fail a read of libfcgi's; the
	 * idle accept() returns within a second anyway.
	 */
	sa.sa_handler = on_reopen;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	srand((unsigned)time(NULL) ^ (unsigned)getpid());

	if (mysql_library_init(0, NULL, NULL) != 0 || FCGX_Init() != 0) {
		log_msg(LV_ERR, "library initialisation failed");
		return cannot_start();
	}
	db = db_new(&dbc);
	explicit_bzero(password, sizeof(password));
	if (db == NULL) {
		log_msg(LV_ERR, "out of memory");
		return cannot_start();
	}
	/*
	 * Connect now: a refused login or a schema a statement does not
	 * prepare against is fatal, a database that is down is not. Each
	 * outcome is said once, here.
	 */
	if (config_schema_dir(&cfg, schema_dir, sizeof(schema_dir)) != 0)
		schema_dir[0] = '\0';
	log_set_level(LV_ERR);
	rc = db_ensure(db);
	log_set_level(cfg.log_level);
	switch (rc) {
	case APP_OK:
		compare_schema(db);
		break;
	case APP_EDBLOST:
		log_msg(LV_WARN, "the database is not reachable yet (%s): answering 503 until it is",
		    db_last_error(db));
		break;
	case APP_EDBLOGIN:
		log_msg(LV_ERR, "the database refused the login of %s to %s: %s", cfg.db_user,
		    cfg.db_name, db_last_error(db));
		db_free(db);
		return cannot_start();
	case APP_ESCHEMA:
		log_msg(LV_ERR, "the database schema does not fit this release (%s): run lcm-admin"
		    " migrate, or a release that knows the schema", db_last_error(db));
		db_free(db);
		return cannot_start();
	default:
		log_msg(LV_ERR, "cannot use the database: %s", db_last_error(db));
		db_free(db);
		return cannot_start();
	}
	FCGX_InitRequest(&fr, 0, FCGI_FAIL_ACCEPT_ON_INTR);

	log_msg(LV_INFO, "worker ready");
	run(&fr, db);
	log_msg(LV_INFO, "worker stopping");
	(void)access_log_drain(db);
	idem_release_pending(db, 1);
	FCGX_Free(&fr, 1);
	db_free(db);
	mysql_library_end();
	return 0;
}
