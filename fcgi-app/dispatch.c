#include <json.h>

#include "auth.h"
#include "db.h"
#include "handlers.h"
#include "json_in.h"
#include "log.h"
#include "validate.h"

/* Who is asking: 401 unless an active user, 403 unless an admin. */
static enum app_err
authenticate(struct request *req)
{
	enum app_err rc;
	int is_admin;

	if ((rc = auth_user(req->db, req->token, &req->user_id, &is_admin)) != APP_OK)
		return rc;
	return is_admin ? APP_OK : APP_EFORBIDDEN;
}

/* 413, 415, 400: the body must be a JSON object under the cap. */
static enum app_err
parse_body(struct request *req)
{
	if (req->body_too_big)
		return APP_ETOOBIG;
	if (req->content_type != NULL && *req->content_type != '\0' &&
	    !val_content_type_json(req->content_type))
		return APP_EMEDIA;
	return json_in_body(req->body, req->body_len, &req->json);
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

void
app_dispatch(struct request *req, struct response *resp)
{
	const struct route *rt;
	enum app_err rc;

	resp_init(resp);
	req->json = NULL;
	req->user_id = 0;
	req->route_data = NULL;
	rt = router_match(app_routes, app_nroutes, req->method, req->path,
	    &req->path_id, resp->allow, sizeof(resp->allow));
	if (rt == NULL) {
		rc = resp->allow[0] != '\0' ? APP_EMETHOD : APP_ENOROUTE;
		goto out;
	}
	req->route_data = rt->data;

	if ((rt->flags & ROUTE_ADMIN) && (rc = authenticate(req)) != APP_OK)
		goto out;
	if ((rt->flags & ROUTE_BODY) && (rc = parse_body(req)) != APP_OK)
		goto out;
	/* Reads reconnect in db_exec(), writes settle in lcm_apply(): left is a 503. */
	rc = rt->handler(req, resp);
	if (rc == APP_EDBLOST)
		rc = APP_EUNAVAIL;
out:
	if (rc == APP_OK && resp->body == NULL)
		rc = APP_EINTERNAL;  /* a handler bug: success without a body */
	if (rc != APP_OK && resp->body == NULL)
		resp_from_err(resp, rc);
	if (app_err_status(rc) >= 500)
		log_msg(app_err_status(rc) == 500 ? LV_ERR : LV_WARN, "%s %s: %s",
		    http_method_name(req->method), req->path, app_err_name(rc));
	json_object_put(req->json);
	req->json = NULL;
}
