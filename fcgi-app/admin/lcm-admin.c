/*
 * lcm-admin: the operator's tool. Each command prints what a script needs
 * on stdout, explains failures on stderr and exits 0 only on success (1 on
 * a failure, 2 on a usage error). It reads the same configuration as the
 * workers: --config FILE, else $LCM_CONFIG, else /etc/lcm/lcm.conf.
 */
#define _DEFAULT_SOURCE  /* explicit_bzero */
#include <errno.h>
#include <stdarg.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <mysql.h>

#include "access_log.h"
#include "admin.h"
#include "check.h"
#include "config.h"
#include "db.h"
#include "import.h"
#include "lcm.h"
#include "log.h"
#include "today.h"
#include "mif.h"
#include "migrate.h"

#define MAX_ROLES 32
#define IMPORT_MAX (512L * 1024 * 1024)

static const char usage_text[] =
"usage: lcm-admin [--config FILE] COMMAND\n"
"  migrate [--to VERSION]       apply the pending migrations (as migrate_user)\n"
"  check                        configuration, database and schema are in order\n"
"  user add --name NAME --email EMAIL [--role ROLE]...   prints the new id\n"
"  user roles ID [--add ROLE]... [--remove ROLE]...\n"
"  user activate ID | user deactivate ID | user list\n"
"  role add NAME | role list\n"
"  token issue USER_ID [--label LABEL] [--expires-days N]   prints the token, once\n"
"  token list USER_ID | token revoke TOKEN_ID\n"
"  import providers|patients|users FILE.csv\n"
"  import mif FILE               a health plan's Member Information File (CSV or TSV)\n"
"  release-ended [--dry-run]    release the LCMs of members whose authorization ended\n"
"  pool [--worker PATH]         run the worker pool in the foreground (spawn-fcgi -n,\n"
"                               multiwatch): the lcm-workers.service command\n";

static struct config cfg;
static const char *config_file;   /* the file read */
static enum app_err connect_rc;   /* why the last connect_as() failed */

static int
usage(const char *why)
{
	if (why != NULL)
		fprintf(stderr, "lcm-admin: %s\n", why);
	fputs(usage_text, stderr);
	return 2;
}

static int
fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int
fail(const char *fmt, ...)
{
	va_list ap;

	fputs("lcm-admin: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

/* A positive id argument; 0 when it is not one. */
static int64_t
id_arg(const char *s)
{
	int64_t id;

	return s != NULL && check_id_string(s, strlen(s), &id) ? id : 0;
}

/* ---- the database ---------------------------------------------------- */

/*
 * Connect as the app user (or as migrate_user for migrations), with the
 * statements of use prepared. NULL after saying why.
 */
static struct db *
connect_as(unsigned use, int migrator)
{
	struct db_config dbc = {0};
	const char *user = cfg.db_user, *pwfile = cfg.db_password_file;
	char password[256], err[CONFIG_VALUE_MAX + 128];
	struct db *db;
	enum app_err rc;

	if (migrator && cfg.migrate_user[0] != '\0') {
		user = cfg.migrate_user;
		pwfile = cfg.migrate_password_file[0] != '\0' ? cfg.migrate_password_file : "";
	} else if (migrator && cfg.migrate_password_file[0] != '\0')
		pwfile = cfg.migrate_password_file;
	if (config_read_secret(pwfile, password, sizeof(password), err, sizeof(err)) != 0) {
		fail("%s", err);
		return NULL;
	}
	dbc.socket = cfg.db_socket[0] ? cfg.db_socket : NULL;
	dbc.host = cfg.db_host[0] ? cfg.db_host : NULL;
	dbc.port = cfg.db_port;
	dbc.database = cfg.db_name;
	dbc.user = user;
	dbc.password = password[0] ? password : NULL;
	dbc.prepare = use;
	dbc.scripts = migrator;
	db = db_new(&dbc);
	explicit_bzero(password, sizeof(password));
	if (db == NULL) {
		fail("out of memory");
		return NULL;
	}
	switch ((rc = connect_rc = db_ensure(db))) {
	case APP_OK:
		return db;
	case APP_EDBLOGIN:
		fail("the database refused %s on %s: %s", user, cfg.db_name, db_last_error(db));
		break;
	case APP_EDBLOST:
		fail("cannot reach the database (%s): %s",
		    cfg.db_host[0] ? cfg.db_host : cfg.db_socket[0] ? cfg.db_socket : "default socket",
		    db_last_error(db));
		break;
	case APP_ESCHEMA:
		fail("the database schema does not fit this release (%s): run lcm-admin migrate,"
		    " or a release that knows the schema", db_last_error(db));
		break;
	default:
		fail("cannot use the database: %s", db_last_error(db));
		break;
	}
	db_free(db);
	return NULL;
}

static int
db_failed(struct db *db, enum app_err rc)
{
	return fail("database error (%s): %s", app_err_name(rc), db_last_error(db));
}

/*
 * A command's end: 0 on success, else 1 after saying why (err for a
 * refusal, the database's message for anything else). Closes db.
 */
static int
done(struct db *db, enum app_err rc, const char *err)
{
	int code = 0;

	if (rc == APP_EINVAL)
		code = fail("%s", err);
	else if (rc != APP_OK)
		code = db_failed(db, rc);
	db_free(db);
	return code;
}

/* ---- migrate, check -------------------------------------------------- */

static int
cmd_migrate(enum admin_cmd c, int argc, char **argv)
{
	struct migrations ms;
	char dir[PATH_MAX], err[512];
	struct db *db;
	enum app_err rc;
	int to = 0;

	(void)c;
	if (argc == 3 && strcmp(argv[1], "--to") == 0) {
		if ((to = (int)id_arg(argv[2])) <= 0 || to > 999)
			return usage("--to takes a migration number");
	} else if (argc != 1)
		return usage("migrate takes only --to VERSION");
	if (config_schema_dir(&cfg, dir, sizeof(dir)) != 0)
		return fail("no schema_dir in %s and no migrations installed beside lcm-admin",
		    config_file);
	if (migrate_scan(dir, &ms, err, sizeof(err)) != APP_OK)
		return fail("%s", err);
	if ((db = connect_as(DB_USE_MIGRATE, 1)) == NULL) {
		migrate_free(&ms);
		return 1;
	}
	rc = migrate_run(db, &ms, to, stdout, err, sizeof(err));
	db_free(db);
	migrate_free(&ms);
	if (rc != APP_OK)
		return fail("%s", err[0] ? err : app_err_name(rc));
	return 0;
}

/*
 * check: the configuration reads, the database answers, and how the schema
 * stands, said the way the workers say it: the migrations pending, applied
 * by a newer release or changed (each named), then every statement of the
 * worker and of this tool against its signature. The workers serve as
 * long as the statements prepare, and warn of any difference; check exits
 * 0 only when there is none and every statement prepares.
 */
static int
cmd_check(enum admin_cmd c, int argc, char **argv)
{
	struct migrate_status st;
	struct migrations ms;
	char dir[PATH_MAX], err[512];
	struct db *db;
	enum app_err rc;
	size_t n;
	int differs;

	(void)c;
	(void)argv;
	if (argc != 1)
		return usage("check takes no arguments");
	printf("config: %s read\n", config_file);
	if (config_schema_dir(&cfg, dir, sizeof(dir)) != 0)
		return fail("no schema_dir in %s and no migrations installed beside lcm-admin",
		    config_file);
	if (migrate_scan(dir, &ms, err, sizeof(err)) != APP_OK)
		return fail("%s", err);
	if ((db = connect_as(0, 0)) == NULL) {
		migrate_free(&ms);
		return 1;
	}
	printf("database: %s reached as %s\n", cfg.db_name, cfg.db_user);
	rc = migrate_check(db, &ms, stderr, &st);
	migrate_free(&ms);
	if (rc != APP_OK) {
		db_free(db);
		return fail("cannot read schema_migrations: %s", app_err_name(rc));
	}
	differs = st.pending || st.changed || st.unknown;
	if (differs)
		fail("schema: %zu applied, %zu pending, %zu changed, %zu unknown%s%s", st.applied,
		    st.pending, st.changed, st.unknown, st.pending ? ": run lcm-admin migrate" : "",
		    st.unknown ? "; unknown ones: this release is older than the database's" : "");
	else
		printf("schema: up to date (%zu migrations)\n", st.applied);
	/*
	 * Every statement of the worker and of this tool, against its
	 * signature (migrate prepares its own, as the migrate user).
	 */
	if ((rc = db_prepare_every(db, DB_USE_WORKER | DB_USE_ADMIN, &n)) != APP_OK) {
		fail("%s", db_last_error(db));
		db_free(db);
		return 1;
	}
	db_free(db);
	printf("statements: %zu prepared, each matching its signature\n", n);
	if (differs)
		return fail("the workers serve with this schema, and warn of the difference");
	return 0;
}

/* ---- user, role ------------------------------------------------------ */

static void
print_user(const struct admin_user *u, void *arg)
{
	(void)arg;
	printf("%" PRId64 "\t%s\t%s\t%s\t%s\n", u->id, u->name, u->email,
	    u->active ? "active" : "inactive", u->roles);
}

static void
print_name(const char *name, void *arg)
{
	(void)arg;
	printf("%s\n", name);
}

static int
cmd_user(enum admin_cmd c, int argc, char **argv)
{
	const char *name = NULL, *email = NULL, *add[MAX_ROLES], *rm[MAX_ROLES];
	size_t nadd = 0, nrm = 0;
	char err[512];
	struct db *db;
	enum app_err rc;
	int64_t id = 0;
	int i;

	switch (c) {
	case ADMIN_CMD_USER_ADD:
		for (i = 2; i < argc; i += 2) {
			if (i + 1 >= argc)
				return usage("each option of user add takes a value");
			if (strcmp(argv[i], "--name") == 0)
				name = argv[i + 1];
			else if (strcmp(argv[i], "--email") == 0)
				email = argv[i + 1];
			else if (strcmp(argv[i], "--role") == 0 && nadd < MAX_ROLES)
				add[nadd++] = argv[i + 1];
			else
				return usage("user add takes --name, --email and --role");
		}
		if (name == NULL || email == NULL)
			return usage("user add needs --name and --email");
		break;
	case ADMIN_CMD_USER_ROLES:
		if (argc < 3 || (id = id_arg(argv[2])) == 0)
			return usage("user roles needs a user id");
		for (i = 3; i < argc; i += 2) {
			if (i + 1 >= argc)
				return usage("--add and --remove take a role");
			if (strcmp(argv[i], "--add") == 0 && nadd < MAX_ROLES)
				add[nadd++] = argv[i + 1];
			else if (strcmp(argv[i], "--remove") == 0 && nrm < MAX_ROLES)
				rm[nrm++] = argv[i + 1];
			else
				return usage("user roles takes --add ROLE and --remove ROLE");
		}
		if (nadd + nrm == 0)
			return usage("user roles needs --add or --remove");
		break;
	case ADMIN_CMD_USER_ACTIVATE:
	case ADMIN_CMD_USER_DEACTIVATE:
		if (argc != 3 || (id = id_arg(argv[2])) == 0)
			return usage("user activate and deactivate take a user id");
		break;
	case ADMIN_CMD_USER_LIST:
		if (argc != 2)
			return usage("user list takes no arguments");
		break;
	default:
		return usage("user add, roles, activate, deactivate or list");
	}

	if ((db = connect_as(DB_USE_ADMIN, 0)) == NULL)
		return 1;
	err[0] = '\0';
	if (c == ADMIN_CMD_USER_ADD) {
		if ((rc = admin_user_add(db, name, email, add, nadd, &id, err, sizeof(err))) == APP_OK)
			printf("%" PRId64 "\n", id);
	} else if (c == ADMIN_CMD_USER_ROLES) {
		if ((rc = admin_user_roles(db, id, add, nadd, rm, nrm, err, sizeof(err))) == APP_OK)
			printf("user %" PRId64 ": roles changed\n", id);
	} else if (c == ADMIN_CMD_USER_LIST)
		rc = admin_user_list(db, print_user, NULL);
	else {
		int active = c == ADMIN_CMD_USER_ACTIVATE;

		if ((rc = admin_user_set_active(db, id, active, err, sizeof(err))) == APP_OK)
			printf("user %" PRId64 ": %s\n", id, active ? "active" : "inactive");
	}
	return done(db, rc, err);
}

static int
cmd_role(enum admin_cmd c, int argc, char **argv)
{
	char err[512] = "";
	struct db *db;
	enum app_err rc;

	if (c == ADMIN_CMD_ROLE_LIST && argc == 2) {
		if ((db = connect_as(DB_USE_ADMIN, 0)) == NULL)
			return 1;
		rc = admin_role_list(db, print_name, NULL);
	} else if (c == ADMIN_CMD_ROLE_ADD && argc == 3) {
		if ((db = connect_as(DB_USE_ADMIN, 0)) == NULL)
			return 1;
		if ((rc = admin_role_add(db, argv[2], err, sizeof(err))) == APP_OK)
			printf("role %s added\n", argv[2]);
	} else
		return usage("role add NAME or role list");
	return done(db, rc, err);
}

/* ---- token ----------------------------------------------------------- */

static void
print_token(const struct admin_token *t, void *arg)
{
	(void)arg;
	printf("%" PRId64 "\t%s\t%s\tcreated %s\tlast used %s\texpires %s\n", t->id,
	    t->state, t->label[0] ? t->label : "-", t->created_at,
	    t->last_used_at[0] ? t->last_used_at : "never",
	    t->expires_at[0] ? t->expires_at : "never");
}

static int
cmd_token(enum admin_cmd c, int argc, char **argv)
{
	char token[ADMIN_TOKEN_LEN + 1], err[512] = "";
	const char *label = "";
	struct db *db;
	enum app_err rc;
	int64_t id, token_id;
	int i, days = 0, was;

	if (argc < 3 || (id = id_arg(argv[2])) == 0)
		return usage("token issue, list or revoke needs an id");
	if (c == ADMIN_CMD_TOKEN_ISSUE) {
		for (i = 3; i < argc; i += 2) {
			if (i + 1 >= argc)
				return usage("--label and --expires-days take a value");
			if (strcmp(argv[i], "--label") == 0)
				label = argv[i + 1];
			else if (strcmp(argv[i], "--expires-days") == 0) {
				int64_t d = id_arg(argv[i + 1]);

				if (d <= 0 || d > ADMIN_EXPIRES_MAX)
					return usage("--expires-days takes 1 to 3650");
				days = (int)d;
			} else
				return usage("token issue takes --label and --expires-days");
		}
	} else if ((c != ADMIN_CMD_TOKEN_LIST && c != ADMIN_CMD_TOKEN_REVOKE) || argc != 3)
		return usage("token issue USER_ID, token list USER_ID or token revoke TOKEN_ID");

	if ((db = connect_as(DB_USE_ADMIN, 0)) == NULL)
		return 1;
	if (c == ADMIN_CMD_TOKEN_ISSUE) {
		if ((rc = admin_token_issue(db, id, label, days, token, &token_id, err,
		    sizeof(err))) == APP_OK) {
			printf("%s\n", token);
			fflush(stdout);
			explicit_bzero(token, sizeof(token));
			fprintf(stderr, "lcm-admin: token %" PRId64 " issued to user %" PRId64
			    "; it is shown only this once\n", token_id, id);
		}
	} else if (c == ADMIN_CMD_TOKEN_LIST)
		rc = admin_token_list(db, id, print_token, NULL, err, sizeof(err));
	else if ((rc = admin_token_revoke(db, id, &was, err, sizeof(err))) == APP_OK)
		printf("token %" PRId64 " %s\n", id, was ? "was revoked already" : "revoked");
	return done(db, rc, err);
}

/* ---- import ---------------------------------------------------------- */

/* The whole of a file to import (at most IMPORT_MAX bytes) into *text; NULL after saying why. */
static char *
read_import(const char *path, size_t *len)
{
	char *text;
	FILE *f;

	if ((f = fopen(path, "rb")) == NULL) {
		fail("cannot read %s: %s", path, strerror(errno));
		return NULL;
	}
	if ((text = malloc(IMPORT_MAX + 1)) == NULL) {
		fclose(f);
		fail("out of memory");
		return NULL;
	}
	*len = fread(text, 1, IMPORT_MAX + 1, f);
	if (ferror(f) || *len > IMPORT_MAX) {
		fail("cannot read %s: %s", path, *len > IMPORT_MAX ? "larger than 512 MiB" :
		    strerror(errno));
		fclose(f);
		free(text);
		return NULL;
	}
	fclose(f);
	return text;
}

/*
 * import mif FILE: a health plan's MIF, TSV when its first line holds a
 * tab, else CSV, as POST .../ecm/mifs imports one (mif_import()). Its
 * history and access-log records name no user (an operator's) and carry a
 * request id of lcm-admin's own, which the output gives.
 */
static int
cmd_import_mif(const char *path)
{
	struct mif_problems probs = {0};
	struct mif_counts n;
	struct lcm_actor who = {0};
	char rid[64];
	struct db *db;
	enum app_err rc;
	char *text;
	size_t len, i, lines = 0;
	unsigned last = 0;

	if ((text = read_import(path, &len)) == NULL)
		return 1;
	if ((db = connect_as(DB_USE_ADMIN, 0)) == NULL) {
		free(text);
		return 1;
	}
	snprintf(rid, sizeof(rid), "lcm-admin-%lx-%ld", (unsigned long)time(NULL), (long)getpid());
	who.request_id = rid;
	rc = mif_import(db, &who, "lcm-admin", text, len, mif_separator(text, len), &probs, &n);
	free(text);
	if (rc == APP_OK) {
		printf("import mif: %zu members: %zu imported, %zu updated, %zu unchanged (request %s)\n",
		    n.rows, n.imported, n.updated, n.unchanged, rid);
		/* Each member's access-log record, written before lcm-admin goes. */
		if ((rc = access_log_drain(db)) != APP_OK)
			fail("the PHI access log could not be written (%s): the members were imported",
			    app_err_name(rc));
		rc = APP_OK;
	} else if (rc == APP_EINVAL) {
		for (i = 0; i < probs.n; i++) {
			fprintf(stderr, "%s:%u: %s\n", path, probs.v[i].line, probs.v[i].msg);
			lines += probs.v[i].line != last;
			last = probs.v[i].line;
		}
		if (probs.more > 0)
			fprintf(stderr, "%s: ... and %zu more problem%s\n", path, probs.more,
			    probs.more == 1 ? "" : "s");
		fprintf(stderr, "%s: %zu bad line%s%s: nothing imported\n", path, lines,
		    lines == 1 ? "" : "s", probs.more > 0 ? " (and more)" : "");
	} else
		db_failed(db, rc);
	mif_problems_free(&probs);
	db_free(db);
	return rc == APP_OK ? 0 : 1;
}

static int
cmd_import(enum admin_cmd c, int argc, char **argv)
{
	struct import_counts n;
	struct db *db;
	enum app_err rc;
	char *text = NULL;
	size_t len;
	int kind;

	if (c == ADMIN_CMD_IMPORT_MIF) {
		if (argc != 3)
			return usage("import mif FILE");
		return cmd_import_mif(argv[2]);
	}
	if (argc != 3 || (kind = import_kind_parse(argv[1])) < 0)
		return usage("import providers|patients|users FILE.csv");
	if ((text = read_import(argv[2], &len)) == NULL)
		return 1;
	if ((db = connect_as(DB_USE_ADMIN, 0)) == NULL) {
		free(text);
		return 1;
	}
	rc = import_csv(db, (enum import_kind)kind, argv[2], text, len, stderr, &n);
	free(text);
	if (rc == APP_OK) {
		printf("import %s: %zu rows: %zu added, %zu changed, %zu unchanged", argv[1],
		    n.rows, n.added, n.changed, n.unchanged);
		if (kind == IMPORT_USERS)
			printf(", %zu role grants changed", n.grants_changed);
		printf("\n");
	} else if (rc != APP_EINVAL)
		db_failed(db, rc);
	db_free(db);
	return rc == APP_OK ? 0 : 1;
}

/* ---- release-ended ----------------------------------------------------- */

/*
 * release-ended [--dry-run]: the Lead Care Managers of the ECM members
 * whose authorization ended before the clinic's day released, as POST
 * .../release_ended releases them (lcm_release_ended_run()), batch after
 * batch (LCM_RELEASE_MAX patients each, each its own transaction) until
 * none is left; a dry run looks at the first batch only and says how many
 * more there are. Its history and access-log records name no user (an
 * operator's); the request id printed tags the first batch's activity
 * rows, "ID.N" the Nth batch's. One line on stdout.
 */
static int
cmd_release_ended(enum admin_cmd c, int argc, char **argv)
{
	struct lcm_move_plan plan = {0};
	struct lcm_release r = {0};
	struct lcm_actor who = {0};
	char day[TODAY_LEN], rid[64], tag[96];
	size_t roles = 0, patients = 0, batch;
	struct db *db;
	enum app_err rc;

	(void)c;
	if (argc == 2 && strcmp(argv[1], "--dry-run") == 0)
		r.dry_run = 1;
	else if (argc != 1)
		return usage("release-ended takes only --dry-run");
	if ((db = connect_as(DB_USE_ADMIN, 0)) == NULL)
		return 1;
	today(day);
	r.day = day;
	snprintf(rid, sizeof(rid), "lcm-admin-%lx-%ld", (unsigned long)time(NULL), (long)getpid());
	for (batch = 1; ; batch++) {
		if (batch == 1)
			snprintf(tag, sizeof(tag), "%s", rid);
		else
			snprintf(tag, sizeof(tag), "%s.%zu", rid, batch);
		who.request_id = tag;
		if ((rc = lcm_release_ended_run(db, &who, &r, &plan)) != APP_OK)
			break;
		roles += plan.n;
		patients += lcm_move_plan_patients(&plan);
		/* Done; or nothing more could be released (changed meanwhile): another day's run. */
		if (r.dry_run || plan.remaining == 0 || plan.n == 0)
			break;
		lcm_move_plan_free(&plan);
	}
	if (rc != APP_OK) {
		db_failed(db, rc);
		if (roles > 0)
			fail("%zu roles of %zu patients were released before it (request %s)", roles,
			    patients, rid);
	} else if (r.dry_run)
		printf("release-ended: dry run: %zu roles of %zu patients to release, %" PRId64
		    " more after them (as of %s)\n", roles, patients, plan.remaining, day);
	else {
		printf("release-ended: %zu roles of %zu patients released (as of %s, request %s)",
		    roles, patients, day, rid);
		if (plan.remaining > 0)
			printf("; %" PRId64 " patients left for the next run", plan.remaining);
		printf("\n");
	}
	/*
	 * Each role's access-log record, written before lcm-admin goes; when it
	 * cannot be, the run failed (a timer's failure is what an operator sees).
	 */
	if (roles > 0 && !r.dry_run && access_log_drain(db) != APP_OK) {
		fail("the PHI access log could not be written: the roles were released");
		rc = APP_EDB;
	}
	lcm_move_plan_free(&plan);
	db_free(db);
	return rc == APP_OK ? 0 : 1;
}

/* ---- pool ------------------------------------------------------------ */

/* multiwatch's retry limit per slot: as good as none (its counter is an int). */
#define POOL_RETRIES "2147483647"

/*
 * Check what a worker needs, then become spawn-fcgi -n (in the foreground,
 * for systemd) running multiwatch with the configured number of workers.
 */
static int
cmd_pool(enum admin_cmd c, int argc, char **argv)
{
	char worker[PATH_MAX], workers[16], port[16], host[CONFIG_VALUE_MAX], mode[8];
	const char *av[24];
	struct db *db;
	char *colon;
	int n = 0;

	(void)c;
	if (argc == 3 && strcmp(argv[1], "--worker") == 0)
		snprintf(worker, sizeof(worker), "%s", argv[2]);
	else if (argc != 1)
		return usage("pool takes only --worker PATH");
	else if (config_beside_program("../sbin/lcm-worker", "lcm-worker", worker, sizeof(worker)) != 0)
		return fail("no lcm-worker beside lcm-admin (../sbin/lcm-worker)");
	if (access(worker, X_OK) != 0)
		return fail("cannot run %s: %s", worker, strerror(errno));
	/*
	 * A refused login or an old schema stops the pool here, once, with its
	 * reason. A database that is down does not: the workers answer 503
	 * until it is back.
	 */
	if ((db = connect_as(DB_USE_WORKER, 0)) == NULL && connect_rc != APP_EDBLOST)
		return 1;
	if (db == NULL)
		fprintf(stderr, "lcm-admin: starting the workers anyway: they answer 503 until "
		    "the database is back\n");
	db_free(db);
	mysql_library_end();

	snprintf(workers, sizeof(workers), "%u", cfg.workers);
	av[n++] = "spawn-fcgi";
	av[n++] = "-n";
	if (cfg.listen[0] == '/') {
		av[n++] = "-s";
		av[n++] = cfg.listen;
		snprintf(mode, sizeof(mode), "0%o", cfg.socket_mode);
		av[n++] = "-M";
		av[n++] = mode;
	} else {
		/* host:port, or [v6 address]:port */
		snprintf(host, sizeof(host), "%s", cfg.listen);
		if ((colon = strrchr(host, ':')) == NULL || id_arg(colon + 1) == 0 ||
		    id_arg(colon + 1) > 65535 || colon == host)
			return fail("%s: listen must be a socket path or host:port", config_file);
		*colon = '\0';
		snprintf(port, sizeof(port), "%s", colon + 1);
		if (host[0] == '[' && colon[-1] == ']') {
			colon[-1] = '\0';
			av[n++] = "-a";
			av[n++] = host + 1;
		} else {
			av[n++] = "-a";
			av[n++] = host;
		}
		av[n++] = "-p";
		av[n++] = port;
	}
	av[n++] = "--";
	av[n++] = "/usr/bin/multiwatch";
	av[n++] = "-f";
	av[n++] = workers;
	/*
	 * Replace a worker however often it dies: multiwatch's default gives a
	 * slot up after three quick deaths (and exits once every slot is
	 * given up). It says "Child[N] died, respawn" or "Spawning child[N]
	 * failed, next try" on its stderr, which is ours: the journal, or the
	 * stack's workers.log. A worker that cannot start waits a second before
	 * it exits, so a slot never spins.
	 */
	av[n++] = "-r";
	av[n++] = POOL_RETRIES;
	/*
	 * The graceful stop it sends the workers on TERM (Debian's build sends
	 * QUIT for the first TERM, then TERM): each finishes its request.
	 */
	av[n++] = "-s";
	av[n++] = "TERM";
	av[n++] = "--";
	av[n++] = worker;
	av[n] = NULL;
	/* The workers read the file this command read. */
	if (setenv("LCM_CONFIG", config_file, 1) != 0)
		return fail("setenv: %s", strerror(errno));
	fflush(NULL);
	execv("/usr/bin/spawn-fcgi", (char *const *)(uintptr_t)av);
	return fail("cannot run /usr/bin/spawn-fcgi: %s", strerror(errno));
}

/* help: the usage, on stdout. */
static int
cmd_help(enum admin_cmd c, int argc, char **argv)
{
	(void)c;
	(void)argc;
	(void)argv;
	fputs(usage_text, stdout);
	return 0;
}

/* Each command of admin_cmds. */
static int (*const run[ADMIN_CMD__MAX])(enum admin_cmd, int, char **) = {
	[ADMIN_CMD_MIGRATE] = cmd_migrate,
	[ADMIN_CMD_CHECK] = cmd_check,
	[ADMIN_CMD_USER_ADD] = cmd_user,
	[ADMIN_CMD_USER_ROLES] = cmd_user,
	[ADMIN_CMD_USER_ACTIVATE] = cmd_user,
	[ADMIN_CMD_USER_DEACTIVATE] = cmd_user,
	[ADMIN_CMD_USER_LIST] = cmd_user,
	[ADMIN_CMD_ROLE_ADD] = cmd_role,
	[ADMIN_CMD_ROLE_LIST] = cmd_role,
	[ADMIN_CMD_TOKEN_ISSUE] = cmd_token,
	[ADMIN_CMD_TOKEN_LIST] = cmd_token,
	[ADMIN_CMD_TOKEN_REVOKE] = cmd_token,
	[ADMIN_CMD_IMPORT_PROVIDERS] = cmd_import,
	[ADMIN_CMD_IMPORT_PATIENTS] = cmd_import,
	[ADMIN_CMD_IMPORT_USERS] = cmd_import,
	[ADMIN_CMD_IMPORT_MIF] = cmd_import,
	[ADMIN_CMD_RELEASE_ENDED] = cmd_release_ended,
	[ADMIN_CMD_POOL] = cmd_pool,
	[ADMIN_CMD_HELP] = cmd_help,
};

/* A command word whose second word is missing or wrong: its second words. */
static int
usage_sub(const char *word)
{
	char why[256];
	size_t o, n = 0;
	int c;

	o = (size_t)snprintf(why, sizeof(why), "%s takes", word);
	for (c = 0; c < ADMIN_CMD__MAX && o < sizeof(why); c++)
		if (admin_cmds[c].sub != NULL && strcmp(admin_cmds[c].word, word) == 0)
			o += (size_t)snprintf(why + o, sizeof(why) - o, "%s %s", n++ ? "," : "",
			    admin_cmds[c].sub);
	return usage(why);
}

int
main(int argc, char **argv)
{
	char err[CONFIG_VALUE_MAX + 256];
	const char *explicit_path = NULL;
	int rc, cmd;

	argv++;
	argc--;
	if (argc >= 2 && strcmp(argv[0], "--config") == 0) {
		explicit_path = argv[1];
		argv += 2;
		argc -= 2;
	}
	if (argc < 1)
		return usage(NULL);
	if (strcmp(argv[0], "--help") == 0)
		return cmd_help(ADMIN_CMD_HELP, argc, argv);
	if ((cmd = admin_cmd_find(argc, argv)) == -1)
		return usage("unknown command");
	if (cmd < 0)
		return usage_sub(argv[0]);
	if (cmd == ADMIN_CMD_HELP)
		return cmd_help(ADMIN_CMD_HELP, argc, argv);  /* needs no configuration */
	config_file = config_path(explicit_path);
	if (config_load(&cfg, config_file, err, sizeof(err)) != 0)
		return fail("%s", err);
	if (today_zone_set(cfg.clinic_time_zone) != 0)
		return fail("clinic_time_zone %s: no such zone on this machine", cfg.clinic_time_zone);
	log_set_level(LV_ERR);
	if (mysql_library_init(0, NULL, NULL) != 0)
		return fail("cannot initialise the MariaDB client library");
	rc = run[cmd]((enum admin_cmd)cmd, argc, argv);
	mysql_library_end();
	return rc;
}
