#ifndef LCM_DB_IMPL_H
#define LCM_DB_IMPL_H

/*
 * The insides of a database handle, shared by db.c (connections, nodes,
 * sessions, transactions), db_stmt.c (the catalogue's statements: prepare,
 * bind, run, read) and db_wait.c (a lock wait given up). Nothing else
 * includes this: db.h is the interface.
 */

#include <time.h>

#include <mysql.h>

#include "db.h"

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

/* How a statement is run (dbi_call_patiently()). */
enum nb_call { NB_EXECUTE, NB_STORE };

/* Milliseconds since *t (CLOCK_MONOTONIC). */
long dbi_ms_since(const struct timespec *t);

/* A call to the server begins: the time that tells a timeout from another loss. */
void dbi_call_start(struct db *db);

/* Free a statement's result storage, which is then as new. */
void dbi_result_free(struct result *r);

/* Note an error for db_last_error() and the log; classify it; drop a lost connection. */
enum app_err dbi_fail(struct db *db, unsigned e, const char *msg, const char *what, const char *name);

/* dbi_fail() with the statement's own error, named for it. */
enum app_err dbi_stmt_fail(struct db *db, enum stmt id, const char *what);

/* Prepare one statement of the catalogue and check its signature. */
enum app_err dbi_prepare(struct db *db, enum stmt id);

/* Close the side connection and its statement. */
void dbi_side_close(struct db *db);

/*
 * A call of a worker's write transaction, as the blocking call would run
 * it, but patiently: once it has waited DB_LOCK_PATIENCE_MS (on another
 * transaction's lock, as a rule) it goes on waiting only with one of the
 * pool's waiting slots, and after DB_LOCK_GLANCE_MS already when every
 * slot is taken. Without one it gives up: the statement is interrupted
 * (through the side connection) and *gave_up set, so that lock waits never
 * hold more than the slots' share of the pool. The call's result: 0, or
 * non-zero with the statement's error.
 */
int dbi_call_patiently(struct db *db, enum nb_call c, enum stmt id, int *gave_up);

/*
 * A statement that gave up waiting (dbi_call_patiently()), whose call returned
 * failed: interrupted (1317), or over just before it could be, it is a
 * lock wait given up, and its transaction stays open for the caller to
 * roll back; any other error is the statement's own (a deadlock victim's
 * transaction is gone: APP_ERETRY), as if nothing was given up.
 */
enum app_err dbi_gave_up(struct db *db, enum stmt id, int failed, const char *what);

#endif
