#include <json.h>

#include "access_log.h"
#include "handlers.h"
#include "idem.h"
#include "json_out.h"
#include "lcm.h"
#include "rules.h"

#define SEARCH_BUF 1024

const struct write_route route_assign_post = {
	val_assign, LCM_MAY_CREATE | LCM_WANT_TEAM, "Lead Care Manager assigned successfully",
	"assign", ACCESS_ASSIGN,
};
const struct write_route route_assign_put = {
	val_assign, LCM_WANT_TEAM, "Lead Care Manager assigned successfully",
	"update", ACCESS_UPDATE,
};
const struct write_route route_assign_delete = {
	val_remove, 0, "Lead Care Manager assignment removed successfully",
	"remove", ACCESS_REMOVE,
};

/* GET .../lead_care_managers: eligible users with their workloads. */
enum app_err
lcm_list_get(const struct request *req, struct response *resp)
{
	struct lcm_list_query q;
	struct json_object *errors, *rows = NULL;
	struct lcm_row row;
	char search[SEARCH_BUF];
	int64_t total;
	enum app_err rc;
	int n;

	if ((errors = json_list()) == NULL)
		return APP_ENOMEM;
	n = val_list_query(req->query, &q, search, sizeof(search), errors);
	if ((rc = problems(resp, errors, n)) != APP_OK)
		return rc;
	if ((rc = lcm_list(req->db, &q, &total)) != APP_OK)
		return rc;
	if ((rows = json_list()) == NULL)
		return APP_ENOMEM;
	while ((rc = lcm_list_next(req->db, &row)) == APP_OK)
		if ((rc = json_list_add(rows, json_lcm_row(&row))) != APP_OK)
			break;
	if (rc != APP_ENOROW) {
		json_object_put(rows);
		return rc;
	}
	return resp_json(resp, 200, json_lcm_page(rows, total, &q));
}

/*
 * GET .../lead_care_managers/:id: one person as the list shows them, found
 * by id when eligible or still holding patients (lcm_person_get). Like the
 * list, it shows no patient: no access log record.
 */
enum app_err
lcm_one_get(const struct request *req, struct response *resp)
{
	struct lcm_row row;
	enum app_err rc;

	if ((rc = lcm_person_get(req->db, req->path_id, &row)) != APP_OK)
		return rc;
	return resp_json(resp, 200, json_lcm_row(&row));
}

/* What a change answers: its route's message, the care team it left, its ETag. */
struct written_answer {
	const struct write_route *wr;
	const struct lcm_written *out;
};

static enum app_err
render_written(void *arg, struct response *resp)
{
	const struct written_answer *a = arg;

	resp_set_etag(resp, a->out->version);
	return resp_json(resp, 200, json_message(a->wr->message,
	    a->wr->flags & LCM_WANT_TEAM ? json_case_load(&a->out->team) : NULL));
}

/* POST, PUT, DELETE .../assign: one change, as the route says. */
enum app_err
lcm_write_one(const struct request *req, struct response *resp)
{
	const struct write_route *wr = req->route_data;
	struct lcm_actor who = {req->user_id, req->request_id, idem_key(req->idem)};
	struct lcm_precondition pc = {0};
	struct lcm_written out;
	struct written_answer answer = {wr, &out};
	struct lcm_change c;
	struct json_object *errors;
	enum app_err rc;

	if (req->if_match != NULL && val_etags(req->if_match, 0, &pc) != 0)
		return bad_header(resp, "If-Match must be * or a list of ETags");
	if ((errors = json_list()) == NULL)
		return APP_ENOMEM;
	if ((rc = problems(resp, errors, wr->validate(req->json, &c, errors))) != APP_OK)
		return rc;
	c.source = wr->source;
	if (req->idem != NULL) {
		req->idem->render = render_written;
		req->idem->arg = &answer;
	}
	rc = lcm_write(req->db, &who, &c, &pc, wr->flags, &out);
	if (rc == APP_EINVAL || rc == APP_ECAPACITY) {
		if ((errors = json_list()) == NULL)
			return APP_ENOMEM;
		return problems(resp, errors, rc == APP_EINVAL ? val_ineligible(out.ineligible, errors) :
		    val_at_capacity(out.at_capacity, errors));
	}
	if (rc != APP_OK)
		return rc;
	(void)access_log_add(c.patient_id, req->user_id, (enum access_action)wr->access,
	    req->request_id);
	if (idem_kept(req->idem))
		return APP_OK;  /* the answer committed with the change is the answer */
	return render_written(&answer, resp);
}

/* PUT .../lead_care_managers/:id/capacity: a user's caseload limits; answers the user's list entry. */
enum app_err
lcm_capacity_put(const struct request *req, struct response *resp)
{
	int64_t user[ROLE__MAX] = {req->path_id, 0};
	struct json_object *errors;
	struct lcm_limits limits;
	struct lcm_row row;
	enum app_err rc;

	if ((errors = json_list()) == NULL)
		return APP_ENOMEM;
	if ((rc = problems(resp, errors, val_capacity(req->json, &limits, errors))) != APP_OK)
		return rc;
	if ((rc = lcm_capacity_set(req->db, req->user_id, req->path_id, &limits, &row)) == APP_EINVAL) {
		/* Not eligible, or no such user: the assign endpoint's 422. */
		if ((errors = json_list()) == NULL)
			return APP_ENOMEM;
		return problems(resp, errors, val_ineligible(user, errors));
	}
	if (rc != APP_OK)
		return rc;
	return resp_json(resp, 200, json_lcm_row(&row));
}

/* GET .../ecm/acuity_weights: the clinic's caseload weights. */
enum app_err
lcm_weights_get_one(const struct request *req, struct response *resp)
{
	struct lcm_weights w;
	enum app_err rc;

	if ((rc = lcm_weights_get(req->db, &w)) != APP_OK)
		return rc;
	return resp_json(resp, 200, json_weights(&w));
}

/* PUT .../ecm/acuity_weights: set some or all of them; answers them all. */
enum app_err
lcm_weights_put(const struct request *req, struct response *resp)
{
	struct lcm_weights w, out;
	int given[ACUITY__MAX];
	struct json_object *errors;
	enum app_err rc;

	if ((errors = json_list()) == NULL)
		return APP_ENOMEM;
	if ((rc = problems(resp, errors, val_weights(req->json, given, &w, errors))) != APP_OK)
		return rc;
	if ((rc = lcm_weights_set(req->db, req->user_id, given, &w, &out)) != APP_OK)
		return rc;
	return resp_json(resp, 200, json_weights(&out));
}

/*
 * GET .../lead_care_managers/:id/patients: a user's current patients, one
 * row per patient and role. Each patient shown is one record of the PHI
 * access log (rows come by patient id: a patient in both roles once).
 */
enum app_err
lcm_user_patients_get(const struct request *req, struct response *resp)
{
	struct lcm_history_query q;
	struct json_object *errors, *rows;
	struct lcm_user_patient p;
	int64_t total, logged = 0;
	enum app_err rc;

	if ((errors = json_list()) == NULL)
		return APP_ENOMEM;
	if ((rc = problems(resp, errors, val_history_query(req->query, &q, errors))) != APP_OK)
		return rc;
	if ((rc = lcm_user_patients(req->db, req->path_id, q.role, q.page, q.per_page, &total)) != APP_OK)
		return rc;
	if ((rows = json_list()) == NULL)
		return APP_ENOMEM;
	while ((rc = lcm_user_patients_next(req->db, &p)) == APP_OK) {
		if ((rc = json_list_add(rows, json_user_patient(&p))) != APP_OK)
			break;
		if (p.patient_id != logged)
			(void)access_log_add(p.patient_id, req->user_id, ACCESS_READ_LCM_PATIENTS,
			    req->request_id);
		logged = p.patient_id;
	}
	if (rc != APP_ENOROW) {
		json_object_put(rows);
		return rc;
	}
	return resp_json(resp, 200, json_user_patients_page(rows, total, q.page, q.per_page));
}
