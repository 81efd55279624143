#include <openssl/evp.h>

#include "sha256.h"

enum app_err
sha256_parts(const struct sha256_part *parts, size_t n, unsigned char out[SHA256_LEN])
{
	EVP_MD_CTX *ctx;
	unsigned int got = 0;
	size_t i;
	int ok;

	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return APP_ENOMEM;
	ok = EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1;
	for (i = 0; ok && i < n; i++)
		ok = parts[i].len == 0 || EVP_DigestUpdate(ctx, parts[i].data, parts[i].len) == 1;
	ok = ok && EVP_DigestFinal_ex(ctx, out, &got) == 1 && got == SHA256_LEN;
	EVP_MD_CTX_free(ctx);
	return ok ? APP_OK : APP_EINTERNAL;
}

enum app_err
sha256(const void *data, size_t len, unsigned char out[SHA256_LEN])
{
	struct sha256_part p = {data, len};

	return sha256_parts(&p, 1, out);
}
