/*
 * The catalogue's statements on a handle: prepared and checked against
 * their signatures, parameters bound, run, and their rows read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mysql.h>

#include "db_impl.h"
#include "log.h"

#define DB_MAX_PARAMS 16
#define DB_COL_INITIAL 256         /* text buffer of a column before it grows */
#define DB_COL_CAP (64 * 1024)     /* never preallocate more than this per column */

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
			return dbi_stmt_fail(db, id, "metadata");
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
		dbi_result_free(r);
	return rc;
}

/* Prepare one statement of the catalogue and check its signature. */
enum app_err
dbi_prepare(struct db *db, enum stmt id)
{
	const struct stmt_def *d = &sql_stmts[id];
	enum app_err rc;

	if ((db->st[id] = mysql_stmt_init(db->conn)) == NULL)
		return APP_ENOMEM;
	if (mysql_stmt_prepare(db->st[id], d->sql, strlen(d->sql)) != 0) {
		rc = dbi_stmt_fail(db, id, "prepare");
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
		if (db->st[i] == NULL && (rc = dbi_prepare(db, (enum stmt)i)) != APP_OK)
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
		return dbi_stmt_fail(db, id, "bind");
	return APP_OK;
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
	if (db->st[id] == NULL && (rc = dbi_prepare(db, id)) != APP_OK)
		return rc;
	db_done(db, id);
	if ((rc = bind_params(db, id, p, np, in, lens, nulls, ints)) != APP_OK)
		return rc;
	dbi_call_start(db);
	patient = db->cfg.lock_slots != NULL && db->in_tx && (sql_stmts[id].use & SQL_BRIEF);
	failed = patient ? dbi_call_patiently(db, NB_EXECUTE, id, &given_up) :
	    mysql_stmt_execute(db->st[id]);
	if (given_up)
		return dbi_gave_up(db, id, failed, "execute");
	if (failed != 0)
		return dbi_stmt_fail(db, id, "execute");
	if (r->n == 0)
		return APP_OK;
	if (mysql_stmt_bind_result(db->st[id], r->bind) != 0)
		return dbi_stmt_fail(db, id, "bind result");
	/* A locking read waits here, as its rows come. */
	failed = patient ? dbi_call_patiently(db, NB_STORE, id, &given_up) :
	    mysql_stmt_store_result(db->st[id]);
	if (given_up)
		return dbi_gave_up(db, id, failed, "store result");
	if (failed != 0)
		return dbi_stmt_fail(db, id, "store result");
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
		return dbi_stmt_fail(db, id, "fetch column");
	/* Later rows fetch into the grown buffer. */
	if (mysql_stmt_bind_result(db->st[id], r->bind) != 0)
		return dbi_stmt_fail(db, id, "bind result");
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
		return dbi_stmt_fail(db, id, "fetch");
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
