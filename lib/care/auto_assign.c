#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "db.h"
#include "lcm.h"
#include "log.h"
#include "move.h"
#include "today.h"

/* ---- auto-assign ----------------------------------------------------------- */

struct auto_args {
	struct db *db;
	const struct lcm_actor *who;
	const struct lcm_change *c;
	const struct lcm_auto *a;
	const struct id_set *existing;
	struct lcm_move_plan *plan;
};

/* The previous holder of the role of each pending move, by patient. */
static enum app_err
previous_holders(struct db *db, const struct lcm_move_plan *plan, enum lcm_role r,
    int64_t *holder)
{
	struct buf b = {0};
	enum app_err rc = APP_ENOMEM;
	int64_t patient;
	size_t i;

	if (buf_printf(&b, "[") != 0)
		goto out;
	for (i = 0; i < plan->n; i++)
		if (buf_printf(&b, "%s%" PRId64, i ? "," : "", plan->moves[i].patient_id) != 0)
			goto out;
	if (buf_printf(&b, "]") != 0)
		goto out;
	{
		struct db_param p[] = {DB_P_STR(b.s, b.len), DB_P_CSTR(lcm_role_name(r))};

		if ((rc = db_exec(db, STMT_PREVIOUS_HOLDERS, p, 2)) != APP_OK)
			goto out;
	}
	while ((rc = db_next(db, STMT_PREVIOUS_HOLDERS)) == APP_OK) {
		patient = db_int(db, STMT_PREVIOUS_HOLDERS, PH_PATIENT_ID);
		for (i = 0; i < plan->n; i++)
			if (plan->moves[i].patient_id == patient)
				holder[i] = db_int(db, STMT_PREVIOUS_HOLDERS, PH_USER_ID);
	}
	db_done(db, STMT_PREVIOUS_HOLDERS);
	rc = rc == APP_ENOROW ? APP_OK : rc;
out:
	free(b.s);
	return rc;
}

/* The order moves are decided in: for the iLCM, high acuity first; else by patient. */
static const struct lcm_move_plan *order_plan;

static int
cmp_order(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	const struct lcm_member_fact *fx = move_fact(order_plan, order_plan->moves[x].patient_id);
	const struct lcm_member_fact *fy = move_fact(order_plan, order_plan->moves[y].patient_id);
	int hx = fx != NULL && fx->acuity == ACUITY_HIGH, hy = fy != NULL && fy->acuity == ACUITY_HIGH;

	if (hx != hy)
		return hy - hx;
	return (x > y) - (x < y);  /* the moves are by patient */
}

/*
 * Decide each pending move: none for a member whose authorization is not
 * active; else the previous holder when they may, else the rule's taker.
 * APP_OK or APP_ENOMEM.
 */
static enum app_err
plan_auto(struct lcm_move_plan *plan, enum lcm_role r, const int64_t *holder)
{
	struct lcm_move_user *u;
	struct lcm_move *m;
	size_t *order, i;
	long k;

	if ((order = malloc((plan->n + 1) * sizeof(*order))) == NULL)
		return APP_ENOMEM;
	for (i = 0; i < plan->n; i++)
		order[i] = i;
	if (r == ROLE_ILCM && plan->n > 1) {
		order_plan = plan;
		qsort(order, plan->n, sizeof(*order), cmp_order);
		order_plan = NULL;
	}
	for (i = 0; i < plan->n; i++) {
		m = &plan->moves[order[i]];
		if (m->error != NULL)
			continue;
		if (move_auth_inactive(plan, m->patient_id)) {
			move_fail(m, "Patient's ECM authorization is not active");
			continue;
		}
		m->weight = move_weight(plan, m->patient_id);
		u = holder[order[i]] ? move_find_user(plan, holder[order[i]]) : NULL;
		if (u != NULL && u->eligible && move_user_fits(u, r, m->weight)) {
			u->after[r]++;
			u->points[r] += m->weight;
			m->to_user = u->user_id;
			m->continuity = 1;
			continue;
		}
		if ((k = lcm_pick_taker(plan->users, plan->nusers, r, m->weight, 0, 0)) < 0) {
			move_fail(m, "No user is below their %s limit", lcm_role_name(r));
			continue;
		}
		m->to_user = plan->users[k].user_id;
	}
	free(order);
	return APP_OK;
}

/* The eligible users, when the request names none. */
static enum app_err
eligible_ids(struct db *db, int64_t **out, size_t *n)
{
	int64_t *grown;
	size_t cap = 0;
	enum app_err rc;

	*out = NULL;
	*n = 0;
	if ((rc = db_exec(db, STMT_ELIGIBLE_USER_IDS, NULL, 0)) != APP_OK)
		return rc;
	while ((rc = db_next(db, STMT_ELIGIBLE_USER_IDS)) == APP_OK) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			if ((grown = realloc(*out, cap * sizeof(*grown))) == NULL) {
				db_done(db, STMT_ELIGIBLE_USER_IDS);
				return APP_ENOMEM;
			}
			*out = grown;
		}
		(*out)[(*n)++] = db_int(db, STMT_ELIGIBLE_USER_IDS, 0);
	}
	db_done(db, STMT_ELIGIBLE_USER_IDS);
	return rc == APP_ENOROW ? APP_OK : rc;
}

/* Append the ids stmt answers (p, np its parameters) to ids, those it has not, up to max. */
static enum app_err
ids_of(struct db *db, enum stmt st, const struct db_param *p, size_t np, int64_t *ids, size_t *n,
    size_t max)
{
	enum app_err rc;
	int64_t id;
	size_t i;

	if ((rc = db_exec(db, st, p, np)) != APP_OK)
		return rc;
	while (*n < max && (rc = db_next(db, st)) == APP_OK) {
		id = db_int(db, st, 0);
		for (i = 0; i < *n && ids[i] != id; i++)
			;
		if (i == *n)
			ids[(*n)++] = id;
	}
	db_done(db, st);
	return rc == APP_ENOROW || rc == APP_OK ? APP_OK : rc;
}

/*
 * The first LCM_AUTO_MAX + 1 patients lacking role r whose authorization
 * (if they are members) is active: for the iLCM the high-acuity members
 * first, then the others, each by patient id, into *out in that order
 * (the first LCM_AUTO_MAX are the ones to take).
 */
static enum app_err
unassigned_ids(struct db *db, enum lcm_role r, int64_t **out, size_t *n)
{
	char day[TODAY_LEN];
	enum app_err rc;

	*n = 0;
	if ((*out = malloc((LCM_AUTO_MAX + 1) * sizeof(**out))) == NULL)
		return APP_ENOMEM;
	today(day);
	if (r == ROLE_ILCM) {
		struct db_param p[] = {DB_P_CSTR(day), DB_P_INT(LCM_AUTO_MAX + 1)};

		if ((rc = ids_of(db, STMT_AUTO_UNASSIGNED_HIGH, p, 2, *out, n, LCM_AUTO_MAX + 1)) != APP_OK)
			return rc;
	}
	{
		struct db_param p[] = {DB_P_CSTR(lcm_role_name(r)), DB_P_CSTR(day),
		    DB_P_INT(LCM_AUTO_MAX + 1 + (int64_t)*n)};

		if ((rc = ids_of(db, STMT_AUTO_UNASSIGNED, p, 3, *out, n, LCM_AUTO_MAX + 1)) != APP_OK)
			return rc;
	}
	return APP_OK;
}

static enum app_err
auto_once(struct db *db, const struct lcm_actor *who, const struct lcm_change *c,
    const struct lcm_auto *a, const struct id_set *existing, struct lcm_move_plan *plan,
    int *committing)
{
	enum lcm_role r = (enum lcm_role)a->role;
	int64_t *pids = NULL, *uids = NULL, *holder = NULL;
	size_t npids = 0, nuids = 0, i;
	struct move_cls cls = {0};
	const struct move_cl *cl;
	struct lcm_move *m;
	enum app_err rc;
	int any = 0;

	if ((rc = db_begin(db)) != APP_OK)
		return rc;
	rc = APP_ENOMEM;
	if (a->unassigned) {
		if ((rc = unassigned_ids(db, r, &pids, &npids)) != APP_OK)
			goto fail;
		plan->more = npids > LCM_AUTO_MAX;
		if (plan->more)
			npids = LCM_AUTO_MAX;
	} else {
		if ((pids = malloc((a->npatients + 1) * sizeof(*pids))) == NULL)
			goto fail;
		memcpy(pids, a->patients, a->npatients * sizeof(*pids));
		npids = a->npatients;
	}
	if ((rc = move_lock_patients(db, pids, npids, &cls)) != APP_OK)
		goto fail;
	rc = APP_ENOMEM;
	for (i = 0; i < npids; i++) {
		cl = move_find_cl(&cls, pids[i]);
		if (a->unassigned && cl != NULL && cl->user[r] != 0)
			continue;  /* filled meanwhile */
		if ((m = move_plan_add(plan, pids[i], cl ? cl->id : 0, r, 0, cl ? cl->user : NULL)) == NULL)
			goto fail;
		if (!a->unassigned && !id_set_has(existing, pids[i]))
			move_fail(m, "Patient not found");
		else if (cl != NULL && cl->user[r] != 0)
			move_fail(m, "Patient %" PRId64 " has an %s already", pids[i], lcm_role_name(r));
	}
	if (plan->n > 1)  /* plan->moves is NULL while there is none */
		qsort(plan->moves, plan->n, sizeof(*plan->moves), move_cmp);

	if (a->users == NULL) {
		if ((rc = eligible_ids(db, &uids, &nuids)) != APP_OK)
			goto fail;
	} else {
		rc = APP_ENOMEM;
		if ((uids = malloc((a->nusers + 1) * sizeof(*uids))) == NULL)
			goto fail;
		memcpy(uids, a->users, a->nusers * sizeof(*uids));
		nuids = a->nusers;
	}
	if ((rc = move_load_users(db, uids, nuids, plan)) != APP_OK ||
	    (rc = move_load_plan_facts(db, plan)) != APP_OK)
		goto fail;
	if (a->users != NULL && !move_takers_eligible(plan, a->users, a->nusers)) {
		rc = APP_EINVAL;
		goto fail;
	}
	rc = APP_ENOMEM;
	if ((holder = calloc(plan->n + 1, sizeof(*holder))) == NULL)
		goto fail;
	if (plan->n > 0 && (rc = previous_holders(db, plan, r, holder)) != APP_OK)
		goto fail;
	if ((rc = plan_auto(plan, r, holder)) != APP_OK)
		goto fail;
	for (i = 0; i < plan->n; i++)
		any |= plan->moves[i].error == NULL;
	if (any && ((rc = move_make_case_loads(db, plan)) != APP_OK ||
	    (rc = move_write(db, who, c, "assign", plan)) != APP_OK))
		goto fail;
	rc = move_end_run(db, who, a->dry_run, any, committing);
	goto out;
fail:
	db_rollback(db);
out:
	free(pids);
	free(uids);
	free(holder);
	free(cls.v);
	return rc;
}

static enum app_err
auto_attempt(void *arg, int *committing)
{
	struct auto_args *x = arg;

	return auto_once(x->db, x->who, x->c, x->a, x->existing, x->plan, committing);
}

enum app_err
lcm_auto_assign_run(struct db *db, const struct lcm_actor *who, const struct lcm_change *c,
    const struct lcm_auto *a, struct lcm_move_plan *plan)
{
	struct auto_args x = {db, who, c, a, NULL, plan};
	struct id_set existing = {0};
	enum app_err rc;

	memset(plan, 0, sizeof(*plan));
	if (a->patients != NULL &&
	    (rc = lcm_patients_existing(db, a->patients, a->npatients, &existing)) != APP_OK)
		return rc;
	x.existing = &existing;
	rc = move_run(db, who, plan, auto_attempt, &x);
	id_set_free(&existing);
	return rc;
}

