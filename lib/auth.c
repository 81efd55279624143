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
	struct db_col c[2] = {{.type = DB_INT}, {.type = DB_INT}};
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
	rc = db_row(db, STMT_AUTH_TOKEN, &p, 1, c, 2);
	if (rc == APP_ENOTFOUND)
		return APP_EAUTH;
	if (rc != APP_OK)
		return rc;
	*user_id = c[0].i;
	*is_admin = c[1].i != 0;
	return APP_OK;
}
