#include <stdio.h>
#include <string.h>

#include "db.h"
#include "lcm.h"
#include "patients.h"

/* The list's parameters (SQL_PATIENT_PARAMS in sql.c), before LIMIT and OFFSET. */
#define PAT_NPARAMS 11

int
pat_query_members(const struct pat_query *q)
{
	return q->acuity != NULL || q->authorization != NULL || q->ends_within >= 0 ||
	    q->member_id[0] != '\0';
}

/* The list's statements for q: without a member's filter, or with one. */
static enum stmt
page_stmt(const struct pat_query *q)
{
	return pat_query_members(q) ? STMT_MEMBER_PAGE : STMT_PATIENT_PAGE;
}

enum app_err
pat_list(struct db *db, const struct pat_query *q, int64_t *total)
{
	const enum stmt count = pat_query_members(q) ? STMT_MEMBER_COUNT : STMT_PATIENT_COUNT;
	struct db_param p[PAT_NPARAMS + 2];
	char pattern[2048];
	long plen;
	enum app_err rc;

	*total = 0;
	db_done(db, STMT_PATIENT_PAGE);
	db_done(db, STMT_MEMBER_PAGE);
	/* SQL_PATIENT_PARAMS, in its order. */
	p[0] = DB_P_NULL;  /* no search: every name, without a LIKE per row */
	if (q->search != NULL && q->search[0] != '\0') {
		if ((plen = lcm_like_pattern(q->search, pattern, sizeof(pattern))) < 0)
			return APP_EINVAL;
		p[0] = DB_P_STR(pattern, (size_t)plen);
	}
	p[1] = DB_P_ID(q->provider_id);
	p[2] = DB_P_ID(q->lcm_user_id);
	p[3] = DB_P_CSTR(q->unassigned);
	p[4] = q->held_by_inactive ? DB_P_INT(1) : DB_P_NULL;
	p[5] = q->assigned >= 0 ? DB_P_INT(q->assigned) : DB_P_NULL;
	p[6] = DB_P_CSTR(q->acuity);
	p[7] = DB_P_CSTR(q->authorization);
	p[8] = q->ends_within >= 0 ? DB_P_INT(q->ends_within) : DB_P_NULL;
	p[9] = q->member_id[0] != '\0' ? DB_P_CSTR(q->member_id) : DB_P_NULL;
	p[10] = DB_P_CSTR(q->day);
	if ((rc = db_row(db, count, p, PAT_NPARAMS)) != APP_OK)
		return rc == APP_ENOROW ? APP_EDB : rc;
	*total = db_int(db, count, 0);
	if (*total == 0 || q->page - 1 > (*total - 1) / q->per_page)
		return APP_OK;
	p[PAT_NPARAMS] = DB_P_INT(q->per_page);
	p[PAT_NPARAMS + 1] = DB_P_INT((q->page - 1) * q->per_page);
	return db_exec(db, page_stmt(q), p, PAT_NPARAMS + 2);
}

static const char *
str_or_null(struct db *db, enum stmt st, unsigned col)
{
	return db_null(db, st, col) ? NULL : db_str(db, st, col, NULL);
}

enum app_err
pat_list_next(struct db *db, const struct pat_query *q, struct pat_row *r)
{
	const enum stmt st = page_stmt(q);
	enum app_err rc;

	if ((rc = db_next(db, st)) != APP_OK) {
		db_done(db, st);
		return rc;
	}
	r->id = db_int(db, st, PP_ID);
	r->name = db_str(db, st, PP_NAME, NULL);
	r->case_load_id = db_int(db, st, PP_CASE_LOAD_ID);
	r->provider_id = db_int(db, st, PP_PROVIDER_ID);
	r->provider_name = str_or_null(db, st, PP_PROVIDER_NAME);
	r->olcm_id = db_int(db, st, PP_OLCM_ID);
	r->olcm_name = str_or_null(db, st, PP_OLCM_NAME);
	r->ilcm_id = db_int(db, st, PP_ILCM_ID);
	r->ilcm_name = str_or_null(db, st, PP_ILCM_NAME);
	member_row(db, st, PP_MEMBER, &r->member);
	r->member.auth = member_auth_on(&r->member, q->day);
	return APP_OK;
}

enum app_err
pat_summary_get(struct db *db, const char *day, struct pat_summary *s)
{
	const enum stmt st = STMT_PATIENT_SUMMARY;
	struct db_param p[] = {DB_P_CSTR(day), DB_P_CSTR(day)};
	enum app_err rc;

	if ((rc = db_row(db, st, p, 2)) != APP_OK)
		return rc == APP_ENOROW ? APP_EDB : rc;
	s->patients = db_int(db, st, SUM_PATIENTS);
	s->with_case_load = db_int(db, st, SUM_WITH_CASE_LOAD);
	s->without_olcm = db_int(db, st, SUM_WITHOUT_OLCM);
	s->without_ilcm = db_int(db, st, SUM_WITHOUT_ILCM);
	s->without_both = db_int(db, st, SUM_WITHOUT_BOTH);
	s->assigned_to_inactive = db_int(db, st, SUM_TO_INACTIVE);
	s->high_acuity_without_ilcm = db_int(db, st, SUM_HIGH_NO_ILCM);
	s->authorization_ended_assigned = db_int(db, st, SUM_ENDED_ASSIGNED);
	return APP_OK;
}

/* The current assignments, a chunk of case loads at a time. */
static enum app_err
export_now(struct db *db, int role, int (*emit)(void *, const struct pat_export_row *),
    void *arg)
{
	static const unsigned cols[ROLE__MAX][4] = {
		[ROLE_OLCM] = {EN_OLCM_ID, EN_OLCM_NAME, EN_OLCM_EMAIL, EN_OLCM_AT},
		[ROLE_ILCM] = {EN_ILCM_ID, EN_ILCM_NAME, EN_ILCM_EMAIL, EN_ILCM_AT},
	};
	const enum stmt st = STMT_EXPORT_NOW;
	struct pat_export_row row;
	int64_t last = 0, n;
	enum app_err rc;
	int r, stop = 0;

	do {
		struct db_param p[] = {DB_P_INT(last), DB_P_INT(PAT_EXPORT_CHUNK)};

		if ((rc = db_exec(db, st, p, 2)) != APP_OK)
			return rc;
		n = 0;
		while (!stop && (rc = db_next(db, st)) == APP_OK) {
			n++;
			last = row.patient_id = db_int(db, st, EN_PATIENT_ID);
			row.patient_name = db_str(db, st, EN_PATIENT_NAME, NULL);
			for (r = 0; r < ROLE__MAX && !stop; r++) {
				if ((role >= 0 && role != r) || db_null(db, st, cols[r][0]))
					continue;
				row.role = lcm_role_name((enum lcm_role)r);
				row.user_id = db_int(db, st, cols[r][0]);
				row.user_name = db_str(db, st, cols[r][1], NULL);
				row.user_email = db_str(db, st, cols[r][2], NULL);
				row.assigned_at = db_str(db, st, cols[r][3], NULL);
				stop = emit(arg, &row) != 0;
			}
		}
		db_done(db, st);
		if (!stop && rc != APP_ENOROW)
			return rc;
		stop = stop || emit(arg, NULL) != 0;
	} while (!stop && n == PAT_EXPORT_CHUNK);
	return APP_OK;
}

/* The assignments at a past time, from the history, a chunk of patients at a time. */
static enum app_err
export_past(struct db *db, const char *day, int role,
    int (*emit)(void *, const struct pat_export_row *), void *arg)
{
	const enum stmt st = STMT_EXPORT_PAST;
	struct pat_export_row row;
	char cutoff[40];
	int64_t lo = 0, hi;
	enum app_err rc;
	int stop = 0;

	/* The end of that day: the next one's midnight, compared by the server. */
	snprintf(cutoff, sizeof(cutoff), "%.10s 00:00:00", day);
	for (;;) {
		struct db_param b[] = {DB_P_INT(lo), DB_P_INT(PAT_EXPORT_CHUNK)};

		if ((rc = db_row(db, STMT_EXPORT_BOUND, b, 2)) != APP_OK)
			return rc == APP_ENOROW ? APP_EDB : rc;
		if (db_null(db, STMT_EXPORT_BOUND, 0))
			return APP_OK;
		hi = db_int(db, STMT_EXPORT_BOUND, 0);
		{
			struct db_param p[] = {DB_P_INT(lo), DB_P_INT(hi), DB_P_CSTR(cutoff)};

			if ((rc = db_exec(db, st, p, 3)) != APP_OK)
				return rc;
		}
		while (!stop && (rc = db_next(db, st)) == APP_OK) {
			row.role = db_str(db, st, EP_ROLE, NULL);
			if (role >= 0 && strcmp(row.role, lcm_role_name((enum lcm_role)role)) != 0)
				continue;
			row.patient_id = db_int(db, st, EP_PATIENT_ID);
			row.patient_name = db_str(db, st, EP_PATIENT_NAME, NULL);
			row.user_id = db_int(db, st, EP_USER_ID);
			row.user_name = db_str(db, st, EP_USER_NAME, NULL);
			row.user_email = db_str(db, st, EP_USER_EMAIL, NULL);
			row.assigned_at = db_str(db, st, EP_AT, NULL);
			stop = emit(arg, &row) != 0;
		}
		db_done(db, st);
		if (stop)
			return APP_OK;
		if (rc != APP_ENOROW)
			return rc;
		if (emit(arg, NULL) != 0)
			return APP_OK;
		lo = hi;
	}
}

enum app_err
pat_export(struct db *db, const char *past, int role,
    int (*emit)(void *, const struct pat_export_row *), void *arg)
{
	return past != NULL && *past != '\0' ? export_past(db, past, role, emit, arg) :
	    export_now(db, role, emit, arg);
}

enum app_err
pat_today(struct db *db, char day[16])
{
	enum app_err rc;

	if ((rc = db_row(db, STMT_TODAY, NULL, 0)) != APP_OK)
		return rc == APP_ENOROW ? APP_EDB : rc;
	snprintf(day, 16, "%s", db_str(db, STMT_TODAY, 0, NULL));
	return APP_OK;
}
