/*
 * Unit tests for lib/auth.c: auth_sha256 against published SHA-256 test
 * vectors (FIPS 180-2 / NIST CSRC examples). No database.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "auth.h"

/* Hex of SHA-256 of len bytes of data; fails the test when hashing fails. */
static void
sha256_hex(const void *data, size_t len, char hex[65])
{
	unsigned char d[32];
	int i;

	cr_assert_eq(auth_sha256(data, len, d), APP_OK);
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
}

static void
expect_digest(const char *s, const char *want)
{
	char hex[65];

	sha256_hex(s, strlen(s), hex);
	cr_expect_str_eq(hex, want, "SHA-256(\"%s\")", s);
}

Test(auth, sha256_empty)
{
	expect_digest("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

Test(auth, sha256_abc)
{
	expect_digest("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

Test(auth, sha256_448_bits)
{
	expect_digest("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

Test(auth, sha256_896_bits)
{
	expect_digest("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
	    "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
	    "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

Test(auth, sha256_million_a)
{
	size_t n = 1000000;
	char *a = malloc(n), hex[65];

	cr_assert_not_null(a);
	memset(a, 'a', n);
	sha256_hex(a, n, hex);
	cr_assert_str_eq(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(a);
}

Test(auth, sha256_quick_brown_fox)
{
	expect_digest("The quick brown fox jumps over the lazy dog",
	    "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592");
}

Test(auth, sha256_single_nul_byte)
{
	char hex[65];

	sha256_hex("", 1, hex);
	cr_assert_str_eq(hex, "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
}

Test(auth, sha256_uses_only_len_bytes)
{
	char hex[65];

	sha256_hex("abcdef", 3, hex);
	cr_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

Test(auth, sha256_is_binary_32_bytes)
{
	unsigned char d[33];

	memset(d, 0xAA, sizeof(d));
	cr_assert_eq(auth_sha256("abc", 3, d), APP_OK);
	cr_assert_eq(d[0], 0xba);
	cr_assert_eq(d[31], 0xad);
	cr_assert_eq(d[32], 0xAA, "wrote past 32 bytes");
}

Test(auth, bad_sha256_differs_for_near_inputs)
{
	char a[65], b[65];

	sha256_hex("dev-admin-token", 15, a);
	sha256_hex("dev-admin-tokeN", 15, b);
	cr_assert_str_neq(a, b);
}

/* ---- the worker's token cache ------------------------------------------ */

static void
sha_of(int n, unsigned char sha[32])
{
	memset(sha, 0, 32);
	sha[0] = (unsigned char)n;
	sha[31] = (unsigned char)(n >> 8);
}

Test(auth_cache, remembers_a_user_for_its_lifetime_only)
{
	struct auth_cache c;
	unsigned char a[32];
	int64_t user = 0;
	int admin = 0;

	auth_cache_init(&c, 2000);
	sha_of(1, a);
	cr_assert_eq(auth_cache_get(&c, a, 1000, &user, &admin), 0, "empty at first");
	auth_cache_put(&c, a, 1000, -1, 42, 1);
	cr_assert_eq(auth_cache_get(&c, a, 1000, &user, &admin), 1);
	cr_assert_eq(user, 42);
	cr_assert_eq(admin, 1);
	cr_assert_eq(auth_cache_get(&c, a, 2999, &user, &admin), 1, "still fresh 1999 ms later");
	cr_assert_eq(auth_cache_get(&c, a, 3000, &user, &admin), 0, "gone at 2000 ms");
}

Test(auth_cache, never_outlives_the_token)
{
	struct auth_cache c;
	unsigned char a[32];
	int64_t user;
	int admin;

	auth_cache_init(&c, 2000);
	sha_of(1, a);
	auth_cache_put(&c, a, 1000, 500, 42, 0);  /* the token expires in 500 ms */
	cr_assert_eq(auth_cache_get(&c, a, 1499, &user, &admin), 1);
	cr_assert_eq(auth_cache_get(&c, a, 1500, &user, &admin), 0);
	auth_cache_put(&c, a, 2000, 0, 42, 0);    /* expiring now: not kept */
	cr_assert_eq(auth_cache_get(&c, a, 2000, &user, &admin), 0);
}

Test(auth_cache, lifetime_0_keeps_nothing)
{
	struct auth_cache c;
	unsigned char a[32];
	int64_t user;
	int admin;

	auth_cache_init(&c, 0);
	sha_of(1, a);
	auth_cache_put(&c, a, 1000, -1, 42, 1);
	cr_assert_eq(auth_cache_get(&c, a, 1000, &user, &admin), 0);
}

Test(auth_cache, a_refreshed_token_keeps_one_slot_with_its_new_answer)
{
	struct auth_cache c;
	unsigned char a[32];
	int64_t user;
	int admin, i, used = 0;

	auth_cache_init(&c, 2000);
	sha_of(1, a);
	auth_cache_put(&c, a, 1000, -1, 42, 1);
	auth_cache_put(&c, a, 2500, -1, 42, 0);   /* the admin role was removed */
	cr_assert_eq(auth_cache_get(&c, a, 4000, &user, &admin), 1);
	cr_assert_eq(admin, 0);
	for (i = 0; i < AUTH_CACHE_SLOTS; i++)
		used += c.slot[i].user_id != 0;
	cr_assert_eq(used, 1);
}

Test(auth_cache, a_full_cache_gives_up_the_slot_that_expires_first)
{
	struct auth_cache c;
	unsigned char s[32];
	int64_t user;
	int admin, i;

	auth_cache_init(&c, 2000);
	for (i = 0; i < AUTH_CACHE_SLOTS; i++) {
		sha_of(i + 1, s);
		auth_cache_put(&c, s, 1000 + i, -1, 100 + i, 0);
	}
	sha_of(1000, s);
	auth_cache_put(&c, s, 1100, -1, 999, 0);
	cr_assert_eq(auth_cache_get(&c, s, 1100, &user, &admin), 1);
	cr_assert_eq(user, 999);
	sha_of(1, s);
	cr_assert_eq(auth_cache_get(&c, s, 1100, &user, &admin), 0, "the oldest went");
	for (i = 1; i < AUTH_CACHE_SLOTS; i++) {
		sha_of(i + 1, s);
		cr_assert_eq(auth_cache_get(&c, s, 1100, &user, &admin), 1, "token %d stays", i + 1);
		cr_assert_eq(user, 100 + i);
	}
}

Test(auth_cache, tokens_differing_in_one_byte_are_apart)
{
	struct auth_cache c;
	unsigned char a[32], b[32];
	int64_t user;
	int admin;

	auth_cache_init(&c, 2000);
	sha_of(1, a);
	memcpy(b, a, 32);
	b[17] ^= 1;
	auth_cache_put(&c, a, 1000, -1, 42, 1);
	cr_assert_eq(auth_cache_get(&c, b, 1000, &user, &admin), 0);
}
