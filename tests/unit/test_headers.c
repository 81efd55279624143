/*
 * Unit tests for lib/http/headers.c: Content-Type and X-Request-Id.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <json.h>

#include "headers.h"

#define IS_JSON(ct) cr_expect_eq(hdr_content_type(ct), HDR_CT_JSON, "%s", ct)
#define IS_OTHER(ct) cr_expect_eq(hdr_content_type(ct), HDR_CT_OTHER, "%s", ct)
#define IS_CHARSET(ct) cr_expect_eq(hdr_content_type(ct), HDR_CT_CHARSET, "%s", ct)

Test(headers, content_type_json_accepts_json)
{
	IS_JSON("application/json");
	IS_JSON("application/json; charset=utf-8");
	IS_JSON("application/json;charset=UTF-8");
	IS_JSON("Application/JSON");
	IS_JSON("  application/json  ");
	IS_JSON("application/json ; charset=utf-8");
	IS_JSON("application/json;");
	IS_JSON("application/json ; x=y");
	IS_JSON("application/json; x=\"a;b\"; charset=\"utf-8\"");
}

/* charset=utf-8 stays accepted in any case, with or without quotes. */
Test(headers, content_type_json_accepts_utf8_charset_spellings)
{
	IS_JSON("application/json; charset=utf-8");
	IS_JSON("application/json; charset=UTF-8");
	IS_JSON("application/json; Charset=Utf-8");
	IS_JSON("application/json; CHARSET=\"UTF-8\"");
	IS_JSON("application/json; charset=\"utf-8\"");
	IS_JSON("application/json; charset=\"utf\\-8\"");
	IS_JSON("application/json; charset=utf-8; charset=UTF-8");
	IS_JSON("application/json;charset=utf-8;");
}

/*
 * Regression (issue 12): a charset other than UTF-8 was read as UTF-8.
 * JSON is UTF-8 (RFC 8259 8.1): any other charset is a 415 of its own.
 */
Test(headers, bad_content_type_json_rejects_other_charsets)
{
	IS_CHARSET("application/json; charset=latin1");
	IS_CHARSET("application/json; charset=ISO-8859-1");
	IS_CHARSET("application/json; charset=UTF-16");
	IS_CHARSET("application/json; charset=\"utf-16le\"");
	IS_CHARSET("application/json; charset=utf-32");
	IS_CHARSET("application/json; charset=us-ascii");
	IS_CHARSET("application/json; charset=utf8");
	IS_CHARSET("application/json; charset=\"\"");
	IS_CHARSET("application/json; charset=utf-8; charset=latin1");
	IS_CHARSET("application/json; charset=latin1; charset=utf-8");
	IS_CHARSET("application/json; charset=utf-8xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
}

Test(headers, bad_content_type_json_rejects_others)
{
	cr_expect_eq(hdr_content_type(NULL), HDR_CT_OTHER);
	IS_OTHER("");
	IS_OTHER("text/plain");
	IS_OTHER("text/json");
	IS_OTHER("application/jsonx");
	IS_OTHER("application/json-patch+json");
	IS_OTHER("application/x-www-form-urlencoded");
	IS_OTHER("application/js");
	IS_OTHER("multipart/form-data; boundary=x");
	IS_OTHER("text/plain; charset=utf-8");
}

/* A parameter list that is not one leaves no media type to read (so no charset either). */
Test(headers, bad_content_type_json_rejects_malformed_parameters)
{
	IS_OTHER("application/json charset=utf-8");
	IS_OTHER("application/json; charset");
	IS_OTHER("application/json; charset=");
	IS_OTHER("application/json; =utf-8");
	IS_OTHER("application/json; charset = latin1");
	IS_OTHER("application/json; charset=\"utf-8");
	IS_OTHER("application/json; charset=utf-8 x");
	IS_OTHER("application/json, text/plain");
	IS_OTHER("application/json; charset=utf 8");
}

Test(headers, request_id_accepts_nginx_ids)
{
	cr_expect(hdr_request_id("b06054ebf1a22a67b624b63848c78dda"));
	cr_expect(hdr_request_id("w123-6543abcd-1f"));
	cr_expect(hdr_request_id("a.b_c-D"));
}

Test(headers, bad_request_id_rejected)
{
	char longest[65], too_long[66];

	memset(longest, 'a', 64);
	longest[64] = '\0';
	memset(too_long, 'a', 65);
	too_long[65] = '\0';
	cr_expect(hdr_request_id(longest));
	cr_expect(!hdr_request_id(too_long));
	cr_expect(!hdr_request_id(NULL));
	cr_expect(!hdr_request_id(""));
	cr_expect(!hdr_request_id("abc def"));
	cr_expect(!hdr_request_id("abc#1"));
	cr_expect(!hdr_request_id("abc\n"));
	cr_expect(!hdr_request_id("é"));
}
