#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <json.h>

#include "app.h"
#include "db.h"
#include "access_log.h"
#include "handlers.h"
#include "idem.h"
#include "json_out.h"
#include "lcm.h"
#include "log.h"
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
	/*
	 * Item by item in one transaction, each under a savepoint: a dry run
	 * (rolled back), or a keyed run, whose answer commits with its items.
	 */
	int one_tx;
};

/*
 * The errors of an item of the set-based run, from its outcome: a new
 * list, or NULL when it succeeded. APP_OK or APP_ENOMEM.
 */
static enum app_err
outcome_errors(const struct lcm_bulk_item *bi, struct json_object **out)
{
	struct json_object *e;
	int n;

	*out = NULL;
	if (bi->outcome == APP_OK)
		return APP_OK;
	if ((e = json_list()) == NULL)
		return APP_ENOMEM;
	switch (bi->outcome) {
	case APP_EINVAL:
		n = val_ineligible(bi->ineligible, e);
		break;
	case APP_ECAPACITY:
		n = val_at_capacity(bi->at_capacity, e);
		break;
	case APP_EUNKNOWN:
		n = json_list_add_string(e, msg_unknown) == APP_OK ? 1 : -1;
		break;
	default:
		n = json_list_add_string(e, app_err_message(bi->outcome)) == APP_OK ? 1 : -1;
		break;
	}
	if (n < 0) {
		json_object_put(e);
		return APP_ENOMEM;
	}
	*out = e;
	return APP_OK;
}

/*
 * What a bulk request answers: each item's result, from its errors or
 * (while outcomes is set: the set-based run about to commit) its outcome.
 */
struct bulk_answer {
	const struct bulk_item *items;
	const struct lcm_bulk_item *outcomes;  /* NULL: the items' errors are final */
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
		errors = json_object_get(a->items[i].errors);
		if (errors == NULL && a->outcomes != NULL &&
		    (rc = outcome_errors(&a->outcomes[i], &errors)) != APP_OK)
			goto out;
		ok += errors == NULL;
		rc = json_list_add(results, json_bulk_result(a->items[i].echo_id, errors));
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
 * Apply one checked item, the index-th; a failure is the item's, not the
 * request's. Its activity rows carry the request id with "#index". In one
 * transaction (b->one_tx) it is applied inside it, under a savepoint.
 * APP_OK, or what stops the whole request: APP_EDBLOST (the database went
 * away: the item, and in one transaction every item, was not applied),
 * APP_EUNKNOWN (it went during the item's COMMIT, for good), APP_ERETRY
 * (the one transaction lost to a deadlock), APP_ENOMEM.
 */
static enum app_err
bulk_apply(struct bulk *b, struct bulk_item *it, size_t index)
{
	const struct request *req = b->req;
	/* An item never commits a key's answer: the request does, once (bulk_commit()). */
	struct lcm_actor who = {req->user_id, NULL, NULL};
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
	    LCM_MAY_CREATE | (b->one_tx ? LCM_NESTED : 0), full))) {
	case APP_OK:
		if (!b->one_tx)  /* else once the transaction commits */
			(void)access_log_add(it->c.patient_id, req->user_id, ACCESS_BULK,
			    req->request_id);
		return APP_OK;
	case APP_EDBLOST:
	case APP_EUNKNOWN:
	case APP_ENOMEM:
		return rc;
	case APP_ERETRY:
		if (b->one_tx)
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
		if ((rc != APP_EDBLOST && rc != APP_EUNKNOWN) || b->one_tx)
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
	struct lcm_actor who = {req->user_id, req->request_id, idem_key(req->idem)};
	struct bulk_answer answer = {items, NULL, n, b->dry_run};
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
	answer.outcomes = bi;
	answer_with(req, &answer);
	rc = lcm_bulk_run(req->db, &who, bi, n, b->dry_run);
	answer_with(req, NULL);
	for (i = 0; i < n && rc == APP_OK; i++) {
		if (bi[i].skip)
			continue;
		if (bi[i].outcome == APP_OK && !b->dry_run)
			(void)access_log_add(bi[i].c.patient_id, req->user_id, ACCESS_BULK,
			    req->request_id);
		rc = outcome_errors(&bi[i], &items[i].errors);
	}
	free(bi);
	return rc;
}

/*
 * A keyed run item by item (b->one_tx): COMMIT its items with its answer.
 * APP_OK, with the applied items in the access log; else nothing was
 * applied, or (APP_EUNKNOWN) whether it was cannot be learnt.
 */
static enum app_err
bulk_commit(struct bulk *b, struct bulk_item *items, size_t n)
{
	const struct request *req = b->req;
	struct bulk_answer answer = {items, NULL, n, 0};
	enum app_err rc;
	size_t i;

	answer_with(req, &answer);
	rc = idem_commit(req->db, req->idem);
	answer_with(req, NULL);
	for (i = 0; i < n && rc == APP_OK; i++)
		if (items[i].errors == NULL)
			(void)access_log_add(items[i].c.patient_id, req->user_id, ACCESS_BULK,
			    req->request_id);
	return rc;
}

/*
 * POST .../bulk_assign: up to 1000 assignments, in order, each failing
 * alone; those that succeed are applied together in one transaction
 * (lcm_bulk_run). When another transaction holds one of their case loads
 * for over a second, or the batch fails as a whole for a reason that is
 * not concurrency (a row the database refuses), each item is applied on
 * its own instead, as a single assignment is (under an Idempotency-Key,
 * under a savepoint of one transaction that commits them with the answer).
 * With "dry_run": true nothing is committed: each item's result is the one
 * the real run would give now.
 */
enum app_err
lcm_bulk_assign_post(const struct request *req, struct response *resp)
{
	struct bulk b = {.req = req};
	struct bulk_answer answer = {0};
	struct json_object *list = NULL, *errors;
	struct bulk_item *items = NULL;
	int64_t *pids = NULL, *uids = NULL;
	size_t n = 0, i, npids, nuids;
	int lost_per_item;
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
	/*
	 * Without a key, a database that went before anything was applied is
	 * answered per item (send it again); with one it is the 503 whose
	 * retry, under the same key, runs again.
	 */
	lost_per_item = !b.dry_run && req->idem == NULL;
	if ((rc = bulk_set_run(&b, items, n)) == APP_OK)
		goto answer;
	if (rc == APP_EDBLOST && lost_per_item)
		goto lost;  /* nothing was applied */
	if (rc != APP_ELOCKED && rc != APP_EDB)
		goto out;
	/* Nothing was applied: item by item, what failed the batch fails its item alone. */
	log_msg(LV_WARN, "bulk: the set-based run failed (%s): applying the %zu items one by one",
	    app_err_name(rc), n);
	if ((rc = lcm_patients_existing(req->db, pids, npids, &b.patients)) != APP_OK ||
	    (rc = lcm_users_eligible(req->db, uids, nuids, &b.users)) != APP_OK ||
	    (rc = lcm_id_lookup(req->db, STMT_USERS_LIMITED, uids, nuids, &b.limited)) != APP_OK) {
		if (rc == APP_EDBLOST && lost_per_item)
			goto lost;
		goto out;
	}

	b.one_tx = b.dry_run || req->idem != NULL;
	if (b.one_tx && (rc = db_begin(req->db)) != APP_OK)
		goto out;
	rc = bulk_run(&b, items, n);
	if (b.one_tx && (b.dry_run || rc != APP_OK))
		db_rollback(req->db);  /* a dry run writes nothing; a failed one, nothing either */
	else if (b.one_tx)
		rc = bulk_commit(&b, items, n);
	if (rc != APP_OK)
		goto out;
	goto answer;
lost:
	/* The database went before any item was applied: each says so. */
	if ((rc = bulk_not_sent(items, 0, n)) != APP_OK)
		goto out;
answer:
	if (idem_kept(req->idem))
		goto out;  /* the answer committed with the items is the answer */
	answer.items = items;
	answer.n = n;
	answer.dry_run = b.dry_run;
	rc = render_bulk(&answer, resp);
out:
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
