#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <errmsg.h>
#include <mysql.h>
#include <mysqld_error.h>

#include "db.h"
#include "log.h"
#include "slots.h"

#define DB_MAX_PARAMS 16
#define DB_COL_INITIAL 256         /* text buffer of a column before it grows */
#define DB_COL_CAP (64 * 1024)     /* never preallocate more than this per column */
#define DB_EE_WRITE 3              /* the server's "Error writing file" (mysys' EE_WRITE) */

/* One result column: the library's storage for the current row's value. */
struct col {
	char kind;            /* 'i', 's' or 't' of the signature */
	int64_t i;
	MYSQL_TIME t;
	char *s;              /* text (and times, formatted) */
	unsigned long cap;    /* bytes at s, the NUL included */
	unsigned long len;
	my_bool is_null;
	my_bool error;
};

struct result {
	unsigned n;
	MYSQL_BIND *bind;
	struct col *cols;
	int open;             /* a buffered result awaits db_done() */
};

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

struct db {
	struct db_config cfg;
	struct db_node nodes[DB_MAX_NODES];
	int n_nodes;          /* 0 for the socket (or a host list that did not parse) */
	MYSQL *conn;
	MYSQL_STMT *st[STMT__MAX];
	struct result res[STMT__MAX];
	int in_tx;  /* between db_begin() and db_commit()/db_rollback() */
	int savepoint;             /* a savepoint is set: the transaction is a dry run's */
	int committing;            /* inside mysql_commit() */
	int timed_out;             /* the last call's connection was lost to the timeout */
	int away;                  /* the server could not be reached, or did not answer in time, */
	struct timespec away_at;   /* then: db_ensure() does not try again for DB_AWAY_MS */
	int storage;               /* a statement was refused for want of storage, */
	struct timespec storage_at;  /* then: db_storage_failing() */
	unsigned long lost_thread; /* the server session a write lost, for db_fence() */
	int node;                  /* the node of nodes[] connected to (0 for the socket) */
	int lost_node;             /* the node lost_thread was a session of */
	struct timespec lost_at;   /* when */
	struct timespec call_start;
	unsigned connection;       /* db_connection(): counts the connections made */
	MYSQL *probe;              /* db_ping()'s connection */
	MYSQL *side;               /* to interrupt this handle's own statement: a write that gives up */
	MYSQL_STMT *side_kill;     /* its KILL QUERY */
	char error[256];
};

/* Milliseconds since *t (CLOCK_MONOTONIC). */
static long
ms_since(const struct timespec *t)
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
static void
call_start(struct db *db)
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

static void
result_free(struct result *r)
{
	unsigned i;

	for (i = 0; r->cols != NULL && i < r->n; i++)
		free(r->cols[i].s);
	free(r->cols);
	free(r->bind);
	memset(r, 0, sizeof(*r));
}

static void side_close(struct db *);

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
		result_free(&db->res[i]);
	}
	if (db->conn != NULL)
		mysql_close(db->conn);
	db->conn = NULL;
	side_close(db);  /* it goes to the server (the cluster node) the connection was on */
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
	side_close(db);
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
static enum app_err
fail(struct db *db, unsigned e, const char *msg, const char *what, const char *name)
{
	enum app_err rc = db_errno_class(e);

	snprintf(db->error, sizeof(db->error), "%u %s", e, msg);
	if (rc == APP_EDBLOST && db->conn != NULL &&
	    ms_since(&db->call_start) >= (long)read_timeout(db) * 1000L - 250L) {
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
	return fail(db, mysql_errno(db->conn), mysql_error(db->conn), what, NULL);
}

static enum app_err
stmt_fail(struct db *db, enum stmt id, const char *what)
{
	char msg[200];

	snprintf(msg, sizeof(msg), "statement %s: %s", sql_stmts[id].name,
	    mysql_stmt_error(db->st[id]));
	return fail(db, mysql_stmt_errno(db->st[id]), msg, what, NULL);
}

/* A column type the signature letter accepts. */
static int
type_fits(char kind, int t)
{
	switch (kind) {
	case 'i':
		return t == MYSQL_TYPE_TINY || t == MYSQL_TYPE_SHORT || t == MYSQL_TYPE_INT24 ||
		    t == MYSQL_TYPE_LONG || t == MYSQL_TYPE_LONGLONG || t == MYSQL_TYPE_NEWDECIMAL ||
		    t == MYSQL_TYPE_NULL;
	case 't':
		return t == MYSQL_TYPE_DATETIME || t == MYSQL_TYPE_TIMESTAMP || t == MYSQL_TYPE_NULL;
	case 's':
		return t == MYSQL_TYPE_VARCHAR || t == MYSQL_TYPE_VAR_STRING ||
		    t == MYSQL_TYPE_STRING || t == MYSQL_TYPE_BLOB || t == MYSQL_TYPE_TINY_BLOB ||
		    t == MYSQL_TYPE_MEDIUM_BLOB || t == MYSQL_TYPE_LONG_BLOB || t == MYSQL_TYPE_ENUM ||
		    t == MYSQL_TYPE_SET || t == MYSQL_TYPE_JSON || t == MYSQL_TYPE_NULL;
	default:
		return 0;
	}
}

/* Bind column i of r to its storage. */
static void
bind_col(struct result *r, unsigned i)
{
	MYSQL_BIND *b = &r->bind[i];
	struct col *c = &r->cols[i];

	memset(b, 0, sizeof(*b));
	b->is_null = &c->is_null;
	b->length = &c->len;
	b->error = &c->error;
	switch (c->kind) {
	case 'i':
		b->buffer_type = MYSQL_TYPE_LONGLONG;
		b->buffer = &c->i;
		break;
	case 't':
		b->buffer_type = MYSQL_TYPE_DATETIME;
		b->buffer = &c->t;
		b->buffer_length = sizeof(c->t);
		break;
	default:
		b->buffer_type = MYSQL_TYPE_STRING;
		b->buffer = c->s;
		b->buffer_length = c->cap - 1;
		break;
	}
}

int
db_out_check(const struct stmt_def *d, const struct db_field *f, unsigned n, char *msg,
    size_t size)
{
	const struct sql_col *c;
	unsigned i;

	if (n != d->nout) {
		snprintf(msg, size, "%u result columns, the catalogue says %u", n, d->nout);
		return -1;
	}
	for (i = 0; i < n; i++) {
		c = &d->out[i];
		if (c->name == NULL || f[i].name == NULL || strcmp(c->name, f[i].name) != 0) {
			snprintf(msg, size, "column %u is named \"%.64s\", the catalogue says \"%.64s\"",
			    i + 1, f[i].name != NULL ? f[i].name : "", c->name != NULL ? c->name : "");
			return -1;
		}
		if (!type_fits(c->type, f[i].type)) {
			snprintf(msg, size, "column %u (\"%.64s\") is of type %d, the catalogue says '%c'",
			    i + 1, c->name, f[i].type, c->type != '\0' ? c->type : '?');
			return -1;
		}
	}
	return 0;
}

/*
 * The result storage of a prepared statement, checked against its
 * signature (db_out_check()). Text buffers start at the column's declared
 * size (capped) and grow on a longer value.
 */
static enum app_err
result_setup(struct db *db, enum stmt id)
{
	const struct stmt_def *d = &sql_stmts[id];
	struct result *r = &db->res[id];
	struct db_field *seen = NULL;
	MYSQL_RES *meta = NULL;
	MYSQL_FIELD *f = NULL;
	unsigned n = mysql_stmt_field_count(db->st[id]), i;
	unsigned long cap;
	char why[200];
	enum app_err rc = APP_ENOMEM;

	if (n > 0) {
		if ((meta = mysql_stmt_result_metadata(db->st[id])) == NULL)
			return stmt_fail(db, id, "metadata");
		f = mysql_fetch_fields(meta);
		if ((seen = calloc(n, sizeof(*seen))) == NULL)
			goto out;
		for (i = 0; i < n; i++) {
			seen[i].name = f[i].name;
			seen[i].type = (int)f[i].type;
		}
	}
	if (db_out_check(d, seen, n, why, sizeof(why)) != 0) {
		log_msg(LV_ERR, "db: %s: %s", d->name, why);
		snprintf(db->error, sizeof(db->error), "statement %s does not match its signature: %s",
		    d->name, why);
		rc = APP_EDB;
		goto out;
	}
	if (n == 0) {
		rc = APP_OK;
		goto out;
	}
	r->n = n;
	if ((r->bind = calloc(n, sizeof(*r->bind))) == NULL ||
	    (r->cols = calloc(n, sizeof(*r->cols))) == NULL)
		goto out;
	for (i = 0; i < n; i++) {
		r->cols[i].kind = d->out[i].type;
		cap = d->out[i].type == 's' && f[i].length + 1 > DB_COL_INITIAL ?
		    f[i].length + 1 : DB_COL_INITIAL;
		if (cap > DB_COL_CAP)
			cap = DB_COL_CAP;
		if ((r->cols[i].s = malloc(cap)) == NULL)
			goto out;
		r->cols[i].s[0] = '\0';
		r->cols[i].cap = cap;
		bind_col(r, i);
	}
	rc = APP_OK;
out:
	free(seen);
	mysql_free_result(meta);
	if (rc != APP_OK)
		result_free(r);
	return rc;
}

/* Prepare one statement of the catalogue and check its signature. */
static enum app_err
prepare(struct db *db, enum stmt id)
{
	const struct stmt_def *d = &sql_stmts[id];
	enum app_err rc;

	if ((db->st[id] = mysql_stmt_init(db->conn)) == NULL)
		return APP_ENOMEM;
	if (mysql_stmt_prepare(db->st[id], d->sql, strlen(d->sql)) != 0) {
		rc = stmt_fail(db, id, "prepare");
		goto fail;
	}
	if (mysql_stmt_param_count(db->st[id]) != strlen(d->in)) {
		log_msg(LV_ERR, "db: %s: %lu parameters, the signature says %zu", d->name,
		    mysql_stmt_param_count(db->st[id]), strlen(d->in));
		snprintf(db->error, sizeof(db->error), "statement %s does not match its signature", d->name);
		rc = APP_EDB;
		goto fail;
	}
	if ((rc = result_setup(db, id)) == APP_OK)
		return APP_OK;
fail:
	if (db->st[id] != NULL)
		mysql_stmt_close(db->st[id]);
	db->st[id] = NULL;
	return rc;
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
		mysql_options(db->conn, MYSQL_OPT_NONBLOCK, 0);  /* for call_patiently() */
	call_start(db);
	if (mysql_real_connect(db->conn, host, db->cfg.user, db->cfg.password,
	    db->cfg.database, port, db->cfg.socket, flags) == NULL) {
		e = mysql_errno(db->conn);
		rc = fail(db, e, mysql_error(db->conn), "connect", NULL);
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
		if ((rc = prepare(db, (enum stmt)i)) != APP_OK) {
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
	if (db->away && ms_since(&db->away_at) < DB_AWAY_MS) {
		snprintf(db->error, sizeof(db->error), "the database was away %ld ms ago",
		    ms_since(&db->away_at));
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
	return db->storage && ms_since(&db->storage_at) < DB_STORAGE_MS;
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

enum app_err
db_prepare_every(struct db *db, unsigned use, size_t *n)
{
	enum app_err rc;
	int i;

	*n = 0;
	if ((rc = db_ensure(db)) != APP_OK)
		return rc;
	for (i = 0; i < STMT__MAX; i++) {
		if (sql_stmts[i].use != 0 && !(sql_stmts[i].use & use))
			continue;
		if (db->st[i] == NULL && (rc = prepare(db, (enum stmt)i)) != APP_OK)
			return rc;
		(*n)++;
	}
	return APP_OK;
}

/* Bind np parameters of stmt id, checked against its signature. */
static enum app_err
bind_params(struct db *db, enum stmt id, const struct db_param *p, size_t np,
    MYSQL_BIND *in, unsigned long *lens, my_bool *nulls, int64_t *ints)
{
	const char *sig = sql_stmts[id].in;
	size_t i;

	if (np != strlen(sig) || np > DB_MAX_PARAMS) {
		log_msg(LV_ERR, "db: %s called with %zu parameters, the signature says %zu",
		    sql_stmts[id].name, np, strlen(sig));
		return APP_EINTERNAL;
	}
	memset(in, 0, sizeof(*in) * (np ? np : 1));
	for (i = 0; i < np; i++) {
		nulls[i] = 0;
		lens[i] = 0;
		in[i].is_null = &nulls[i];
		in[i].length = &lens[i];
		if (p[i].type != DB_NULL && p[i].type != (sig[i] == 'i' ? DB_INT : DB_STR)) {
			log_msg(LV_ERR, "db: %s: parameter %zu is not of type '%c'",
			    sql_stmts[id].name, i + 1, sig[i]);
			return APP_EINTERNAL;
		}
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
	if (np > 0 && mysql_stmt_bind_param(db->st[id], in) != 0)
		return stmt_fail(db, id, "bind");
	return APP_OK;
}

/* Close the side connection and its statement. */
static void
side_close(struct db *db)
{
	if (db->side_kill != NULL)
		mysql_stmt_close(db->side_kill);
	if (db->side != NULL)
		mysql_close(db->side);
	db->side_kill = NULL;
	db->side = NULL;
}

/* Open the side connection to the server of the handle's own, with its statement. 0 or -1. */
static int
side_open(struct db *db)
{
	static const char kill_query[] = "KILL QUERY ?";
	unsigned t = DB_PING_TIMEOUT;
	const char *host = db->n_nodes > 0 ? db->nodes[db->node].host : db->cfg.host;
	unsigned port = db->n_nodes > 0 ? db->nodes[db->node].port : db->cfg.port;

	if ((db->side = mysql_init(NULL)) == NULL)
		return -1;
	mysql_options(db->side, MYSQL_OPT_CONNECT_TIMEOUT, &t);
	mysql_options(db->side, MYSQL_OPT_READ_TIMEOUT, &t);
	mysql_options(db->side, MYSQL_OPT_WRITE_TIMEOUT, &t);
	if (mysql_real_connect(db->side, host, db->cfg.user, db->cfg.password, db->cfg.database,
	    port, db->cfg.socket, 0) == NULL || (db->side_kill = mysql_stmt_init(db->side)) == NULL ||
	    mysql_stmt_prepare(db->side_kill, kill_query, sizeof(kill_query) - 1) != 0)
		return -1;
	return 0;
}

/*
 * Interrupt the statement this handle's session runs, from a connection
 * of its own to the same server: the statement fails (1317) and its
 * transaction stays, to be rolled back; a statement already over is left
 * alone (the server forgets an interruption between statements). 0, or -1
 * when the server could not be asked in time.
 */
static int
interrupt_own_statement(struct db *db)
{
	unsigned long long me = mysql_thread_id(db->conn);
	MYSQL_BIND in;
	int try;

	for (try = 0; try < 2; try++) {
		if (db->side == NULL && side_open(db) != 0)
			break;
		memset(&in, 0, sizeof(in));
		in.buffer_type = MYSQL_TYPE_LONGLONG;
		in.buffer = &me;
		in.is_unsigned = 1;
		if (mysql_stmt_bind_param(db->side_kill, &in) == 0 &&
		    mysql_stmt_execute(db->side_kill) == 0)
			return 0;
		/* Ended already (1094): nothing runs there to interrupt. */
		if (mysql_stmt_errno(db->side_kill) == ER_NO_SUCH_THREAD)
			return 0;
		side_close(db);  /* a side connection the server closed: once more, anew */
	}
	log_msg(LV_WARN, "db: could not interrupt session %llu's statement: %s", me,
	    db->side != NULL ? mysql_error(db->side) : "no connection");
	side_close(db);
	return -1;
}

/* The two calls of a statement that can wait on a lock, run without blocking. */
enum nb_call { NB_EXECUTE, NB_STORE };

static int
nb_start(struct db *db, enum nb_call c, enum stmt id, int *ret)
{
	return c == NB_EXECUTE ? mysql_stmt_execute_start(ret, db->st[id]) :
	    mysql_stmt_store_result_start(ret, db->st[id]);
}

static int
nb_cont(struct db *db, enum nb_call c, enum stmt id, int *ret, int ready)
{
	return c == NB_EXECUTE ? mysql_stmt_execute_cont(ret, db->st[id], ready) :
	    mysql_stmt_store_result_cont(ret, db->st[id], ready);
}

/*
 * A call of a worker's write transaction, as the blocking call would run
 * it, but patiently: once it has waited DB_LOCK_PATIENCE_MS (on another
 * transaction's lock, as a rule) it goes on waiting only with one of the
 * pool's waiting slots, and after DB_LOCK_GLANCE_MS already when every
 * slot is taken. Without one it gives up: the statement is interrupted
 * (interrupt_own_statement) and *gave_up set, so that lock waits never
 * hold more than the slots' share of the pool. The call's result: 0, or
 * non-zero with the statement's error.
 */
static int
call_patiently(struct db *db, enum nb_call c, enum stmt id, int *gave_up)
{
	struct timespec t0, lib_at;
	struct pollfd pfd;
	long lib_ms = -1, left, wait;
	int ret = 1, status, ready, slot = 0, patient = 1, glanced = 0, n;

	*gave_up = 0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	status = nb_start(db, c, id, &ret);
	while (status != 0) {
		/* The library's own timeout runs from when it asked to wait. */
		if (status & MYSQL_WAIT_TIMEOUT) {
			lib_ms = (long)mysql_get_timeout_value_ms(db->conn);
			clock_gettime(CLOCK_MONOTONIC, &lib_at);
		} else
			lib_ms = -1;
		for (;;) {
			wait = lib_ms < 0 ? -1 : lib_ms - ms_since(&lib_at);
			if (patient && !slot && !*gave_up) {
				left = (glanced ? DB_LOCK_PATIENCE_MS : DB_LOCK_GLANCE_MS) - ms_since(&t0);
				if (left < 0)
					left = 0;
				if (wait < 0 || left < wait)
					wait = left;
			}
			if (wait < 0 && lib_ms >= 0)
				wait = 0;
			pfd.fd = mysql_get_socket(db->conn);
			pfd.events = (short)((status & MYSQL_WAIT_READ ? POLLIN : 0) |
			    (status & MYSQL_WAIT_WRITE ? POLLOUT : 0) |
			    (status & MYSQL_WAIT_EXCEPT ? POLLPRI : 0));
			pfd.revents = 0;
			if ((n = poll(&pfd, 1, (int)wait)) < 0 && errno == EINTR)
				continue;
			if (n != 0)
				break;
			if (lib_ms >= 0 && ms_since(&lib_at) >= lib_ms)
				break;  /* the library's timeout: it says so */
			/*
			 * A wait that has lasted a glance, while every slot is
			 * taken (a stuck transaction holds the pool's waiters),
			 * gives up at once; else it has patience. Patience spent:
			 * wait on with a slot, or give up.
			 */
			if (!glanced && slots_free(db->cfg.lock_slots) != 0) {
				glanced = 1;
				continue;
			}
			if (glanced && slots_take(db->cfg.lock_slots))
				slot = 1;
			else if (interrupt_own_statement(db) == 0)
				*gave_up = 1;
			else
				patient = 0;  /* the server cannot be asked: its answer, or the timeout, decides */
		}
		if (n < 0)
			ready = MYSQL_WAIT_READ;  /* let the library meet the error */
		else if (n == 0)
			ready = MYSQL_WAIT_TIMEOUT;
		else
			ready = (pfd.revents & (POLLIN | POLLERR | POLLHUP) ? MYSQL_WAIT_READ : 0) |
			    (pfd.revents & POLLOUT ? MYSQL_WAIT_WRITE : 0) |
			    (pfd.revents & POLLPRI ? MYSQL_WAIT_EXCEPT : 0);
		status = nb_cont(db, c, id, &ret, ready);
	}
	if (slot)
		slots_give(db->cfg.lock_slots);
	return ret;
}

/*
 * A statement that gave up waiting (call_patiently), whose call returned
 * failed: interrupted (1317), or over just before it could be, it is a
 * lock wait given up, and its transaction stays open for the caller to
 * roll back; any other error is the statement's own (a deadlock victim's
 * transaction is gone: APP_ERETRY), as if nothing was given up.
 */
static enum app_err
gave_up(struct db *db, enum stmt id, int failed, const char *what)
{
	if (failed && mysql_stmt_errno(db->st[id]) != ER_QUERY_INTERRUPTED)
		return stmt_fail(db, id, what);
	log_msg(LV_WARN, "db: statement %s: waited on a lock with every waiting slot taken: "
	    "given up", sql_stmts[id].name);
	snprintf(db->error, sizeof(db->error), "gave up waiting on a lock");
	mysql_stmt_free_result(db->st[id]);
	mysql_stmt_reset(db->st[id]);
	return APP_ELOCKED;
}

/* db_exec() on the connection as it is. */
static enum app_err
exec_once(struct db *db, enum stmt id, const struct db_param *p, size_t np)
{
	MYSQL_BIND in[DB_MAX_PARAMS];
	unsigned long lens[DB_MAX_PARAMS];
	my_bool nulls[DB_MAX_PARAMS];
	int64_t ints[DB_MAX_PARAMS];
	struct result *r = &db->res[id];
	int patient, failed, given_up = 0;
	enum app_err rc;

	if ((unsigned)id >= STMT__MAX)
		return APP_EINTERNAL;
	if (db->conn == NULL)
		return APP_EDBLOST;
	if (db->st[id] == NULL && (rc = prepare(db, id)) != APP_OK)
		return rc;
	db_done(db, id);
	if ((rc = bind_params(db, id, p, np, in, lens, nulls, ints)) != APP_OK)
		return rc;
	call_start(db);
	patient = db->cfg.lock_slots != NULL && db->in_tx && (sql_stmts[id].use & SQL_BRIEF);
	failed = patient ? call_patiently(db, NB_EXECUTE, id, &given_up) :
	    mysql_stmt_execute(db->st[id]);
	if (given_up)
		return gave_up(db, id, failed, "execute");
	if (failed != 0)
		return stmt_fail(db, id, "execute");
	if (r->n == 0)
		return APP_OK;
	if (mysql_stmt_bind_result(db->st[id], r->bind) != 0)
		return stmt_fail(db, id, "bind result");
	/* A locking read waits here, as its rows come. */
	failed = patient ? call_patiently(db, NB_STORE, id, &given_up) :
	    mysql_stmt_store_result(db->st[id]);
	if (given_up)
		return gave_up(db, id, failed, "store result");
	if (failed != 0)
		return stmt_fail(db, id, "store result");
	r->open = 1;
	return APP_OK;
}

enum app_err
db_exec(struct db *db, enum stmt id, const struct db_param *p, size_t np)
{
	enum app_err rc;

	/*
	 * Outside a transaction only reads run: one whose connection is lost
	 * (or was already gone) runs again on a new one. Inside, the caller
	 * decides, for the server rolled back what came before.
	 */
	if (db->in_tx)
		return exec_once(db, id, p, np);
	if ((rc = db_ensure(db)) != APP_OK)
		return rc;
	/*
	 * Not after a timeout: a server that did not answer within it is not
	 * asked again within the same request.
	 */
	if ((rc = exec_once(db, id, p, np)) == APP_EDBLOST && !db->timed_out &&
	    (rc = db_ensure(db)) == APP_OK)
		rc = exec_once(db, id, p, np);
	return rc;
}

/* ISO 8601 UTC with milliseconds; the session time zone is UTC. */
static void
format_time(struct col *c)
{
	c->len = (unsigned long)snprintf(c->s, c->cap, "%04u-%02u-%02uT%02u:%02u:%02u.%03luZ",
	    c->t.year, c->t.month, c->t.day, c->t.hour, c->t.minute, c->t.second,
	    c->t.second_part / 1000);
}

/* A text column came back truncated: grow its buffer and read it whole. */
static enum app_err
refetch(struct db *db, enum stmt id, unsigned i)
{
	struct result *r = &db->res[id];
	struct col *c = &r->cols[i];
	unsigned long need = c->len + 1;
	char *grown;

	if ((grown = realloc(c->s, need)) == NULL)
		return APP_ENOMEM;
	c->s = grown;
	c->cap = need;
	bind_col(r, i);
	if (mysql_stmt_fetch_column(db->st[id], &r->bind[i], i, 0) != 0)
		return stmt_fail(db, id, "fetch column");
	/* Later rows fetch into the grown buffer. */
	if (mysql_stmt_bind_result(db->st[id], r->bind) != 0)
		return stmt_fail(db, id, "bind result");
	return APP_OK;
}

enum app_err
db_next(struct db *db, enum stmt id)
{
	struct result *r = &db->res[id];
	enum app_err rc;
	unsigned i;
	int f;

	if (db->conn == NULL)
		return APP_EDBLOST;
	if (!r->open)
		return APP_ENOROW;  /* not run, or already read to its end */
	f = mysql_stmt_fetch(db->st[id]);
	if (f == MYSQL_NO_DATA)
		return APP_ENOROW;
	if (f == 1)
		return stmt_fail(db, id, "fetch");
	for (i = 0; i < r->n; i++) {
		struct col *c = &r->cols[i];

		if (f == MYSQL_DATA_TRUNCATED && c->error) {
			if (c->kind != 's') {
				log_msg(LV_ERR, "db: %s: column %u does not fit its type",
				    sql_stmts[id].name, i);
				return APP_EDB;
			}
			if ((rc = refetch(db, id, i)) != APP_OK)
				return rc;
		}
		if (c->is_null) {
			c->i = 0;
			c->s[0] = '\0';
			c->len = 0;
		} else if (c->kind == 't')
			format_time(c);
		else if (c->kind == 's')
			c->s[c->len] = '\0';
	}
	return APP_OK;
}

enum app_err
db_row(struct db *db, enum stmt id, const struct db_param *p, size_t np)
{
	enum app_err rc;

	if ((rc = db_exec(db, id, p, np)) != APP_OK)
		return rc;
	rc = db_next(db, id);
	db_done(db, id);
	return rc;
}

void
db_done(struct db *db, enum stmt id)
{
	if (db->conn != NULL && db->res[id].open)
		mysql_stmt_free_result(db->st[id]);
	db->res[id].open = 0;
}

static const struct col *
column(const struct db *db, enum stmt id, unsigned col)
{
	static const struct col none = {.is_null = 1, .s = (char *)(uintptr_t)""};

	if ((unsigned)id >= STMT__MAX || col >= db->res[id].n)
		return &none;
	return &db->res[id].cols[col];
}

int
db_null(const struct db *db, enum stmt id, unsigned col)
{
	return column(db, id, col)->is_null != 0;
}

int64_t
db_int(const struct db *db, enum stmt id, unsigned col)
{
	const struct col *c = column(db, id, col);

	return c->is_null || c->kind != 'i' ? 0 : c->i;
}

const char *
db_str(const struct db *db, enum stmt id, unsigned col, size_t *len)
{
	const struct col *c = column(db, id, col);

	if (len != NULL)
		*len = c->is_null ? 0 : c->len;
	return c->is_null ? "" : c->s;
}

uint64_t
db_affected(struct db *db, enum stmt id)
{
	return db->conn == NULL || db->st[id] == NULL ? 0 :
	    (uint64_t)mysql_stmt_affected_rows(db->st[id]);
}

int64_t
db_insert_id(struct db *db, enum stmt id)
{
	return db->conn == NULL || db->st[id] == NULL ? 0 :
	    (int64_t)mysql_stmt_insert_id(db->st[id]);
}

static const char begin_sql[] = "START TRANSACTION";

enum app_err
db_begin(struct db *db)
{
	enum app_err rc;

	/* Nothing is lost yet: (re)connect when needed. */
	if ((rc = db_ensure(db)) != APP_OK)
		return rc;
	call_start(db);
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
	call_start(db);
	rc = mysql_commit(db->conn) != 0 ? conn_fail(db, "commit") : APP_OK;
	db->committing = 0;
	return rc;
}

void
db_rollback(struct db *db)
{
	db->in_tx = 0;
	db->savepoint = 0;
	call_start(db);
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
	call_start(db);
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
	call_start(db);
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
		since = ms_since(&db->lost_at);
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
		if (ms_since(&t0) >= 500)
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
