#include <stdlib.h>

#include <json.h>

#include "app.h"
#include "handlers.h"
#include "idem.h"
#include "json_out.h"
#include "lcm.h"
#include "rules.h"

static const char msg_bulk[] = "Bulk assignment completed";
static const char msg_busy[] =
    "Assignment could not be applied because of concurrent changes, try again";
static const char msg_late[] =
    "Assignment was not applied: the request ran out of time, send it again";
static const char msg_unknown[] =
    "The database became unreachable while this assignment was applied: it may or may not "
    "have been applied; read the care team, or send the request again with the same "
    "Idempotency-Key";
static const char msg_not_sent[] =
    "Assignment was not applied: the database became unreachable, send it again";
static const char msg_failed[] = "Assignment could not be applied, try again";

/* A bulk request stops applying items after this long, well inside nginx's timeout. */
#define BULK_BUDGET_SECONDS 20

/*
 * The errors of an item from its outcome (lcm_bulk()): a new list, or NULL
 * when it succeeded. APP_OK or APP_ENOMEM.
 */
static enum app_err
outcome_errors(const struct lcm_bulk_item *bi, struct json_object **out)
{
	struct json_object *e;
	const char *msg = NULL;
	int n = 0;

	*out = NULL;
	if (bi->outcome == LCM_BULK_OK)
		return APP_OK;
	if ((e = json_list()) == NULL)
		return APP_ENOMEM;
	switch (bi->outcome) {
	case LCM_BULK_INELIGIBLE:
		n = val_ineligible(bi->ineligible, e);
		break;
	case LCM_BULK_AT_CAPACITY:
		n = val_at_capacity(bi->at_capacity, e);
		break;
	case LCM_BULK_NO_PATIENT:
		msg = app_err_message(APP_ENOPATIENT);
		break;
	case LCM_BULK_AUTH_INACTIVE:
		msg = app_err_message(APP_EAUTHINACTIVE);
		break;
	case LCM_BULK_UNKNOWN:
		msg = msg_unknown;
		break;
	case LCM_BULK_BUSY:
		msg = msg_busy;
		break;
	case LCM_BULK_LATE:
		msg = msg_late;
		break;
	case LCM_BULK_NOT_SENT:
		msg = msg_not_sent;
		break;
	case LCM_BULK_FAILED:
	default:
		msg = msg_failed;
		break;
	}
	if (msg != NULL)
		n = json_list_add_string(e, msg) == APP_OK ? 1 : -1;
	if (n < 0) {
		json_object_put(e);
		return APP_ENOMEM;
	}
	*out = e;
	return APP_OK;
}

/*
 * What a bulk request answers: each item's result, from its errors (it
 * failed its checks) or its outcome.
 */
struct bulk_answer {
	const struct lcm_bulk_item *items;
	struct json_object *const *errors;  /* per item: its checks' errors, NULL when good */
	size_t n;
	int dry_run;
};

static enum app_err
render_bulk(void *arg, struct response *resp)
{
	const struct bulk_answer *a = arg;
	struct json_object *results, *errors;
	enum app_err rc = APP_ENOMEM;
	int64_t ok = 0;
	size_t i;

	if ((results = json_list()) == NULL)
		return APP_ENOMEM;
	for (i = 0; i < a->n; i++) {
		errors = json_object_get(a->errors[i]);
		if (errors == NULL && (rc = outcome_errors(&a->items[i], &errors)) != APP_OK)
			goto out;
		ok += errors == NULL;
		rc = json_list_add(results, json_bulk_result(a->items[i].c.patient_id, errors));
		json_object_put(errors);
		if (rc != APP_OK)
			goto out;
	}
	rc = resp_json(resp, 200, json_bulk(msg_bulk, ok, (int64_t)a->n - ok, results, a->dry_run));
	results = NULL;
out:
	json_object_put(results);
	return rc;
}

/* Under an Idempotency-Key, the run about to commit answers a (render_bulk()). */
static void
answer_with(const struct request *req, struct bulk_answer *a)
{
	if (req->idem != NULL) {
		req->idem->render = a != NULL ? render_bulk : NULL;
		req->idem->arg = a;
	}
}

/*
 * POST .../bulk_assign: up to 1000 assignments, in order, each failing
 * alone: each item is checked here, then the good ones run together
 * (lcm_bulk(), which says how), and each item answers its own result.
 * Under an Idempotency-Key the answer commits with the items. With
 * "dry_run": true nothing is committed: each item's result is the one the
 * real run would give now.
 */
enum app_err
lcm_bulk_assign_post(const struct request *req, struct response *resp)
{
	struct lcm_actor who = {req->user_id, req->request_id, idem_key(req->idem)};
	struct bulk_answer answer = {0};
	struct json_object *list = NULL, *errors, **item_errors = NULL;
	struct lcm_bulk_item *items = NULL;
	size_t n = 0, i;
	int dry_run = 0, bad;
	enum app_err rc = APP_ENOMEM;

	if ((errors = json_list()) == NULL)
		return APP_ENOMEM;
	if ((rc = problems(resp, errors, val_bulk(req->json, &list, &n, &dry_run, errors))) != APP_OK) {
		n = 0;
		goto out;
	}
	rc = APP_ENOMEM;
	if ((items = calloc(n, sizeof(*items))) == NULL ||
	    (item_errors = calloc(n, sizeof(*item_errors))) == NULL)
		goto out;
	for (i = 0; i < n; i++) {
		if ((item_errors[i] = json_list()) == NULL ||
		    (bad = val_bulk_item(json_object_array_get_idx(list, i), &items[i].c,
		    item_errors[i])) < 0)
			goto out;
		if ((items[i].skip = bad > 0))
			continue;
		json_object_put(item_errors[i]);
		item_errors[i] = NULL;
	}
	answer.items = items;
	answer.errors = item_errors;
	answer.n = n;
	answer.dry_run = dry_run;
	answer_with(req, &answer);
	rc = lcm_bulk(req->db, &who, items, n, dry_run, BULK_BUDGET_SECONDS);
	answer_with(req, NULL);
	if (rc != APP_OK || idem_kept(req->idem))
		goto out;  /* kept: the answer committed with the items is the answer */
	rc = render_bulk(&answer, resp);
out:
	for (i = 0; item_errors != NULL && i < n; i++)
		json_object_put(item_errors[i]);
	free(items);
	free(item_errors);
	return rc;
}
