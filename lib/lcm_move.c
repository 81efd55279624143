#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json.h>

#include "db.h"
#include "engine.h"
#include "idem.h"
#include "lcm.h"
#include "log.h"


/* ---- the plan ---------------------------------------------------------- */

void
lcm_move_plan_free(struct lcm_move_plan *p)
{
	free(p->moves);
	free(p->users);
	memset(p, 0, sizeof(*p));
}

static struct lcm_move *
plan_add(struct lcm_move_plan *p, int64_t patient, int64_t case_load, enum lcm_role r,
    int64_t from, const int64_t before[ROLE__MAX])
{
	struct lcm_move *grown, *m;
	size_t cap;

	if (p->n == p->cap) {
		cap = p->cap ? p->cap * 2 : 64;
		if ((grown = realloc(p->moves, cap * sizeof(*grown))) == NULL)
			return NULL;
		p->moves = grown;
		p->cap = cap;
	}
	m = &p->moves[p->n++];
	memset(m, 0, sizeof(*m));
	m->patient_id = patient;
	m->case_load_id = case_load;
	m->role = r;
	m->from_user = from;
	if (before != NULL)
		memcpy(m->before, before, sizeof(m->before));
	return m;
}

static void
move_fail(struct lcm_move *m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(m->errbuf, sizeof(m->errbuf), fmt, ap);
	va_end(ap);
	m->error = m->errbuf;
	m->to_user = 0;
}

long
lcm_pick_taker(struct lcm_move_user *u, size_t n, enum lcm_role r, int override, int64_t exclude)
{
	int64_t room, best_room = 0;
	long best = -1;
	size_t i;

	for (i = 0; i < n; i++) {
		if (u[i].user_id == exclude || !u[i].eligible)
			continue;
		room = u[i].max[r] < 0 ? INT64_MAX : u[i].max[r] - u[i].after[r];
		if (room <= 0 && !override)
			continue;
		if (best < 0 || room > best_room ||
		    (room == best_room && (u[i].after[r] < u[best].after[r] ||
		    (u[i].after[r] == u[best].after[r] && u[i].user_id < u[best].user_id)))) {
			best = (long)i;
			best_room = room;
		}
	}
	if (best >= 0)
		u[best].after[r]++;
	return best;
}

static struct lcm_move_user *
find_user(struct lcm_move_plan *p, int64_t id)
{
	size_t i;

	for (i = 0; i < p->nusers; i++)
		if (p->users[i].user_id == id)
			return &p->users[i];
	return NULL;
}

/* ---- JSON parameters ------------------------------------------------------ */

struct buf {
	char *s;
	size_t len, cap;
};

static int
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	char *grown;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? b->cap - b->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0)
			return -1;
		if (b->s != NULL && (size_t)n < b->cap - b->len) {
			b->len += (size_t)n;
			return 0;
		}
		if ((grown = realloc(b->s, b->cap * 2 + (size_t)n + 64)) == NULL)
			return -1;
		b->s = grown;
		b->cap = b->cap * 2 + (size_t)n + 64;
	}
}

/* s (len bytes, NULL: null) as a JSON value. */
static int
buf_json_str(struct buf *b, const char *s, size_t len)
{
	struct json_object *o;
	int rc;

	if (s == NULL)
		return buf_printf(b, "null");
	if ((o = json_object_new_string_len(s, (int)len)) == NULL)
		return -1;
	rc = buf_printf(b, "%s", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	return rc;
}

static int
ids_buf(struct buf *b, const int64_t *ids, size_t n)
{
	size_t i;

	if (buf_printf(b, "[") != 0)
		return -1;
	for (i = 0; i < n; i++)
		if (buf_printf(b, "%s%" PRId64, i ? "," : "", ids[i]) != 0)
			return -1;
	return buf_printf(b, "]");
}

/* ---- reading under locks ------------------------------------------------ */

struct cl {
	int64_t id;
	int64_t patient;
	int64_t user[ROLE__MAX];
};

struct cls {
	struct cl *v;
	size_t n, cap;
};

/* Append the locked rows of st (ML_* columns) to out, skipping case loads it has. */
static enum app_err
read_locked(struct db *db, enum stmt st, const struct db_param *p, size_t np, struct cls *out)
{
	struct cl *grown;
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
static enum app_err
lock_patients(struct db *db, const int64_t *ids, size_t n, struct cls *out)
{
	struct buf b = {0};
	struct db_param p;
	enum app_err rc;

	if (n == 0)
		return APP_OK;
	if (ids_buf(&b, ids, n) != 0) {
		free(b.s);
		return APP_ENOMEM;
	}
	p = DB_P_STR(b.s, b.len);
	rc = read_locked(db, STMT_MOVE_LOCK_PATIENTS, &p, 1, out);
	free(b.s);
	return rc;
}

static const struct cl *
find_cl(const struct cls *c, int64_t patient)
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
static enum app_err
load_users(struct db *db, const int64_t *ids, size_t n, struct lcm_move_plan *plan)
{
	struct lcm_move_user *u;
	struct buf b = {0};
	struct db_param p;
	enum app_err rc = APP_ENOMEM;
	int r;

	if (n == 0)
		return APP_OK;
	if (ids_buf(&b, ids, n) != 0 || (plan->users = calloc(n, sizeof(*plan->users))) == NULL)
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
			unsigned mc = r == ROLE_OLCM ? MT_MAX_OLCM : MT_MAX_ILCM;
			unsigned cc = r == ROLE_OLCM ? MT_OLCM_COUNT : MT_ILCM_COUNT;

			u->max[r] = db_null(db, STMT_MOVE_TARGETS, mc) ? -1 :
			    db_int(db, STMT_MOVE_TARGETS, mc);
			u->before[r] = u->after[r] = db_int(db, STMT_MOVE_TARGETS, cc);
		}
	}
	db_done(db, STMT_MOVE_TARGETS);
	rc = rc == APP_ENOROW ? APP_OK : rc;
out:
	free(b.s);
	return rc;
}

/* Each named taker exists and may take patients: else plan->ineligible. */
static int
takers_eligible(struct lcm_move_plan *plan, const int64_t *ids, size_t n)
{
	struct lcm_move_user *u;
	size_t i;

	for (i = 0; i < n; i++)
		if ((u = find_user(plan, ids[i])) == NULL || !u->eligible) {
			plan->ineligible = ids[i];
			return 0;
		}
	return 1;
}

/* ---- writing the plan ---------------------------------------------------- */

static int
cmp_move(const void *a, const void *b)
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
static void
move_tag(const struct lcm_actor *who, const struct lcm_move *m, char *out, size_t outsz)
{
	if (m->item > 0)
		snprintf(out, outsz, "%s#%zu", who->request_id, m->item);
	else
		snprintf(out, outsz, "%s", who->request_id);
}

/* A user's workload deltas, per role and for holding both roles of one patient. */
struct wl_delta {
	int64_t user;
	int o, i, b;
};

struct wl_deltas {
	struct wl_delta *v;
	size_t n, cap;
};

static int
wl_add(struct wl_deltas *d, int64_t user, int o, int i, int b)
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
	d->v[d->n++] = (struct wl_delta){user, o, i, b};
	return 0;
}

/* What a case load going from before to after does to its users' workloads. */
static int
wl_case_load(struct wl_deltas *d, const int64_t before[ROLE__MAX], const int64_t after[ROLE__MAX])
{
	int bb = before[ROLE_OLCM] != 0 && before[ROLE_OLCM] == before[ROLE_ILCM];
	int ab = after[ROLE_OLCM] != 0 && after[ROLE_OLCM] == after[ROLE_ILCM];

	return wl_add(d, before[ROLE_OLCM], -1, 0, -bb) != 0 ||
	    wl_add(d, before[ROLE_ILCM], 0, -1, 0) != 0 ||
	    wl_add(d, after[ROLE_OLCM], 1, 0, ab) != 0 ||
	    wl_add(d, after[ROLE_ILCM], 0, 1, 0) != 0 ? -1 : 0;
}

static int
cmp_wl(const void *a, const void *b)
{
	const struct wl_delta *x = a, *y = b;

	return (x->user > y->user) - (x->user < y->user);
}

/* The deltas summed per user, in user id order, as JSON [[user, o, i, b], ...]. */
static int
wl_json(struct wl_deltas *d, struct buf *b)
{
	size_t i, j, n = 0;
	int o, in, both;

	if (d->n > 1)  /* d->v is NULL while there is none */
		qsort(d->v, d->n, sizeof(*d->v), cmp_wl);
	if (buf_printf(b, "[") != 0)
		return -1;
	for (i = 0; i < d->n; i = j) {
		o = in = both = 0;
		for (j = i; j < d->n && d->v[j].user == d->v[i].user; j++) {
			o += d->v[j].o;
			in += d->v[j].i;
			both += d->v[j].b;
		}
		if ((o != 0 || in != 0 || both != 0) &&
		    buf_printf(b, "%s[%" PRId64 ",%d,%d,%d]", n++ ? "," : "", d->v[i].user, o, in,
		    both) != 0)
			return -1;
	}
	return buf_printf(b, "]");
}

/*
 * The one UPDATE of many case loads, with the bookkeeping its trigger
 * leaves to its caller (db-schema/034) done in two statements: the users'
 * workloads and the patients' index rows. @lcm_bookkeeping is set for that
 * UPDATE alone; a connection lost meanwhile takes the variable with it.
 */
static enum app_err
apply_case_loads(struct db *db, const struct buf *cl, const struct buf *wl, const struct buf *ix)
{
	struct db_param p = DB_P_STR(cl->s, cl->len);
	enum app_err rc, reset;

	if ((rc = db_exec(db, STMT_BOOKKEEPING_CALLER, NULL, 0)) != APP_OK)
		return rc;
	rc = db_exec(db, STMT_MOVE_APPLY, &p, 1);
	reset = db_exec(db, STMT_BOOKKEEPING_TRIGGER, NULL, 0);
	if (rc == APP_OK)
		rc = reset;
	if (rc != APP_OK)
		return rc;
	p = DB_P_STR(wl->s, wl->len);
	if ((rc = db_exec(db, STMT_MOVE_WORKLOAD, &p, 1)) != APP_OK)
		return rc;
	p = DB_P_STR(ix->s, ix->len);
	return db_exec(db, STMT_MOVE_INDEX, &p, 1);
}

/*
 * One UPDATE for every case load (with one statement each for their
 * users' workloads and their index rows), one INSERT for every activity
 * row (a bulk's in the order of its items, so that their ids follow it).
 */
static enum app_err
write_moves(struct db *db, const struct lcm_actor *who, const struct lcm_change *c,
    const char *source, const struct lcm_move_plan *plan)
{
	struct buf cl = {0}, act = {0}, wl = {0}, ix = {0};
	struct wl_deltas deltas = {0};
	const struct lcm_move *m, *first;
	const struct lcm_change *mc;
	int64_t after[ROLE__MAX];
	enum app_err rc = APP_ENOMEM;
	size_t i, j, k, ncl = 0, nitems;
	int64_t set[ROLE__MAX], to[ROLE__MAX];
	char prev[24], next[24], onext[24], inext[24], tag[LCM_REQUEST_ID_MAX + 24];

	if (buf_printf(&cl, "[") != 0 || buf_printf(&act, "[") != 0 || buf_printf(&ix, "[") != 0)
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
			    buf_printf(&act, ",%zu]", m->item ? m->item * ROLE__MAX + (size_t)m->role : 0) != 0)
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
		if (wl_case_load(&deltas, first->before, after) != 0 ||
		    buf_printf(&ix, "%s[%" PRId64 ",%s,%s]", ncl ? "," : "", first->patient_id,
		    onext, inext) != 0)
			goto out;
		ncl++;
	}
	if (buf_printf(&cl, "]") != 0 || buf_printf(&act, "]") != 0 || buf_printf(&ix, "]") != 0 ||
	    wl_json(&deltas, &wl) != 0)
		goto out;
	rc = APP_OK;
	if (ncl == 0)
		goto out;
	{
		struct db_param pa[] = {
			DB_P_STR(act.s, act.len),
			DB_P_INT(who->user_id),
			DB_P_CSTR(source),
		};

		if ((rc = apply_case_loads(db, &cl, &wl, &ix)) == APP_OK)
			rc = db_exec(db, STMT_MOVE_ACTIVITIES, pa, 3);
	}
out:
	free(cl.s);
	free(act.s);
	free(wl.s);
	free(ix.s);
	free(deltas.v);
	return rc;
}

/* ---- the two kinds of run ---------------------------------------------------- */

/*
 * The end of a run's transaction that wrote (any) or not: a dry run, or
 * a run that wrote nothing, rolls back; a run under an Idempotency-Key
 * commits its answer with its moves (idem_commit(): alone when there are
 * none), which settles a COMMIT lost on the wire; any other commits, with
 * *committing set once COMMIT is sent. APP_OK, or the failure with the
 * transaction rolled back or lost.
 */
static enum app_err
end_run(struct db *db, const struct lcm_actor *who, int dry_run, int any, int *committing)
{
	enum app_err rc;

	if (dry_run || (!any && who->idem == NULL)) {
		db_rollback(db);
		return APP_OK;
	}
	if (who->idem != NULL)
		return idem_commit(db, who->idem);
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

/* Decide each pending move of a transfer: the taker, or why none. */
static void
plan_transfer(struct lcm_move_plan *plan, const struct lcm_transfer *t)
{
	struct lcm_move_user *giver = find_user(plan, t->from_user), *u;
	struct lcm_move *m;
	long k;
	size_t i;

	for (i = 0; i < plan->n; i++) {
		m = &plan->moves[i];
		if (m->error != NULL)
			continue;
		if ((k = lcm_pick_taker(plan->users, plan->nusers, m->role, t->override_capacity,
		    t->from_user)) < 0) {
			move_fail(m, "No taker is below its %s limit", lcm_role_name(m->role));
			continue;
		}
		u = &plan->users[k];
		m->to_user = u->user_id;
		m->overridden = u->max[m->role] >= 0 && u->after[m->role] > u->max[m->role];
		if (giver != NULL)
			giver->after[m->role]--;
	}
}

static enum app_err
transfer_once(struct db *db, const struct lcm_actor *who, const struct lcm_change *c,
    const struct lcm_transfer *t, const struct id_set *existing, struct lcm_move_plan *plan,
    int *committing)
{
	struct cls cls = {0};
	const struct cl *cl;
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
		rc = lock_patients(db, t->patients, t->npatients, &cls);
	else
		for (r = 0; r < ROLE__MAX && rc == APP_OK; r++) {
			if (t->role >= 0 && t->role != r)
				continue;
			p = DB_P_INT(t->from_user);
			rc = read_locked(db, r == ROLE_OLCM ? STMT_MOVE_LOCK_OLCM : STMT_MOVE_LOCK_ILCM,
			    &p, 1, &cls);
		}
	if (rc != APP_OK)
		goto fail;

	rc = APP_ENOMEM;
	if (t->patients != NULL) {
		for (i = 0; i < t->npatients; i++) {
			cl = find_cl(&cls, t->patients[i]);
			for (r = 0; r < ROLE__MAX; r++) {
				if (t->role >= 0 && t->role != r)
					continue;
				if (cl != NULL && cl->user[r] != t->from_user && t->role < 0)
					continue;  /* both roles asked: the one the giver does not hold is no move */
				if ((m = plan_add(plan, t->patients[i], cl ? cl->id : 0, (enum lcm_role)r,
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
				if ((m = plan_add(plan, t->patients[i], cl->id, ROLE_OLCM, t->from_user, cl->user)) == NULL)
					goto fail;
				move_fail(m, "Patient %" PRId64 " has no role held by user %" PRId64,
				    t->patients[i], t->from_user);
			}
		}
	} else
		for (i = 0; i < cls.n; i++)
			for (r = 0; r < ROLE__MAX; r++)
				if ((t->role < 0 || t->role == r) && cls.v[i].user[r] == t->from_user &&
				    plan_add(plan, cls.v[i].patient, cls.v[i].id, (enum lcm_role)r,
				    t->from_user, cls.v[i].user) == NULL)
					goto fail;
	if (plan->n > 1)  /* plan->moves is NULL while there is none */
		qsort(plan->moves, plan->n, sizeof(*plan->moves), cmp_move);

	/* The takers and the giver, limits locked. */
	if ((ids = malloc((t->nto + 1) * sizeof(*ids))) == NULL)
		goto fail;
	memcpy(ids, t->to, t->nto * sizeof(*ids));
	ids[t->nto] = t->from_user;
	if ((rc = load_users(db, ids, t->nto + 1, plan)) != APP_OK)
		goto fail;
	if (!takers_eligible(plan, t->to, t->nto)) {
		rc = APP_EINVAL;
		goto fail;
	}
	plan_transfer(plan, t);
	for (i = 0; i < plan->n; i++)
		any |= plan->moves[i].error == NULL;
	if (any && (rc = write_moves(db, who, c, "transfer", plan)) != APP_OK)
		goto fail;
	rc = end_run(db, who, t->dry_run, any, committing);
	goto out;
fail:
	db_rollback(db);
out:
	free(ids);
	free(cls.v);
	return rc;
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
 * by idem_commit(): lost, it was not applied). APP_EUNKNOWN marks the plan
 * unknown.
 */
static enum app_err
run_attempts(struct db *db, const struct lcm_actor *who, struct lcm_move_plan *plan,
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
	rc = run_attempts(db, who, plan, transfer_attempt, &a);
	id_set_free(&existing);
	return rc;
}

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

/* Decide each pending move: the previous holder when it may, else the rule's taker. */
static void
plan_auto(struct lcm_move_plan *plan, enum lcm_role r, const int64_t *holder)
{
	struct lcm_move_user *u;
	struct lcm_move *m;
	long k;
	size_t i;

	for (i = 0; i < plan->n; i++) {
		m = &plan->moves[i];
		if (m->error != NULL)
			continue;
		u = holder[i] ? find_user(plan, holder[i]) : NULL;
		if (u != NULL && u->eligible && (u->max[r] < 0 || u->after[r] < u->max[r])) {
			u->after[r]++;
			m->to_user = u->user_id;
			m->continuity = 1;
			continue;
		}
		if ((k = lcm_pick_taker(plan->users, plan->nusers, r, 0, 0)) < 0) {
			move_fail(m, "No user is below their %s limit", lcm_role_name(r));
			continue;
		}
		m->to_user = plan->users[k].user_id;
	}
}

/* The case loads the planned moves lack, made and locked; their ids into the moves. */
static enum app_err
make_case_loads(struct db *db, struct lcm_move_plan *plan)
{
	struct cls cls = {0};
	struct buf b = {0};
	struct db_param p;
	const struct cl *cl;
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
	    (rc = read_locked(db, STMT_MOVE_LOCK_PATIENTS, &p, 1, &cls)) != APP_OK)
		goto out;
	for (i = 0; i < plan->n; i++)
		if (plan->moves[i].case_load_id == 0 && (cl = find_cl(&cls, plan->moves[i].patient_id)))
			plan->moves[i].case_load_id = cl->id;
out:
	free(cls.v);
	free(b.s);
	return rc;
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

static enum app_err
auto_once(struct db *db, const struct lcm_actor *who, const struct lcm_change *c,
    const struct lcm_auto *a, const struct id_set *existing, struct lcm_move_plan *plan,
    int *committing)
{
	enum lcm_role r = (enum lcm_role)a->role;
	int64_t *pids = NULL, *uids = NULL, *holder = NULL;
	size_t npids = 0, nuids = 0, i;
	struct cls cls = {0};
	const struct cl *cl;
	struct lcm_move *m;
	enum app_err rc;
	int any = 0;

	if ((rc = db_begin(db)) != APP_OK)
		return rc;
	rc = APP_ENOMEM;
	if (a->unassigned) {
		struct db_param p[] = {DB_P_CSTR(lcm_role_name(r)), DB_P_INT(LCM_AUTO_MAX + 1)};

		if ((pids = malloc((LCM_AUTO_MAX + 1) * sizeof(*pids))) == NULL)
			goto fail;
		if ((rc = db_exec(db, STMT_AUTO_UNASSIGNED, p, 2)) != APP_OK)
			goto fail;
		while ((rc = db_next(db, STMT_AUTO_UNASSIGNED)) == APP_OK && npids <= LCM_AUTO_MAX)
			pids[npids++] = db_int(db, STMT_AUTO_UNASSIGNED, 0);
		db_done(db, STMT_AUTO_UNASSIGNED);
		if (rc != APP_ENOROW && rc != APP_OK)
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
	if ((rc = lock_patients(db, pids, npids, &cls)) != APP_OK)
		goto fail;
	rc = APP_ENOMEM;
	for (i = 0; i < npids; i++) {
		cl = find_cl(&cls, pids[i]);
		if (a->unassigned && cl != NULL && cl->user[r] != 0)
			continue;  /* filled meanwhile */
		if ((m = plan_add(plan, pids[i], cl ? cl->id : 0, r, 0, cl ? cl->user : NULL)) == NULL)
			goto fail;
		if (!a->unassigned && !id_set_has(existing, pids[i]))
			move_fail(m, "Patient not found");
		else if (cl != NULL && cl->user[r] != 0)
			move_fail(m, "Patient %" PRId64 " has an %s already", pids[i], lcm_role_name(r));
	}
	if (plan->n > 1)  /* plan->moves is NULL while there is none */
		qsort(plan->moves, plan->n, sizeof(*plan->moves), cmp_move);

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
	if ((rc = load_users(db, uids, nuids, plan)) != APP_OK)
		goto fail;
	if (a->users != NULL && !takers_eligible(plan, a->users, a->nusers)) {
		rc = APP_EINVAL;
		goto fail;
	}
	rc = APP_ENOMEM;
	if ((holder = calloc(plan->n + 1, sizeof(*holder))) == NULL)
		goto fail;
	if (plan->n > 0 && (rc = previous_holders(db, plan, r, holder)) != APP_OK)
		goto fail;
	plan_auto(plan, r, holder);
	for (i = 0; i < plan->n; i++)
		any |= plan->moves[i].error == NULL;
	if (any && ((rc = make_case_loads(db, plan)) != APP_OK ||
	    (rc = write_moves(db, who, c, "assign", plan)) != APP_OK))
		goto fail;
	rc = end_run(db, who, a->dry_run, any, committing);
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
	rc = run_attempts(db, who, plan, auto_attempt, &x);
	id_set_free(&existing);
	return rc;
}

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
	int changed[ROLE__MAX], over[ROLE__MAX] = {0}, r, bad = 0;
	struct lcm_move_user *u;
	struct lcm_move *m;

	it->outcome = APP_OK;
	memset(it->ineligible, 0, sizeof(it->ineligible));
	memset(it->at_capacity, 0, sizeof(it->at_capacity));
	if (st == NULL) {
		it->outcome = APP_ENOPATIENT;
		return APP_OK;
	}
	for (r = 0; r < ROLE__MAX; r++)
		if (it->c.given[r] && it->c.user[r] != 0 && !id_set_has(eligible, it->c.user[r])) {
			it->ineligible[r] = it->c.user[r];
			bad = 1;
		}
	if (bad) {
		it->outcome = APP_EINVAL;
		return APP_OK;
	}
	if (lcm_next_roles(st->user, &it->c, next, changed) == 0)
		return APP_OK;  /* re-assigning the holders changes nothing */
	for (r = 0; r < ROLE__MAX; r++) {
		if (!changed[r] || next[r] == 0 || (u = find_user(plan, next[r])) == NULL ||
		    !lcm_at_limit(u->after[r], u->max[r]))
			continue;
		if (it->c.override_capacity)
			over[r] = 1;
		else {
			it->at_capacity[r] = next[r];
			bad = 1;
		}
	}
	if (bad) {
		it->outcome = APP_ECAPACITY;
		return APP_OK;
	}
	for (r = 0; r < ROLE__MAX; r++) {
		if (!changed[r])
			continue;
		if ((m = plan_add(plan, st->patient, st->case_load_id, (enum lcm_role)r,
		    st->user[r], st->orig)) == NULL)
			return APP_ENOMEM;
		m->to_user = next[r];
		m->overridden = over[r];
		m->item = index + 1;
		m->change = &it->c;
		if ((u = find_user(plan, st->user[r])) != NULL)
			u->after[r]--;
		if ((u = find_user(plan, next[r])) != NULL)
			u->after[r]++;
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
	struct cls cls = {0};
	struct buf b = {0};
	struct db_param p;
	const struct cl *cl;
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
		if (ids_buf(&b, existing.ids, existing.n) != 0)
			goto fail;
		p = DB_P_STR(b.s, b.len);
		if ((rc = read_locked(db, STMT_BULK_LOCK_PATIENTS, &p, 1, &cls)) != APP_OK)
			goto fail;
	}
	/* The limits of the users that have one, locked, with their workloads. */
	if ((rc = load_users(db, limited.ids, limited.n, a->plan)) != APP_OK)
		goto fail;
	rc = APP_ENOMEM;
	if ((states = calloc(existing.n + 1, sizeof(*states))) == NULL)
		goto fail;
	for (i = 0; i < existing.n; i++) {  /* existing.ids are sorted */
		states[ns].patient = existing.ids[i];
		if ((cl = find_cl(&cls, existing.ids[i])) != NULL) {
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
		qsort(a->plan->moves, a->plan->n, sizeof(*a->plan->moves), cmp_move);
	if (a->plan->n > 0) {
		if ((rc = make_case_loads(db, a->plan)) != APP_OK)
			goto fail;
		for (i = 0; i < a->plan->n; i++)
			if (a->plan->moves[i].case_load_id == 0) {
				rc = APP_ERETRY;  /* the patient went meanwhile: decide again */
				goto fail;
			}
		if ((rc = write_moves(db, a->who, NULL, "bulk", a->plan)) != APP_OK)
			goto fail;
	}
	rc = end_run(db, a->who, a->dry_run, a->plan->n > 0, committing);
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
	rc = run_attempts(db, who, &plan, bulk_attempt, &a);
	if (rc != APP_OK && plan.unknown) {
		/* The items that wrote rows may or may not have been applied: they say so. */
		for (i = 0; i < plan.n; i++)
			if (plan.moves[i].item > 0)
				items[plan.moves[i].item - 1].outcome = APP_EUNKNOWN;
		rc = APP_OK;
	}
out:
	lcm_move_plan_free(&plan);
	free(a.pids);
	free(a.uids);
	return rc;
}
