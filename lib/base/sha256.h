#ifndef LCM_SHA256_H
#define LCM_SHA256_H

#include <stddef.h>

#include "app.h"

#define SHA256_LEN 32  /* bytes of a digest */

/* One piece of what is hashed: len bytes at data. */
struct sha256_part {
	const void *data;
	size_t len;
};

/*
 * SHA-256 of the n parts one after another, as if they were one text,
 * into out (SHA256_LEN bytes, binary). APP_OK, APP_ENOMEM or
 * APP_EINTERNAL (libcrypto refused).
 */
enum app_err sha256_parts(const struct sha256_part *parts, size_t n, unsigned char out[SHA256_LEN]);

/* SHA-256 of len bytes of data into out; as sha256_parts(). */
enum app_err sha256(const void *data, size_t len, unsigned char out[SHA256_LEN]);

#endif
