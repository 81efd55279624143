#include <string.h>

#include "db.h"
#include "lcm.h"
#include "member.h"

static const char *
str_or_null(struct db *db, enum stmt st, unsigned col)
{
	return db_null(db, st, col) ? NULL : db_str(db, st, col, NULL);
}

void
member_row(struct db *db, enum stmt st, unsigned base, struct ecm_member *m)
{
	memset(m, 0, sizeof(*m));
	if (db_null(db, st, base + MB_MEMBER_ID))
		return;
	m->present = 1;
	m->member_id = db_str(db, st, base + MB_MEMBER_ID, NULL);
	m->cin = str_or_null(db, st, base + MB_CIN);
	m->service_auth_id = str_or_null(db, st, base + MB_SERVICE_AUTH_ID);
	m->auth_eff_date = str_or_null(db, st, base + MB_AUTH_EFF_DATE);
	m->auth_end_date = str_or_null(db, st, base + MB_AUTH_END_DATE);
	m->acuity_level = str_or_null(db, st, base + MB_ACUITY_LEVEL);
	m->record_status = str_or_null(db, st, base + MB_RECORD_STATUS);
}

enum member_auth
member_auth_on(const struct ecm_member *m, const char *day)
{
	/* YYYY-MM-DD strings compare as the days they name. */
	if (!m->present || m->auth_eff_date == NULL)
		return AUTH_NONE;
	if (strcmp(m->auth_eff_date, day) > 0)
		return AUTH_NOT_STARTED;
	if (m->auth_end_date != NULL && strcmp(m->auth_end_date, day) < 0)
		return AUTH_ENDED;
	return AUTH_ACTIVE;
}

const char *
member_auth_name(enum member_auth a)
{
	switch (a) {
	case AUTH_NOT_STARTED:
		return "not_started";
	case AUTH_ACTIVE:
		return "active";
	case AUTH_ENDED:
		return "ended";
	case AUTH_NONE:
		break;
	}
	return NULL;
}

enum app_err
member_history(struct db *db, int64_t patient_id, int64_t page, int64_t per_page,
    int64_t *total)
{
	struct db_param p[3];
	enum app_err rc;

	*total = 0;
	db_done(db, STMT_MEMBER_HISTORY_PAGE);
	if ((rc = lcm_patient_exists(db, patient_id)) != APP_OK)
		return rc;
	p[0] = DB_P_INT(patient_id);
	if ((rc = db_row(db, STMT_MEMBER_HISTORY_COUNT, p, 1)) != APP_OK)
		return rc == APP_ENOROW ? APP_EDB : rc;
	*total = db_int(db, STMT_MEMBER_HISTORY_COUNT, 0);
	if (*total == 0 || page - 1 > (*total - 1) / per_page)
		return APP_OK;
	p[1] = DB_P_INT(per_page);
	p[2] = DB_P_INT((page - 1) * per_page);
	return db_exec(db, STMT_MEMBER_HISTORY_PAGE, p, 3);
}

enum app_err
member_history_next(struct db *db, struct member_change *e)
{
	const enum stmt st = STMT_MEMBER_HISTORY_PAGE;
	enum app_err rc;

	if ((rc = db_next(db, st)) != APP_OK) {
		db_done(db, st);
		return rc;
	}
	e->activity_type = db_str(db, st, MH_TYPE, NULL);
	e->changes = db_str(db, st, MH_CHANGES, NULL);
	e->actor_id = db_int(db, st, MH_ACTOR_ID);
	e->actor_name = str_or_null(db, st, MH_ACTOR_NAME);
	e->source = db_str(db, st, MH_SOURCE, NULL);
	e->request_id = db_str(db, st, MH_REQUEST_ID, NULL);
	e->at = db_str(db, st, MH_AT, NULL);
	return APP_OK;
}
