#include <string.h>

#include <openssl/evp.h>

#include "db.h"
#include "idem.h"
#include "log.h"

#define PURGE_EVERY 100   /* claims between two purges of expired keys, per worker */

enum app_err
idem_request_hash(const char *method, const char *path, const char *body, size_t body_len,
    unsigned char out[32])
{
	EVP_MD_CTX *ctx;
	unsigned int n = 0;
	int ok;

	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return APP_ENOMEM;
	ok = EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 &&
	    EVP_DigestUpdate(ctx, method, strlen(method) + 1) == 1 &&
	    EVP_DigestUpdate(ctx, path, strlen(path) + 1) == 1 &&
	    (body_len == 0 || EVP_DigestUpdate(ctx, body, body_len) == 1) &&
	    EVP_DigestFinal_ex(ctx, out, &n) == 1 && n == 32;
	EVP_MD_CTX_free(ctx);
	return ok ? APP_OK : APP_EINTERNAL;
}

enum app_err
idem_claim(struct db *db, int64_t user, const char *key, const unsigned char sha256[32],
    const char *request_id, enum idem_outcome *out, struct idem_replay *r)
{
	static unsigned claims;
	struct db_param p[4];
	const char *have;
	size_t len;
	enum app_err rc;
	int attempt;

	if (++claims % PURGE_EVERY == 0)
		(void)db_exec(db, STMT_IDEM_PURGE, NULL, 0);
	for (attempt = 0; attempt < 3; attempt++) {
		p[0] = DB_P_INT(user);
		p[1] = DB_P_CSTR(key);
		p[2] = DB_P_STR((const char *)sha256, 32);
		p[3] = DB_P_CSTR(request_id);
		if ((rc = db_exec(db, STMT_IDEM_CLAIM, p, 4)) == APP_OK) {
			*out = IDEM_RUN;
			return APP_OK;
		}
		if (rc != APP_EDUP)
			return rc;
		/* Someone has the key: whose request, and how far along? */
		if ((rc = db_row(db, STMT_IDEM_GET, p, 2)) == APP_ENOROW)
			continue;  /* let go in between: claim again */
		if (rc != APP_OK)
			return rc;
		/* Our own claim, whose answer a lost connection kept from us. */
		if (strcmp(db_str(db, STMT_IDEM_GET, IG_REQUEST_ID, NULL), request_id) == 0 &&
		    strcmp(db_str(db, STMT_IDEM_GET, IG_STATE, NULL), "running") == 0) {
			*out = IDEM_RUN;
			return APP_OK;
		}
		if (db_int(db, STMT_IDEM_GET, IG_STALE)) {
			struct db_param t[] = {DB_P_STR((const char *)sha256, 32), DB_P_CSTR(request_id),
			    DB_P_INT(user), DB_P_CSTR(key)};

			if ((rc = db_exec(db, STMT_IDEM_TAKEOVER, t, 4)) != APP_OK)
				return rc;
			if (db_affected(db, STMT_IDEM_TAKEOVER) == 1) {
				*out = IDEM_RUN;
				return APP_OK;
			}
			continue;  /* another request took it over first */
		}
		have = db_str(db, STMT_IDEM_GET, IG_SHA256, &len);
		if (len != 32 || memcmp(have, sha256, 32) != 0) {
			*out = IDEM_REUSED;
			return APP_OK;
		}
		if (strcmp(db_str(db, STMT_IDEM_GET, IG_STATE, NULL), "done") != 0) {
			*out = IDEM_BUSY;
			return APP_OK;
		}
		*out = IDEM_REPLAY;
		r->status = (int)db_int(db, STMT_IDEM_GET, IG_STATUS);
		r->etag = db_str(db, STMT_IDEM_GET, IG_ETAG, NULL);
		r->body = db_str(db, STMT_IDEM_GET, IG_BODY, &r->body_len);
		return APP_OK;
	}
	*out = IDEM_BUSY;
	return APP_OK;
}

enum app_err
idem_finish(struct db *db, int64_t user, const char *key, int status, const char *etag,
    const char *body, size_t body_len)
{
	enum app_err rc;

	if (status >= 500) {
		struct db_param p[] = {DB_P_INT(user), DB_P_CSTR(key)};

		rc = db_exec(db, STMT_IDEM_RELEASE, p, 2);
	} else {
		struct db_param p[] = {
			DB_P_INT(status),
			etag != NULL && *etag != '\0' ? DB_P_CSTR(etag) : DB_P_NULL,
			DB_P_STR(body ? body : "", body ? body_len : 0),
			DB_P_INT(user),
			DB_P_CSTR(key),
		};

		rc = db_exec(db, STMT_IDEM_DONE, p, 5);
	}
	if (rc != APP_OK)
		log_msg(LV_WARN, "idempotency: the response for a key was not kept: %s",
		    app_err_name(rc));
	return rc;
}
