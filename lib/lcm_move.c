#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "lcm.h"
#include "log.h"

#define MOVE_ATTEMPTS 4

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
    int64_t from)
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
	return (int)x->role - (int)y->role;
}

/* One UPDATE for every case load, one INSERT for every activity row. */
static enum app_err
write_moves(struct db *db, const struct lcm_actor *who, const struct lcm_change *c,
    const char *source, const struct lcm_move_plan *plan)
{
	struct buf cl = {0}, act = {0};
	const struct lcm_move *m;
	enum app_err rc = APP_ENOMEM;
	size_t i, j, ncl = 0;
	int64_t set[ROLE__MAX], to[ROLE__MAX];
	char prev[24];

	if (buf_printf(&cl, "[") != 0 || buf_printf(&act, "[") != 0)
		goto out;
	for (i = 0; i < plan->n; i = j) {
		/* The moves of one case load are next to each other (sorted by patient). */
		memset(set, 0, sizeof(set));
		memset(to, 0, sizeof(to));
		for (j = i; j < plan->n && plan->moves[j].patient_id == plan->moves[i].patient_id; j++) {
			m = &plan->moves[j];
			if (m->error != NULL)
				continue;
			set[m->role] = 1;
			to[m->role] = m->to_user;
			if (m->from_user)
				snprintf(prev, sizeof(prev), "%" PRId64, m->from_user);
			else
				snprintf(prev, sizeof(prev), "null");
			if (buf_printf(&act, "%s[%" PRId64 ",\"%s\",%s,%" PRId64 ",%d]",
			    act.len > 1 ? "," : "", m->case_load_id, lcm_role_name(m->role), prev,
			    m->to_user, m->overridden) != 0)
				goto out;
		}
		if (!set[ROLE_OLCM] && !set[ROLE_ILCM])
			continue;
		if (buf_printf(&cl, "%s[%" PRId64 ",%d,%" PRId64 ",%d,%" PRId64 "]", ncl++ ? "," : "",
		    plan->moves[i].case_load_id, (int)set[ROLE_OLCM], to[ROLE_OLCM],
		    (int)set[ROLE_ILCM], to[ROLE_ILCM]) != 0)
			goto out;
	}
	if (buf_printf(&cl, "]") != 0 || buf_printf(&act, "]") != 0)
		goto out;
	rc = APP_OK;
	if (ncl == 0)
		goto out;
	{
		struct db_param pc = DB_P_STR(cl.s, cl.len);
		struct db_param pa[] = {
			DB_P_STR(act.s, act.len),
			DB_P_INT(who->user_id),
			c->reason ? DB_P_STR(c->reason, c->reason_len) : DB_P_NULL,
			DB_P_CSTR(c->reason_code),
			DB_P_CSTR(source),
			DB_P_CSTR(who->request_id),
		};

		if ((rc = db_exec(db, STMT_MOVE_APPLY, &pc, 1)) == APP_OK)
			rc = db_exec(db, STMT_MOVE_ACTIVITIES, pa, 6);
	}
out:
	free(cl.s);
	free(act.s);
	return rc;
}

/* ---- the two kinds of run ---------------------------------------------------- */

/* Did the transaction with this request id commit? Its activity rows tell. */
static enum app_err
settled(struct db *db, const struct lcm_actor *who, int *yes)
{
	struct db_param p = DB_P_CSTR(who->request_id);
	enum app_err rc;

	if ((rc = db_row(db, STMT_ACTIVITY_TAGGED, &p, 1)) != APP_OK)
		return rc == APP_ENOROW ? APP_EDB : rc;
	*yes = db_int(db, STMT_ACTIVITY_TAGGED, 0) > 0;
	return APP_OK;
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
				    t->from_user)) == NULL)
					goto fail;
				if (!id_set_has(existing, t->patients[i]))
					move_fail(m, "Patient not found");
				else if (cl == NULL || cl->user[r] != t->from_user)
					move_fail(m, "Patient %" PRId64 "'s %s is not user %" PRId64,
					    t->patients[i], lcm_role_name((enum lcm_role)r), t->from_user);
			}
			if (cl != NULL && t->role < 0 && cl->user[ROLE_OLCM] != t->from_user &&
			    cl->user[ROLE_ILCM] != t->from_user) {
				if ((m = plan_add(plan, t->patients[i], cl->id, ROLE_OLCM, t->from_user)) == NULL)
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
				    t->from_user) == NULL)
					goto fail;
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
	free(ids);
	free(cls.v);
	if (t->dry_run || !any) {
		db_rollback(db);
		return APP_OK;
	}
	*committing = 1;
	if ((rc = db_commit(db)) != APP_OK)
		goto fail;
	return APP_OK;
fail:
	free(ids);
	free(cls.v);
	db_rollback(db);
	return rc;
}

/*
 * Run one attempt function until it is not a deadlock or a create race,
 * settling a COMMIT lost on the wire by the request's activity rows. The
 * plan is made again by each attempt.
 */
static enum app_err
run_attempts(struct db *db, const struct lcm_actor *who, struct lcm_move_plan *plan,
    enum app_err (*once)(void *, int *), void *arg)
{
	struct timespec pause;
	enum app_err rc = APP_ERETRY;
	int attempt, committing, lost = 0, done;

	for (attempt = 0; attempt < MOVE_ATTEMPTS; attempt++) {
		lcm_move_plan_free(plan);
		committing = 0;
		rc = once(arg, &committing);
		if (rc == APP_EDBLOST) {
			if (lost++)
				return APP_EDBLOST;
			if (committing) {
				if ((rc = settled(db, who, &done)) != APP_OK)
					return rc;
				if (done)
					return APP_OK;
			}
			continue;
		}
		if (rc != APP_ERETRY && rc != APP_EDUP)
			return rc;
		pause.tv_sec = 0;
		pause.tv_nsec = (long)(1 + attempt) * (2000000L + rand() % 8000000L);
		nanosleep(&pause, NULL);
	}
	log_msg(LV_WARN, "lcm: a transfer or auto-assign gave up after %d attempts", MOVE_ATTEMPTS);
	return APP_ERETRY;
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
	enum app_err rc = APP_ENOMEM;
	size_t i, n = 0;

	if (buf_printf(&b, "[") != 0)
		goto out;
	for (i = 0; i < plan->n; i++)
		if (plan->moves[i].error == NULL && plan->moves[i].case_load_id == 0 &&
		    buf_printf(&b, "%s%" PRId64, n++ ? "," : "", plan->moves[i].patient_id) != 0)
			goto out;
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
		if ((m = plan_add(plan, pids[i], cl ? cl->id : 0, r, 0)) == NULL)
			goto fail;
		if (!a->unassigned && !id_set_has(existing, pids[i]))
			move_fail(m, "Patient not found");
		else if (cl != NULL && cl->user[r] != 0)
			move_fail(m, "Patient %" PRId64 " has an %s already", pids[i], lcm_role_name(r));
	}
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
	free(pids);
	free(uids);
	free(holder);
	free(cls.v);
	if (a->dry_run || !any) {
		db_rollback(db);
		return APP_OK;
	}
	*committing = 1;
	if ((rc = db_commit(db)) != APP_OK)
		goto fail;
	return APP_OK;
fail:
	free(pids);
	free(uids);
	free(holder);
	free(cls.v);
	db_rollback(db);
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
