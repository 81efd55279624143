#include <string.h>
#include <time.h>

#include "auth.h"
#include "db.h"
#include "sha256.h"

void
auth_cache_init(struct auth_cache *c, unsigned ttl_ms)
{
	memset(c, 0, sizeof(*c));
	c->ttl_ms = ttl_ms;
}

int
auth_cache_get(const struct auth_cache *c, const unsigned char sha[32], int64_t now,
    int64_t *user_id, int *is_admin)
{
	const struct auth_slot *s;

	for (s = c->slot; s < c->slot + AUTH_CACHE_SLOTS; s++)
		if (s->user_id != 0 && now < s->until && memcmp(s->sha, sha, 32) == 0) {
			*user_id = s->user_id;
			*is_admin = s->is_admin;
			return 1;
		}
	return 0;
}

void
auth_cache_put(struct auth_cache *c, const unsigned char sha[32], int64_t now,
    int64_t expires_in, int64_t user_id, int is_admin)
{
	struct auth_slot *s, *victim = NULL;
	int64_t until = now + c->ttl_ms;

	if (expires_in >= 0 && now + expires_in < until)
		until = now + expires_in;
	if (until <= now || user_id == 0)
		return;
	/* The token's own slot, else an empty one, else the one that expires first. */
	for (s = c->slot; s < c->slot + AUTH_CACHE_SLOTS; s++)
		if (s->user_id != 0 && memcmp(s->sha, sha, 32) == 0) {
			victim = s;
			break;
		}
	for (s = c->slot; victim == NULL && s < c->slot + AUTH_CACHE_SLOTS; s++)
		if (s->user_id == 0)
			victim = s;
	if (victim == NULL)
		for (victim = s = c->slot; s < c->slot + AUTH_CACHE_SLOTS; s++)
			if (s->until < victim->until)
				victim = s;
	memcpy(victim->sha, sha, 32);
	victim->user_id = user_id;
	victim->is_admin = is_admin;
	victim->until = until;
}

int64_t
auth_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

enum app_err
auth_user(struct db *db, struct auth_cache *cache, const char *token, int64_t *user_id,
    int *is_admin)
{
	unsigned char hash[32];
	struct db_param p;
	size_t len;
	int64_t now = 0;
	enum app_err rc;

	*user_id = 0;
	*is_admin = 0;
	if (token == NULL || (len = strlen(token)) == 0 || len > AUTH_TOKEN_MAX)
		return APP_EAUTH;
	if ((rc = sha256(token, len, hash)) != APP_OK)
		return rc;
	if (cache != NULL && cache->ttl_ms > 0) {
		now = auth_now_ms();
		if (auth_cache_get(cache, hash, now, user_id, is_admin))
			return APP_OK;
	}
	p = DB_P_STR((const char *)hash, sizeof(hash));
	rc = db_row(db, STMT_AUTH_TOKEN, &p, 1);
	if (rc == APP_ENOROW)
		return APP_EAUTH;
	if (rc != APP_OK)
		return rc;
	*user_id = db_int(db, STMT_AUTH_TOKEN, AUTH_USER_ID);
	*is_admin = db_int(db, STMT_AUTH_TOKEN, AUTH_IS_ADMIN) != 0;
	if (cache != NULL && cache->ttl_ms > 0)
		auth_cache_put(cache, hash, now,
		    db_null(db, STMT_AUTH_TOKEN, AUTH_EXPIRES_IN) ? -1 :
		    db_int(db, STMT_AUTH_TOKEN, AUTH_EXPIRES_IN), *user_id, *is_admin);
	/*
	 * A token's last use is kept to the minute: one write a minute per
	 * token, not one per request (the cache's lifetime is shorter than
	 * that, so a token in use is looked up, and noted, at least once a
	 * minute). Failing to note it fails nothing.
	 */
	if (db_int(db, STMT_AUTH_TOKEN, AUTH_STALE)) {
		p = DB_P_INT(db_int(db, STMT_AUTH_TOKEN, AUTH_TOKEN_ID));
		(void)db_exec(db, STMT_TOKEN_TOUCH, &p, 1);
	}
	return APP_OK;
}
