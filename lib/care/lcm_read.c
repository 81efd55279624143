#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "db.h"
#include "lcm.h"
#include "today.h"

/* ---- care team ------------------------------------------------------- */

void
lcm_care_team_row(struct db *db, enum stmt st, unsigned base, struct care_team *t)
{
	static const unsigned person[ROLE__MAX] = {
		[ROLE_OLCM] = CT_OLCM_ID,
		[ROLE_ILCM] = CT_ILCM_ID,
	};
	static const unsigned active[ROLE__MAX] = {
		[ROLE_OLCM] = CT_OLCM_ACTIVE,
		[ROLE_ILCM] = CT_ILCM_ACTIVE,
	};
	unsigned p;
	int r;

	memset(t, 0, sizeof(*t));
	t->patient_id = db_int(db, st, base + CT_PATIENT_ID);
	t->patient_name = db_str(db, st, base + CT_PATIENT_NAME, NULL);
	t->case_load_id = db_int(db, st, base + CT_CASE_LOAD_ID);
	t->provider_id = db_int(db, st, base + CT_PROVIDER_ID);
	t->provider_name = db_null(db, st, base + CT_PROVIDER_NAME) ? NULL :
	    db_str(db, st, base + CT_PROVIDER_NAME, NULL);
	for (r = 0; r < ROLE__MAX; r++) {
		p = base + person[r];
		t->lcm[r].user_id = db_int(db, st, p);
		t->lcm[r].name = db_str(db, st, p + 1, NULL);
		t->lcm[r].email = db_str(db, st, p + 2, NULL);
		t->lcm[r].assigned_at = db_str(db, st, p + 3, NULL);
		t->lcm[r].active = db_int(db, st, base + active[r]) != 0;
	}
	t->created_at = db_str(db, st, base + CT_CREATED, NULL);
	t->updated_at = db_str(db, st, base + CT_UPDATED, NULL);
	t->version = db_int(db, st, base + CT_VERSION);
}

enum app_err
lcm_care_team_get(struct db *db, int64_t patient_id, struct care_team *t)
{
	struct db_param p[] = {DB_P_INT(patient_id)};
	char day[TODAY_LEN];
	enum app_err rc;

	rc = db_row(db, STMT_CARE_TEAM, p, 1);
	if (rc == APP_ENOROW)
		return APP_ENOPATIENT;
	if (rc == APP_OK) {
		lcm_care_team_row(db, STMT_CARE_TEAM, 0, t);
		member_row(db, STMT_CARE_TEAM, CT_MEMBER, &t->member);
		today(day);
		t->member.auth = member_auth_on(&t->member, day);
	}
	return rc;
}

/* ---- the list -------------------------------------------------------- */

/* The list's five filter parameters (q of SQL_LCM_FILTER) into p. */
static long
list_filter(const struct lcm_list_query *q, char *pattern, size_t sz, struct db_param p[5])
{
	long plen;

	if ((plen = lcm_like_pattern(q->search ? q->search : "", pattern, sz)) < 0)
		return -1;
	p[0] = DB_P_STR(pattern, (size_t)plen);
	p[1] = q->role < 0 ? DB_P_NULL : DB_P_CSTR(lcm_role_name((enum lcm_role)q->role));
	p[2] = DB_P_INT(q->inactive != 0);
	p[3] = DB_P_INT(q->available != 0);
	p[4] = DB_P_CSTR(q->by_points ? "weighted_workload" : q->by_workload ? "workload" : "name");
	return plen;
}

/* The page's first row, read by lcm_list() for its total, still to be given out. */
static int page_row_pending;
/* The statement of the page lcm_list() runs: by name alone, or any other. */
static enum stmt page_stmt = STMT_LCM_PAGE;

enum app_err
lcm_list(struct db *db, const struct lcm_list_query *q, int64_t *total)
{
	struct db_param p[7];
	char pattern[2048];
	enum app_err rc;

	*total = 0;
	page_row_pending = 0;
	db_done(db, page_stmt);
	if (list_filter(q, pattern, sizeof(pattern), p) < 0)
		return APP_EINVAL;
	page_stmt = q->role < 0 && !q->inactive && !q->available && !q->by_workload && !q->by_points ?
	    STMT_LCM_PAGE_BY_NAME : STMT_LCM_PAGE;
	/*
	 * One statement: the page, its rows carrying the total. Only a page
	 * past the end (no row to carry it), or one whose offset would
	 * overflow, counts on its own.
	 */
	if (q->page - 1 <= INT64_MAX / q->per_page) {
		p[5] = DB_P_INT(q->per_page);
		p[6] = DB_P_INT((q->page - 1) * q->per_page);
		if ((rc = db_exec(db, page_stmt, p, 7)) != APP_OK)
			return rc;
		if ((rc = db_next(db, page_stmt)) == APP_OK) {
			*total = db_int(db, page_stmt, LP_TOTAL);
			page_row_pending = 1;
			return APP_OK;
		}
		db_done(db, page_stmt);
		if (rc != APP_ENOROW)
			return rc;
		if (q->page == 1)
			return APP_OK;  /* nobody matches */
	}
	if ((rc = db_row(db, STMT_LCM_COUNT, p, 5)) != APP_OK)
		return rc == APP_ENOROW ? APP_EDB : rc;
	*total = db_int(db, STMT_LCM_COUNT, 0);
	return APP_OK;
}

/* The current row of a statement with the list's columns (LP_*). */
static void
lcm_row_read(struct db *db, enum stmt st, struct lcm_row *row)
{
	int r;

	row->id = db_int(db, st, LP_ID);
	row->name = db_str(db, st, LP_NAME, NULL);
	row->email = db_str(db, st, LP_EMAIL, NULL);
	row->roles = db_str(db, st, LP_ROLES, NULL);
	row->count[ROLE_OLCM] = db_int(db, st, LP_OLCM_COUNT);
	row->count[ROLE_ILCM] = db_int(db, st, LP_ILCM_COUNT);
	row->assigned_patients_count = row->count[ROLE_OLCM] + row->count[ROLE_ILCM] -
	    db_int(db, st, LP_BOTH_COUNT);
	for (r = 0; r < ROLE__MAX; r++) {
		unsigned col = r == ROLE_OLCM ? LP_MAX_OLCM : LP_MAX_ILCM;
		unsigned pcol = r == ROLE_OLCM ? LP_MAX_OLCM_POINTS : LP_MAX_ILCM_POINTS;

		row->max[r] = db_null(db, st, col) ? -1 : db_int(db, st, col);
		row->max_points[r] = db_null(db, st, pcol) ? -1 : db_int(db, st, pcol);
		row->points[r] = db_int(db, st, r == ROLE_OLCM ? LP_OLCM_POINTS : LP_ILCM_POINTS);
	}
	row->active = db_int(db, st, LP_ACTIVE) != 0;
	row->eligible = db_int(db, st, LP_ELIGIBLE) != 0;
}

enum app_err
lcm_list_next(struct db *db, struct lcm_row *row)
{
	enum app_err rc;

	if (page_row_pending)
		page_row_pending = 0;  /* the row lcm_list() read */
	else if ((rc = db_next(db, page_stmt)) != APP_OK) {
		db_done(db, page_stmt);
		return rc;
	}
	lcm_row_read(db, page_stmt, row);
	return APP_OK;
}

int
lcm_row_at_capacity(const struct lcm_row *row, enum lcm_role r)
{
	return (row->max[r] >= 0 && row->count[r] >= row->max[r]) ||
	    (row->max_points[r] >= 0 && row->points[r] >= row->max_points[r]);
}

enum app_err
lcm_user_get(struct db *db, int64_t user_id, struct lcm_row *out)
{
	struct db_param p = DB_P_INT(user_id);
	enum app_err rc;

	if ((rc = db_row(db, STMT_LCM_ONE, &p, 1)) == APP_ENOROW)
		return APP_ENOUSER;
	if (rc == APP_OK)
		lcm_row_read(db, STMT_LCM_ONE, out);
	return rc;
}

int
lcm_row_is_lcm(const struct lcm_row *row)
{
	return row->eligible || row->count[ROLE_OLCM] > 0 || row->count[ROLE_ILCM] > 0;
}

enum app_err
lcm_person_get(struct db *db, int64_t user_id, struct lcm_row *out)
{
	enum app_err rc;

	if ((rc = lcm_user_get(db, user_id, out)) != APP_OK)
		return rc;
	return lcm_row_is_lcm(out) ? APP_OK : APP_ENOUSER;
}

enum app_err
lcm_capacity_set(struct db *db, int64_t actor, int64_t user_id, const struct lcm_limits *l,
    struct lcm_row *out)
{
	struct db_param p[] = {
		DB_P_INT(user_id),
		l->max[ROLE_OLCM] >= 0 ? DB_P_INT(l->max[ROLE_OLCM]) : DB_P_NULL,
		l->max[ROLE_ILCM] >= 0 ? DB_P_INT(l->max[ROLE_ILCM]) : DB_P_NULL,
		l->max_points[ROLE_OLCM] >= 0 ? DB_P_INT(l->max_points[ROLE_OLCM]) : DB_P_NULL,
		l->max_points[ROLE_ILCM] >= 0 ? DB_P_INT(l->max_points[ROLE_ILCM]) : DB_P_NULL,
		DB_P_INT(actor),
	};
	enum app_err rc;

	if ((rc = lcm_user_get(db, user_id, out)) == APP_ENOUSER || (rc == APP_OK && !out->eligible))
		return APP_EINVAL;
	if (rc != APP_OK)
		return rc;
	if ((rc = db_exec(db, STMT_CAPACITY_SET, p, 6)) != APP_OK)
		return rc;
	return lcm_user_get(db, user_id, out);
}

enum app_err
lcm_user_patients(struct db *db, int64_t user_id, int role, int64_t page, int64_t per_page,
    int64_t *total)
{
	struct lcm_row u;
	const char *r = role < 0 ? NULL : lcm_role_name((enum lcm_role)role);
	enum app_err rc;

	*total = 0;
	db_done(db, STMT_USER_PATIENTS);
	if ((rc = lcm_user_get(db, user_id, &u)) != APP_OK)
		return rc;
	*total = (role != ROLE_ILCM ? u.count[ROLE_OLCM] : 0) + (role != ROLE_OLCM ? u.count[ROLE_ILCM] : 0);
	if (*total == 0 || page - 1 > (*total - 1) / per_page)
		return APP_OK;
	{
		/* The user and the role once for each branch of the statement's UNION. */
		struct db_param p[] = {
			DB_P_INT(user_id), DB_P_CSTR(r), DB_P_INT(user_id), DB_P_CSTR(r),
			DB_P_INT(per_page), DB_P_INT((page - 1) * per_page),
		};

		return db_exec(db, STMT_USER_PATIENTS, p, 6);
	}
}

enum app_err
lcm_user_patients_next(struct db *db, struct lcm_user_patient *out)
{
	enum app_err rc;

	if ((rc = db_next(db, STMT_USER_PATIENTS)) != APP_OK) {
		db_done(db, STMT_USER_PATIENTS);
		return rc;
	}
	out->patient_id = db_int(db, STMT_USER_PATIENTS, UP_PATIENT_ID);
	out->patient_name = db_str(db, STMT_USER_PATIENTS, UP_PATIENT_NAME, NULL);
	out->role = db_str(db, STMT_USER_PATIENTS, UP_ROLE, NULL);
	out->assigned_at = db_str(db, STMT_USER_PATIENTS, UP_ASSIGNED_AT, NULL);
	return APP_OK;
}

/* ---- history ----------------------------------------------------------- */

enum app_err
lcm_patient_exists(struct db *db, int64_t patient_id)
{
	struct db_param p = DB_P_INT(patient_id);
	enum app_err rc;

	if ((rc = db_row(db, STMT_PATIENT_EXISTS, &p, 1)) != APP_OK)
		return rc == APP_ENOROW ? APP_EDB : rc;
	return db_int(db, STMT_PATIENT_EXISTS, 0) > 0 ? APP_OK : APP_ENOPATIENT;
}

enum app_err
lcm_history(struct db *db, const struct lcm_history_query *q, int64_t *total)
{
	struct db_param p[4];
	enum app_err rc;

	*total = 0;
	db_done(db, STMT_HISTORY_PAGE);
	if ((rc = lcm_patient_exists(db, q->patient_id)) != APP_OK)
		return rc;
	p[0] = DB_P_INT(q->patient_id);
	p[1] = q->role < 0 ? DB_P_NULL : DB_P_CSTR(lcm_role_name((enum lcm_role)q->role));
	if ((rc = db_row(db, STMT_HISTORY_COUNT, p, 2)) != APP_OK)
		return rc == APP_ENOROW ? APP_EDB : rc;
	*total = db_int(db, STMT_HISTORY_COUNT, 0);
	if (*total == 0 || q->page - 1 > (*total - 1) / q->per_page)
		return APP_OK;
	p[2] = DB_P_INT(q->per_page);
	p[3] = DB_P_INT((q->page - 1) * q->per_page);
	return db_exec(db, STMT_HISTORY_PAGE, p, 4);
}

/* A text column, or NULL when it is NULL. */
static const char *
str_or_null(struct db *db, enum stmt st, unsigned col)
{
	return db_null(db, st, col) ? NULL : db_str(db, st, col, NULL);
}

enum app_err
lcm_history_next(struct db *db, struct lcm_period *h)
{
	const enum stmt st = STMT_HISTORY_PAGE;
	enum app_err rc;

	if ((rc = db_next(db, st)) != APP_OK) {
		db_done(db, st);
		return rc;
	}
	h->role = db_str(db, st, HI_ROLE, NULL);
	h->user_id = db_int(db, st, HI_USER_ID);
	h->user_name = db_str(db, st, HI_USER_NAME, NULL);
	h->user_email = db_str(db, st, HI_USER_EMAIL, NULL);
	h->started_at = db_str(db, st, HI_STARTED_AT, NULL);
	h->ended_at = str_or_null(db, st, HI_ENDED_AT);
	h->started_by = db_int(db, st, HI_STARTED_BY);
	h->started_by_name = db_str(db, st, HI_STARTED_BY_NAME, NULL);
	h->ended_by = db_int(db, st, HI_ENDED_BY);
	h->ended_by_name = str_or_null(db, st, HI_ENDED_BY_NAME);
	h->reason_code = str_or_null(db, st, HI_REASON_CODE);
	h->reason_note = str_or_null(db, st, HI_REASON_NOTE);
	h->source = db_str(db, st, HI_SOURCE, NULL);
	h->capacity_override = db_int(db, st, HI_OVERRIDE) != 0;
	h->authorization_override = db_int(db, st, HI_AUTH_OVERRIDE) != 0;
	return APP_OK;
}

/* ---- batch look-ups -------------------------------------------------- */

static int
cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

int
id_set_has(const struct id_set *s, int64_t id)
{
	return s->n > 0 && bsearch(&id, s->ids, s->n, sizeof(int64_t), cmp_id) != NULL;
}

void
id_set_free(struct id_set *s)
{
	free(s->ids);
	s->ids = NULL;
	s->n = 0;
}

/*
 * Run a statement that takes a JSON array of ids and answers one id per
 * row, into a sorted set. Shared with lcm-admin's look-ups.
 */
enum app_err
lcm_id_lookup(struct db *db, enum stmt st, const int64_t *ids, size_t n, struct id_set *out)
{
	struct db_param p;
	enum app_err rc = APP_ENOMEM;
	struct buf json = {0};

	out->ids = NULL;
	out->n = 0;
	if (n == 0)
		return APP_OK;
	if (buf_ids(&json, ids, n) != 0 ||
	    (out->ids = malloc(n * sizeof(int64_t))) == NULL)
		goto out;
	p = DB_P_STR(json.s, json.len);
	if ((rc = db_exec(db, st, &p, 1)) != APP_OK)
		goto out;
	while ((rc = db_next(db, st)) == APP_OK && out->n < n)
		out->ids[out->n++] = db_int(db, st, 0);
	db_done(db, st);
	if (rc != APP_ENOROW && rc != APP_OK)
		goto out;
	qsort(out->ids, out->n, sizeof(int64_t), cmp_id);
	rc = APP_OK;
out:
	free(json.s);
	if (rc != APP_OK)
		id_set_free(out);
	return rc;
}

enum app_err
lcm_patients_existing(struct db *db, const int64_t *ids, size_t n, struct id_set *out)
{
	return lcm_id_lookup(db, STMT_PATIENTS_EXISTING, ids, n, out);
}

enum app_err
lcm_users_eligible(struct db *db, const int64_t *ids, size_t n, struct id_set *out)
{
	return lcm_id_lookup(db, STMT_USERS_ELIGIBLE, ids, n, out);
}
