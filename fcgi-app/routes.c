#include <json.h>

#include "auth.h"
#include "db.h"
#include "handlers.h"
#include "log.h"
#include "validate.h"

#define LCM_BASE "/v1/admin/clinic/ecm"

const struct route app_routes[] = {
	{M_GET, "/healthz", health_get, 0},
	{M_GET, LCM_BASE "/lead_care_managers", lcm_list_get, ROUTE_ADMIN},
	{M_POST, LCM_BASE "/lead_care_managers/assign", lcm_assign_post, ROUTE_ADMIN | ROUTE_BODY},
	{M_PUT, LCM_BASE "/lead_care_managers/assign", lcm_assign_put, ROUTE_ADMIN | ROUTE_BODY},
	{M_DELETE, LCM_BASE "/lead_care_managers/assign", lcm_assign_delete, ROUTE_ADMIN | ROUTE_BODY},
	{M_POST, LCM_BASE "/lead_care_managers/bulk_assign", lcm_bulk_assign_post, ROUTE_ADMIN | ROUTE_BODY},
	{M_GET, LCM_BASE "/patients/:id/lead_care_managers", patient_lcms_get, ROUTE_ADMIN},
};

const size_t app_nroutes = sizeof(app_routes) / sizeof(app_routes[0]);

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
	return val_json_body(req->body, req->body_len, &req->json);
}

void
app_dispatch(struct request *req, struct response *resp)
{
	const struct route *rt;
	enum app_err rc;

	resp_init(resp);
	req->json = NULL;
	req->user_id = 0;
	rt = router_match(app_routes, app_nroutes, req->method, req->path,
	    &req->path_id, resp->allow, sizeof(resp->allow));
	if (rt == NULL) {
		rc = resp->allow[0] != '\0' ? APP_EMETHOD : APP_ENOTFOUND;
		goto out;
	}

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
