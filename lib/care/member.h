#ifndef LCM_MEMBER_H
#define LCM_MEMBER_H

#include <stdint.h>

#include "app.h"
#include "sql.h"

struct db;

/*
 * A patient as a health plan's ECM member: the facts its MIF gave
 * (ecm_members, written by mif_import()), as the care team and the
 * patient list show them, and the member's history of changes.
 */

/* A member's ECM authorization on a day of the clinic's calendar (today.h). */
enum member_auth {
	AUTH_NONE,         /* no member, or no effective date: assignment is not limited */
	AUTH_NOT_STARTED,  /* the effective date is after the day */
	AUTH_ACTIVE,       /* from the effective date to the end date (none: open), both included */
	AUTH_ENDED         /* the end date is before the day */
};

/*
 * A member's facts; strings borrowed from the row they were read from, NULL
 * for none. auth is the authorization on the clinic's day the reader read
 * it on (member_row() leaves it AUTH_NONE; the care team and the patient
 * list set it).
 */
struct ecm_member {
	int present;                /* 0: the patient is no member (every field NULL) */
	const char *member_id;
	const char *cin;
	const char *service_auth_id;
	const char *auth_eff_date;  /* YYYY-MM-DD */
	const char *auth_end_date;
	const char *acuity_level;   /* "low", "medium", "high" */
	const char *record_status;  /* one of mif_record_statuses */
	enum member_auth auth;
};

/* The authorization of m on day (YYYY-MM-DD). */
enum member_auth member_auth_on(const struct ecm_member *m, const char *day);

/* "active", "not_started", "ended"; NULL for AUTH_NONE. */
const char *member_auth_name(enum member_auth);

/*
 * The member's facts in the current row of stmt, whose columns from base
 * on are SQL_MEMBER_COLS's (MB_* in sql.h). Strings live until stmt runs
 * again.
 */
void member_row(struct db *, enum stmt, unsigned base, struct ecm_member *out);

/* One change of a member's facts; strings live until the next member_history_next(). */
struct member_change {
	const char *activity_type;  /* "member_added" or "member_updated" */
	const char *changes;        /* a JSON object: {"field": {"from": ..., "to": ...}} */
	int64_t actor_id;           /* 0: an operator (lcm-admin) */
	const char *actor_name;
	const char *source;         /* "api" or "lcm-admin" */
	const char *request_id;
	const char *at;
};

/*
 * Start reading a patient's member history, newest first (page, per_page
 * as a listing's): *total changes. Then member_history_next() until
 * APP_ENOROW. APP_OK, APP_ENOPATIENT or a database error.
 */
enum app_err member_history(struct db *, int64_t patient_id, int64_t page, int64_t per_page,
    int64_t *total);
enum app_err member_history_next(struct db *, struct member_change *out);

#endif
