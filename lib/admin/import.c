#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <json.h>

#include "admin.h"
#include "check.h"
#include "csv.h"
#include "db.h"
#include "import.h"
#include "lcm.h"

#define CHUNK 1000   /* rows per upsert statement */

static const struct kind {
	const char *name;
	const char *header;
	size_t ncols;
	enum stmt update;   /* the rows whose id exists */
	enum stmt insert;   /* the others */
} kinds[IMPORT__MAX] = {
	[IMPORT_PROVIDERS] = {"providers", "id,name", 2, STMT_IMPORT_PROVIDERS_UPDATE,
	    STMT_IMPORT_PROVIDERS_INSERT},
	[IMPORT_PATIENTS] = {"patients", "id,name,primary_provider_id", 3,
	    STMT_IMPORT_PATIENTS_UPDATE, STMT_IMPORT_PATIENTS_INSERT},
	[IMPORT_USERS] = {"users", "id,name,email,roles,active", 5, STMT_IMPORT_USERS_UPDATE,
	    STMT_IMPORT_USERS_INSERT},
};

int
import_kind_parse(const char *s)
{
	int k;

	for (k = 0; s != NULL && k < IMPORT__MAX; k++)
		if (strcmp(s, kinds[k].name) == 0)
			return k;
	return -1;
}

/* One data line, checked. */
struct row {
	unsigned line;
	int64_t id;
	char *name;
	int64_t provider;    /* patients: 0 for none */
	char *email;         /* users */
	char **roles;        /* users: NULL-terminated */
	int active;          /* users */
	int bad;
};

struct import {
	const struct kind *k;
	const char *file;
	FILE *errs;
	struct row *rows;
	size_t n, cap;
	size_t nbad;
};

static void
complain(struct import *im, struct row *r, unsigned line, const char *fmt, ...)
{
	va_list ap;

	fprintf(im->errs, "%s:%u: ", im->file, line);
	va_start(ap, fmt);
	vfprintf(im->errs, fmt, ap);
	va_end(ap);
	fputc('\n', im->errs);
	if (r == NULL || !r->bad)
		im->nbad++;
	if (r != NULL)
		r->bad = 1;
}

static void
row_free(struct row *r)
{
	char **p;

	free(r->name);
	free(r->email);
	for (p = r->roles; p != NULL && *p != NULL; p++)
		free(*p);
	free(r->roles);
}

static void
import_free(struct import *im)
{
	size_t i;

	for (i = 0; i < im->n; i++)
		row_free(&im->rows[i]);
	free(im->rows);
}

/* A field as a string without NUL bytes, else NULL. */
static const char *
text_field(const struct csv_record *rec, size_t i)
{
	return memchr(rec->field[i], '\0', rec->len[i]) == NULL ? rec->field[i] : NULL;
}

/* "a b  c" into a NULL-terminated array of names; -1 on ENOMEM, else the count. */
static int
split_roles(const char *s, char ***out)
{
	const char *p = s, *e;
	char **v;
	int n = 0;

	if ((v = calloc(strlen(s) / 2 + 2, sizeof(*v))) == NULL)
		return -1;
	*out = v;
	while (*p != '\0') {
		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		e = strchr(p, ' ');
		if (e == NULL)
			e = p + strlen(p);
		if ((v[n] = strndup(p, (size_t)(e - p))) == NULL)
			return -1;
		n++;
		p = e;
	}
	return n;
}

/* Check one record into r. -1 on ENOMEM. */
static int
check_record(struct import *im, const struct csv_record *rec, struct row *r)
{
	const char *id = text_field(rec, 0), *name = text_field(rec, 1), *v;
	int n, i;

	memset(r, 0, sizeof(*r));
	r->line = rec->line;
	if (id == NULL || !check_id_string(id, strlen(id), &r->id))
		complain(im, r, r->line, "id must be a positive integer");
	if (name == NULL || !admin_valid_name(name))
		complain(im, r, r->line, "name must be 1 to %d characters of text", ADMIN_NAME_MAX);
	else if ((r->name = strdup(name)) == NULL)
		return -1;
	switch (im->k - kinds) {
	case IMPORT_PATIENTS:
		v = text_field(rec, 2);
		if (v != NULL && *v == '\0')
			break;  /* no primary provider */
		if (v == NULL || !check_id_string(v, strlen(v), &r->provider))
			complain(im, r, r->line, "primary_provider_id must be empty or a positive integer");
		break;
	case IMPORT_USERS:
		v = text_field(rec, 2);
		if (v == NULL || !admin_valid_email(v))
			complain(im, r, r->line, "email must be an email address");
		else if ((r->email = strdup(v)) == NULL)
			return -1;
		v = text_field(rec, 3);
		if (v == NULL || (n = split_roles(v, &r->roles)) < 0) {
			if (v != NULL)
				return -1;
			complain(im, r, r->line, "roles must be role names separated by spaces");
			break;
		}
		for (i = 0; i < n; i++)
			if (!admin_valid_role(r->roles[i]))
				complain(im, r, r->line, "'%s' is not a role name", r->roles[i]);
		v = text_field(rec, 4);
		if (v != NULL && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0))
			r->active = 1;
		else if (v != NULL && (strcmp(v, "0") == 0 || strcmp(v, "false") == 0))
			r->active = 0;
		else
			complain(im, r, r->line, "active must be 1, 0, true or false");
		break;
	default:
		break;
	}
	return 0;
}

static int
cmp_row_id(const void *a, const void *b)
{
	const struct row *x = *(struct row *const *)a, *y = *(struct row *const *)b;

	if (x->id != y->id)
		return (x->id > y->id) - (x->id < y->id);
	return (x->line > y->line) - (x->line < y->line);
}

static int
cmp_row_email(const void *a, const void *b)
{
	const struct row *x = *(struct row *const *)a, *y = *(struct row *const *)b;
	int c = strcmp(x->email ? x->email : "", y->email ? y->email : "");

	return c != 0 ? c : (x->line > y->line) - (x->line < y->line);
}

/*
 * An id on two lines, or with emails too the same email (byte for byte:
 * import_check's, without a database): the later line is bad. -1 on
 * ENOMEM.
 */
static int
check_duplicates(struct import *im, int emails)
{
	struct row **v;
	size_t i;

	if (im->n < 2)
		return 0;
	if ((v = malloc(im->n * sizeof(*v))) == NULL)
		return -1;
	for (i = 0; i < im->n; i++)
		v[i] = &im->rows[i];
	qsort(v, im->n, sizeof(*v), cmp_row_id);
	for (i = 1; i < im->n; i++)
		if (v[i]->id != 0 && v[i]->id == v[i - 1]->id)
			complain(im, v[i], v[i]->line, "id %" PRId64 " is on line %u already",
			    v[i]->id, v[i - 1]->line);
	if (emails && im->k == &kinds[IMPORT_USERS]) {
		qsort(v, im->n, sizeof(*v), cmp_row_email);
		for (i = 1; i < im->n; i++)
			if (v[i]->email != NULL && v[i - 1]->email != NULL &&
			    strcmp(v[i]->email, v[i - 1]->email) == 0)
				complain(im, v[i], v[i]->line, "email %s is on line %u already",
				    v[i]->email, v[i - 1]->line);
	}
	free(v);
	return 0;
}

/*
 * Read the whole file into im->rows; emails as check_duplicates() takes
 * it. APP_EINVAL when the file itself is bad.
 */
static enum app_err
read_rows(struct import *im, const char *text, size_t len, int emails)
{
	struct csv_record rec = {0};
	struct csv c;
	struct row *grown;
	char err[128];
	enum app_err rc = APP_ENOMEM;
	int got, header = 1;

	csv_init(&c, text, len);
	while ((got = csv_next(&c, &rec, err, sizeof(err))) == 1) {
		if (header) {
			header = 0;
			/* The header, joined back, must name exactly the columns. */
			size_t i, o = 0;
			char h[128];

			for (i = 0; i < rec.n && o + rec.len[i] + 2 < sizeof(h); i++)
				o += (size_t)snprintf(h + o, sizeof(h) - o, "%s%s", i ? "," : "",
				    rec.field[i]);
			if (i < rec.n || strcmp(h, im->k->header) != 0) {
				complain(im, NULL, rec.line, "the header must be %s", im->k->header);
				rc = APP_EINVAL;
				goto out;
			}
			continue;
		}
		if (rec.n != im->k->ncols) {
			complain(im, NULL, rec.line, "%zu fields, the header has %zu", rec.n,
			    im->k->ncols);
			continue;
		}
		if (im->n == im->cap) {
			im->cap = im->cap ? im->cap * 2 : 1024;
			if ((grown = realloc(im->rows, im->cap * sizeof(*grown))) == NULL)
				goto out;
			im->rows = grown;
		}
		if (check_record(im, &rec, &im->rows[im->n]) != 0) {
			row_free(&im->rows[im->n]);
			goto out;
		}
		im->n++;
	}
	if (got < 0) {
		complain(im, NULL, rec.line, "%s", err);
		rc = APP_EINVAL;
		goto out;
	}
	if (header) {
		complain(im, NULL, 1, "the file is empty: the header must be %s", im->k->header);
		rc = APP_EINVAL;
		goto out;
	}
	rc = check_duplicates(im, emails) == 0 ? APP_OK : APP_ENOMEM;
out:
	csv_record_free(&rec);
	return rc;
}

enum app_err
import_check(enum import_kind kind, const char *name, const char *text, size_t len,
    FILE *errs, size_t *rows)
{
	struct import im = {0};
	enum app_err rc;

	*rows = 0;
	if ((unsigned)kind >= IMPORT__MAX)
		return APP_EINVAL;
	im.k = &kinds[kind];
	im.file = name;
	im.errs = errs;
	rc = read_rows(&im, text, len, 1);
	if (rc == APP_OK && im.nbad > 0)
		rc = APP_EINVAL;
	if (rc == APP_OK)
		*rows = im.n;
	import_free(&im);
	return rc;
}

/* ---- the database's side -------------------------------------------- */

/* The patients' providers exist. */
static enum app_err
check_providers(struct db *db, struct import *im)
{
	struct id_set have = {0};
	int64_t *ids;
	size_t i, n = 0;
	enum app_err rc;

	if ((ids = malloc((im->n + 1) * sizeof(*ids))) == NULL)
		return APP_ENOMEM;
	for (i = 0; i < im->n; i++)
		if (im->rows[i].provider > 0)
			ids[n++] = im->rows[i].provider;
	rc = lcm_id_lookup(db, STMT_PROVIDERS_EXISTING, ids, n, &have);
	free(ids);
	if (rc != APP_OK)
		return rc;
	for (i = 0; i < im->n; i++)
		if (im->rows[i].provider > 0 && !id_set_has(&have, im->rows[i].provider))
			complain(im, &im->rows[i], im->rows[i].line,
			    "provider %" PRId64 " does not exist (import providers first)",
			    im->rows[i].provider);
	id_set_free(&have);
	return APP_OK;
}

/* The users' role names, flattened for admin_roles_unknown(). */
struct role_refs {
	struct import *im;
	const char **names;
	size_t *row;        /* the row of each */
	size_t n;
};

static void
role_unknown(size_t i, void *arg)
{
	struct role_refs *refs = arg;
	struct row *r = &refs->im->rows[refs->row[i]];

	complain(refs->im, r, r->line, "no role '%s' (lcm-admin role add %s)", refs->names[i],
	    refs->names[i]);
}

/* The users' roles exist, as the database compares role names. */
static enum app_err
check_roles(struct db *db, struct import *im)
{
	struct role_refs refs = {im, NULL, NULL, 0};
	enum app_err rc = APP_ENOMEM;
	size_t i, total = 0;
	char **role;

	for (i = 0; i < im->n; i++)
		for (role = im->rows[i].roles; role != NULL && *role != NULL; role++)
			total++;
	if (total == 0)
		return APP_OK;
	if ((refs.names = malloc(total * sizeof(*refs.names))) == NULL ||
	    (refs.row = malloc(total * sizeof(*refs.row))) == NULL)
		goto out;
	/* A bad name has its own complaint already. */
	for (i = 0; i < im->n; i++)
		for (role = im->rows[i].roles; role != NULL && *role != NULL; role++)
			if (admin_valid_role(*role)) {
				refs.names[refs.n] = *role;
				refs.row[refs.n++] = i;
			}
	rc = refs.n > 0 ? admin_roles_unknown(db, refs.names, refs.n, role_unknown, &refs) :
	    APP_OK;
out:
	free(refs.names);
	free(refs.row);
	return rc;
}

/* The row of a line (rows are in line order), or NULL. */
static struct row *
row_at_line(const struct import *im, int64_t line)
{
	size_t lo = 0, hi = im->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (im->rows[mid].line < line)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < im->n && im->rows[lo].line == line ? &im->rows[lo] : NULL;
}

/*
 * No two lines hold the same email and no line another user's, as the
 * database compares emails: users.email's collation folds case and
 * accents, so lines whose emails differ in bytes may still hold one.
 */
static enum app_err
check_emails(struct db *db, struct import *im)
{
	struct json_object *a = NULL, *v;
	struct row *r, *earlier;
	struct db_param p;
	const char *s;
	enum app_err rc = APP_ENOMEM;
	size_t i;

	if ((a = json_object_new_array()) == NULL)
		goto out;
	for (i = 0; i < im->n; i++) {
		r = &im->rows[i];
		if (r->email == NULL)
			continue;
		if ((v = json_object_new_array()) == NULL || json_object_array_add(a, v) != 0) {
			json_object_put(v);
			goto out;
		}
		if (json_object_array_add(v, json_object_new_int64(r->line)) != 0 ||
		    json_object_array_add(v, r->id > 0 ? json_object_new_int64(r->id) : NULL) != 0 ||
		    json_object_array_add(v, json_object_new_string(r->email)) != 0)
			goto out;
	}
	if ((s = json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN)) == NULL)
		goto out;
	p = DB_P_CSTR(s);
	if ((rc = db_exec(db, STMT_IMPORT_EMAILS_SAME, &p, 1)) != APP_OK)
		goto out;
	while ((rc = db_next(db, STMT_IMPORT_EMAILS_SAME)) == APP_OK) {
		if ((r = row_at_line(im, db_int(db, STMT_IMPORT_EMAILS_SAME, ES_LINE))) == NULL)
			continue;
		earlier = db_null(db, STMT_IMPORT_EMAILS_SAME, ES_EARLIER_LINE) ? NULL :
		    row_at_line(im, db_int(db, STMT_IMPORT_EMAILS_SAME, ES_EARLIER_LINE));
		if (earlier != NULL && strcmp(earlier->email, r->email) == 0)
			complain(im, r, r->line, "email %s is on line %u already", r->email,
			    earlier->line);
		else if (earlier != NULL)
			complain(im, r, r->line, "email %s is on line %u already (as %s)", r->email,
			    earlier->line, earlier->email);
		if (!db_null(db, STMT_IMPORT_EMAILS_SAME, ES_HOLDER))
			complain(im, r, r->line, "email %s is user %" PRId64 "'s", r->email,
			    db_int(db, STMT_IMPORT_EMAILS_SAME, ES_HOLDER));
	}
	db_done(db, STMT_IMPORT_EMAILS_SAME);
	rc = rc == APP_ENOROW ? APP_OK : rc;
out:
	json_object_put(a);
	return rc;
}

/* Rows from..to of the file as the JSON the writing statements take. */
static struct json_object *
chunk_json(const struct import *im, size_t from, size_t to, int roles)
{
	struct json_object *a, *r, *v;
	const struct row *row;
	char **role;
	size_t i;
	int bad = 0;

	if ((a = json_object_new_array_ext((int)(to - from))) == NULL)
		return NULL;
	for (i = from; i < to && !bad; i++) {
		row = &im->rows[i];
		if ((r = json_object_new_array()) == NULL || json_object_array_add(a, r) != 0) {
			json_object_put(r);
			bad = 1;
			break;
		}
		bad |= json_object_array_add(r, json_object_new_int64(row->id));
		if (roles) {
			if ((v = json_object_new_array()) == NULL || json_object_array_add(r, v) != 0) {
				json_object_put(v);
				bad = 1;
				break;
			}
			for (role = row->roles; role != NULL && *role != NULL; role++)
				bad |= json_object_array_add(v, json_object_new_string(*role));
			continue;
		}
		bad |= json_object_array_add(r, json_object_new_string(row->name));
		if (im->k == &kinds[IMPORT_PATIENTS])
			bad |= json_object_array_add(r, row->provider > 0 ?
			    json_object_new_int64(row->provider) : NULL);
		if (im->k == &kinds[IMPORT_USERS]) {
			bad |= json_object_array_add(r, json_object_new_string(row->email));
			bad |= json_object_array_add(r, json_object_new_int(row->active));
		}
	}
	if (bad) {
		json_object_put(a);
		return NULL;
	}
	return a;
}

static enum app_err
exec_json(struct db *db, enum stmt st, struct json_object *a, uint64_t *affected)
{
	const char *s = json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN);
	struct db_param p;
	enum app_err rc;

	if (s == NULL)
		return APP_ENOMEM;
	p = DB_P_CSTR(s);
	if ((rc = db_exec(db, st, &p, 1)) == APP_OK)
		*affected += db_affected(db, st);
	return rc;
}

/*
 * Every row, in chunks, in one transaction: each chunk's existing ids
 * updated, the others inserted (a users file's roles then follow). An
 * email another user took since check_emails() fails the insert or the
 * update with APP_EDUP; nothing is written then.
 */
static enum app_err
write_rows(struct db *db, const struct import *im, struct import_counts *out)
{
	struct json_object *a = NULL;
	uint64_t changed = 0, added = 0, grants = 0;
	enum app_err rc;
	size_t from, to;

	if ((rc = db_begin(db)) != APP_OK)
		return rc;
	for (from = 0; from < im->n; from = to) {
		to = from + CHUNK < im->n ? from + CHUNK : im->n;
		rc = APP_ENOMEM;
		if ((a = chunk_json(im, from, to, 0)) == NULL)
			goto fail;
		if ((rc = exec_json(db, im->k->update, a, &changed)) != APP_OK ||
		    (rc = exec_json(db, im->k->insert, a, &added)) != APP_OK)
			goto fail;
		json_object_put(a);
		a = NULL;
		if (im->k != &kinds[IMPORT_USERS])
			continue;
		rc = APP_ENOMEM;
		if ((a = chunk_json(im, from, to, 1)) == NULL)
			goto fail;
		if ((rc = exec_json(db, STMT_IMPORT_ROLES_PRUNE, a, &grants)) != APP_OK ||
		    (rc = exec_json(db, STMT_IMPORT_ROLES_ADD, a, &grants)) != APP_OK)
			goto fail;
		json_object_put(a);
		a = NULL;
	}
	if ((rc = db_commit(db)) != APP_OK)
		goto fail;
	/* An UPDATE counts the rows it changed, not those it found as they were. */
	out->rows = im->n;
	out->added = (size_t)added;
	out->changed = (size_t)changed;
	out->unchanged = im->n - out->added - out->changed;
	out->grants_changed = (size_t)grants;
	return APP_OK;
fail:
	json_object_put(a);
	db_rollback(db);
	return rc;
}

/* The bad lines' count, and that nothing was written. */
static void
nothing_imported(const struct import *im)
{
	fprintf(im->errs, "%s: %zu bad line%s: nothing imported\n", im->file, im->nbad,
	    im->nbad == 1 ? "" : "s");
}

enum app_err
import_csv(struct db *db, enum import_kind kind, const char *name, const char *text,
    size_t len, FILE *errs, struct import_counts *out)
{
	struct import im = {0};
	enum app_err rc;

	memset(out, 0, sizeof(*out));
	if ((unsigned)kind >= IMPORT__MAX)
		return APP_EINVAL;
	im.k = &kinds[kind];
	im.file = name;
	im.errs = errs;
	/* Emails are the database's to compare: check_emails(). */
	if ((rc = read_rows(&im, text, len, 0)) != APP_OK) {
		if (rc == APP_EINVAL)
			fprintf(errs, "%s: nothing imported\n", name);
		goto out;
	}
	/* The database's checks run on every line, so one run reports every bad line. */
	if (kind == IMPORT_PATIENTS && (rc = check_providers(db, &im)) != APP_OK)
		goto out;
	if (kind == IMPORT_USERS && ((rc = check_roles(db, &im)) != APP_OK ||
	    (rc = check_emails(db, &im)) != APP_OK))
		goto out;
	if (im.nbad > 0) {
		nothing_imported(&im);
		rc = APP_EINVAL;
		goto out;
	}
	rc = write_rows(db, &im, out);
	/* Another writer took an email after check_emails(): which lines it was. */
	if (rc == APP_EDUP && kind == IMPORT_USERS && check_emails(db, &im) == APP_OK &&
	    im.nbad > 0) {
		nothing_imported(&im);
		rc = APP_EINVAL;
	}
out:
	import_free(&im);
	return rc;
}
