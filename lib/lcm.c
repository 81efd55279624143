#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "lcm.h"
#include "log.h"

#define APPLY_ATTEMPTS 8

static const char *const role_names[ROLE__MAX] = {
	[ROLE_OLCM] = "olcm",
	[ROLE_ILCM] = "ilcm",
};

const char *
lcm_role_name(enum lcm_role r)
{
	return (unsigned)r < ROLE__MAX ? role_names[r] : "";
}

static int
cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

int
id_set_has(const struct id_set *s, int64_t id)
{
	return s->n > 0 && bsearch(&id, s->ids, s->n, sizeof(int64_t), cmp_id) != NULL;
}

void
id_set_free(struct id_set *s)
{
	free(s->ids);
	s->ids = NULL;
	s->n = 0;
}

/* The ids as a JSON array, the parameter of the JSON_TABLE statements. */
static char *
ids_json(const int64_t *ids, size_t n, size_t *len)
{
	size_t cap = 2 + n * 21, o = 0, i;
	char *s;

	if ((s = malloc(cap + 1)) == NULL)
		return NULL;
	s[o++] = '[';
	for (i = 0; i < n; i++)
		o += (size_t)snprintf(s + o, cap + 1 - o, "%s%" PRId64, i ? "," : "", ids[i]);
	s[o++] = ']';
	s[o] = '\0';
	*len = o;
	return s;
}

static enum app_err
id_lookup(struct db *db, enum stmt st, const int64_t *ids, size_t n, struct id_set *out)
{
	struct db_col col = {.type = DB_INT};
	struct db_param p;
	enum app_err rc = APP_ENOMEM;
	char *json = NULL;
	size_t len;

	out->ids = NULL;
	out->n = 0;
	if (n == 0)
		return APP_OK;
	if ((json = ids_json(ids, n, &len)) == NULL ||
	    (out->ids = malloc(n * sizeof(int64_t))) == NULL)
		goto out;
	p = DB_P_STR(json, len);
	if ((rc = db_exec(db, st, &p, 1, &col, 1)) != APP_OK)
		goto out;
	while ((rc = db_fetch(db, st)) == APP_OK && out->n < n)
		out->ids[out->n++] = col.i;
	db_done(db, st);
	if (rc != APP_ENOTFOUND && rc != APP_OK)
		goto out;
	qsort(out->ids, out->n, sizeof(int64_t), cmp_id);
	rc = APP_OK;
out:
	free(json);
	if (rc != APP_OK)
		id_set_free(out);
	return rc;
}

enum app_err
lcm_patients_existing(struct db *db, const int64_t *ids, size_t n, struct id_set *out)
{
	return id_lookup(db, STMT_PATIENTS_EXISTING, ids, n, out);
}

enum app_err
lcm_users_eligible(struct db *db, const int64_t *ids, size_t n, struct id_set *out)
{
	return id_lookup(db, STMT_USERS_ELIGIBLE, ids, n, out);
}

enum app_err
lcm_refs_check(struct db *db, const struct lcm_change *c, struct lcm_refs *out)
{
	enum { C_PATIENT, C_ELIGIBLE, C_CASE_LOAD = C_ELIGIBLE + ROLE__MAX, C_CURRENT,
	    C__MAX = C_CURRENT + ROLE__MAX };
	struct db_col col[C__MAX];
	struct db_param p[2 + ROLE__MAX];
	enum app_err rc;
	int r;

	for (r = 0; r < C__MAX; r++)
		col[r].type = DB_INT;
	p[0] = DB_P_INT(c->patient_id);
	for (r = 0; r < ROLE__MAX; r++)
		p[1 + r] = c->given[r] ? DB_P_ID(c->user[r]) : DB_P_NULL;
	p[1 + ROLE__MAX] = DB_P_INT(c->patient_id);
	if ((rc = db_row(db, STMT_REFS, p, 2 + ROLE__MAX, col, C__MAX)) != APP_OK)
		return rc == APP_ENOTFOUND ? APP_EDB : rc;
	out->patient_ok = col[C_PATIENT].i != 0;
	out->case_load_id = col[C_CASE_LOAD].is_null ? 0 : col[C_CASE_LOAD].i;
	for (r = 0; r < ROLE__MAX; r++) {
		out->eligible[r] = col[C_ELIGIBLE + r].i != 0;
		out->current[r] = col[C_CURRENT + r].is_null ? 0 : col[C_CURRENT + r].i;
	}
	return APP_OK;
}

int
lcm_refs_unchanged(const struct lcm_refs *refs, const struct lcm_change *c)
{
	int r;

	if (refs->case_load_id == 0)
		return 0;
	for (r = 0; r < ROLE__MAX; r++)
		if (c->given[r] && c->user[r] != refs->current[r])
			return 0;
	return 1;
}

static const char *
activity_type(int64_t prev, int64_t next)
{
	if (prev == 0)
		return "lcm_assigned";
	if (next == 0)
		return "lcm_removed";
	return "lcm_changed";
}

/*
 * One attempt of lcm_apply(), inside one transaction. *committing is set
 * once COMMIT was sent: a connection lost after that leaves the outcome
 * to be found out.
 */
static enum app_err
apply_once(struct db *db, const struct lcm_actor *who, const struct lcm_change *c,
    int may_create, int *committing)
{
	struct db_col row[3] = {{.type = DB_INT}, {.type = DB_INT}, {.type = DB_INT}};
	struct db_param p[10];
	int64_t case_load_id, prev[ROLE__MAX], next[ROLE__MAX];
	int changed[ROLE__MAX], nchanged = 0, r;
	enum app_err rc;
	const char *type;

	if ((rc = db_begin(db)) != APP_OK)
		return rc;
	p[0] = DB_P_INT(c->patient_id);
	rc = db_row(db, STMT_CASE_LOAD_LOCK, p, 1, row, 3);
	if (rc != APP_OK && rc != APP_ENOTFOUND)
		goto fail;

	if (rc == APP_ENOTFOUND) {
		if (!may_create) {
			rc = APP_ENOCASELOAD;
			goto fail;
		}
		for (r = 0; r < ROLE__MAX; r++) {
			prev[r] = 0;
			next[r] = c->given[r] ? c->user[r] : 0;
			changed[r] = next[r] != 0;
			nchanged += changed[r];
		}
		p[0] = DB_P_ID(next[ROLE_OLCM]);
		p[1] = DB_P_ID(next[ROLE_OLCM]);
		p[2] = DB_P_ID(next[ROLE_ILCM]);
		p[3] = DB_P_ID(next[ROLE_ILCM]);
		p[4] = DB_P_INT(c->patient_id);
		if ((rc = db_exec(db, STMT_CASE_LOAD_INSERT, p, 5, NULL, 0)) != APP_OK)
			goto fail;  /* APP_EDUP: another request created it: retry */
		if (db_affected(db, STMT_CASE_LOAD_INSERT) == 0) {
			rc = APP_ENOPATIENT;
			goto fail;
		}
		case_load_id = db_insert_id(db, STMT_CASE_LOAD_INSERT);
	} else {
		case_load_id = row[0].i;
		prev[ROLE_OLCM] = row[1].is_null ? 0 : row[1].i;
		prev[ROLE_ILCM] = row[2].is_null ? 0 : row[2].i;
		for (r = 0; r < ROLE__MAX; r++) {
			next[r] = c->given[r] ? c->user[r] : prev[r];
			changed[r] = next[r] != prev[r];
			nchanged += changed[r];
		}
		if (nchanged == 0) {
			db_rollback(db);
			return APP_OK;
		}
		/* assigned_at: 0 keep, 1 now, 2 clear. */
		p[0] = DB_P_INT(changed[ROLE_OLCM] ? (next[ROLE_OLCM] ? 1 : 2) : 0);
		p[1] = DB_P_ID(next[ROLE_OLCM]);
		p[2] = DB_P_INT(changed[ROLE_ILCM] ? (next[ROLE_ILCM] ? 1 : 2) : 0);
		p[3] = DB_P_ID(next[ROLE_ILCM]);
		p[4] = DB_P_INT(case_load_id);
		if ((rc = db_exec(db, STMT_CASE_LOAD_UPDATE, p, 5, NULL, 0)) != APP_OK)
			goto fail;
	}

	for (r = 0; r < ROLE__MAX; r++) {
		if (!changed[r])
			continue;
		type = activity_type(prev[r], next[r]);
		p[0] = DB_P_INT(c->patient_id);
		p[1] = DB_P_INT(case_load_id);
		p[2] = DB_P_STR(type, strlen(type));
		p[3] = DB_P_STR(role_names[r], strlen(role_names[r]));
		p[4] = DB_P_ID(prev[r]);
		p[5] = DB_P_ID(next[r]);
		p[6] = DB_P_INT(who->user_id);
		p[7] = c->reason ? DB_P_STR(c->reason, c->reason_len) : DB_P_NULL;
		p[8] = who->request_id && *who->request_id ?
		    DB_P_STR(who->request_id, strlen(who->request_id)) : DB_P_NULL;
		if ((rc = db_exec(db, STMT_ACTIVITY_INSERT, p, 9, NULL, 0)) != APP_OK)
			goto fail;
	}
	*committing = 1;
	if ((rc = db_commit(db)) != APP_OK)
		goto fail;
	return APP_OK;
fail:
	db_rollback(db);
	return rc;
}

/* After a COMMIT lost on the wire: did it happen? Its activity rows tell. */
static enum app_err
committed(struct db *db, const struct lcm_actor *who, int *yes)
{
	struct db_col n = {.type = DB_INT};
	struct db_param p;
	enum app_err rc;

	if (who->request_id == NULL || *who->request_id == '\0')
		return APP_EDBLOST;  /* untagged: the outcome cannot be known */
	p = DB_P_STR(who->request_id, strlen(who->request_id));
	if ((rc = db_row(db, STMT_ACTIVITY_TAGGED, &p, 1, &n, 1)) != APP_OK)
		return rc == APP_ENOTFOUND ? APP_EDB : rc;
	*yes = n.i > 0;
	return APP_OK;
}

enum app_err
lcm_apply(struct db *db, const struct lcm_actor *who, const struct lcm_change *c,
    int may_create)
{
	struct timespec pause;
	enum app_err rc = APP_ERETRY;
	int attempt, committing, lost = 0, done;

	for (attempt = 0; attempt < APPLY_ATTEMPTS; attempt++) {
		committing = 0;
		rc = apply_once(db, who, c, may_create, &committing);
		if (rc == APP_EDBLOST) {
			/*
			 * The server rolled back what it had not committed; the
			 * next db_begin() or read reconnects. Once per change.
			 */
			if (lost++)
				return APP_EDBLOST;
			if (committing) {
				if ((rc = committed(db, who, &done)) != APP_OK)
					return rc;
				if (done)
					return APP_OK;
			}
			continue;
		}
		/* A deadlock victim or the loser of a create race tries again. */
		if (rc != APP_ERETRY && rc != APP_EDUP)
			return rc;
		pause.tv_sec = 0;
		pause.tv_nsec = (long)(1 + attempt) * (1000000L + rand() % 4000000L);
		nanosleep(&pause, NULL);
	}
	log_msg(LV_WARN, "lcm: patient %" PRId64 ": gave up after %d attempts",
	    c->patient_id, APPLY_ATTEMPTS);
	return APP_ERETRY;
}

/* A string column into dst; columns are sized by the schema to fit. */
static void
copy_col(char *dst, size_t dstsz, const struct db_col *c)
{
	size_t n = c->is_null ? 0 : c->len;

	if (n >= dstsz)
		n = dstsz - 1;
	memcpy(dst, c->s, n);
	dst[n] = '\0';
}

enum app_err
lcm_care_team_get(struct db *db, int64_t patient_id, struct care_team *t)
{
	enum { C_PID, C_PNAME, C_CLID, C_PROV, C_PROVNAME, C_OID, C_ONAME, C_OEMAIL,
	    C_OAT, C_IID, C_INAME, C_IEMAIL, C_IAT, C_CREATED, C_UPDATED, C__MAX };
	static const enum db_type types[C__MAX] = {
		DB_INT, DB_STR, DB_INT, DB_INT, DB_STR, DB_INT, DB_STR, DB_STR,
		DB_TIME, DB_INT, DB_STR, DB_STR, DB_TIME, DB_TIME, DB_TIME,
	};
	struct db_col *c;
	struct db_param p = DB_P_INT(patient_id);
	enum app_err rc;
	int i, r;

	if ((c = calloc(C__MAX, sizeof(*c))) == NULL)
		return APP_ENOMEM;
	for (i = 0; i < C__MAX; i++)
		c[i].type = types[i];
	rc = db_row(db, STMT_CARE_TEAM, &p, 1, c, C__MAX);
	if (rc == APP_ENOTFOUND)
		rc = APP_ENOPATIENT;
	if (rc != APP_OK)
		goto out;

	memset(t, 0, sizeof(*t));
	t->patient_id = c[C_PID].i;
	copy_col(t->patient_name, sizeof(t->patient_name), &c[C_PNAME]);
	t->case_load_id = c[C_CLID].i;
	t->provider_id = c[C_PROV].i;
	t->has_provider_name = !c[C_PROVNAME].is_null;
	copy_col(t->provider_name, sizeof(t->provider_name), &c[C_PROVNAME]);
	for (r = 0; r < ROLE__MAX; r++) {
		int base = r == ROLE_OLCM ? C_OID : C_IID;
		t->lcm[r].user_id = c[base].i;
		copy_col(t->lcm[r].name, sizeof(t->lcm[r].name), &c[base + 1]);
		copy_col(t->lcm[r].email, sizeof(t->lcm[r].email), &c[base + 2]);
		copy_col(t->lcm[r].assigned_at, sizeof(t->lcm[r].assigned_at), &c[base + 3]);
	}
	copy_col(t->created_at, sizeof(t->created_at), &c[C_CREATED]);
	copy_col(t->updated_at, sizeof(t->updated_at), &c[C_UPDATED]);
out:
	free(c);
	return rc;
}

long
lcm_like_pattern(const char *s, char *out, size_t outsz)
{
	size_t o = 0;

	if (outsz < 3)
		return -1;
	out[o++] = '%';
	for (; *s != '\0'; s++) {
		/* This character (escaped or not), the closing '%' and the NUL. */
		if (o + (*s == '%' || *s == '_' || *s == '!' ? 2 : 1) + 2 > outsz)
			return -1;
		if (*s == '%' || *s == '_' || *s == '!')
			out[o++] = '!';
		out[o++] = *s;
	}
	out[o++] = '%';
	out[o] = '\0';
	return (long)o;
}

void
lcm_page_free(struct lcm_page *pg)
{
	free(pg->rows);
	pg->rows = NULL;
	pg->n = 0;
}

enum app_err
lcm_list(struct db *db, const struct lcm_list_query *q, struct lcm_page *pg)
{
	enum { C_ID, C_NAME, C_EMAIL, C_ROLES, C_OCOUNT, C_ICOUNT, C_BOTH, C__MAX };
	static const enum db_type types[C__MAX] = {
		DB_INT, DB_STR, DB_STR, DB_STR, DB_INT, DB_INT, DB_INT,
	};
	struct db_col *c = NULL, count = {.type = DB_INT};
	struct db_param p[7];
	char pattern[2048];
	long plen;
	int64_t role = q->role < 0 ? 0 : q->role + 1, offset;
	enum app_err rc = APP_ENOMEM;
	struct lcm_row *row;
	int i;

	pg->rows = NULL;
	pg->n = 0;
	pg->total_count = 0;
	if ((plen = lcm_like_pattern(q->search ? q->search : "", pattern, sizeof(pattern))) < 0)
		return APP_EINVAL;
	p[0] = DB_P_STR(pattern, (size_t)plen);
	p[1] = p[2] = p[3] = DB_P_INT(role);

	if ((rc = db_row(db, STMT_LCM_COUNT, p, 4, &count, 1)) != APP_OK)
		return rc == APP_ENOTFOUND ? APP_EDB : rc;
	pg->total_count = count.i;

	/* A page past the end, or one whose offset would overflow, is empty. */
	if (q->page - 1 > (pg->total_count - 1) / q->per_page || pg->total_count == 0)
		return APP_OK;
	offset = (q->page - 1) * q->per_page;

	rc = APP_ENOMEM;
	if ((c = calloc(C__MAX, sizeof(*c))) == NULL ||
	    (pg->rows = calloc((size_t)q->per_page, sizeof(*pg->rows))) == NULL)
		goto out;
	for (i = 0; i < C__MAX; i++)
		c[i].type = types[i];
	p[4] = DB_P_INT(q->per_page);
	p[5] = DB_P_INT(offset);
	if ((rc = db_exec(db, STMT_LCM_PAGE, p, 6, c, C__MAX)) != APP_OK)
		goto out;
	while ((rc = db_fetch(db, STMT_LCM_PAGE)) == APP_OK && pg->n < (size_t)q->per_page) {
		row = &pg->rows[pg->n++];
		row->id = c[C_ID].i;
		copy_col(row->name, sizeof(row->name), &c[C_NAME]);
		copy_col(row->email, sizeof(row->email), &c[C_EMAIL]);
		copy_col(row->roles, sizeof(row->roles), &c[C_ROLES]);
		row->count[ROLE_OLCM] = c[C_OCOUNT].i;
		row->count[ROLE_ILCM] = c[C_ICOUNT].i;
		row->assigned_patients_count = c[C_OCOUNT].i + c[C_ICOUNT].i - c[C_BOTH].i;
	}
	db_done(db, STMT_LCM_PAGE);
	if (rc == APP_ENOTFOUND || rc == APP_OK)
		rc = APP_OK;
out:
	free(c);
	if (rc != APP_OK)
		lcm_page_free(pg);
	return rc;
}
