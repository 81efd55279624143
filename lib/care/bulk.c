#include <stdlib.h>
#include <string.h>

#include "access_log.h"
#include "buf.h"
#include "db.h"
#include "lcm.h"
#include "log.h"
#include "move.h"

/* ---- bulk assignment -------------------------------------------------------- */

/* A patient's case load as the items decided so far leave it. */
struct bulk_state {
	int64_t patient;
	int64_t case_load_id;         /* 0: none yet */
	int64_t user[ROLE__MAX];
	int64_t orig[ROLE__MAX];      /* before the run */
};

struct bulk_args {
	struct db *db;
	const struct lcm_actor *who;
	struct lcm_bulk_item *items;
	size_t n;
	int dry_run;
	struct lcm_move_plan *plan;
	int64_t *pids, *uids;         /* the good items' patients and users */
	size_t npids, nuids;
};

static int
cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static struct bulk_state *
find_state(struct bulk_state *s, size_t n, int64_t patient)
{
	size_t lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (s[mid].patient == patient)
			return &s[mid];
		if (s[mid].patient < patient)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/*
 * Decide one item against the state the earlier ones left: its outcome,
 * and its moves into the plan. APP_OK, or APP_ENOMEM.
 */
static enum app_err
bulk_decide(struct lcm_move_plan *plan, struct lcm_bulk_item *it, size_t index,
    struct bulk_state *st, const struct id_set *eligible)
{
	int64_t next[ROLE__MAX];
	int changed[ROLE__MAX], over[ROLE__MAX] = {0}, r, bad = 0, auth_over = 0;
	struct lcm_move_user *u;
	int64_t w;
	struct lcm_move *m;

	it->outcome = LCM_BULK_OK;
	it->authorization = NULL;
	memset(it->ineligible, 0, sizeof(it->ineligible));
	memset(it->at_capacity, 0, sizeof(it->at_capacity));
	if (st == NULL) {
		it->outcome = LCM_BULK_NO_PATIENT;
		return APP_OK;
	}
	for (r = 0; r < ROLE__MAX; r++)
		if (it->c.given[r] && it->c.user[r] != 0 && !id_set_has(eligible, it->c.user[r])) {
			it->ineligible[r] = it->c.user[r];
			bad = 1;
		}
	if (bad) {
		it->outcome = LCM_BULK_INELIGIBLE;
		return APP_OK;
	}
	if (lcm_next_roles(st->user, &it->c, next, changed) == 0)
		return APP_OK;  /* re-assigning the holders changes nothing */
	for (r = 0; r < ROLE__MAX; r++)
		auth_over |= changed[r] && next[r] != 0;
	if (auth_over && move_auth_inactive(plan, st->patient)) {
		if (!it->c.override_authorization) {
			it->outcome = LCM_BULK_AUTH_INACTIVE;
			it->authorization = member_auth_name(move_fact(plan, st->patient)->auth);
			return APP_OK;
		}
	} else
		auth_over = 0;
	w = move_weight(plan, st->patient);
	for (r = 0; r < ROLE__MAX; r++) {
		if (!changed[r] || next[r] == 0 || (u = move_find_user(plan, next[r])) == NULL ||
		    move_user_fits(u, (enum lcm_role)r, w))
			continue;
		if (it->c.override_capacity)
			over[r] = 1;
		else {
			it->at_capacity[r] = next[r];
			bad = 1;
		}
	}
	if (bad) {
		it->outcome = LCM_BULK_AT_CAPACITY;
		return APP_OK;
	}
	for (r = 0; r < ROLE__MAX; r++) {
		if (!changed[r])
			continue;
		if ((m = move_plan_add(plan, st->patient, st->case_load_id, (enum lcm_role)r,
		    st->user[r], st->orig)) == NULL)
			return APP_ENOMEM;
		m->to_user = next[r];
		m->overridden = over[r];
		m->auth_overridden = auth_over && next[r] != 0;
		m->weight = w;
		m->item = index + 1;
		m->change = &it->c;
		if ((u = move_find_user(plan, st->user[r])) != NULL) {
			u->after[r]--;
			u->points[r] -= w;
		}
		if ((u = move_find_user(plan, next[r])) != NULL) {
			u->after[r]++;
			u->points[r] += w;
		}
		st->user[r] = next[r];
	}
	return APP_OK;
}

static enum app_err
bulk_once(struct bulk_args *a, int *committing)
{
	struct db *db = a->db;
	struct id_set existing = {0}, eligible = {0}, limited = {0};
	struct bulk_state *states = NULL;
	struct move_cls cls = {0};
	struct buf b = {0};
	struct db_param p;
	const struct move_cl *cl;
	enum app_err rc;
	size_t i, ns = 0;

	if ((rc = db_begin(db)) != APP_OK)
		return rc;
	if ((rc = lcm_patients_existing(db, a->pids, a->npids, &existing)) != APP_OK ||
	    (rc = lcm_users_eligible(db, a->uids, a->nuids, &eligible)) != APP_OK ||
	    (rc = lcm_id_lookup(db, STMT_USERS_LIMITED, a->uids, a->nuids, &limited)) != APP_OK)
		goto fail;
	rc = APP_ENOMEM;
	if (existing.n > 0) {
		if (buf_ids(&b, existing.ids, existing.n) != 0)
			goto fail;
		p = DB_P_STR(b.s, b.len);
		if ((rc = move_read_locked(db, STMT_BULK_LOCK_PATIENTS, &p, 1, &cls)) != APP_OK)
			goto fail;
	}
	/* The limits of the users that have one, locked, with their workloads. */
	if ((rc = move_load_users(db, limited.ids, limited.n, a->plan)) != APP_OK ||
	    (rc = move_load_facts(db, existing.ids, existing.n, a->plan)) != APP_OK)
		goto fail;
	rc = APP_ENOMEM;
	if ((states = calloc(existing.n + 1, sizeof(*states))) == NULL)
		goto fail;
	for (i = 0; i < existing.n; i++) {  /* existing.ids are sorted */
		states[ns].patient = existing.ids[i];
		if ((cl = move_find_cl(&cls, existing.ids[i])) != NULL) {
			states[ns].case_load_id = cl->id;
			memcpy(states[ns].user, cl->user, sizeof(cl->user));
			memcpy(states[ns].orig, cl->user, sizeof(cl->user));
		}
		ns++;
	}
	for (i = 0; i < a->n; i++)
		if (!a->items[i].skip && (rc = bulk_decide(a->plan, &a->items[i], i,
		    find_state(states, ns, a->items[i].c.patient_id), &eligible)) != APP_OK)
			goto fail;
	if (a->plan->n > 1)  /* moves is NULL when no item changes anything */
		qsort(a->plan->moves, a->plan->n, sizeof(*a->plan->moves), move_cmp);
	if (a->plan->n > 0) {
		if ((rc = move_make_case_loads(db, a->plan)) != APP_OK)
			goto fail;
		for (i = 0; i < a->plan->n; i++)
			if (a->plan->moves[i].case_load_id == 0) {
				rc = APP_ERETRY;  /* the patient went meanwhile: decide again */
				goto fail;
			}
		if ((rc = move_write(db, a->who, NULL, "bulk", a->plan)) != APP_OK)
			goto fail;
	}
	rc = move_end_run(db, a->who, a->dry_run, a->plan->n > 0, committing);
	goto out;
fail:
	db_rollback(db);
out:
	id_set_free(&existing);
	id_set_free(&eligible);
	id_set_free(&limited);
	free(states);
	free(cls.v);
	free(b.s);
	return rc;
}

static enum app_err
bulk_attempt(void *arg, int *committing)
{
	return bulk_once(arg, committing);
}

enum app_err
lcm_bulk_run(struct db *db, const struct lcm_actor *who, struct lcm_bulk_item *items, size_t n,
    int dry_run)
{
	struct lcm_move_plan plan = {0};
	struct bulk_args a = {db, who, items, n, dry_run, &plan, NULL, NULL, 0, 0};
	enum app_err rc = APP_ENOMEM;
	size_t i;
	int r;

	if ((a.pids = malloc((n + 1) * sizeof(*a.pids))) == NULL ||
	    (a.uids = malloc((n * ROLE__MAX + 1) * sizeof(*a.uids))) == NULL)
		goto out;
	for (i = 0; i < n; i++) {
		if (items[i].skip)
			continue;
		a.pids[a.npids++] = items[i].c.patient_id;
		for (r = 0; r < ROLE__MAX; r++)
			if (items[i].c.given[r] && items[i].c.user[r] > 0)
				a.uids[a.nuids++] = items[i].c.user[r];
	}
	qsort(a.pids, a.npids, sizeof(*a.pids), cmp_id);
	rc = move_run(db, who, &plan, bulk_attempt, &a);
	if (rc != APP_OK && plan.unknown) {
		/* The items that wrote rows may or may not have been applied: they say so. */
		for (i = 0; i < plan.n; i++)
			if (plan.moves[i].item > 0)
				items[plan.moves[i].item - 1].outcome = LCM_BULK_UNKNOWN;
		rc = APP_OK;
	}
out:
	lcm_move_plan_free(&plan);
	free(a.pids);
	free(a.uids);
	return rc;
}


enum app_err
lcm_bulk(struct db *db, const struct lcm_actor *who, struct lcm_bulk_item *items, size_t n,
    int dry_run, int budget_seconds)
{
	enum app_err rc;
	size_t i;

	for (i = 0; i < n; i++)
		items[i].c.source = "bulk";
	if ((rc = lcm_bulk_run(db, who, items, n, dry_run)) == APP_OK) {
		for (i = 0; i < n && !dry_run; i++)
			if (!items[i].skip && items[i].outcome == LCM_BULK_OK)
				(void)access_log_add(items[i].c.patient_id, who->user_id, ACCESS_BULK,
				    who->request_id);
	} else if (rc == APP_EDBLOST && !dry_run && who->key == NULL) {
		/* The database went before any item was applied: each says so. */
		for (i = 0; i < n; i++)
			if (!items[i].skip)
				items[i].outcome = LCM_BULK_NOT_SENT;
		rc = APP_OK;
	} else if (rc == APP_ELOCKED || rc == APP_EDB) {
		/* Nothing was applied: item by item, what failed the batch fails its item alone. */
		log_msg(LV_WARN, "bulk: the set-based run failed (%s): applying the %zu items one "
		    "by one", app_err_name(rc), n);
		rc = lcm_bulk_each(db, who, items, n, dry_run, budget_seconds);
	}
	return rc;
}
