#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "access_log.h"
#include "db.h"
#include "lcm.h"
#include "log.h"

/* ---- bulk assignment, item by item ------------------------------------------ */

/* What the item-by-item run looks its items up in, and how it runs them. */
struct each {
	struct db *db;
	const struct lcm_actor *who;
	struct id_set patients;   /* the items' patients that exist */
	struct id_set users;      /* the items' users that are eligible */
	struct id_set limited;    /* the items' users with a caseload limit */
	/*
	 * In one transaction, each item under a savepoint: a dry run (rolled
	 * back), or a keyed run, whose answer commits with its items.
	 */
	int one_tx;
};

/* Items from the from-th on not attempted because the database went away: each says so. */
static void
each_not_sent(struct lcm_bulk_item *items, size_t from, size_t n)
{
	size_t j;

	for (j = from; j < n; j++)
		if (!items[j].skip)
			items[j].outcome = LCM_BULK_NOT_SENT;
}

/*
 * Apply one item, the index-th, setting its outcome: a failure is the
 * item's, not the run's. Its activity rows carry the request id with
 * "#index+1". In one transaction (e->one_tx) it is applied inside it,
 * under a savepoint. APP_OK, or what stops the whole run: APP_EDBLOST (the
 * database went away: the item, and in one transaction every item, was
 * not applied), APP_EUNKNOWN (it went during the item's COMMIT, for good),
 * APP_ERETRY (the one transaction lost to a deadlock), APP_ENOMEM.
 */
static enum app_err
each_apply(struct each *e, struct lcm_bulk_item *it, size_t index)
{
	/* An item never commits a key's answer: the run does, once (each_commit()). */
	struct lcm_actor who = {e->who->user_id, NULL, NULL};
	int64_t full[ROLE__MAX] = {0};
	char tag[LCM_REQUEST_ID_MAX + 24];
	enum app_err rc;
	int r, bad = 0;

	if (!id_set_has(&e->patients, it->c.patient_id)) {
		it->outcome = LCM_BULK_NO_PATIENT;
		return APP_OK;
	}
	it->c.limited = 0;
	for (r = 0; r < ROLE__MAX; r++) {
		if (it->c.given[r] && it->c.user[r] != 0 && !id_set_has(&e->users, it->c.user[r])) {
			it->ineligible[r] = it->c.user[r];
			bad = 1;
		}
		if (id_set_has(&e->limited, it->c.user[r]))
			it->c.limited |= 1u << r;
	}
	if (bad) {
		it->outcome = LCM_BULK_INELIGIBLE;
		return APP_OK;
	}

	snprintf(tag, sizeof(tag), "%s#%zu", e->who->request_id != NULL ? e->who->request_id : "",
	    index + 1);
	who.request_id = tag;
	switch ((rc = lcm_apply(e->db, &who, &it->c,
	    LCM_MAY_CREATE | (e->one_tx ? LCM_NESTED : 0), full))) {
	case APP_OK:
		it->outcome = LCM_BULK_OK;
		if (!e->one_tx)  /* else once the transaction commits */
			(void)access_log_add(it->c.patient_id, e->who->user_id, ACCESS_BULK,
			    e->who->request_id);
		return APP_OK;
	case APP_EDBLOST:
	case APP_EUNKNOWN:
	case APP_ENOMEM:
		return rc;
	case APP_ERETRY:
		if (e->one_tx)
			return rc;
		it->outcome = LCM_BULK_BUSY;
		return APP_OK;
	case APP_ENOPATIENT:
		it->outcome = LCM_BULK_NO_PATIENT;
		return APP_OK;
	case APP_EAUTHINACTIVE:
		it->outcome = LCM_BULK_AUTH_INACTIVE;
		return APP_OK;
	case APP_ECAPACITY:
		it->outcome = LCM_BULK_AT_CAPACITY;
		memcpy(it->at_capacity, full, sizeof(full));
		return APP_OK;
	case APP_ELOCKED:
		it->outcome = LCM_BULK_BUSY;
		return APP_OK;
	default:
		log_msg(LV_ERR, "bulk: patient %" PRId64 ": %s", it->c.patient_id, app_err_name(rc));
		it->outcome = LCM_BULK_FAILED;
		return APP_OK;
	}
}

/*
 * Every item not skipped, in order, while the time lasts. The database
 * going away stops the run but not the answer: the item it happened to
 * says whether it was applied (not, or maybe: during its COMMIT), the ones
 * after it that they were not attempted, each with its own result; those
 * before say what they are. In one transaction it stops the whole run.
 */
static enum app_err
each_run(struct each *e, struct lcm_bulk_item *items, size_t n, int budget_seconds)
{
	struct timespec start, now;
	enum app_err rc;
	size_t i;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (i = 0; i < n; i++) {
		if (items[i].skip)
			continue;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - start.tv_sec >= budget_seconds) {
			items[i].outcome = LCM_BULK_LATE;
			continue;
		}
		if ((rc = each_apply(e, &items[i], i)) == APP_OK)
			continue;
		if ((rc != APP_EDBLOST && rc != APP_EUNKNOWN) || e->one_tx)
			return rc;
		items[i].outcome = rc == APP_EUNKNOWN ? LCM_BULK_UNKNOWN : LCM_BULK_NOT_SENT;
		each_not_sent(items, i + 1, n);
		return APP_OK;
	}
	return APP_OK;
}

/*
 * A keyed run in one transaction: COMMIT its items with its answer.
 * APP_OK, with the applied items in the access log; else nothing was
 * applied, or (APP_EUNKNOWN) whether it was cannot be learnt.
 */
static enum app_err
each_commit(struct each *e, struct lcm_bulk_item *items, size_t n)
{
	enum app_err rc;
	size_t i;

	rc = e->who->key->commit(e->db, e->who->key->arg);
	for (i = 0; i < n && rc == APP_OK; i++)
		if (!items[i].skip && items[i].outcome == LCM_BULK_OK)
			(void)access_log_add(items[i].c.patient_id, e->who->user_id, ACCESS_BULK,
			    e->who->request_id);
	return rc;
}

enum app_err
lcm_bulk_each(struct db *db, const struct lcm_actor *who, struct lcm_bulk_item *items, size_t n,
    int dry_run, int budget_seconds)
{
	struct each e = {.db = db, .who = who, .one_tx = dry_run || who->key != NULL};
	int64_t *pids = NULL, *uids = NULL;
	size_t i, npids = 0, nuids = 0;
	enum app_err rc = APP_ENOMEM;
	int r;

	if ((pids = malloc((n + 1) * sizeof(*pids))) == NULL ||
	    (uids = malloc((n * ROLE__MAX + 1) * sizeof(*uids))) == NULL)
		goto out;
	for (i = 0; i < n; i++) {
		if (items[i].skip)
			continue;
		items[i].outcome = LCM_BULK_OK;
		memset(items[i].ineligible, 0, sizeof(items[i].ineligible));
		memset(items[i].at_capacity, 0, sizeof(items[i].at_capacity));
		pids[npids++] = items[i].c.patient_id;
		for (r = 0; r < ROLE__MAX; r++)
			if (items[i].c.given[r] && items[i].c.user[r] > 0)
				uids[nuids++] = items[i].c.user[r];
	}
	if ((rc = lcm_patients_existing(db, pids, npids, &e.patients)) != APP_OK ||
	    (rc = lcm_users_eligible(db, uids, nuids, &e.users)) != APP_OK ||
	    (rc = lcm_id_lookup(db, STMT_USERS_LIMITED, uids, nuids, &e.limited)) != APP_OK) {
		if (rc == APP_EDBLOST && !e.one_tx) {
			/* The database went before any item was applied: each says so. */
			each_not_sent(items, 0, n);
			rc = APP_OK;
		}
		goto out;
	}
	if (e.one_tx && (rc = db_begin(db)) != APP_OK)
		goto out;
	rc = each_run(&e, items, n, budget_seconds);
	if (e.one_tx && (dry_run || rc != APP_OK))
		db_rollback(db);  /* a dry run writes nothing; a failed one, nothing either */
	else if (e.one_tx)
		rc = each_commit(&e, items, n);
out:
	free(pids);
	free(uids);
	id_set_free(&e.patients);
	id_set_free(&e.users);
	id_set_free(&e.limited);
	return rc;
}
