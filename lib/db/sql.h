#ifndef LCM_SQL_H
#define LCM_SQL_H

#include <stddef.h>
#include <stdint.h>

/*
 * The statement catalogue: every SQL statement of the worker and of
 * lcm-admin lives in sql.c, each with its signature beside it. db_stmt.c checks
 * the signature when it prepares the statement, so a '?' or a column added
 * to the text without its type, or two columns swapped, fails at start-up,
 * not on a request.
 */
enum stmt {
	/* the worker */
	STMT_PING,
	STMT_AUTH_TOKEN,
	STMT_TOKEN_TOUCH,
	STMT_CARE_TEAM,
	STMT_LCM_PAGE,
	STMT_LCM_PAGE_BY_NAME,
	STMT_LCM_COUNT,
	STMT_LCM_ONE,
	STMT_CAPACITY_SET,
	STMT_CAPACITY_LOCK,
	STMT_USERS_LIMITED,
	STMT_USER_PATIENTS,
	STMT_MOVE_LOCK_PATIENTS,
	STMT_BULK_LOCK_PATIENTS,
	STMT_MOVE_LOCK_OLCM,
	STMT_MOVE_LOCK_ILCM,
	STMT_CAPACITY_LOCK_MANY,
	STMT_MOVE_TARGETS,
	STMT_ELIGIBLE_USER_IDS,
	STMT_AUTO_UNASSIGNED,
	STMT_AUTO_UNASSIGNED_HIGH,
	STMT_PREVIOUS_HOLDERS,
	STMT_AUTO_CREATE,
	STMT_MOVE_APPLY,
	STMT_BOOKKEEPING_CALLER,
	STMT_BOOKKEEPING_TRIGGER,
	STMT_MOVE_ACUITY,
	STMT_MOVE_WORKLOAD,
	STMT_MOVE_INDEX,
	STMT_MOVE_ACTIVITIES,
	STMT_RELEASE_ENDED_FIND,
	STMT_RELEASE_ENDED_LOCK,
	STMT_REFS,
	STMT_PATIENTS_EXISTING,
	STMT_USERS_ELIGIBLE,
	STMT_CASE_LOAD_LOCK,
	STMT_CASE_LOAD_INSERT,
	STMT_CASE_LOAD_UPDATE,
	STMT_ACTIVITY_INSERT,
	STMT_ACTIVITY_INSERT_AT,
	STMT_ACTIVITY_TAGGED,
	STMT_SESSION_GONE,
	STMT_SESSION_KILL,
	STMT_TODAY,
	STMT_PATIENT_EXISTS,
	STMT_PATIENT_PAGE,
	STMT_PATIENT_COUNT,
	STMT_MEMBER_PAGE,
	STMT_MEMBER_COUNT,
	STMT_PATIENT_SUMMARY,
	STMT_EXPORT_NOW,
	STMT_EXPORT_BOUND,
	STMT_EXPORT_PAST,
	STMT_HISTORY_PAGE,
	STMT_HISTORY_COUNT,
	STMT_ACUITY_WEIGHTS,
	STMT_ACUITY_WEIGHT_SET,
	STMT_PATIENT_FACTS,
	STMT_IDEM_CLAIM,
	STMT_IDEM_GET,
	STMT_IDEM_TAKEOVER,
	STMT_IDEM_DONE,
	STMT_IDEM_RELEASE,
	STMT_IDEM_PURGE,
	STMT_ACCESS_INSERT,
	STMT_ACCESS_PAGE,
	STMT_ACCESS_COUNT,

	/* the MIF import (the worker's and lcm-admin's) and the member's history */
	STMT_MIF_MEMBERS_LOCK,
	STMT_MIF_LAST_PATIENT,
	STMT_MIF_NOW,
	STMT_MIF_PATIENTS_INSERT,
	STMT_MIF_PATIENTS_UPDATE,
	STMT_MIF_MEMBERS_INSERT,
	STMT_MIF_MEMBERS_UPDATE,
	STMT_MIF_ACTIVITIES,
	STMT_MIF_TAGGED,
	STMT_MEMBER_HISTORY_PAGE,
	STMT_MEMBER_HISTORY_COUNT,

	/* lcm-admin migrate and check */
	STMT_MIGRATIONS_CREATE,
	STMT_MIGRATE_LOCK,
	STMT_MIGRATE_UNLOCK,
	STMT_MIGRATE_SQL_MODE,
	STMT_MIGRATIONS_LIST,
	STMT_MIGRATION_RECORD,

	/* lcm-admin user, role, token */
	STMT_ROLE_LIST,
	STMT_ROLE_INSERT,
	STMT_ROLES_UNKNOWN,
	STMT_USER_INSERT,
	STMT_USER_GET,
	STMT_USER_BY_EMAIL,
	STMT_USER_ROLE_ADD,
	STMT_USER_ROLE_REMOVE,
	STMT_USER_SET_ACTIVE,
	STMT_USER_LIST,
	STMT_TOKEN_INSERT,
	STMT_TOKEN_LIST,
	STMT_TOKEN_GET,
	STMT_TOKEN_REVOKE,

	/* lcm-admin import */
	STMT_IMPORT_PROVIDERS_UPDATE,
	STMT_IMPORT_PROVIDERS_INSERT,
	STMT_IMPORT_PATIENTS_UPDATE,
	STMT_IMPORT_PATIENTS_INSERT,
	STMT_IMPORT_USERS_UPDATE,
	STMT_IMPORT_USERS_INSERT,
	STMT_IMPORT_ROLES_PRUNE,
	STMT_IMPORT_ROLES_ADD,
	STMT_PROVIDERS_EXISTING,
	STMT_IMPORT_EMAILS_SAME,
	STMT__MAX
};

/*
 * A result column: its type, 'i' an integer, 's' text or bytes, 't' a
 * DATETIME read as ISO 8601 UTC text; and its name as the server gives it
 * (the SELECT's alias, or the column's own name).
 */
struct sql_col {
	char type;
	const char *name;
};

/*
 * A statement's definition. in: one letter per '?', in order: 'i' an
 * int64, 's' a string (either may be bound NULL). out: its nout result
 * columns, in order; where an enum below indexes them, sql.c lists each
 * by its index, so that the index, the type and the name are one line
 * beside the SELECT, and db_stmt.c checks the server's columns against them
 * (a SELECT's columns swapped, or the enum's, fail the check). use: the
 * programs that prepare it at connect
 * (enum db_use), and SQL_BRIEF for a statement that locks a few rows and
 * does little else, so that a wait longer than a glance is a lock another
 * transaction holds, which a worker waits for only with one of the pool's
 * waiting slots (db_wait.c); without it a statement may take long on its own
 * (set-based work) and waits as long as the server lets it.
 */
struct stmt_def {
	const char *name;
	const char *sql;
	const char *in;
	const struct sql_col *out;
	unsigned nout;
	unsigned use;
};

#define SQL_BRIEF (1u << 8)

extern const struct stmt_def sql_stmts[STMT__MAX];

/*
 * Result columns, by statement: sql.c names each column as its enum
 * without the prefix, in lower case (CT_OLCM_AT: "olcm_at").
 */
enum { AUTH_USER_ID, AUTH_IS_ADMIN, AUTH_TOKEN_ID, AUTH_STALE, AUTH_EXPIRES_IN };  /* auth_token */
enum { CT_PATIENT_ID, CT_PATIENT_NAME, CT_CASE_LOAD_ID,  /* care_team */
	CT_PROVIDER_ID, CT_PROVIDER_NAME,
	CT_OLCM_ID, CT_OLCM_NAME, CT_OLCM_EMAIL, CT_OLCM_AT,
	CT_ILCM_ID, CT_ILCM_NAME, CT_ILCM_EMAIL, CT_ILCM_AT, CT_CREATED, CT_UPDATED, CT_VERSION,
	CT_OLCM_ACTIVE, CT_ILCM_ACTIVE, CT__MAX };
enum { LP_ID, LP_NAME, LP_EMAIL, LP_ROLES,  /* lcm_page, lcm_page_by_name, lcm_one */
	LP_OLCM_COUNT, LP_ILCM_COUNT, LP_BOTH_COUNT, LP_MAX_OLCM, LP_MAX_ILCM, LP_ACTIVE,
	LP_ELIGIBLE, LP_OLCM_POINTS, LP_ILCM_POINTS, LP_MAX_OLCM_POINTS, LP_MAX_ILCM_POINTS,
	LP_TOTAL /* the two pages only */ };
enum { CAP_USER_ID, CAP_MAX_OLCM, CAP_MAX_ILCM,  /* capacity_lock */
	CAP_OLCM_COUNT, CAP_ILCM_COUNT, CAP_MAX_OLCM_POINTS, CAP_MAX_ILCM_POINTS,
	CAP_OLCM_MEDIUM, CAP_OLCM_HIGH, CAP_ILCM_MEDIUM, CAP_ILCM_HIGH };
enum { AW_LOW, AW_MEDIUM, AW_HIGH };  /* acuity_weights */
enum { UP_PATIENT_ID, UP_PATIENT_NAME, UP_ROLE, UP_ASSIGNED_AT };  /* user_patients */
enum { ML_ID, ML_PATIENT_ID, ML_OLCM, ML_ILCM };  /* the four move_lock_* */
enum { MT_ID, MT_ELIGIBLE, MT_MAX_OLCM, MT_MAX_ILCM,  /* move_targets */
	MT_OLCM_COUNT, MT_ILCM_COUNT, MT_BOTH_COUNT, MT_MAX_OLCM_POINTS, MT_MAX_ILCM_POINTS,
	MT_OLCM_MEDIUM, MT_OLCM_HIGH, MT_ILCM_MEDIUM, MT_ILCM_HIGH };
enum { PF_ID, PF_ACUITY, PF_EFF, PF_END };  /* patient_facts */
enum { MA_PATIENT_ID, MA_HIGH };  /* move_acuity */
enum { PH_PATIENT_ID, PH_USER_ID };  /* previous_holders */
enum { RE_PATIENT_ID, RE_TOTAL };  /* release_ended_find */
enum { PP_ID, PP_NAME, PP_CASE_LOAD_ID,  /* patient_page, member_page */
	PP_PROVIDER_ID, PP_PROVIDER_NAME, PP_OLCM_ID, PP_OLCM_NAME, PP_ILCM_ID, PP_ILCM_NAME,
	PP_MEMBER /* then the member's facts (MB_*) */ };
/*
 * A member's facts (ecm_members) as the care team and the patient list
 * show them, from a column of theirs on: CT_MEMBER, PP_MEMBER.
 */
enum { MB_MEMBER_ID, MB_CIN, MB_SERVICE_AUTH_ID, MB_AUTH_EFF_DATE, MB_AUTH_END_DATE,
	MB_ACUITY_LEVEL, MB_RECORD_STATUS, MB__MAX };
enum { CT_MEMBER = CT__MAX };  /* care_team: the care team's columns, then the member's */
enum { MK_MEMBER_ID, MK_PATIENT_ID, MK_NAME, MK_PROVIDER_ID,  /* mif_members_lock */
	MK_CIN, MK_SERVICE_AUTH_ID, MK_AUTH_EFF_DATE, MK_AUTH_END_DATE, MK_ACUITY_LEVEL,
	MK_RECORD_STATUS, MK_DOB };
enum { MH_TYPE, MH_CHANGES, MH_ACTOR_ID, MH_ACTOR_NAME,  /* member_history_page */
	MH_SOURCE, MH_REQUEST_ID, MH_AT };
enum { SUM_PATIENTS, SUM_WITH_CASE_LOAD,  /* patient_summary */
	SUM_WITHOUT_OLCM, SUM_WITHOUT_ILCM, SUM_WITHOUT_BOTH, SUM_TO_INACTIVE,
	SUM_HIGH_NO_ILCM, SUM_ENDED_ASSIGNED };
enum { EN_PATIENT_ID, EN_PATIENT_NAME,  /* export_now */
	EN_OLCM_ID, EN_OLCM_NAME, EN_OLCM_EMAIL, EN_OLCM_AT,
	EN_ILCM_ID, EN_ILCM_NAME, EN_ILCM_EMAIL, EN_ILCM_AT };
enum { EP_PATIENT_ID, EP_PATIENT_NAME, EP_ROLE,  /* export_past */
	EP_USER_ID, EP_USER_NAME, EP_USER_EMAIL, EP_AT };
enum { REFS_OLCM_OK = CT__MAX, REFS_ILCM_OK,  /* refs: after the care team's */
	REFS_OLCM_LIMITED, REFS_ILCM_LIMITED,
	REFS_NEW_OLCM_NAME, REFS_NEW_OLCM_EMAIL, REFS_NEW_OLCM_ACTIVE,
	REFS_NEW_ILCM_NAME, REFS_NEW_ILCM_EMAIL, REFS_NEW_ILCM_ACTIVE,
	REFS_MEMBER_ID, REFS_AUTH_EFF, REFS_AUTH_END };
enum { LOCK_ID, LOCK_OLCM, LOCK_ILCM, LOCK_VERSION, LOCK_AT };  /* case_load_lock */
enum { HI_ROLE, HI_USER_ID, HI_USER_NAME, HI_USER_EMAIL,  /* history_page */
	HI_STARTED_AT, HI_ENDED_AT, HI_STARTED_BY, HI_STARTED_BY_NAME, HI_ENDED_BY,
	HI_ENDED_BY_NAME, HI_REASON_CODE, HI_REASON_NOTE, HI_SOURCE, HI_OVERRIDE, HI_AUTH_OVERRIDE };
enum { IG_SHA256, IG_STATE, IG_STATUS, IG_ETAG, IG_BODY, IG_STALE, IG_REQUEST_ID };  /* idem_get */
enum { AL_ACTOR_ID, AL_ACTOR_NAME, AL_ACTION, AL_REQUEST_ID, AL_AT };  /* access_page */
enum { MIG_VERSION, MIG_NAME, MIG_SHA256 };  /* migrations_list */
enum { UG_ID, UG_NAME, UG_EMAIL, UG_ACTIVE };  /* user_get */
enum { UL_ID, UL_NAME, UL_EMAIL, UL_ACTIVE, UL_ROLES };  /* user_list */
enum { TL_ID, TL_LABEL, TL_CREATED, TL_LAST_USED,  /* token_list */
	TL_EXPIRES, TL_REVOKED, TL_EXPIRED };
enum { TG_USER_ID, TG_REVOKED };  /* token_get */
enum { ES_LINE, ES_EARLIER_LINE, ES_HOLDER };  /* import_emails_same */
enum { SG_UPTIME, SG_PRESENT };  /* session_gone */

#endif
