/*
 * FastCGI input and output: a request read from what nginx passed (its
 * parameters and body), dispatched, and its answer written back, whole
 * or streamed. The worker's life around it is main.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "fcgi_io.h"
#include "handlers.h"
#include "headers.h"
#include "log.h"

/*
 * Read the body up to the cap (max bytes: the route's, app_body_max())
 * into a buffer sized from CONTENT_LENGTH and grown as needed (chunked
 * bodies come without one). Reads one byte past the cap to tell "exactly
 * 1 MiB" from "more", then drains the rest so the connection stays in
 * step. NULL when memory runs out.
 */
static char *
read_body(FCGX_Request *fr, size_t max, size_t *len, int *too_big)
{
	const char *cl = FCGX_GetParam("CONTENT_LENGTH", fr->envp);
	size_t limit = max + 1, size = 1024, n = 0;
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
	if (n > max) {
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

void
fcgi_serve(FCGX_Request *fr, struct db *db, struct auth_cache *auth)
{
	struct request req = {0};
	struct response resp;
	char idbuf[LCM_REQUEST_ID_MAX + 1];
	int twice;
	const char *uri;
	char *body;

	req.db = db;
	req.auth = auth;
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

	body = read_body(fr, app_body_max(req.method, req.path, req.encoded_slash), &req.body_len,
	    &req.body_too_big);
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
