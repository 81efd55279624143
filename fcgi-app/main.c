/*
 * lcm-worker: one FastCGI worker process. spawn-fcgi hands it the listening
 * socket as fd 0 and multiwatch keeps N of them alive. Each runs one accept
 * loop and owns one database connection for its life.
 *
 * Configuration, from the environment:
 *   LCM_DB_SOCKET, or LCM_DB_HOST and LCM_DB_PORT   where MariaDB listens
 *   LCM_DB_NAME (lcm), LCM_DB_USER (lcm_app)
 *   LCM_DB_PASSWORD_FILE   first line is the password (none when unset)
 *   LCM_LOG_LEVEL          error, warn, info (default) or debug
 *   LCM_LOG_FILE           append log lines here (spawn-fcgi closes stderr)
 */
#define _DEFAULT_SOURCE  /* explicit_bzero */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>
#include <mysql.h>

#include "db.h"
#include "handlers.h"
#include "lcm.h"
#include "log.h"
#include "validate.h"

static volatile sig_atomic_t stopping;

static void
on_term(int sig)
{
	(void)sig;
	stopping = 1;
	FCGX_ShutdownPending();
}

static const char *
env_or(const char *name, const char *fallback)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? v : fallback;
}

/* The first line of a file, in buf; 0 on success. */
static int
read_secret(const char *path, char *buf, size_t sz)
{
	FILE *f;

	if ((f = fopen(path, "r")) == NULL)
		return -1;
	if (fgets(buf, (int)sz, f) == NULL)
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\r\n")] = '\0';
	return 0;
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
 * X-User-Token, or NULL when absent or sent more than once: two tokens
 * are no identity, whichever comes first.
 */
static const char *
single_token(FCGX_ParamArray envp)
{
	static const char key[] = "HTTP_X_USER_TOKEN=";
	const char *token = NULL;
	char **p;

	for (p = envp; *p != NULL; p++) {
		if (strncmp(*p, key, sizeof(key) - 1) != 0)
			continue;
		if (token != NULL)
			return NULL;
		token = *p + sizeof(key) - 1;
	}
	return token;
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

	if (val_request_id(id))
		return id;
	clock_gettime(CLOCK_REALTIME, &ts);
	snprintf(buf, sz, "w%ld-%lx-%lx", (long)getpid(), (unsigned long)ts.tv_sec, ++counter);
	return buf;
}

static void
write_response(FCGX_Request *fr, const struct response *resp)
{
	FCGX_FPrintF(fr->out, "Status: %d %s\r\n", resp->status, http_status_text(resp->status));
	FCGX_PutS("Content-Type: application/json; charset=utf-8\r\n", fr->out);
	FCGX_PutS("Cache-Control: no-store\r\n", fr->out);
	if (resp->allow[0] != '\0')
		FCGX_FPrintF(fr->out, "Allow: %s\r\n", resp->allow);
	if (resp->retry_after > 0)
		FCGX_FPrintF(fr->out, "Retry-After: %d\r\n", resp->retry_after);
	FCGX_FPrintF(fr->out, "Content-Length: %lu\r\n\r\n", (unsigned long)resp->body_len);
	if (resp->body_len > 0)
		FCGX_PutStr(resp->body, (int)resp->body_len, fr->out);
}

static void
serve(FCGX_Request *fr, struct db *db)
{
	struct request req = {0};
	struct response resp;
	char idbuf[LCM_REQUEST_ID_MAX + 1];
	const char *uri;
	char *body;

	req.db = db;
	req.method = http_method_parse(FCGX_GetParam("REQUEST_METHOD", fr->envp));
	uri = FCGX_GetParam("DOCUMENT_URI", fr->envp);
	req.path = uri != NULL ? uri : "/";
	req.query = FCGX_GetParam("QUERY_STRING", fr->envp);
	if (req.query == NULL)
		req.query = "";
	req.content_type = FCGX_GetParam("CONTENT_TYPE", fr->envp);
	req.token = single_token(fr->envp);
	req.request_id = request_id(fr->envp, idbuf, sizeof(idbuf));
	log_set_request(req.request_id);

	body = read_body(fr, &req.body_len, &req.body_too_big);
	req.body = body;
	if (body == NULL) {
		resp_init(&resp);
		resp_error(&resp, 400, "Request body could not be read");
	} else
		app_dispatch(&req, &resp);
	write_response(fr, &resp);
	resp_free(&resp);
	free(body);
	log_set_request(NULL);
}

int
main(void)
{
	struct db_config cfg = {0};
	struct sigaction sa;
	FCGX_Request fr;
	struct db *db;
	char password[256] = "";
	const char *v;

	if ((v = getenv("LCM_LOG_FILE")) != NULL && *v != '\0' &&
	    freopen(v, "a", stderr) == NULL)
		return 1;
	setvbuf(stderr, NULL, _IOLBF, 0);
	if ((v = getenv("LCM_LOG_LEVEL")) != NULL)
		log_set_level(strcmp(v, "debug") == 0 ? LV_DEBUG : strcmp(v, "warn") == 0 ?
		    LV_WARN : strcmp(v, "error") == 0 ? LV_ERR : LV_INFO);
	if ((v = getenv("LCM_DB_PASSWORD_FILE")) != NULL && *v != '\0' &&
	    read_secret(v, password, sizeof(password)) != 0) {
		log_msg(LV_ERR, "cannot read LCM_DB_PASSWORD_FILE: %s", strerror(errno));
		return 1;
	}
	cfg.socket = getenv("LCM_DB_SOCKET");
	cfg.host = getenv("LCM_DB_HOST");
	cfg.port = (unsigned)atoi(env_or("LCM_DB_PORT", "0"));
	cfg.database = env_or("LCM_DB_NAME", "lcm");
	cfg.user = env_or("LCM_DB_USER", "lcm_app");
	cfg.password = password[0] != '\0' ? password : NULL;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;   /* no SA_RESTART: accept returns on SIGTERM */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	srand((unsigned)time(NULL) ^ (unsigned)getpid());

	if (mysql_library_init(0, NULL, NULL) != 0 || FCGX_Init() != 0) {
		log_msg(LV_ERR, "library initialisation failed");
		return 1;
	}
	if ((db = db_new(&cfg)) == NULL) {
		log_msg(LV_ERR, "out of memory");
		return 1;
	}
	explicit_bzero(password, sizeof(password));
	/* Connect now when we can; a database that is down is retried per request. */
	(void)db_ensure(db);
	FCGX_InitRequest(&fr, 0, FCGI_FAIL_ACCEPT_ON_INTR);

	log_msg(LV_INFO, "worker ready");
	while (!stopping && FCGX_Accept_r(&fr) >= 0) {
		serve(&fr, db);
		FCGX_Finish_r(&fr);
	}
	log_msg(LV_INFO, "worker stopping");
	FCGX_Free(&fr, 1);
	db_free(db);
	mysql_library_end();
	return 0;
}
