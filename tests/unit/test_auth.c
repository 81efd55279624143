/*
 * Unit tests for lib/care/auth.c: the worker's cache of tokens. No database.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "auth.h"

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
