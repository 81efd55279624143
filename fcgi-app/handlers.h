#ifndef LCM_HANDLERS_H
#define LCM_HANDLERS_H

#include "http.h"
#include "router.h"

/* GET /healthz */
enum app_err health_get(const struct request *, struct response *);

/* GET /v1/admin/clinic/ecm/patients/:id/lead_care_managers */
enum app_err patient_lcms_get(const struct request *, struct response *);

/* /v1/admin/clinic/ecm/lead_care_managers and .../assign, .../bulk_assign */
enum app_err lcm_list_get(const struct request *, struct response *);
enum app_err lcm_assign_post(const struct request *, struct response *);
enum app_err lcm_assign_put(const struct request *, struct response *);
enum app_err lcm_assign_delete(const struct request *, struct response *);
enum app_err lcm_bulk_assign_post(const struct request *, struct response *);

/* The route table. */
extern const struct route app_routes[];
extern const size_t app_nroutes;

/*
 * Answer one request: route (404/405), authenticate (401/403), check and
 * parse the body (415/413/400), run the handler, and turn any error into
 * its JSON envelope. A lost database connection was already re-established
 * below (db_exec() for reads, lcm_apply() for writes, which never run
 * twice); what reaches here means the database stays away: 503. req->db must be set; req->json,
 * user_id and path_id are filled here. Always leaves a body in resp.
 */
void app_dispatch(struct request *req, struct response *resp);

#endif
