#ifndef LCM_AUTH_H
#define LCM_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include "app.h"

struct db;

#define AUTH_TOKEN_MAX 512

/* SHA-256 of len bytes of data into out. Returns APP_OK or APP_EINTERNAL. */
enum app_err auth_sha256(const void *data, size_t len, unsigned char out[32]);

/*
 * Authenticate an X-User-Token: the token's SHA-256 must name an
 * unrevoked, unexpired API token of an active user; its last use is noted
 * (to the minute). On APP_OK *user_id is set and *is_admin tells whether the user
 * holds the admin role. APP_EAUTH for a missing, oversized, unknown or
 * deactivated token; a database error otherwise. The raw token never
 * leaves the process.
 */
enum app_err auth_user(struct db *, const char *token, int64_t *user_id, int *is_admin);

#endif
