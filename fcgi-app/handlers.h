#ifndef LCM_HANDLERS_H
#define LCM_HANDLERS_H

#include "http.h"
#include "lcm.h"
#include "router.h"

struct json_object;

/* GET /healthz */
enum app_err health_get(const struct request *, struct response *);

/* GET /v1/admin/clinic/ecm/patients/:id/lead_care_managers (ETag, If-None-Match) */
enum app_err patient_lcms_get(const struct request *, struct response *);

/* GET .../patients and .../patients/summary */
enum app_err patients_list_get(const struct request *, struct response *);
enum app_err patients_summary_get(const struct request *, struct response *);

/* GET .../lead_care_managers/assignments.csv */
enum app_err assignments_export_get(const struct request *, struct response *);

/* GET .../patients/:id/lead_care_managers/history and .../patients/:id/access_log */
enum app_err patient_history_get(const struct request *, struct response *);
enum app_err patient_access_log_get(const struct request *, struct response *);

/* GET .../lead_care_managers and .../lead_care_managers/:id (one entry of it) */
enum app_err lcm_list_get(const struct request *, struct response *);
enum app_err lcm_one_get(const struct request *, struct response *);

/* PUT .../lead_care_managers/:id/capacity, GET .../lead_care_managers/:id/patients */
enum app_err lcm_capacity_put(const struct request *, struct response *);
enum app_err lcm_user_patients_get(const struct request *, struct response *);

/* GET and PUT .../acuity_weights: the clinic's caseload weights */
enum app_err lcm_weights_get_one(const struct request *, struct response *);
enum app_err lcm_weights_put(const struct request *, struct response *);

/* POST .../lead_care_managers/transfer and .../auto_assign */
enum app_err lcm_transfer_post(const struct request *, struct response *);
enum app_err lcm_auto_assign_post(const struct request *, struct response *);

/* POST .../lead_care_managers/release_ended */
enum app_err lcm_release_ended_post(const struct request *, struct response *);

/*
 * POST, PUT and DELETE .../assign: one handler, told by its route's data
 * (a struct write_route) how to read the body and what to answer.
 */
struct write_route {
	/* Fill a change from the body; appends one message per problem, returns their count or -1. */
	int (*validate)(struct json_object *body, struct lcm_change *, struct json_object *errors);
	unsigned flags;          /* enum lcm_write_flags */
	const char *message;     /* the success message */
	const char *source;      /* the history's source: "assign", "update", "remove" */
	int access;              /* the access log's action: enum access_action */
};
extern const struct write_route route_assign_post, route_assign_put, route_assign_delete;
enum app_err lcm_write_one(const struct request *, struct response *);

/* POST .../bulk_assign */
enum app_err lcm_bulk_assign_post(const struct request *, struct response *);

/* POST .../ecm/mifs: a health plan's Member Information File */
enum app_err mifs_post(const struct request *, struct response *);

/* The route table. */
extern const struct route app_routes[];
extern const size_t app_nroutes;

/*
 * The most bytes of body the route of method and path takes (a larger one
 * is a 413): HTTP_FILE_BODY_MAX for a route that carries a file
 * (ROUTE_FILE), else HTTP_BODY_MAX, unknown paths included.
 */
size_t app_body_max(enum http_method method, const char *path, int encoded_slash);

/*
 * Answer one request: route (404/405), authenticate (401/403), check and
 * parse the body (415/413/400), run the handler, and turn any error into
 * its JSON envelope. A lost database connection was already re-established
 * below (db_exec() for reads, lcm_apply() for writes, which never run
 * twice); what reaches here means the database stays away: 503. req->db
 * must be set; req->json, user_id, path_id, route_data and idem are filled
 * here. A request with an Idempotency-Key runs under its claim (idem.h):
 * before resp is sent, its answer is kept (by its write's own COMMIT, or
 * after a request that wrote nothing) or, for a 5xx, its claim let go.
 * Always leaves a body in resp.
 */
void app_dispatch(struct request *req, struct response *resp);

/*
 * After a check appended n problems to errors (n < 0: out of memory):
 * APP_OK when there are none, else a 422 carrying every one. Takes errors.
 */
enum app_err problems(struct response *, struct json_object *errors, int n);

/* A 400 for a bad request header, with msg. */
enum app_err bad_header(struct response *, const char *msg);

#endif
