/*
 * A statement that may wait on a row lock, run without blocking: a glance,
 * then a waiting slot (slots.h) and some patience, else given up through a
 * side connection's KILL QUERY.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <mysql.h>
#include <mysqld_error.h>

#include "db_impl.h"
#include "log.h"
#include "slots.h"

/* Close the side connection and its statement. */
void
dbi_side_close(struct db *db)
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
		dbi_side_close(db);  /* a side connection the server closed: once more, anew */
	}
	log_msg(LV_WARN, "db: could not interrupt session %llu's statement: %s", me,
	    db->side != NULL ? mysql_error(db->side) : "no connection");
	dbi_side_close(db);
	return -1;
}

/* The two calls of a statement that can wait on a lock, run without blocking. */

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
int
dbi_call_patiently(struct db *db, enum nb_call c, enum stmt id, int *gave_up)
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
			wait = lib_ms < 0 ? -1 : lib_ms - dbi_ms_since(&lib_at);
			if (patient && !slot && !*gave_up) {
				left = (glanced ? DB_LOCK_PATIENCE_MS : DB_LOCK_GLANCE_MS) - dbi_ms_since(&t0);
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
			if (lib_ms >= 0 && dbi_ms_since(&lib_at) >= lib_ms)
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
enum app_err
dbi_gave_up(struct db *db, enum stmt id, int failed, const char *what)
{
	if (failed && mysql_stmt_errno(db->st[id]) != ER_QUERY_INTERRUPTED)
		return dbi_stmt_fail(db, id, what);
	log_msg(LV_WARN, "db: statement %s: waited on a lock with every waiting slot taken: "
	    "given up", sql_stmts[id].name);
	snprintf(db->error, sizeof(db->error), "gave up waiting on a lock");
	mysql_stmt_free_result(db->st[id]);
	mysql_stmt_reset(db->st[id]);
	return APP_ELOCKED;
}
