#define _DEFAULT_SOURCE  /* explicit_bzero */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <json.h>

#include "admin.h"
#include "auth.h"
#include "db.h"
#include "sha256.h"
#include "utf8.h"

/* ---- commands ---------------------------------------------------------- */

const struct admin_cmd_name admin_cmds[ADMIN_CMD__MAX] = {
	[ADMIN_CMD_MIGRATE] = {"migrate", NULL},
	[ADMIN_CMD_CHECK] = {"check", NULL},
	[ADMIN_CMD_USER_ADD] = {"user", "add"},
	[ADMIN_CMD_USER_ROLES] = {"user", "roles"},
	[ADMIN_CMD_USER_ACTIVATE] = {"user", "activate"},
	[ADMIN_CMD_USER_DEACTIVATE] = {"user", "deactivate"},
	[ADMIN_CMD_USER_LIST] = {"user", "list"},
	[ADMIN_CMD_ROLE_ADD] = {"role", "add"},
	[ADMIN_CMD_ROLE_LIST] = {"role", "list"},
	[ADMIN_CMD_TOKEN_ISSUE] = {"token", "issue"},
	[ADMIN_CMD_TOKEN_LIST] = {"token", "list"},
	[ADMIN_CMD_TOKEN_REVOKE] = {"token", "revoke"},
	[ADMIN_CMD_IMPORT_PROVIDERS] = {"import", "providers"},
	[ADMIN_CMD_IMPORT_PATIENTS] = {"import", "patients"},
	[ADMIN_CMD_IMPORT_USERS] = {"import", "users"},
	[ADMIN_CMD_IMPORT_MIF] = {"import", "mif"},
	[ADMIN_CMD_RELEASE_ENDED] = {"release-ended", NULL},
	[ADMIN_CMD_POOL] = {"pool", NULL},
	[ADMIN_CMD_HELP] = {"help", NULL},
};

int
admin_cmd_find(int argc, char *const argv[])
{
	int c, known = 0;

	if (argc < 1)
		return -1;
	for (c = 0; c < ADMIN_CMD__MAX; c++) {
		if (strcmp(argv[0], admin_cmds[c].word) != 0)
			continue;
		if (admin_cmds[c].sub == NULL)
			return c;
		known = 1;
		if (argc >= 2 && strcmp(argv[1], admin_cmds[c].sub) == 0)
			return c;
	}
	return known ? -2 : -1;
}

/* ---- checks ------------------------------------------------------------ */

/* UTF-8 text of at most max characters and no control characters. */
static int
text_ok(const char *s, size_t max)
{
	size_t n = strlen(s), i;

	if (!utf8_valid(s, n) || utf8_chars(s, n) > max)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

int
admin_valid_name(const char *s)
{
	return s != NULL && *s != '\0' && *s != ' ' && text_ok(s, ADMIN_NAME_MAX);
}

int
admin_valid_label(const char *s)
{
	return s != NULL && text_ok(s, ADMIN_LABEL_MAX);
}

int
admin_valid_email(const char *s)
{
	const char *at;
	size_t n, i;

	if (s == NULL || (n = strlen(s)) < 3 || n > ADMIN_EMAIL_MAX || !utf8_valid(s, n))
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || s[i] == 0x7f)
			return 0;
	at = strchr(s, '@');
	return at != NULL && at != s && at[1] != '\0' && strchr(at + 1, '@') == NULL;
}

int
admin_valid_role(const char *s)
{
	size_t n;

	if (s == NULL || (n = strlen(s)) == 0 || n > ADMIN_ROLE_MAX)
		return 0;
	return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

int
admin_token_new(char out[ADMIN_TOKEN_LEN + 1])
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	unsigned char r[ADMIN_TOKEN_BYTES + 1];
	size_t got = 0, i, o = 0;
	ssize_t n;
	uint32_t v;

	while (got < ADMIN_TOKEN_BYTES) {
		if ((n = getrandom(r + got, ADMIN_TOKEN_BYTES - got, 0)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		got += (size_t)n;
	}
	r[ADMIN_TOKEN_BYTES] = 0;
	memcpy(out, "lcm_", 4);
	o = 4;
	/* 32 bytes: ten groups of 3 into 4 characters, then 2 bytes into 3. */
	for (i = 0; i + 3 <= ADMIN_TOKEN_BYTES; i += 3) {
		v = (uint32_t)r[i] << 16 | (uint32_t)r[i + 1] << 8 | r[i + 2];
		out[o++] = b64[v >> 18 & 63];
		out[o++] = b64[v >> 12 & 63];
		out[o++] = b64[v >> 6 & 63];
		out[o++] = b64[v & 63];
	}
	v = (uint32_t)r[i] << 16 | (uint32_t)r[i + 1] << 8;
	out[o++] = b64[v >> 18 & 63];
	out[o++] = b64[v >> 12 & 63];
	out[o++] = b64[v >> 6 & 63];
	out[o] = '\0';
	explicit_bzero(r, sizeof(r));
	return o == ADMIN_TOKEN_LEN ? 0 : -1;
}

/* ---- roles ------------------------------------------------------------- */

enum app_err
admin_role_list(struct db *db, void (*fn)(const char *, void *), void *arg)
{
	enum app_err rc;

	if ((rc = db_exec(db, STMT_ROLE_LIST, NULL, 0)) != APP_OK)
		return rc;
	while ((rc = db_next(db, STMT_ROLE_LIST)) == APP_OK)
		fn(db_str(db, STMT_ROLE_LIST, 0, NULL), arg);
	db_done(db, STMT_ROLE_LIST);
	return rc == APP_ENOROW ? APP_OK : rc;
}

enum app_err
admin_roles_unknown(struct db *db, const char *const *names, size_t n,
    void (*fn)(size_t i, void *), void *arg)
{
	struct json_object *a;
	struct db_param p;
	const char *s;
	enum app_err rc = APP_ENOMEM;
	int64_t pos;
	size_t i;

	if ((a = json_object_new_array_ext((int)n)) == NULL)
		return APP_ENOMEM;
	for (i = 0; i < n; i++)
		if (json_object_array_add(a, json_object_new_string(names[i])) != 0)
			goto out;
	if ((s = json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN)) == NULL)
		goto out;
	p = DB_P_CSTR(s);
	if ((rc = db_exec(db, STMT_ROLES_UNKNOWN, &p, 1)) != APP_OK)
		goto out;
	while ((rc = db_next(db, STMT_ROLES_UNKNOWN)) == APP_OK)
		if ((pos = db_int(db, STMT_ROLES_UNKNOWN, 0)) >= 1 && (size_t)pos <= n)
			fn((size_t)pos - 1, arg);
	db_done(db, STMT_ROLES_UNKNOWN);
	rc = rc == APP_ENOROW ? APP_OK : rc;
out:
	json_object_put(a);
	return rc;
}

static void
first_unknown(size_t i, void *arg)
{
	size_t *first = arg;

	if (i < *first)
		*first = i;
}

/* Each of the n roles is a role name the database knows. */
static enum app_err
roles_known(struct db *db, const char *const *roles, size_t n, char *err, size_t errsz)
{
	enum app_err rc;
	size_t i, first = n;

	for (i = 0; i < n; i++)
		if (!admin_valid_role(roles[i])) {
			snprintf(err, errsz, "'%s' is not a role name (1 to %d of a-z, 0-9, _ and -)",
			    roles[i], ADMIN_ROLE_MAX);
			return APP_EINVAL;
		}
	if (n == 0)
		return APP_OK;
	if ((rc = admin_roles_unknown(db, roles, n, first_unknown, &first)) != APP_OK)
		return rc;
	if (first < n) {
		snprintf(err, errsz, "no role '%s' (lcm-admin role list; lcm-admin role add NAME)",
		    roles[first]);
		return APP_EINVAL;
	}
	return APP_OK;
}

enum app_err
admin_role_add(struct db *db, const char *name, char *err, size_t errsz)
{
	struct db_param p = DB_P_CSTR(name);
	enum app_err rc;

	if (!admin_valid_role(name)) {
		snprintf(err, errsz, "'%s' is not a role name (1 to %d of a-z, 0-9, _ and -)", name,
		    ADMIN_ROLE_MAX);
		return APP_EINVAL;
	}
	if ((rc = db_exec(db, STMT_ROLE_INSERT, &p, 1)) == APP_EDUP) {
		snprintf(err, errsz, "role '%s' exists already", name);
		return APP_EINVAL;
	}
	return rc;
}

/* ---- users ------------------------------------------------------------- */

/* The user exists: APP_OK, or APP_EINVAL with err set. */
static enum app_err
user_exists(struct db *db, int64_t id, char *err, size_t errsz)
{
	struct db_param p = DB_P_INT(id);
	enum app_err rc;

	if ((rc = db_row(db, STMT_USER_GET, &p, 1)) == APP_ENOROW) {
		snprintf(err, errsz, "no user %" PRId64, id);
		return APP_EINVAL;
	}
	return rc;
}

static enum app_err
role_change(struct db *db, enum stmt st, int64_t user, const char *role)
{
	struct db_param p[] = {DB_P_INT(user), DB_P_CSTR(role)};

	return db_exec(db, st, p, 2);
}

enum app_err
admin_user_add(struct db *db, const char *name, const char *email, const char *const *roles,
    size_t nroles, int64_t *id, char *err, size_t errsz)
{
	struct db_param p[2];
	enum app_err rc;
	size_t i;

	*id = 0;
	if (!admin_valid_name(name)) {
		snprintf(err, errsz, "the name must be 1 to %d characters of text", ADMIN_NAME_MAX);
		return APP_EINVAL;
	}
	if (!admin_valid_email(email)) {
		snprintf(err, errsz, "'%s' is not an email address", email);
		return APP_EINVAL;
	}
	if ((rc = roles_known(db, roles, nroles, err, errsz)) != APP_OK)
		return rc;
	p[0] = DB_P_CSTR(email);
	if ((rc = db_row(db, STMT_USER_BY_EMAIL, p, 1)) == APP_OK) {
		snprintf(err, errsz, "%s is the email of user %" PRId64, email,
		    db_int(db, STMT_USER_BY_EMAIL, 0));
		return APP_EINVAL;
	}
	if (rc != APP_ENOROW)
		return rc;
	if ((rc = db_begin(db)) != APP_OK)
		return rc;
	p[0] = DB_P_CSTR(name);
	p[1] = DB_P_CSTR(email);
	if ((rc = db_exec(db, STMT_USER_INSERT, p, 2)) != APP_OK)
		goto fail;
	*id = db_insert_id(db, STMT_USER_INSERT);
	for (i = 0; i < nroles; i++)
		if ((rc = role_change(db, STMT_USER_ROLE_ADD, *id, roles[i])) != APP_OK)
			goto fail;
	if ((rc = db_commit(db)) == APP_OK)
		return APP_OK;
fail:
	db_rollback(db);
	*id = 0;
	if (rc == APP_EDUP) {
		snprintf(err, errsz, "%s is the email of another user", email);
		return APP_EINVAL;
	}
	return rc;
}

enum app_err
admin_user_roles(struct db *db, int64_t id, const char *const *add, size_t nadd,
    const char *const *remove, size_t nremove, char *err, size_t errsz)
{
	enum app_err rc;
	size_t i;

	if ((rc = user_exists(db, id, err, errsz)) != APP_OK ||
	    (rc = roles_known(db, add, nadd, err, errsz)) != APP_OK ||
	    (rc = roles_known(db, remove, nremove, err, errsz)) != APP_OK)
		return rc;
	if ((rc = db_begin(db)) != APP_OK)
		return rc;
	for (i = 0; i < nremove; i++)
		if ((rc = role_change(db, STMT_USER_ROLE_REMOVE, id, remove[i])) != APP_OK)
			goto fail;
	for (i = 0; i < nadd; i++)
		if ((rc = role_change(db, STMT_USER_ROLE_ADD, id, add[i])) != APP_OK)
			goto fail;
	if ((rc = db_commit(db)) == APP_OK)
		return APP_OK;
fail:
	db_rollback(db);
	return rc;
}

enum app_err
admin_user_set_active(struct db *db, int64_t id, int active, char *err, size_t errsz)
{
	struct db_param p[] = {DB_P_INT(active != 0), DB_P_INT(id)};
	enum app_err rc;

	if ((rc = user_exists(db, id, err, errsz)) != APP_OK)
		return rc;
	return db_exec(db, STMT_USER_SET_ACTIVE, p, 2);
}

enum app_err
admin_user_list(struct db *db, void (*fn)(const struct admin_user *, void *), void *arg)
{
	struct admin_user u;
	enum app_err rc;

	if ((rc = db_exec(db, STMT_USER_LIST, NULL, 0)) != APP_OK)
		return rc;
	while ((rc = db_next(db, STMT_USER_LIST)) == APP_OK) {
		u.id = db_int(db, STMT_USER_LIST, UL_ID);
		u.name = db_str(db, STMT_USER_LIST, UL_NAME, NULL);
		u.email = db_str(db, STMT_USER_LIST, UL_EMAIL, NULL);
		u.active = db_int(db, STMT_USER_LIST, UL_ACTIVE) != 0;
		u.roles = db_str(db, STMT_USER_LIST, UL_ROLES, NULL);
		fn(&u, arg);
	}
	db_done(db, STMT_USER_LIST);
	return rc == APP_ENOROW ? APP_OK : rc;
}

/* ---- tokens ------------------------------------------------------------ */

enum app_err
admin_token_issue(struct db *db, int64_t user_id, const char *label, int expires_days,
    char token[ADMIN_TOKEN_LEN + 1], int64_t *token_id, char *err, size_t errsz)
{
	unsigned char hash[32];
	struct db_param p[4];
	enum app_err rc;

	token[0] = '\0';
	*token_id = 0;
	if (!admin_valid_label(label)) {
		snprintf(err, errsz, "the label must be at most %d characters of text", ADMIN_LABEL_MAX);
		return APP_EINVAL;
	}
	if (expires_days < 0 || expires_days > ADMIN_EXPIRES_MAX) {
		snprintf(err, errsz, "--expires-days must be 1 to %d", ADMIN_EXPIRES_MAX);
		return APP_EINVAL;
	}
	if ((rc = user_exists(db, user_id, err, errsz)) != APP_OK)
		return rc;
	if (admin_token_new(token) != 0) {
		snprintf(err, errsz, "the kernel gave no random bytes: %s", strerror(errno));
		return APP_EINTERNAL;
	}
	if ((rc = sha256(token, strlen(token), hash)) != APP_OK)
		goto fail;
	p[0] = DB_P_INT(user_id);
	p[1] = DB_P_STR((const char *)hash, sizeof(hash));
	p[2] = DB_P_CSTR(label);
	p[3] = expires_days > 0 ? DB_P_INT(expires_days) : DB_P_NULL;
	if ((rc = db_exec(db, STMT_TOKEN_INSERT, p, 4)) != APP_OK)
		goto fail;
	*token_id = db_insert_id(db, STMT_TOKEN_INSERT);
	return APP_OK;
fail:
	explicit_bzero(token, ADMIN_TOKEN_LEN + 1);
	return rc;
}

enum app_err
admin_token_list(struct db *db, int64_t user_id, void (*fn)(const struct admin_token *, void *),
    void *arg, char *err, size_t errsz)
{
	struct db_param p = DB_P_INT(user_id);
	struct admin_token t;
	enum app_err rc;

	if ((rc = user_exists(db, user_id, err, errsz)) != APP_OK)
		return rc;
	if ((rc = db_exec(db, STMT_TOKEN_LIST, &p, 1)) != APP_OK)
		return rc;
	while ((rc = db_next(db, STMT_TOKEN_LIST)) == APP_OK) {
		t.id = db_int(db, STMT_TOKEN_LIST, TL_ID);
		t.label = db_str(db, STMT_TOKEN_LIST, TL_LABEL, NULL);
		t.created_at = db_str(db, STMT_TOKEN_LIST, TL_CREATED, NULL);
		t.last_used_at = db_str(db, STMT_TOKEN_LIST, TL_LAST_USED, NULL);
		t.expires_at = db_str(db, STMT_TOKEN_LIST, TL_EXPIRES, NULL);
		t.state = !db_null(db, STMT_TOKEN_LIST, TL_REVOKED) ? "revoked" :
		    db_int(db, STMT_TOKEN_LIST, TL_EXPIRED) ? "expired" : "active";
		fn(&t, arg);
	}
	db_done(db, STMT_TOKEN_LIST);
	return rc == APP_ENOROW ? APP_OK : rc;
}

enum app_err
admin_token_revoke(struct db *db, int64_t token_id, int *was_revoked, char *err, size_t errsz)
{
	struct db_param p = DB_P_INT(token_id);
	enum app_err rc;

	*was_revoked = 0;
	if ((rc = db_row(db, STMT_TOKEN_GET, &p, 1)) == APP_ENOROW) {
		snprintf(err, errsz, "no token %" PRId64, token_id);
		return APP_EINVAL;
	}
	if (rc != APP_OK)
		return rc;
	if (!db_null(db, STMT_TOKEN_GET, TG_REVOKED)) {
		*was_revoked = 1;
		return APP_OK;
	}
	return db_exec(db, STMT_TOKEN_REVOKE, &p, 1);
}
