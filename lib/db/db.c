/*
 * A database handle: its connection to one node of the configured list
 * (failover, the away pause, probes), its sessions' settings, errors and
 * their classes, transactions and the fence after a lost COMMIT.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <errmsg.h>
#include <mysql.h>
#include <mysqld_error.h>

#include "db_impl.h"
#include "log.h"

#define DB_EE_WRITE 3              /* the server's "Error writing file" (mysys' EE_WRITE) */

/* Every session: UTC times, READ COMMITTED, short lock waits. */
static const char init_command[] =
	"SET time_zone = '+00:00', SESSION tx_isolation = 'READ-COMMITTED',"
	" SESSION innodb_lock_wait_timeout = 2";

/* A worker's session, besides: what the server lets it hold (DB_IDLE_TX_SECONDS). */
#define STR_(x) #x
#define STR(x) STR_(x)
static const char worker_session[] =
	"SET SESSION max_statement_time = 2, SESSION lock_wait_timeout = 2,"
	" SESSION idle_transaction_timeout = " STR(DB_IDLE_TX_SECONDS);

/* Milliseconds since *t (CLOCK_MONOTONIC). */
long
dbi_ms_since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t->tv_sec) * 1000L + (now.tv_nsec - t->tv_nsec) / 1000000L;
}

static unsigned
read_timeout(const struct db *db)
{
	return db->cfg.read_timeout > 0 ? db->cfg.read_timeout : DB_DEFAULT_READ_TIMEOUT;
}

static unsigned
connect_timeout(const struct db *db)
{
	return db->cfg.connect_timeout > 0 ? db->cfg.connect_timeout : DB_DEFAULT_CONNECT_TIMEOUT;
}

/* A call to the server begins: the time that tells a timeout from another loss. */
void
dbi_call_start(struct db *db)
{
	db->timed_out = 0;
	clock_gettime(CLOCK_MONOTONIC, &db->call_start);
}

struct db_param
DB_P_CSTR(const char *s)
{
	return s == NULL ? DB_P_NULL : DB_P_STR(s, strlen(s));
}

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
	db->cfg = *cfg;
	db->cfg.host = dup_or_null(cfg->host);
	db->cfg.socket = dup_or_null(cfg->socket);
	db->cfg.user = dup_or_null(cfg->user);
	db->cfg.password = dup_or_null(cfg->password);
	db->cfg.database = dup_or_null(cfg->database);
	if (cfg->host != NULL && (db->n_nodes = db_nodes_parse(cfg->host, cfg->port, db->nodes)) < 0)
		db->n_nodes = 0;
	return db;
}

int
db_nodes_parse(const char *list, unsigned port, struct db_node nodes[DB_MAX_NODES])
{
	const char *p = list, *end, *host, *host_end;
	char *num_end;
	unsigned long v;
	int n = 0;

	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (n == DB_MAX_NODES)
			return -1;
		nodes[n].port = port;
		if (*p == '[') {               /* [an:ipv6::address]:port */
			host = p + 1;
			if ((host_end = strchr(host, ']')) == NULL)
				return -1;
			end = host_end + 1;
		} else {
			host = p;
			host_end = host + strcspn(host, ":, \t");
			end = host_end;
		}
		if (host_end == host || (size_t)(host_end - host) >= DB_NODE_MAX)
			return -1;
		memcpy(nodes[n].host, host, (size_t)(host_end - host));
		nodes[n].host[host_end - host] = '\0';
		if (*end == ':') {
			if (end[1] < '0' || end[1] > '9')
				return -1;
			v = strtoul(end + 1, &num_end, 10);
			if (v == 0 || v > 65535)
				return -1;
			nodes[n].port = (unsigned)v;
			end = num_end;
		}
		while (*end == ' ' || *end == '\t')
			end++;
		n++;
		if (*end == '\0')
			return n;
		if (*end != ',')
			return -1;
		p = end + 1;
	}
}

void
dbi_result_free(struct result *r)
{
	unsigned i;

	for (i = 0; r->cols != NULL && i < r->n; i++)
		free(r->cols[i].s);
	free(r->cols);
	free(r->bind);
	memset(r, 0, sizeof(*r));
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
		dbi_result_free(&db->res[i]);
	}
	if (db->conn != NULL)
		mysql_close(db->conn);
	db->conn = NULL;
	dbi_side_close(db);  /* it goes to the server (the cluster node) the connection was on */
	db->in_tx = 0;  /* the server rolls back what the connection had open */
	db->savepoint = 0;
	db->committing = 0;
}

int
db_connected(const struct db *db)
{
	return db != NULL && db->conn != NULL;
}

static void
free_secret(const char *s)
{
	char *p = (char *)(uintptr_t)s;

	if (p == NULL)
		return;
	memset(p, 0, strlen(p));
	free(p);
}

void
db_free(struct db *db)
{
	if (db == NULL)
		return;
	db_disconnect(db);
	if (db->probe != NULL)
		mysql_close(db->probe);
	dbi_side_close(db);
	free((void *)(uintptr_t)db->cfg.host);
	free((void *)(uintptr_t)db->cfg.socket);
	free((void *)(uintptr_t)db->cfg.user);
	free_secret(db->cfg.password);
	free((void *)(uintptr_t)db->cfg.database);
	free(db);
}

unsigned
db_connection(const struct db *db)
{
	return db->conn != NULL ? db->connection : 0;
}

const char *
db_last_error(const struct db *db)
{
	return db->error;
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
	case ER_UNKNOWN_COM_ERROR:  /* Galera: this node is not in the primary component */
		return APP_EDBLOST;
	case ER_LOCK_DEADLOCK:
		return APP_ERETRY;
	case ER_LOCK_WAIT_TIMEOUT:
	case ER_STATEMENT_TIMEOUT:  /* max_statement_time: the server's bound, not an outage */
	/* An INSERT whose wait for a lock was cut short (by the bound above) says this. */
	case ER_AUTOINC_READ_FAILED:
		return APP_ELOCKED;
	case ER_DUP_ENTRY:
		return APP_EDUP;
	case ER_ACCESS_DENIED_ERROR:
	case ER_DBACCESS_DENIED_ERROR:
	case ER_BAD_DB_ERROR:
		return APP_EDBLOGIN;
	case ER_NO_SUCH_TABLE:
	case ER_BAD_FIELD_ERROR:
		return APP_ESCHEMA;
	case ER_NO_SUCH_THREAD:
		return APP_ENOROW;  /* KILL of a session that is gone: what db_fence() wants */
	/*
	 * The server cannot write or lacks a resource: it passes when space is
	 * made (a full disk, a table at its size limit, a file it could not
	 * write, an engine's write error) or the load drops (memory), or when
	 * the server is writable again (read-only): try again later.
	 */
	case DB_EE_WRITE:                   /* 3: error writing a file */
	case ER_DISK_FULL:                  /* 1021 */
	case ER_ERROR_ON_WRITE:             /* 1026 */
	case ER_GET_ERRNO:                  /* 1030: the engine's errno (28: no space) */
	case ER_OPEN_AS_READONLY:           /* 1036 */
	case ER_OUTOFMEMORY:                /* 1037 */
	case ER_OUT_OF_SORTMEMORY:          /* 1038 */
	case ER_OUT_OF_RESOURCES:           /* 1041 */
	case ER_RECORD_FILE_FULL:           /* 1114: the table is full */
	case ER_ERROR_DURING_COMMIT:        /* 1180 */
	case ER_OPTION_PREVENTS_STATEMENT:  /* 1290: read_only */
	case ER_TEMP_FILE_WRITE_FAILURE:    /* 1878 */
		return APP_ESTORAGE;
	default:
		return APP_EDB;
	}
}

/* Note an error for db_last_error() and the log; classify it; drop a lost connection. */
enum app_err
dbi_fail(struct db *db, unsigned e, const char *msg, const char *what, const char *name)
{
	enum app_err rc = db_errno_class(e);

	snprintf(db->error, sizeof(db->error), "%u %s", e, msg);
	if (rc == APP_EDBLOST && db->conn != NULL &&
	    dbi_ms_since(&db->call_start) >= (long)read_timeout(db) * 1000L - 250L) {
		db->timed_out = 1;
		db->away = 1;
		clock_gettime(CLOCK_MONOTONIC, &db->away_at);
		msg = "no answer within the timeout";
	}
	if (rc == APP_ESTORAGE) {
		db->storage = 1;
		clock_gettime(CLOCK_MONOTONIC, &db->storage_at);
	}
	if (rc != APP_ENOROW)
		log_msg(rc == APP_EDB ? LV_ERR : LV_WARN, "db: %s%s%s: %u %s",
		    what, name ? " " : "", name ? name : "", e, msg);
	if (rc == APP_EDBLOST) {
		/* A write's session: the server may still be at it (db_fence()). */
		if (db->conn != NULL && (db->in_tx || db->committing)) {
			db->lost_thread = mysql_thread_id(db->conn);
			db->lost_node = db->node;
			clock_gettime(CLOCK_MONOTONIC, &db->lost_at);
		}
		db_disconnect(db);
	}
	return rc;
}

static enum app_err
conn_fail(struct db *db, const char *what)
{
	return dbi_fail(db, mysql_errno(db->conn), mysql_error(db->conn), what, NULL);
}

enum app_err
dbi_stmt_fail(struct db *db, enum stmt id, const char *what)
{
	char msg[200];

	snprintf(msg, sizeof(msg), "statement %s: %s", sql_stmts[id].name,
	    mysql_stmt_error(db->st[id]));
	return dbi_fail(db, mysql_stmt_errno(db->st[id]), msg, what, NULL);
}

/*
 * Connect to one server (host NULL: the socket) and prepare the handle's
 * statements there.
 */
static enum app_err
connect_to(struct db *db, int node, const char *host, unsigned port)
{
	unsigned timeout = connect_timeout(db), rw_timeout = read_timeout(db), e;
	unsigned long flags = db->cfg.scripts ? CLIENT_MULTI_STATEMENTS : 0;
	enum app_err rc;
	int i, n = 0;

	db->error[0] = '\0';
	if ((db->conn = mysql_init(NULL)) == NULL)
		return APP_ENOMEM;
	mysql_options(db->conn, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
	mysql_options(db->conn, MYSQL_OPT_READ_TIMEOUT, &rw_timeout);
	mysql_options(db->conn, MYSQL_OPT_WRITE_TIMEOUT, &rw_timeout);
	mysql_options(db->conn, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	mysql_options(db->conn, MYSQL_INIT_COMMAND, init_command);
	if (db->cfg.lock_slots != NULL)
		mysql_options(db->conn, MYSQL_OPT_NONBLOCK, 0);  /* for dbi_call_patiently() */
	dbi_call_start(db);
	if (mysql_real_connect(db->conn, host, db->cfg.user, db->cfg.password,
	    db->cfg.database, port, db->cfg.socket, flags) == NULL) {
		e = mysql_errno(db->conn);
		rc = dbi_fail(db, e, mysql_error(db->conn), "connect", NULL);
		db_disconnect(db);
		return rc == APP_EDBLOGIN ? rc : APP_EDBLOST;
	}
	/*
	 * On a Galera node, a read waits until the node has applied every
	 * write the cluster committed before it began: a read after a write
	 * that went through another node (another pool, or the node this
	 * worker used before a failover) sees that write. Elsewhere the
	 * variable is unknown or does nothing.
	 */
	if (mysql_query(db->conn, "SET SESSION wsrep_sync_wait = IF(@@wsrep_on, 1, 0)") != 0 &&
	    mysql_errno(db->conn) != ER_UNKNOWN_SYSTEM_VARIABLE) {
		rc = conn_fail(db, "connect");
		db_disconnect(db);
		return rc == APP_EDBLOGIN || rc == APP_ENOMEM ? rc : APP_EDBLOST;
	}
	if (db->cfg.worker_session && mysql_query(db->conn, worker_session) != 0) {
		rc = conn_fail(db, "connect");
		db_disconnect(db);
		return rc == APP_EDBLOGIN || rc == APP_ENOMEM ? rc : APP_EDBLOST;
	}
	for (i = 0; i < STMT__MAX; i++) {
		if (!(sql_stmts[i].use & db->cfg.prepare))
			continue;
		if ((rc = dbi_prepare(db, (enum stmt)i)) != APP_OK) {
			db_disconnect(db);
			return rc == APP_EDBLOST || rc == APP_ENOMEM || rc == APP_ESCHEMA ? rc : APP_EDB;
		}
		n++;
	}
	db->node = node;
	db->connection++;
	log_msg(LV_DEBUG, "db: connected to %s, %d statements prepared",
	    host != NULL ? host : "the socket", n);
	return APP_OK;
}

static enum app_err ensure_any(struct db *);

enum app_err
db_ensure(struct db *db)
{
	enum app_err rc;

	if (db->conn != NULL)
		return APP_OK;
	/*
	 * A server that was just found away (not reachable, or silent for the
	 * whole timeout) is not tried again at once: while it stays away, each
	 * request would spend a connect timeout on it, and the requests queued
	 * behind would wait instead of getting their 503. A connection the
	 * server merely closed (a kill, a restart) is not "away".
	 */
	if (db->away && dbi_ms_since(&db->away_at) < DB_AWAY_MS) {
		snprintf(db->error, sizeof(db->error), "the database was away %ld ms ago",
		    dbi_ms_since(&db->away_at));
		return APP_EDBLOST;
	}
	rc = ensure_any(db);
	db->away = rc == APP_EDBLOST;
	if (db->away)
		clock_gettime(CLOCK_MONOTONIC, &db->away_at);
	return rc;
}

enum app_err
db_ensure_now(struct db *db)
{
	db->away = 0;
	return db_ensure(db);
}

int
db_storage_failing(const struct db *db)
{
	return db->storage && dbi_ms_since(&db->storage_at) < DB_STORAGE_MS;
}

/* Connect to the socket, or to the first node of the list that answers. */
static enum app_err
ensure_any(struct db *db)
{
	enum app_err rc = APP_EDBLOST;
	int i;

	if (db->cfg.host == NULL)
		return connect_to(db, 0, NULL, db->cfg.port);
	if (db->n_nodes == 0) {
		snprintf(db->error, sizeof(db->error), "db_host is not a list of host[:port]");
		log_msg(LV_ERR, "db: %s", db->error);
		return APP_EDB;
	}
	/*
	 * The nodes in the order given: every worker prefers the first one that
	 * is up and ready, so that while it is, one node takes all the writes
	 * and the cluster has no conflicts to certify.
	 */
	for (i = 0; i < db->n_nodes; i++) {
		rc = connect_to(db, i, db->nodes[i].host, db->nodes[i].port);
		if (rc != APP_EDBLOST)
			break;
	}
	if (rc == APP_OK && i > 0)
		log_msg(LV_WARN, "db: connected to %s:%u, the earlier nodes did not answer",
		    db->nodes[i].host, db->nodes[i].port);
	return rc;
}

static const char begin_sql[] = "START TRANSACTION";

enum app_err
db_begin(struct db *db)
{
	enum app_err rc;

	/* Nothing is lost yet: (re)connect when needed. */
	if ((rc = db_ensure(db)) != APP_OK)
		return rc;
	dbi_call_start(db);
	if (mysql_real_query(db->conn, begin_sql, sizeof(begin_sql) - 1) != 0)
		return conn_fail(db, "begin");
	db->in_tx = 1;
	return APP_OK;
}

enum app_err
db_commit(struct db *db)
{
	enum app_err rc;

	if (db->conn == NULL)
		return APP_EDBLOST;
	db->in_tx = 0;
	db->savepoint = 0;
	db->committing = 1;
	dbi_call_start(db);
	rc = mysql_commit(db->conn) != 0 ? conn_fail(db, "commit") : APP_OK;
	db->committing = 0;
	return rc;
}

void
db_rollback(struct db *db)
{
	db->in_tx = 0;
	db->savepoint = 0;
	dbi_call_start(db);
	if (db->conn != NULL && mysql_rollback(db->conn) != 0)
		(void)conn_fail(db, "rollback");
}

enum app_err
db_script(struct db *db, const char *sql, size_t len)
{
	MYSQL_RES *res;
	enum app_err rc;
	int more;

	if (!db->cfg.scripts)
		return APP_EINTERNAL;
	if ((rc = db_ensure(db)) != APP_OK)
		return rc;
	dbi_call_start(db);
	if (mysql_real_query(db->conn, sql, (unsigned long)len) != 0)
		return conn_fail(db, "script");
	do {
		if ((res = mysql_store_result(db->conn)) != NULL)
			mysql_free_result(res);
		else if (mysql_field_count(db->conn) != 0)
			return conn_fail(db, "script result");
		if ((more = mysql_next_result(db->conn)) > 0)
			return conn_fail(db, "script");
	} while (more == 0);
	return APP_OK;
}

/* A statement that is not in the catalogue because it takes no data: savepoints. */
static enum app_err
db_plain(struct db *db, const char *sql)
{
	if (db->conn == NULL)
		return APP_EDBLOST;
	dbi_call_start(db);
	if (mysql_real_query(db->conn, sql, (unsigned long)strlen(sql)) != 0)
		return conn_fail(db, "savepoint");
	return APP_OK;
}

enum app_err
db_savepoint(struct db *db)
{
	enum app_err rc;

	if (!db->in_tx)
		return APP_EINTERNAL;
	if ((rc = db_plain(db, "SAVEPOINT lcm_item")) == APP_OK)
		db->savepoint = 1;
	return rc;
}

enum app_err
db_release(struct db *db)
{
	return db_plain(db, "RELEASE SAVEPOINT lcm_item");
}

enum app_err
db_rollback_to(struct db *db)
{
	return db_plain(db, "ROLLBACK TO SAVEPOINT lcm_item");
}

enum app_err
db_fence(struct db *db)
{
	struct timespec pause = {0, 50 * 1000000L};
	struct db_param p;
	enum app_err rc;
	long since;
	int i;

	if (db->lost_thread == 0)
		return APP_OK;
	if ((rc = db_ensure(db)) != APP_OK)
		return rc;
	if (db->node != db->lost_node) {
		/*
		 * The session was on another node of the cluster, which cannot
		 * be asked. Should that node still commit the write, Galera
		 * certifies it after whatever this connection does to the same
		 * rows: the later of two conflicting writes is refused.
		 */
		log_msg(LV_WARN, "db: the lost session %lu was on %s:%u; now on %s:%u",
		    db->lost_thread, db->nodes[db->lost_node].host, db->nodes[db->lost_node].port,
		    db->nodes[db->node].host, db->nodes[db->node].port);
		db->lost_thread = 0;
		return APP_OK;
	}
	p = DB_P_INT((int64_t)db->lost_thread);
	for (i = 0; i < DB_FENCE_TRIES; i++) {
		if ((rc = db_row(db, STMT_SESSION_GONE, &p, 1)) != APP_OK)
			return rc == APP_ENOROW ? APP_EDB : rc;
		/*
		 * A server that started after the loss has no trace of the
		 * session, and the id may be another's now: leave it alone.
		 */
		since = dbi_ms_since(&db->lost_at);
		if (db_int(db, STMT_SESSION_GONE, SG_UPTIME) * 1000 < since + 1000 ||
		    db_int(db, STMT_SESSION_GONE, SG_PRESENT) == 0) {
			db->lost_thread = 0;
			return APP_OK;
		}
		if (i == 0 && (rc = db_exec(db, STMT_SESSION_KILL, &p, 1)) != APP_OK &&
		    rc != APP_ENOROW)
			return rc;
		nanosleep(&pause, NULL);
	}
	log_msg(LV_WARN, "db: the lost session %lu is still there after %d ms", db->lost_thread,
	    DB_FENCE_TRIES * 50);
	return APP_EDBLOST;
}

/* Open db->probe to one server, with the ping's timeouts. */
static int
probe_connect(struct db *db, const char *host, unsigned port)
{
	unsigned t = DB_PING_TIMEOUT;

	if ((db->probe = mysql_init(NULL)) == NULL)
		return 0;
	mysql_options(db->probe, MYSQL_OPT_CONNECT_TIMEOUT, &t);
	mysql_options(db->probe, MYSQL_OPT_READ_TIMEOUT, &t);
	mysql_options(db->probe, MYSQL_OPT_WRITE_TIMEOUT, &t);
	if (mysql_real_connect(db->probe, host, db->cfg.user, db->cfg.password,
	    db->cfg.database, port, db->cfg.socket, 0) != NULL)
		return 1;
	log_msg(LV_WARN, "db: ping: %u %s", mysql_errno(db->probe), mysql_error(db->probe));
	mysql_close(db->probe);
	db->probe = NULL;
	return 0;
}

enum app_err
db_ping(struct db *db)
{
	struct timespec t0;
	int i;

	if (db->probe != NULL) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (mysql_ping(db->probe) == 0)
			return APP_OK;
		log_msg(LV_WARN, "db: ping: %u %s", mysql_errno(db->probe), mysql_error(db->probe));
		mysql_close(db->probe);
		db->probe = NULL;
		/*
		 * A server that did not answer in time is away: say so now. One
		 * that closed the connection at once may have restarted since it
		 * was opened: connect again (below) rather than answer 503.
		 */
		if (dbi_ms_since(&t0) >= 500)
			return APP_EDBLOST;
	}
	/* A cluster answers when one of its nodes does, in the order listed. */
	if (db->cfg.host == NULL)
		return probe_connect(db, NULL, db->cfg.port) ? APP_OK : APP_EDBLOST;
	for (i = 0; i < db->n_nodes; i++)
		if (probe_connect(db, db->nodes[i].host, db->nodes[i].port))
			return APP_OK;
	return APP_EDBLOST;
}
