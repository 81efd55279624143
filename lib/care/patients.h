#ifndef LCM_PATIENTS_H
#define LCM_PATIENTS_H

#include <stddef.h>
#include <stdint.h>

#include "app.h"
#include "member.h"
#include "mif.h"
#include "today.h"

struct db;

/*
 * The patients of the clinic with their case loads: the patient list and
 * its filters, the summary, the assignment export. Read models only.
 */

/*
 * What the patient list asks for, already validated. Every filter set
 * must hold (AND). The member's filters (acuity to member_id) keep members
 * only; their authorization is read on day.
 */
struct pat_query {
	int64_t page;
	int64_t per_page;
	const char *search;      /* NULL or "": no filter */
	int64_t provider_id;     /* 0: no filter */
	int64_t lcm_user_id;     /* 0: no filter */
	const char *unassigned;  /* "olcm", "ilcm", "any", "both", or NULL */
	int held_by_inactive;    /* only patients a deactivated user holds in either role */
	int assigned;            /* -1: no filter; 1: either role held; 0: neither */
	const char *acuity;      /* "low", "medium", "high", or NULL */
	const char *authorization;  /* "active", "ended", "not_started" (member_auth_name()), or NULL */
	int64_t ends_within;     /* -1: no filter; N: active, ending from day to day + N, both included */
	char member_id[MIF_ID_MAX + 1];  /* "": no filter; compared exactly, as stored */
	char day[TODAY_LEN];     /* the clinic's day (today()): the caller sets it */
};

/* Non-zero when q filters on a member's facts (then only members are listed). */
int pat_query_members(const struct pat_query *q);

/* One patient of the list; strings live until the next pat_list_next(). */
struct pat_row {
	int64_t id;
	const char *name;
	int64_t case_load_id;    /* 0: none */
	int64_t provider_id;     /* 0: none */
	const char *provider_name;  /* NULL: none */
	int64_t olcm_id;
	const char *olcm_name;
	int64_t ilcm_id;
	const char *ilcm_name;
	struct ecm_member member;  /* the patient as an ECM member (present 0: none) */
};

/*
 * Start the list, by name then id: *total patients match. Then
 * pat_list_next() until APP_ENOROW, each row's member with their
 * authorization on q->day. APP_OK, APP_EINVAL (search too long), or a
 * database error.
 */
enum app_err pat_list(struct db *, const struct pat_query *, int64_t *total);
enum app_err pat_list_next(struct db *, const struct pat_query *, struct pat_row *out);

/*
 * The dashboard's counts. Each but with_case_load is the total of a list
 * (the patient list's query in its comment).
 */
struct pat_summary {
	int64_t patients;
	int64_t with_case_load;
	int64_t without_olcm;           /* unassigned=olcm: a patient without a case load included */
	int64_t without_ilcm;           /* unassigned=ilcm */
	int64_t without_both;           /* unassigned=both */
	int64_t assigned_to_inactive;   /* held_by_inactive=true */
	int64_t high_acuity_without_ilcm;      /* acuity=high&authorization=active&unassigned=ilcm */
	int64_t authorization_ended_assigned;  /* authorization=ended&assigned=true */
};

/* The counts, the authorizations read on day (today()). APP_OK or a database error. */
enum app_err pat_summary_get(struct db *, const char *day, struct pat_summary *out);

/* One row of the assignment export; strings live for the emit call. */
struct pat_export_row {
	int64_t patient_id;
	const char *patient_name;
	const char *role;
	int64_t user_id;
	const char *user_name;
	const char *user_email;
	const char *assigned_at;
};

#define PAT_EXPORT_CHUNK 1000

/*
 * Every patient and role held, by patient id then role (olcm, ilcm): now
 * (until NULL), or just before the midnight that starts the day until
 * ("YYYY-MM-DD", UTC: the day after the one asked for), from the history.
 * role -1: both. Rows are read PAT_EXPORT_CHUNK patients at a
 * time, so memory stays flat; after each chunk's rows emit gets NULL (the
 * chunk is whole). emit returns non-zero to stop (the client left), which
 * ends the export with APP_OK. APP_OK or a database error.
 */
enum app_err pat_export(struct db *, const char *until, int role,
    int (*emit)(void *arg, const struct pat_export_row *), void *arg);

/*
 * Today as the database tells it ("YYYY-MM-DD", UTC), into day: the one
 * clock for what the export compares and names, whatever the app host's
 * says. APP_OK or a database error.
 */
enum app_err pat_today(struct db *, char day[16]);

#endif
