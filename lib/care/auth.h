#ifndef LCM_AUTH_H
#define LCM_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include "app.h"

struct db;

#define AUTH_TOKEN_MAX 512

/*
 * A worker's memory of the tokens it authenticated lately: a token's
 * SHA-256 -> its user, for ttl_ms at most (never past the token's own
 * expiry), so that a busy worker asks the database about a token once per
 * ttl_ms instead of once per request. A revoked or expired token, a
 * deactivated user and a lost admin role therefore take effect within
 * ttl_ms. Only successes are kept: a new token works at once. ttl_ms 0
 * keeps nothing. Times are milliseconds of a monotonic clock.
 */
#define AUTH_CACHE_SLOTS 32

struct auth_cache {
	unsigned ttl_ms;
	struct auth_slot {
		unsigned char sha[32];
		int64_t user_id;          /* 0: an empty slot */
		int is_admin;
		int64_t until;            /* valid while now < until */
	} slot[AUTH_CACHE_SLOTS];
};

void auth_cache_init(struct auth_cache *, unsigned ttl_ms);

/* 1 with *user_id and *is_admin set when sha is known and fresh at now; else 0. */
int auth_cache_get(const struct auth_cache *, const unsigned char sha[32], int64_t now,
    int64_t *user_id, int *is_admin);

/*
 * Remember sha -> user until now + ttl_ms, or until expires_in ms from now
 * when that is sooner (expires_in < 0: the token never expires). A full
 * cache gives up the slot that would expire first.
 */
void auth_cache_put(struct auth_cache *, const unsigned char sha[32], int64_t now,
    int64_t expires_in, int64_t user_id, int is_admin);

/* The monotonic clock, in milliseconds. */
int64_t auth_now_ms(void);

/*
 * Authenticate an X-User-Token: the token's SHA-256 must name an
 * unrevoked, unexpired API token of an active user (as the database said
 * at most cache->ttl_ms ago, when cache is not NULL); its last use is
 * noted (to the minute). On APP_OK *user_id is set and *is_admin tells
 * whether the user holds the admin role. APP_EAUTH for a missing,
 * oversized, unknown or deactivated token; a database error otherwise.
 * The raw token never leaves the process.
 */
enum app_err auth_user(struct db *, struct auth_cache *cache, const char *token,
    int64_t *user_id, int *is_admin);

#endif
