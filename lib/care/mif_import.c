/*
 * The MIF import's database side: the providers checked, then every
 * member upserted in one transaction, set-based (a statement per chunk
 * of members, never one per member), run by the write engine.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access_log.h"
#include "buf.h"
#include "db.h"
#include "engine.h"
#include "lcm.h"
#include "mif.h"
#include "patients.h"

#define MIF_CHUNK 1000   /* members per statement */

/* A known member as the database holds it (strings NULL or "" for none). */
struct before {
	int64_t patient_id;       /* 0: the member is new */
	char *name;
	int64_t provider_id;
	char *cin;
	char *service_auth_id;
	char auth_eff[11], auth_end[11], dob[11];
	char *acuity;
	char *status;
};

enum fate { FATE_NEW, FATE_CHANGED, FATE_SAME };

/* One import: the file, and per member (f->rows' index) what the attempt found. */
struct run {
	struct db *db;
	const struct lcm_actor *who;
	const char *source;
	const struct mif_file *f;
	const struct mif_member **by_id;  /* the rows by member id */
	struct before *before;
	enum fate *fate;
	int64_t *patient;                 /* each member's patient (new ones' allocated) */
	char now[32];                     /* the import's time, the database's */
	struct mif_counts *counts;        /* the caller's: the key's answer reads them at COMMIT */
};

/* ---- JSON rows ----------------------------------------------------------- */

/* s as a JSON string (NULL or "": null). 0, or -1 on ENOMEM. */
static int
put_str(struct buf *b, const char *s)
{
	const char *p;
	int rc = 0;

	if (s == NULL || *s == '\0')
		return buf_printf(b, "null");
	rc |= buf_printf(b, "\"");
	for (p = s; *p != '\0' && rc == 0; p++) {
		if (*p == '"' || *p == '\\')
			rc |= buf_printf(b, "\\%c", *p);
		else if ((unsigned char)*p < 0x20)
			rc |= buf_printf(b, "\\u%04x", (unsigned char)*p);
		else
			rc |= buf_printf(b, "%c", *p);
	}
	return rc | buf_printf(b, "\"");
}

static int
put_id(struct buf *b, int64_t id)
{
	return id > 0 ? buf_printf(b, "%" PRId64, id) : buf_printf(b, "null");
}

/* ---- what changes ---------------------------------------------------------- */

static const char *
nz(const char *s)
{
	return s != NULL && *s != '\0' ? s : NULL;
}

static int
same_str(const char *a, const char *b)
{
	a = nz(a);
	b = nz(b);
	return a == NULL ? b == NULL : b != NULL && strcmp(a, b) == 0;
}

/* A member's facts after the import: the file's, or the known ones for a column it lacks. */
struct after {
	const char *name;
	int64_t provider_id;
	const char *cin, *service_auth_id, *auth_eff, *auth_end, *acuity, *status, *dob;
};

static void
after_of(const struct mif_file *f, const struct mif_member *m, const struct before *b,
    struct after *a)
{
#define PICK(col, file, known) (f->has[col] || b->patient_id == 0 ? (file) : (known))
	a->name = m->name;
	a->provider_id = PICK(MIF_PROVIDER_ID, m->provider_id, b->provider_id);
	a->cin = nz(PICK(MIF_CIN, m->cin, b->cin));
	a->service_auth_id = nz(PICK(MIF_SERVICE_AUTH_ID, m->service_auth_id, b->service_auth_id));
	a->auth_eff = nz(PICK(MIF_AUTH_EFF_DATE, m->auth_eff, b->auth_eff));
	a->auth_end = nz(PICK(MIF_AUTH_END_DATE, m->auth_end, b->auth_end));
	a->acuity = nz(PICK(MIF_ACUITY_LEVEL, m->acuity, b->acuity));
	a->status = nz(PICK(MIF_RECORD_STATUS, m->status, b->status));
	a->dob = nz(PICK(MIF_DOB, m->dob, b->dob));
#undef PICK
}

/* One text field's change into changes ({"field": {"from": ..., "to": ...}}). */
static int
change_str(struct buf *c, int *first, const char *field, const char *from, const char *to)
{
	int rc;

	if (same_str(from, to))
		return 0;
	rc = buf_printf(c, "%s\"%s\":{\"from\":", *first ? "" : ",", field);
	rc |= put_str(c, from);
	rc |= buf_printf(c, ",\"to\":");
	rc |= put_str(c, to);
	*first = 0;
	return rc | buf_printf(c, "}");
}

static int
change_id(struct buf *c, int *first, const char *field, int64_t from, int64_t to)
{
	int rc;

	if (from == to)
		return 0;
	rc = buf_printf(c, "%s\"%s\":{\"from\":", *first ? "" : ",", field);
	rc |= put_id(c, from);
	rc |= buf_printf(c, ",\"to\":");
	rc |= put_id(c, to);
	*first = 0;
	return rc | buf_printf(c, "}");
}

/*
 * The changes of member m from b to a, as a JSON object appended to c (for
 * a new member, every field it has, from null). *patient and *facts say
 * whether the patient row and the member row change. -1 on ENOMEM.
 */
static int
changes_of(struct buf *c, const struct mif_member *m, const struct before *b,
    const struct after *a, int *patient, int *facts)
{
	int rc = 0, first = 1;

	*patient = b->patient_id == 0 || !same_str(b->name, a->name) ||
	    b->provider_id != a->provider_id;
	*facts = b->patient_id == 0 || !same_str(b->cin, a->cin) ||
	    !same_str(b->service_auth_id, a->service_auth_id) ||
	    !same_str(b->auth_eff, a->auth_eff) || !same_str(b->auth_end, a->auth_end) ||
	    !same_str(b->acuity, a->acuity) || !same_str(b->status, a->status) ||
	    !same_str(b->dob, a->dob);
	rc |= buf_printf(c, "{");
	rc |= change_str(c, &first, "name", b->name, a->name);
	rc |= change_id(c, &first, "primary_provider_id", b->provider_id, a->provider_id);
	if (b->patient_id == 0)
		rc |= change_str(c, &first, "member_id", NULL, m->member_id);
	rc |= change_str(c, &first, "cin", b->cin, a->cin);
	rc |= change_str(c, &first, "ecm_service_auth_id", b->service_auth_id, a->service_auth_id);
	rc |= change_str(c, &first, "ecm_benefit_auth_eff_date", b->auth_eff, a->auth_eff);
	rc |= change_str(c, &first, "ecm_benefit_auth_end_date", b->auth_end, a->auth_end);
	rc |= change_str(c, &first, "acuity_level", b->acuity, a->acuity);
	rc |= change_str(c, &first, "member_record_status", b->status, a->status);
	rc |= change_str(c, &first, "dob", b->dob, a->dob);
	return rc | buf_printf(c, "}");
}

/* ---- the known members --------------------------------------------------- */

static int
cmp_by_id(const void *x, const void *y)
{
	const struct mif_member *a = *(const struct mif_member *const *)x;
	const struct mif_member *b = *(const struct mif_member *const *)y;

	return strcmp(a->member_id, b->member_id);
}

/* The row of the file holding member id s, or -1. */
static long
row_of(const struct run *r, const char *s)
{
	size_t lo = 0, hi = r->f->n, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((c = strcmp(r->by_id[mid]->member_id, s)) == 0)
			return (long)(r->by_id[mid] - r->f->rows);
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static void
before_free(struct before *b)
{
	free(b->name);
	free(b->cin);
	free(b->service_auth_id);
	free(b->acuity);
	free(b->status);
	memset(b, 0, sizeof(*b));
}

/* A column of the lock's current row: a copy, NULL for NULL. -1 on ENOMEM. */
static int
copy_col(struct db *db, unsigned col, char **out)
{
	*out = NULL;
	if (db_null(db, STMT_MIF_MEMBERS_LOCK, col))
		return 0;
	return (*out = strdup(db_str(db, STMT_MIF_MEMBERS_LOCK, col, NULL))) == NULL ? -1 : 0;
}

static void
copy_date(struct db *db, unsigned col, char out[11])
{
	snprintf(out, 11, "%s", db_str(db, STMT_MIF_MEMBERS_LOCK, col, NULL));
}

/* The known members among rows from..to, locked, into r->before. */
static enum app_err
lock_known(struct run *r, size_t from, size_t to)
{
	const enum stmt st = STMT_MIF_MEMBERS_LOCK;
	struct buf ids = {0};
	struct db_param p;
	struct before *b;
	enum app_err rc = APP_ENOMEM;
	size_t i;
	long k;
	int bad = 0;

	bad |= buf_printf(&ids, "[");
	for (i = from; i < to; i++) {
		bad |= buf_printf(&ids, "%s", i > from ? "," : "");
		bad |= put_str(&ids, r->f->rows[i].member_id);
	}
	bad |= buf_printf(&ids, "]");
	if (bad)
		goto out;
	p = DB_P_STR(ids.s, ids.len);
	if ((rc = db_exec(r->db, st, &p, 1)) != APP_OK)
		goto out;
	while ((rc = db_next(r->db, st)) == APP_OK) {
		if ((k = row_of(r, db_str(r->db, st, MK_MEMBER_ID, NULL))) < 0)
			continue;
		b = &r->before[k];
		before_free(b);
		b->patient_id = db_int(r->db, st, MK_PATIENT_ID);
		b->provider_id = db_int(r->db, st, MK_PROVIDER_ID);
		copy_date(r->db, MK_AUTH_EFF_DATE, b->auth_eff);
		copy_date(r->db, MK_AUTH_END_DATE, b->auth_end);
		copy_date(r->db, MK_DOB, b->dob);
		if (copy_col(r->db, MK_NAME, &b->name) != 0 || copy_col(r->db, MK_CIN, &b->cin) != 0 ||
		    copy_col(r->db, MK_SERVICE_AUTH_ID, &b->service_auth_id) != 0 ||
		    copy_col(r->db, MK_ACUITY_LEVEL, &b->acuity) != 0 ||
		    copy_col(r->db, MK_RECORD_STATUS, &b->status) != 0) {
			db_done(r->db, st);
			rc = APP_ENOMEM;
			goto out;
		}
	}
	db_done(r->db, st);
	rc = rc == APP_ENOROW ? APP_OK : rc;
out:
	free(ids.s);
	return rc;
}

/* ---- the writes ------------------------------------------------------------ */

/* The statements of one chunk, each with its rows. */
struct chunk {
	struct buf patients_new, patients_changed, members_new, members_changed, history;
	size_t n[5];
};

static void
chunk_free(struct chunk *c)
{
	free(c->patients_new.s);
	free(c->patients_changed.s);
	free(c->members_new.s);
	free(c->members_changed.s);
	free(c->history.s);
	memset(c, 0, sizeof(*c));
}

/* Start the next row of a chunk's array. */
static int
row_start(struct buf *b, size_t *n)
{
	return buf_printf(b, "%s[", (*n)++ ? "," : "[");
}

static int
patient_row(struct buf *b, size_t *n, int64_t id, const struct after *a)
{
	int rc = row_start(b, n);

	rc |= buf_printf(b, "%" PRId64 ",", id);
	rc |= put_str(b, a->name);
	rc |= buf_printf(b, ",");
	rc |= put_id(b, a->provider_id);
	return rc | buf_printf(b, "]");
}

static int
member_row_json(struct buf *b, size_t *n, int64_t id, const struct mif_member *m,
    const struct after *a)
{
	const char *v[] = {m->member_id, a->cin, a->service_auth_id, a->auth_eff, a->auth_end,
		a->acuity, a->status, a->dob};
	size_t i;
	int rc = row_start(b, n);

	rc |= buf_printf(b, "%" PRId64, id);
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		rc |= buf_printf(b, ",");
		rc |= put_str(b, v[i]);
	}
	return rc | buf_printf(b, "]");
}

/* Run st on b's rows (when it has any), then the time param when timed. */
static enum app_err
exec_rows(struct run *r, enum stmt st, struct buf *b, size_t n, int timed)
{
	struct db_param p[2];

	if (n == 0)
		return APP_OK;
	if (buf_printf(b, "]") != 0)
		return APP_ENOMEM;
	p[0] = DB_P_STR(b->s, b->len);
	p[1] = DB_P_CSTR(r->now);
	return db_exec(r->db, st, p, timed ? 2 : 1);
}

/*
 * The new members: each is a patient this import made, in this
 * transaction, so none has a case load whose holders' acuity counts the
 * member trigger (db-schema/046) would move: its bookkeeping is the
 * caller's, which has none to do (@lcm_bookkeeping for this statement
 * alone; a connection lost meanwhile takes the variable with it).
 */
static enum app_err
insert_new_members(struct run *r, struct buf *rows, size_t n)
{
	enum app_err rc, reset;

	if (n == 0)
		return APP_OK;
	if ((rc = db_exec(r->db, STMT_BOOKKEEPING_CALLER, NULL, 0)) != APP_OK)
		return rc;
	rc = exec_rows(r, STMT_MIF_MEMBERS_INSERT, rows, n, 1);
	reset = db_exec(r->db, STMT_BOOKKEEPING_TRIGGER, NULL, 0);
	return rc != APP_OK ? rc : reset;
}

/* Decide rows from..to and write what changes in them. */
static enum app_err
write_chunk(struct run *r, size_t from, size_t to)
{
	struct chunk c = {0};
	struct after a;
	struct db_param p[5];
	const struct mif_member *m;
	const struct before *b;
	enum app_err rc = APP_ENOMEM;
	size_t i, hist;
	int bad = 0, patient, facts;

	for (i = from; i < to && !bad; i++) {
		m = &r->f->rows[i];
		b = &r->before[i];
		after_of(r->f, m, b, &a);
		hist = c.history.len;
		bad |= row_start(&c.history, &c.n[4]);
		bad |= buf_printf(&c.history, "%" PRId64 ",\"%s\",", r->patient[i],
		    b->patient_id == 0 ? "member_added" : "member_updated");
		bad |= changes_of(&c.history, m, b, &a, &patient, &facts);
		bad |= buf_printf(&c.history, "]");
		if (b->patient_id == 0) {
			r->fate[i] = FATE_NEW;
			bad |= patient_row(&c.patients_new, &c.n[0], r->patient[i], &a);
			bad |= member_row_json(&c.members_new, &c.n[2], r->patient[i], m, &a);
			continue;
		}
		if (!patient && !facts) {
			/* Unchanged: no history row either. */
			r->fate[i] = FATE_SAME;
			c.history.len = hist;
			c.n[4]--;
			if (c.history.s != NULL)
				c.history.s[hist] = '\0';
			continue;
		}
		r->fate[i] = FATE_CHANGED;
		if (patient)
			bad |= patient_row(&c.patients_changed, &c.n[1], r->patient[i], &a);
		if (facts)
			bad |= member_row_json(&c.members_changed, &c.n[3], r->patient[i], m, &a);
	}
	if (bad)
		goto out;
	/* Patients first (the members' key refers to them), then members, then their history. */
	if ((rc = exec_rows(r, STMT_MIF_PATIENTS_INSERT, &c.patients_new, c.n[0], 0)) != APP_OK ||
	    (rc = exec_rows(r, STMT_MIF_PATIENTS_UPDATE, &c.patients_changed, c.n[1], 0)) != APP_OK ||
	    (rc = insert_new_members(r, &c.members_new, c.n[2])) != APP_OK ||
	    (rc = exec_rows(r, STMT_MIF_MEMBERS_UPDATE, &c.members_changed, c.n[3], 1)) != APP_OK)
		goto out;
	if (c.n[4] > 0) {
		rc = APP_ENOMEM;
		if (buf_printf(&c.history, "]") != 0)
			goto out;
		p[0] = DB_P_STR(c.history.s, c.history.len);
		p[1] = DB_P_ID(r->who->user_id);
		p[2] = DB_P_CSTR(r->source);
		p[3] = DB_P_CSTR(r->who->request_id);
		p[4] = DB_P_CSTR(r->now);
		if ((rc = db_exec(r->db, STMT_MIF_ACTIVITIES, p, 5)) != APP_OK)
			goto out;
	}
	rc = APP_OK;
out:
	chunk_free(&c);
	return rc;
}

/* ---- one attempt ------------------------------------------------------------- */

static void
run_reset(void *arg)
{
	struct run *r = arg;
	size_t i;

	for (i = 0; i < r->f->n; i++)
		before_free(&r->before[i]);
	memset(r->counts, 0, sizeof(*r->counts));
	r->now[0] = '\0';
}

/* The highest patient id, locked: 0 when there is none. */
static enum app_err
last_patient(struct db *db, int64_t *last)
{
	enum app_err rc;

	*last = 0;
	if ((rc = db_row(db, STMT_MIF_LAST_PATIENT, NULL, 0)) == APP_ENOROW)
		return APP_OK;
	if (rc == APP_OK)
		*last = db_int(db, STMT_MIF_LAST_PATIENT, 0);
	return rc;
}

static enum app_err
run_attempt(void *arg, int *committing)
{
	struct run *r = arg;
	struct db *db = r->db;
	int64_t last;
	size_t i, from, to, nnew = 0;
	enum app_err rc;

	if ((rc = db_begin(db)) != APP_OK)
		return rc;
	if ((rc = db_row(db, STMT_MIF_NOW, NULL, 0)) != APP_OK) {
		rc = rc == APP_ENOROW ? APP_EDB : rc;
		goto fail;
	}
	snprintf(r->now, sizeof(r->now), "%s", db_str(db, STMT_MIF_NOW, 0, NULL));
	for (from = 0; from < r->f->n; from = to) {
		to = from + MIF_CHUNK < r->f->n ? from + MIF_CHUNK : r->f->n;
		if ((rc = lock_known(r, from, to)) != APP_OK)
			goto fail;
	}
	for (i = 0; i < r->f->n; i++)
		nnew += r->before[i].patient_id == 0;
	last = 0;
	if (nnew > 0 && (rc = last_patient(db, &last)) != APP_OK)
		goto fail;
	if (nnew > 0 && last > INT64_MAX - (int64_t)nnew) {
		rc = APP_EINTERNAL;  /* no ids left: nothing a file can fix */
		goto fail;
	}
	/* The new members' patients take the ids after the highest, in the file's order. */
	for (i = 0; i < r->f->n; i++)
		r->patient[i] = r->before[i].patient_id > 0 ? r->before[i].patient_id : ++last;
	for (from = 0; from < r->f->n; from = to) {
		to = from + MIF_CHUNK < r->f->n ? from + MIF_CHUNK : r->f->n;
		if ((rc = write_chunk(r, from, to)) != APP_OK)
			goto fail;
	}
	for (i = 0; i < r->f->n; i++) {
		r->counts->imported += r->fate[i] == FATE_NEW;
		r->counts->updated += r->fate[i] == FATE_CHANGED;
		r->counts->unchanged += r->fate[i] == FATE_SAME;
	}
	r->counts->rows = r->f->n;
	if (r->who->key != NULL)
		return r->who->key->commit(db, r->who->key->arg);
	if (r->counts->imported + r->counts->updated == 0) {
		db_rollback(db);  /* nothing written */
		return APP_OK;
	}
	*committing = 1;
	if ((rc = db_commit(db)) != APP_OK)
		db_rollback(db);
	return rc;
fail:
	db_rollback(db);
	return rc;
}

/* The tag of the attempt's history rows: the request id, once it wrote some. */
static int
run_tag(void *arg, char *out, size_t outsz)
{
	const struct run *r = arg;

	if (r->who->request_id == NULL || *r->who->request_id == '\0' ||
	    r->counts->imported + r->counts->updated == 0)
		return 0;
	snprintf(out, outsz, "%s", r->who->request_id);
	return 1;
}

/* ---- the import ---------------------------------------------------------------- */

/* Every primary provider named exists: each line naming one that does not is bad. */
static enum app_err
check_providers(struct db *db, const struct mif_file *f, struct mif_problems *probs)
{
	struct id_set have = {0};
	int64_t *ids;
	size_t i, n = 0;
	enum app_err rc;

	if ((ids = malloc((f->n + 1) * sizeof(*ids))) == NULL)
		return APP_ENOMEM;
	for (i = 0; i < f->n; i++)
		if (f->rows[i].provider_id > 0)
			ids[n++] = f->rows[i].provider_id;
	rc = n > 0 ? lcm_id_lookup(db, STMT_PROVIDERS_EXISTING, ids, n, &have) : APP_OK;
	free(ids);
	for (i = 0; i < f->n && rc == APP_OK && n > 0; i++)
		if (f->rows[i].provider_id > 0 && !id_set_has(&have, f->rows[i].provider_id) &&
		    mif_problem_add(probs, f->rows[i].line, "PROVIDER_ID %" PRId64 " does not exist",
		    f->rows[i].provider_id) != 0)
			rc = APP_ENOMEM;
	id_set_free(&have);
	mif_problems_sort(probs);
	return rc;
}

enum app_err
mif_import(struct db *db, const struct lcm_actor *who, const char *source, const char *text,
    size_t len, char sep, struct mif_problems *probs, struct mif_counts *out)
{
	struct mif_file f = {0};
	struct run r = {0};
	struct engine_write w = {&ENGINE_SET, run_attempt, run_tag, run_reset, &r};
	char today[16];
	enum app_err rc;
	int settled;
	size_t i;

	memset(out, 0, sizeof(*out));
	if ((rc = pat_today(db, today)) != APP_OK)
		return rc;
	rc = mif_read(text, len, sep, today, &f, probs);
	if (rc == APP_ENOMEM)
		goto out;
	/* The database's checks too, so that one run reports every bad line. */
	if (f.n > 0) {
		enum app_err prc = check_providers(db, &f, probs);

		if (prc != APP_OK) {
			rc = prc;
			goto out;
		}
	}
	if (rc != APP_OK || probs->n > 0 || probs->more > 0) {
		rc = APP_EINVAL;
		goto out;
	}

	r.db = db;
	r.who = who;
	r.source = source;
	r.f = &f;
	rc = APP_ENOMEM;
	if ((r.by_id = malloc(f.n * sizeof(*r.by_id))) == NULL ||
	    (r.before = calloc(f.n, sizeof(*r.before))) == NULL ||
	    (r.fate = calloc(f.n, sizeof(*r.fate))) == NULL ||
	    (r.patient = calloc(f.n, sizeof(*r.patient))) == NULL)
		goto out;
	for (i = 0; i < f.n; i++)
		r.by_id[i] = &f.rows[i];
	qsort(r.by_id, f.n, sizeof(*r.by_id), cmp_by_id);
	r.counts = out;
	if ((rc = engine_run(db, &w, &settled)) != APP_OK) {
		memset(out, 0, sizeof(*out));
		goto out;
	}
	/* Each member's data went through this request: one access record each. */
	for (i = 0; i < f.n; i++)
		(void)access_log_add(r.patient[i], who->user_id, ACCESS_MIF_IMPORT, who->request_id);
out:
	if (r.before != NULL)
		for (i = 0; i < f.n; i++)
			before_free(&r.before[i]);
	free(r.before);
	free(r.by_id);
	free(r.fate);
	free(r.patient);
	mif_file_free(&f);
	return rc;
}
