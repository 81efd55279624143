/*
 * Unit tests for lib/base/check.c: ids (as text, in a path, in JSON), JSON
 * booleans and text within a limit of characters.
 *
 * Tests marked "Regression" caught real bugs in lib/ and pin their fixes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <json.h>

#include "check.h"
#include "fixture.h"
#include "rules.h"

/* ---- helpers ----------------------------------------------------------- */

/* ---- check_id_string --------------------------------------------------- */

static int
id_str(const char *s, int64_t *out)
{
	return check_id_string(s, strlen(s), out);
}

Test(check, id_string_accepts_one)
{
	int64_t v = 0;

	cr_assert_eq(id_str("1", &v), 1);
	cr_assert_eq(v, 1);
}

Test(check, id_string_accepts_typical)
{
	int64_t v = 0;

	cr_assert_eq(id_str("123", &v), 1);
	cr_assert_eq(v, 123);
}

Test(check, id_string_accepts_int64_max)
{
	int64_t v = 0;

	cr_assert_eq(id_str("9223372036854775807", &v), 1);
	cr_assert_eq(v, INT64_MAX);
}

Test(check, id_string_uses_only_n_bytes)
{
	int64_t v = 0;

	cr_assert_eq(check_id_string("123/lead", 3, &v), 1);
	cr_assert_eq(v, 123);
}

Test(check, bad_id_string_rejects_zero)
{
	int64_t v = 77;

	cr_assert_eq(id_str("0", &v), 0);
	cr_assert_eq(v, 77, "out must be left alone on failure");
}

Test(check, bad_id_string_rejects_all_zeros)
{
	int64_t v;

	cr_assert_eq(id_str("0000", &v), 0);
}

Test(check, bad_id_string_rejects_empty)
{
	int64_t v;

	cr_assert_eq(check_id_string("", 0, &v), 0);
	cr_assert_eq(check_id_string("123", 0, &v), 0);
}

/* ---- check_path_id: the canonical form only ---------------------------- */

Test(check, path_id_accepts_canonical_decimal)
{
	int64_t v = 0;

	cr_assert_eq(check_path_id("1", 1, &v), 1);
	cr_assert_eq(v, 1);
	cr_assert_eq(check_path_id("120", 3, &v), 1);
	cr_assert_eq(v, 120);
	cr_assert_eq(check_path_id("9223372036854775807", 19, &v), 1);
	cr_assert_eq(v, INT64_MAX);
	cr_assert_eq(check_path_id("123/lead", 3, &v), 1);
	cr_assert_eq(v, 123);
}

Test(check, bad_path_id_rejects_leading_zeros)
{
	int64_t v = 77;

	cr_assert_eq(check_path_id("0123", 4, &v), 0);
	cr_assert_eq(check_path_id("01", 2, &v), 0);
	cr_assert_eq(check_path_id("0", 1, &v), 0);
	cr_assert_eq(check_path_id("00", 2, &v), 0);
	cr_assert_eq(check_path_id("0000000000000000001", 19, &v), 0);
	cr_assert_eq(v, 77, "out must be left alone on failure");
}

Test(check, bad_path_id_rejects_what_id_string_rejects)
{
	int64_t v;

	cr_assert_eq(check_path_id("", 0, &v), 0);
	cr_assert_eq(check_path_id("9223372036854775808", 19, &v), 0);
	cr_assert_eq(check_path_id("+1", 2, &v), 0);
	cr_assert_eq(check_path_id("1a", 2, &v), 0);
}

Test(check, bad_id_string_rejects_leading_sign)
{
	int64_t v;

	cr_assert_eq(id_str("-1", &v), 0);
	cr_assert_eq(id_str("+1", &v), 0);
	cr_assert_eq(id_str("-0", &v), 0);
}

Test(check, bad_id_string_rejects_non_digits)
{
	int64_t v;

	cr_assert_eq(id_str("abc", &v), 0);
	cr_assert_eq(id_str("12a", &v), 0);
	cr_assert_eq(id_str("a12", &v), 0);
	cr_assert_eq(id_str("1.5", &v), 0);
	cr_assert_eq(id_str("1e2", &v), 0);
	cr_assert_eq(id_str(" 1", &v), 0);
	cr_assert_eq(id_str("1 ", &v), 0);
	cr_assert_eq(id_str("0x1", &v), 0);
}

Test(check, bad_id_string_rejects_int64_max_plus_one)
{
	int64_t v;

	cr_assert_eq(id_str("9223372036854775808", &v), 0);
}

Test(check, bad_id_string_rejects_19_digit_overflow)
{
	int64_t v;

	cr_assert_eq(id_str("9999999999999999999", &v), 0);
}

Test(check, bad_id_string_rejects_20_digits)
{
	int64_t v;

	cr_assert_eq(id_str("10000000000000000000", &v), 0);
	cr_assert_eq(id_str("18446744073709551615", &v), 0);
	cr_assert_eq(id_str("18446744073709551617", &v), 0); /* 2^64 + 1 wraps to 1 */
	cr_assert_eq(id_str("00000000000000000001", &v), 0);
}

/* ---- check_json_id ----------------------------------------------------- */

static enum check_res
json_id(const char *json, int64_t *out)
{
	struct json_object *o = fx_parse(json);
	enum check_res r = check_json_id(o, "id", out);

	json_object_put(o);
	return r;
}

Test(check, json_id_accepts_integer)
{
	int64_t v = 0;

	cr_assert_eq(json_id("{\"id\":123}", &v), CHECK_OK);
	cr_assert_eq(v, 123);
}

Test(check, json_id_accepts_one)
{
	int64_t v = 0;

	cr_assert_eq(json_id("{\"id\":1}", &v), CHECK_OK);
	cr_assert_eq(v, 1);
}

Test(check, json_id_accepts_int64_max)
{
	int64_t v = 0;

	cr_assert_eq(json_id("{\"id\":9223372036854775807}", &v), CHECK_OK);
	cr_assert_eq(v, INT64_MAX);
}

Test(check, json_id_null_is_absent)
{
	int64_t v = 5;

	cr_assert_eq(json_id("{\"id\":null}", &v), CHECK_ABSENT);
	cr_assert_eq(v, 0);
}

Test(check, json_id_missing_is_absent)
{
	int64_t v = 5;

	cr_assert_eq(json_id("{\"other\":1}", &v), CHECK_ABSENT);
	cr_assert_eq(v, 0);
}

Test(check, bad_json_id_rejects_numeric_string)
{
	int64_t v;

	cr_assert_eq(json_id("{\"id\":\"123\"}", &v), CHECK_BAD);
}

Test(check, bad_json_id_rejects_float)
{
	int64_t v;

	cr_assert_eq(json_id("{\"id\":1.0}", &v), CHECK_BAD);
	cr_assert_eq(json_id("{\"id\":1.5}", &v), CHECK_BAD);
}

Test(check, bad_json_id_rejects_exponent)
{
	int64_t v;

	cr_assert_eq(json_id("{\"id\":1e2}", &v), CHECK_BAD);
	cr_assert_eq(json_id("{\"id\":1E2}", &v), CHECK_BAD);
}

Test(check, bad_json_id_rejects_boolean)
{
	int64_t v;

	cr_assert_eq(json_id("{\"id\":true}", &v), CHECK_BAD);
	cr_assert_eq(json_id("{\"id\":false}", &v), CHECK_BAD);
}

Test(check, bad_json_id_rejects_zero)
{
	int64_t v;

	cr_assert_eq(json_id("{\"id\":0}", &v), CHECK_BAD);
	cr_assert_eq(json_id("{\"id\":-0}", &v), CHECK_BAD);
}

Test(check, bad_json_id_rejects_negative)
{
	int64_t v;

	cr_assert_eq(json_id("{\"id\":-1}", &v), CHECK_BAD);
	cr_assert_eq(json_id("{\"id\":-9223372036854775808}", &v), CHECK_BAD);
	cr_assert_eq(json_id("{\"id\":-9223372036854775809}", &v), CHECK_BAD);
}

Test(check, bad_json_id_rejects_two_pow_63)
{
	int64_t v;

	cr_assert_eq(json_id("{\"id\":9223372036854775808}", &v), CHECK_BAD);
}

Test(check, bad_json_id_rejects_beyond_uint64)
{
	int64_t v;

	cr_assert_eq(json_id("{\"id\":18446744073709551615}", &v), CHECK_BAD);
	cr_assert_eq(json_id("{\"id\":18446744073709551616}", &v), CHECK_BAD);
	cr_assert_eq(json_id("{\"id\":99999999999999999999999}", &v), CHECK_BAD);
}

Test(check, bad_json_id_rejects_containers)
{
	int64_t v;

	cr_assert_eq(json_id("{\"id\":[1]}", &v), CHECK_BAD);
	cr_assert_eq(json_id("{\"id\":{\"id\":1}}", &v), CHECK_BAD);
}

Test(check, bad_json_id_rejects_built_uint64_two_pow_63)
{
	struct json_object *o = json_object_new_object();
	int64_t v;

	json_object_object_add(o, "id", json_object_new_uint64((uint64_t)INT64_MAX + 1));
	cr_assert_eq(check_json_id(o, "id", &v), CHECK_BAD);
	json_object_put(o);
}

/* ---- check_json_text --------------------------------------------------- */

Test(check, json_text_accepts_and_borrows)
{
	struct json_object *o = fx_parse("{\"reason\":\"moved\"}");
	const char *s = NULL;
	size_t len = 0;

	cr_assert_eq(check_json_text(o, "reason", 500, &s, &len), CHECK_OK);
	cr_assert_str_eq(s, "moved");
	cr_assert_eq(len, 5);
	json_object_put(o);
}

Test(check, json_text_accepts_empty_string)
{
	struct json_object *o = fx_parse("{\"reason\":\"\"}");
	const char *s = NULL;
	size_t len = 9;

	cr_assert_eq(check_json_text(o, "reason", 500, &s, &len), CHECK_OK);
	cr_assert_str_eq(s, "");
	cr_assert_eq(len, 0);
	json_object_put(o);
}

Test(check, json_text_null_or_missing_is_absent)
{
	struct json_object *o = fx_parse("{\"reason\":null}");
	const char *s = "x";
	size_t len = 9;

	cr_assert_eq(check_json_text(o, "reason", 500, &s, &len), CHECK_ABSENT);
	cr_assert_null(s);
	cr_assert_eq(len, 0);
	cr_assert_eq(check_json_text(o, "missing", 500, &s, &len), CHECK_ABSENT);
	json_object_put(o);
}

Test(check, json_text_accepts_500_ascii)
{
	char *t = fx_repeat("a", 500);
	struct json_object *o = fx_obj_with_string("reason", t, 500);
	const char *s;
	size_t len;

	cr_assert_eq(check_json_text(o, "reason", VAL_REASON_MAX, &s, &len), CHECK_OK);
	cr_assert_eq(len, 500);
	json_object_put(o);
	free(t);
}

Test(check, bad_json_text_rejects_501_ascii)
{
	char *t = fx_repeat("a", 501);
	struct json_object *o = fx_obj_with_string("reason", t, 501);
	const char *s;
	size_t len;

	cr_assert_eq(check_json_text(o, "reason", VAL_REASON_MAX, &s, &len), CHECK_BAD);
	json_object_put(o);
	free(t);
}

Test(check, json_text_counts_code_points_500_two_byte)
{
	char *t = fx_repeat("\xc3\xa9", 500);   /* é: 1000 bytes, 500 characters */
	struct json_object *o = fx_obj_with_string("reason", t, 1000);
	const char *s;
	size_t len;

	cr_assert_eq(check_json_text(o, "reason", VAL_REASON_MAX, &s, &len), CHECK_OK);
	cr_assert_eq(len, 1000);
	json_object_put(o);
	free(t);
}

Test(check, json_text_counts_code_points_500_four_byte)
{
	char *t = fx_repeat("\xf0\x9f\x98\x80", 500);   /* U+1F600: 2000 bytes */
	struct json_object *o = fx_obj_with_string("reason", t, 2000);
	const char *s;
	size_t len;

	cr_assert_eq(check_json_text(o, "reason", VAL_REASON_MAX, &s, &len), CHECK_OK);
	json_object_put(o);
	free(t);
}

Test(check, bad_json_text_rejects_501_multibyte)
{
	char *t2 = fx_repeat("\xc3\xa9", 501);
	char *t3 = fx_repeat("\xe2\x82\xac", 501);
	struct json_object *o2 = fx_obj_with_string("reason", t2, 1002);
	struct json_object *o3 = fx_obj_with_string("reason", t3, 1503);
	const char *s;
	size_t len;

	cr_assert_eq(check_json_text(o2, "reason", VAL_REASON_MAX, &s, &len), CHECK_BAD);
	cr_assert_eq(check_json_text(o3, "reason", VAL_REASON_MAX, &s, &len), CHECK_BAD);
	json_object_put(o2);
	json_object_put(o3);
	free(t2);
	free(t3);
}

Test(check, bad_json_text_rejects_non_string)
{
	struct json_object *o = fx_parse("{\"n\":42,\"b\":true,\"a\":[\"x\"],\"o\":{}}");
	const char *s;
	size_t len;

	cr_assert_eq(check_json_text(o, "n", 500, &s, &len), CHECK_BAD);
	cr_assert_eq(check_json_text(o, "b", 500, &s, &len), CHECK_BAD);
	cr_assert_eq(check_json_text(o, "a", 500, &s, &len), CHECK_BAD);
	cr_assert_eq(check_json_text(o, "o", 500, &s, &len), CHECK_BAD);
	json_object_put(o);
}

Test(check, bad_json_text_rejects_embedded_nul)
{
	struct json_object *o = fx_parse("{\"reason\":\"a\\u0000b\"}");
	const char *s;
	size_t len;

	cr_assert_eq(check_json_text(o, "reason", 500, &s, &len), CHECK_BAD);
	json_object_put(o);
}

/* ---- check_json_bool --------------------------------------------------- */

Test(check, json_bool_reads_booleans_and_refuses_null)
{
	struct json_object *o = fx_parse("{\"t\":true,\"f\":false,\"n\":null,\"s\":\"true\",\"i\":1}");
	int v = -1;

	cr_assert_eq(check_json_bool(o, "t", &v), CHECK_OK);
	cr_assert_eq(v, 1);
	cr_assert_eq(check_json_bool(o, "f", &v), CHECK_OK);
	cr_assert_eq(v, 0);
	cr_assert_eq(check_json_bool(o, "missing", &v), CHECK_ABSENT);
	cr_assert_eq(v, 0);
	cr_assert_eq(check_json_bool(o, "n", &v), CHECK_BAD);
	cr_assert_eq(check_json_bool(o, "s", &v), CHECK_BAD);
	cr_assert_eq(check_json_bool(o, "i", &v), CHECK_BAD);
	json_object_put(o);
}

/* ---- check_mdy_date: the plans' MM-DD-YYYY ------------------------------ */

static int
mdy(const char *s, char iso[11])
{
	return check_mdy_date(s, strlen(s), iso);
}

Test(check, mdy_date_becomes_iso)
{
	char iso[11];

	cr_assert(mdy("01-31-2024", iso));
	cr_expect_str_eq(iso, "2024-01-31");
	cr_assert(mdy("02-29-2024", iso));
	cr_expect_str_eq(iso, "2024-02-29");
	cr_assert(mdy("12-31-1900", iso));
	cr_expect_str_eq(iso, "1900-12-31");
	cr_assert(mdy("02-29-2000", iso));
}

Test(check, mdy_date_bad_forms_are_refused)
{
	static const char *const bad[] = {
		"2024-01-31", "1-31-2024", "01/31/2024", "01-31-24", "01-31-2024 ", " 01-31-2024",
		"13-01-2024", "00-10-2024", "01-00-2024", "02-30-2024", "02-29-2023", "02-29-1900",
		"04-31-2024", "12-31-1899", "aa-bb-cccc", "", "01-31-2024x", "+1-31-2024",
	};
	char iso[11];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_expect_not(mdy(bad[i], iso), "%s should be refused", bad[i]);
}
