#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "db.h"
#include "today.h"

#define CONFIG_FILE_MAX (64 * 1024)

enum kind { K_STR, K_HOSTS, K_PORT, K_LEVEL, K_WORKERS, K_MODE, K_SECONDS, K_ZONE };

/* The keys a file may set, and where each goes. */
static const struct key {
	const char *name;
	const char *env;     /* the environment variable overriding it, or NULL */
	enum kind kind;
	size_t off;
} keys[] = {
	{"db_socket", "LCM_DB_SOCKET", K_STR, offsetof(struct config, db_socket)},
	{"db_host", "LCM_DB_HOST", K_HOSTS, offsetof(struct config, db_host)},
	{"db_port", "LCM_DB_PORT", K_PORT, offsetof(struct config, db_port)},
	{"db_name", "LCM_DB_NAME", K_STR, offsetof(struct config, db_name)},
	{"db_user", "LCM_DB_USER", K_STR, offsetof(struct config, db_user)},
	{"db_password_file", "LCM_DB_PASSWORD_FILE", K_STR, offsetof(struct config, db_password_file)},
	{"migrate_user", NULL, K_STR, offsetof(struct config, migrate_user)},
	{"migrate_password_file", NULL, K_STR, offsetof(struct config, migrate_password_file)},
	{"log_level", "LCM_LOG_LEVEL", K_LEVEL, offsetof(struct config, log_level)},
	{"log_file", "LCM_LOG_FILE", K_STR, offsetof(struct config, log_file)},
	{"schema_dir", NULL, K_STR, offsetof(struct config, schema_dir)},
	{"listen", NULL, K_STR, offsetof(struct config, listen)},
	{"socket_mode", NULL, K_MODE, offsetof(struct config, socket_mode)},
	{"workers", NULL, K_WORKERS, offsetof(struct config, workers)},
	{"auth_cache_seconds", "LCM_AUTH_CACHE_SECONDS", K_SECONDS,
	    offsetof(struct config, auth_cache_seconds)},
	{"clinic_time_zone", "LCM_CLINIC_TIME_ZONE", K_ZONE, offsetof(struct config, clinic_time_zone)},
};

#define NKEYS (sizeof(keys) / sizeof(keys[0]))

const char *
config_key(size_t i, const char **env)
{
	if (i >= NKEYS)
		return NULL;
	*env = keys[i].env;
	return keys[i].name;
}

int
config_log_level(const char *name)
{
	return log_level_parse(name);
}

void
config_defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->db_name, sizeof(c->db_name), "lcm");
	snprintf(c->db_user, sizeof(c->db_user), "lcm_app");
	c->log_level = LV_INFO;
	snprintf(c->listen, sizeof(c->listen), "/run/lcm/fcgi.sock");
	c->workers = 4;
	c->socket_mode = 0660;
	c->auth_cache_seconds = CONFIG_AUTH_CACHE_DEFAULT;
	snprintf(c->clinic_time_zone, sizeof(c->clinic_time_zone), "UTC");
}

/* Decimal digits only, in lo..hi. */
static int
number(const char *s, unsigned long lo, unsigned long hi, unsigned long *out)
{
	unsigned long v = 0;

	if (*s == '\0' || strlen(s) > 9)
		return 0;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return 0;
		v = v * 10 + (unsigned long)(*s - '0');
	}
	if (v < lo || v > hi)
		return 0;
	*out = v;
	return 1;
}

/* Store value under key k. Returns NULL or what is wrong with it. */
static const char *
set(struct config *c, const struct key *k, const char *value)
{
	char *field = (char *)c + k->off;
	struct db_node nodes[DB_MAX_NODES];
	unsigned long n;
	int lv;

	switch (k->kind) {
	case K_STR:
		if (strlen(value) >= CONFIG_VALUE_MAX)
			return "is too long (at most 511 bytes)";
		memcpy(field, value, strlen(value) + 1);
		return NULL;
	case K_HOSTS:
		if (strlen(value) >= CONFIG_VALUE_MAX)
			return "is too long (at most 511 bytes)";
		if (value[0] != '\0' && db_nodes_parse(value, 3306, nodes) < 0)
			return "must be host[:port], or several separated by commas (at most "
			    CONFIG_STR(DB_MAX_NODES) ")";
		memcpy(field, value, strlen(value) + 1);
		return NULL;
	case K_PORT:
		if (!number(value, 1, 65535, &n))
			return "must be a port number, 1 to 65535";
		*(unsigned *)(void *)field = (unsigned)n;
		return NULL;
	case K_WORKERS:
		if (!number(value, 1, CONFIG_WORKERS_MAX, &n))
			return "must be a number of workers, 1 to " CONFIG_STR(CONFIG_WORKERS_MAX);
		*(unsigned *)(void *)field = (unsigned)n;
		return NULL;
	case K_SECONDS:
		if (!number(value, 0, CONFIG_AUTH_CACHE_MAX, &n))
			return "must be a number of seconds, 0 to " CONFIG_STR(CONFIG_AUTH_CACHE_MAX);
		*(unsigned *)(void *)field = (unsigned)n;
		return NULL;
	case K_MODE:
		/* Octal, read and write for the owner at least, nothing for others. */
		if (strlen(value) < 3 || strlen(value) > 4 || strspn(value, "01234567") != strlen(value))
			return "must be an octal mode such as 0660";
		n = strtoul(value, NULL, 8);
		if ((n & 0600) != 0600 || (n & 0007) != 0)
			return "must give the owner read and write and others nothing (0600 or 0660)";
		*(unsigned *)(void *)field = (unsigned)n;
		return NULL;
	case K_ZONE:
		if (!today_zone_ok(value))
			return "must be a time zone this machine has, such as America/Los_Angeles, or UTC";
		memcpy(field, value, strlen(value) + 1);
		return NULL;
	case K_LEVEL:
		if ((lv = config_log_level(value)) < 0)
			return "must be error, warn, info or debug";
		*(enum log_level *)(void *)field = (enum log_level)lv;
		return NULL;
	}
	return "unknown kind";
}

static const struct key *
find_key(const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (strlen(keys[i].name) == n && memcmp(keys[i].name, name, n) == 0)
			return &keys[i];
	return NULL;
}

static int
is_blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r';
}

int
config_parse(struct config *c, const char *text, const char *name, char *err, size_t errsz)
{
	char seen[NKEYS] = {0}, value[CONFIG_VALUE_MAX + 1];
	const char *line = text, *end, *eq, *ks, *ke, *vs, *ve, *why;
	const struct key *k;
	unsigned lineno = 0;

	for (; *line != '\0'; line = *end == '\n' ? end + 1 : end) {
		lineno++;
		end = strchr(line, '\n');
		if (end == NULL)
			end = line + strlen(line);
		for (ks = line; ks < end && is_blank(*ks); ks++)
			;
		if (ks == end || *ks == '#')
			continue;
		if ((eq = memchr(ks, '=', (size_t)(end - ks))) == NULL) {
			snprintf(err, errsz, "%s:%u: expected \"key = value\"", name, lineno);
			return -1;
		}
		for (ke = eq; ke > ks && is_blank(ke[-1]); ke--)
			;
		for (vs = eq + 1; vs < end && is_blank(*vs); vs++)
			;
		for (ve = end; ve > vs && is_blank(ve[-1]); ve--)
			;
		if ((k = find_key(ks, (size_t)(ke - ks))) == NULL) {
			snprintf(err, errsz, "%s:%u: unknown key '%.*s'", name, lineno,
			    (int)(ke - ks > 64 ? 64 : ke - ks), ks);
			return -1;
		}
		if (seen[k - keys]++) {
			snprintf(err, errsz, "%s:%u: %s is set twice", name, lineno, k->name);
			return -1;
		}
		if ((size_t)(ve - vs) >= CONFIG_VALUE_MAX) {
			snprintf(err, errsz, "%s:%u: %s is too long (at most %d bytes)", name, lineno,
			    k->name, CONFIG_VALUE_MAX - 1);
			return -1;
		}
		memcpy(value, vs, (size_t)(ve - vs));
		value[ve - vs] = '\0';
		if (memchr(vs, '\0', (size_t)(ve - vs)) != NULL || (why = set(c, k, value)) != NULL) {
			snprintf(err, errsz, "%s:%u: %s %s", name, lineno, k->name,
			    why ? why : "holds a NUL byte");
			return -1;
		}
	}
	return 0;
}

const char *
config_path(const char *explicit_path)
{
	const char *v;

	if (explicit_path != NULL)
		return explicit_path;
	if ((v = getenv("LCM_CONFIG")) != NULL && *v != '\0')
		return v;
	return CONFIG_DEFAULT_PATH;
}

int
config_apply_env(struct config *c, char *err, size_t errsz)
{
	const char *v, *why;
	size_t i;

	for (i = 0; i < NKEYS; i++) {
		if (keys[i].env == NULL || (v = getenv(keys[i].env)) == NULL || *v == '\0')
			continue;
		if ((why = set(c, &keys[i], v)) != NULL) {
			snprintf(err, errsz, "%s: %s", keys[i].env, why);
			return -1;
		}
	}
	return 0;
}

int
config_load(struct config *c, const char *path, char *err, size_t errsz)
{
	FILE *f = NULL;
	char *text = NULL;
	size_t n;
	int rc = -1;

	config_defaults(c);
	if (strlen(path) >= sizeof(c->path)) {
		snprintf(err, errsz, "configuration path too long");
		return -1;
	}
	memcpy(c->path, path, strlen(path) + 1);
	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errsz, "cannot read configuration %s: %s", path, strerror(errno));
		return -1;
	}
	if ((text = malloc(CONFIG_FILE_MAX + 1)) == NULL) {
		snprintf(err, errsz, "out of memory");
		goto out;
	}
	n = fread(text, 1, CONFIG_FILE_MAX + 1, f);
	if (ferror(f)) {
		snprintf(err, errsz, "cannot read configuration %s: %s", path, strerror(errno));
		goto out;
	}
	if (n > CONFIG_FILE_MAX) {
		snprintf(err, errsz, "%s: larger than 64 KiB", path);
		goto out;
	}
	text[n] = '\0';
	if (strlen(text) != n) {
		snprintf(err, errsz, "%s: holds a NUL byte", path);
		goto out;
	}
	if (config_parse(c, text, path, err, errsz) != 0 || config_apply_env(c, err, errsz) != 0)
		goto out;
	rc = 0;
out:
	free(text);
	fclose(f);
	return rc;
}

int
config_read_secret(const char *file, char *buf, size_t bufsz, char *err, size_t errsz)
{
	FILE *f;
	size_t n;

	buf[0] = '\0';
	if (file == NULL || *file == '\0')
		return 0;
	if ((f = fopen(file, "r")) == NULL) {
		snprintf(err, errsz, "cannot read password file %s: %s", file, strerror(errno));
		return -1;
	}
	if (fgets(buf, (int)bufsz, f) == NULL) {
		if (ferror(f)) {
			snprintf(err, errsz, "cannot read password file %s: %s", file, strerror(errno));
			fclose(f);
			return -1;
		}
		buf[0] = '\0';
	}
	fclose(f);
	n = strcspn(buf, "\r\n");
	if (buf[n] == '\0' && strlen(buf) == bufsz - 1) {
		snprintf(err, errsz, "password file %s: first line too long", file);
		buf[0] = '\0';
		return -1;
	}
	buf[n] = '\0';
	if (n == 0) {
		snprintf(err, errsz, "password file %s is empty", file);
		return -1;
	}
	return 0;
}

/* The directory the running program lives in. */
static int
program_dir(char *out, size_t sz)
{
	char path[PATH_MAX];
	ssize_t n;

	if ((n = readlink("/proc/self/exe", path, sizeof(path) - 1)) <= 0)
		return -1;
	path[n] = '\0';
	snprintf(out, sz, "%s", dirname(path));
	return 0;
}

int
config_beside_program(const char *installed, const char *build, char *out, size_t sz)
{
	char dir[PATH_MAX];

	if (program_dir(dir, sizeof(dir)) != 0)
		return -1;
	if ((size_t)snprintf(out, sz, "%s/%s", dir, installed) < sz && access(out, F_OK) == 0)
		return 0;
	if ((size_t)snprintf(out, sz, "%s/%s", dir, build) < sz && access(out, F_OK) == 0)
		return 0;
	return -1;
}

int
config_schema_dir(const struct config *cfg, char *out, size_t sz)
{
	if (cfg->schema_dir[0] != '\0') {
		snprintf(out, sz, "%s", cfg->schema_dir);
		return 0;
	}
	return config_beside_program("../share/lcm/db-schema", "../db-schema", out, sz);
}
