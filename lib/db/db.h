#ifndef LCM_DB_H
#define LCM_DB_H

#include <stddef.h>
#include <stdint.h>

#include "app.h"
#include "sql.h"

/*
 * The mechanism under the statement catalogue of sql.c: connections,
 * prepared statements checked against their signatures, parameters,
 * result rows the library owns, transactions. No SQL text here.
 */

enum db_type {
	DB_NULL,
	DB_INT,   /* int64_t, MYSQL_TYPE_LONGLONG */
	DB_STR    /* bytes with a length */
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

/* A NUL-terminated string, or NULL for a NULL pointer. */
struct db_param DB_P_CSTR(const char *s);

/* Who prepares a statement as soon as it connects (sql.c's "use" column). */
enum db_use {
	DB_USE_WORKER = 1 << 0,
	DB_USE_ADMIN = 1 << 1,
	DB_USE_MIGRATE = 1 << 2
};

struct db_config {
	const char *host;      /* NULL for the socket; or a list of nodes, below */
	unsigned port;
	const char *socket;
	const char *user;
	const char *password;
	const char *database;
	unsigned prepare;      /* enum db_use: the statements prepared at connect */
	int scripts;           /* allow db_script() (multi-statement text) */
	unsigned connect_timeout;  /* seconds to connect and log in; 0: the default */
	unsigned read_timeout;     /* seconds a call waits for the server; 0: the default */
	/* A worker's: the server bounds what its sessions may hold (DB_IDLE_TX_SECONDS). */
	int worker_session;
	/*
	 * A worker's: a statement of a write transaction that waits longer
	 * than DB_LOCK_PATIENCE_MS goes on waiting only with one of these
	 * slots (lib/base/slots.h; the caller's, for the handle's life); with none
	 * free the write gives up at once (APP_ELOCKED). NULL: any statement
	 * waits as long as the server lets it (lcm-admin).
	 */
	struct slots *lock_slots;
};

/*
 * Timeouts, in seconds. A call the server does not answer within the read
 * timeout loses its connection (APP_EDBLOST). lcm-admin keeps the defaults
 * (a migration may take long); the worker sets its own (DB_WORKER_*).
 */
#define DB_DEFAULT_CONNECT_TIMEOUT 2
#define DB_DEFAULT_READ_TIMEOUT 30
/*
 * The worker's: above the 2 s lock wait (InnoDB notices it within a second
 * more), the longest a statement of a request legitimately waits; its
 * statements (a 1000-item bulk's, an export chunk's) take well under one.
 * Short enough that a request meets a database paused for a few seconds
 * with a 503 while it is still away.
 */
#define DB_WORKER_CONNECT_TIMEOUT 2
#define DB_WORKER_READ_TIMEOUT 3
/*
 * What a worker's session may hold, enforced by the server so that the
 * read timeout is only ever met by a server that does not answer: a
 * statement runs (waiting on locks included) for 2 s at most, a metadata
 * lock (a backup's FLUSH TABLES WITH READ LOCK, an ALTER) is waited for as
 * long as a row lock, and a transaction left idle for DB_IDLE_TX_SECONDS
 * (its worker frozen, or gone without a word) is ended by the server,
 * which lets its locks go.
 */
#define DB_IDLE_TX_SECONDS 5
/*
 * How long a worker's write waits on another transaction's lock before it
 * needs one of the pool's waiting slots (db_config.lock_slots); and how
 * long before it gives up at once when every slot is taken already.
 */
#define DB_LOCK_PATIENCE_MS 200
#define DB_LOCK_GLANCE_MS 20

/*
 * After the server was found away (unreachable, or silent for the whole
 * read timeout), a handle answers APP_EDBLOST without trying for this long.
 */
#define DB_AWAY_MS 1000
/*
 * After the server refused a statement for want of storage or resources
 * (APP_ESTORAGE: a table or the disk full...), db_storage_failing() says so
 * for this long: /healthz.
 */
#define DB_STORAGE_MS 30000
/* db_ping()'s, to connect and to answer: /healthz. */
#define DB_PING_TIMEOUT 1
/* db_fence() waits this many times 50 ms for a lost session to end. */
#define DB_FENCE_TRIES 40

/*
 * db_config.host may name several servers of one cluster (Galera), in the
 * order they are preferred: "10.0.0.1, 10.0.0.2:3307, [fd00::3]". A node
 * without a port has db_config.port. A connection goes to the first node
 * that answers and is ready; a node that goes away or says it is not part
 * of the cluster's primary component (1047) sends the next connection to
 * the next node.
 */
#define DB_MAX_NODES 8
#define DB_NODE_MAX 256
struct db_node {
	char host[DB_NODE_MAX];
	unsigned port;
};

/*
 * Parse such a list into nodes[]: their number (1 or more), or -1 for an
 * empty entry, a bad port, an unclosed '[', or more than DB_MAX_NODES.
 */
int db_nodes_parse(const char *list, unsigned port, struct db_node nodes[DB_MAX_NODES]);

struct db;

/* A handle that is not connected yet. NULL on allocation failure. Copies cfg. */
struct db *db_new(const struct db_config *cfg);

/* Close and release; accepts NULL. */
void db_free(struct db *);

/*
 * Make sure the handle is connected with every statement of its use
 * prepared and matching its signature (parameter count, result columns:
 * their names, in order, and types), (re)connecting when it is not.
 * APP_OK; APP_EDBLOST when the server cannot be reached; APP_EDBLOGIN when
 * it refuses the login or the database; APP_EDB when a statement does not
 * prepare or does not match its signature (logged, and in
 * db_last_error(), with the statement's name and what differs).
 */
enum app_err db_ensure(struct db *);

/*
 * db_ensure(), tried even within DB_AWAY_MS of finding the server away:
 * for the one statement that must be tried before an answer goes (a 5xx
 * letting its Idempotency-Key go). It may take a connect timeout.
 */
enum app_err db_ensure_now(struct db *);

/*
 * Prepare every statement of the catalogue of the given uses, and those
 * prepared on first use, checking each against its signature: *n counts
 * those that passed. APP_OK, or the first failure with its statement named
 * in db_last_error().
 */
enum app_err db_prepare_every(struct db *, unsigned use, size_t *n);

/* A result column as the server describes a prepared statement's. */
struct db_field {
	const char *name;     /* MYSQL_FIELD.name: the SELECT's alias, or the column's name */
	int type;             /* MYSQL_FIELD.type: an enum enum_field_types */
};

/*
 * Whether the n result columns the server describes (f) are those the
 * catalogue defines for statement d: as many, and each, in order, of the
 * name it lists and of a type its letter accepts. 0 when they are; else -1
 * with the first difference in msg (size bytes): the counts, or the
 * column's position (from 1) with the name the server gives it and the
 * one (or the type) the catalogue expects.
 */
int db_out_check(const struct stmt_def *d, const struct db_field *f, unsigned n, char *msg,
    size_t size);

/* The server's last error, for an operator's message ("" when none). */
const char *db_last_error(const struct db *);

/* Drop the connection (after a lost connection or a fatal error). */
void db_disconnect(struct db *);

/* Non-zero while the handle holds a connection (it does not try to make one). */
int db_connected(const struct db *);

/*
 * A number that changes with each new connection: the rows read before it
 * changed are gone with the connection they were read on (0: none yet).
 */
unsigned db_connection(const struct db *);

/*
 * Execute a statement of the catalogue with np parameters, which must
 * match its signature (count and types; a NULL fits any). A statement
 * with result columns has its whole result buffered for db_next(). Outside
 * a transaction (where only reads run) a lost connection is re-established
 * and the statement run once more; inside one it is the caller's to
 * handle. Returns APP_OK, APP_EDBLOST (connection dropped, handle
 * disconnected), APP_ERETRY (deadlock), APP_ELOCKED (lock wait timeout),
 * APP_EDUP (unique key), APP_ESTORAGE (the server is out of space or
 * resources), APP_EINTERNAL (a call that does not match the signature),
 * APP_EDB.
 */
enum app_err db_exec(struct db *, enum stmt, const struct db_param *p, size_t np);

/*
 * Step to the next row of the statement's result: APP_OK when there is
 * one (read it with db_int() and friends), APP_ENOROW at the end (or when
 * the statement has no result open), or an error. Values of any length are
 * read whole.
 */
enum app_err db_next(struct db *, enum stmt);

/*
 * db_exec(), then the first row, then db_done(): for statements that
 * answer one row. The row stays readable until the statement runs again.
 * APP_OK, APP_ENOROW when there is no row, or an error of db_exec().
 */
enum app_err db_row(struct db *, enum stmt, const struct db_param *p, size_t np);

/* Release the statement's buffered result; its last row stays readable. */
void db_done(struct db *, enum stmt);

/*
 * The current row's column col (0-based) of a statement: NULL or not; as
 * an integer (0 when NULL); as text, NUL-terminated, "" when NULL, with
 * its length in *len when len is not NULL (times are ISO 8601 UTC with
 * milliseconds). The storage is the library's, valid until the next
 * db_next() or db_exec() of that statement.
 */
int db_null(const struct db *, enum stmt, unsigned col);
int64_t db_int(const struct db *, enum stmt, unsigned col);
const char *db_str(const struct db *, enum stmt, unsigned col, size_t *len);

/* Rows changed by the last db_exec() of stmt; the id it generated. */
uint64_t db_affected(struct db *, enum stmt);
int64_t db_insert_id(struct db *, enum stmt);

/*
 * Transactions on the handle's connection (READ COMMITTED). db_begin()
 * connects when needed; a connection lost inside ends the transaction.
 */
enum app_err db_begin(struct db *);
enum app_err db_commit(struct db *);
void db_rollback(struct db *);

/*
 * A savepoint inside the transaction (db_begin() first), its release, and
 * a rollback to it: one item of a dry run. APP_OK or an error.
 */
enum app_err db_savepoint(struct db *);
enum app_err db_release(struct db *);
enum app_err db_rollback_to(struct db *);

/*
 * Run SQL text that is not in the catalogue: a migration file, whose
 * statements run in order (the handle must be made with scripts set).
 * APP_OK or an error of db_exec(), with the server's message in
 * db_last_error().
 */
enum app_err db_script(struct db *, const char *sql, size_t len);

/*
 * After a write lost its connection (within a transaction or its COMMIT),
 * make sure the server session that ran it has ended (asking it to with
 * KILL), so that what the tables say of it is final: the answer it was
 * still working on when the connection went (a COMMIT queued behind a
 * stall, a timeout) cannot land later. APP_OK when no write was lost or
 * its session is gone (or the server restarted since); APP_EDBLOST when the
 * server cannot be reached or the session stays; another error of
 * db_exec(). Connects when needed.
 */
enum app_err db_fence(struct db *);

/*
 * Whether the server answers within DB_PING_TIMEOUT, on a connection of
 * its own (kept open between calls), whatever the handle's connection is
 * doing: APP_OK or APP_EDBLOST.
 */
enum app_err db_ping(struct db *);

/*
 * Non-zero while the server refused one of the handle's statements for
 * want of storage or resources (APP_ESTORAGE) within the last
 * DB_STORAGE_MS: it cannot take (some) writes.
 */
int db_storage_failing(const struct db *);

/* Map a server or client error number to an app_err. */
enum app_err db_errno_class(unsigned errnum);

#endif
