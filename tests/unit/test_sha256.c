/*
 * Unit tests for lib/base/sha256.c against published SHA-256 test vectors
 * (FIPS 180-2 / NIST CSRC examples), whole and in parts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "sha256.h"

/* Hex of SHA-256 of len bytes of data; fails the test when hashing fails. */
static void
hex_of(const void *data, size_t len, char hex[65])
{
	unsigned char d[32];
	int i;

	cr_assert_eq(sha256(data, len, d), APP_OK);
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
}

static void
expect_digest(const char *s, const char *want)
{
	char hex[65];

	hex_of(s, strlen(s), hex);
	cr_expect_str_eq(hex, want, "SHA-256(\"%s\")", s);
}

Test(sha256, empty)
{
	expect_digest("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

Test(sha256, abc)
{
	expect_digest("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

Test(sha256, 448_bits)
{
	expect_digest("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

Test(sha256, 896_bits)
{
	expect_digest("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
	    "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
	    "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

Test(sha256, million_a)
{
	size_t n = 1000000;
	char *a = malloc(n), hex[65];

	cr_assert_not_null(a);
	memset(a, 'a', n);
	hex_of(a, n, hex);
	cr_assert_str_eq(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(a);
}

Test(sha256, quick_brown_fox)
{
	expect_digest("The quick brown fox jumps over the lazy dog",
	    "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592");
}

Test(sha256, single_nul_byte)
{
	char hex[65];

	hex_of("", 1, hex);
	cr_assert_str_eq(hex, "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
}

Test(sha256, uses_only_len_bytes)
{
	char hex[65];

	hex_of("abcdef", 3, hex);
	cr_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

Test(sha256, is_binary_32_bytes)
{
	unsigned char d[33];

	memset(d, 0xAA, sizeof(d));
	cr_assert_eq(sha256("abc", 3, d), APP_OK);
	cr_assert_eq(d[0], 0xba);
	cr_assert_eq(d[31], 0xad);
	cr_assert_eq(d[32], 0xAA, "wrote past 32 bytes");
}

Test(sha256, bad_differs_for_near_inputs)
{
	char a[65], b[65];

	hex_of("dev-admin-token", 15, a);
	hex_of("dev-admin-tokeN", 15, b);
	cr_assert_str_neq(a, b);
}

Test(sha256, parts_hash_as_their_concatenation)
{
	const struct sha256_part parts[] = {{"ab", 2}, {"", 0}, {NULL, 0}, {"c", 1}};
	unsigned char whole[SHA256_LEN], split[SHA256_LEN];

	cr_assert_eq(sha256("abc", 3, whole), APP_OK);
	cr_assert_eq(sha256_parts(parts, 4, split), APP_OK);
	cr_assert_eq(memcmp(whole, split, SHA256_LEN), 0);
}

Test(sha256, bad_where_parts_break_changes_nothing_but_their_bytes)
{
	/* "a\0b" and "ab": the NUL idem.c puts between method and path counts. */
	const struct sha256_part with_nul[] = {{"a", 2}, {"b", 1}};
	const struct sha256_part without[] = {{"a", 1}, {"b", 1}};
	unsigned char x[SHA256_LEN], y[SHA256_LEN];

	cr_assert_eq(sha256_parts(with_nul, 2, x), APP_OK);
	cr_assert_eq(sha256_parts(without, 2, y), APP_OK);
	cr_assert_neq(memcmp(x, y, SHA256_LEN), 0);
}
