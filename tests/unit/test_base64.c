/*
 * Unit tests for lib/base/base64.c: RFC 4648's vectors, padding given or
 * left out, and what is not base64.
 */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "base64.h"

static long
decode(const char *s, char *out)
{
	unsigned char buf[256];
	long n;

	cr_assert_lt(b64_decoded_max(strlen(s)), sizeof(buf));
	n = b64_decode(s, strlen(s), buf);
	if (n >= 0) {
		cr_assert_leq((size_t)n, b64_decoded_max(strlen(s)));
		memcpy(out, buf, (size_t)n);
		out[n] = '\0';
	}
	return n;
}

Test(base64, rfc4648_vectors)
{
	static const char *const v[][2] = {
		{"", ""}, {"Zg==", "f"}, {"Zm8=", "fo"}, {"Zm9v", "foo"}, {"Zm9vYg==", "foob"},
		{"Zm9vYmE=", "fooba"}, {"Zm9vYmFy", "foobar"},
	};
	char out[64];
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		cr_expect_eq(decode(v[i][0], out), (long)strlen(v[i][1]), "%s", v[i][0]);
		cr_expect_str_eq(out, v[i][1], "%s", v[i][0]);
	}
}

Test(base64, padding_may_be_left_out)
{
	char out[64];

	cr_expect_eq(decode("Zg", out), 1);
	cr_expect_str_eq(out, "f");
	cr_expect_eq(decode("Zm8", out), 2);
	cr_expect_str_eq(out, "fo");
}

Test(base64, all_of_the_alphabet_and_binary)
{
	unsigned char out[8];

	cr_assert_eq(b64_decode("+/8A", 4, out), 3);
	cr_expect_eq(out[0], 0xfb);
	cr_expect_eq(out[1], 0xff);
	cr_expect_eq(out[2], 0x00);
}

Test(base64, bad_input_is_refused)
{
	static const char *const bad[] = {
		"Z", "Zm9vY", "Z===", "Zg=", "Zg=a", "Zm 9v", "Zm9v\n", "Zm9-", "Zm9_", "====",
		"Zg==Zg==", "=Zg=", "Zm9v=", "Z*9v",
	};
	char out[64];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_expect_eq(decode(bad[i], out), -1, "%s should be refused", bad[i]);
}
