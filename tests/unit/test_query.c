/* Unit tests for lib/http/query.c: form decoding and query string look-up. */
#include <string.h>

#include <criterion/criterion.h>

#include "query.h"

/* query_decode on a C string into a buffer of outsz bytes. */
static long
decode(const char *s, char *out, size_t outsz)
{
	return query_decode(s, strlen(s), out, outsz);
}

/* ---- query_decode ----------------------------------------------------- */

Test(query, decode_plain)
{
	char b[32];

	cr_assert_eq(decode("abc", b, sizeof(b)), 3);
	cr_assert_str_eq(b, "abc");
}

Test(query, decode_empty)
{
	char b[4] = "xyz";

	cr_assert_eq(query_decode("", 0, b, sizeof(b)), 0);
	cr_assert_str_eq(b, "");
}

Test(query, decode_empty_into_one_byte)
{
	char b[1] = {'x'};

	cr_assert_eq(query_decode("", 0, b, 1), 0);
	cr_assert_eq(b[0], '\0');
}

Test(query, decode_plus_is_space)
{
	char b[32];

	cr_assert_eq(decode("Jane+Doe", b, sizeof(b)), 8);
	cr_assert_str_eq(b, "Jane Doe");
	cr_assert_eq(decode("++", b, sizeof(b)), 2);
	cr_assert_str_eq(b, "  ");
}

Test(query, decode_percent_escapes)
{
	char b[32];

	cr_assert_eq(decode("%41%62", b, sizeof(b)), 2);
	cr_assert_str_eq(b, "Ab");
	cr_assert_eq(decode("%4a%4A", b, sizeof(b)), 2);
	cr_assert_str_eq(b, "JJ");
	cr_assert_eq(decode("50%25", b, sizeof(b)), 3);
	cr_assert_str_eq(b, "50%");
	cr_assert_eq(decode("a%2Bb", b, sizeof(b)), 3);
	cr_assert_str_eq(b, "a+b");
	cr_assert_eq(decode("%26%3D", b, sizeof(b)), 2);
	cr_assert_str_eq(b, "&=");
	cr_assert_eq(decode("%20", b, sizeof(b)), 1);
	cr_assert_str_eq(b, " ");
}

Test(query, decode_multibyte_escapes)
{
	char b[32];

	cr_assert_eq(decode("caf%C3%A9", b, sizeof(b)), 5);
	cr_assert_str_eq(b, "caf\xc3\xa9");
	cr_assert_eq(decode("%f0%9f%98%80", b, sizeof(b)), 4);
	cr_assert_str_eq(b, "\xf0\x9f\x98\x80");
}

Test(query, decode_uses_only_n_bytes)
{
	char b[32];

	cr_assert_eq(query_decode("abcdef", 3, b, sizeof(b)), 3);
	cr_assert_str_eq(b, "abc");
	/* n stops inside an escape: malformed, not read past n. */
	cr_assert_eq(query_decode("%41", 2, b, sizeof(b)), -1);
}

Test(query, decode_exact_fit)
{
	char b[4];

	cr_assert_eq(decode("abc", b, sizeof(b)), 3);
	cr_assert_str_eq(b, "abc");
	cr_assert_eq(decode("%41%42%43", b, sizeof(b)), 3);
	cr_assert_str_eq(b, "ABC");
}

Test(query, bad_decode_too_small_returns_minus_two)
{
	char b[3];

	cr_assert_eq(decode("abc", b, sizeof(b)), -2);
	cr_assert_eq(decode("%41%42%43", b, sizeof(b)), -2);
	cr_assert_eq(decode("a", b, 1), -2);
	cr_assert_eq(query_decode("", 0, b, 0), -2);
	cr_assert_eq(decode("a", b, 0), -2);
}

Test(query, bad_decode_malformed_escape_returns_minus_one)
{
	char b[32];

	cr_assert_eq(decode("%", b, sizeof(b)), -1);
	cr_assert_eq(decode("%4", b, sizeof(b)), -1);
	cr_assert_eq(decode("a%2", b, sizeof(b)), -1);
	cr_assert_eq(decode("abc%", b, sizeof(b)), -1);
	cr_assert_eq(decode("%zz", b, sizeof(b)), -1);
	cr_assert_eq(decode("%g0", b, sizeof(b)), -1);
	cr_assert_eq(decode("%0g", b, sizeof(b)), -1);
	cr_assert_eq(decode("%%41", b, sizeof(b)), -1);
	cr_assert_eq(decode("%-1", b, sizeof(b)), -1);
	cr_assert_eq(decode("% 1", b, sizeof(b)), -1);
}

Test(query, bad_decode_nul_returns_minus_one)
{
	char b[32];

	cr_assert_eq(decode("%00", b, sizeof(b)), -1);
	cr_assert_eq(decode("a%00b", b, sizeof(b)), -1);
	cr_assert_eq(query_decode("a\0b", 3, b, sizeof(b)), -1);
}

/* ---- query_get -------------------------------------------------------- */

Test(query, get_found)
{
	char b[32];

	cr_assert_eq(query_get("a=1&b=2", "a", b, sizeof(b)), QUERY_FOUND);
	cr_assert_str_eq(b, "1");
	cr_assert_eq(query_get("a=1&b=2", "b", b, sizeof(b)), QUERY_FOUND);
	cr_assert_str_eq(b, "2");
}

Test(query, get_decodes_value)
{
	char b[32];

	cr_assert_eq(query_get("search=Jane+D%6fe", "search", b, sizeof(b)), QUERY_FOUND);
	cr_assert_str_eq(b, "Jane Doe");
	cr_assert_eq(query_get("q=%26", "q", b, sizeof(b)), QUERY_FOUND);
	cr_assert_str_eq(b, "&");
}

Test(query, get_absent)
{
	char b[32];

	cr_assert_eq(query_get("a=1&b=2", "c", b, sizeof(b)), QUERY_ABSENT);
	cr_assert_eq(query_get("", "a", b, sizeof(b)), QUERY_ABSENT);
	cr_assert_eq(query_get(NULL, "a", b, sizeof(b)), QUERY_ABSENT);
}

Test(query, get_matches_whole_key_only)
{
	char b[32];

	cr_assert_eq(query_get("ab=1", "a", b, sizeof(b)), QUERY_ABSENT);
	cr_assert_eq(query_get("a=1", "ab", b, sizeof(b)), QUERY_ABSENT);
	cr_assert_eq(query_get("per_page=5", "page", b, sizeof(b)), QUERY_ABSENT);
	cr_assert_eq(query_get("xpage=5&page_x=6", "page", b, sizeof(b)), QUERY_ABSENT);
	cr_assert_eq(query_get("Page=5", "page", b, sizeof(b)), QUERY_ABSENT);
}

Test(query, get_last_occurrence_wins)
{
	char b[32];

	cr_assert_eq(query_get("a=1&a=2", "a", b, sizeof(b)), QUERY_FOUND);
	cr_assert_str_eq(b, "2");
	cr_assert_eq(query_get("a=1&b=9&a=3&c=0", "a", b, sizeof(b)), QUERY_FOUND);
	cr_assert_str_eq(b, "3");
	cr_assert_eq(query_get("a=1&a=", "a", b, sizeof(b)), QUERY_FOUND);
	cr_assert_str_eq(b, "");
}

Test(query, get_key_without_equals_is_empty)
{
	char b[32] = "junk";

	cr_assert_eq(query_get("a", "a", b, sizeof(b)), QUERY_FOUND);
	cr_assert_str_eq(b, "");
	strcpy(b, "junk");
	cr_assert_eq(query_get("x=1&a&y=2", "a", b, sizeof(b)), QUERY_FOUND);
	cr_assert_str_eq(b, "");
}

Test(query, get_empty_value)
{
	char b[32] = "junk";

	cr_assert_eq(query_get("a=&b=2", "a", b, sizeof(b)), QUERY_FOUND);
	cr_assert_str_eq(b, "");
}

Test(query, get_value_may_hold_equals)
{
	char b[32];

	cr_assert_eq(query_get("a=b=c", "a", b, sizeof(b)), QUERY_FOUND);
	cr_assert_str_eq(b, "b=c");
}

Test(query, get_skips_empty_segments)
{
	char b[32];

	cr_assert_eq(query_get("&&a=1&", "a", b, sizeof(b)), QUERY_FOUND);
	cr_assert_str_eq(b, "1");
	cr_assert_eq(query_get("&", "a", b, sizeof(b)), QUERY_ABSENT);
}

Test(query, bad_get_malformed)
{
	char b[32];

	cr_assert_eq(query_get("a=%zz", "a", b, sizeof(b)), QUERY_MALFORMED);
	cr_assert_eq(query_get("a=%4", "a", b, sizeof(b)), QUERY_MALFORMED);
	cr_assert_eq(query_get("a=%00", "a", b, sizeof(b)), QUERY_MALFORMED);
	cr_assert_eq(query_get("a=1&a=%zz", "a", b, sizeof(b)), QUERY_MALFORMED);
}

/*
 * Regression (issue 12): a malformed earlier occurrence failed the lookup
 * even when the last one, the one that counts, was good.
 */
Test(query, get_last_occurrence_wins_over_a_bad_earlier_one)
{
	char b[8];

	cr_assert_eq(query_get("a=%zz&a=1", "a", b, sizeof(b)), QUERY_FOUND);
	cr_assert_str_eq(b, "1");
	cr_assert_eq(query_get("a=%00&b=2&a=x%41", "a", b, sizeof(b)), QUERY_FOUND);
	cr_assert_str_eq(b, "xA");
	cr_assert_eq(query_get("a=%&a", "a", b, sizeof(b)), QUERY_FOUND);
	cr_assert_str_eq(b, "");
	cr_assert_eq(query_get("a=0123456789abcdef&a=2", "a", b, sizeof(b)), QUERY_FOUND);
	cr_assert_str_eq(b, "2");
	cr_assert_eq(query_get("a=1&a=0123456789abcdef", "a", b, sizeof(b)), QUERY_TOO_LONG);
	cr_assert_eq(query_get("a=%zz&a=1&a=%zz", "a", b, sizeof(b)), QUERY_MALFORMED);
}

/* A name is read decoded, as any form reader reads it: the last of "page" and "p%61ge" wins. */
Test(query, get_names_compared_decoded)
{
	char b[8];

	cr_assert_eq(query_get("page=1&p%61ge=2", "page", b, sizeof(b)), QUERY_FOUND);
	cr_assert_str_eq(b, "2");
	cr_assert_eq(query_get("p%61ge=2&page=1", "page", b, sizeof(b)), QUERY_FOUND);
	cr_assert_str_eq(b, "1");
	cr_assert_eq(query_get("%70%61%67%65=3", "page", b, sizeof(b)), QUERY_FOUND);
	cr_assert_str_eq(b, "3");
	cr_assert_eq(query_get("pa%zzge=3", "page", b, sizeof(b)), QUERY_ABSENT);
	cr_assert_eq(query_get("Pag%65=3", "page", b, sizeof(b)), QUERY_ABSENT);
	cr_assert_eq(query_get("un+assigned=olcm", "un assigned", b, sizeof(b)), QUERY_FOUND);
}

Test(query, get_malformed_other_key_is_not_looked_at)
{
	char b[32];

	cr_assert_eq(query_get("b=%zz&a=1", "a", b, sizeof(b)), QUERY_FOUND);
	cr_assert_str_eq(b, "1");
}

Test(query, bad_get_too_long)
{
	char b[4];

	cr_assert_eq(query_get("a=abcd", "a", b, sizeof(b)), QUERY_TOO_LONG);
	cr_assert_eq(query_get("a=abc", "a", b, sizeof(b)), QUERY_FOUND);
	cr_assert_str_eq(b, "abc");
	/* Three escapes are three bytes: they fit. */
	cr_assert_eq(query_get("a=%41%42%43", "a", b, sizeof(b)), QUERY_FOUND);
	cr_assert_str_eq(b, "ABC");
}

Test(query, bad_get_last_occurrence_too_long)
{
	char b[4];

	cr_assert_eq(query_get("a=1&a=toolong", "a", b, sizeof(b)), QUERY_TOO_LONG);
}

Test(query, get_last_occurrence_fits_after_too_long)
{
	char b[4];

	cr_assert_eq(query_get("a=toolong&a=1", "a", b, sizeof(b)), QUERY_FOUND);
	cr_assert_str_eq(b, "1");
}
