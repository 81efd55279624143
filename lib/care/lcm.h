#ifndef LCM_LCM_H
#define LCM_LCM_H

#include <stddef.h>
#include <stdint.h>

#include "app.h"
#include "member.h"
#include "sql.h"
#include "today.h"

struct db;

/*
 * The Lead Care Manager domain: a patient's case load and its two roles.
 * lcm.c holds what both sides share, lcm_read.c the read models (care
 * team, list), lcm_write.c the write path.
 */

/* The two Lead Care Manager roles; indexes per-role arrays. */
enum lcm_role {
	ROLE_OLCM,
	ROLE_ILCM,
	ROLE__MAX
};

/* "olcm" / "ilcm"; "" out of range. */
const char *lcm_role_name(enum lcm_role);

/* The role named s, or -1. */
int lcm_role_parse(const char *s);

/*
 * One requested change of a patient's case load: for each role with
 * given[role] set, user[role] is the new user, 0 to clear the role.
 */
struct lcm_change {
	int64_t patient_id;
	int given[ROLE__MAX];
	int64_t user[ROLE__MAX];
	const char *reason;       /* the reason's note, NULL when none; borrowed */
	size_t reason_len;
	const char *reason_code;  /* one of lcm_reason_codes, NULL when none; borrowed */
	const char *source;       /* what made it: "assign", "update", "remove", "bulk", "transfer" */
	int override_capacity;    /* a caseload limit may be passed (recorded in the history) */
	int override_authorization;  /* a member whose ECM authorization is not active may be
	                                given an LCM (recorded in the history) */
	unsigned limited;         /* 1 << role: that role's new user may have a limit (check it) */
};

#define LCM_LIMITED_ALL ((1u << ROLE__MAX) - 1)

/* The reason codes a change may give, NULL-terminated. */
extern const char *const lcm_reason_codes[];

/* Non-zero when s is one of lcm_reason_codes. */
int lcm_reason_code_ok(const char *s);

/*
 * If-Match on a write (If-None-Match on a read): absent, "*" (the case
 * load must exist) or a list of entity tags, one of which must be the case
 * load's: its version, quoted ("0": there is none yet). Tags are opaque
 * strings (RFC 9110 8.8.3): "05" is not "5". The list is the header's
 * text, borrowed, checked by hdr_etags(); all of it counts, however long.
 */
struct lcm_precondition {
	int present;
	int any;
	int weak_ok;        /* weak comparison (If-None-Match): W/"5" is "5" */
	const char *tags;   /* the list, NULL with any */
};

/* Non-zero when the precondition holds for a case load of this version (0: none). */
int lcm_precondition_holds(const struct lcm_precondition *, int64_t version);

/*
 * What change c makes of a case load whose roles are prev (0: empty; all 0
 * for a case load not made yet): next[] for each role, changed[] where it
 * differs. Returns how many roles change. Every write path decides here.
 */
int lcm_next_roles(const int64_t prev[ROLE__MAX], const struct lcm_change *c,
    int64_t next[ROLE__MAX], int changed[ROLE__MAX]);

/* Would one more patient in a role pass a limit of max (-1: none) at count? */
int lcm_at_limit(int64_t count, int64_t max);

/*
 * Caseload weights: the points each acuity weighs (acuity_weights, 1 to
 * 100 each); a patient without an acuity weighs as a low one.
 */
enum lcm_acuity {
	ACUITY_LOW,
	ACUITY_MEDIUM,
	ACUITY_HIGH,
	ACUITY__MAX
};

/* The acuity named s ("low", "medium", "high"); ACUITY_LOW for NULL or another. */
enum lcm_acuity lcm_acuity_of(const char *s);

/* "low", "medium", "high". */
const char *lcm_acuity_name(enum lcm_acuity);

/* The weights of the clinic: weight[acuity]. */
struct lcm_weights {
	int64_t weight[ACUITY__MAX];
};

/*
 * The weighted load of count patients in a role, medium and high of them
 * of that acuity (the rest low or none).
 */
int64_t lcm_points(const struct lcm_weights *, int64_t count, int64_t medium, int64_t high);

/*
 * Would a patient of weight w pass a limit of max points (-1: none) at
 * points? A patient heavier than the whole limit passes it too.
 */
int lcm_over_points(int64_t points, int64_t w, int64_t max);

/* Read the clinic's weights (a missing row weighs 1). APP_OK or a database error. */
enum app_err lcm_weights_get(struct db *, struct lcm_weights *out);

/*
 * Set the weights given (given[a] non-zero) and read them all back into
 * out, in one transaction. APP_OK or a database error.
 */
enum app_err lcm_weights_set(struct db *, int64_t actor, const int given[ACUITY__MAX],
    const struct lcm_weights *w, struct lcm_weights *out);

#define LCM_REQUEST_ID_MAX APP_REQUEST_ID_MAX

/*
 * How a keyed write ends its transaction in place of COMMIT: commit(db,
 * arg) keeps the key's answer in the same transaction and commits both
 * (for an Idempotency-Key, idem_commit(): the domain knows no HTTP). A
 * COMMIT lost on the wire is settled by what it keeps.
 */
struct lcm_key {
	enum app_err (*commit)(struct db *, void *arg);
	void *arg;
};

/* Who makes a change, for the activity rows. */
struct lcm_actor {
	int64_t user_id;
	const char *request_id;  /* unique per change: nginx's id, "#N" added per bulk item */
	const struct lcm_key *key;  /* the key the write runs under, or NULL */
};

/*
 * A person on a case load. Strings are borrowed from the database
 * library's row storage (see each function for how long they live).
 */
struct lcm_person {
	int64_t user_id;          /* 0 when the role is unassigned */
	int active;               /* 0 for a deactivated user still holding the role */
	const char *name;
	const char *email;
	const char *assigned_at;  /* "" when unset */
};

/* A patient with its case load and the people on it. */
struct care_team {
	int64_t patient_id;
	const char *patient_name;
	int64_t case_load_id;   /* 0 when the patient has no case load */
	int64_t provider_id;    /* 0 when none */
	const char *provider_name;  /* NULL when none */
	struct lcm_person lcm[ROLE__MAX];
	const char *created_at;
	const char *updated_at;
	int64_t version;        /* of the case load; 0 when there is none */
	struct ecm_member member;  /* the patient as an ECM member: lcm_care_team_get() only */
};

/* ---- read models (lcm_read.c) ------------------------------------------ */

/*
 * Read a patient's care team, with the patient's facts as an ECM member
 * (their authorization on the clinic's day, today()). APP_OK, APP_ENOPATIENT when there is no such patient, or a database
 * error. Strings live until the next care-team read.
 */
enum app_err lcm_care_team_get(struct db *, int64_t patient_id, struct care_team *out);

/*
 * The care team in the current row of stmt, whose columns from base on
 * are those of STMT_CARE_TEAM (CT_*): for statements that read it beside
 * other things. Strings live until stmt runs again.
 */
void lcm_care_team_row(struct db *, enum stmt, unsigned base, struct care_team *out);

/* What the list endpoint asks for, already validated. */
struct lcm_list_query {
	int64_t page;        /* >= 1 */
	int64_t per_page;    /* 1..100 */
	const char *search;  /* NULL or "" for no filter */
	int role;            /* -1 any, else an enum lcm_role */
	int by_workload;     /* sort=workload: fewest patients first */
	int by_points;       /* sort=weighted_workload: the lightest weighted load first */
	int available;       /* only users below the limit (of role, or of either) */
	int inactive;        /* deactivated users still holding patients, instead */
};

/* One user of the list; strings live until the next lcm_list_next(). */
struct lcm_row {
	int64_t id;
	const char *name;
	const char *email;
	const char *roles;   /* sorted names, comma-separated */
	int64_t assigned_patients_count;
	int64_t count[ROLE__MAX];
	int64_t max[ROLE__MAX];     /* the limit; -1 for none */
	int64_t points[ROLE__MAX];  /* the weighted load (lcm_points()) */
	int64_t max_points[ROLE__MAX];  /* the limit in points; -1 for none */
	int active;
	int eligible;               /* active with the ecm role */
};

/*
 * At or past a limit in a role (never without one): its count, or its
 * points (no patient, however light, fits).
 */
int lcm_row_at_capacity(const struct lcm_row *, enum lcm_role);

/* One user as the list shows them. APP_OK, APP_ENOUSER or a database error. */
enum app_err lcm_user_get(struct db *, int64_t user_id, struct lcm_row *out);

/*
 * Whether a user is a Lead Care Manager to the API: eligible to be one
 * (active with ecm), or holding patients as one (a deactivated person, say).
 */
int lcm_row_is_lcm(const struct lcm_row *);

/*
 * One Lead Care Manager (lcm_row_is_lcm) as the list shows them, read by
 * id. APP_OK, APP_ENOUSER for no such user or one who is neither eligible
 * nor holding patients, or a database error.
 */
enum app_err lcm_person_get(struct db *, int64_t user_id, struct lcm_row *out);

/* A user's limits, in patients and in points, per role; -1: none. */
struct lcm_limits {
	int64_t max[ROLE__MAX];
	int64_t max_points[ROLE__MAX];
};

/*
 * Set a user's limits and read the user back into out. The user must be
 * eligible: APP_EINVAL otherwise (an unknown user too).
 */
enum app_err lcm_capacity_set(struct db *, int64_t actor, int64_t user_id,
    const struct lcm_limits *, struct lcm_row *out);

/* One of a user's current patients; strings live until the next call. */
struct lcm_user_patient {
	int64_t patient_id;
	const char *patient_name;
	const char *role;
	const char *assigned_at;
};

/*
 * Start listing a user's current patients (role -1: both), one row per
 * patient and role, by patient id: *total of them. Then
 * lcm_user_patients_next() until APP_ENOROW. APP_ENOUSER for no such user.
 */
enum app_err lcm_user_patients(struct db *, int64_t user_id, int role, int64_t page,
    int64_t per_page, int64_t *total);
enum app_err lcm_user_patients_next(struct db *, struct lcm_user_patient *out);

/*
 * Start the list: count the eligible users matching q into *total and,
 * when the page is not past the end, run the page's query. Then read its
 * rows with lcm_list_next() until it answers APP_ENOROW. Two queries
 * whatever the page size. APP_OK, APP_EINVAL (search too long for the
 * pattern) or a database error.
 */
enum app_err lcm_list(struct db *, const struct lcm_list_query *, int64_t *total);
enum app_err lcm_list_next(struct db *, struct lcm_row *out);

/*
 * Escape s for LIKE ... ESCAPE '!' and wrap it in '%': the result matches
 * s as a literal substring. Returns the length written, or -1 when out is
 * too small.
 */
long lcm_like_pattern(const char *s, char *out, size_t outsz);

/* A sorted set of ids returned by the batch look-ups. */
struct id_set {
	int64_t *ids;
	size_t n;
};

/* Non-zero when id is in the set. */
int id_set_has(const struct id_set *, int64_t id);

/* Release the set's storage; safe to call twice. */
void id_set_free(struct id_set *);

/*
 * Of the n ids, those naming an existing patient (lcm_patients_existing)
 * or a user eligible to be a Lead Care Manager: active with the "ecm" role
 * (lcm_users_eligible). One query whatever n is. The caller frees out
 * with id_set_free(). Returns APP_OK, APP_ENOMEM or a database error.
 */
enum app_err lcm_patients_existing(struct db *, const int64_t *ids, size_t n,
    struct id_set *out);
enum app_err lcm_users_eligible(struct db *, const int64_t *ids, size_t n,
    struct id_set *out);

/* The same for any statement taking a JSON array of ids and answering ids. */
enum app_err lcm_id_lookup(struct db *, enum stmt, const int64_t *ids, size_t n,
    struct id_set *out);

/* ---- the write path (lcm_write.c) ------------------------------------ */

enum lcm_write_flags {
	LCM_MAY_CREATE = 1 << 0,  /* a patient without a case load gets one (POST) */
	LCM_WANT_TEAM = 1 << 1,   /* answer with the care team the write left */
	LCM_NESTED = 1 << 2       /* inside the caller's transaction (a dry run): a savepoint */
};

/* What the reference read tells about a change before it is applied. */
struct lcm_refs {
	int eligible[ROLE__MAX];     /* the given user may take the role (0 when not given) */
	int64_t case_load_id;        /* 0 when the patient has no case load */
	int64_t current[ROLE__MAX];  /* the roles as they stand, 0 when empty */
	struct ecm_member member;    /* the patient's authorization dates (member.present: a member),
	                                pointing into the copies below */
	char auth_eff[TODAY_LEN], auth_end[TODAY_LEN];
	unsigned connection;         /* db_connection() of the read: its row is gone with it */
};

/*
 * Non-zero when applying c to the case load described by refs would change
 * nothing: it exists and every given role already holds the given user.
 */
int lcm_refs_unchanged(const struct lcm_refs *, const struct lcm_change *c);

/* What one write found and did. */
struct lcm_written {
	int changed;                    /* rows were written */
	int64_t version;                /* the case load's version after the write (0: none) */
	int64_t ineligible[ROLE__MAX];  /* given users who may not take their role, else 0 */
	int64_t at_capacity[ROLE__MAX]; /* given users at their limit in the role, else 0 */
	const char *authorization;      /* APP_EAUTHINACTIVE: "not_started" or "ended" */
	struct care_team team;          /* with LCM_WANT_TEAM: the state this write produced */
	char at[32];                    /* the team's time of the change, when written here */
};

/*
 * One change, whole: check its references in one query (the patient
 * exists, every named user is eligible), then apply it in one
 * transaction (see lcm_apply()) and, with LCM_WANT_TEAM, read the care
 * team inside that transaction, so the answer is the state this write
 * produced, not a later writer's. A change that would change nothing
 * takes effect at the reference read: no transaction, no row, the team
 * from that read. A precondition (If-Match, NULL for none) is checked
 * against the case load under its lock. Returns APP_OK; APP_ENOPATIENT;
 * APP_EINVAL with out->ineligible set; APP_EPRECONDITION, nothing
 * changed; APP_ENOCASELOAD without LCM_MAY_CREATE; APP_EAUTHINACTIVE
 * when it gives someone a role of a member whose ECM authorization is not
 * active on the clinic's day (today.h) and c does not override that;
 * APP_ECAPACITY with out->at_capacity set; or an error of lcm_apply(). The team's strings
 * live until the next read. With who->key, the transaction ends with
 * its commit(): the key's answer (rendered from out) commits with the
 * change, or alone when under the lock the change turns out to be none.
 */
enum app_err lcm_write(struct db *, const struct lcm_actor *, const struct lcm_change *,
    const struct lcm_precondition *, unsigned flags, struct lcm_written *out);

/*
 * Apply one change whose references were checked: lock (or create, with
 * LCM_MAY_CREATE) the patient's case load, check the caseload limits of
 * its new users under their locks, write the roles that change and one
 * patient activity row per changed role, commit (with LCM_NESTED, release
 * a savepoint in the caller's transaction instead: nothing is committed). Re-assigning the
 * current user changes nothing and writes nothing. Deadlocks and create
 * races are retried a bounded number of times; a lock wait timeout is not
 * (it has already waited). A connection lost on the way is re-established
 * once: before COMMIT the change is applied again, during COMMIT the
 * activity rows tagged with the request id tell whether it happened, so a
 * change is never applied twice.
 *
 * Returns APP_OK; APP_ENOCASELOAD when the patient has no case load and
 * may not be given one; APP_ENOPATIENT when the patient vanished;
 * APP_ECAPACITY with at_capacity set (when not NULL); APP_ERETRY when
 * retries ran out (nested: at the first deadlock, the caller's transaction
 * being lost); APP_ELOCKED; APP_EDBLOST when the database stays away (the
 * change was not applied); APP_EUNKNOWN when it went during COMMIT and
 * whether the change was applied cannot be learnt; APP_EDB.
 */
enum app_err lcm_apply(struct db *, const struct lcm_actor *,
    const struct lcm_change *, unsigned flags, int64_t at_capacity[ROLE__MAX]);

/* ---- set-based runs (transfer.c, auto_assign.c, bulk.c, release.c) ------- */

/* A user who gives or takes patients: before, and as planned. */
struct lcm_move_user {
	int64_t user_id;
	int eligible;
	int64_t max[ROLE__MAX];       /* -1: no limit */
	int64_t before[ROLE__MAX];
	int64_t after[ROLE__MAX];     /* before, plus or minus the planned moves */
	int64_t max_points[ROLE__MAX];  /* -1: no limit */
	int64_t points[ROLE__MAX];    /* the weighted load, as planned */
};

/* One patient's role, from one user (or none) to another. */
struct lcm_move {
	int64_t patient_id;
	int64_t case_load_id;         /* 0: none yet */
	enum lcm_role role;
	int64_t from_user;            /* 0: the role is empty */
	int64_t before[ROLE__MAX];    /* the case load's roles before the run (0: empty) */
	int64_t to_user;              /* 0 when it fails */
	int continuity;               /* to its previous holder (auto-assign) */
	int overridden;               /* past the taker's limit, by override_capacity */
	int auth_overridden;          /* to a member whose authorization is not active */
	int64_t weight;               /* the patient's, in points */
	size_t item;                  /* bulk: the item's index + 1 (its request id's "#N"); else 0 */
	const struct lcm_change *change;  /* bulk: the item's (its reason); else the run's */
	const char *error;            /* why it fails, NULL when it goes ahead */
	char errbuf[96];
};

/* A patient who is an ECM member, as a set-based run weighs and checks them. */
struct lcm_member_fact {
	int64_t patient_id;
	enum lcm_acuity acuity;
	enum member_auth auth;        /* on the clinic's day of the run */
};

struct lcm_move_plan {
	struct lcm_move *moves;
	size_t n, cap;
	struct lcm_weights weights;   /* read with the users (move_load_users()) */
	struct lcm_member_fact *facts;  /* the members among the run's patients, by patient id */
	size_t nfacts;
	struct lcm_move_user *users;  /* the takers, and the giver of a transfer */
	size_t nusers;
	int more;                     /* auto-assign of the unassigned: more remain */
	int64_t ineligible;           /* a named taker who may not take patients */
	int64_t remaining;            /* release: ended members still holding an LCM after it */
	int unknown;                  /* the connection went during COMMIT and stayed away */
};

void lcm_move_plan_free(struct lcm_move_plan *);

/* How many patients the plan's moves that go ahead are of. */
size_t lcm_move_plan_patients(const struct lcm_move_plan *);

/*
 * Choose the taker of one move of role r, of a patient of weight points,
 * among users (skipping exclude and the ineligible): the most room below
 * its limit (in points where it has a limit in points, else in patients;
 * no limit: the most), then the lightest weighted load in the role, then
 * the fewest patients, then the lowest id; with override, one at its limit
 * too. Counts the move in its after[] and points[]. The index, or -1 when
 * none may take it. Deterministic: the same users give the same plan.
 * With every weight 1 and no limit in points, this is a choice by counts.
 */
long lcm_pick_taker(struct lcm_move_user *users, size_t n, enum lcm_role r, int64_t weight,
    int override, int64_t exclude);

struct lcm_transfer {
	int64_t from_user;
	const int64_t *to;            /* the takers */
	size_t nto;
	int role;                     /* -1: both */
	const int64_t *patients;      /* NULL: all the giver's */
	size_t npatients;
	int override_capacity;
	int override_authorization;   /* members whose authorization is not active move too */
	int dry_run;
};

struct lcm_auto {
	int role;
	const int64_t *patients;      /* NULL with unassigned */
	size_t npatients;
	int unassigned;               /* the first LCM_AUTO_MAX patients lacking the role */
	const int64_t *users;         /* NULL: every eligible user */
	size_t nusers;
	int dry_run;
};

#define LCM_AUTO_MAX 1000

/*
 * Move a user's patients (all, or those named; in one role or both) to the
 * takers, shared as lcm_pick_taker() says, in one transaction: each case
 * load locked, the takers' limits checked under their locks, one activity
 * row per move with source "transfer" and c's reason. A dry run does it
 * all and rolls back: its plan is the one the real run then makes. The
 * plan is filled either way. With who->key, a real run ends with
 * its commit(): the key's answer (rendered from the plan) commits with
 * the moves, or alone when there are none. APP_OK; APP_ENOUSER (no such
 * giver); APP_EINVAL with plan->ineligible (a taker may not take
 * patients); APP_ERETRY, APP_ELOCKED, APP_EDBLOST, APP_EUNKNOWN, APP_EDB as
 * lcm_apply().
 */
enum app_err lcm_transfer_run(struct db *, const struct lcm_actor *, const struct lcm_change *c,
    const struct lcm_transfer *, struct lcm_move_plan *plan);

/*
 * Fill a role for the patients named, or for the patients lacking it, by
 * the same rule, preferring a patient's previous holder of the role while
 * still eligible, among the takers and below the limit (continuity of
 * care). Case loads are made for patients without one. As lcm_transfer_run().
 */
enum app_err lcm_auto_assign_run(struct db *, const struct lcm_actor *, const struct lcm_change *c,
    const struct lcm_auto *, struct lcm_move_plan *plan);

/* The patients one release of ended authorizations takes at most (the rest: plan->remaining). */
#define LCM_RELEASE_MAX 1000

struct lcm_release {
	const char *day;              /* the clinic's day, YYYY-MM-DD (today()) */
	const char *note;             /* the reason's note, NULL for none; borrowed */
	size_t note_len;
	int dry_run;
};

/*
 * Release the Lead Care Managers of the ECM members whose authorization
 * ended before r->day (member_auth_on(): the end date is before it): of
 * the first LCM_RELEASE_MAX such patients holding one, by id, both roles
 * cleared in one transaction, as a transfer moves them (move_write()): one
 * activity row per role (lcm_removed, reason code authorization_ended and
 * r's note, source "release_ended", who->user_id as the actor, none for 0:
 * an operator's), the holders' workloads kept, whoever they are (a
 * deactivated holder too). plan: one move per role released (to_user 0),
 * the holders' counts before and after, and remaining, the patients
 * left for another run. A dry run does it all and rolls back. A real run
 * notes each move in the PHI access log (ACCESS_RELEASE_ENDED) once
 * committed. With who->key, as lcm_transfer_run(). APP_OK, or
 * APP_ERETRY, APP_ELOCKED, APP_EDBLOST, APP_EUNKNOWN, APP_EDB as
 * lcm_apply().
 */
enum app_err lcm_release_ended_run(struct db *, const struct lcm_actor *,
    const struct lcm_release *r, struct lcm_move_plan *plan);

/* What became of one item of a bulk assignment. */
enum lcm_bulk_outcome {
	LCM_BULK_OK,            /* applied (a dry run: would be) */
	LCM_BULK_NO_PATIENT,    /* no such patient */
	LCM_BULK_INELIGIBLE,    /* a named user may not take the role: ineligible[] */
	LCM_BULK_AT_CAPACITY,   /* a named user is at the role's limit: at_capacity[] */
	LCM_BULK_AUTH_INACTIVE, /* the member's ECM authorization is not active: authorization */
	LCM_BULK_UNKNOWN,       /* it wrote rows and the database went during COMMIT: it may
	                           or may not have been applied */
	LCM_BULK_BUSY,          /* concurrent changes kept it out: not applied */
	LCM_BULK_LATE,          /* not attempted: the run's time ran out */
	LCM_BULK_NOT_SENT,      /* not applied: the database went before or while it was */
	LCM_BULK_FAILED         /* not applied, for another reason (logged) */
};

/* One item of a bulk assignment, and what became of it. */
struct lcm_bulk_item {
	struct lcm_change c;            /* checked; the caller sets skip for a bad one */
	int skip;                       /* failed before the run: not looked at */
	enum lcm_bulk_outcome outcome;  /* of an item not skipped */
	int64_t ineligible[ROLE__MAX];  /* with LCM_BULK_INELIGIBLE: those users, else 0 */
	int64_t at_capacity[ROLE__MAX]; /* with LCM_BULK_AT_CAPACITY: those users, else 0 */
	const char *authorization;      /* with LCM_BULK_AUTH_INACTIVE: "not_started" or "ended" */
};

/*
 * A bulk assignment: the items' changes (source "bulk"), in order, each
 * failing alone, each item's activity rows carrying who->request_id with
 * "#N" (N its position from 1). The items are run set-based (lcm_bulk_run()); when
 * that fails with nothing applied because a case load stayed locked by
 * another transaction, or because the database refused a statement, they
 * are applied one by one instead (lcm_bulk_each()). Without a key, a
 * database that went away before anything was applied is answered per
 * item (LCM_BULK_NOT_SENT, send it again); with one it is APP_EDBLOST,
 * whose retry under the same key runs again. With dry_run nothing is
 * committed: each outcome is the one the real run would give now.
 * budget_seconds bounds the item-by-item run (lcm_bulk_each()). The items
 * applied are in the access log (ACCESS_BULK) once committed.
 *
 * With who->key, the key's answer commits with the items (its commit()):
 * the answer, rendered by the caller, reads the items' outcomes, which are
 * final whenever it is called. APP_OK with every item's outcome set; else what
 * stops the whole request, as lcm_bulk_run() and lcm_bulk_each() say.
 */
enum app_err lcm_bulk(struct db *, const struct lcm_actor *who, struct lcm_bulk_item *items,
    size_t n, int dry_run, int budget_seconds);

/*
 * The set-based run of a bulk assignment: every item's patient and users
 * looked up at once, every case load named locked at once (in patient
 * order, waiting a second at most), the items decided in order in memory
 * against the state the earlier ones left (so a later item for a patient
 * sees an earlier one, and limits count the earlier items' patients), then
 * one INSERT of the missing case loads, one UPDATE of the changed ones and
 * one INSERT of the activity rows (source "bulk", each with its item's
 * reason and the request id with "#N"), committed together: either every
 * item that succeeded is applied or none is. An item fails alone. A dry
 * run does it all and rolls back. Deadlocks and create races are retried;
 * a COMMIT lost on the wire is settled by the activity rows. With
 * who->key, as lcm_transfer_run(): the answer commits with the items (and
 * a COMMIT whose outcome cannot be learnt is APP_EUNKNOWN, not per item).
 *
 * APP_OK with each item's outcome (LCM_BULK_OK, _NO_PATIENT, _INELIGIBLE,
 * _AT_CAPACITY; _UNKNOWN for the items that would have been applied when
 * the database went away during COMMIT and stayed away, so that nobody
 * can tell); APP_ELOCKED when a case load stayed locked by another
 * transaction, or APP_EDB when the database refused a statement (nothing
 * was applied either way: the caller may apply the items one by one
 * instead); APP_ERETRY, APP_EDBLOST, APP_ENOMEM with nothing applied.
 */
enum app_err lcm_bulk_run(struct db *, const struct lcm_actor *, struct lcm_bulk_item *items,
    size_t n, int dry_run);

/*
 * The item-by-item run of a bulk assignment: the items' patients and users
 * looked up at once, then each item applied in order as a single
 * assignment is (lcm_apply()), a failure its own. A dry run, or a run
 * under who->key, applies them in one transaction, each under a
 * savepoint: rolled back (a dry run) or committed with the key's answer
 * (its commit()). Otherwise each commits alone and is in the access log
 * at once. Once budget_seconds have passed since the run began the items
 * left are not attempted (LCM_BULK_LATE). The database going away stops
 * the run but not the answer: the item it happened to is LCM_BULK_NOT_SENT
 * (or _UNKNOWN: during its COMMIT), those after it _NOT_SENT.
 *
 * APP_OK with every item's outcome set. Else what stops the whole
 * request: a database error of the look-ups (nothing applied; without one
 * transaction APP_EDBLOST is answered per item instead), APP_ENOMEM; in
 * one transaction APP_EDBLOST or APP_ERETRY (it lost to a deadlock), with
 * nothing applied, or an error of the key's commit() (APP_EUNKNOWN: whether the
 * items were applied cannot be learnt).
 */
enum app_err lcm_bulk_each(struct db *, const struct lcm_actor *who, struct lcm_bulk_item *items,
    size_t n, int dry_run, int budget_seconds);

/* ---- history (lcm_read.c) ---------------------------------------------- */

struct lcm_history_query {
	int64_t patient_id;
	int64_t page;        /* >= 1 */
	int64_t per_page;    /* 1..100 */
	int role;            /* -1 both, else an enum lcm_role */
};

/* One assignment period; strings live until the next lcm_history_next(). */
struct lcm_period {
	const char *role;
	int64_t user_id;
	const char *user_name;
	const char *user_email;
	const char *started_at;
	const char *ended_at;        /* NULL while current */
	int64_t started_by;
	const char *started_by_name;
	int64_t ended_by;            /* 0 while current */
	const char *ended_by_name;
	const char *reason_code;     /* NULL when none */
	const char *reason_note;     /* NULL when none */
	const char *source;
	int capacity_override;       /* it passed the user's caseload limit */
	int authorization_override;  /* it gave an LCM to a member whose authorization was not active */
};

/*
 * Start reading a patient's assignment periods, newest first: *total of
 * them match q. Then lcm_history_next() until APP_ENOROW. APP_OK,
 * APP_ENOPATIENT, or a database error.
 */
enum app_err lcm_history(struct db *, const struct lcm_history_query *, int64_t *total);
enum app_err lcm_history_next(struct db *, struct lcm_period *out);

/* Does the patient exist? APP_OK, APP_ENOPATIENT or a database error. */
enum app_err lcm_patient_exists(struct db *, int64_t patient_id);

#endif
