/*
 * Unit tests for lib/admin/admin.c's checks and token making (no database).
 */
#include <string.h>

#include <criterion/criterion.h>

#include "admin.h"

Test(admin, emails)
{
	cr_expect(admin_valid_email("ada@clinic.example"));
	cr_expect(admin_valid_email("a@b"));
	cr_expect(admin_valid_email("j\xc3\xa9r\xc3\xb4me@clinic.example"));
}

Test(admin, bad_emails)
{
	static const char *const bad[] = {
		"", "ada", "@clinic", "ada@", "a@b@c", "ada @clinic.example", "ada@clinic\texample",
		"ada@clinic\nexample", "\xff@clinic", NULL,
	};
	size_t i;

	for (i = 0; bad[i] != NULL; i++)
		cr_expect(!admin_valid_email(bad[i]), "%s", bad[i]);
	cr_expect(!admin_valid_email(NULL));
}

Test(admin, email_length_limit)
{
	char s[300];

	memset(s, 'a', sizeof(s));
	memcpy(s + 250, "@b.cd", 6);  /* 255 bytes */
	cr_expect(!admin_valid_email(s));
	memcpy(s + 249, "@b.cd", 6);  /* 254 */
	cr_expect(admin_valid_email(s));
}

Test(admin, roles)
{
	cr_expect(admin_valid_role("admin"));
	cr_expect(admin_valid_role("ecm"));
	cr_expect(admin_valid_role("care-coordinator_2"));
	cr_expect(!admin_valid_role(""));
	cr_expect(!admin_valid_role("Admin"));
	cr_expect(!admin_valid_role("a,b"));
	cr_expect(!admin_valid_role("a b"));
	cr_expect(!admin_valid_role("0123456789012345678901234567890123456789x"));
	cr_expect(admin_valid_role("0123456789012345678901234567890123456789"));
}

Test(admin, names_and_labels)
{
	char s[700];
	size_t i;

	cr_expect(admin_valid_name("Ada Admin"));
	cr_expect(admin_valid_name("Zo\xc3\xab O'Brien-Sm\xc3\xadth"));
	cr_expect(!admin_valid_name(""));
	cr_expect(!admin_valid_name(" leading space"));
	cr_expect(!admin_valid_name("tab\there"));
	cr_expect(!admin_valid_name("\xc3"));
	for (i = 0; i < 200; i++)
		memcpy(s + 2 * i, "\xc3\xa9", 2);  /* 200 characters, 400 bytes */
	s[400] = '\0';
	cr_expect(admin_valid_name(s));
	memcpy(s + 400, "x", 2);
	cr_expect(!admin_valid_name(s));
	cr_expect(admin_valid_label(""));
	cr_expect(admin_valid_label("ada laptop 2027"));
	cr_expect(!admin_valid_label("new\nline"));
}

Test(admin, tokens_are_long_random_and_url_safe)
{
	char a[ADMIN_TOKEN_LEN + 1], b[ADMIN_TOKEN_LEN + 1];

	cr_assert_eq(admin_token_new(a), 0);
	cr_assert_eq(admin_token_new(b), 0);
	cr_expect_eq(strlen(a), ADMIN_TOKEN_LEN);
	cr_expect_eq(strncmp(a, "lcm_", 4), 0);
	cr_expect_eq(strspn(a + 4, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
	    ADMIN_TOKEN_LEN - 4);
	cr_expect_str_neq(a, b);
	/* 43 characters of 6 bits carry the 256 bits. */
	cr_expect_geq((ADMIN_TOKEN_LEN - 4) * 6, ADMIN_TOKEN_BYTES * 8);
}
