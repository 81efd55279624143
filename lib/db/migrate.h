#ifndef LCM_MIGRATE_H
#define LCM_MIGRATE_H

#include <stddef.h>
#include <stdio.h>

#include "app.h"

struct db;

/*
 * The schema's numbered migrations: files NNN_name.sql of a directory,
 * applied in order, each once, recorded in schema_migrations with the
 * SHA-256 of the file. A file edited after it was applied is refused:
 * changes come as new migrations.
 */
struct migration {
	int version;
	char name[256];
	char sha256[65];   /* hex */
	char *path;
};

struct migrations {
	struct migration *m;
	size_t n;
};

/*
 * The migrations of dir, in version order. Returns APP_OK, or APP_EINVAL
 * with err set (an unreadable directory or file, two files of one
 * version), or APP_ENOMEM.
 */
enum app_err migrate_scan(const char *dir, struct migrations *out, char *err, size_t errsz);

void migrate_free(struct migrations *);

/* How the database stands against the files. */
struct migrate_status {
	size_t applied;   /* recorded and unchanged */
	size_t pending;   /* files not applied yet */
	size_t changed;   /* applied, but the file differs now */
	size_t unknown;   /* recorded, with no file here (a newer release applied it) */
};

/*
 * Compare the database's schema_migrations with the files; a database
 * without the table has every file pending. Each problem is a line on
 * out. APP_OK or a database error.
 */
enum app_err migrate_check(struct db *, const struct migrations *, FILE *out,
    struct migrate_status *);

/*
 * What a process that runs against the schema says of it once its
 * statements prepared (the worker, at start): migrate_check() against the
 * migrations in dir, each difference a warning in the log (a migration
 * pending, one applied by a newer release, one changed), then one line
 * that sums them up and says it serves all the same; or one line of
 * information that the schema is up to date. A directory that
 * cannot be read is a warning too. The statements decide whether the
 * schema is usable, not this: a rolling upgrade migrates before every
 * worker runs the release that knows the new migrations. APP_OK (st
 * filled), or the error that kept it from comparing.
 */
enum app_err migrate_report(struct db *, const char *dir, struct migrate_status *st);

/*
 * Apply the pending migrations up to version to (0: all), one at a time,
 * holding a server lock so that two migrators never interleave; print
 * "migrate: applied NAME" for each on out. Refuses (APP_EINVAL, err set)
 * when an applied file changed or the database knows a migration the
 * files do not. On a failing migration, APP_EDB with err naming it and the
 * server's message; those before it stay applied.
 */
enum app_err migrate_run(struct db *, const struct migrations *, int to, FILE *out,
    char *err, size_t errsz);

#endif
