#include <stdlib.h>
#include <string.h>

#include "access_log.h"
#include "buf.h"
#include "db.h"
#include "lcm.h"
#include "move.h"

/* ---- the release of ended authorizations ----------------------------------- */

struct release_args {
	struct db *db;
	const struct lcm_actor *who;
	const struct lcm_change *c;
	const struct lcm_release *r;
	struct lcm_move_plan *plan;
};

/* The first LCM_RELEASE_MAX patients to release, by id, into ids; *total of them in all. */
static enum app_err
ended_patients(struct db *db, const char *day, int64_t *ids, size_t *n, int64_t *total)
{
	struct db_param p[] = {DB_P_CSTR(day), DB_P_INT(LCM_RELEASE_MAX)};
	enum app_err rc;

	*n = 0;
	*total = 0;
	if ((rc = db_exec(db, STMT_RELEASE_ENDED_FIND, p, 2)) != APP_OK)
		return rc;
	while ((rc = db_next(db, STMT_RELEASE_ENDED_FIND)) == APP_OK && *n < LCM_RELEASE_MAX) {
		ids[(*n)++] = db_int(db, STMT_RELEASE_ENDED_FIND, RE_PATIENT_ID);
		*total = db_int(db, STMT_RELEASE_ENDED_FIND, RE_TOTAL);
	}
	db_done(db, STMT_RELEASE_ENDED_FIND);
	return rc == APP_ENOROW || rc == APP_OK ? APP_OK : rc;
}

/* Each holder of the plan's moves once, into ids (room for plan->n); their number. */
static size_t
holders(const struct lcm_move_plan *plan, int64_t *ids)
{
	size_t i, k, n = 0;

	for (i = 0; i < plan->n; i++) {
		for (k = 0; k < n && ids[k] != plan->moves[i].from_user; k++)
			;
		if (k == n)
			ids[n++] = plan->moves[i].from_user;
	}
	return n;
}

static enum app_err
release_once(void *arg, int *committing)
{
	struct release_args *a = arg;
	struct lcm_move_plan *plan = a->plan;
	struct move_cls cls = {0};
	struct lcm_move_user *u;
	struct buf b = {0};
	int64_t *ids = NULL, total;
	enum app_err rc = APP_ENOMEM;
	size_t n, i;
	int r;

	if ((rc = db_begin(a->db)) != APP_OK)
		return rc;
	rc = APP_ENOMEM;
	if ((ids = malloc(2 * LCM_RELEASE_MAX * sizeof(*ids))) == NULL)
		goto fail;
	if ((rc = ended_patients(a->db, a->r->day, ids, &n, &total)) != APP_OK)
		goto fail;
	plan->remaining = total > (int64_t)n ? total - (int64_t)n : 0;
	/* Their case loads locked, each kept while its authorization has still ended. */
	if (n > 0) {
		struct db_param p[2];

		rc = APP_ENOMEM;
		if (buf_ids(&b, ids, n) != 0)
			goto fail;
		p[0] = DB_P_STR(b.s, b.len);
		p[1] = DB_P_CSTR(a->r->day);
		if ((rc = move_read_locked(a->db, STMT_RELEASE_ENDED_LOCK, p, 2, &cls)) != APP_OK)
			goto fail;
	}
	rc = APP_ENOMEM;
	for (i = 0; i < cls.n; i++)
		for (r = 0; r < ROLE__MAX; r++)
			if (cls.v[i].user[r] != 0 && move_plan_add(plan, cls.v[i].patient, cls.v[i].id,
			    (enum lcm_role)r, cls.v[i].user[r], cls.v[i].user) == NULL)
				goto fail;
	if (plan->n > 1)  /* plan->moves is NULL while there is none */
		qsort(plan->moves, plan->n, sizeof(*plan->moves), move_cmp);
	/* The holders, whoever they are, with their counts before and after. */
	if ((rc = move_load_users(a->db, ids, holders(plan, ids), plan)) != APP_OK ||
	    (rc = move_load_plan_facts(a->db, plan)) != APP_OK)
		goto fail;
	for (i = 0; i < plan->n; i++) {
		plan->moves[i].weight = move_weight(plan, plan->moves[i].patient_id);
		if ((u = move_find_user(plan, plan->moves[i].from_user)) != NULL) {
			u->after[plan->moves[i].role]--;
			u->points[plan->moves[i].role] -= plan->moves[i].weight;
		}
	}
	if (plan->n > 0 && (rc = move_write(a->db, a->who, a->c, "release_ended", plan)) != APP_OK)
		goto fail;
	rc = move_end_run(a->db, a->who, a->r->dry_run, plan->n > 0, committing);
	goto out;
fail:
	db_rollback(a->db);
out:
	free(b.s);
	free(ids);
	free(cls.v);
	return rc;
}

enum app_err
lcm_release_ended_run(struct db *db, const struct lcm_actor *who, const struct lcm_release *r,
    struct lcm_move_plan *plan)
{
	struct lcm_change c = {0};
	struct release_args a = {db, who, &c, r, plan};
	enum app_err rc;
	size_t i;

	memset(plan, 0, sizeof(*plan));
	c.reason = r->note;
	c.reason_len = r->note_len;
	c.reason_code = "authorization_ended";
	c.source = "release_ended";
	if ((rc = move_run(db, who, plan, release_once, &a)) != APP_OK || r->dry_run)
		return rc;
	for (i = 0; i < plan->n; i++)
		(void)access_log_add(plan->moves[i].patient_id, who->user_id, ACCESS_RELEASE_ENDED,
		    who->request_id);
	return APP_OK;
}
