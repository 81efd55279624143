#ifndef LCM_SQL_H
#define LCM_SQL_H

#include <stddef.h>
#include <stdint.h>

/*
 * The statement catalogue: every SQL statement of the worker and of
 * lcm-admin lives in sql.c, each with its signature beside it. db.c checks
 * the signature when it prepares the statement, so a '?' or a column added
 * to the text without its type fails at start-up, not on a request.
 */
enum stmt {
	/* the worker */
	STMT_PING,
	STMT_AUTH_TOKEN,
	STMT_TOKEN_TOUCH,
	STMT_CARE_TEAM,
	STMT_LCM_PAGE,
	STMT_LCM_COUNT,
	STMT_REFS,
	STMT_PATIENTS_EXISTING,
	STMT_USERS_ELIGIBLE,
	STMT_CASE_LOAD_LOCK,
	STMT_CASE_LOAD_INSERT,
	STMT_CASE_LOAD_UPDATE,
	STMT_ACTIVITY_INSERT,
	STMT_ACTIVITY_TAGGED,
	STMT_PATIENT_EXISTS,
	STMT_HISTORY_PAGE,
	STMT_HISTORY_COUNT,
	STMT_IDEM_CLAIM,
	STMT_IDEM_GET,
	STMT_IDEM_TAKEOVER,
	STMT_IDEM_DONE,
	STMT_IDEM_RELEASE,
	STMT_IDEM_PURGE,
	STMT_ACCESS_INSERT,
	STMT_ACCESS_PAGE,
	STMT_ACCESS_COUNT,

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
	STMT_IMPORT_PROVIDERS,
	STMT_IMPORT_PATIENTS,
	STMT_IMPORT_USERS,
	STMT_IMPORT_ROLES_PRUNE,
	STMT_IMPORT_ROLES_ADD,
	STMT_PROVIDERS_EXISTING,
	STMT_USERS_EXISTING,
	STMT_EMAILS_TAKEN,
	STMT__MAX
};

/*
 * A statement's definition. in: one letter per '?', in order: 'i' an
 * int64, 's' a string (either may be bound NULL). out: one letter per
 * result column: 'i' an integer, 's' text or bytes, 't' a DATETIME read as
 * ISO 8601 UTC text. use: the programs that prepare it at connect.
 */
struct stmt_def {
	const char *name;
	const char *sql;
	const char *in;
	const char *out;
	unsigned use;
};

extern const struct stmt_def sql_stmts[STMT__MAX];

/* Result columns, by statement. */
enum { AUTH_USER_ID, AUTH_IS_ADMIN, AUTH_TOKEN_ID, AUTH_STALE };
enum { CT_PATIENT_ID, CT_PATIENT_NAME, CT_CASE_LOAD_ID, CT_PROVIDER_ID, CT_PROVIDER_NAME,
	CT_OLCM_ID, CT_OLCM_NAME, CT_OLCM_EMAIL, CT_OLCM_AT,
	CT_ILCM_ID, CT_ILCM_NAME, CT_ILCM_EMAIL, CT_ILCM_AT, CT_CREATED, CT_UPDATED, CT_VERSION,
	CT__MAX };
enum { LP_ID, LP_NAME, LP_EMAIL, LP_ROLES, LP_OLCM_COUNT, LP_ILCM_COUNT, LP_BOTH_COUNT };
enum { REFS_OLCM_OK = CT__MAX, REFS_ILCM_OK };  /* after the care team's columns */
enum { LOCK_ID, LOCK_OLCM, LOCK_ILCM, LOCK_VERSION };
enum { HI_ROLE, HI_USER_ID, HI_USER_NAME, HI_USER_EMAIL, HI_STARTED_AT, HI_ENDED_AT,
	HI_STARTED_BY, HI_STARTED_BY_NAME, HI_ENDED_BY, HI_ENDED_BY_NAME, HI_REASON_CODE,
	HI_REASON_NOTE, HI_SOURCE };
enum { IG_SHA256, IG_STATE, IG_STATUS, IG_ETAG, IG_BODY, IG_STALE, IG_REQUEST_ID };
enum { AL_ACTOR_ID, AL_ACTOR_NAME, AL_ACTION, AL_REQUEST_ID, AL_AT };
enum { MIG_VERSION, MIG_NAME, MIG_SHA256 };
enum { UG_ID, UG_NAME, UG_EMAIL, UG_ACTIVE };
enum { UL_ID, UL_NAME, UL_EMAIL, UL_ACTIVE, UL_ROLES };
enum { TL_ID, TL_LABEL, TL_CREATED, TL_LAST_USED, TL_EXPIRES, TL_REVOKED, TL_EXPIRED };
enum { TG_USER_ID, TG_REVOKED };
enum { ET_ID, ET_HOLDER };

#endif
