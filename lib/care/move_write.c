#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json.h>

#include "buf.h"
#include "db.h"
#include "engine.h"
#include "lcm.h"
#include "log.h"
#include "move.h"

/* ---- writing the plan ---------------------------------------------------- */

int
move_cmp(const void *a, const void *b)
{
	const struct lcm_move *x = a, *y = b;

	if (x->patient_id != y->patient_id)
		return (x->patient_id > y->patient_id) - (x->patient_id < y->patient_id);
	if (x->role != y->role)
		return (int)x->role - (int)y->role;
	return (x->item > y->item) - (x->item < y->item);  /* a bulk's items in order */
}

/* A user id for JSON: 0 is null. */
static void
id_or_null(int64_t id, char *out, size_t outsz)
{
	if (id != 0)
		snprintf(out, outsz, "%" PRId64, id);
	else
		snprintf(out, outsz, "null");
}

/* The request id of a move's activity row: the request's, "#N" for bulk item N. */
void
move_tag(const struct lcm_actor *who, const struct lcm_move *m, char *out, size_t outsz)
{
	if (m->item > 0)
		snprintf(out, outsz, "%s#%zu", who->request_id, m->item);
	else
		snprintf(out, outsz, "%s", who->request_id);
}

/*
 * A user's workload deltas from one patient's case load, per role and for
 * holding both roles, weighed by the acuity the case load carries.
 */
struct wl_delta {
	int64_t user;
	int64_t patient;
	int o, i, b;
};

struct wl_deltas {
	struct wl_delta *v;
	size_t n, cap;
};

static int
wl_add(struct wl_deltas *d, int64_t user, int64_t patient, int o, int i, int b)
{
	struct wl_delta *grown;

	if (user == 0 || (o == 0 && i == 0 && b == 0))
		return 0;
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 64;
		if ((grown = realloc(d->v, d->cap * sizeof(*grown))) == NULL)
			return -1;
		d->v = grown;
	}
	d->v[d->n++] = (struct wl_delta){user, patient, o, i, b};
	return 0;
}

/* What patient's case load going from before to after does to its users' workloads. */
static int
wl_case_load(struct wl_deltas *d, int64_t patient, const int64_t before[ROLE__MAX],
    const int64_t after[ROLE__MAX])
{
	int bb = before[ROLE_OLCM] != 0 && before[ROLE_OLCM] == before[ROLE_ILCM];
	int ab = after[ROLE_OLCM] != 0 && after[ROLE_OLCM] == after[ROLE_ILCM];

	return wl_add(d, before[ROLE_OLCM], patient, -1, 0, -bb) != 0 ||
	    wl_add(d, before[ROLE_ILCM], patient, 0, -1, 0) != 0 ||
	    wl_add(d, after[ROLE_OLCM], patient, 1, 0, ab) != 0 ||
	    wl_add(d, after[ROLE_ILCM], patient, 0, 1, 0) != 0 ? -1 : 0;
}

static int
cmp_wl(const void *a, const void *b)
{
	const struct wl_delta *x = a, *y = b;

	if (x->user != y->user)
		return (x->user > y->user) - (x->user < y->user);
	return (x->patient > y->patient) - (x->patient < y->patient);
}

/* A changed case load of medium or high acuity (STMT_MOVE_ACUITY's row). */
struct wl_weighed {
	int64_t patient;
	enum lcm_acuity acuity;
};

static int
cmp_weighed(const void *a, const void *b)
{
	const struct wl_weighed *x = a, *y = b;

	return (x->patient > y->patient) - (x->patient < y->patient);
}

/*
 * The acuity of these patients' case loads (pids, a JSON array), as they
 * are under this transaction's locks: the medium and high ones into *out
 * (sorted by patient), the others low (as the trigger counts them).
 */
static enum app_err
wl_read_acuity(struct db *db, const struct buf *pids, struct wl_weighed **out, size_t *n)
{
	struct db_param p = DB_P_STR(pids->s, pids->len);
	struct wl_weighed *v = NULL, *grown;
	size_t cap = 0;
	enum app_err rc;

	*out = NULL;
	*n = 0;
	if ((rc = db_exec(db, STMT_MOVE_ACUITY, &p, 1)) != APP_OK)
		return rc;
	while ((rc = db_next(db, STMT_MOVE_ACUITY)) == APP_OK) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			if ((grown = realloc(v, cap * sizeof(*grown))) == NULL) {
				rc = APP_ENOMEM;
				break;
			}
			v = grown;
		}
		v[*n].patient = db_int(db, STMT_MOVE_ACUITY, MA_PATIENT_ID);
		v[*n].acuity = db_int(db, STMT_MOVE_ACUITY, MA_HIGH) ? ACUITY_HIGH : ACUITY_MEDIUM;
		(*n)++;
	}
	db_done(db, STMT_MOVE_ACUITY);
	if (rc != APP_ENOROW) {
		free(v);
		*n = 0;
		return rc;
	}
	if (*n > 1)
		qsort(v, *n, sizeof(*v), cmp_weighed);
	*out = v;
	return APP_OK;
}

/*
 * The deltas summed per user, each patient's weighed by its acuity (w, n
 * of them), as JSON [[user, o, i, b, o medium, o high, i medium, i high],
 * ...] in user id order: a user whose deltas from each patient sum to
 * nothing is left out, one with any other is written.
 */
static int
wl_json(struct wl_deltas *d, const struct wl_weighed *w, size_t nw, struct buf *b)
{
	struct wl_weighed key, *found;
	struct { int o, i, b, om, oh, im, ih; } s;
	size_t i, j, n = 0;
	int o, in, both, any;
	int64_t user;

	if (d->n > 1)  /* d->v is NULL while there is none */
		qsort(d->v, d->n, sizeof(*d->v), cmp_wl);
	if (buf_printf(b, "[") != 0)
		return -1;
	for (i = 0; i < d->n;) {
		user = d->v[i].user;
		memset(&s, 0, sizeof(s));
		any = 0;
		for (; i < d->n && d->v[i].user == user; i = j) {
			o = in = both = 0;
			for (j = i; j < d->n && d->v[j].user == user && d->v[j].patient == d->v[i].patient; j++) {
				o += d->v[j].o;
				in += d->v[j].i;
				both += d->v[j].b;
			}
			if (o == 0 && in == 0 && both == 0)
				continue;
			any = 1;
			key.patient = d->v[i].patient;
			found = nw ? bsearch(&key, w, nw, sizeof(*w), cmp_weighed) : NULL;
			s.o += o;
			s.i += in;
			s.b += both;
			if (found != NULL && found->acuity == ACUITY_HIGH) {
				s.oh += o;
				s.ih += in;
			} else if (found != NULL) {
				s.om += o;
				s.im += in;
			}
		}
		if (any && buf_printf(b, "%s[%" PRId64 ",%d,%d,%d,%d,%d,%d,%d]", n++ ? "," : "", user,
		    s.o, s.i, s.b, s.om, s.oh, s.im, s.ih) != 0)
			return -1;
	}
	return buf_printf(b, "]");
}

/*
 * The one UPDATE of many case loads, with the bookkeeping its trigger
 * leaves to its caller (db-schema/034) done in three statements: the
 * acuity of the case loads (pids), the users' workloads (deltas) and the
 * patients' index rows (ix). @lcm_bookkeeping is set for that UPDATE
 * alone; a connection lost meanwhile takes the variable with it.
 */
static enum app_err
apply_case_loads(struct db *db, const struct buf *cl, struct wl_deltas *deltas,
    const struct buf *pids, const struct buf *ix)
{
	struct db_param p = DB_P_STR(cl->s, cl->len);
	struct wl_weighed *w = NULL;
	struct buf wl = {0};
	enum app_err rc, reset;
	size_t nw = 0;

	if ((rc = db_exec(db, STMT_BOOKKEEPING_CALLER, NULL, 0)) != APP_OK)
		return rc;
	rc = db_exec(db, STMT_MOVE_APPLY, &p, 1);
	reset = db_exec(db, STMT_BOOKKEEPING_TRIGGER, NULL, 0);
	if (rc == APP_OK)
		rc = reset;
	if (rc != APP_OK || (rc = wl_read_acuity(db, pids, &w, &nw)) != APP_OK)
		return rc;
	if (wl_json(deltas, w, nw, &wl) != 0)
		rc = APP_ENOMEM;
	else {
		p = DB_P_STR(wl.s, wl.len);
		rc = db_exec(db, STMT_MOVE_WORKLOAD, &p, 1);
	}
	free(w);
	free(wl.s);
	if (rc != APP_OK)
		return rc;
	p = DB_P_STR(ix->s, ix->len);
	return db_exec(db, STMT_MOVE_INDEX, &p, 1);
}

/*
 * One UPDATE for every case load (with one statement each for their
 * users' workloads and their index rows), one INSERT for every activity
 * row (a bulk's in the order of its items, so that their ids follow it).
 */
enum app_err
move_write(struct db *db, const struct lcm_actor *who, const struct lcm_change *c,
    const char *source, const struct lcm_move_plan *plan)
{
	struct buf cl = {0}, act = {0}, pids = {0}, ix = {0};
	struct wl_deltas deltas = {0};
	const struct lcm_move *m, *first;
	const struct lcm_change *mc;
	int64_t after[ROLE__MAX];
	enum app_err rc = APP_ENOMEM;
	size_t i, j, k, ncl = 0, nitems;
	int64_t set[ROLE__MAX], to[ROLE__MAX];
	char prev[24], next[24], onext[24], inext[24], tag[LCM_REQUEST_ID_MAX + 24];

	if (buf_printf(&cl, "[") != 0 || buf_printf(&act, "[") != 0 || buf_printf(&pids, "[") != 0 ||
	    buf_printf(&ix, "[") != 0)
		goto out;
	for (i = 0; i < plan->n; i = j) {
		/* The moves of one case load are next to each other (sorted by patient). */
		memset(set, 0, sizeof(set));
		memset(to, 0, sizeof(to));
		nitems = 0;
		first = NULL;
		for (j = i; j < plan->n && plan->moves[j].patient_id == plan->moves[i].patient_id; j++) {
			m = &plan->moves[j];
			if (m->error != NULL)
				continue;
			if (first == NULL)
				first = m;
			/* Changes: one per bulk item that moves it (at most two moves each), else one. */
			for (k = i; k < j && (plan->moves[k].error != NULL ||
			    plan->moves[k].item != m->item); k++)
				;
			if (k == j && (m->item > 0 || nitems == 0))
				nitems++;
			set[m->role] = 1;
			to[m->role] = m->to_user;
			mc = m->change != NULL ? m->change : c;
			id_or_null(m->from_user, prev, sizeof(prev));
			id_or_null(m->to_user, next, sizeof(next));
			move_tag(who, m, tag, sizeof(tag));
			if (buf_printf(&act, "%s[%" PRId64 ",\"%s\",%s,%s,%d,", act.len > 1 ? "," : "",
			    m->case_load_id, lcm_role_name(m->role), prev, next, m->overridden) != 0 ||
			    buf_json_str(&act, mc->reason, mc->reason_len) != 0 ||
			    buf_printf(&act, ",") != 0 ||
			    buf_json_str(&act, mc->reason_code,
			    mc->reason_code ? strlen(mc->reason_code) : 0) != 0 ||
			    buf_printf(&act, ",") != 0 || buf_json_str(&act, tag, strlen(tag)) != 0 ||
			    buf_printf(&act, ",%zu,%d]", m->item ? m->item * ROLE__MAX + (size_t)m->role : 0,
			    m->auth_overridden) != 0)
				goto out;
		}
		if (!set[ROLE_OLCM] && !set[ROLE_ILCM])
			continue;
		id_or_null(to[ROLE_OLCM], onext, sizeof(onext));
		id_or_null(to[ROLE_ILCM], inext, sizeof(inext));
		if (buf_printf(&cl, "%s[%" PRId64 ",%d,%s,%d,%s,%zu]", ncl ? "," : "",
		    plan->moves[i].case_load_id, (int)set[ROLE_OLCM], onext,
		    (int)set[ROLE_ILCM], inext, nitems) != 0)
			goto out;
		/* What the trigger would have done for this row. */
		for (k = 0; k < ROLE__MAX; k++)
			after[k] = set[k] ? to[k] : first->before[k];
		id_or_null(after[ROLE_OLCM], onext, sizeof(onext));
		id_or_null(after[ROLE_ILCM], inext, sizeof(inext));
		if (wl_case_load(&deltas, first->patient_id, first->before, after) != 0 ||
		    buf_printf(&pids, "%s%" PRId64, ncl ? "," : "", first->patient_id) != 0 ||
		    buf_printf(&ix, "%s[%" PRId64 ",%s,%s]", ncl ? "," : "", first->patient_id,
		    onext, inext) != 0)
			goto out;
		ncl++;
	}
	if (buf_printf(&cl, "]") != 0 || buf_printf(&act, "]") != 0 || buf_printf(&pids, "]") != 0 ||
	    buf_printf(&ix, "]") != 0)
		goto out;
	rc = APP_OK;
	if (ncl == 0)
		goto out;
	{
		struct db_param pa[] = {
			DB_P_STR(act.s, act.len),
			DB_P_ID(who->user_id),  /* none: an operator's (lcm-admin) */
			DB_P_CSTR(source),
		};

		if ((rc = apply_case_loads(db, &cl, &deltas, &pids, &ix)) == APP_OK)
			rc = db_exec(db, STMT_MOVE_ACTIVITIES, pa, 3);
	}
out:
	free(cl.s);
	free(act.s);
	free(pids.s);
	free(ix.s);
	free(deltas.v);
	return rc;
}


/* ---- the two kinds of run ---------------------------------------------------- */

/*
 * The end of a run's transaction that wrote (any) or not: a dry run, or
 * a run that wrote nothing, rolls back; a run under an Idempotency-Key
 * commits its answer with its moves (who->key: alone when there are
 * none), which settles a COMMIT lost on the wire; any other commits, with
 * *committing set once COMMIT is sent. APP_OK, or the failure with the
 * transaction rolled back or lost.
 */
enum app_err
move_end_run(struct db *db, const struct lcm_actor *who, int dry_run, int any, int *committing)
{
	enum app_err rc;

	if (dry_run || (!any && who->key == NULL)) {
		db_rollback(db);
		return APP_OK;
	}
	if (who->key != NULL)
		return who->key->commit(db, who->key->arg);
	*committing = 1;
	if ((rc = db_commit(db)) != APP_OK)
		db_rollback(db);
	return rc;
}

/*
 * The tag of a run's activity rows, which says whether its COMMIT happened
 * (engine.h): a bulk run's carry "#N", and the first move it wrote tells.
 */
static int
run_tag(const struct lcm_actor *who, const struct lcm_move_plan *plan, char *out, size_t outsz)
{
	size_t i;

	if (who->request_id == NULL || *who->request_id == '\0')
		return 0;
	snprintf(out, outsz, "%s", who->request_id);
	for (i = 0; i < plan->n; i++)
		if (plan->moves[i].error == NULL) {
			move_tag(who, &plan->moves[i], out, outsz);
			break;
		}
	return 1;
}

/* A run as the engine sees it (engine.h): its attempt, its plan made again by each. */
struct run {
	struct db *db;
	const struct lcm_actor *who;
	struct lcm_move_plan *plan;
	enum app_err (*once)(void *, int *);
	void *arg;
};

static enum app_err
run_attempt(void *arg, int *committing)
{
	struct run *r = arg;

	return r->once(r->arg, committing);
}

static int
run_tag_of(void *arg, char *out, size_t outsz)
{
	struct run *r = arg;

	return run_tag(r->who, r->plan, out, outsz);
}

static void
run_reset(void *arg)
{
	lcm_move_plan_free(((struct run *)arg)->plan);
}

/*
 * Run one attempt function by the engine (a keyed run's COMMIT was settled
 * by the key's commit: lost, it was not applied). APP_EUNKNOWN marks the plan
 * unknown.
 */
enum app_err
move_run(struct db *db, const struct lcm_actor *who, struct lcm_move_plan *plan,
    enum app_err (*once)(void *, int *), void *arg)
{
	struct run r = {db, who, plan, once, arg};
	struct engine_write w = {&ENGINE_SET, run_attempt, run_tag_of, run_reset, &r};
	enum app_err rc;
	int settled;

	if ((rc = engine_run(db, &w, &settled)) == APP_EUNKNOWN)
		plan->unknown = 1;
	return rc;
}

