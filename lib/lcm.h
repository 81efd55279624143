#ifndef LCM_LCM_H
#define LCM_LCM_H

#include <stddef.h>
#include <stdint.h>

#include "app.h"

struct db;

/* The two Lead Care Manager roles; indexes per-role arrays. */
enum lcm_role {
	ROLE_OLCM,
	ROLE_ILCM,
	ROLE__MAX
};

/* "olcm" / "ilcm". */
const char *lcm_role_name(enum lcm_role);

/*
 * One requested change of a patient's case load: for each role with
 * given[role] set, user[role] is the new user, 0 to clear the role.
 */
struct lcm_change {
	int64_t patient_id;
	int given[ROLE__MAX];
	int64_t user[ROLE__MAX];
	const char *reason;   /* NULL when none; borrowed */
	size_t reason_len;
};

#define LCM_REQUEST_ID_MAX 64

/* Who makes a change, for the activity rows. */
struct lcm_actor {
	int64_t user_id;
	const char *request_id;  /* unique per change: nginx's id, "#N" added per bulk item */
};

/*
 * Apply one change atomically: lock (or create, when may_create) the
 * patient's case load, write the roles that change and one patient
 * activity row per changed role, commit. Re-assigning the current user
 * changes nothing and writes nothing. Deadlocks and create races are
 * retried a bounded number of times; a lock wait timeout is not (it has
 * already waited). A connection lost on the way is re-established once:
 * before COMMIT the change is applied again, during COMMIT the activity
 * rows tagged with the request id tell whether it happened, so a change is
 * never applied twice.
 *
 * The caller has checked that the patient exists and that the users are
 * eligible. Returns APP_OK; APP_ENOCASELOAD when the patient has no case
 * load and may_create is 0; APP_ENOPATIENT when the patient vanished;
 * APP_ERETRY when retries ran out; APP_ELOCKED; APP_EDBLOST when the
 * database stays away; APP_EDB.
 */
enum app_err lcm_apply(struct db *, const struct lcm_actor *,
    const struct lcm_change *, int may_create);

/* What one query tells about a change before it is applied. */
struct lcm_refs {
	int patient_ok;            /* the patient exists */
	int eligible[ROLE__MAX];   /* the given user may take the role (0 when not given) */
	int64_t case_load_id;      /* 0 when the patient has no case load */
	int64_t current[ROLE__MAX];  /* the roles as they stand, 0 when empty */
};

/*
 * The references of one change and the case load as it stands, in one
 * query (no lock). APP_OK or a database error.
 */
enum app_err lcm_refs_check(struct db *, const struct lcm_change *, struct lcm_refs *out);

/*
 * Non-zero when applying c to the case load described by refs would change
 * nothing: it exists and every given role already holds the given user.
 */
int lcm_refs_unchanged(const struct lcm_refs *, const struct lcm_change *c);

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

#define LCM_NAME_MAX 1024
#define LCM_TIME_MAX 32

struct lcm_person {
	int64_t user_id;    /* 0 when the role is unassigned */
	char name[LCM_NAME_MAX];
	char email[LCM_NAME_MAX];
	char assigned_at[LCM_TIME_MAX];
};

/* A patient with its case load and the people on it. */
struct care_team {
	int64_t patient_id;
	char patient_name[LCM_NAME_MAX];
	int64_t case_load_id;   /* 0 when the patient has no case load */
	int64_t provider_id;    /* 0 when none */
	char provider_name[LCM_NAME_MAX];
	int has_provider_name;
	struct lcm_person lcm[ROLE__MAX];
	char created_at[LCM_TIME_MAX];
	char updated_at[LCM_TIME_MAX];
};

/*
 * Read a patient's care team. APP_OK, APP_ENOPATIENT when there is no such
 * patient, or a database error.
 */
enum app_err lcm_care_team_get(struct db *, int64_t patient_id, struct care_team *out);

/* What the list endpoint asks for, already validated. */
struct lcm_list_query {
	int64_t page;        /* >= 1 */
	int64_t per_page;    /* 1..100 */
	const char *search;  /* NULL or "" for no filter */
	int role;            /* -1 any, else an enum lcm_role */
};

struct lcm_row {
	int64_t id;
	char name[LCM_NAME_MAX];
	char email[LCM_NAME_MAX];
	char roles[2048];    /* sorted names, comma-separated */
	int64_t assigned_patients_count;
	int64_t count[ROLE__MAX];
};

struct lcm_page {
	struct lcm_row *rows;
	size_t n;
	int64_t total_count;
};

/*
 * One page of eligible users with their workloads, plus the total count:
 * two queries whatever the page size. The caller frees out with
 * lcm_page_free(). Returns APP_OK, APP_ENOMEM or a database error.
 */
enum app_err lcm_list(struct db *, const struct lcm_list_query *, struct lcm_page *out);

/* Release a page; safe to call twice. */
void lcm_page_free(struct lcm_page *);

/*
 * Escape s for LIKE ... ESCAPE '!' and wrap it in '%': the result matches
 * s as a literal substring. Returns the length written, or -1 when out is
 * too small.
 */
long lcm_like_pattern(const char *s, char *out, size_t outsz);

#endif
