/*
 * Unit tests for lib/http/json_in.c: the strict JSON recogniser and the request
 * body parser built on it.
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
#include "json_in.h"
#include "rules.h"

/* json_in_body on a C string; returns the result and releases the object. */
static enum app_err
body_rc(const char *s)
{
	struct json_object *o = (struct json_object *)0x1;
	enum app_err rc = json_in_body(s, strlen(s), &o, NULL, 0);

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

/* ---- json_in_body ---------------------------------------------------- */

Test(json_in, json_body_accepts_object)
{
	struct json_object *o = NULL;
	const char *b = "{\"patient_id\":123,\"olcm_user_id\":101}";

	cr_assert_eq(json_in_body(b, strlen(b), &o, NULL, 0), APP_OK);
	cr_assert_not_null(o);
	cr_assert(json_object_is_type(o, json_type_object));
	cr_assert_eq(json_object_get_int64(json_object_object_get(o, "patient_id")), 123);
	json_object_put(o);
}

Test(json_in, json_body_accepts_surrounding_whitespace)
{
	cr_assert_eq(body_rc("{}"), APP_OK);
	cr_assert_eq(body_rc(" \t\r\n{} \t\r\n"), APP_OK);
}

Test(json_in, json_body_accepts_valid_multibyte_utf8)
{
	cr_assert_eq(body_rc("{\"reason\":\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"}"), APP_OK);
}

Test(json_in, json_body_respects_len)
{
	struct json_object *o = NULL;

	/* Only the first 2 bytes are the body. */
	cr_assert_eq(json_in_body("{}garbage", 2, &o, NULL, 0), APP_OK);
	json_object_put(o);
}

Test(json_in, bad_json_body_rejects_empty)
{
	struct json_object *o = (struct json_object *)0x1;

	cr_assert_eq(json_in_body("", 0, &o, NULL, 0), APP_EBADJSON);
	cr_assert_null(o);
	o = (struct json_object *)0x1;
	cr_assert_eq(json_in_body(NULL, 0, &o, NULL, 0), APP_EBADJSON);
	cr_assert_null(o);
	cr_assert_eq(body_rc("   "), APP_EBADJSON);
}

Test(json_in, bad_json_body_rejects_trailing_garbage)
{
	cr_assert_eq(body_rc("{} x"), APP_EBADJSON);
	cr_assert_eq(body_rc("{}x"), APP_EBADJSON);
	cr_assert_eq(body_rc("{}{}"), APP_EBADJSON);
	cr_assert_eq(body_rc("{\"a\":1}}"), APP_EBADJSON);
	cr_assert_eq(body_rc("{\"a\":1},"), APP_EBADJSON);
}

Test(json_in, bad_json_body_rejects_nul_after_object)
{
	struct json_object *o = NULL;

	cr_assert_eq(json_in_body("{}\0", 3, &o, NULL, 0), APP_EBADJSON);
	cr_assert_null(o);
}

Test(json_in, bad_json_body_rejects_non_objects)
{
	cr_assert_eq(body_rc("[]"), APP_EBADJSON);
	cr_assert_eq(body_rc("[{\"patient_id\":1}]"), APP_EBADJSON);
	cr_assert_eq(body_rc("\"text\""), APP_EBADJSON);
	cr_assert_eq(body_rc("123"), APP_EBADJSON);
	cr_assert_eq(body_rc("123 "), APP_EBADJSON);
	cr_assert_eq(body_rc("true"), APP_EBADJSON);
	cr_assert_eq(body_rc("null"), APP_EBADJSON);
}

Test(json_in, bad_json_body_rejects_malformed)
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
 * Regression: json_in_body promises strict JSON (lib/http/json_in.h, and
 * DECISIONS.md: 400 when the body is not valid JSON), but json-c 0.16's
 * JSON_TOKENER_STRICT (lib/http/json_in.c) still lets these non-JSON forms
 * through: single-quoted keys, NaN / Infinity, a number ending in '.', and
 * raw control characters inside strings (RFC 8259 requires them escaped).
 */
Test(json_in, bad_json_body_rejects_non_json_that_json_c_accepts)
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

Test(json_in, bad_json_body_rejects_invalid_utf8_bytes)
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
 * Regression: json_in_body promises valid UTF-8 (lib/http/json_in.h) but relies
 * on json-c's JSON_TOKENER_VALIDATE_UTF8 (lib/http/json_in.c), which only
 * checks the byte pattern: overlong forms, UTF-16 surrogates and code
 * points past U+10FFFF pass (val_utf8 rejects them all), and reach the
 * database (utf8mb4) as a reason.
 */
Test(json_in, bad_json_body_rejects_overlong_surrogate_and_out_of_range_utf8)
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

Test(json_in, json_body_accepts_bulk_shape_depth)
{
	/* The deepest legitimate body: object > array > object. */
	cr_assert_eq(body_rc("{\"assignments\":[{\"patient_id\":1,\"olcm_user_id\":2}]}"),
	    APP_OK);
}

Test(json_in, json_body_accepts_depth_15)
{
	char *b = nested_objects(15);

	cr_assert_eq(body_rc(b), APP_OK);
	free(b);
}

/*
 * Regression: JSON_IN_DEPTH is 16, but json_tokener_new_ex(16)
 * (lib/http/json_in.c) only lets 15 levels through: json-c refuses when
 * depth >= max_depth - 1. A body nested exactly 16 deep is refused.
 */
Test(json_in, json_body_accepts_depth_16)
{
	char *b = nested_objects(JSON_IN_DEPTH);

	cr_expect_eq(body_rc(b), APP_OK,
	    "Regression: a body nested %d deep (JSON_IN_DEPTH) is refused", JSON_IN_DEPTH);
	free(b);
}

Test(json_in, bad_json_body_rejects_depth_17)
{
	char *b = nested_objects(JSON_IN_DEPTH + 1);

	cr_assert_eq(body_rc(b), APP_EBADJSON);
	free(b);
}

Test(json_in, bad_json_body_rejects_deep_arrays)
{
	/* {"a":[[[...1...]]]} with 17 levels in all */
	char b[64], *p = b;
	int i;

	memcpy(p, "{\"a\":", 5);
	p += 5;
	for (i = 0; i < JSON_IN_DEPTH; i++)
		*p++ = '[';
	*p++ = '1';
	for (i = 0; i < JSON_IN_DEPTH; i++)
		*p++ = ']';
	*p++ = '}';
	*p = '\0';
	cr_assert_eq(body_rc(b), APP_EBADJSON);
}

Test(json_in, bad_json_body_rejects_very_deep)
{
	char *b = nested_objects(10000);

	cr_assert_eq(body_rc(b), APP_EBADJSON);
	free(b);
}

/* ---- escapes json-c cannot carry -------------------------------------- */

Test(json_in, json_body_nul_in_key_stays_an_unknown_field)
{
	static const char body[] = "{\"patient_id\\u0000x\":124,\"olcm_user_id\":101}";
	struct json_object *o = NULL, *v;

	cr_assert_eq(json_in_body(body, sizeof(body) - 1, &o, NULL, 0), APP_OK);
	cr_expect(!json_object_object_get_ex(o, "patient_id", &v),
	    "a key with a NUL must not read back as patient_id");
	cr_expect(json_object_object_get_ex(o, "patient_id\xe2\x90\x80x", &v));
	json_object_put(o);
}

Test(json_in, bad_json_body_lone_surrogate_value_fails_its_field)
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
		cr_assert_eq(json_in_body(bodies[i], strlen(bodies[i]), &o, NULL, 0), APP_OK, "%s", bodies[i]);
		cr_expect_eq(check_json_text(o, "reason", VAL_REASON_MAX, &s, &len), CHECK_BAD,
		    "%s must not pass as text", bodies[i]);
		json_object_put(o);
	}
}

Test(json_in, json_body_surrogate_pair_is_kept)
{
	static const char body[] = "{\"reason\":\"\\ud83d\\ude00\"}";
	struct json_object *o = NULL;
	const char *s;
	size_t len;

	cr_assert_eq(json_in_body(body, sizeof(body) - 1, &o, NULL, 0), APP_OK);
	cr_expect_eq(check_json_text(o, "reason", VAL_REASON_MAX, &s, &len), CHECK_OK);
	cr_expect_eq(len, 4);
	cr_expect_eq(memcmp(s, "\xf0\x9f\x98\x80", 4), 0);
	json_object_put(o);
}

/* ---- what a 400 says ----------------------------------------------------- */

/* json_in_body's message for s (which must fail). */
static const char *
body_msg(const char *s, size_t n)
{
	static char msg[160];
	struct json_object *o = NULL;

	cr_expect_eq(json_in_body(s, n, &o, msg, sizeof(msg)), APP_EBADJSON, "%s", s);
	cr_expect_null(o);
	return msg;
}

Test(json_in, bad_json_body_says_not_an_object)
{
	cr_expect_str_eq(body_msg("[1]", 3), "Request body must be a JSON object");
	cr_expect_str_eq(body_msg("{\"a\":}", 6), "Request body must be a JSON object");
	cr_expect_str_eq(body_msg("\xff", 1), "Request body must be a JSON object");
}

/*
 * Regression (issue 12): a body nested past the limit was answered "Request
 * body must be a JSON object", which it was.
 */
Test(json_in, bad_json_body_says_nested_too_deeply)
{
	char *b = nested_objects(JSON_IN_DEPTH + 1), deep[4096];

	cr_expect_str_eq(body_msg(b, strlen(b)), "JSON nested too deeply (more than 16 levels)");
	free(b);
	memset(deep, '[', sizeof(deep));
	cr_expect_str_eq(body_msg(deep, sizeof(deep)), "JSON nested too deeply (more than 16 levels)");
	/* A syntax error met before the depth is a syntax error. */
	cr_expect_str_eq(body_msg("{\"a\":x[[[[[[[[[[[[[[[[[[[[[[[[[[[[[", 35),
	    "Request body must be a JSON object");
}

/*
 * Regression (issue 12): a key given twice was read last-wins by json-c,
 * while another reader would take the first: two readers of one body must
 * never disagree. It is a 400 naming the key, at any depth.
 */
Test(json_in, bad_json_body_duplicate_key_named)
{
	static const struct {
		const char *body, *key;
	} cases[] = {
		{"{\"patient_id\":1,\"patient_id\":2}", "patient_id"},
		{"{\"patient_id\":\"x\",\"olcm_user_id\":1,\"patient_id\":124}", "patient_id"},
		{"{\"a\":{\"b\":1,\"b\":1}}", "b"},
		{"{\"assignments\":[{\"patient_id\":1},{\"patient_id\":1,\"olcm_user_id\":2,\"patient_id\":3}]}",
		    "patient_id"},
		{"{\"assignments\":[],\"assignments\":[]}", "assignments"},
		{"{\"a\":1,\"\\u0061\":2}", "a"},              /* one key, two spellings */
		{"{\"\\u00e9\":1,\"\xc3\xa9\":2}", "\xc3\xa9"},
		{"{\"\\ud83d\\ude00\":1,\"\xf0\x9f\x98\x80\":2}", "\xf0\x9f\x98\x80"},
		{"{\"a\\\"b\":1,\"a\\u0022b\":2}", "a\"b"},
		{"{\"x\\u0000\":1,\"x\\u0000\":2}", "x\xef\xbf\xbd"},
		{"{\"\":1,\"\":2}", ""},
		/* The first key to come twice in the body is named. */
		{"{\"z\":1,\"y\":1,\"y\":2,\"z\":2}", "y"},
		{"{\"o\":{\"k\":1,\"k\":2},\"o\":1}", "k"},
	};
	char want[160];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(want, sizeof(want), "Duplicate key \"%s\" in a JSON object", cases[i].key);
		cr_expect_str_eq(body_msg(cases[i].body, strlen(cases[i].body)), want, "%s", cases[i].body);
	}
}

Test(json_in, bad_json_body_long_duplicate_key_is_cut)
{
	char b[700], key[301];

	memset(key, 'k', 300);
	key[300] = '\0';
	snprintf(b, sizeof(b), "{\"%s\":1,\"%s\":2}", key, key);
	cr_expect_str_eq(body_msg(b, strlen(b)), "Duplicate key \"kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"
	    "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk...\" in a JSON object");
}

/* Keys that only look alike, and the same key in different objects, are fine. */
Test(json_in, json_body_distinct_keys_accepted)
{
	static const char *const bodies[] = {
		"{\"a\":1,\"A\":2,\"a \":3,\"\\u00e9\":4,\"e\\u0301\":5}",
		"{\"x\\ud800\":1,\"x\\udc00\":2,\"x\\u0000\":3,\"x\\u2400\":4,\"x\xe2\x90\x80y\":5}",
		"{\"a\":{\"a\":{\"a\":1}},\"b\":[{\"a\":1},{\"a\":2}],\"c\":{\"a\":1}}",
		"{\"assignments\":[{\"patient_id\":1,\"olcm_user_id\":2},{\"patient_id\":1,\"olcm_user_id\":2}]}",
		"{\"ab\":1,\"a\":2,\"abc\":3,\"b\":4}",
	};
	size_t i;

	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++)
		cr_expect_eq(body_rc(bodies[i]), APP_OK, "%s", bodies[i]);
}

/* Thousands of keys: found as surely among many, and no slower than a sort. */
Test(json_in, bad_json_body_duplicate_among_60000_keys)
{
	size_t cap = 60000 * 16 + 64, n = 0;
	char *b = malloc(cap), msg[160];
	struct json_object *o = NULL;
	int i;

	cr_assert_not_null(b);
	b[n++] = '{';
	for (i = 0; i < 60000; i++)
		n += (size_t)snprintf(b + n, cap - n, "\"k%d\":%d,", i, i);
	n += (size_t)snprintf(b + n, cap - n, "\"k31337\":0}");
	cr_assert_eq(json_in_body(b, n, &o, msg, sizeof(msg)), APP_EBADJSON);
	cr_expect_str_eq(msg, "Duplicate key \"k31337\" in a JSON object");
	memcpy(b + n - 10, "k60000", 6);  /* a new key: no duplicate */
	cr_expect_eq(json_in_body(b, n, &o, msg, sizeof(msg)), APP_OK, "%s", msg);
	json_object_put(o);
	free(b);
}
