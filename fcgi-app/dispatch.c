#include <stdio.h>
#include <string.h>

#include <json.h>

#include "auth.h"
#include "db.h"
#include "handlers.h"
#include "headers.h"
#include "idem.h"
#include "json_in.h"
#include "log.h"

/* Who is asking: 401 unless an active user, 403 unless an admin. */
static enum app_err
authenticate(struct request *req)
{
	enum app_err rc;
	int is_admin;

	if ((rc = auth_user(req->db, req->auth, req->token, &req->user_id, &is_admin)) != APP_OK)
		return rc;
	return is_admin ? APP_OK : APP_EFORBIDDEN;
}

/* 413, 415, 400: the body must be a JSON object under the cap; a 400 says what is wrong. */
static enum app_err
parse_body(const struct route *rt, struct request *req, struct response *resp)
{
	char msg[160];
	enum app_err rc;

	if (req->body_too_big)
		return rt->flags & ROUTE_FILE ? APP_ETOOBIG_FILE : APP_ETOOBIG;
	if (req->content_type != NULL && *req->content_type != '\0') {
		switch (hdr_content_type(req->content_type)) {
		case HDR_CT_JSON:
			break;
		case HDR_CT_CHARSET:
			return APP_ECHARSET;
		case HDR_CT_OTHER:
			return APP_EMEDIA;
		}
	}
	rc = json_in_body(req->body, req->body_len, &req->json, msg, sizeof(msg));
	if (rc == APP_EBADJSON && resp_error(resp, 400, msg) != APP_OK)
		return APP_ENOMEM;
	return rc;
}

enum app_err
problems(struct response *resp, struct json_object *errors, int n)
{
	if (n <= 0) {
		json_object_put(errors);
		return n == 0 ? APP_OK : APP_ENOMEM;
	}
	return resp_errors(resp, 422, errors) == APP_OK ? APP_EINVAL : APP_ENOMEM;
}

enum app_err
bad_header(struct response *resp, const char *msg)
{
	return resp_error(resp, 400, msg) == APP_OK ? APP_EINVAL : APP_ENOMEM;
}

/*
 * Idempotency-Key on a route that honours it: claim it for this request.
 * *claimed is set when the request runs under the key (run, req->idem). A
 * replay, a busy or a reused key answers here (resp set, APP_OK with
 * *answered set, or the error).
 */
static enum app_err
claim_key(struct request *req, struct response *resp, struct idem_run *run, int *claimed,
    int *answered)
{
	struct idem_replay r;
	enum idem_outcome out;
	unsigned char sha[32];
	enum app_err rc;

	*claimed = *answered = 0;
	if (!hdr_idempotency_key(req->idempotency_key))
		return bad_header(resp, "Idempotency-Key must be 1 to 255 visible ASCII characters");
	if ((rc = idem_request_hash(http_method_name(req->method), req->path, req->body,
	    req->body_len, sha)) != APP_OK)
		return rc;
	if ((rc = idem_claim(req->db, req->user_id, req->idempotency_key, sha, req->request_id,
	    &out, &r)) != APP_OK)
		return rc;
	switch (out) {
	case IDEM_RUN:
		idem_run_init(run, req->user_id, req->idempotency_key, req->request_id);
		req->idem = run;
		*claimed = 1;
		return APP_OK;
	case IDEM_BUSY:
		resp->retry_after = 1;
		return APP_EIDEMBUSY;
	case IDEM_REUSED:
		return APP_EIDEMREUSE;
	case IDEM_REPLAY:
		break;
	}
	if ((rc = resp_raw(resp, r.status, r.body, r.body_len)) != APP_OK)
		return rc;
	snprintf(resp->etag, sizeof(resp->etag), "%s", r.etag);
	resp->replayed = 1;
	*answered = 1;
	return APP_OK;
}

size_t
app_body_max(enum http_method method, const char *path, int encoded_slash)
{
	const struct route *rt;
	char allow[64];
	int64_t id;

	rt = encoded_slash ? NULL : router_match(app_routes, app_nroutes, method, path, &id, allow,
	    sizeof(allow));
	return rt != NULL && (rt->flags & ROUTE_FILE) ? HTTP_FILE_BODY_MAX : HTTP_BODY_MAX;
}

void
app_dispatch(struct request *req, struct response *resp)
{
	const struct route *rt;
	struct idem_run run;
	enum app_err rc;
	int claimed = 0, answered = 0;

	resp_init(resp);
	req->json = NULL;
	req->idem = NULL;
	req->user_id = 0;
	req->route_data = NULL;
	/* nginx decoded a %2F into the path: that slash is no separator. */
	rt = req->encoded_slash ? NULL : router_match(app_routes, app_nroutes, req->method,
	    req->path, &req->path_id, resp->allow, sizeof(resp->allow));
	if (rt == NULL) {
		rc = resp->allow[0] != '\0' ? APP_EMETHOD : APP_ENOROUTE;
		goto out;
	}
	req->route_data = rt->data;

	if ((rt->flags & ROUTE_ADMIN) && (rc = authenticate(req)) != APP_OK)
		goto out;
	if (req->twice != NULL) {
		char msg[80];

		snprintf(msg, sizeof(msg), "%s may be sent once", req->twice);
		rc = bad_header(resp, msg);
		goto out;
	}
	/* Claimed before the body is read, so a retry gets whatever the first got. */
	if ((rt->flags & ROUTE_IDEMPOTENT) && req->idempotency_key != NULL &&
	    ((rc = claim_key(req, resp, &run, &claimed, &answered)) != APP_OK || answered))
		goto out;
	if ((rt->flags & ROUTE_BODY) && (rc = parse_body(rt, req, resp)) != APP_OK)
		goto out;
	/* Reads reconnect in db_exec(), writes settle in lcm_apply(): left is a 503. */
	rc = rt->handler(req, resp);
	if (rc == APP_EDBLOST)
		rc = APP_EUNAVAIL;
out:
	if (claimed && run.kept) {
		/* The write committed its answer with it: that is the answer, exactly. */
		resp_free(resp);
		*resp = run.answer;
		resp_init(&run.answer);
		rc = APP_OK;
	}
	if (rc == APP_OK && resp->body == NULL && resp->status != 304 && resp->stream.produce == NULL)
		rc = APP_EINTERNAL;  /* a handler bug: success without a body */
	if (rc != APP_OK && resp->body == NULL)
		resp_from_err(resp, rc);
	if (claimed) {
		idem_finish(req->db, &run, resp);
		idem_run_free(&run);
	}
	if (app_err_status(rc) >= 500)
		log_msg(app_err_status(rc) == 500 ? LV_ERR : LV_WARN, "%s %s: %s",
		    http_method_name(req->method), req->path, app_err_name(rc));
	json_object_put(req->json);
	req->json = NULL;
	req->idem = NULL;
}
