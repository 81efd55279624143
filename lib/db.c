#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <errmsg.h>
#include <mysql.h>
#include <mysqld_error.h>

#include "db.h"
#include "log.h"

#define DB_MAX_PARAMS 16
#define DB_MAX_COLS   16

_Static_assert(sizeof(MYSQL_TIME) <= sizeof(((struct db_col *)0)->time),
    "db_col.time holds a MYSQL_TIME");

/* A user may take the Lead Care Manager role: active and holding "ecm". */
#define SQL_IS_ECM \
	"EXISTS (SELECT 1 FROM user_roles ur JOIN roles r ON r.id = ur.role_id" \
	" WHERE ur.user_id = u.id AND r.name = 'ecm')"

/*
 * The list filter: eligible, name LIKE ?, role 0 (any), 1 (olcm), 2 (ilcm).
 * The search folds case but not accents: "e" finds "Eve", not "Élodie".
 */
#define SQL_LCM_FILTER \
	" WHERE u.active = 1 AND " SQL_IS_ECM \
	" AND u.name COLLATE utf8mb4_uca1400_as_ci LIKE ? ESCAPE '!'" \
	" AND (? = 0" \
	"  OR (? = 1 AND EXISTS (SELECT 1 FROM case_loads c WHERE c.olcm_user_id = u.id))" \
	"  OR (? = 2 AND EXISTS (SELECT 1 FROM case_loads c WHERE c.ilcm_user_id = u.id)))"

/* A JSON array of ids as rows, so one statement serves any batch size. */
#define SQL_ID_TABLE "JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT PATH '$')) AS j"

static const char *const stmts[STMT__MAX] = {
	[STMT_PING] = "SELECT 1",

	[STMT_AUTH_TOKEN] =
	"SELECT u.id, EXISTS (SELECT 1 FROM user_roles ur JOIN roles r ON r.id = ur.role_id"
	" WHERE ur.user_id = u.id AND r.name = 'admin')"
	" FROM users u WHERE u.token_sha256 = ? AND u.active = 1",

	[STMT_CARE_TEAM] =
	"SELECT p.id, p.name, c.id, c.provider_id, pr.name,"
	" c.olcm_user_id, ou.name, ou.email, c.olcm_assigned_at,"
	" c.ilcm_user_id, iu.name, iu.email, c.ilcm_assigned_at,"
	" c.created_at, c.updated_at"
	" FROM patients p"
	" LEFT JOIN case_loads c ON c.patient_id = p.id"
	" LEFT JOIN providers pr ON pr.id = c.provider_id"
	" LEFT JOIN users ou ON ou.id = c.olcm_user_id"
	" LEFT JOIN users iu ON iu.id = c.ilcm_user_id"
	" WHERE p.id = ?",

	[STMT_LCM_PAGE] =
	"SELECT u.id, u.name, u.email,"
	" (SELECT GROUP_CONCAT(r.name ORDER BY r.name SEPARATOR ',')"
	"   FROM user_roles ur JOIN roles r ON r.id = ur.role_id WHERE ur.user_id = u.id),"
	" (SELECT COUNT(*) FROM case_loads c WHERE c.olcm_user_id = u.id),"
	" (SELECT COUNT(*) FROM case_loads c WHERE c.ilcm_user_id = u.id),"
	" (SELECT COUNT(*) FROM case_loads c WHERE c.olcm_user_id = u.id AND c.ilcm_user_id = u.id)"
	" FROM users u" SQL_LCM_FILTER
	" ORDER BY u.name, u.id LIMIT ? OFFSET ?",

	[STMT_LCM_COUNT] = "SELECT COUNT(*) FROM users u" SQL_LCM_FILTER,

	/*
	 * One change's references: patient exists, oLCM and iLCM eligible,
	 * and the case load as it stands (NULLs when there is none).
	 */
	[STMT_REFS] =
	"SELECT EXISTS (SELECT 1 FROM patients WHERE id = ?),"
	" EXISTS (SELECT 1 FROM users u WHERE u.id = ? AND u.active = 1 AND " SQL_IS_ECM "),"
	" EXISTS (SELECT 1 FROM users u WHERE u.id = ? AND u.active = 1 AND " SQL_IS_ECM "),"
	" c.id, c.olcm_user_id, c.ilcm_user_id"
	" FROM (SELECT 1) AS one LEFT JOIN case_loads c ON c.patient_id = ?",

	[STMT_PATIENTS_EXISTING] =
	"SELECT DISTINCT p.id FROM " SQL_ID_TABLE " JOIN patients p ON p.id = j.id",

	[STMT_USERS_ELIGIBLE] =
	"SELECT DISTINCT u.id FROM " SQL_ID_TABLE " JOIN users u ON u.id = j.id"
	" WHERE u.active = 1 AND " SQL_IS_ECM,

	[STMT_CASE_LOAD_LOCK] =
	"SELECT id, olcm_user_id, ilcm_user_id FROM case_loads WHERE patient_id = ? FOR UPDATE",

	[STMT_CASE_LOAD_INSERT] =
	"INSERT INTO case_loads (patient_id, provider_id, olcm_user_id, olcm_assigned_at,"
	" ilcm_user_id, ilcm_assigned_at, created_at, updated_at)"
	" SELECT p.id, p.primary_provider_id, ?, IF(? IS NULL, NULL, NOW(3)),"
	" ?, IF(? IS NULL, NULL, NOW(3)), NOW(3), NOW(3) FROM patients p WHERE p.id = ?",

	/* Per role: assigned_at mode 0 keep, 1 now, 2 clear; then the user id. */
	[STMT_CASE_LOAD_UPDATE] =
	"UPDATE case_loads SET"
	" olcm_assigned_at = CASE ? WHEN 1 THEN NOW(3) WHEN 2 THEN NULL ELSE olcm_assigned_at END,"
	" olcm_user_id = ?,"
	" ilcm_assigned_at = CASE ? WHEN 1 THEN NOW(3) WHEN 2 THEN NULL ELSE ilcm_assigned_at END,"
	" ilcm_user_id = ?,"
	" updated_at = NOW(3)"
	" WHERE id = ?",

	[STMT_ACTIVITY_INSERT] =
	"INSERT INTO patient_activities (patient_id, case_load_id, activity_type, role,"
	" previous_user_id, new_user_id, actor_user_id, reason, request_id, created_at)"
	" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NOW(3))",

	/* Did a change with this request id commit? (after a COMMIT lost on the wire) */
	[STMT_ACTIVITY_TAGGED] =
	"SELECT COUNT(*) FROM patient_activities WHERE request_id = ?",
};

/* Every session: UTC times, READ COMMITTED, short lock waits. */
static const char init_command[] =
	"SET time_zone = '+00:00', SESSION tx_isolation = 'READ-COMMITTED',"
	" SESSION innodb_lock_wait_timeout = 5";

struct db {
	struct db_config cfg;
	MYSQL *conn;
	MYSQL_STMT *st[STMT__MAX];
	MYSQL_BIND res[STMT__MAX][DB_MAX_COLS];
	struct db_col *cols[STMT__MAX];
	size_t ncols[STMT__MAX];
	int in_tx;  /* between db_begin() and db_commit()/db_rollback() */
};

static char *
dup_or_null(const char *s)
{
	return s == NULL ? NULL : strdup(s);
}

struct db *
db_new(const struct db_config *cfg)
{
	struct db *db;

	if ((db = calloc(1, sizeof(*db))) == NULL)
		return NULL;
	db->cfg.port = cfg->port;
	db->cfg.host = dup_or_null(cfg->host);
	db->cfg.socket = dup_or_null(cfg->socket);
	db->cfg.user = dup_or_null(cfg->user);
	db->cfg.password = dup_or_null(cfg->password);
	db->cfg.database = dup_or_null(cfg->database);
	return db;
}

void
db_disconnect(struct db *db)
{
	int i;

	if (db == NULL)
		return;
	for (i = 0; i < STMT__MAX; i++) {
		if (db->st[i] != NULL)
			mysql_stmt_close(db->st[i]);
		db->st[i] = NULL;
		db->cols[i] = NULL;
		db->ncols[i] = 0;
	}
	if (db->conn != NULL)
		mysql_close(db->conn);
	db->conn = NULL;
	db->in_tx = 0;  /* the server rolls back what the connection had open */
}

void
db_free(struct db *db)
{
	if (db == NULL)
		return;
	db_disconnect(db);
	free((void *)(uintptr_t)db->cfg.host);
	free((void *)(uintptr_t)db->cfg.socket);
	free((void *)(uintptr_t)db->cfg.user);
	free((void *)(uintptr_t)db->cfg.password);
	free((void *)(uintptr_t)db->cfg.database);
	free(db);
}

enum app_err
db_errno_class(unsigned e)
{
	switch (e) {
	case CR_SERVER_GONE_ERROR:
	case CR_SERVER_LOST:
	case CR_CONNECTION_ERROR:
	case CR_CONN_HOST_ERROR:
	case CR_SERVER_LOST_EXTENDED:
	case CR_COMMANDS_OUT_OF_SYNC:
	case ER_CONNECTION_KILLED:
	case ER_SERVER_SHUTDOWN:
	case ER_QUERY_INTERRUPTED:
		return APP_EDBLOST;
	case ER_LOCK_DEADLOCK:
		return APP_ERETRY;
	case ER_LOCK_WAIT_TIMEOUT:
		return APP_ELOCKED;
	case ER_DUP_ENTRY:
		return APP_EDUP;
	default:
		return APP_EDB;
	}
}

/* Classify the connection's last error, log it, drop the connection when lost. */
static enum app_err
conn_fail(struct db *db, const char *what)
{
	unsigned e = mysql_errno(db->conn);
	enum app_err rc = db_errno_class(e);

	log_msg(rc == APP_EDB ? LV_ERR : LV_WARN, "db: %s: %u %s", what, e,
	    mysql_error(db->conn));
	if (rc == APP_EDBLOST)
		db_disconnect(db);
	return rc;
}

static enum app_err
stmt_fail(struct db *db, enum stmt id, const char *what)
{
	unsigned e = mysql_stmt_errno(db->st[id]);
	enum app_err rc = db_errno_class(e);

	log_msg(rc == APP_EDB ? LV_ERR : LV_WARN, "db: %s stmt %d: %u %s", what,
	    (int)id, e, mysql_stmt_error(db->st[id]));
	if (rc == APP_EDBLOST)
		db_disconnect(db);
	return rc;
}

enum app_err
db_ensure(struct db *db)
{
	unsigned timeout = 2, rw_timeout = 30;
	int i;

	if (db->conn != NULL)
		return APP_OK;
	if ((db->conn = mysql_init(NULL)) == NULL)
		return APP_ENOMEM;
	mysql_options(db->conn, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
	mysql_options(db->conn, MYSQL_OPT_READ_TIMEOUT, &rw_timeout);
	mysql_options(db->conn, MYSQL_OPT_WRITE_TIMEOUT, &rw_timeout);
	mysql_options(db->conn, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	mysql_options(db->conn, MYSQL_INIT_COMMAND, init_command);
	if (mysql_real_connect(db->conn, db->cfg.host, db->cfg.user, db->cfg.password,
	    db->cfg.database, db->cfg.port, db->cfg.socket, 0) == NULL) {
		log_msg(LV_WARN, "db: connect: %u %s", mysql_errno(db->conn),
		    mysql_error(db->conn));
		db_disconnect(db);
		return APP_EDBLOST;
	}
	for (i = 0; i < STMT__MAX; i++) {
		if ((db->st[i] = mysql_stmt_init(db->conn)) == NULL) {
			db_disconnect(db);
			return APP_ENOMEM;
		}
		if (mysql_stmt_prepare(db->st[i], stmts[i], strlen(stmts[i])) != 0) {
			enum app_err rc = stmt_fail(db, (enum stmt)i, "prepare");
			db_disconnect(db);
			return rc == APP_EDBLOST ? rc : APP_EDB;
		}
	}
	log_msg(LV_INFO, "db: connected, %d statements prepared", STMT__MAX);
	return APP_OK;
}

/* db_exec() on the connection as it is. */
static enum app_err
exec_once(struct db *db, enum stmt id, const struct db_param *p, size_t np,
    struct db_col *cols, size_t nc)
{
	MYSQL_BIND in[DB_MAX_PARAMS];
	unsigned long lens[DB_MAX_PARAMS];
	char nulls[DB_MAX_PARAMS];
	int64_t ints[DB_MAX_PARAMS];
	MYSQL_BIND *out;
	MYSQL_STMT *st;
	size_t i;

	assert((unsigned)id < STMT__MAX && np <= DB_MAX_PARAMS && nc <= DB_MAX_COLS);
	if (db->conn == NULL)
		return APP_EDBLOST;
	st = db->st[id];
	assert(np == mysql_stmt_param_count(st));
	db_done(db, id);

	memset(in, 0, sizeof(in));
	for (i = 0; i < np; i++) {
		nulls[i] = 0;
		lens[i] = 0;
		in[i].is_null = &nulls[i];
		in[i].length = &lens[i];
		switch (p[i].type) {
		case DB_INT:
			ints[i] = p[i].i;
			in[i].buffer_type = MYSQL_TYPE_LONGLONG;
			in[i].buffer = &ints[i];
			lens[i] = sizeof(int64_t);
			break;
		case DB_STR:
			in[i].buffer_type = MYSQL_TYPE_STRING;
			in[i].buffer = (void *)(uintptr_t)p[i].s;
			in[i].buffer_length = p[i].len;
			lens[i] = p[i].len;
			break;
		default:
			in[i].buffer_type = MYSQL_TYPE_NULL;
			nulls[i] = 1;
			break;
		}
	}
	if (np > 0 && mysql_stmt_bind_param(st, in) != 0)
		return stmt_fail(db, id, "bind");
	if (mysql_stmt_execute(st) != 0)
		return stmt_fail(db, id, "execute");
	if (nc == 0)
		return APP_OK;

	assert(nc == mysql_stmt_field_count(st));
	out = db->res[id];
	memset(out, 0, sizeof(MYSQL_BIND) * nc);
	for (i = 0; i < nc; i++) {
		out[i].is_null = &cols[i].is_null;
		out[i].length = &cols[i].len;
		out[i].error = &cols[i].error;
		switch (cols[i].type) {
		case DB_INT:
			out[i].buffer_type = MYSQL_TYPE_LONGLONG;
			out[i].buffer = &cols[i].i;
			break;
		case DB_TIME:
			out[i].buffer_type = MYSQL_TYPE_DATETIME;
			out[i].buffer = cols[i].time;
			out[i].buffer_length = sizeof(MYSQL_TIME);
			break;
		default:
			out[i].buffer_type = MYSQL_TYPE_STRING;
			out[i].buffer = cols[i].s;
			out[i].buffer_length = sizeof(cols[i].s) - 1;
			break;
		}
	}
	if (mysql_stmt_bind_result(st, out) != 0)
		return stmt_fail(db, id, "bind result");
	if (mysql_stmt_store_result(st) != 0)
		return stmt_fail(db, id, "store result");
	db->cols[id] = cols;
	db->ncols[id] = nc;
	return APP_OK;
}

enum app_err
db_exec(struct db *db, enum stmt id, const struct db_param *p, size_t np,
    struct db_col *cols, size_t nc)
{
	enum app_err rc;

	/*
	 * Outside a transaction only reads run: one whose connection is lost
	 * (or was already gone) runs again on a new one. Inside, the caller
	 * decides, for the server rolled back what came before.
	 */
	if (db->in_tx)
		return exec_once(db, id, p, np, cols, nc);
	if ((rc = db_ensure(db)) != APP_OK)
		return rc;
	if ((rc = exec_once(db, id, p, np, cols, nc)) == APP_EDBLOST &&
	    (rc = db_ensure(db)) == APP_OK)
		rc = exec_once(db, id, p, np, cols, nc);
	return rc;
}

/* ISO 8601 UTC with milliseconds; the session time zone is UTC. */
static void
format_time(struct db_col *c)
{
	MYSQL_TIME t;

	memcpy(&t, c->time, sizeof(t));
	c->len = (unsigned long)snprintf(c->s, sizeof(c->s),
	    "%04u-%02u-%02uT%02u:%02u:%02u.%03luZ", t.year, t.month, t.day,
	    t.hour, t.minute, t.second, t.second_part / 1000);
}

enum app_err
db_fetch(struct db *db, enum stmt id)
{
	struct db_col *c = db->cols[id];
	size_t i;
	int r;

	if (db->conn == NULL || c == NULL)
		return APP_EDBLOST;
	r = mysql_stmt_fetch(db->st[id]);
	if (r == MYSQL_NO_DATA)
		return APP_ENOTFOUND;
	if (r == 1)
		return stmt_fail(db, id, "fetch");
	if (r == MYSQL_DATA_TRUNCATED) {
		log_msg(LV_ERR, "db: stmt %d: column truncated", (int)id);
		return APP_EDB;
	}
	for (i = 0; i < db->ncols[id]; i++) {
		if (c[i].is_null) {
			c[i].i = 0;
			c[i].s[0] = '\0';
			c[i].len = 0;
		} else if (c[i].type == DB_TIME)
			format_time(&c[i]);
		else if (c[i].type == DB_STR)
			c[i].s[c[i].len] = '\0';
	}
	return APP_OK;
}

enum app_err
db_row(struct db *db, enum stmt id, const struct db_param *p, size_t np,
    struct db_col *cols, size_t nc)
{
	enum app_err rc;

	if ((rc = db_exec(db, id, p, np, cols, nc)) != APP_OK)
		return rc;
	rc = db_fetch(db, id);
	db_done(db, id);
	return rc;
}

void
db_done(struct db *db, enum stmt id)
{
	if (db->conn != NULL && db->cols[id] != NULL)
		mysql_stmt_free_result(db->st[id]);
	db->cols[id] = NULL;
	db->ncols[id] = 0;
}

uint64_t
db_affected(struct db *db, enum stmt id)
{
	return db->conn == NULL ? 0 : (uint64_t)mysql_stmt_affected_rows(db->st[id]);
}

int64_t
db_insert_id(struct db *db, enum stmt id)
{
	return db->conn == NULL ? 0 : (int64_t)mysql_stmt_insert_id(db->st[id]);
}

static const char begin_sql[] = "START TRANSACTION";

enum app_err
db_begin(struct db *db)
{
	enum app_err rc;

	/* Nothing is lost yet: (re)connect when needed. */
	if ((rc = db_ensure(db)) != APP_OK)
		return rc;
	if (mysql_real_query(db->conn, begin_sql, sizeof(begin_sql) - 1) != 0)
		return conn_fail(db, "begin");
	db->in_tx = 1;
	return APP_OK;
}

enum app_err
db_commit(struct db *db)
{
	if (db->conn == NULL)
		return APP_EDBLOST;
	db->in_tx = 0;
	if (mysql_commit(db->conn) != 0)
		return conn_fail(db, "commit");
	return APP_OK;
}

void
db_rollback(struct db *db)
{
	db->in_tx = 0;
	if (db->conn != NULL && mysql_rollback(db->conn) != 0)
		(void)conn_fail(db, "rollback");
}
