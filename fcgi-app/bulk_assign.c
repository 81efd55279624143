#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <json.h>

#include "app.h"
#include "db.h"
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
static const char msg_unknown[] =
    "The database became unreachable while this assignment was applied: it may or may not "
    "have been applied; read the care team, or send the request again with the same "
    "Idempotency-Key";
static const char msg_not_sent[] =
    "Assignment was not applied: the database became unreachable, send it again";

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

/* What a bulk request looks its items up in, and how it runs them. */
struct bulk {
	const struct request *req;
	struct id_set patients;   /* the items' patients that exist */
	struct id_set users;      /* the items' users that are eligible */
	struct id_set limited;    /* the items' users with a caseload limit */
	int dry_run;
};

/*
 * Apply one checked item, the index-th; a failure is the item's, not the
 * request's. Its activity rows carry the request id with "#index". In a
 * dry run it is applied inside the run's transaction, under a savepoint.
 * APP_OK, or what stops the whole request: APP_EDBLOST (the database went
 * away: the item was not applied), APP_EUNKNOWN (it went during the item's
 * COMMIT, for good), APP_ERETRY (a dry run's transaction lost to a
 * deadlock), APP_ENOMEM.
 */
static enum app_err
bulk_apply(struct bulk *b, struct bulk_item *it, size_t index)
{
	const struct request *req = b->req;
	struct lcm_actor who = {req->user_id, NULL};
	int64_t ineligible[ROLE__MAX] = {0}, full[ROLE__MAX] = {0};
	char tag[LCM_REQUEST_ID_MAX + 24];
	enum app_err rc;
	int r, bad = 0;

	if (!id_set_has(&b->patients, it->c.patient_id))
		return item_fail(it, app_err_message(APP_ENOPATIENT));
	it->c.limited = 0;
	for (r = 0; r < ROLE__MAX; r++) {
		if (it->c.given[r] && it->c.user[r] != 0 && !id_set_has(&b->users, it->c.user[r])) {
			ineligible[r] = it->c.user[r];
			bad = 1;
		}
		if (id_set_has(&b->limited, it->c.user[r]))
			it->c.limited |= 1u << r;
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
	switch ((rc = lcm_apply(req->db, &who, &it->c,
	    LCM_MAY_CREATE | (b->dry_run ? LCM_NESTED : 0), full))) {
	case APP_OK:
		if (!b->dry_run)
			(void)access_log_add(it->c.patient_id, req->user_id, ACCESS_BULK,
			    req->request_id);
		return APP_OK;
	case APP_EDBLOST:
	case APP_EUNKNOWN:
	case APP_ENOMEM:
		return rc;
	case APP_ERETRY:
		if (b->dry_run)
			return rc;
		return item_fail(it, msg_busy);
	case APP_ENOPATIENT:
		return item_fail(it, app_err_message(rc));
	case APP_ECAPACITY:
		if ((it->errors = json_list()) == NULL || val_at_capacity(full, it->errors) < 0)
			return APP_ENOMEM;
		return APP_OK;
	case APP_ELOCKED:
		return item_fail(it, msg_busy);
	default:
		log_msg(LV_ERR, "bulk: patient %" PRId64 ": %s", it->c.patient_id, app_err_name(rc));
		return item_fail(it, "Assignment could not be applied, try again");
	}
}

/*
 * Items not attempted because the database went away: each says so (send
 * it again), from the from-th on.
 */
static enum app_err
bulk_not_sent(struct bulk_item *items, size_t from, size_t n)
{
	enum app_err rc;
	size_t j;

	for (j = from; j < n; j++)
		if (items[j].errors == NULL && (rc = item_fail(&items[j], msg_not_sent)) != APP_OK)
			return rc;
	return APP_OK;
}

/*
 * Every good item, in order. The database going away stops the run but
 * not the answer: the item it happened to says whether it was applied
 * (not, or maybe: during its COMMIT), the ones after it that they were not
 * attempted, each with its own result; those before say what they are.
 */
static enum app_err
bulk_run(struct bulk *b, struct bulk_item *items, size_t n)
{
	struct timespec start, now;
	enum app_err rc;
	size_t i;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (i = 0; i < n; i++) {
		if (items[i].errors != NULL)
			continue;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - start.tv_sec >= BULK_BUDGET_SECONDS) {
			if ((rc = item_fail(&items[i], msg_late)) != APP_OK)
				return rc;
			continue;
		}
		if ((rc = bulk_apply(b, &items[i], i)) == APP_OK)
			continue;
		if ((rc != APP_EDBLOST && rc != APP_EUNKNOWN) || b->dry_run)
			return rc;
		if ((rc = item_fail(&items[i], rc == APP_EUNKNOWN ? msg_unknown : msg_not_sent)) != APP_OK)
			return rc;
		return bulk_not_sent(items, i + 1, n);
	}
	return APP_OK;
}

/*
 * The set-based run (lcm_bulk_run): every item decided in one transaction.
 * APP_OK with each item's result set; APP_ELOCKED when another transaction
 * held a case load (nothing applied); another error with nothing applied.
 */
static enum app_err
bulk_set_run(struct bulk *b, struct bulk_item *items, size_t n)
{
	const struct request *req = b->req;
	struct lcm_actor who = {req->user_id, req->request_id};
	struct lcm_bulk_item *bi;
	enum app_err rc;
	size_t i;

	if ((bi = calloc(n + 1, sizeof(*bi))) == NULL)
		return APP_ENOMEM;
	for (i = 0; i < n; i++) {
		bi[i].c = items[i].c;
		bi[i].c.source = "bulk";
		bi[i].skip = items[i].errors != NULL;
	}
	if ((rc = lcm_bulk_run(req->db, &who, bi, n, b->dry_run)) != APP_OK)
		goto out;
	for (i = 0; i < n && rc == APP_OK; i++) {
		if (bi[i].skip)
			continue;
		switch (bi[i].outcome) {
		case APP_OK:
			if (!b->dry_run)
				(void)access_log_add(bi[i].c.patient_id, req->user_id, ACCESS_BULK,
				    req->request_id);
			break;
		case APP_EINVAL:
			if ((items[i].errors = json_list()) == NULL ||
			    val_ineligible(bi[i].ineligible, items[i].errors) < 0)
				rc = APP_ENOMEM;
			break;
		case APP_ECAPACITY:
			if ((items[i].errors = json_list()) == NULL ||
			    val_at_capacity(bi[i].at_capacity, items[i].errors) < 0)
				rc = APP_ENOMEM;
			break;
		case APP_EUNKNOWN:
			rc = item_fail(&items[i], msg_unknown);
			break;
		default:
			rc = item_fail(&items[i], app_err_message(bi[i].outcome));
			break;
		}
	}
out:
	free(bi);
	return rc;
}

/*
 * POST .../bulk_assign: up to 1000 assignments, in order, each failing
 * alone; those that succeed are applied together in one transaction
 * (lcm_bulk_run). When another transaction holds one of their case loads
 * for over a second, or the batch fails as a whole for a reason that is
 * not concurrency (a row the database refuses), each item is applied on
 * its own instead, as a single assignment is. With "dry_run": true nothing is committed: each
 * item's result is the one the real run would give now.
 */
enum app_err
lcm_bulk_assign_post(const struct request *req, struct response *resp)
{
	struct bulk b = {.req = req};
	struct json_object *list = NULL, *results = NULL, *errors;
	struct bulk_item *items = NULL;
	int64_t *pids = NULL, *uids = NULL;
	size_t n = 0, i, npids, nuids;
	int64_t ok = 0;
	enum app_err rc = APP_ENOMEM;

	if ((errors = json_list()) == NULL)
		return APP_ENOMEM;
	if ((rc = problems(resp, errors, val_bulk(req->json, &list, &n, &b.dry_run, errors))) != APP_OK) {
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
	if ((rc = bulk_set_run(&b, items, n)) == APP_OK)
		goto answer;
	if (rc == APP_EDBLOST && !b.dry_run)
		goto lost;  /* nothing was applied */
	if (rc != APP_ELOCKED && rc != APP_EDB)
		goto out;
	/* Nothing was applied: item by item, what failed the batch fails its item alone. */
	log_msg(LV_WARN, "bulk: the set-based run failed (%s): applying the %zu items one by one",
	    app_err_name(rc), n);
	if ((rc = lcm_patients_existing(req->db, pids, npids, &b.patients)) != APP_OK ||
	    (rc = lcm_users_eligible(req->db, uids, nuids, &b.users)) != APP_OK ||
	    (rc = lcm_id_lookup(req->db, STMT_USERS_LIMITED, uids, nuids, &b.limited)) != APP_OK) {
		if (rc == APP_EDBLOST && !b.dry_run)
			goto lost;
		goto out;
	}

	if (b.dry_run && (rc = db_begin(req->db)) != APP_OK)
		goto out;
	rc = bulk_run(&b, items, n);
	if (b.dry_run)
		db_rollback(req->db);  /* a dry run writes nothing */
	if (rc != APP_OK)
		goto out;
	goto answer;
lost:
	/* The database went before any item was applied: each says so. */
	if ((rc = bulk_not_sent(items, 0, n)) != APP_OK)
		goto out;
answer:
	for (i = 0; i < n; i++)
		ok += items[i].errors == NULL;

	rc = APP_ENOMEM;
	if ((results = json_list()) == NULL)
		goto out;
	for (i = 0; i < n; i++)
		if (json_list_add(results, json_bulk_result(items[i].echo_id, items[i].errors)) != APP_OK)
			goto out;
	rc = resp_json(resp, 200, json_bulk(msg_bulk, ok, (int64_t)n - ok, results, b.dry_run));
	results = NULL;
out:
	json_object_put(results);
	for (i = 0; items != NULL && i < n; i++)
		json_object_put(items[i].errors);
	free(items);
	free(pids);
	free(uids);
	id_set_free(&b.patients);
	id_set_free(&b.users);
	id_set_free(&b.limited);
	return rc;
}
