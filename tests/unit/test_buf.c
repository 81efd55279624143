/*
 * Unit tests for lib/base/buf.c: the growing text the set-based statements'
 * JSON parameters are written into.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "buf.h"

Test(buf, printf_grows_past_any_first_size)
{
	struct buf b = {0};
	size_t i;

	for (i = 0; i < 1000; i++)
		cr_assert_eq(buf_printf(&b, "%03zu,", i), 0);
	cr_assert_eq(b.len, 4000);
	cr_assert_eq(strlen(b.s), 4000);
	cr_assert_eq(strncmp(b.s, "000,001,", 8), 0);
	cr_assert_str_eq(b.s + 3996, "999,");
	free(b.s);
}

Test(buf, empty_printf_still_gives_a_string)
{
	struct buf b = {0};

	cr_assert_eq(buf_printf(&b, "%s", ""), 0);
	cr_assert_not_null(b.s);
	cr_assert_eq(b.len, 0);
	cr_assert_str_eq(b.s, "");
	free(b.s);
}

Test(buf, json_str_escapes_and_writes_null)
{
	struct buf b = {0};
	const char s[] = "a\"b\\c\nd\0e";

	cr_assert_eq(buf_json_str(&b, s, sizeof(s) - 1), 0);
	cr_assert_eq(buf_printf(&b, ","), 0);
	cr_assert_eq(buf_json_str(&b, NULL, 0), 0);
	cr_assert_str_eq(b.s, "\"a\\\"b\\\\c\\nd\\u0000e\",null");
	free(b.s);
}

Test(buf, ids_as_a_json_array)
{
	struct buf b = {0};
	const int64_t ids[] = {1, 42, INT64_MAX};

	cr_assert_eq(buf_ids(&b, ids, 3), 0);
	cr_assert_str_eq(b.s, "[1,42,9223372036854775807]");
	b.len = 0;
	cr_assert_eq(buf_ids(&b, ids, 0), 0);
	cr_assert_str_eq(b.s, "[]");
	free(b.s);
}
