#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "engine.h"
#include "lcm.h"
#include "log.h"
#include "today.h"


/* ---- the statements of the write path, by name ------------------------- */

static enum app_err
refs_read(struct db *db, const struct lcm_change *c)
{
	struct db_param p[] = {
		c->given[ROLE_OLCM] ? DB_P_ID(c->user[ROLE_OLCM]) : DB_P_NULL,
		c->given[ROLE_ILCM] ? DB_P_ID(c->user[ROLE_ILCM]) : DB_P_NULL,
		DB_P_INT(c->patient_id),
	};

	return db_row(db, STMT_REFS, p, 3);
}

static enum app_err
case_load_lock(struct db *db, int64_t patient_id)
{
	struct db_param p[] = {DB_P_INT(patient_id)};

	return db_row(db, STMT_CASE_LOAD_LOCK, p, 1);
}

static enum app_err
case_load_insert(struct db *db, int64_t patient_id, const int64_t user[ROLE__MAX])
{
	struct db_param p[] = {
		DB_P_INT(patient_id),
		DB_P_ID(user[ROLE_OLCM]),
		DB_P_ID(user[ROLE_ILCM]),
	};

	return db_exec(db, STMT_CASE_LOAD_INSERT, p, 3);
}

/* Set each role with set[role] to user[role] (0 clears it), at the time at. */
static enum app_err
case_load_update(struct db *db, int64_t case_load_id, const int set[ROLE__MAX],
    const int64_t user[ROLE__MAX], const char *at)
{
	struct db_param p[] = {
		DB_P_INT(set[ROLE_OLCM] != 0),
		DB_P_ID(user[ROLE_OLCM]),
		DB_P_CSTR(at),
		DB_P_INT(set[ROLE_OLCM] != 0),
		DB_P_ID(user[ROLE_OLCM]),
		DB_P_INT(set[ROLE_ILCM] != 0),
		DB_P_ID(user[ROLE_ILCM]),
		DB_P_CSTR(at),
		DB_P_INT(set[ROLE_ILCM] != 0),
		DB_P_ID(user[ROLE_ILCM]),
		DB_P_CSTR(at),
		DB_P_INT(case_load_id),
	};

	return db_exec(db, STMT_CASE_LOAD_UPDATE, p, 12);
}

struct activity {
	int64_t case_load_id;
	const char *type;
	enum lcm_role role;
	int64_t previous_user_id;
	int64_t new_user_id;
	int overridden;           /* it passed a caseload limit */
	int auth_overridden;      /* it gave an LCM to a member whose authorization is not active */
	const char *at;           /* the case load's updated_at, "" when the insert set it */
};

static enum app_err
activity_insert(struct db *db, const struct lcm_actor *who, const struct lcm_change *c,
    const struct activity *a)
{
	/* activity_insert_at's: the patient, activity_insert's twelve, the time. */
	struct db_param p[] = {
		DB_P_INT(c->patient_id),
		DB_P_INT(a->case_load_id),
		DB_P_CSTR(a->type),
		DB_P_CSTR(lcm_role_name(a->role)),
		DB_P_ID(a->previous_user_id),
		DB_P_ID(a->new_user_id),
		DB_P_INT(who->user_id),
		c->reason ? DB_P_STR(c->reason, c->reason_len) : DB_P_NULL,
		DB_P_CSTR(c->reason_code),
		DB_P_CSTR(c->source ? c->source : "assign"),
		DB_P_INT(a->overridden),
		DB_P_INT(a->auth_overridden),
		who->request_id && *who->request_id ? DB_P_CSTR(who->request_id) : DB_P_NULL,
		DB_P_CSTR(a->at),
	};

	if (*a->at != '\0')
		return db_exec(db, STMT_ACTIVITY_INSERT_AT, p, 14);
	return db_exec(db, STMT_ACTIVITY_INSERT, p + 1, 12);
}

/* ---- applying a change ----------------------------------------------- */

int
lcm_refs_unchanged(const struct lcm_refs *refs, const struct lcm_change *c)
{
	int r;

	if (refs->case_load_id == 0)
		return 0;
	for (r = 0; r < ROLE__MAX; r++)
		if (c->given[r] && c->user[r] != refs->current[r])
			return 0;
	return 1;
}

static const char *
activity_type(int64_t prev, int64_t next)
{
	if (prev == 0)
		return "lcm_assigned";
	if (next == 0)
		return "lcm_removed";
	return "lcm_changed";
}

/* How one attempt of a change is asked for and what it did. */
struct attempt {
	struct db *db;
	const struct lcm_actor *who;
	const struct lcm_change *c;
	const struct lcm_precondition *pc;   /* NULL for none */
	int may_create;
	int nested;               /* inside the caller's transaction: a savepoint */
	struct care_team *team;   /* when not NULL, the state the change leaves */
	struct lcm_written *out;  /* lcm_write()'s, for a key's answer (its version), or NULL */
	const struct lcm_refs *refs;  /* the reference read (STMT_REFS's row), or NULL */
	char *at;                 /* 32 bytes for the team's time of the change */
	int committing;           /* COMMIT was sent */
	int64_t version;          /* the case load's, after the change */
	int64_t at_capacity[ROLE__MAX];  /* users a limit refused, per role */
	int overridden[ROLE__MAX];       /* roles whose limit override_capacity passed */
	int auth_overridden;      /* the member's authorization is not active: override_authorization */
	const char *authorization;  /* APP_EAUTHINACTIVE: the authorization's state */
};

/* Does a change from prev to next give anyone a role? */
static int
assigns(const int changed[ROLE__MAX], const int64_t next[ROLE__MAX])
{
	int r;

	for (r = 0; r < ROLE__MAX; r++)
		if (changed[r] && next[r] != 0)
			return 1;
	return 0;
}

/*
 * A change that gives a member an LCM while their ECM authorization is
 * not active on the clinic's day: APP_EAUTHINACTIVE, unless it overrides
 * that (at->auth_overridden then). m is the member's facts (present 0: no
 * member). APP_OK or APP_EAUTHINACTIVE.
 */
static enum app_err
check_authorization(struct attempt *at, const struct ecm_member *m)
{
	char day[TODAY_LEN];
	enum member_auth a;

	at->auth_overridden = 0;
	if (!m->present || m->auth_eff_date == NULL)
		return APP_OK;
	today(day);
	a = member_auth_on(m, day);
	if (a != AUTH_NOT_STARTED && a != AUTH_ENDED)
		return APP_OK;
	if (at->c->override_authorization) {
		at->auth_overridden = 1;
		return APP_OK;
	}
	at->authorization = member_auth_name(a);
	return APP_EAUTHINACTIVE;
}

/* The member's authorization dates, read for a change without a reference read. */
static enum app_err
member_read(struct db *db, int64_t patient_id, struct ecm_member *m, char eff[TODAY_LEN],
    char end[TODAY_LEN])
{
	char ids[32];
	struct db_param p;
	enum app_err rc;

	memset(m, 0, sizeof(*m));
	snprintf(ids, sizeof(ids), "[%" PRId64 "]", patient_id);
	p = DB_P_CSTR(ids);
	if ((rc = db_row(db, STMT_PATIENT_FACTS, &p, 1)) == APP_ENOROW)
		return APP_OK;
	if (rc != APP_OK)
		return rc;
	m->present = 1;
	if (!db_null(db, STMT_PATIENT_FACTS, PF_EFF)) {
		snprintf(eff, TODAY_LEN, "%s", db_str(db, STMT_PATIENT_FACTS, PF_EFF, NULL));
		m->auth_eff_date = eff;
	}
	if (!db_null(db, STMT_PATIENT_FACTS, PF_END)) {
		snprintf(end, TODAY_LEN, "%s", db_str(db, STMT_PATIENT_FACTS, PF_END, NULL));
		m->auth_end_date = end;
	}
	return APP_OK;
}

/* A limit's row as STMT_CAPACITY_LOCK reads it. */
struct cap_row {
	int64_t user;
	int64_t max[ROLE__MAX], count[ROLE__MAX];
	int64_t max_points[ROLE__MAX], medium[ROLE__MAX], high[ROLE__MAX];
};

/* The weight of a patient (its acuity's) with the clinic's weights, for a limit in points. */
static enum app_err
patient_weight(struct db *db, int64_t patient_id, struct lcm_weights *w, int64_t *weight)
{
	struct ecm_member m;
	char eff[TODAY_LEN], end[TODAY_LEN];
	enum app_err rc;

	if ((rc = lcm_weights_get(db, w)) != APP_OK || (rc = member_read(db, patient_id, &m, eff, end)) != APP_OK)
		return rc;
	*weight = w->weight[m.present ? lcm_acuity_of(db_null(db, STMT_PATIENT_FACTS, PF_ACUITY) ? NULL :
	    db_str(db, STMT_PATIENT_FACTS, PF_ACUITY, NULL)) : ACUITY_LOW];
	return APP_OK;
}

/*
 * The caseload limits of the users this change assigns (next, where
 * changed), read under the lock of their lcm_capacity rows: in patients,
 * and in points (the patient's weight added to the user's weighted load).
 * APP_OK, or APP_ECAPACITY with at->at_capacity set, or a database error.
 */
static enum app_err
check_capacity(struct db *db, struct attempt *at, const int changed[ROLE__MAX],
    const int64_t next[ROLE__MAX])
{
	static const unsigned cols[ROLE__MAX][6] = {
		[ROLE_OLCM] = {CAP_MAX_OLCM, CAP_OLCM_COUNT, CAP_MAX_OLCM_POINTS, CAP_OLCM_MEDIUM,
		    CAP_OLCM_HIGH},
		[ROLE_ILCM] = {CAP_MAX_ILCM, CAP_ILCM_COUNT, CAP_MAX_ILCM_POINTS, CAP_ILCM_MEDIUM,
		    CAP_ILCM_HIGH},
	};
	int check[ROLE__MAX], r, any = 0, refused = 0, pointed = 0;
	struct cap_row rows[ROLE__MAX];
	struct db_param p[ROLE__MAX];
	struct lcm_weights w;
	int64_t weight = 1, points;
	size_t n = 0, i;
	enum app_err rc;

	for (r = 0; r < ROLE__MAX; r++) {
		check[r] = changed[r] && next[r] != 0 && (at->c->limited & (1u << r));
		p[r] = check[r] ? DB_P_INT(next[r]) : DB_P_NULL;
		any |= check[r];
	}
	if (!any)
		return APP_OK;
	if ((rc = db_exec(db, STMT_CAPACITY_LOCK, p, ROLE__MAX)) != APP_OK)
		return rc;
	while (n < ROLE__MAX && (rc = db_next(db, STMT_CAPACITY_LOCK)) == APP_OK) {
		rows[n].user = db_int(db, STMT_CAPACITY_LOCK, CAP_USER_ID);
		for (r = 0; r < ROLE__MAX; r++) {
			const unsigned *c = cols[r];

			rows[n].max[r] = db_null(db, STMT_CAPACITY_LOCK, c[0]) ? -1 :
			    db_int(db, STMT_CAPACITY_LOCK, c[0]);
			rows[n].count[r] = db_int(db, STMT_CAPACITY_LOCK, c[1]);
			rows[n].max_points[r] = db_null(db, STMT_CAPACITY_LOCK, c[2]) ? -1 :
			    db_int(db, STMT_CAPACITY_LOCK, c[2]);
			rows[n].medium[r] = db_int(db, STMT_CAPACITY_LOCK, c[3]);
			rows[n].high[r] = db_int(db, STMT_CAPACITY_LOCK, c[4]);
			pointed |= check[r] && next[r] == rows[n].user && rows[n].max_points[r] >= 0;
		}
		n++;
	}
	db_done(db, STMT_CAPACITY_LOCK);
	if (rc != APP_ENOROW && rc != APP_OK)
		return rc;
	/* Only a limit in points needs the patient's weight (and the weights). */
	if (pointed && (rc = patient_weight(db, at->c->patient_id, &w, &weight)) != APP_OK)
		return rc;
	for (i = 0; i < n; i++)
		for (r = 0; r < ROLE__MAX; r++) {
			if (!check[r] || next[r] != rows[i].user)
				continue;
			points = rows[i].max_points[r] < 0 ? 0 :
			    lcm_points(&w, rows[i].count[r], rows[i].medium[r], rows[i].high[r]);
			if (!lcm_at_limit(rows[i].count[r], rows[i].max[r]) &&
			    !lcm_over_points(points, weight, rows[i].max_points[r]))
				continue;
			if (at->c->override_capacity)
				at->overridden[r] = 1;
			else {
				at->at_capacity[r] = rows[i].user;
				refused = 1;
			}
		}
	return refused ? APP_ECAPACITY : APP_OK;
}

/*
 * The care team an update leaves, without reading it again: the reference
 * read's row (STMT_REFS), with the changed roles' new users (whose names
 * that read fetched) assigned at the time the lock read ("YYYY-MM-DD
 * HH:MM:SS.fff", UTC). Only when the case load still held what that read
 * saw; else 0 (read it).
 */
static int
team_written(struct db *db, struct attempt *at, int64_t case_load_id,
    const int64_t prev[ROLE__MAX], const int64_t next[ROLE__MAX],
    const int changed[ROLE__MAX], const char *when, int64_t version)
{
	static const unsigned cols[ROLE__MAX][3] = {
		[ROLE_OLCM] = {REFS_NEW_OLCM_NAME, REFS_NEW_OLCM_EMAIL, REFS_NEW_OLCM_ACTIVE},
		[ROLE_ILCM] = {REFS_NEW_ILCM_NAME, REFS_NEW_ILCM_EMAIL, REFS_NEW_ILCM_ACTIVE},
	};
	struct care_team *t = at->team;
	struct lcm_person *p;
	int r;

	/* A reconnect between (a lost connection's retry) took the read's row. */
	if (at->refs == NULL || at->refs->case_load_id != case_load_id ||
	    at->refs->connection != db_connection(db) || strlen(when) != 23 || when[10] != ' ')
		return 0;
	for (r = 0; r < ROLE__MAX; r++)
		if (at->refs->current[r] != prev[r])
			return 0;  /* another writer came between: read what this one left */
	snprintf(at->at, 32, "%.10sT%.12sZ", when, when + 11);
	lcm_care_team_row(db, STMT_REFS, 0, t);
	for (r = 0; r < ROLE__MAX; r++) {
		if (!changed[r])
			continue;
		p = &t->lcm[r];
		p->user_id = next[r];
		p->name = next[r] ? db_str(db, STMT_REFS, cols[r][0], NULL) : "";
		p->email = next[r] ? db_str(db, STMT_REFS, cols[r][1], NULL) : "";
		p->active = next[r] ? db_int(db, STMT_REFS, cols[r][2]) != 0 : 0;
		p->assigned_at = next[r] ? at->at : "";
	}
	t->updated_at = at->at;
	t->version = version;
	return 1;
}

/*
 * The member's authorization allows what the change gives (as it stands
 * under the lock): from the reference read's row when there was one, else
 * read. APP_OK, APP_EAUTHINACTIVE or a database error.
 */
static enum app_err
authorized(struct db *db, struct attempt *at, const int changed[ROLE__MAX],
    const int64_t next[ROLE__MAX])
{
	char eff[TODAY_LEN], end[TODAY_LEN];
	struct ecm_member m;
	enum app_err rc;

	at->auth_overridden = 0;
	if (!assigns(changed, next))
		return APP_OK;
	if (at->refs != NULL)
		return check_authorization(at, &at->refs->member);
	if ((rc = member_read(db, at->c->patient_id, &m, eff, end)) != APP_OK)
		return rc;
	return check_authorization(at, &m);
}

/*
 * One attempt of lcm_apply(), inside one transaction. committing is set
 * once COMMIT was sent: a connection lost after that leaves the outcome to
 * be found out.
 */
static enum app_err
apply_once(struct db *db, struct attempt *at)
{
	const struct lcm_change *c = at->c;
	int64_t prev[ROLE__MAX], next[ROLE__MAX], version = 0;
	int changed[ROLE__MAX], nchanged = 0, r, written = 0;
	struct activity a = {0};
	char when[32] = "";
	enum app_err rc;

	memset(at->overridden, 0, sizeof(at->overridden));
	if ((rc = at->nested ? db_savepoint(db) : db_begin(db)) != APP_OK)
		return rc;
	rc = case_load_lock(db, c->patient_id);
	if (rc != APP_OK && rc != APP_ENOROW)
		goto fail;
	if (rc == APP_OK)
		version = db_int(db, STMT_CASE_LOAD_LOCK, LOCK_VERSION);
	/* If-Match, against the case load as this transaction holds it. */
	if (!lcm_precondition_holds(at->pc, version)) {
		rc = APP_EPRECONDITION;
		goto fail;
	}

	if (rc == APP_ENOROW) {
		if (!at->may_create) {
			rc = APP_ENOCASELOAD;
			goto fail;
		}
		prev[ROLE_OLCM] = prev[ROLE_ILCM] = 0;
		nchanged = lcm_next_roles(prev, c, next, changed);
		if ((rc = authorized(db, at, changed, next)) != APP_OK ||
		    (rc = check_capacity(db, at, changed, next)) != APP_OK)
			goto fail;
		if ((rc = case_load_insert(db, c->patient_id, next)) != APP_OK)
			goto fail;  /* APP_EDUP: another request created it: retry */
		if (db_affected(db, STMT_CASE_LOAD_INSERT) == 0) {
			rc = APP_ENOPATIENT;
			goto fail;
		}
		a.case_load_id = db_insert_id(db, STMT_CASE_LOAD_INSERT);
		version = 1;
	} else {
		a.case_load_id = db_int(db, STMT_CASE_LOAD_LOCK, LOCK_ID);
		prev[ROLE_OLCM] = db_int(db, STMT_CASE_LOAD_LOCK, LOCK_OLCM);
		prev[ROLE_ILCM] = db_int(db, STMT_CASE_LOAD_LOCK, LOCK_ILCM);
		snprintf(when, sizeof(when), "%s", db_str(db, STMT_CASE_LOAD_LOCK, LOCK_AT, NULL));
		if ((nchanged = lcm_next_roles(prev, c, next, changed)) > 0) {
			if ((rc = authorized(db, at, changed, next)) != APP_OK ||
			    (rc = check_capacity(db, at, changed, next)) != APP_OK)
				goto fail;
			if ((rc = case_load_update(db, a.case_load_id, changed, next, when)) != APP_OK)
				goto fail;
			version++;
		}
		if (at->team != NULL && nchanged > 0)
			written = team_written(db, at, a.case_load_id, prev, next, changed, when, version);
	}
	at->version = version;

	for (r = 0; r < ROLE__MAX; r++) {
		if (!changed[r])
			continue;
		a.role = (enum lcm_role)r;
		a.type = activity_type(prev[r], next[r]);
		a.previous_user_id = prev[r];
		a.new_user_id = next[r];
		a.overridden = at->overridden[r];
		a.auth_overridden = at->auth_overridden && next[r] != 0;
		a.at = when;
		if ((rc = activity_insert(db, at->who, c, &a)) != APP_OK)
			goto fail;
	}
	if (at->team != NULL && !written &&
	    (rc = lcm_care_team_get(db, c->patient_id, at->team)) != APP_OK)
		goto fail;
	if (at->nested)
		return db_release(db);  /* the caller's transaction decides */
	if (at->who->key != NULL) {
		/*
		 * The key's answer commits with the change (with nothing else when
		 * the change is none); a COMMIT lost on the wire is settled there.
		 */
		if (at->out != NULL)
			at->out->version = version;
		if ((rc = at->who->key->commit(db, at->who->key->arg)) != APP_OK)
			goto fail;
		return APP_OK;
	}
	if (nchanged == 0) {
		db_rollback(db);  /* nothing written: nothing to commit */
		return APP_OK;
	}
	at->committing = 1;
	if ((rc = db_commit(db)) != APP_OK)
		goto fail;
	return APP_OK;
fail:
	if (at->nested) {
		/*
		 * A deadlock or a lost connection took the whole transaction
		 * with it; so did anything after which its savepoint is gone:
		 * the caller's transaction must not go on (its next writes
		 * would commit on their own).
		 */
		if (rc != APP_ERETRY && rc != APP_EDBLOST && db_rollback_to(db) != APP_OK)
			rc = APP_ERETRY;
	} else
		db_rollback(db);
	return rc;
}

/* The engine's view of a change (engine.h). */
static enum app_err
apply_attempt(void *arg, int *committing)
{
	struct attempt *at = arg;
	enum app_err rc;

	at->committing = 0;
	rc = apply_once(at->db, at);
	*committing = at->committing;
	return rc;
}

static int
apply_tag(void *arg, char *out, size_t outsz)
{
	const struct attempt *at = arg;

	if (at->who->request_id == NULL || *at->who->request_id == '\0')
		return 0;
	snprintf(out, outsz, "%s", at->who->request_id);
	return 1;
}

/* lcm_apply(), as the attempt asks: once inside the caller's transaction, else by the engine. */
static enum app_err
apply(struct db *db, struct attempt *at)
{
	struct engine_write w = {&ENGINE_SINGLE, apply_attempt, apply_tag, NULL, at};
	enum app_err rc;
	int settled;

	at->db = db;
	if (at->nested)
		return apply_once(db, at);  /* nothing to retry inside: the caller's transaction is one */
	rc = engine_run(db, &w, &settled);
	/*
	 * Settled after a lost COMMIT: the new connection freed the rows the
	 * team pointed into: read it again (this change, or a later one).
	 */
	if (rc == APP_OK && settled && at->team != NULL)
		return lcm_care_team_get(db, at->c->patient_id, at->team);
	return rc;
}

enum app_err
lcm_apply(struct db *db, const struct lcm_actor *who, const struct lcm_change *c,
    unsigned flags, int64_t at_capacity[ROLE__MAX])
{
	struct attempt at = {.who = who, .c = c, .may_create = (flags & LCM_MAY_CREATE) != 0,
	    .nested = (flags & LCM_NESTED) != 0};
	enum app_err rc = apply(db, &at);

	if (at_capacity != NULL)
		memcpy(at_capacity, at.at_capacity, sizeof(at.at_capacity));
	return rc;
}

enum app_err
lcm_write(struct db *db, const struct lcm_actor *who, const struct lcm_change *c,
    const struct lcm_precondition *pc, unsigned flags, struct lcm_written *out)
{
	struct attempt at = {.who = who, .pc = pc, .may_create = (flags & LCM_MAY_CREATE) != 0,
	    .out = out};
	struct lcm_refs refs = {0};
	struct lcm_change lc = *c;
	enum app_err rc;
	int r, bad = 0;

	memset(out, 0, sizeof(*out));
	if ((rc = refs_read(db, c)) != APP_OK)
		return rc == APP_ENOROW ? APP_ENOPATIENT : rc;
	refs.case_load_id = db_int(db, STMT_REFS, CT_CASE_LOAD_ID);
	refs.current[ROLE_OLCM] = db_int(db, STMT_REFS, CT_OLCM_ID);
	refs.current[ROLE_ILCM] = db_int(db, STMT_REFS, CT_ILCM_ID);
	refs.connection = db_connection(db);
	memset(&refs.member, 0, sizeof(refs.member));
	if (!db_null(db, STMT_REFS, REFS_MEMBER_ID)) {
		/* Copied: a reconnect before the write would free the row. */
		refs.member.present = 1;
		if (!db_null(db, STMT_REFS, REFS_AUTH_EFF)) {
			snprintf(refs.auth_eff, sizeof(refs.auth_eff), "%s",
			    db_str(db, STMT_REFS, REFS_AUTH_EFF, NULL));
			refs.member.auth_eff_date = refs.auth_eff;
		}
		if (!db_null(db, STMT_REFS, REFS_AUTH_END)) {
			snprintf(refs.auth_end, sizeof(refs.auth_end), "%s",
			    db_str(db, STMT_REFS, REFS_AUTH_END, NULL));
			refs.member.auth_end_date = refs.auth_end;
		}
	}
	refs.eligible[ROLE_OLCM] = db_int(db, STMT_REFS, REFS_OLCM_OK) != 0;
	refs.eligible[ROLE_ILCM] = db_int(db, STMT_REFS, REFS_ILCM_OK) != 0;
	/* Only a user with a limit needs the limit's lock. */
	lc.limited = (db_int(db, STMT_REFS, REFS_OLCM_LIMITED) ? 1u << ROLE_OLCM : 0) |
	    (db_int(db, STMT_REFS, REFS_ILCM_LIMITED) ? 1u << ROLE_ILCM : 0);
	at.c = &lc;

	for (r = 0; r < ROLE__MAX; r++)
		if (c->given[r] && c->user[r] != 0 && !refs.eligible[r]) {
			out->ineligible[r] = c->user[r];
			bad = 1;
		}
	if (bad)
		return APP_EINVAL;
	/*
	 * If-Match as the case load stood at that read; a write re-checks it
	 * under the row's lock.
	 */
	if (!lcm_precondition_holds(pc, db_int(db, STMT_REFS, CT_VERSION)))
		return APP_EPRECONDITION;
	if (refs.case_load_id == 0 && !(flags & LCM_MAY_CREATE))
		return APP_ENOCASELOAD;
	/*
	 * A request that would change nothing, as the case load stood when
	 * read, takes effect at that read: no transaction, no lock, no row.
	 */
	if (lcm_refs_unchanged(&refs, c)) {
		out->version = db_int(db, STMT_REFS, CT_VERSION);
		if (flags & LCM_WANT_TEAM)
			lcm_care_team_row(db, STMT_REFS, 0, &out->team);
		return APP_OK;
	}
	/*
	 * An authorization that is not active refuses the change here, before
	 * any lock; the write checks it again under the lock (the roles it
	 * changes may differ by then).
	 */
	{
		int64_t next[ROLE__MAX];
		int changed[ROLE__MAX];

		lcm_next_roles(refs.current, c, next, changed);
		if (assigns(changed, next) && check_authorization(&at, &refs.member) != APP_OK) {
			out->authorization = at.authorization;
			return APP_EAUTHINACTIVE;
		}
	}
	out->changed = 1;
	at.team = flags & LCM_WANT_TEAM ? &out->team : NULL;
	at.refs = &refs;
	at.at = out->at;
	rc = apply(db, &at);
	out->version = at.version;
	out->authorization = at.authorization;
	memcpy(out->at_capacity, at.at_capacity, sizeof(at.at_capacity));
	return rc;
}
