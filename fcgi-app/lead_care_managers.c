#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <json.h>

#include "handlers.h"
#include "json_out.h"
#include "lcm.h"
#include "log.h"
#include "validate.h"

#define SEARCH_BUF 1024

static const char msg_assigned[] = "Lead Care Manager assigned successfully";
static const char msg_removed[] = "Lead Care Manager assignment removed successfully";
static const char msg_bulk[] = "Bulk assignment completed";
static const char msg_busy[] =
    "Assignment could not be applied because of concurrent changes, try again";
static const char msg_late[] =
    "Assignment was not applied: the request ran out of time, send it again";

/* A bulk request stops applying items after this long, well inside nginx's timeout. */
#define BULK_BUDGET_SECONDS 20

/*
 * After a check appended n problems to errors (n < 0: out of memory):
 * APP_OK when there are none, else a 422 carrying every one. Takes errors.
 */
static enum app_err
problems(struct response *resp, struct json_object *errors, int n)
{
	if (n <= 0) {
		json_object_put(errors);
		return n == 0 ? APP_OK : APP_ENOMEM;
	}
	return resp_errors(resp, 422, errors) == APP_OK ? APP_EINVAL : APP_ENOMEM;
}

/* GET .../lead_care_managers: eligible users with their workloads. */
enum app_err
lcm_list_get(const struct request *req, struct response *resp)
{
	struct lcm_list_query q;
	struct lcm_page pg = {0};
	struct json_object *errors;
	char search[SEARCH_BUF];
	enum app_err rc;
	int n;

	if ((errors = json_object_new_array()) == NULL)
		return APP_ENOMEM;
	n = val_list_query(req->query, &q, search, sizeof(search), errors);
	if ((rc = problems(resp, errors, n)) != APP_OK)
		return rc;
	if ((rc = lcm_list(req->db, &q, &pg)) == APP_OK)
		rc = resp_json(resp, 200, json_lcm_page(&pg, &q));
	lcm_page_free(&pg);
	return rc;
}

/* "User 999 is not eligible to be a Lead Care Manager" for each given user not eligible. */
static enum app_err
ineligible(const struct lcm_change *c, const int eligible[ROLE__MAX],
    struct json_object *errors, int *n)
{
	char msg[128];
	int r;

	for (r = 0; r < ROLE__MAX; r++) {
		if (!c->given[r] || c->user[r] == 0 || eligible[r])
			continue;
		if (r == ROLE_ILCM && c->given[ROLE_OLCM] && c->user[ROLE_OLCM] == c->user[r])
			continue;  /* already named once */
		snprintf(msg, sizeof(msg), "User %" PRId64 " is not eligible to be a Lead Care Manager",
		    c->user[r]);
		if (val_add(errors, msg) != APP_OK)
			return APP_ENOMEM;
		(*n)++;
	}
	return APP_OK;
}

/* The users a change names, for the eligibility look-up. */
static size_t
change_users(const struct lcm_change *c, int64_t *out)
{
	size_t n = 0;
	int r;

	for (r = 0; r < ROLE__MAX; r++)
		if (c->given[r] && c->user[r] > 0)
			out[n++] = c->user[r];
	return n;
}

/*
 * Check a single change against the database in one query: the patient
 * exists (404), every named user is eligible (422 with a message each).
 * refs also tells how the case load stands.
 */
static enum app_err
check_refs(const struct request *req, const struct lcm_change *c, struct lcm_refs *refs,
    struct response *resp)
{
	struct json_object *errors;
	enum app_err rc;
	int n = 0;

	if ((rc = lcm_refs_check(req->db, c, refs)) != APP_OK)
		return rc;
	if (!refs->patient_ok)
		return APP_ENOPATIENT;
	if ((errors = json_object_new_array()) == NULL)
		return APP_ENOMEM;
	if (ineligible(c, refs->eligible, errors, &n) != APP_OK)
		n = -1;
	return problems(resp, errors, n);
}

/* Validate a body with fn; 422 with every problem. */
static enum app_err
validate(const struct request *req, struct response *resp, struct lcm_change *c,
    int (*fn)(struct json_object *, struct lcm_change *, struct json_object *))
{
	struct json_object *errors;

	if ((errors = json_object_new_array()) == NULL)
		return APP_ENOMEM;
	return problems(resp, errors, fn(req->json, c, errors));
}

/* {"message": msg} alone, or with the patient's case_load. */
static enum app_err
respond(const struct request *req, struct response *resp, const char *msg, int64_t patient_id)
{
	struct json_object *o, *cl = NULL;
	struct care_team *t = NULL;
	enum app_err rc = APP_ENOMEM;

	if ((o = json_object_new_object()) == NULL ||
	    json_object_object_add(o, "message", json_object_new_string(msg)) != 0)
		goto out;
	if (patient_id > 0) {
		if ((t = malloc(sizeof(*t))) == NULL)
			goto out;
		if ((rc = lcm_care_team_get(req->db, patient_id, t)) != APP_OK)
			goto out;
		rc = APP_ENOMEM;
		if ((cl = json_case_load(t)) == NULL ||
		    json_object_object_add(o, "case_load", cl) != 0) {
			json_object_put(cl);
			goto out;
		}
	}
	rc = resp_json(resp, 200, o);
	o = NULL;
out:
	json_object_put(o);
	free(t);
	return rc;
}

static enum app_err
write_one(const struct request *req, struct response *resp, int may_create,
    int (*fn)(struct json_object *, struct lcm_change *, struct json_object *))
{
	struct lcm_actor who = {req->user_id, req->request_id};
	struct lcm_refs refs;
	struct lcm_change c;
	enum app_err rc;

	if ((rc = validate(req, resp, &c, fn)) != APP_OK)
		return rc;
	if ((rc = check_refs(req, &c, &refs, resp)) != APP_OK)
		return rc;
	/*
	 * A request that would change nothing, as the case load stood when
	 * read, takes effect at that read: no transaction, no lock, no row.
	 */
	if (refs.case_load_id == 0 && !may_create)
		return APP_ENOCASELOAD;
	if (!lcm_refs_unchanged(&refs, &c) &&
	    (rc = lcm_apply(req->db, &who, &c, may_create)) != APP_OK)
		return rc;
	if (fn == val_remove)
		return respond(req, resp, msg_removed, 0);
	return respond(req, resp, msg_assigned, c.patient_id);
}

/* POST .../assign: create or update the patient's case load. */
enum app_err
lcm_assign_post(const struct request *req, struct response *resp)
{
	return write_one(req, resp, 1, val_assign);
}

/* PUT .../assign: update an existing case load. */
enum app_err
lcm_assign_put(const struct request *req, struct response *resp)
{
	return write_one(req, resp, 0, val_assign);
}

/* DELETE .../assign: clear one role of an existing case load. */
enum app_err
lcm_assign_delete(const struct request *req, struct response *resp)
{
	return write_one(req, resp, 0, val_remove);
}

/* Per bulk item: its change, and its errors once it failed. */
struct bulk_item {
	struct lcm_change c;
	struct json_object *errors;  /* NULL while the item is good */
	int64_t echo_id;             /* patient_id for the result, 0 for null */
};

static enum app_err
item_fail(struct bulk_item *it, const char *msg)
{
	if (it->errors == NULL && (it->errors = json_object_new_array()) == NULL)
		return APP_ENOMEM;
	return val_add(it->errors, msg);
}

static struct json_object *
bulk_result(const struct bulk_item *it)
{
	struct json_object *o;
	int bad = 0;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	bad |= json_object_object_add(o, "patient_id",
	    it->echo_id > 0 ? json_object_new_int64(it->echo_id) : NULL);
	bad |= json_object_object_add(o, "status",
	    json_object_new_string(it->errors ? "failed" : "success"));
	if (it->errors != NULL)
		bad |= json_object_object_add(o, "errors", json_object_get(it->errors));
	if (bad) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

/* Validate every item; gather the ids to look up. */
static enum app_err
bulk_validate(struct json_object *list, struct bulk_item *items, size_t n,
    int64_t *pids, size_t *npids, int64_t *uids, size_t *nuids)
{
	struct json_object *item;
	size_t i;
	int bad;

	*npids = *nuids = 0;
	for (i = 0; i < n; i++) {
		item = json_object_array_get_idx(list, i);
		if (!json_object_is_type(item, json_type_object)) {
			if (item_fail(&items[i], "Assignment must be a JSON object") != APP_OK)
				return APP_ENOMEM;
			continue;
		}
		if ((items[i].errors = json_object_new_array()) == NULL)
			return APP_ENOMEM;
		if ((bad = val_assign(item, &items[i].c, items[i].errors)) < 0)
			return APP_ENOMEM;
		items[i].echo_id = items[i].c.patient_id;
		if (bad > 0)
			continue;
		json_object_put(items[i].errors);
		items[i].errors = NULL;
		pids[(*npids)++] = items[i].c.patient_id;
		*nuids += change_users(&items[i].c, uids + *nuids);
	}
	return APP_OK;
}

/*
 * Apply one checked item, the index-th; a failure is the item's, not the
 * request's. Its activity rows carry the request id with "#index".
 */
static enum app_err
bulk_apply(const struct request *req, struct bulk_item *it, size_t index,
    const struct id_set *patients, const struct id_set *users)
{
	struct lcm_actor who = {req->user_id, NULL};
	int eligible[ROLE__MAX], n = 0, r;
	char tag[LCM_REQUEST_ID_MAX + 8];
	enum app_err rc;

	if (!id_set_has(patients, it->c.patient_id))
		return item_fail(it, app_err_message(APP_ENOPATIENT));
	for (r = 0; r < ROLE__MAX; r++)
		eligible[r] = id_set_has(users, it->c.user[r]);
	if ((it->errors = json_object_new_array()) == NULL)
		return APP_ENOMEM;
	if (ineligible(&it->c, eligible, it->errors, &n) != APP_OK)
		return APP_ENOMEM;
	if (n > 0)
		return APP_OK;
	json_object_put(it->errors);
	it->errors = NULL;

	snprintf(tag, sizeof(tag), "%s#%zu", req->request_id, index + 1);
	who.request_id = tag;
	switch ((rc = lcm_apply(req->db, &who, &it->c, 1))) {
	case APP_OK:
		return APP_OK;
	case APP_EDBLOST:
	case APP_ENOMEM:
		return rc;  /* the request fails: 503, the items before it stand */
	case APP_ENOPATIENT:
		return item_fail(it, app_err_message(rc));
	case APP_ERETRY:
	case APP_ELOCKED:
		return item_fail(it, msg_busy);
	default:
		log_msg(LV_ERR, "bulk: patient %" PRId64 ": %s", it->c.patient_id, app_err_name(rc));
		return item_fail(it, "Assignment could not be applied, try again");
	}
}

/* POST .../bulk_assign: up to 1000 assignments, each applied on its own, in order. */
enum app_err
lcm_bulk_assign_post(const struct request *req, struct response *resp)
{
	struct id_set patients = {0}, users = {0};
	struct json_object *list, *o = NULL, *results = NULL, *r;
	struct bulk_item *items = NULL;
	int64_t *pids = NULL, *uids = NULL;
	size_t n = 0, i, npids, nuids;
	struct timespec start, now;
	int64_t ok = 0;
	enum app_err rc = APP_ENOMEM;

	if (!json_object_object_get_ex(req->json, "assignments", &list) ||
	    !json_object_is_type(list, json_type_array) ||
	    (n = json_object_array_length(list)) < 1 || n > VAL_BULK_MAX) {
		n = 0;
		rc = resp_error(resp, 422, "assignments must be an array of 1 to 1000 items");
		rc = rc == APP_OK ? APP_EINVAL : rc;
		goto out;
	}
	if ((items = calloc(n, sizeof(*items))) == NULL ||
	    (pids = calloc(n, sizeof(*pids))) == NULL ||
	    (uids = calloc(n * ROLE__MAX, sizeof(*uids))) == NULL)
		goto out;
	if ((rc = bulk_validate(list, items, n, pids, &npids, uids, &nuids)) != APP_OK)
		goto out;
	if ((rc = lcm_patients_existing(req->db, pids, npids, &patients)) != APP_OK ||
	    (rc = lcm_users_eligible(req->db, uids, nuids, &users)) != APP_OK)
		goto out;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (i = 0; i < n; i++) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (items[i].errors == NULL && now.tv_sec - start.tv_sec >= BULK_BUDGET_SECONDS) {
			if ((rc = item_fail(&items[i], msg_late)) != APP_OK)
				goto out;
		} else if (items[i].errors == NULL &&
		    (rc = bulk_apply(req, &items[i], i, &patients, &users)) != APP_OK)
			goto out;
		ok += items[i].errors == NULL;
	}

	rc = APP_ENOMEM;
	if ((o = json_object_new_object()) == NULL || (results = json_object_new_array()) == NULL)
		goto out;
	for (i = 0; i < n; i++)
		if ((r = bulk_result(&items[i])) == NULL || json_object_array_add(results, r) != 0) {
			json_object_put(r);
			goto out;
		}
	if (json_object_object_add(o, "message", json_object_new_string(msg_bulk)) != 0 ||
	    json_object_object_add(o, "successful_count", json_object_new_int64(ok)) != 0 ||
	    json_object_object_add(o, "failed_count", json_object_new_int64((int64_t)n - ok)) != 0 ||
	    json_object_object_add(o, "results", results) != 0)
		goto out;
	results = NULL;
	rc = resp_json(resp, 200, o);
	o = NULL;
out:
	json_object_put(results);
	json_object_put(o);
	for (i = 0; items != NULL && i < n; i++)
		json_object_put(items[i].errors);
	free(items);
	free(pids);
	free(uids);
	id_set_free(&patients);
	id_set_free(&users);
	return rc;
}
