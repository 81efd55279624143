#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "migrate.h"
#include "sha256.h"

#define MIGRATION_MAX (1024 * 1024)

void
migrate_free(struct migrations *ms)
{
	size_t i;

	for (i = 0; ms->m != NULL && i < ms->n; i++)
		free(ms->m[i].path);
	free(ms->m);
	ms->m = NULL;
	ms->n = 0;
}

/* NNN_*.sql: the version, or -1 for any other name. */
static int
version_of(const char *name)
{
	size_t n = strlen(name), i;
	int v = 0;

	if (n < 9 || strcmp(name + n - 4, ".sql") != 0)
		return -1;
	for (i = 0; i < 3; i++) {
		if (name[i] < '0' || name[i] > '9')
			return -1;
		v = v * 10 + (name[i] - '0');
	}
	return name[3] == '_' && v > 0 ? v : -1;
}

static int
cmp_version(const void *a, const void *b)
{
	return ((const struct migration *)a)->version - ((const struct migration *)b)->version;
}

/* The whole file, NUL-terminated, in *text; its SHA-256 in hex. */
static enum app_err
read_file(const char *path, char **text, size_t *len, char hex[65], char *err, size_t errsz)
{
	unsigned char d[32];
	FILE *f;
	size_t n;
	int i;

	*text = NULL;
	if ((f = fopen(path, "rb")) == NULL) {
		snprintf(err, errsz, "cannot read %s: %s", path, strerror(errno));
		return APP_EINVAL;
	}
	if ((*text = malloc(MIGRATION_MAX + 1)) == NULL) {
		fclose(f);
		return APP_ENOMEM;
	}
	n = fread(*text, 1, MIGRATION_MAX + 1, f);
	if (ferror(f) || n > MIGRATION_MAX) {
		snprintf(err, errsz, "cannot read %s: %s", path, ferror(f) ? strerror(errno) :
		    "larger than 1 MiB");
		fclose(f);
		free(*text);
		*text = NULL;
		return APP_EINVAL;
	}
	fclose(f);
	(*text)[n] = '\0';
	*len = n;
	if (sha256(*text, n, d) != APP_OK) {
		free(*text);
		*text = NULL;
		return APP_EINTERNAL;
	}
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	return APP_OK;
}

enum app_err
migrate_scan(const char *dir, struct migrations *out, char *err, size_t errsz)
{
	struct migration *grown, *m;
	struct dirent *e;
	enum app_err rc = APP_EINVAL;
	size_t cap = 0, i, len;
	char *text;
	DIR *d;
	int v;

	out->m = NULL;
	out->n = 0;
	if ((d = opendir(dir)) == NULL) {
		snprintf(err, errsz, "cannot read the migrations in %s: %s", dir, strerror(errno));
		return APP_EINVAL;
	}
	while ((e = readdir(d)) != NULL) {
		if ((v = version_of(e->d_name)) < 0 || strlen(e->d_name) >= sizeof(m->name))
			continue;
		if (out->n == cap) {
			cap = cap ? cap * 2 : 32;
			if ((grown = realloc(out->m, cap * sizeof(*grown))) == NULL) {
				rc = APP_ENOMEM;
				goto fail;
			}
			out->m = grown;
		}
		m = &out->m[out->n];
		memset(m, 0, sizeof(*m));
		m->version = v;
		snprintf(m->name, sizeof(m->name), "%s", e->d_name);
		if ((m->path = malloc(strlen(dir) + strlen(e->d_name) + 2)) == NULL) {
			rc = APP_ENOMEM;
			goto fail;
		}
		sprintf(m->path, "%s/%s", dir, e->d_name);
		out->n++;
		if ((rc = read_file(m->path, &text, &len, m->sha256, err, errsz)) != APP_OK)
			goto fail;
		free(text);
	}
	closedir(d);
	if (out->n > 1)  /* out->m is NULL for a directory without migrations */
		qsort(out->m, out->n, sizeof(*out->m), cmp_version);
	for (i = 1; i < out->n; i++)
		if (out->m[i].version == out->m[i - 1].version) {
			snprintf(err, errsz, "%s and %s have the same version", out->m[i - 1].name,
			    out->m[i].name);
			migrate_free(out);
			return APP_EINVAL;
		}
	if (out->n == 0) {
		snprintf(err, errsz, "no migrations (NNN_name.sql) in %s", dir);
		return APP_EINVAL;
	}
	return APP_OK;
fail:
	closedir(d);
	migrate_free(out);
	return rc;
}

static const struct migration *
find(const struct migrations *ms, int version)
{
	size_t i;

	for (i = 0; i < ms->n; i++)
		if (ms->m[i].version == version)
			return &ms->m[i];
	return NULL;
}

/*
 * Walk schema_migrations against the files: count into st, describe each
 * problem on out (when not NULL) or in err. recorded[i] is set for each
 * file already applied.
 */
static enum app_err
compare(struct db *db, const struct migrations *ms, FILE *out, struct migrate_status *st,
    char *recorded)
{
	const struct migration *m;
	const char *sha;
	enum app_err rc;
	int v;

	memset(st, 0, sizeof(*st));
	if ((rc = db_exec(db, STMT_MIGRATIONS_LIST, NULL, 0)) == APP_ESCHEMA) {
		st->pending = ms->n;  /* no schema_migrations: nothing applied */
		return APP_OK;
	}
	if (rc != APP_OK)
		return rc;
	while ((rc = db_next(db, STMT_MIGRATIONS_LIST)) == APP_OK) {
		v = (int)db_int(db, STMT_MIGRATIONS_LIST, MIG_VERSION);
		sha = db_str(db, STMT_MIGRATIONS_LIST, MIG_SHA256, NULL);
		if ((m = find(ms, v)) == NULL) {
			st->unknown++;
			if (out)
				fprintf(out, "migration %d (%s) is applied but unknown to this release\n",
				    v, db_str(db, STMT_MIGRATIONS_LIST, MIG_NAME, NULL));
			continue;
		}
		recorded[m - ms->m] = 1;
		if (strcmp(sha, m->sha256) != 0) {
			st->changed++;
			if (out)
				fprintf(out, "%s changed after it was applied; add a new migration instead\n",
				    m->name);
		} else
			st->applied++;
	}
	db_done(db, STMT_MIGRATIONS_LIST);
	if (rc != APP_ENOROW)
		return rc;
	st->pending = ms->n - st->applied - st->changed;
	return APP_OK;
}

enum app_err
migrate_check(struct db *db, const struct migrations *ms, FILE *out, struct migrate_status *st)
{
	char *recorded;
	enum app_err rc;
	size_t i;

	if ((recorded = calloc(ms->n, 1)) == NULL)
		return APP_ENOMEM;
	if ((rc = compare(db, ms, out, st, recorded)) == APP_OK && out != NULL)
		for (i = 0; i < ms->n; i++)
			if (!recorded[i])
				fprintf(out, "%s is not applied\n", ms->m[i].name);
	free(recorded);
	return rc;
}

enum app_err
migrate_report(struct db *db, const char *dir, struct migrate_status *st)
{
	struct migrations ms = {NULL, 0};
	char err[512], *text = NULL, *line, *next;
	enum app_err rc;
	size_t len = 0;
	FILE *out = NULL;

	memset(st, 0, sizeof(*st));
	if ((rc = migrate_scan(dir, &ms, err, sizeof(err))) != APP_OK) {
		log_msg(LV_WARN, "schema: not compared with this release's migrations: %s",
		    rc == APP_EINVAL ? err : app_err_name(rc));
		return rc;
	}
	if ((out = open_memstream(&text, &len)) == NULL) {
		rc = APP_ENOMEM;
		goto out;
	}
	rc = migrate_check(db, &ms, out, st);
	if (fclose(out) != 0 && rc == APP_OK)
		rc = APP_ENOMEM;
	if (rc != APP_OK) {
		log_msg(LV_WARN, "schema: not compared with this release's migrations: %s",
		    app_err_name(rc));
		goto out;
	}
	for (line = text; line != NULL && *line != '\0'; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		log_msg(LV_WARN, "schema: %s", line);
	}
	if (st->pending > 0 || st->unknown > 0 || st->changed > 0)
		log_msg(LV_WARN, "schema: %zu migrations pending, %zu unknown to this release,"
		    " %zu changed; serving: every statement prepares and matches its signature",
		    st->pending, st->unknown, st->changed);
	else
		log_msg(LV_INFO, "schema: up to date with this release's %zu migrations", st->applied);
out:
	free(text);
	migrate_free(&ms);
	return rc;
}

/* One migration, with its schema_migrations row. */
static enum app_err
apply_one(struct db *db, const struct migration *m, char *err, size_t errsz)
{
	struct db_param p[3];
	enum app_err rc;
	char sha[65], *text = NULL;
	size_t len;

	if ((rc = read_file(m->path, &text, &len, sha, err, errsz)) != APP_OK)
		return rc;
	if (strcmp(sha, m->sha256) != 0) {
		snprintf(err, errsz, "%s changed while migrating", m->name);
		free(text);
		return APP_EINVAL;
	}
	p[0] = DB_P_INT(m->version);
	p[1] = DB_P_CSTR(m->name);
	p[2] = DB_P_CSTR(m->sha256);
	/* DDL commits by itself in MariaDB: a file holds one DDL statement, or only DML. */
	if ((rc = db_exec(db, STMT_MIGRATE_SQL_MODE, NULL, 0)) != APP_OK)
		goto out;
	if ((rc = db_begin(db)) != APP_OK)
		goto out;
	if ((rc = db_script(db, text, len)) != APP_OK ||
	    (rc = db_exec(db, STMT_MIGRATION_RECORD, p, 3)) != APP_OK ||
	    (rc = db_commit(db)) != APP_OK) {
		snprintf(err, errsz, "%s failed: %s", m->name, db_last_error(db));
		db_rollback(db);
		goto out;
	}
out:
	free(text);
	return rc;
}

enum app_err
migrate_run(struct db *db, const struct migrations *ms, int to, FILE *out, char *err,
    size_t errsz)
{
	struct migrate_status st;
	char *recorded = NULL;
	enum app_err rc;
	size_t i, applied = 0;

	err[0] = '\0';
	if ((rc = db_row(db, STMT_MIGRATE_LOCK, NULL, 0)) != APP_OK)
		return rc;
	if (db_int(db, STMT_MIGRATE_LOCK, 0) != 1) {
		snprintf(err, errsz, "another migration is running (lock lcm_migrate held for 30 s)");
		return APP_EINVAL;
	}
	if ((rc = db_exec(db, STMT_MIGRATIONS_CREATE, NULL, 0)) != APP_OK) {
		snprintf(err, errsz, "cannot create schema_migrations: %s", db_last_error(db));
		goto out;
	}
	rc = APP_ENOMEM;
	if ((recorded = calloc(ms->n, 1)) == NULL)
		goto out;
	if ((rc = compare(db, ms, NULL, &st, recorded)) != APP_OK)
		goto out;
	if (st.changed > 0 || st.unknown > 0) {
		(void)compare(db, ms, stderr, &st, recorded);
		snprintf(err, errsz, "the database does not match these migrations: nothing applied");
		rc = APP_EINVAL;
		goto out;
	}
	for (i = 0; i < ms->n; i++) {
		if (recorded[i] || (to > 0 && ms->m[i].version > to))
			continue;
		if ((rc = apply_one(db, &ms->m[i], err, errsz)) != APP_OK)
			goto out;
		fprintf(out, "migrate: applied %s\n", ms->m[i].name);
		applied++;
	}
	if (applied == 0)
		fprintf(out, "migrate: schema is up to date\n");
	rc = APP_OK;
out:
	free(recorded);
	(void)db_row(db, STMT_MIGRATE_UNLOCK, NULL, 0);
	return rc;
}
