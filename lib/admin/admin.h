#ifndef LCM_ADMIN_H
#define LCM_ADMIN_H

#include <stddef.h>
#include <stdint.h>

#include "app.h"

struct db;

/*
 * What lcm-admin does to users, roles and API tokens. Each function checks
 * its input, does its work in one transaction where it writes more than
 * one row, and on failure leaves a sentence for the operator in err.
 * Lists call fn once per row; the row's strings live for that call.
 */

#define ADMIN_NAME_MAX   200   /* characters, as users.name */
#define ADMIN_EMAIL_MAX  254   /* bytes, as users.email */
#define ADMIN_ROLE_MAX   40    /* bytes, as roles.name */
#define ADMIN_LABEL_MAX  100   /* characters, as api_tokens.label */
#define ADMIN_EXPIRES_MAX 3650 /* days */
#define ADMIN_TOKEN_BYTES 32   /* of the kernel's randomness: 256 bits */
#define ADMIN_TOKEN_LEN  (4 + 43)  /* "lcm_" and 32 bytes in unpadded base64url */

/*
 * lcm-admin's commands, each a word or two ("check", "user add"): what
 * lcm-admin accepts, dispatched on, and what lcm-admin(8) documents (a
 * unit test holds the page to this table). The second words of "import"
 * are import_kind_parse()'s kinds, and "mif" (a health plan's Member
 * Information File, mif_import()).
 */
enum admin_cmd {
	ADMIN_CMD_MIGRATE,
	ADMIN_CMD_CHECK,
	ADMIN_CMD_USER_ADD,
	ADMIN_CMD_USER_ROLES,
	ADMIN_CMD_USER_ACTIVATE,
	ADMIN_CMD_USER_DEACTIVATE,
	ADMIN_CMD_USER_LIST,
	ADMIN_CMD_ROLE_ADD,
	ADMIN_CMD_ROLE_LIST,
	ADMIN_CMD_TOKEN_ISSUE,
	ADMIN_CMD_TOKEN_LIST,
	ADMIN_CMD_TOKEN_REVOKE,
	ADMIN_CMD_IMPORT_PROVIDERS,
	ADMIN_CMD_IMPORT_PATIENTS,
	ADMIN_CMD_IMPORT_USERS,
	ADMIN_CMD_IMPORT_MIF,
	ADMIN_CMD_RELEASE_ENDED,
	ADMIN_CMD_POOL,
	ADMIN_CMD_HELP,
	ADMIN_CMD__MAX
};

struct admin_cmd_name {
	const char *word;
	const char *sub;   /* the second word, or NULL for a command of one */
};

extern const struct admin_cmd_name admin_cmds[ADMIN_CMD__MAX];

/*
 * The command that the first words of argv name: its index in admin_cmds,
 * or -1 when argv[0] is no command's first word, or -2 when it is, but
 * argv[1] is missing or not one of its second words.
 */
int admin_cmd_find(int argc, char *const argv[]);

/* Non-zero when s is a name (1..200 characters of UTF-8 text, no control characters). */
int admin_valid_name(const char *s);

/* Non-zero when s looks like an email address: local@domain, no spaces, at most 254 bytes. */
int admin_valid_email(const char *s);

/* Non-zero when s is a role name: 1..40 of [a-z0-9_-]. */
int admin_valid_role(const char *s);

/* Non-zero when s is a token label: 0..100 characters of text, no control characters. */
int admin_valid_label(const char *s);

/* A new token: "lcm_" and 32 random bytes in base64url. 0, or -1 when randomness failed. */
int admin_token_new(char out[ADMIN_TOKEN_LEN + 1]);

/* Role names, sorted. */
enum app_err admin_role_list(struct db *, void (*fn)(const char *name, void *), void *arg);

/*
 * Which of the n names name no role, as the database compares role names
 * (roles.name's collation: "auditor" names a role spelt "Auditor"): fn is
 * called with the index of each, lowest first. APP_OK, APP_ENOMEM or a
 * database error.
 */
enum app_err admin_roles_unknown(struct db *, const char *const *names, size_t n,
    void (*fn)(size_t i, void *), void *arg);

/* A new role. APP_EINVAL for a bad name or one that exists. */
enum app_err admin_role_add(struct db *, const char *name, char *err, size_t errsz);

/*
 * A new active user holding the given roles (each must exist): its id in
 * *id. APP_EINVAL for a bad name, email or role, or an email in use.
 */
enum app_err admin_user_add(struct db *, const char *name, const char *email,
    const char *const *roles, size_t nroles, int64_t *id, char *err, size_t errsz);

/* Add and remove roles of a user, in one transaction. APP_EINVAL for an unknown user or role. */
enum app_err admin_user_roles(struct db *, int64_t id, const char *const *add, size_t nadd,
    const char *const *remove, size_t nremove, char *err, size_t errsz);

/* Activate or deactivate a user. APP_EINVAL for an unknown user. */
enum app_err admin_user_set_active(struct db *, int64_t id, int active, char *err,
    size_t errsz);

struct admin_user {
	int64_t id;
	const char *name;
	const char *email;
	int active;
	const char *roles;   /* sorted, space-separated */
};

enum app_err admin_user_list(struct db *, void (*fn)(const struct admin_user *, void *),
    void *arg);

/*
 * Issue a token to a user: the token in token (only its SHA-256 is
 * stored), its id in *token_id. expires_days 0 for a token that does not
 * expire. APP_EINVAL for an unknown user, a bad label or expiry.
 */
enum app_err admin_token_issue(struct db *, int64_t user_id, const char *label,
    int expires_days, char token[ADMIN_TOKEN_LEN + 1], int64_t *token_id, char *err,
    size_t errsz);

struct admin_token {
	int64_t id;
	const char *label;
	const char *created_at;
	const char *last_used_at;  /* "" when never */
	const char *expires_at;    /* "" when never */
	const char *state;         /* "active", "revoked" or "expired" */
};

/* A user's tokens, oldest first; never their secret. APP_EINVAL for an unknown user. */
enum app_err admin_token_list(struct db *, int64_t user_id,
    void (*fn)(const struct admin_token *, void *), void *arg, char *err, size_t errsz);

/*
 * Revoke a token: *was_revoked tells whether it already was. APP_EINVAL
 * for an unknown token.
 */
enum app_err admin_token_revoke(struct db *, int64_t token_id, int *was_revoked, char *err,
    size_t errsz);

#endif
