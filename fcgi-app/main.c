/*
 * lcm-worker: one FastCGI worker process. spawn-fcgi hands it the listening
 * socket as fd 0 and multiwatch keeps N of them alive (lcm-admin pool
 * starts both). Each runs one accept loop and owns one database
 * connection for its life.
 *
 * Configuration: the file named by LCM_CONFIG, else /etc/lcm/lcm.conf
 * (see lib/config.h); LCM_DB_* and LCM_LOG_* override it. A bad file, an
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
#include "handlers.h"
#include "headers.h"
#include "idem.h"
#include "lcm.h"
#include "log.h"
#include "slots.h"
#include "migrate.h"

static volatile sig_atomic_t stopping;
static volatile sig_atomic_t reopen_log;
/* The tokens this worker checked lately (lib/auth.h). */
static struct auth_cache auth_cache;
/* The pool's waiting slots (lib/slots.h), for the process's life. */
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
 * stands against this release's migrations (lib/migrate.h). Once per
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
 * Read the body up to the cap into a buffer sized from CONTENT_LENGTH and
 * grown as needed (chunked bodies come without one). Reads one byte past
 * the cap to tell "exactly 1 MiB" from "more", then drains the rest so the
 * connection stays in step. NULL when memory runs out.
 */
static char *
read_body(FCGX_Request *fr, size_t *len, int *too_big)
{
	const char *cl = FCGX_GetParam("CONTENT_LENGTH", fr->envp);
	size_t limit = HTTP_BODY_MAX + 1, size = 1024, n = 0;
	char *buf, *grown, drain[4096];
	long hint;
	int r;

	*len = 0;
	*too_big = 0;
	if (cl != NULL && (hint = atol(cl)) > 0)
		size = (size_t)hint < limit ? (size_t)hint + 2 : limit + 1;
	if ((buf = malloc(size)) == NULL)
		return NULL;
	for (;;) {
		if (n + 1 == size) {
			if (size > limit)
				break;
			size = size * 2 > limit + 1 ? limit + 1 : size * 2;
			if ((grown = realloc(buf, size)) == NULL) {
				free(buf);
				return NULL;
			}
			buf = grown;
		}
		if ((r = FCGX_GetStr(buf + n, (int)(size - 1 - n), fr->in)) <= 0)
			break;
		n += (size_t)r;
	}
	if (FCGX_GetError(fr->in) != 0) {
		/* The stream broke: what we have is not the whole body. */
		free(buf);
		*len = 0;
		return NULL;
	}
	if (n > HTTP_BODY_MAX) {
		*too_big = 1;
		while (FCGX_GetStr(drain, sizeof(drain), fr->in) > 0)
			;
		n = 0;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

/*
 * The value of the header whose FastCGI parameter is name ("HTTP_X_USER_TOKEN"),
 * or NULL when absent; *twice is set when it came more than once (the
 * value is then NULL too: two tokens are no identity, whichever comes first).
 */
static const char *
single_header(FCGX_ParamArray envp, const char *name, int *twice)
{
	size_t n = strlen(name);
	const char *value = NULL;
	char **p;

	*twice = 0;
	for (p = envp; *p != NULL; p++) {
		if (strncmp(*p, name, n) != 0 || (*p)[n] != '=')
			continue;
		if (value != NULL) {
			*twice = 1;
			return NULL;
		}
		value = *p + n + 1;
	}
	return value;
}

/*
 * The request id: nginx's when it is a sane token of at most
 * LCM_REQUEST_ID_MAX characters, else one made here, unique per worker
 * and request. It tags the activity rows, so it is never empty.
 */
static const char *
request_id(FCGX_ParamArray envp, char *buf, size_t sz)
{
	static unsigned long counter;
	const char *id = FCGX_GetParam("REQUEST_ID", envp);
	struct timespec ts;

	if (hdr_request_id(id))
		return id;
	clock_gettime(CLOCK_REALTIME, &ts);
	snprintf(buf, sz, "w%ld-%lx-%lx", (long)getpid(), (unsigned long)ts.tv_sec, ++counter);
	return buf;
}

/*
 * The response's status, headers and body; for HEAD the same headers
 * (Content-Length included) and no body.
 */
static void
write_response(FCGX_Request *fr, const struct response *resp, int head)
{
	/*
	 * A refused credential is answered by nginx (lcm-api.conf's
	 * @lcm_unauthorized, with the same JSON), which counts the client's
	 * failures and turns a burst of them into 429s. Nothing else goes with
	 * it: nginx would carry our Content-Type and Cache-Control over.
	 */
	if (resp->status == 401) {
		FCGX_PutS("Status: 401 Unauthorized\r\nX-Accel-Redirect: @lcm_unauthorized\r\n"
		    "Content-Length: 0\r\n\r\n", fr->out);
		return;
	}
	FCGX_FPrintF(fr->out, "Status: %d %s\r\n", resp->status, http_status_text(resp->status));
	if (resp->status != 304)
		FCGX_PutS("Content-Type: application/json; charset=utf-8\r\n", fr->out);
	FCGX_PutS("Cache-Control: no-store\r\n", fr->out);
	if (resp->etag[0] != '\0')
		FCGX_FPrintF(fr->out, "ETag: %s\r\n", resp->etag);
	if (resp->replayed)
		FCGX_PutS("Idempotent-Replayed: true\r\n", fr->out);
	if (resp->allow[0] != '\0')
		FCGX_FPrintF(fr->out, "Allow: %s\r\n", resp->allow);
	if (resp->retry_after > 0)
		FCGX_FPrintF(fr->out, "Retry-After: %d\r\n", resp->retry_after);
	if (resp->status == 304) {
		FCGX_PutS("\r\n", fr->out);
		return;
	}
	FCGX_FPrintF(fr->out, "Content-Length: %lu\r\n\r\n", (unsigned long)resp->body_len);
	if (resp->body_len > 0 && !head)
		FCGX_PutStr(resp->body, (int)resp->body_len, fr->out);
}

/* A streamed body on its way: the headers go with its first bytes. */
struct out_stream {
	FCGX_Request *fr;
	const struct response *resp;
	int started;
};

static void
stream_headers(FCGX_Request *fr, const struct response *resp)
{
	FCGX_FPrintF(fr->out, "Status: 200 OK\r\nContent-Type: %s\r\nCache-Control: no-store\r\n",
	    resp->stream.content_type);
	if (resp->stream.filename[0] != '\0')
		FCGX_FPrintF(fr->out, "Content-Disposition: attachment; filename=\"%s\"\r\n",
		    resp->stream.filename);
	FCGX_PutS("\r\n", fr->out);
}

/* The sink of a streamed body: the FastCGI stream, until it fails. */
static int
sink_write(void *arg, const char *s, size_t n)
{
	struct out_stream *o = arg;

	if (!o->started) {
		stream_headers(o->fr, o->resp);
		o->started = 1;
	}
	if (n > 0 && FCGX_PutStr(s, (int)n, o->fr->out) != (int)n)
		return -1;
	return FCGX_GetError(o->fr->out) != 0 ? -1 : 0;
}

/*
 * The body as the stream produces it (chunked by nginx: no
 * Content-Length), the headers with its first bytes: a failure before
 * them is an error response like any other. Past them it cannot change the
 * status: the response must end broken instead, or the client takes what
 * it got for the whole. The connection is closed without FastCGI's
 * END_REQUEST: the stream's location has fastcgi_keep_conn on
 * (nginx/lcm-api.conf), with which nginx takes that for a failure and
 * drops the client's connection without the last chunk, as it does when a
 * worker dies mid-stream; a client sees a transfer cut short.
 */
static void
write_stream(FCGX_Request *fr, struct response *resp, struct db *db)
{
	struct out_stream o = {fr, resp, 0};
	struct sink sink = {sink_write, &o};
	enum app_err rc;

	if ((rc = resp->stream.produce(resp->stream.ctx, db, &sink)) == APP_OK)
		return;
	if (rc == APP_EDBLOST)
		rc = APP_EUNAVAIL;
	if (!o.started) {
		log_msg(app_err_status(rc) == 500 ? LV_ERR : LV_WARN, "stream: %s", app_err_name(rc));
		resp_from_err(resp, rc);
		write_response(fr, resp, 0);
	} else {
		log_msg(LV_ERR, "stream cut short: %s", app_err_name(rc));
		/* What is written goes; FCGX_Finish_r's END_REQUEST then cannot. */
		FCGX_FFlush(fr->out);
		shutdown(fr->ipcFd, SHUT_RDWR);
	}
}

static void
serve(FCGX_Request *fr, struct db *db)
{
	struct request req = {0};
	struct response resp;
	char idbuf[LCM_REQUEST_ID_MAX + 1];
	int twice;
	const char *uri;
	char *body;

	req.db = db;
	req.auth = &auth_cache;
	req.method = http_method_parse(FCGX_GetParam("REQUEST_METHOD", fr->envp));
	uri = FCGX_GetParam("DOCUMENT_URI", fr->envp);
	req.path = uri != NULL ? uri : "/";
	req.encoded_slash = http_uri_has_encoded_slash(FCGX_GetParam("REQUEST_URI", fr->envp));
	req.query = FCGX_GetParam("QUERY_STRING", fr->envp);
	if (req.query == NULL)
		req.query = "";
	req.content_type = FCGX_GetParam("CONTENT_TYPE", fr->envp);
	req.token = single_header(fr->envp, "HTTP_X_USER_TOKEN", &twice);
	req.if_match = single_header(fr->envp, "HTTP_IF_MATCH", &twice);
	if (twice)
		req.twice = "If-Match";
	req.if_none_match = single_header(fr->envp, "HTTP_IF_NONE_MATCH", &twice);
	if (twice)
		req.twice = "If-None-Match";
	req.idempotency_key = single_header(fr->envp, "HTTP_IDEMPOTENCY_KEY", &twice);
	if (twice)
		req.twice = "Idempotency-Key";
	/*
	 * nginx passes the first Content-Type as CONTENT_TYPE and each one as
	 * HTTP_CONTENT_TYPE: two are no media type, whichever comes first.
	 */
	(void)single_header(fr->envp, "HTTP_CONTENT_TYPE", &twice);
	if (twice)
		req.twice = "Content-Type";
	req.request_id = request_id(fr->envp, idbuf, sizeof(idbuf));
	log_set_request(req.request_id);

	body = read_body(fr, &req.body_len, &req.body_too_big);
	req.body = body;
	if (body == NULL) {
		resp_init(&resp);
		resp_error(&resp, 400, "Request body could not be read");
	} else
		app_dispatch(&req, &resp);
	/* HEAD of a stream: its headers, without producing it (nothing is read). */
	if (resp.stream.produce != NULL && resp.status == 200 && req.method == M_HEAD)
		stream_headers(fr, &resp);
	else if (resp.stream.produce != NULL && resp.status == 200)
		write_stream(fr, &resp, db);
	else
		write_response(fr, &resp, req.method == M_HEAD);
	resp_free(&resp);
	free(body);
	log_set_request(NULL);
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
		serve(fr, db);
		FCGX_Finish_r(fr);
		housekeeping(db);
		sigprocmask(SIG_UNBLOCK, &serving, NULL);
	}
}

/*
 * The file of the pool's waiting slots (lib/slots.h), named after the
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
