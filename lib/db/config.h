#ifndef LCM_CONFIG_H
#define LCM_CONFIG_H

#include <stddef.h>

#include "log.h"

/*
 * The one configuration file of the worker and of lcm-admin:
 * /etc/lcm/lcm.conf, or the path in LCM_CONFIG, or lcm-admin --config.
 * "key = value" lines, '#' starts a comment line, blank lines are fine.
 * An unknown key, a duplicate key or a bad value is an error naming the
 * file and line. The LCM_DB_* and LCM_LOG_* environment variables
 * override the file (the local stack sets them).
 */

#define CONFIG_DEFAULT_PATH "/etc/lcm/lcm.conf"
#define CONFIG_VALUE_MAX    512   /* bytes of a value, its NUL included */
#define CONFIG_WORKERS_MAX  256
#define CONFIG_AUTH_CACHE_DEFAULT 2
#define CONFIG_AUTH_CACHE_MAX 60
#define CONFIG_STR_(x) #x
#define CONFIG_STR(x) CONFIG_STR_(x)

struct config {
	char db_socket[CONFIG_VALUE_MAX];        /* "" for the client's default */
	char db_host[CONFIG_VALUE_MAX];          /* "" for the socket */
	unsigned db_port;                        /* 0 for the default */
	char db_name[CONFIG_VALUE_MAX];          /* lcm */
	char db_user[CONFIG_VALUE_MAX];          /* lcm_app */
	char db_password_file[CONFIG_VALUE_MAX]; /* "" for no password */
	char migrate_user[CONFIG_VALUE_MAX];     /* "" for db_user */
	char migrate_password_file[CONFIG_VALUE_MAX]; /* "" for db_password_file */
	enum log_level log_level;                /* info */
	char log_file[CONFIG_VALUE_MAX];         /* "" for stderr */
	char schema_dir[CONFIG_VALUE_MAX];       /* "" for the installed one */
	char listen[CONFIG_VALUE_MAX];           /* the pool's socket path, or host:port */
	unsigned socket_mode;                    /* 0660: the pool's group (nginx's) may connect */
	unsigned workers;                        /* 4 */
	unsigned auth_cache_seconds;             /* how long a worker trusts a token it checked: 2 */
	char clinic_time_zone[CONFIG_VALUE_MAX]; /* the zone of the clinic's calendar: UTC */
	char path[CONFIG_VALUE_MAX];             /* the file this came from */
};

/* The defaults, before any file or environment. */
void config_defaults(struct config *);

/*
 * Parse the text of a configuration file (name is used in messages) over
 * the values already in cfg. Returns 0, or -1 with one line in err
 * ("NAME:LINE: what is wrong").
 */
int config_parse(struct config *, const char *text, const char *name, char *err, size_t errsz);

/*
 * The path to read: explicit when not NULL, else $LCM_CONFIG, else
 * CONFIG_DEFAULT_PATH.
 */
const char *config_path(const char *explicit_path);

/*
 * Defaults, then the file at path (a missing or unreadable file is an
 * error), then the environment. Returns 0 or -1 with err set.
 */
int config_load(struct config *, const char *path, char *err, size_t errsz);

/* Apply LCM_DB_* / LCM_LOG_* from the environment. 0 or -1 with err set. */
int config_apply_env(struct config *, char *err, size_t errsz);

/*
 * The first line of a password file into buf (NUL-terminated, no line
 * end). An empty path is no password: buf is "". Returns 0, or -1 with err
 * naming the file and the reason.
 */
int config_read_secret(const char *file, char *buf, size_t bufsz, char *err, size_t errsz);

/*
 * The i-th key a file may set, from 0 on, and in *env the environment
 * variable that overrides it (NULL for none); NULL past the last key.
 * lcm.conf(5) documents each (a unit test holds the page to this table).
 */
const char *config_key(size_t i, const char **env);

/* Log level from its name; -1 when unknown. */
int config_log_level(const char *name);

/*
 * The first of two paths, relative to the directory of the running
 * program, that exists (the installed layout, then the build tree's) into
 * out. 0, or -1 when neither does.
 */
int config_beside_program(const char *installed, const char *build, char *out, size_t sz);

/*
 * The migrations' directory: schema_dir, else the one installed beside the
 * program (../share/lcm/db-schema), else the build tree's (../db-schema).
 * 0, or -1 when there is none.
 */
int config_schema_dir(const struct config *, char *out, size_t sz);

#endif
