#include "db.h"
#include "lcm.h"

/* ---- caseload weights --------------------------------------------------- */

enum app_err
lcm_weights_get(struct db *db, struct lcm_weights *out)
{
	static const unsigned cols[ACUITY__MAX] = {
		[ACUITY_LOW] = AW_LOW,
		[ACUITY_MEDIUM] = AW_MEDIUM,
		[ACUITY_HIGH] = AW_HIGH,
	};
	enum app_err rc;
	int a;

	if ((rc = db_row(db, STMT_ACUITY_WEIGHTS, NULL, 0)) != APP_OK)
		return rc == APP_ENOROW ? APP_EDB : rc;
	for (a = 0; a < ACUITY__MAX; a++)
		out->weight[a] = db_int(db, STMT_ACUITY_WEIGHTS, cols[a]);
	return APP_OK;
}

enum app_err
lcm_weights_set(struct db *db, int64_t actor, const int given[ACUITY__MAX],
    const struct lcm_weights *w, struct lcm_weights *out)
{
	enum app_err rc;
	int a;

	if ((rc = db_begin(db)) != APP_OK)
		return rc;
	for (a = 0; a < ACUITY__MAX; a++) {
		struct db_param p[] = {
			DB_P_CSTR(lcm_acuity_name((enum lcm_acuity)a)),
			DB_P_INT(w->weight[a]),
			DB_P_INT(actor),
		};

		if (given[a] && (rc = db_exec(db, STMT_ACUITY_WEIGHT_SET, p, 3)) != APP_OK)
			goto fail;
	}
	if ((rc = lcm_weights_get(db, out)) != APP_OK)
		goto fail;
	return db_commit(db);
fail:
	db_rollback(db);
	return rc;
}
