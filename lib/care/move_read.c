#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "db.h"
#include "lcm.h"
#include "move.h"
#include "today.h"

/* ---- reading under locks ------------------------------------------------ */


/* Append the locked rows of st (ML_* columns) to out, skipping case loads it has. */
enum app_err
move_read_locked(struct db *db, enum stmt st, const struct db_param *p, size_t np, struct move_cls *out)
{
	struct move_cl *grown;
	enum app_err rc;
	size_t i;
	int64_t id;

	if ((rc = db_exec(db, st, p, np)) != APP_OK)
		return rc;
	while ((rc = db_next(db, st)) == APP_OK) {
		id = db_int(db, st, ML_ID);
		for (i = 0; i < out->n && out->v[i].id != id; i++)
			;
		if (i < out->n)
			continue;
		if (out->n == out->cap) {
			out->cap = out->cap ? out->cap * 2 : 64;
			if ((grown = realloc(out->v, out->cap * sizeof(*grown))) == NULL) {
				db_done(db, st);
				return APP_ENOMEM;
			}
			out->v = grown;
		}
		out->v[out->n].id = id;
		out->v[out->n].patient = db_int(db, st, ML_PATIENT_ID);
		out->v[out->n].user[ROLE_OLCM] = db_int(db, st, ML_OLCM);
		out->v[out->n].user[ROLE_ILCM] = db_int(db, st, ML_ILCM);
		out->n++;
	}
	db_done(db, st);
	return rc == APP_ENOROW ? APP_OK : rc;
}

/* The locked case loads of these patients. */
enum app_err
move_lock_patients(struct db *db, const int64_t *ids, size_t n, struct move_cls *out)
{
	struct buf b = {0};
	struct db_param p;
	enum app_err rc;

	if (n == 0)
		return APP_OK;
	if (buf_ids(&b, ids, n) != 0) {
		free(b.s);
		return APP_ENOMEM;
	}
	p = DB_P_STR(b.s, b.len);
	rc = move_read_locked(db, STMT_MOVE_LOCK_PATIENTS, &p, 1, out);
	free(b.s);
	return rc;
}

const struct move_cl *
move_find_cl(const struct move_cls *c, int64_t patient)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (c->v[i].patient == patient)
			return &c->v[i];
	return NULL;
}

/*
 * The takers (and a giver) into plan->users, their limits locked first as
 * a single assignment locks one. A named user who does not exist is not
 * there (so not eligible).
 */
enum app_err
move_load_users(struct db *db, const int64_t *ids, size_t n, struct lcm_move_plan *plan)
{
	struct lcm_move_user *u;
	struct buf b = {0};
	struct db_param p;
	enum app_err rc = APP_ENOMEM;
	int r;

	if ((rc = lcm_weights_get(db, &plan->weights)) != APP_OK)
		return rc;
	rc = APP_ENOMEM;
	if (n == 0)
		return APP_OK;
	if (buf_ids(&b, ids, n) != 0 || (plan->users = calloc(n, sizeof(*plan->users))) == NULL)
		goto out;
	p = DB_P_STR(b.s, b.len);
	if ((rc = db_exec(db, STMT_CAPACITY_LOCK_MANY, &p, 1)) != APP_OK)
		goto out;
	db_done(db, STMT_CAPACITY_LOCK_MANY);
	if ((rc = db_exec(db, STMT_MOVE_TARGETS, &p, 1)) != APP_OK)
		goto out;
	while ((rc = db_next(db, STMT_MOVE_TARGETS)) == APP_OK && plan->nusers < n) {
		u = &plan->users[plan->nusers++];
		u->user_id = db_int(db, STMT_MOVE_TARGETS, MT_ID);
		u->eligible = db_int(db, STMT_MOVE_TARGETS, MT_ELIGIBLE) != 0;
		for (r = 0; r < ROLE__MAX; r++) {
			static const unsigned cols[ROLE__MAX][5] = {
				[ROLE_OLCM] = {MT_MAX_OLCM, MT_OLCM_COUNT, MT_MAX_OLCM_POINTS,
				    MT_OLCM_MEDIUM, MT_OLCM_HIGH},
				[ROLE_ILCM] = {MT_MAX_ILCM, MT_ILCM_COUNT, MT_MAX_ILCM_POINTS,
				    MT_ILCM_MEDIUM, MT_ILCM_HIGH},
			};
			const unsigned *c = cols[r];

			u->max[r] = db_null(db, STMT_MOVE_TARGETS, c[0]) ? -1 :
			    db_int(db, STMT_MOVE_TARGETS, c[0]);
			u->before[r] = u->after[r] = db_int(db, STMT_MOVE_TARGETS, c[1]);
			u->max_points[r] = db_null(db, STMT_MOVE_TARGETS, c[2]) ? -1 :
			    db_int(db, STMT_MOVE_TARGETS, c[2]);
			u->points[r] = lcm_points(&plan->weights, u->before[r],
			    db_int(db, STMT_MOVE_TARGETS, c[3]), db_int(db, STMT_MOVE_TARGETS, c[4]));
		}
	}
	db_done(db, STMT_MOVE_TARGETS);
	rc = rc == APP_ENOROW ? APP_OK : rc;
out:
	free(b.s);
	return rc;
}

enum app_err
move_load_facts(struct db *db, const int64_t *ids, size_t n, struct lcm_move_plan *plan)
{
	struct lcm_member_fact *f;
	struct ecm_member m = {0};
	char day[TODAY_LEN];
	struct buf b = {0};
	struct db_param p;
	enum app_err rc = APP_ENOMEM;

	if (n == 0)
		return APP_OK;
	today(day);
	if (buf_ids(&b, ids, n) != 0 || (plan->facts = calloc(n, sizeof(*plan->facts))) == NULL)
		goto out;
	p = DB_P_STR(b.s, b.len);
	if ((rc = db_exec(db, STMT_PATIENT_FACTS, &p, 1)) != APP_OK)
		goto out;
	while ((rc = db_next(db, STMT_PATIENT_FACTS)) == APP_OK && plan->nfacts < n) {
		f = &plan->facts[plan->nfacts++];
		f->patient_id = db_int(db, STMT_PATIENT_FACTS, PF_ID);
		f->acuity = lcm_acuity_of(db_null(db, STMT_PATIENT_FACTS, PF_ACUITY) ? NULL :
		    db_str(db, STMT_PATIENT_FACTS, PF_ACUITY, NULL));
		m.present = 1;
		m.auth_eff_date = db_null(db, STMT_PATIENT_FACTS, PF_EFF) ? NULL :
		    db_str(db, STMT_PATIENT_FACTS, PF_EFF, NULL);
		m.auth_end_date = db_null(db, STMT_PATIENT_FACTS, PF_END) ? NULL :
		    db_str(db, STMT_PATIENT_FACTS, PF_END, NULL);
		f->auth = member_auth_on(&m, day);
	}
	db_done(db, STMT_PATIENT_FACTS);
	rc = rc == APP_ENOROW ? APP_OK : rc;
out:
	free(b.s);
	return rc;
}

enum app_err
move_load_plan_facts(struct db *db, struct lcm_move_plan *plan)
{
	int64_t *ids;
	size_t i, n = 0;
	enum app_err rc;

	if (plan->n == 0)
		return APP_OK;
	if ((ids = malloc(plan->n * sizeof(*ids))) == NULL)
		return APP_ENOMEM;
	for (i = 0; i < plan->n; i++)  /* sorted by patient: each once */
		if (n == 0 || ids[n - 1] != plan->moves[i].patient_id)
			ids[n++] = plan->moves[i].patient_id;
	rc = move_load_facts(db, ids, n, plan);
	free(ids);
	return rc;
}

const struct lcm_member_fact *
move_fact(const struct lcm_move_plan *plan, int64_t patient)
{
	size_t lo = 0, hi = plan->nfacts, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (plan->facts[mid].patient_id == patient)
			return &plan->facts[mid];
		if (plan->facts[mid].patient_id < patient)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

int64_t
move_weight(const struct lcm_move_plan *plan, int64_t patient)
{
	const struct lcm_member_fact *f = move_fact(plan, patient);

	return plan->weights.weight[f != NULL ? f->acuity : ACUITY_LOW];
}

int
move_auth_inactive(const struct lcm_move_plan *plan, int64_t patient)
{
	const struct lcm_member_fact *f = move_fact(plan, patient);

	return f != NULL && (f->auth == AUTH_NOT_STARTED || f->auth == AUTH_ENDED);
}

int
move_user_over(const struct lcm_move_user *u, enum lcm_role r)
{
	return (u->max[r] >= 0 && u->after[r] > u->max[r]) ||
	    (u->max_points[r] >= 0 && u->points[r] > u->max_points[r]);
}

int
move_user_fits(const struct lcm_move_user *u, enum lcm_role r, int64_t w)
{
	return !lcm_at_limit(u->after[r], u->max[r]) && !lcm_over_points(u->points[r], w, u->max_points[r]);
}

/* Each named taker exists and may take patients: else plan->ineligible. */
int
move_takers_eligible(struct lcm_move_plan *plan, const int64_t *ids, size_t n)
{
	struct lcm_move_user *u;
	size_t i;

	for (i = 0; i < n; i++)
		if ((u = move_find_user(plan, ids[i])) == NULL || !u->eligible) {
			plan->ineligible = ids[i];
			return 0;
		}
	return 1;
}

/* The case loads the planned moves lack, made and locked; their ids into the moves. */
enum app_err
move_make_case_loads(struct db *db, struct lcm_move_plan *plan)
{
	struct move_cls cls = {0};
	struct buf b = {0};
	struct db_param p;
	const struct move_cl *cl;
	struct lcm_move *m;
	enum app_err rc = APP_ENOMEM;
	int64_t last = 0;
	size_t i, n = 0;

	if (buf_printf(&b, "[") != 0)
		goto out;
	/* Each patient once (a bulk may move both roles, or one twice). */
	for (i = 0; i < plan->n; i++) {
		m = &plan->moves[i];
		if (m->error != NULL || m->case_load_id != 0 || m->patient_id == last)
			continue;
		last = m->patient_id;
		if (buf_printf(&b, "%s%" PRId64, n++ ? "," : "", m->patient_id) != 0)
			goto out;
	}
	if (buf_printf(&b, "]") != 0)
		goto out;
	rc = APP_OK;
	if (n == 0)
		goto out;
	p = DB_P_STR(b.s, b.len);
	if ((rc = db_exec(db, STMT_AUTO_CREATE, &p, 1)) != APP_OK ||
	    (rc = move_read_locked(db, STMT_MOVE_LOCK_PATIENTS, &p, 1, &cls)) != APP_OK)
		goto out;
	for (i = 0; i < plan->n; i++)
		if (plan->moves[i].case_load_id == 0 && (cl = move_find_cl(&cls, plan->moves[i].patient_id)))
			plan->moves[i].case_load_id = cl->id;
out:
	free(cls.v);
	free(b.s);
	return rc;
}
