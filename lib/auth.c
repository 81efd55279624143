#include <string.h>

#include <openssl/evp.h>

#include "auth.h"
#include "db.h"

enum app_err
auth_sha256(const void *data, size_t len, unsigned char out[32])
{
	unsigned int n = 0;

	if (EVP_Digest(data, len, out, &n, EVP_sha256(), NULL) != 1 || n != 32)
		return APP_EINTERNAL;
	return APP_OK;
}

enum app_err
auth_user(struct db *db, const char *token, int64_t *user_id, int *is_admin)
{
	unsigned char hash[32];
	struct db_param p;
	size_t len;
	enum app_err rc;

	*user_id = 0;
	*is_admin = 0;
	if (token == NULL || (len = strlen(token)) == 0 || len > AUTH_TOKEN_MAX)
		return APP_EAUTH;
	if ((rc = auth_sha256(token, len, hash)) != APP_OK)
		return rc;
	p = DB_P_STR((const char *)hash, sizeof(hash));
	rc = db_row(db, STMT_AUTH_TOKEN, &p, 1);
	if (rc == APP_ENOROW)
		return APP_EAUTH;
	if (rc != APP_OK)
		return rc;
	*user_id = db_int(db, STMT_AUTH_TOKEN, AUTH_USER_ID);
	*is_admin = db_int(db, STMT_AUTH_TOKEN, AUTH_IS_ADMIN) != 0;
	/*
	 * A token's last use is kept to the minute: one write a minute per
	 * token, not one per request. Failing to note it fails nothing.
	 */
	if (db_int(db, STMT_AUTH_TOKEN, AUTH_STALE)) {
		p = DB_P_INT(db_int(db, STMT_AUTH_TOKEN, AUTH_TOKEN_ID));
		(void)db_exec(db, STMT_TOKEN_TOUCH, &p, 1);
	}
	return APP_OK;
}
