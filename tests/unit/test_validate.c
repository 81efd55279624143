/*
 * Unit tests for lib/validate.c: ids, roles, text limits, UTF-8, the JSON
 * body parser, the write bodies and the list's query string.
 *
 * Tests marked "Regression" caught real bugs in lib/ and pin their fixes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <json.h>

#include "validate.h"

/* ---- helpers ---------------------------------------------------------- */

/* A fixture object from JSON text; fails the test when it does not parse. */
static struct json_object *
parse(const char *s)
{
	struct json_object *o = json_tokener_parse(s);

	cr_assert_not_null(o, "fixture JSON did not parse: %s", s);
	return o;
}

/* unit repeated n times, NUL-terminated; the caller frees it. */
static char *
repeat(const char *unit, size_t n)
{
	size_t ul = strlen(unit), i;
	char *s = malloc(ul * n + 1);

	cr_assert_not_null(s);
	for (i = 0; i < n; i++)
		memcpy(s + i * ul, unit, ul);
	s[ul * n] = '\0';
	return s;
}

/* The errors array as plain JSON text; owned by errors. */
static const char *
errs_str(struct json_object *errors)
{
	return json_object_to_json_string_ext(errors, JSON_C_TO_STRING_PLAIN);
}

/* {"k": <string of exactly len bytes>} */
static struct json_object *
obj_with_string(const char *key, const char *s, size_t len)
{
	struct json_object *o = json_object_new_object();

	cr_assert_not_null(o);
	json_object_object_add(o, key, json_object_new_string_len(s, (int)len));
	return o;
}

/* val_json_body on a C string; returns the result and releases the object. */
static enum app_err
body_rc(const char *s)
{
	struct json_object *o = (struct json_object *)0x1;
	enum app_err rc = val_json_body(s, strlen(s), &o);

	if (rc != APP_OK)
		cr_expect_null(o, "out must be NULL on failure for: %s", s);
	json_object_put(o);
	return rc;
}

/* n objects nested: {"a":{"a":...1...}} */
static char *
nested_objects(int n)
{
	char *s = malloc((size_t)n * 6 + 2), *p = s;
	int i;

	cr_assert_not_null(s);
	for (i = 0; i < n; i++) {
		memcpy(p, "{\"a\":", 5);
		p += 5;
	}
	*p++ = '1';
	for (i = 0; i < n; i++)
		*p++ = '}';
	*p = '\0';
	return s;
}

/* ---- val_id_string ---------------------------------------------------- */

static int
id_str(const char *s, int64_t *out)
{
	return val_id_string(s, strlen(s), out);
}

Test(validate, id_string_accepts_one)
{
	int64_t v = 0;

	cr_assert_eq(id_str("1", &v), 1);
	cr_assert_eq(v, 1);
}

Test(validate, id_string_accepts_typical)
{
	int64_t v = 0;

	cr_assert_eq(id_str("123", &v), 1);
	cr_assert_eq(v, 123);
}

Test(validate, id_string_accepts_int64_max)
{
	int64_t v = 0;

	cr_assert_eq(id_str("9223372036854775807", &v), 1);
	cr_assert_eq(v, INT64_MAX);
}

Test(validate, id_string_uses_only_n_bytes)
{
	int64_t v = 0;

	cr_assert_eq(val_id_string("123/lead", 3, &v), 1);
	cr_assert_eq(v, 123);
}

Test(validate, bad_id_string_rejects_zero)
{
	int64_t v = 77;

	cr_assert_eq(id_str("0", &v), 0);
	cr_assert_eq(v, 77, "out must be left alone on failure");
}

Test(validate, bad_id_string_rejects_all_zeros)
{
	int64_t v;

	cr_assert_eq(id_str("0000", &v), 0);
}

Test(validate, bad_id_string_rejects_empty)
{
	int64_t v;

	cr_assert_eq(val_id_string("", 0, &v), 0);
	cr_assert_eq(val_id_string("123", 0, &v), 0);
}

Test(validate, bad_id_string_rejects_leading_sign)
{
	int64_t v;

	cr_assert_eq(id_str("-1", &v), 0);
	cr_assert_eq(id_str("+1", &v), 0);
	cr_assert_eq(id_str("-0", &v), 0);
}

Test(validate, bad_id_string_rejects_non_digits)
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

Test(validate, bad_id_string_rejects_int64_max_plus_one)
{
	int64_t v;

	cr_assert_eq(id_str("9223372036854775808", &v), 0);
}

Test(validate, bad_id_string_rejects_19_digit_overflow)
{
	int64_t v;

	cr_assert_eq(id_str("9999999999999999999", &v), 0);
}

Test(validate, bad_id_string_rejects_20_digits)
{
	int64_t v;

	cr_assert_eq(id_str("10000000000000000000", &v), 0);
	cr_assert_eq(id_str("18446744073709551615", &v), 0);
	cr_assert_eq(id_str("18446744073709551617", &v), 0); /* 2^64 + 1 wraps to 1 */
	cr_assert_eq(id_str("00000000000000000001", &v), 0);
}

/* ---- val_json_id ------------------------------------------------------ */

static enum val_res
json_id(const char *json, int64_t *out)
{
	struct json_object *o = parse(json);
	enum val_res r = val_json_id(o, "id", out);

	json_object_put(o);
	return r;
}

Test(validate, json_id_accepts_integer)
{
	int64_t v = 0;

	cr_assert_eq(json_id("{\"id\":123}", &v), VAL_OK);
	cr_assert_eq(v, 123);
}

Test(validate, json_id_accepts_one)
{
	int64_t v = 0;

	cr_assert_eq(json_id("{\"id\":1}", &v), VAL_OK);
	cr_assert_eq(v, 1);
}

Test(validate, json_id_accepts_int64_max)
{
	int64_t v = 0;

	cr_assert_eq(json_id("{\"id\":9223372036854775807}", &v), VAL_OK);
	cr_assert_eq(v, INT64_MAX);
}

Test(validate, json_id_null_is_absent)
{
	int64_t v = 5;

	cr_assert_eq(json_id("{\"id\":null}", &v), VAL_ABSENT);
	cr_assert_eq(v, 0);
}

Test(validate, json_id_missing_is_absent)
{
	int64_t v = 5;

	cr_assert_eq(json_id("{\"other\":1}", &v), VAL_ABSENT);
	cr_assert_eq(v, 0);
}

Test(validate, bad_json_id_rejects_numeric_string)
{
	int64_t v;

	cr_assert_eq(json_id("{\"id\":\"123\"}", &v), VAL_BAD);
}

Test(validate, bad_json_id_rejects_float)
{
	int64_t v;

	cr_assert_eq(json_id("{\"id\":1.0}", &v), VAL_BAD);
	cr_assert_eq(json_id("{\"id\":1.5}", &v), VAL_BAD);
}

Test(validate, bad_json_id_rejects_exponent)
{
	int64_t v;

	cr_assert_eq(json_id("{\"id\":1e2}", &v), VAL_BAD);
	cr_assert_eq(json_id("{\"id\":1E2}", &v), VAL_BAD);
}

Test(validate, bad_json_id_rejects_boolean)
{
	int64_t v;

	cr_assert_eq(json_id("{\"id\":true}", &v), VAL_BAD);
	cr_assert_eq(json_id("{\"id\":false}", &v), VAL_BAD);
}

Test(validate, bad_json_id_rejects_zero)
{
	int64_t v;

	cr_assert_eq(json_id("{\"id\":0}", &v), VAL_BAD);
	cr_assert_eq(json_id("{\"id\":-0}", &v), VAL_BAD);
}

Test(validate, bad_json_id_rejects_negative)
{
	int64_t v;

	cr_assert_eq(json_id("{\"id\":-1}", &v), VAL_BAD);
	cr_assert_eq(json_id("{\"id\":-9223372036854775808}", &v), VAL_BAD);
	cr_assert_eq(json_id("{\"id\":-9223372036854775809}", &v), VAL_BAD);
}

Test(validate, bad_json_id_rejects_two_pow_63)
{
	int64_t v;

	cr_assert_eq(json_id("{\"id\":9223372036854775808}", &v), VAL_BAD);
}

Test(validate, bad_json_id_rejects_beyond_uint64)
{
	int64_t v;

	cr_assert_eq(json_id("{\"id\":18446744073709551615}", &v), VAL_BAD);
	cr_assert_eq(json_id("{\"id\":18446744073709551616}", &v), VAL_BAD);
	cr_assert_eq(json_id("{\"id\":99999999999999999999999}", &v), VAL_BAD);
}

Test(validate, bad_json_id_rejects_containers)
{
	int64_t v;

	cr_assert_eq(json_id("{\"id\":[1]}", &v), VAL_BAD);
	cr_assert_eq(json_id("{\"id\":{\"id\":1}}", &v), VAL_BAD);
}

Test(validate, bad_json_id_rejects_built_uint64_two_pow_63)
{
	struct json_object *o = json_object_new_object();
	int64_t v;

	json_object_object_add(o, "id", json_object_new_uint64((uint64_t)INT64_MAX + 1));
	cr_assert_eq(val_json_id(o, "id", &v), VAL_BAD);
	json_object_put(o);
}

/* ---- val_json_role ---------------------------------------------------- */

static enum val_res
json_role(const char *json, enum lcm_role *out)
{
	struct json_object *o = parse(json);
	enum val_res r = val_json_role(o, "role", out);

	json_object_put(o);
	return r;
}

Test(validate, json_role_accepts_olcm_and_ilcm)
{
	enum lcm_role r = ROLE__MAX;

	cr_assert_eq(json_role("{\"role\":\"olcm\"}", &r), VAL_OK);
	cr_assert_eq(r, ROLE_OLCM);
	cr_assert_eq(json_role("{\"role\":\"ilcm\"}", &r), VAL_OK);
	cr_assert_eq(r, ROLE_ILCM);
}

Test(validate, json_role_null_or_missing_is_absent)
{
	enum lcm_role r;

	cr_assert_eq(json_role("{\"role\":null}", &r), VAL_ABSENT);
	cr_assert_eq(json_role("{}", &r), VAL_ABSENT);
}

Test(validate, bad_json_role_rejects_other_values)
{
	enum lcm_role r;

	cr_assert_eq(json_role("{\"role\":\"OLCM\"}", &r), VAL_BAD);
	cr_assert_eq(json_role("{\"role\":\"other\"}", &r), VAL_BAD);
	cr_assert_eq(json_role("{\"role\":\"\"}", &r), VAL_BAD);
	cr_assert_eq(json_role("{\"role\":\"olcm \"}", &r), VAL_BAD);
	cr_assert_eq(json_role("{\"role\":1}", &r), VAL_BAD);
	cr_assert_eq(json_role("{\"role\":[\"olcm\"]}", &r), VAL_BAD);
	cr_assert_eq(json_role("{\"role\":true}", &r), VAL_BAD);
}

/*
 * Regression: val_json_role compares with strcmp (lib/validate.c:62), so a
 * JSON string "olcm\u0000x" (5+ bytes, not "olcm") is taken as olcm.
 */
Test(validate, bad_json_role_rejects_embedded_nul)
{
	struct json_object *o = obj_with_string("role", "olcm\0x", 6);
	enum lcm_role r;

	cr_expect_eq(val_json_role(o, "role", &r), VAL_BAD,
	    "Regression: \"olcm\\u0000x\" must not be accepted as role olcm");
	json_object_put(o);
}

/* ---- val_json_text ---------------------------------------------------- */

Test(validate, json_text_accepts_and_borrows)
{
	struct json_object *o = parse("{\"reason\":\"moved\"}");
	const char *s = NULL;
	size_t len = 0;

	cr_assert_eq(val_json_text(o, "reason", 500, &s, &len), VAL_OK);
	cr_assert_str_eq(s, "moved");
	cr_assert_eq(len, 5);
	json_object_put(o);
}

Test(validate, json_text_accepts_empty_string)
{
	struct json_object *o = parse("{\"reason\":\"\"}");
	const char *s = NULL;
	size_t len = 9;

	cr_assert_eq(val_json_text(o, "reason", 500, &s, &len), VAL_OK);
	cr_assert_str_eq(s, "");
	cr_assert_eq(len, 0);
	json_object_put(o);
}

Test(validate, json_text_null_or_missing_is_absent)
{
	struct json_object *o = parse("{\"reason\":null}");
	const char *s = "x";
	size_t len = 9;

	cr_assert_eq(val_json_text(o, "reason", 500, &s, &len), VAL_ABSENT);
	cr_assert_null(s);
	cr_assert_eq(len, 0);
	cr_assert_eq(val_json_text(o, "missing", 500, &s, &len), VAL_ABSENT);
	json_object_put(o);
}

Test(validate, json_text_accepts_500_ascii)
{
	char *t = repeat("a", 500);
	struct json_object *o = obj_with_string("reason", t, 500);
	const char *s;
	size_t len;

	cr_assert_eq(val_json_text(o, "reason", VAL_REASON_MAX, &s, &len), VAL_OK);
	cr_assert_eq(len, 500);
	json_object_put(o);
	free(t);
}

Test(validate, bad_json_text_rejects_501_ascii)
{
	char *t = repeat("a", 501);
	struct json_object *o = obj_with_string("reason", t, 501);
	const char *s;
	size_t len;

	cr_assert_eq(val_json_text(o, "reason", VAL_REASON_MAX, &s, &len), VAL_BAD);
	json_object_put(o);
	free(t);
}

Test(validate, json_text_counts_code_points_500_two_byte)
{
	char *t = repeat("\xc3\xa9", 500);   /* é: 1000 bytes, 500 characters */
	struct json_object *o = obj_with_string("reason", t, 1000);
	const char *s;
	size_t len;

	cr_assert_eq(val_json_text(o, "reason", VAL_REASON_MAX, &s, &len), VAL_OK);
	cr_assert_eq(len, 1000);
	json_object_put(o);
	free(t);
}

Test(validate, json_text_counts_code_points_500_four_byte)
{
	char *t = repeat("\xf0\x9f\x98\x80", 500);   /* U+1F600: 2000 bytes */
	struct json_object *o = obj_with_string("reason", t, 2000);
	const char *s;
	size_t len;

	cr_assert_eq(val_json_text(o, "reason", VAL_REASON_MAX, &s, &len), VAL_OK);
	json_object_put(o);
	free(t);
}

Test(validate, bad_json_text_rejects_501_multibyte)
{
	char *t2 = repeat("\xc3\xa9", 501);
	char *t3 = repeat("\xe2\x82\xac", 501);
	struct json_object *o2 = obj_with_string("reason", t2, 1002);
	struct json_object *o3 = obj_with_string("reason", t3, 1503);
	const char *s;
	size_t len;

	cr_assert_eq(val_json_text(o2, "reason", VAL_REASON_MAX, &s, &len), VAL_BAD);
	cr_assert_eq(val_json_text(o3, "reason", VAL_REASON_MAX, &s, &len), VAL_BAD);
	json_object_put(o2);
	json_object_put(o3);
	free(t2);
	free(t3);
}

Test(validate, bad_json_text_rejects_non_string)
{
	struct json_object *o = parse("{\"n\":42,\"b\":true,\"a\":[\"x\"],\"o\":{}}");
	const char *s;
	size_t len;

	cr_assert_eq(val_json_text(o, "n", 500, &s, &len), VAL_BAD);
	cr_assert_eq(val_json_text(o, "b", 500, &s, &len), VAL_BAD);
	cr_assert_eq(val_json_text(o, "a", 500, &s, &len), VAL_BAD);
	cr_assert_eq(val_json_text(o, "o", 500, &s, &len), VAL_BAD);
	json_object_put(o);
}

Test(validate, bad_json_text_rejects_embedded_nul)
{
	struct json_object *o = parse("{\"reason\":\"a\\u0000b\"}");
	const char *s;
	size_t len;

	cr_assert_eq(val_json_text(o, "reason", 500, &s, &len), VAL_BAD);
	json_object_put(o);
}

/* ---- val_utf8 / val_utf8_chars ---------------------------------------- */

static int
utf8(const char *s)
{
	return val_utf8(s, strlen(s));
}

Test(validate, utf8_accepts_valid_text)
{
	cr_assert(utf8(""));
	cr_assert(utf8("plain ascii"));
	cr_assert(utf8("\xc2\x80"));                 /* U+0080, smallest 2-byte */
	cr_assert(utf8("caf\xc3\xa9"));              /* é */
	cr_assert(utf8("\xdf\xbf"));                 /* U+07FF */
	cr_assert(utf8("\xe0\xa0\x80"));             /* U+0800, smallest 3-byte */
	cr_assert(utf8("\xe2\x82\xac"));             /* € */
	cr_assert(utf8("\xed\x9f\xbf"));             /* U+D7FF, just below surrogates */
	cr_assert(utf8("\xee\x80\x80"));             /* U+E000, just above */
	cr_assert(utf8("\xef\xbf\xbf"));             /* U+FFFF */
	cr_assert(utf8("\xf0\x90\x80\x80"));         /* U+10000, smallest 4-byte */
	cr_assert(utf8("\xf0\x9f\x98\x80"));         /* U+1F600 */
	cr_assert(utf8("\xf4\x8f\xbf\xbf"));         /* U+10FFFF, the last */
}

Test(validate, bad_utf8_rejects_overlong)
{
	cr_assert_not(utf8("\xc0\x80"));             /* NUL in 2 bytes */
	cr_assert_not(utf8("\xc0\xaf"));             /* '/' in 2 bytes */
	cr_assert_not(utf8("\xc1\xbf"));
	cr_assert_not(utf8("\xe0\x80\x80"));         /* NUL in 3 bytes */
	cr_assert_not(utf8("\xe0\x80\xaf"));
	cr_assert_not(utf8("\xe0\x9f\xbf"));         /* U+07FF in 3 bytes */
	cr_assert_not(utf8("\xf0\x80\x80\x80"));     /* NUL in 4 bytes */
	cr_assert_not(utf8("\xf0\x8f\xbf\xbf"));     /* U+FFFF in 4 bytes */
}

Test(validate, bad_utf8_rejects_surrogates)
{
	cr_assert_not(utf8("\xed\xa0\x80"));         /* U+D800 */
	cr_assert_not(utf8("\xed\xaf\xbf"));         /* U+DBFF */
	cr_assert_not(utf8("\xed\xb0\x80"));         /* U+DC00 */
	cr_assert_not(utf8("\xed\xbf\xbf"));         /* U+DFFF */
	cr_assert_not(utf8("\xed\xa0\xbd\xed\xb8\x80")); /* CESU-8 pair */
}

Test(validate, bad_utf8_rejects_beyond_u10ffff)
{
	cr_assert_not(utf8("\xf4\x90\x80\x80"));     /* U+110000 */
	cr_assert_not(utf8("\xf5\x80\x80\x80"));
	cr_assert_not(utf8("\xf7\xbf\xbf\xbf"));
	cr_assert_not(utf8("\xf8\x88\x80\x80\x80")); /* old 5-byte form */
	cr_assert_not(utf8("\xfc\x84\x80\x80\x80\x80"));
}

Test(validate, bad_utf8_rejects_truncated_sequences)
{
	cr_assert_not(utf8("\xc3"));
	cr_assert_not(utf8("abc\xc3"));
	cr_assert_not(utf8("\xe2\x82"));
	cr_assert_not(utf8("\xe2"));
	cr_assert_not(utf8("\xf0\x9f\x98"));
	cr_assert_not(utf8("\xf0\x9f"));
	cr_assert_not(utf8("\xc3" "a"));             /* continuation replaced */
	cr_assert_not(utf8("\xe2\x82" "a"));
	cr_assert_not(utf8("\xf0\x9f\x98" "a"));
}

Test(validate, bad_utf8_rejects_truncated_by_length)
{
	/* Valid bytes, but n cuts the last sequence. */
	cr_assert_not(val_utf8("\xe2\x82\xac", 2));
	cr_assert_not(val_utf8("a\xf0\x9f\x98\x80", 4));
	cr_assert(val_utf8("a\xf0\x9f\x98\x80", 5));
}

Test(validate, bad_utf8_rejects_stray_bytes)
{
	cr_assert_not(utf8("\x80"));                 /* lone continuation */
	cr_assert_not(utf8("a\xbf" "b"));
	cr_assert_not(utf8("\xfe"));
	cr_assert_not(utf8("\xff"));
	cr_assert_not(utf8("\xc3\xa9\xa9"));         /* one continuation too many */
}

Test(validate, utf8_chars_counts_code_points)
{
	cr_assert_eq(val_utf8_chars("", 0), 0);
	cr_assert_eq(val_utf8_chars("abc", 3), 3);
	cr_assert_eq(val_utf8_chars("a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 10), 4);
}

/* ---- val_content_type_json -------------------------------------------- */

Test(validate, content_type_json_accepts_json)
{
	cr_assert(val_content_type_json("application/json"));
	cr_assert(val_content_type_json("application/json; charset=utf-8"));
	cr_assert(val_content_type_json("application/json;charset=UTF-8"));
	cr_assert(val_content_type_json("Application/JSON"));
	cr_assert(val_content_type_json("  application/json  "));
	cr_assert(val_content_type_json("application/json ; charset=utf-8"));
}

Test(validate, bad_content_type_json_rejects_others)
{
	cr_assert_not(val_content_type_json(NULL));
	cr_assert_not(val_content_type_json(""));
	cr_assert_not(val_content_type_json("text/plain"));
	cr_assert_not(val_content_type_json("text/json"));
	cr_assert_not(val_content_type_json("application/jsonx"));
	cr_assert_not(val_content_type_json("application/json-patch+json"));
	cr_assert_not(val_content_type_json("application/x-www-form-urlencoded"));
	cr_assert_not(val_content_type_json("application/js"));
	cr_assert_not(val_content_type_json("multipart/form-data; boundary=x"));
}

/* ---- val_json_body ---------------------------------------------------- */

Test(validate, json_body_accepts_object)
{
	struct json_object *o = NULL;
	const char *b = "{\"patient_id\":123,\"olcm_user_id\":101}";

	cr_assert_eq(val_json_body(b, strlen(b), &o), APP_OK);
	cr_assert_not_null(o);
	cr_assert(json_object_is_type(o, json_type_object));
	cr_assert_eq(json_object_get_int64(json_object_object_get(o, "patient_id")), 123);
	json_object_put(o);
}

Test(validate, json_body_accepts_surrounding_whitespace)
{
	cr_assert_eq(body_rc("{}"), APP_OK);
	cr_assert_eq(body_rc(" \t\r\n{} \t\r\n"), APP_OK);
}

Test(validate, json_body_accepts_valid_multibyte_utf8)
{
	cr_assert_eq(body_rc("{\"reason\":\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"}"), APP_OK);
}

Test(validate, json_body_respects_len)
{
	struct json_object *o = NULL;

	/* Only the first 2 bytes are the body. */
	cr_assert_eq(val_json_body("{}garbage", 2, &o), APP_OK);
	json_object_put(o);
}

Test(validate, bad_json_body_rejects_empty)
{
	struct json_object *o = (struct json_object *)0x1;

	cr_assert_eq(val_json_body("", 0, &o), APP_EBADJSON);
	cr_assert_null(o);
	o = (struct json_object *)0x1;
	cr_assert_eq(val_json_body(NULL, 0, &o), APP_EBADJSON);
	cr_assert_null(o);
	cr_assert_eq(body_rc("   "), APP_EBADJSON);
}

Test(validate, bad_json_body_rejects_trailing_garbage)
{
	cr_assert_eq(body_rc("{} x"), APP_EBADJSON);
	cr_assert_eq(body_rc("{}x"), APP_EBADJSON);
	cr_assert_eq(body_rc("{}{}"), APP_EBADJSON);
	cr_assert_eq(body_rc("{\"a\":1}}"), APP_EBADJSON);
	cr_assert_eq(body_rc("{\"a\":1},"), APP_EBADJSON);
}

Test(validate, bad_json_body_rejects_nul_after_object)
{
	struct json_object *o = NULL;

	cr_assert_eq(val_json_body("{}\0", 3, &o), APP_EBADJSON);
	cr_assert_null(o);
}

Test(validate, bad_json_body_rejects_non_objects)
{
	cr_assert_eq(body_rc("[]"), APP_EBADJSON);
	cr_assert_eq(body_rc("[{\"patient_id\":1}]"), APP_EBADJSON);
	cr_assert_eq(body_rc("\"text\""), APP_EBADJSON);
	cr_assert_eq(body_rc("123"), APP_EBADJSON);
	cr_assert_eq(body_rc("123 "), APP_EBADJSON);
	cr_assert_eq(body_rc("true"), APP_EBADJSON);
	cr_assert_eq(body_rc("null"), APP_EBADJSON);
}

Test(validate, bad_json_body_rejects_malformed)
{
	cr_assert_eq(body_rc("{"), APP_EBADJSON);
	cr_assert_eq(body_rc("{\"a\":1"), APP_EBADJSON);
	cr_assert_eq(body_rc("{\"a\"}"), APP_EBADJSON);
	cr_assert_eq(body_rc("{\"a\":1,}"), APP_EBADJSON);
	cr_assert_eq(body_rc("{\"a\":01}"), APP_EBADJSON);
	cr_assert_eq(body_rc("{\"a\":tRue}"), APP_EBADJSON);
	cr_assert_eq(body_rc("{\"a\":1}/*c*/"), APP_EBADJSON);
	cr_assert_eq(body_rc("patient_id=1"), APP_EBADJSON);
}

/*
 * Regression: val_json_body promises strict JSON (lib/validate.h, and
 * DECISIONS.md: 400 when the body is not valid JSON), but json-c 0.16's
 * JSON_TOKENER_STRICT (lib/validate.c:168) still lets these non-JSON forms
 * through: single-quoted keys, NaN / Infinity, a number ending in '.', and
 * raw control characters inside strings (RFC 8259 requires them escaped).
 */
Test(validate, bad_json_body_rejects_non_json_that_json_c_accepts)
{
	cr_expect_eq(body_rc("{'patient_id':1}"), APP_EBADJSON,
	    "Regression: single-quoted key accepted");
	cr_expect_eq(body_rc("{\"a\":NaN}"), APP_EBADJSON, "Regression: NaN accepted");
	cr_expect_eq(body_rc("{\"a\":Infinity}"), APP_EBADJSON, "Regression: Infinity accepted");
	cr_expect_eq(body_rc("{\"a\":-Infinity}"), APP_EBADJSON,
	    "Regression: -Infinity accepted");
	cr_expect_eq(body_rc("{\"a\":1.}"), APP_EBADJSON, "Regression: number 1. accepted");
	cr_expect_eq(body_rc("{\"reason\":\"a\x01" "b\"}"), APP_EBADJSON,
	    "Regression: raw U+0001 inside a string accepted");
	cr_expect_eq(body_rc("{\"reason\":\"a\nb\"}"), APP_EBADJSON,
	    "Regression: raw newline inside a string accepted");
	cr_expect_eq(body_rc("{\"reason\":\"a\tb\"}"), APP_EBADJSON,
	    "Regression: raw tab inside a string accepted");
}

Test(validate, bad_json_body_rejects_invalid_utf8_bytes)
{
	cr_expect_eq(body_rc("{\"reason\":\"\xff\"}"), APP_EBADJSON, "0xff");
	cr_expect_eq(body_rc("{\"reason\":\"\xfe\"}"), APP_EBADJSON, "0xfe");
	cr_expect_eq(body_rc("{\"reason\":\"\x80\"}"), APP_EBADJSON, "lone continuation");
	cr_expect_eq(body_rc("{\"reason\":\"\xc3\"}"), APP_EBADJSON, "truncated 2-byte");
	cr_expect_eq(body_rc("{\"reason\":\"\xe2\x82\"}"), APP_EBADJSON, "truncated 3-byte");
	cr_expect_eq(body_rc("{\"reason\":\"\xf0\x9f\x98\"}"), APP_EBADJSON,
	    "truncated 4-byte");
	cr_expect_eq(body_rc("{\"\xff\":1}"), APP_EBADJSON, "0xff in a key");
}

/*
 * Regression: val_json_body promises valid UTF-8 (lib/validate.h) but relies
 * on json-c's JSON_TOKENER_VALIDATE_UTF8 (lib/validate.c:168), which only
 * checks the byte pattern: overlong forms, UTF-16 surrogates and code
 * points past U+10FFFF pass (val_utf8 rejects them all), and reach the
 * database (utf8mb4) as a reason.
 */
Test(validate, bad_json_body_rejects_overlong_surrogate_and_out_of_range_utf8)
{
	cr_expect_eq(body_rc("{\"reason\":\"\xc0\xaf\"}"), APP_EBADJSON,
	    "Regression: overlong C0 AF accepted");
	cr_expect_eq(body_rc("{\"reason\":\"\xe0\x80\xaf\"}"), APP_EBADJSON,
	    "Regression: overlong E0 80 AF accepted");
	cr_expect_eq(body_rc("{\"reason\":\"\xf0\x80\x80\xaf\"}"), APP_EBADJSON,
	    "Regression: overlong F0 80 80 AF accepted");
	cr_expect_eq(body_rc("{\"reason\":\"\xed\xa0\x80\"}"), APP_EBADJSON,
	    "Regression: encoded surrogate U+D800 accepted");
	cr_expect_eq(body_rc("{\"reason\":\"\xed\xbf\xbf\"}"), APP_EBADJSON,
	    "Regression: encoded surrogate U+DFFF accepted");
	cr_expect_eq(body_rc("{\"reason\":\"\xf4\x90\x80\x80\"}"), APP_EBADJSON,
	    "Regression: U+110000 accepted");
	cr_expect_eq(body_rc("{\"reason\":\"\xf5\x80\x80\x80\"}"), APP_EBADJSON,
	    "Regression: lead byte F5 accepted");
	cr_expect_eq(body_rc("{\"\xc0\xaf\":1}"), APP_EBADJSON,
	    "Regression: overlong C0 AF in a key accepted");
}

Test(validate, json_body_accepts_bulk_shape_depth)
{
	/* The deepest legitimate body: object > array > object. */
	cr_assert_eq(body_rc("{\"assignments\":[{\"patient_id\":1,\"olcm_user_id\":2}]}"),
	    APP_OK);
}

Test(validate, json_body_accepts_depth_15)
{
	char *b = nested_objects(15);

	cr_assert_eq(body_rc(b), APP_OK);
	free(b);
}

/*
 * Regression: VAL_JSON_DEPTH is 16, but json_tokener_new_ex(16)
 * (lib/validate.c:166) only lets 15 levels through: json-c refuses when
 * depth >= max_depth - 1. A body nested exactly 16 deep is refused.
 */
Test(validate, json_body_accepts_depth_16)
{
	char *b = nested_objects(VAL_JSON_DEPTH);

	cr_expect_eq(body_rc(b), APP_OK,
	    "Regression: a body nested %d deep (VAL_JSON_DEPTH) is refused", VAL_JSON_DEPTH);
	free(b);
}

Test(validate, bad_json_body_rejects_depth_17)
{
	char *b = nested_objects(VAL_JSON_DEPTH + 1);

	cr_assert_eq(body_rc(b), APP_EBADJSON);
	free(b);
}

Test(validate, bad_json_body_rejects_deep_arrays)
{
	/* {"a":[[[...1...]]]} with 17 levels in all */
	char b[64], *p = b;
	int i;

	memcpy(p, "{\"a\":", 5);
	p += 5;
	for (i = 0; i < VAL_JSON_DEPTH; i++)
		*p++ = '[';
	*p++ = '1';
	for (i = 0; i < VAL_JSON_DEPTH; i++)
		*p++ = ']';
	*p++ = '}';
	*p = '\0';
	cr_assert_eq(body_rc(b), APP_EBADJSON);
}

Test(validate, bad_json_body_rejects_very_deep)
{
	char *b = nested_objects(10000);

	cr_assert_eq(body_rc(b), APP_EBADJSON);
	free(b);
}

/* ---- val_add ---------------------------------------------------------- */

Test(validate, add_appends_messages_in_order)
{
	struct json_object *e = json_object_new_array();

	cr_assert_eq(val_add(e, "first"), APP_OK);
	cr_assert_eq(val_add(e, "second"), APP_OK);
	cr_assert_str_eq(errs_str(e), "[\"first\",\"second\"]");
	json_object_put(e);
}

/* ---- val_assign ------------------------------------------------------- */

struct checked {
	int n;
	struct lcm_change c;
	char errors[2048];
};

/* Run val_assign (remove = 0) or val_remove (remove = 1) on JSON text. */
static struct checked
check_body(const char *json, int remove)
{
	struct json_object *o = parse(json), *e = json_object_new_array();
	struct checked r;

	memset(&r, 0, sizeof(r));
	r.n = remove ? val_remove(o, &r.c, e) : val_assign(o, &r.c, e);
	strncpy(r.errors, errs_str(e), sizeof(r.errors) - 1);
	/* The reason is borrowed from o: keep only whether there was one. */
	if (r.c.reason != NULL)
		r.c.reason = "(present)";
	json_object_put(e);
	json_object_put(o);
	return r;
}

Test(validate, assign_accepts_olcm_only)
{
	struct checked r = check_body("{\"patient_id\":123,\"olcm_user_id\":101}", 0);

	cr_assert_eq(r.n, 0);
	cr_assert_str_eq(r.errors, "[]");
	cr_assert_eq(r.c.patient_id, 123);
	cr_assert_eq(r.c.given[ROLE_OLCM], 1);
	cr_assert_eq(r.c.user[ROLE_OLCM], 101);
	cr_assert_eq(r.c.given[ROLE_ILCM], 0);
	cr_assert_null(r.c.reason);
	cr_assert_eq(r.c.reason_len, 0);
}

Test(validate, assign_accepts_both_and_reason)
{
	struct json_object *o = parse("{\"patient_id\":123,\"olcm_user_id\":101,"
	    "\"ilcm_user_id\":102,\"reason\":\"rebalance\"}");
	struct json_object *e = json_object_new_array();
	struct lcm_change c;

	cr_assert_eq(val_assign(o, &c, e), 0);
	cr_assert_eq(c.patient_id, 123);
	cr_assert_eq(c.given[ROLE_OLCM], 1);
	cr_assert_eq(c.user[ROLE_OLCM], 101);
	cr_assert_eq(c.given[ROLE_ILCM], 1);
	cr_assert_eq(c.user[ROLE_ILCM], 102);
	cr_assert_not_null(c.reason);
	cr_assert_eq(c.reason_len, 9);
	cr_assert_eq(memcmp(c.reason, "rebalance", 9), 0);
	json_object_put(e);
	json_object_put(o);
}

Test(validate, assign_null_id_is_absent)
{
	struct checked r = check_body(
	    "{\"patient_id\":123,\"olcm_user_id\":null,\"ilcm_user_id\":102}", 0);

	cr_assert_eq(r.n, 0);
	cr_assert_str_eq(r.errors, "[]");
	cr_assert_eq(r.c.given[ROLE_OLCM], 0);
	cr_assert_eq(r.c.given[ROLE_ILCM], 1);
	cr_assert_eq(r.c.user[ROLE_ILCM], 102);
}

Test(validate, assign_null_reason_is_absent)
{
	struct checked r = check_body(
	    "{\"patient_id\":123,\"olcm_user_id\":101,\"reason\":null}", 0);

	cr_assert_eq(r.n, 0);
	cr_assert_null(r.c.reason);
	cr_assert_eq(r.c.reason_len, 0);
}

Test(validate, assign_ignores_unknown_fields)
{
	struct checked r = check_body("{\"patient_id\":123,\"olcm_user_id\":101,"
	    "\"foo\":\"bar\",\"provider_id\":\"x\",\"nested\":{\"a\":[1,2]}}", 0);

	cr_assert_eq(r.n, 0);
	cr_assert_str_eq(r.errors, "[]");
}

Test(validate, assign_accepts_500_multibyte_reason)
{
	char *t = repeat("\xc3\xa9", 500);
	struct json_object *o = parse("{\"patient_id\":1,\"olcm_user_id\":2}");
	struct json_object *e = json_object_new_array();
	struct lcm_change c;

	json_object_object_add(o, "reason", json_object_new_string(t));
	cr_assert_eq(val_assign(o, &c, e), 0);
	cr_assert_eq(c.reason_len, 1000);
	json_object_put(e);
	json_object_put(o);
	free(t);
}

Test(validate, bad_assign_rejects_501_multibyte_reason)
{
	char *t = repeat("\xc3\xa9", 501);
	struct json_object *o = parse("{\"patient_id\":1,\"olcm_user_id\":2}");
	struct json_object *e = json_object_new_array();
	struct lcm_change c;

	json_object_object_add(o, "reason", json_object_new_string(t));
	cr_assert_eq(val_assign(o, &c, e), 1);
	cr_assert_str_eq(errs_str(e), "[\"reason must be a string of at most 500 characters\"]");
	cr_assert_null(c.reason);
	cr_assert_eq(c.reason_len, 0);
	json_object_put(e);
	json_object_put(o);
	free(t);
}

Test(validate, bad_assign_rejects_non_string_reason)
{
	struct checked r = check_body(
	    "{\"patient_id\":123,\"olcm_user_id\":101,\"reason\":42}", 0);

	cr_assert_eq(r.n, 1);
	cr_assert_str_eq(r.errors, "[\"reason must be a string of at most 500 characters\"]");
}

Test(validate, bad_assign_rejects_empty_body)
{
	struct checked r = check_body("{}", 0);

	cr_assert_eq(r.n, 2);
	cr_assert_str_eq(r.errors, "[\"patient_id is required\","
	    "\"At least one of olcm_user_id or ilcm_user_id must be provided\"]");
}

Test(validate, bad_assign_rejects_no_lcm)
{
	struct checked r = check_body("{\"patient_id\":123}", 0);

	cr_assert_eq(r.n, 1);
	cr_assert_str_eq(r.errors,
	    "[\"At least one of olcm_user_id or ilcm_user_id must be provided\"]");
}

Test(validate, bad_assign_rejects_both_lcm_null)
{
	struct checked r = check_body(
	    "{\"patient_id\":123,\"olcm_user_id\":null,\"ilcm_user_id\":null}", 0);

	cr_assert_eq(r.n, 1);
	cr_assert_str_eq(r.errors,
	    "[\"At least one of olcm_user_id or ilcm_user_id must be provided\"]");
}

Test(validate, bad_assign_rejects_null_patient)
{
	struct checked r = check_body("{\"patient_id\":null,\"olcm_user_id\":101}", 0);

	cr_assert_eq(r.n, 1);
	cr_assert_str_eq(r.errors, "[\"patient_id is required\"]");
}

Test(validate, bad_assign_rejects_string_patient_id)
{
	struct checked r = check_body("{\"patient_id\":\"123\",\"olcm_user_id\":101}", 0);

	cr_assert_eq(r.n, 1);
	cr_assert_str_eq(r.errors, "[\"patient_id must be a positive integer\"]");
}

Test(validate, bad_assign_rejects_bad_patient_ids)
{
	static const char *const bodies[] = {
		"{\"patient_id\":1.0,\"olcm_user_id\":101}",
		"{\"patient_id\":1e2,\"olcm_user_id\":101}",
		"{\"patient_id\":true,\"olcm_user_id\":101}",
		"{\"patient_id\":0,\"olcm_user_id\":101}",
		"{\"patient_id\":-5,\"olcm_user_id\":101}",
		"{\"patient_id\":9223372036854775808,\"olcm_user_id\":101}",
	};
	size_t i;

	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		struct checked r = check_body(bodies[i], 0);

		cr_expect_eq(r.n, 1, "%s", bodies[i]);
		cr_expect_str_eq(r.errors, "[\"patient_id must be a positive integer\"]",
		    "%s", bodies[i]);
	}
}

Test(validate, bad_assign_rejects_bad_olcm_user_id)
{
	struct checked r = check_body("{\"patient_id\":123,\"olcm_user_id\":\"101\"}", 0);

	/* A bad id is not an absent one: no "at least one" message. */
	cr_assert_eq(r.n, 1);
	cr_assert_str_eq(r.errors, "[\"olcm_user_id must be a positive integer\"]");
	cr_assert_eq(r.c.given[ROLE_OLCM], 0);
}

Test(validate, bad_assign_rejects_bad_ilcm_user_id)
{
	struct checked r = check_body("{\"patient_id\":123,\"ilcm_user_id\":0}", 0);

	cr_assert_eq(r.n, 1);
	cr_assert_str_eq(r.errors, "[\"ilcm_user_id must be a positive integer\"]");
}

Test(validate, bad_assign_reports_every_problem_in_order)
{
	struct checked r = check_body("{\"patient_id\":-1,\"olcm_user_id\":1.5,"
	    "\"ilcm_user_id\":true,\"reason\":[]}", 0);

	cr_assert_eq(r.n, 4);
	cr_assert_str_eq(r.errors, "[\"patient_id must be a positive integer\","
	    "\"olcm_user_id must be a positive integer\","
	    "\"ilcm_user_id must be a positive integer\","
	    "\"reason must be a string of at most 500 characters\"]");
}

Test(validate, assign_accepts_int64_max_ids)
{
	struct checked r = check_body("{\"patient_id\":9223372036854775807,"
	    "\"ilcm_user_id\":9223372036854775807}", 0);

	cr_assert_eq(r.n, 0);
	cr_assert_eq(r.c.patient_id, INT64_MAX);
	cr_assert_eq(r.c.user[ROLE_ILCM], INT64_MAX);
}

/* ---- val_remove ------------------------------------------------------- */

Test(validate, remove_accepts_olcm)
{
	struct checked r = check_body("{\"patient_id\":123,\"role\":\"olcm\"}", 1);

	cr_assert_eq(r.n, 0);
	cr_assert_str_eq(r.errors, "[]");
	cr_assert_eq(r.c.patient_id, 123);
	cr_assert_eq(r.c.given[ROLE_OLCM], 1);
	cr_assert_eq(r.c.user[ROLE_OLCM], 0);
	cr_assert_eq(r.c.given[ROLE_ILCM], 0);
}

Test(validate, remove_accepts_ilcm_with_reason)
{
	struct checked r = check_body(
	    "{\"patient_id\":123,\"role\":\"ilcm\",\"reason\":\"left\",\"x\":1}", 1);

	cr_assert_eq(r.n, 0);
	cr_assert_eq(r.c.given[ROLE_ILCM], 1);
	cr_assert_eq(r.c.user[ROLE_ILCM], 0);
	cr_assert_eq(r.c.given[ROLE_OLCM], 0);
	cr_assert_not_null(r.c.reason);
	cr_assert_eq(r.c.reason_len, 4);
}

Test(validate, bad_remove_rejects_other_role)
{
	static const char *const bodies[] = {
		"{\"patient_id\":123,\"role\":\"other\"}",
		"{\"patient_id\":123,\"role\":\"OLCM\"}",
		"{\"patient_id\":123,\"role\":\"\"}",
		"{\"patient_id\":123,\"role\":1}",
		"{\"patient_id\":123,\"role\":[\"olcm\"]}",
	};
	size_t i;

	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		struct checked r = check_body(bodies[i], 1);

		cr_expect_eq(r.n, 1, "%s", bodies[i]);
		cr_expect_str_eq(r.errors, "[\"role must be olcm or ilcm\"]", "%s", bodies[i]);
		cr_expect_eq(r.c.given[ROLE_OLCM] + r.c.given[ROLE_ILCM], 0, "%s", bodies[i]);
	}
}

Test(validate, bad_remove_rejects_missing_role)
{
	struct checked r = check_body("{\"patient_id\":123}", 1);

	cr_assert_eq(r.n, 1);
	cr_assert_str_eq(r.errors, "[\"role is required\"]");
}

Test(validate, bad_remove_rejects_null_role)
{
	struct checked r = check_body("{\"patient_id\":123,\"role\":null}", 1);

	cr_assert_eq(r.n, 1);
	cr_assert_str_eq(r.errors, "[\"role is required\"]");
}

Test(validate, bad_remove_rejects_bad_patient_id)
{
	struct checked r = check_body("{\"patient_id\":\"123\",\"role\":\"olcm\"}", 1);

	cr_assert_eq(r.n, 1);
	cr_assert_str_eq(r.errors, "[\"patient_id must be a positive integer\"]");
}

Test(validate, bad_remove_reports_every_problem_in_order)
{
	char *t = repeat("x", 501);
	struct json_object *o = parse("{}");
	struct json_object *e = json_object_new_array();
	struct lcm_change c;

	json_object_object_add(o, "reason", json_object_new_string(t));
	cr_assert_eq(val_remove(o, &c, e), 3);
	cr_assert_str_eq(errs_str(e), "[\"patient_id is required\",\"role is required\","
	    "\"reason must be a string of at most 500 characters\"]");
	json_object_put(e);
	json_object_put(o);
	free(t);
}

/* ---- val_list_query --------------------------------------------------- */

struct listed {
	int n;
	struct lcm_list_query q;
	char search[1024];
	int has_search;
	char errors[1024];
};

static struct listed
list_query_sz(const char *qs, size_t searchsz)
{
	struct json_object *e = json_object_new_array();
	static char buf[1024];
	struct listed r;

	cr_assert(searchsz <= sizeof(buf));
	memset(&r, 0, sizeof(r));
	memset(buf, 0, sizeof(buf));
	r.n = val_list_query(qs, &r.q, buf, searchsz, e);
	if (r.q.search != NULL) {
		cr_assert_eq(r.q.search, buf, "search must point into searchbuf");
		r.has_search = 1;
		strncpy(r.search, r.q.search, sizeof(r.search) - 1);
		r.q.search = NULL;
	}
	strncpy(r.errors, errs_str(e), sizeof(r.errors) - 1);
	json_object_put(e);
	return r;
}

static struct listed
list_query(const char *qs)
{
	return list_query_sz(qs, 1024);
}

Test(validate, list_query_defaults)
{
	struct listed r = list_query("");

	cr_assert_eq(r.n, 0);
	cr_assert_str_eq(r.errors, "[]");
	cr_assert_eq(r.q.page, 1);
	cr_assert_eq(r.q.per_page, 25);
	cr_assert_eq(r.has_search, 0);
	cr_assert_eq(r.q.role, -1);
}

Test(validate, list_query_reads_every_parameter)
{
	struct listed r = list_query("page=3&per_page=50&search=Jane&role=ilcm");

	cr_assert_eq(r.n, 0);
	cr_assert_eq(r.q.page, 3);
	cr_assert_eq(r.q.per_page, 50);
	cr_assert_eq(r.has_search, 1);
	cr_assert_str_eq(r.search, "Jane");
	cr_assert_eq(r.q.role, ROLE_ILCM);
}

Test(validate, list_query_role_olcm)
{
	struct listed r = list_query("role=olcm");

	cr_assert_eq(r.n, 0);
	cr_assert_eq(r.q.role, ROLE_OLCM);
}

Test(validate, list_query_per_page_bounds_accepted)
{
	struct listed a = list_query("per_page=1"), b = list_query("per_page=100");

	cr_assert_eq(a.n, 0);
	cr_assert_eq(a.q.per_page, 1);
	cr_assert_eq(b.n, 0);
	cr_assert_eq(b.q.per_page, 100);
}

Test(validate, list_query_page_int64_max_accepted)
{
	struct listed r = list_query("page=9223372036854775807");

	cr_assert_eq(r.n, 0);
	cr_assert_eq(r.q.page, INT64_MAX);
}

Test(validate, list_query_last_occurrence_wins)
{
	struct listed a = list_query("page=2&page=3");
	struct listed b = list_query("page=abc&page=2");

	cr_assert_eq(a.n, 0);
	cr_assert_eq(a.q.page, 3);
	cr_assert_eq(b.n, 0);
	cr_assert_eq(b.q.page, 2);
}

Test(validate, list_query_ignores_unknown_parameters)
{
	struct listed r = list_query("foo=bar&page=2&sort=name");

	cr_assert_eq(r.n, 0);
	cr_assert_eq(r.q.page, 2);
}

Test(validate, bad_list_query_rejects_bad_page)
{
	static const char *const qs[] = {
		"page=0", "page=-1", "page=abc", "page=1.5", "page=", "page",
		"page=+1", "page=%2B1", "page=1e2", "page=9223372036854775808",
		"page=99999999999999999999",
		"page=1234567890123456789012345678901234567890",  /* too long */
	};
	size_t i;

	for (i = 0; i < sizeof(qs) / sizeof(qs[0]); i++) {
		struct listed r = list_query(qs[i]);

		cr_expect_eq(r.n, 1, "%s", qs[i]);
		cr_expect_str_eq(r.errors, "[\"page must be a positive integer\"]", "%s", qs[i]);
	}
}

Test(validate, bad_list_query_rejects_bad_per_page)
{
	static const char *const qs[] = {
		"per_page=0", "per_page=101", "per_page=-1", "per_page=abc", "per_page=1.5",
		"per_page=", "per_page=1000", "per_page=9223372036854775808",
	};
	size_t i;

	for (i = 0; i < sizeof(qs) / sizeof(qs[0]); i++) {
		struct listed r = list_query(qs[i]);

		cr_expect_eq(r.n, 1, "%s", qs[i]);
		cr_expect_str_eq(r.errors, "[\"per_page must be an integer between 1 and 100\"]",
		    "%s", qs[i]);
	}
}

Test(validate, bad_list_query_rejects_other_role)
{
	static const char *const qs[] = {
		"role=other", "role=OLCM", "role=olcm+", "role=both",
		"role=averyveryverylongrolename",  /* too long for the buffer */
	};
	size_t i;

	for (i = 0; i < sizeof(qs) / sizeof(qs[0]); i++) {
		struct listed r = list_query(qs[i]);

		cr_expect_eq(r.n, 1, "%s", qs[i]);
		cr_expect_str_eq(r.errors, "[\"role must be olcm or ilcm\"]", "%s", qs[i]);
		cr_expect_eq(r.q.role, -1, "%s", qs[i]);
	}
}

Test(validate, bad_list_query_empty_role_is_another_value)
{
	struct listed a = list_query("role="), b = list_query("role");

	cr_assert_eq(a.n, 1);
	cr_assert_str_eq(a.errors, "[\"role must be olcm or ilcm\"]");
	cr_assert_eq(b.n, 1);
	cr_assert_str_eq(b.errors, "[\"role must be olcm or ilcm\"]");
}

Test(validate, bad_list_query_reports_every_problem_in_order)
{
	struct listed r = list_query("role=x&per_page=0&page=0");

	cr_assert_eq(r.n, 3);
	cr_assert_str_eq(r.errors, "[\"page must be a positive integer\","
	    "\"per_page must be an integer between 1 and 100\","
	    "\"role must be olcm or ilcm\"]");
}

Test(validate, list_query_decodes_search_plus)
{
	struct listed r = list_query("search=Jane+Doe");

	cr_assert_eq(r.n, 0);
	cr_assert_str_eq(r.search, "Jane Doe");
}

Test(validate, list_query_decodes_search_percent)
{
	struct listed a = list_query("search=50%25+off");
	struct listed b = list_query("search=a%2Bb%26c%3Dd");
	struct listed c = list_query("search=caf%C3%A9");
	struct listed d = list_query("search=%5f%5C");

	cr_assert_str_eq(a.search, "50% off");
	cr_assert_str_eq(b.search, "a+b&c=d");
	cr_assert_str_eq(c.search, "caf\xc3\xa9");
	cr_assert_str_eq(d.search, "_\\");
	cr_assert_eq(a.n + b.n + c.n + d.n, 0);
}

Test(validate, list_query_empty_search_is_empty_string)
{
	struct listed r = list_query("search=");

	cr_assert_eq(r.n, 0);
	cr_assert_eq(r.has_search, 1);
	cr_assert_str_eq(r.search, "");
}

Test(validate, bad_list_query_bad_escape_names_its_parameter)
{
	static const struct {
		const char *qs, *errors;
	} cases[] = {
		{"search=%zz", "[\"search must be UTF-8 text\"]"},
		{"search=%", "[\"search must be UTF-8 text\"]"},
		{"search=%4", "[\"search must be UTF-8 text\"]"},
		{"search=abc%", "[\"search must be UTF-8 text\"]"},
		{"search=%00", "[\"search must be UTF-8 text\"]"},
		{"page=%zz", "[\"page must be a positive integer\"]"},
		{"page=1%00", "[\"page must be a positive integer\"]"},
		{"per_page=%1", "[\"per_page must be an integer between 1 and 100\"]"},
		{"role=%zz", "[\"role must be olcm or ilcm\"]"},
		{"role=olcm%00", "[\"role must be olcm or ilcm\"]"},
		{"page=0&search=%zz",
		    "[\"page must be a positive integer\",\"search must be UTF-8 text\"]"},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct listed r = list_query(cases[i].qs);

		cr_expect_gt(r.n, 0, "%s", cases[i].qs);
		cr_expect_str_eq(r.errors, cases[i].errors, "%s", cases[i].qs);
		cr_expect_eq(r.has_search, 0, "%s", cases[i].qs);
	}
}

Test(validate, bad_list_query_invalid_utf8_search_refused)
{
	static const char *const qs[] = {
		"search=%C3", "search=%C0%AF", "search=%ED%A0%80", "search=%FF", "search=%80",
	};
	size_t i;

	for (i = 0; i < sizeof(qs) / sizeof(qs[0]); i++) {
		struct listed r = list_query(qs[i]);

		cr_expect_eq(r.n, 1, "%s", qs[i]);
		cr_expect_str_eq(r.errors, "[\"search must be UTF-8 text\"]", "%s", qs[i]);
	}
}

Test(validate, list_query_search_200_chars_accepted)
{
	char qs[1024] = "search=", *a = repeat("a", 200);
	struct listed r;

	strcat(qs, a);
	r = list_query(qs);
	cr_assert_eq(r.n, 0);
	cr_assert_eq(strlen(r.search), 200);
	free(a);
}

Test(validate, list_query_search_200_multibyte_chars_accepted)
{
	char qs[2048] = "search=", *e = repeat("%C3%A9", 200);
	struct listed r;

	strcat(qs, e);
	r = list_query(qs);
	cr_assert_eq(r.n, 0, "%s", r.errors);
	cr_assert_eq(strlen(r.search), 400);
	free(e);
}

Test(validate, bad_list_query_rejects_search_201_chars)
{
	char qs[1024] = "search=", *a = repeat("a", 201);
	struct listed r;

	strcat(qs, a);
	r = list_query(qs);
	cr_assert_eq(r.n, 1);
	cr_assert_str_eq(r.errors, "[\"search must be at most 200 characters\"]");
	free(a);
}

Test(validate, bad_list_query_rejects_search_201_multibyte_chars)
{
	char qs[2048] = "search=", *e = repeat("%C3%A9", 201);
	struct listed r;

	strcat(qs, e);
	r = list_query(qs);
	cr_assert_eq(r.n, 1);
	cr_assert_str_eq(r.errors, "[\"search must be at most 200 characters\"]");
	free(e);
}

Test(validate, bad_list_query_rejects_search_too_long_for_buffer)
{
	struct listed r = list_query_sz("search=abcdefghijklmnopqrstuvwxyz", 16);

	cr_assert_eq(r.n, 1);
	cr_assert_str_eq(r.errors, "[\"search must be at most 200 characters\"]");
}

/* ---- escapes json-c cannot carry -------------------------------------- */

Test(validate, json_body_nul_in_key_stays_an_unknown_field)
{
	static const char body[] = "{\"patient_id\\u0000x\":124,\"olcm_user_id\":101}";
	struct json_object *o = NULL, *v;

	cr_assert_eq(val_json_body(body, sizeof(body) - 1, &o), APP_OK);
	cr_expect(!json_object_object_get_ex(o, "patient_id", &v),
	    "a key with a NUL must not read back as patient_id");
	cr_expect(json_object_object_get_ex(o, "patient_id\xe2\x90\x80x", &v));
	json_object_put(o);
}

Test(validate, bad_json_body_lone_surrogate_value_fails_its_field)
{
	static const char *const bodies[] = {
		"{\"reason\":\"\\ud800\"}",
		"{\"reason\":\"x\\udc00y\"}",
		"{\"reason\":\"\\ud83d\\ude00\\ude00\"}",
	};
	struct json_object *o;
	const char *s;
	size_t i, len;

	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		o = NULL;
		cr_assert_eq(val_json_body(bodies[i], strlen(bodies[i]), &o), APP_OK, "%s", bodies[i]);
		cr_expect_eq(val_json_text(o, "reason", VAL_REASON_MAX, &s, &len), VAL_BAD,
		    "%s must not pass as text", bodies[i]);
		json_object_put(o);
	}
}

Test(validate, json_body_surrogate_pair_is_kept)
{
	static const char body[] = "{\"reason\":\"\\ud83d\\ude00\"}";
	struct json_object *o = NULL;
	const char *s;
	size_t len;

	cr_assert_eq(val_json_body(body, sizeof(body) - 1, &o), APP_OK);
	cr_expect_eq(val_json_text(o, "reason", VAL_REASON_MAX, &s, &len), VAL_OK);
	cr_expect_eq(len, 4);
	cr_expect_eq(memcmp(s, "\xf0\x9f\x98\x80", 4), 0);
	json_object_put(o);
}

/* ---- val_request_id ---------------------------------------------------- */

Test(validate, request_id_accepts_nginx_ids)
{
	cr_expect(val_request_id("b06054ebf1a22a67b624b63848c78dda"));
	cr_expect(val_request_id("w123-6543abcd-1f"));
	cr_expect(val_request_id("a.b_c-D"));
}

Test(validate, bad_request_id_rejected)
{
	char longest[65], too_long[66];

	memset(longest, 'a', 64);
	longest[64] = '\0';
	memset(too_long, 'a', 65);
	too_long[65] = '\0';
	cr_expect(val_request_id(longest));
	cr_expect(!val_request_id(too_long));
	cr_expect(!val_request_id(NULL));
	cr_expect(!val_request_id(""));
	cr_expect(!val_request_id("abc def"));
	cr_expect(!val_request_id("abc#1"));
	cr_expect(!val_request_id("abc\n"));
	cr_expect(!val_request_id("é"));
}
