#ifndef LCM_DB_H
#define LCM_DB_H

#include <stddef.h>
#include <stdint.h>

#include "app.h"

/*
 * Every SQL statement of the service. The text lives in db.c's catalogue
 * only; each is prepared once per connection and again after a reconnect.
 */
enum stmt {
	STMT_PING,
	STMT_AUTH_TOKEN,
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
	STMT__MAX
};

enum db_type {
	DB_NULL,
	DB_INT,   /* int64_t, MYSQL_TYPE_LONGLONG */
	DB_STR,   /* bytes with a length */
	DB_TIME   /* result only: DATETIME, rendered as ISO 8601 UTC with ms */
};

/* One statement parameter: build them with the DB_P_* macros. */
struct db_param {
	enum db_type type;
	int64_t i;
	const char *s;
	size_t len;
};

#define DB_P_INT(v)     ((struct db_param){ .type = DB_INT, .i = (v) })
#define DB_P_NULL       ((struct db_param){ .type = DB_NULL })
#define DB_P_STR(v, n)  ((struct db_param){ .type = DB_STR, .s = (v), .len = (n) })

/* An id, or NULL for 0 (ids are never 0). */
static inline struct db_param
DB_P_ID(int64_t id)
{
	return id > 0 ? DB_P_INT(id) : DB_P_NULL;
}

#define DB_STR_MAX 2048

/*
 * One result column. Set type before db_exec(); after each successful
 * db_fetch() is_null, i (DB_INT) or s/len (DB_STR, DB_TIME; always
 * NUL-terminated) hold the row's value.
 */
struct db_col {
	enum db_type type;
	int64_t i;
	char s[DB_STR_MAX];
	unsigned long len;
	char is_null;
	char error;
	_Alignas(8) char time[64];  /* MYSQL_TIME storage for DB_TIME; opaque */
};

struct db_config {
	const char *host;      /* NULL for the socket */
	unsigned port;
	const char *socket;
	const char *user;
	const char *password;
	const char *database;
};

struct db;

/* A handle that is not connected yet. NULL on allocation failure. Copies cfg. */
struct db *db_new(const struct db_config *cfg);

/* Close and release; accepts NULL. */
void db_free(struct db *);

/*
 * Make sure the handle is connected with every statement prepared,
 * (re)connecting when it is not. APP_OK, APP_EDBLOST when the server
 * cannot be reached, APP_EDB when a statement does not prepare.
 */
enum app_err db_ensure(struct db *);

/* Drop the connection (after a lost connection or a fatal error). */
void db_disconnect(struct db *);

/*
 * Execute stmt with np parameters; when nc > 0 bind the nc result columns
 * and buffer the result for db_fetch(). Outside a transaction (where only
 * reads run) a lost connection is re-established and the statement run
 * once more; inside one it is the caller's to handle. Returns APP_OK, APP_EDBLOST
 * (connection dropped, handle disconnected), APP_ERETRY (deadlock),
 * APP_ELOCKED (lock wait timeout), APP_EDUP (unique key), APP_EDB.
 */
enum app_err db_exec(struct db *, enum stmt, const struct db_param *p, size_t np,
    struct db_col *cols, size_t nc);

/*
 * db_exec(), then the first row into cols, then db_done(): for statements
 * that answer one row. APP_OK, APP_ENOTFOUND when there is no row, or an
 * error of db_exec().
 */
enum app_err db_row(struct db *, enum stmt, const struct db_param *p, size_t np,
    struct db_col *cols, size_t nc);

/* Next row into the columns bound by db_exec(): APP_OK, APP_ENOTFOUND at the end, or an error. */
enum app_err db_fetch(struct db *, enum stmt);

/* Release the buffered result of stmt; safe to call twice. */
void db_done(struct db *, enum stmt);

/* Rows changed by the last db_exec() of stmt; id it generated. */
uint64_t db_affected(struct db *, enum stmt);
int64_t db_insert_id(struct db *, enum stmt);

/*
 * Transactions on the handle's connection (READ COMMITTED). db_begin()
 * connects when needed; a connection lost inside ends the transaction.
 */
enum app_err db_begin(struct db *);
enum app_err db_commit(struct db *);
void db_rollback(struct db *);

/* Map a server or client error number to an app_err. */
enum app_err db_errno_class(unsigned errnum);

#endif
