#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <json.h>

#include "app.h"
#include "access_log.h"
#include "handlers.h"
#include "json_out.h"
#include "lcm.h"
#include "log.h"
#include "validate.h"

static const char msg_bulk[] = "Bulk assignment completed";
static const char msg_busy[] =
    "Assignment could not be applied because of concurrent changes, try again";
static const char msg_late[] =
    "Assignment was not applied: the request ran out of time, send it again";

/* A bulk request stops applying items after this long, well inside nginx's timeout. */
#define BULK_BUDGET_SECONDS 20

/* Per bulk item: its change, and its errors once it failed. */
struct bulk_item {
	struct lcm_change c;
	struct json_object *errors;  /* NULL while the item is good */
	int64_t echo_id;             /* patient_id for the result, 0 for null */
};

static enum app_err
item_fail(struct bulk_item *it, const char *msg)
{
	if (it->errors == NULL && (it->errors = json_list()) == NULL)
		return APP_ENOMEM;
	return json_list_add_string(it->errors, msg);
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

/* Validate every item; gather the ids to look up. */
static enum app_err
bulk_validate(struct json_object *list, struct bulk_item *items, size_t n,
    int64_t *pids, size_t *npids, int64_t *uids, size_t *nuids)
{
	size_t i;
	int bad;

	*npids = *nuids = 0;
	for (i = 0; i < n; i++) {
		if ((items[i].errors = json_list()) == NULL)
			return APP_ENOMEM;
		if ((bad = val_bulk_item(json_object_array_get_idx(list, i), &items[i].c,
		    items[i].errors)) < 0)
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
	int64_t ineligible[ROLE__MAX] = {0};
	char tag[LCM_REQUEST_ID_MAX + 24];
	enum app_err rc;
	int r, bad = 0;

	if (!id_set_has(patients, it->c.patient_id))
		return item_fail(it, app_err_message(APP_ENOPATIENT));
	for (r = 0; r < ROLE__MAX; r++)
		if (it->c.given[r] && it->c.user[r] != 0 && !id_set_has(users, it->c.user[r])) {
			ineligible[r] = it->c.user[r];
			bad = 1;
		}
	if (bad) {
		if ((it->errors = json_list()) == NULL ||
		    val_ineligible(ineligible, it->errors) < 0)
			return APP_ENOMEM;
		return APP_OK;
	}

	snprintf(tag, sizeof(tag), "%s#%zu", req->request_id, index + 1);
	who.request_id = tag;
	it->c.source = "bulk";
	switch ((rc = lcm_apply(req->db, &who, &it->c, 1))) {
	case APP_OK:
		(void)access_log_add(it->c.patient_id, req->user_id, ACCESS_BULK, req->request_id);
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
	struct json_object *list = NULL, *results = NULL, *errors;
	struct bulk_item *items = NULL;
	int64_t *pids = NULL, *uids = NULL;
	size_t n = 0, i, npids, nuids;
	struct timespec start, now;
	int64_t ok = 0;
	enum app_err rc = APP_ENOMEM;

	if ((errors = json_list()) == NULL)
		return APP_ENOMEM;
	if ((rc = problems(resp, errors, val_bulk(req->json, &list, &n, errors))) != APP_OK) {
		n = 0;
		goto out;
	}
	rc = APP_ENOMEM;
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
	if ((results = json_list()) == NULL)
		goto out;
	for (i = 0; i < n; i++)
		if (json_list_add(results, json_bulk_result(items[i].echo_id, items[i].errors)) != APP_OK)
			goto out;
	rc = resp_json(resp, 200, json_bulk(msg_bulk, ok, (int64_t)n - ok, results));
	results = NULL;
out:
	json_object_put(results);
	for (i = 0; items != NULL && i < n; i++)
		json_object_put(items[i].errors);
	free(items);
	free(pids);
	free(uids);
	id_set_free(&patients);
	id_set_free(&users);
	return rc;
}
