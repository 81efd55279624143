#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "lcm.h"
#include "log.h"
#include "move.h"

/* Decide each pending move of a transfer: the taker, or why none. */
static void
plan_transfer(struct lcm_move_plan *plan, const struct lcm_transfer *t)
{
	struct lcm_move_user *giver = move_find_user(plan, t->from_user), *u;
	struct lcm_move *m;
	long k;
	size_t i;

	for (i = 0; i < plan->n; i++) {
		m = &plan->moves[i];
		if (m->error != NULL)
			continue;
		m->weight = move_weight(plan, m->patient_id);
		if (move_auth_inactive(plan, m->patient_id)) {
			if (!t->override_authorization) {
				move_fail(m, "Patient's ECM authorization is not active");
				continue;
			}
			m->auth_overridden = 1;
		}
		if ((k = lcm_pick_taker(plan->users, plan->nusers, m->role, m->weight,
		    t->override_capacity, t->from_user)) < 0) {
			move_fail(m, "No taker is below its %s limit", lcm_role_name(m->role));
			continue;
		}
		u = &plan->users[k];
		m->to_user = u->user_id;
		m->overridden = move_user_over(u, m->role);
		if (giver != NULL) {
			giver->after[m->role]--;
			giver->points[m->role] -= m->weight;
		}
	}
}

static enum app_err
transfer_once(struct db *db, const struct lcm_actor *who, const struct lcm_change *c,
    const struct lcm_transfer *t, const struct id_set *existing, struct lcm_move_plan *plan,
    int *committing)
{
	struct move_cls cls = {0};
	const struct move_cl *cl;
	struct lcm_move *m;
	int64_t *ids = NULL;
	struct db_param p;
	enum app_err rc;
	size_t i;
	int r, any = 0;

	if ((rc = db_begin(db)) != APP_OK)
		return rc;
	/* The giver's case loads in scope, locked. */
	if (t->patients != NULL)
		rc = move_lock_patients(db, t->patients, t->npatients, &cls);
	else
		for (r = 0; r < ROLE__MAX && rc == APP_OK; r++) {
			if (t->role >= 0 && t->role != r)
				continue;
			p = DB_P_INT(t->from_user);
			rc = move_read_locked(db, r == ROLE_OLCM ? STMT_MOVE_LOCK_OLCM : STMT_MOVE_LOCK_ILCM,
			    &p, 1, &cls);
		}
	if (rc != APP_OK)
		goto fail;

	rc = APP_ENOMEM;
	if (t->patients != NULL) {
		for (i = 0; i < t->npatients; i++) {
			cl = move_find_cl(&cls, t->patients[i]);
			for (r = 0; r < ROLE__MAX; r++) {
				if (t->role >= 0 && t->role != r)
					continue;
				if (cl != NULL && cl->user[r] != t->from_user && t->role < 0)
					continue;  /* both roles asked: the one the giver does not hold is no move */
				if ((m = move_plan_add(plan, t->patients[i], cl ? cl->id : 0, (enum lcm_role)r,
				    t->from_user, cl ? cl->user : NULL)) == NULL)
					goto fail;
				if (!id_set_has(existing, t->patients[i]))
					move_fail(m, "Patient not found");
				else if (cl == NULL || cl->user[r] != t->from_user)
					move_fail(m, "Patient %" PRId64 "'s %s is not user %" PRId64,
					    t->patients[i], lcm_role_name((enum lcm_role)r), t->from_user);
			}
			if (cl != NULL && t->role < 0 && cl->user[ROLE_OLCM] != t->from_user &&
			    cl->user[ROLE_ILCM] != t->from_user) {
				if ((m = move_plan_add(plan, t->patients[i], cl->id, ROLE_OLCM, t->from_user, cl->user)) == NULL)
					goto fail;
				move_fail(m, "Patient %" PRId64 " has no role held by user %" PRId64,
				    t->patients[i], t->from_user);
			}
		}
	} else
		for (i = 0; i < cls.n; i++)
			for (r = 0; r < ROLE__MAX; r++)
				if ((t->role < 0 || t->role == r) && cls.v[i].user[r] == t->from_user &&
				    move_plan_add(plan, cls.v[i].patient, cls.v[i].id, (enum lcm_role)r,
				    t->from_user, cls.v[i].user) == NULL)
					goto fail;
	if (plan->n > 1)  /* plan->moves is NULL while there is none */
		qsort(plan->moves, plan->n, sizeof(*plan->moves), move_cmp);

	/* The takers and the giver, limits locked. */
	if ((ids = malloc((t->nto + 1) * sizeof(*ids))) == NULL)
		goto fail;
	memcpy(ids, t->to, t->nto * sizeof(*ids));
	ids[t->nto] = t->from_user;
	if ((rc = move_load_users(db, ids, t->nto + 1, plan)) != APP_OK)
		goto fail;
	if ((rc = move_load_plan_facts(db, plan)) != APP_OK)
		goto fail;
	if (!move_takers_eligible(plan, t->to, t->nto)) {
		rc = APP_EINVAL;
		goto fail;
	}
	plan_transfer(plan, t);
	for (i = 0; i < plan->n; i++)
		any |= plan->moves[i].error == NULL;
	if (any && (rc = move_write(db, who, c, "transfer", plan)) != APP_OK)
		goto fail;
	rc = move_end_run(db, who, t->dry_run, any, committing);
	goto out;
fail:
	db_rollback(db);
out:
	free(ids);
	free(cls.v);
	return rc;
}

struct transfer_args {
	struct db *db;
	const struct lcm_actor *who;
	const struct lcm_change *c;
	const struct lcm_transfer *t;
	const struct id_set *existing;
	struct lcm_move_plan *plan;
};

static enum app_err
transfer_attempt(void *arg, int *committing)
{
	struct transfer_args *a = arg;

	return transfer_once(a->db, a->who, a->c, a->t, a->existing, a->plan, committing);
}

enum app_err
lcm_transfer_run(struct db *db, const struct lcm_actor *who, const struct lcm_change *c,
    const struct lcm_transfer *t, struct lcm_move_plan *plan)
{
	struct transfer_args a = {db, who, c, t, NULL, plan};
	struct id_set existing = {0};
	struct lcm_row giver;
	enum app_err rc;

	memset(plan, 0, sizeof(*plan));
	if ((rc = lcm_user_get(db, t->from_user, &giver)) != APP_OK)
		return rc;
	if (t->patients != NULL &&
	    (rc = lcm_patients_existing(db, t->patients, t->npatients, &existing)) != APP_OK)
		return rc;
	a.existing = &existing;
	rc = move_run(db, who, plan, transfer_attempt, &a);
	id_set_free(&existing);
	return rc;
}


