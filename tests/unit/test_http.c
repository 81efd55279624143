/* Unit tests for lib/http/http.c: the response, its error envelopes, methods. */
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>
#include <json.h>

#include "http.h"

/* ---- resp_init / resp_free -------------------------------------------- */

Test(http, init_is_pessimistic)
{
	struct response r;

	memset(&r, 0x55, sizeof(r));
	resp_init(&r);
	cr_assert_eq(r.status, 500);
	cr_assert_str_eq(r.allow, "");
	cr_assert_eq(r.retry_after, 0);
	cr_assert_null(r.body);
	cr_assert_eq(r.body_len, 0);
}

Test(http, free_is_idempotent)
{
	struct response r;

	resp_init(&r);
	resp_free(&r);
	cr_assert_null(r.body);
	cr_assert_eq(resp_error(&r, 422, "x"), APP_OK);
	resp_free(&r);
	cr_assert_null(r.body);
	cr_assert_eq(r.body_len, 0);
	resp_free(&r);
	cr_assert_null(r.body);
}

/* ---- resp_json / resp_error / resp_errors ----------------------------- */

Test(http, json_serialises_plain)
{
	struct response r;
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "message", json_object_new_string("ok"));
	json_object_object_add(o, "n", json_object_new_int64(3));
	resp_init(&r);
	cr_assert_eq(resp_json(&r, 200, o), APP_OK);
	cr_assert_eq(r.status, 200);
	cr_assert_str_eq(r.body, "{\"message\":\"ok\",\"n\":3}");
	cr_assert_eq(r.body_len, strlen(r.body));
	resp_free(&r);
}

Test(http, json_does_not_escape_slashes)
{
	struct response r;
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "path", json_object_new_string("/v1/a"));
	resp_init(&r);
	cr_assert_eq(resp_json(&r, 200, o), APP_OK);
	cr_assert_str_eq(r.body, "{\"path\":\"/v1/a\"}");
	resp_free(&r);
}

Test(http, json_keeps_utf8)
{
	struct response r;
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "name", json_object_new_string("Jos\xc3\xa9"));
	resp_init(&r);
	cr_assert_eq(resp_json(&r, 200, o), APP_OK);
	cr_assert_str_eq(r.body, "{\"name\":\"Jos\xc3\xa9\"}");
	resp_free(&r);
}

Test(http, json_replaces_previous_body)
{
	struct response r;

	resp_init(&r);
	cr_assert_eq(resp_error(&r, 422, "first"), APP_OK);
	cr_assert_eq(resp_error(&r, 404, "second"), APP_OK);
	cr_assert_eq(r.status, 404);
	cr_assert_str_eq(r.body, "{\"errors\":[\"second\"]}");
	resp_free(&r);
}

Test(http, bad_json_null_object_is_enomem)
{
	struct response r;

	resp_init(&r);
	cr_assert_eq(resp_json(&r, 200, NULL), APP_ENOMEM);
	cr_assert_eq(r.status, 500);
	cr_assert_null(r.body);
}

Test(http, error_envelope)
{
	struct response r;

	resp_init(&r);
	cr_assert_eq(resp_error(&r, 422,
	    "At least one of olcm_user_id or ilcm_user_id must be provided"), APP_OK);
	cr_assert_eq(r.status, 422);
	cr_assert_str_eq(r.body,
	    "{\"errors\":[\"At least one of olcm_user_id or ilcm_user_id must be provided\"]}");
	cr_assert_eq(r.body_len, strlen(r.body));
	cr_assert_eq(r.retry_after, 0);
	cr_assert_str_eq(r.allow, "");
	resp_free(&r);
}

Test(http, error_envelope_escapes_text)
{
	struct response r;

	resp_init(&r);
	cr_assert_eq(resp_error(&r, 422, "say \"hi\"\\\n"), APP_OK);
	cr_assert_str_eq(r.body, "{\"errors\":[\"say \\\"hi\\\"\\\\\\n\"]}");
	resp_free(&r);
}

Test(http, errors_envelope_many)
{
	struct response r;
	struct json_object *a = json_object_new_array();

	json_object_array_add(a, json_object_new_string("patient_id is required"));
	json_object_array_add(a, json_object_new_string("role is required"));
	resp_init(&r);
	cr_assert_eq(resp_errors(&r, 422, a), APP_OK);
	cr_assert_eq(r.status, 422);
	cr_assert_str_eq(r.body, "{\"errors\":[\"patient_id is required\",\"role is required\"]}");
	resp_free(&r);
}

Test(http, errors_envelope_empty_array)
{
	struct response r;

	resp_init(&r);
	cr_assert_eq(resp_errors(&r, 422, json_object_new_array()), APP_OK);
	cr_assert_str_eq(r.body, "{\"errors\":[]}");
	resp_free(&r);
}

Test(http, bad_errors_null_array_is_enomem)
{
	struct response r;

	resp_init(&r);
	cr_assert_eq(resp_errors(&r, 422, NULL), APP_ENOMEM);
	cr_assert_null(r.body);
}

/* ---- resp_from_err ---------------------------------------------------- */

/* resp_from_err on a fresh response; the caller frees it. */
static struct response
from_err(enum app_err e)
{
	struct response r;

	resp_init(&r);
	resp_from_err(&r, e);
	return r;
}

Test(http, from_err_not_found)
{
	struct response r = from_err(APP_ENOROUTE);

	cr_assert_eq(r.status, 404);
	cr_assert_str_eq(r.body, "{\"errors\":[\"Not found\"]}");
	cr_assert_eq(r.retry_after, 0);
	resp_free(&r);
}

Test(http, from_err_patient_not_found)
{
	struct response r = from_err(APP_ENOPATIENT);

	cr_assert_eq(r.status, 404);
	cr_assert_str_eq(r.body, "{\"errors\":[\"Patient not found\"]}");
	resp_free(&r);
}

Test(http, from_err_case_load_not_found)
{
	struct response r = from_err(APP_ENOCASELOAD);

	cr_assert_eq(r.status, 404);
	cr_assert_str_eq(r.body, "{\"errors\":[\"Case load not found\"]}");
	resp_free(&r);
}

Test(http, from_err_auth)
{
	struct response r = from_err(APP_EAUTH);

	cr_assert_eq(r.status, 401);
	cr_assert_str_eq(r.body, "{\"errors\":[\"Authentication required\"]}");
	cr_assert_eq(r.retry_after, 0);
	resp_free(&r);
}

Test(http, from_err_forbidden)
{
	struct response r = from_err(APP_EFORBIDDEN);

	cr_assert_eq(r.status, 403);
	cr_assert_str_eq(r.body, "{\"errors\":[\"Admin access required\"]}");
	resp_free(&r);
}

Test(http, from_err_method_keeps_allow)
{
	struct response r;

	resp_init(&r);
	strcpy(r.allow, "POST, PUT, DELETE");
	resp_from_err(&r, APP_EMETHOD);
	cr_assert_eq(r.status, 405);
	cr_assert_str_eq(r.body, "{\"errors\":[\"Method not allowed\"]}");
	cr_assert_str_eq(r.allow, "POST, PUT, DELETE");
	resp_free(&r);
}

Test(http, from_err_bad_json)
{
	struct response r = from_err(APP_EBADJSON);

	cr_assert_eq(r.status, 400);
	cr_assert_str_eq(r.body, "{\"errors\":[\"Request body must be a JSON object\"]}");
	resp_free(&r);
}

Test(http, from_err_too_big)
{
	struct response r = from_err(APP_ETOOBIG);

	cr_assert_eq(r.status, 413);
	cr_assert_str_eq(r.body, "{\"errors\":[\"Request body too large (limit 1 MiB)\"]}");
	resp_free(&r);
}

Test(http, from_err_media)
{
	struct response r = from_err(APP_EMEDIA);

	cr_assert_eq(r.status, 415);
	cr_assert_str_eq(r.body, "{\"errors\":[\"Content-Type must be application/json\"]}");
	resp_free(&r);
}

Test(http, from_err_unavailable_sets_retry_after)
{
	static const enum app_err e503[] = {APP_EUNAVAIL, APP_EDBLOST, APP_ERETRY, APP_ELOCKED};
	size_t i;

	for (i = 0; i < sizeof(e503) / sizeof(e503[0]); i++) {
		struct response r = from_err(e503[i]);

		cr_expect_eq(r.status, 503, "%s", app_err_name(e503[i]));
		cr_expect_gt(r.retry_after, 0, "%s: Retry-After", app_err_name(e503[i]));
		cr_expect_str_eq(r.body,
		    "{\"errors\":[\"Service temporarily unavailable, try again shortly\"]}",
		    "%s", app_err_name(e503[i]));
		resp_free(&r);
	}
}

Test(http, from_err_unknown_outcome_says_so_with_retry_after)
{
	struct response r = from_err(APP_EUNKNOWN);

	cr_assert_eq(r.status, 503);
	cr_expect_gt(r.retry_after, 0);
	cr_expect(strstr(r.body, "may or may not have been applied") != NULL, "%s", r.body);
	cr_expect(strstr(r.body, "Idempotency-Key") != NULL, "%s", r.body);
	resp_free(&r);
}

Test(http, from_err_unavailable_retry_after_is_five_seconds)
{
	struct response r = from_err(APP_EUNAVAIL);

	cr_assert_eq(r.retry_after, 5);
	resp_free(&r);
}

Test(http, from_err_server_errors_hide_internals)
{
	static const enum app_err e500[] = {APP_ENOMEM, APP_EDUP, APP_EDB, APP_EINTERNAL};
	size_t i;

	for (i = 0; i < sizeof(e500) / sizeof(e500[0]); i++) {
		struct response r = from_err(e500[i]);

		cr_expect_eq(r.status, 500, "%s", app_err_name(e500[i]));
		cr_expect_eq(r.retry_after, 0, "%s", app_err_name(e500[i]));
		cr_expect_str_eq(r.body, "{\"errors\":[\"Internal server error\"]}",
		    "%s", app_err_name(e500[i]));
		resp_free(&r);
	}
}

Test(http, from_err_out_of_range_is_500)
{
	struct response r = from_err(APP_ERR__MAX);

	cr_assert_eq(r.status, 500);
	cr_assert_str_eq(r.body, "{\"errors\":[\"Internal server error\"]}");
	resp_free(&r);
}

Test(http, from_err_matches_app_err_for_every_error)
{
	int e;

	for (e = APP_ENOMEM; e < APP_ERR__MAX; e++) {
		struct response r = from_err((enum app_err)e);
		char want[256];

		snprintf(want, sizeof(want), "{\"errors\":[\"%s\"]}",
		    app_err_message((enum app_err)e));
		cr_expect_eq(r.status, app_err_status((enum app_err)e), "%s",
		    app_err_name((enum app_err)e));
		cr_expect_str_eq(r.body, want, "%s", app_err_name((enum app_err)e));
		cr_expect_eq(r.body_len, strlen(want), "%s", app_err_name((enum app_err)e));
		cr_expect_eq(r.retry_after, r.status == 503 ? 5 : 0, "%s",
		    app_err_name((enum app_err)e));
		resp_free(&r);
	}
}

/* ---- methods and status text ------------------------------------------ */

Test(http, method_parse)
{
	cr_assert_eq(http_method_parse("GET"), M_GET);
	cr_assert_eq(http_method_parse("POST"), M_POST);
	cr_assert_eq(http_method_parse("PUT"), M_PUT);
	cr_assert_eq(http_method_parse("DELETE"), M_DELETE);
	cr_assert_eq(http_method_parse("HEAD"), M_HEAD);
}

Test(http, bad_method_parse_is_other)
{
	cr_assert_eq(http_method_parse(NULL), M_OTHER);
	cr_assert_eq(http_method_parse(""), M_OTHER);
	cr_assert_eq(http_method_parse("get"), M_OTHER);
	cr_assert_eq(http_method_parse("PATCH"), M_OTHER);
	cr_assert_eq(http_method_parse("head"), M_OTHER);
	cr_assert_eq(http_method_parse("OPTIONS"), M_OTHER);
	cr_assert_eq(http_method_parse("GET "), M_OTHER);
	cr_assert_eq(http_method_parse("GETX"), M_OTHER);
}

Test(http, method_name)
{
	cr_assert_str_eq(http_method_name(M_GET), "GET");
	cr_assert_str_eq(http_method_name(M_POST), "POST");
	cr_assert_str_eq(http_method_name(M_PUT), "PUT");
	cr_assert_str_eq(http_method_name(M_DELETE), "DELETE");
	cr_assert_str_eq(http_method_name(M_HEAD), "HEAD");
	cr_assert_str_eq(http_method_name(M_OTHER), "");
	cr_assert_str_eq(http_method_name(M__MAX), "");
	cr_assert_str_eq(http_method_name((enum http_method)-1), "");
}

Test(http, status_text)
{
	cr_assert_str_eq(http_status_text(200), "OK");
	cr_assert_str_eq(http_status_text(400), "Bad Request");
	cr_assert_str_eq(http_status_text(401), "Unauthorized");
	cr_assert_str_eq(http_status_text(403), "Forbidden");
	cr_assert_str_eq(http_status_text(404), "Not Found");
	cr_assert_str_eq(http_status_text(405), "Method Not Allowed");
	cr_assert_str_eq(http_status_text(413), "Payload Too Large");
	cr_assert_str_eq(http_status_text(415), "Unsupported Media Type");
	cr_assert_str_eq(http_status_text(422), "Unprocessable Entity");
	cr_assert_str_eq(http_status_text(500), "Internal Server Error");
	cr_assert_str_eq(http_status_text(503), "Service Unavailable");
}

Test(http, status_text_for_every_app_err_status)
{
	int e;

	/* Every status the app can answer has its own phrase (500 is 500's). */
	for (e = 0; e < APP_ERR__MAX; e++) {
		int st = app_err_status((enum app_err)e);

		if (st != 500)
			cr_expect_str_neq(http_status_text(st), "Internal Server Error",
			    "status %d of %s", st, app_err_name((enum app_err)e));
	}
}

/* ---- an encoded slash names nothing ------------------------------------ */

Test(http, encoded_slash_in_the_path_is_found)
{
	cr_assert(http_uri_has_encoded_slash("/v1/admin/clinic/ecm/patients/123%2Flead_care_managers"));
	cr_assert(http_uri_has_encoded_slash("/v1/admin/clinic/ecm/patients/123%2flead_care_managers"));
	cr_assert(http_uri_has_encoded_slash("/v1%2Fadmin/clinic/ecm/patients"));
	cr_assert(http_uri_has_encoded_slash("%2F"));
	cr_assert(http_uri_has_encoded_slash("/healthz%2F?x=1"));
}

Test(http, encoded_slash_elsewhere_is_not)
{
	cr_assert_not(http_uri_has_encoded_slash(NULL));
	cr_assert_not(http_uri_has_encoded_slash(""));
	cr_assert_not(http_uri_has_encoded_slash("/v1/admin/clinic/ecm/patients/123/lead_care_managers"));
	cr_assert_not(http_uri_has_encoded_slash("/v1/admin/clinic/ecm/lead_care_managers?search=a%2Fb"));
	cr_assert_not(http_uri_has_encoded_slash("/v1/admin/clinic/ecm/patients/%31%32%33/x"));
	cr_assert_not(http_uri_has_encoded_slash("/a%252F"));  /* a literal "%2F": data too, no route has it */
	cr_assert_not(http_uri_has_encoded_slash("/a%2"));
	cr_assert_not(http_uri_has_encoded_slash("/a%2G"));
}
