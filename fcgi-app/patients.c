#include <json.h>

#include "access_log.h"
#include "handlers.h"
#include "json_out.h"
#include "lcm.h"
#include "patients.h"
#include "rules.h"
#include "today.h"

/*
 * GET .../patients/:id/lead_care_managers: the patient's care team, with
 * its version as ETag; If-None-Match naming it is a 304.
 */
enum app_err
patient_lcms_get(const struct request *req, struct response *resp)
{
	struct lcm_precondition inm = {0};
	struct care_team t;
	enum app_err rc;

	if (req->if_none_match != NULL && val_etags(req->if_none_match, 1, &inm) != 0)
		return bad_header(resp, "If-None-Match must be * or a list of ETags");
	if ((rc = lcm_care_team_get(req->db, req->path_id, &t)) != APP_OK)
		return rc;
	(void)access_log_add(req->path_id, req->user_id, ACCESS_READ_CARE_TEAM, req->request_id);
	resp_set_etag(resp, t.version);
	/* "*" matches any current representation: the patient's care team always has one. */
	if (inm.present && (inm.any || lcm_precondition_holds(&inm, t.version))) {
		resp_not_modified(resp);
		return APP_OK;
	}
	return resp_json(resp, 200, json_care_team(&t));
}

/* The history with kind=member: the member's changes, newest first. */
static enum app_err
member_history_get(const struct request *req, struct response *resp,
    const struct lcm_history_query *q)
{
	struct json_object *rows;
	struct member_change e;
	int64_t total;
	enum app_err rc;

	if ((rc = member_history(req->db, req->path_id, q->page, q->per_page, &total)) != APP_OK)
		return rc;
	if ((rows = json_list()) == NULL)
		return APP_ENOMEM;
	while ((rc = member_history_next(req->db, &e)) == APP_OK)
		if ((rc = json_list_add(rows, json_member_change(&e))) != APP_OK)
			break;
	if (rc != APP_ENOROW) {
		json_object_put(rows);
		return rc;
	}
	(void)access_log_add(req->path_id, req->user_id, ACCESS_READ_HISTORY, req->request_id);
	return resp_json(resp, 200, json_history_page(rows, total, q->page, q->per_page));
}

/*
 * GET .../patients/:id/lead_care_managers/history: assignment periods,
 * newest first; with kind=member, the changes of the patient's facts as
 * an ECM member instead.
 */
enum app_err
patient_history_get(const struct request *req, struct response *resp)
{
	struct lcm_history_query q = {.patient_id = req->path_id};
	struct json_object *errors, *rows;
	struct lcm_period h;
	int64_t total;
	enum app_err rc;
	int n, k, member = 0;

	if ((errors = json_list()) == NULL)
		return APP_ENOMEM;
	if ((n = val_history_query(req->query, &q, errors)) >= 0 &&
	    (k = val_history_kind(req->query, &member, errors)) >= 0)
		n += k;
	else
		n = -1;
	if ((rc = problems(resp, errors, n)) != APP_OK)
		return rc;
	if (member)
		return member_history_get(req, resp, &q);
	if ((rc = lcm_history(req->db, &q, &total)) != APP_OK)
		return rc;
	if ((rows = json_list()) == NULL)
		return APP_ENOMEM;
	while ((rc = lcm_history_next(req->db, &h)) == APP_OK)
		if ((rc = json_list_add(rows, json_period(&h))) != APP_OK)
			break;
	if (rc != APP_ENOROW) {
		json_object_put(rows);
		return rc;
	}
	(void)access_log_add(req->path_id, req->user_id, ACCESS_READ_HISTORY, req->request_id);
	return resp_json(resp, 200, json_history_page(rows, total, q.page, q.per_page));
}

/*
 * GET .../patients/:id/access_log: who read or changed the patient's care
 * team, newest first. This listing is recorded too, and written before
 * the list is read, so it shows itself (other workers' records may take up
 * to two seconds).
 */
enum app_err
patient_access_log_get(const struct request *req, struct response *resp)
{
	struct json_object *errors, *rows;
	struct access_entry e;
	int64_t page, per_page, total;
	enum app_err rc;

	if ((errors = json_list()) == NULL)
		return APP_ENOMEM;
	if ((rc = problems(resp, errors, val_paging(req->query, &page, &per_page, errors))) != APP_OK)
		return rc;
	if ((rc = lcm_patient_exists(req->db, req->path_id)) != APP_OK)
		return rc;
	(void)access_log_add(req->path_id, req->user_id, ACCESS_READ_ACCESS_LOG, req->request_id);
	if ((rc = access_log_flush(req->db)) != APP_OK)
		return rc;
	if ((rc = access_log_list(req->db, req->path_id, page, per_page, &total)) != APP_OK)
		return rc;
	if ((rows = json_list()) == NULL)
		return APP_ENOMEM;
	while ((rc = access_log_next(req->db, &e)) == APP_OK)
		if ((rc = json_list_add(rows, json_access_entry(&e))) != APP_OK)
			break;
	if (rc != APP_ENOROW) {
		json_object_put(rows);
		return rc;
	}
	return resp_json(resp, 200, json_access_page(rows, total, page, per_page));
}

/*
 * GET .../patients: patients with their case loads, by name then id,
 * filtered. Each patient shown is one record of the PHI access log.
 */
enum app_err
patients_list_get(const struct request *req, struct response *resp)
{
	struct json_object *errors, *rows;
	struct pat_query q;
	struct pat_row row;
	char search[1024];
	int64_t total;
	enum app_err rc;

	if ((errors = json_list()) == NULL)
		return APP_ENOMEM;
	if ((rc = problems(resp, errors, val_patient_query(req->query, &q, search, sizeof(search),
	    errors))) != APP_OK)
		return rc;
	today(q.day);
	if ((rc = pat_list(req->db, &q, &total)) != APP_OK)
		return rc;
	if ((rows = json_list()) == NULL)
		return APP_ENOMEM;
	while ((rc = pat_list_next(req->db, &q, &row)) == APP_OK) {
		if ((rc = json_list_add(rows, json_patient_row(&row))) != APP_OK)
			break;
		(void)access_log_add(row.id, req->user_id, ACCESS_READ_PATIENT_LIST, req->request_id);
	}
	if (rc != APP_ENOROW) {
		json_object_put(rows);
		return rc;
	}
	return resp_json(resp, 200, json_patients_page(rows, total, q.page, q.per_page));
}

/*
 * GET .../patients/summary: counts for a dashboard, the authorizations on
 * the clinic's day (no patient's data: no access record).
 */
enum app_err
patients_summary_get(const struct request *req, struct response *resp)
{
	struct pat_summary s;
	char day[TODAY_LEN];
	enum app_err rc;

	today(day);
	if ((rc = pat_summary_get(req->db, day, &s)) != APP_OK)
		return rc;
	return resp_json(resp, 200, json_patient_summary(&s));
}
