/*
 * Unit tests for lib/api/rules.c: each endpoint's rules for its body and
 * query (assign, remove, bulk, transfer, auto-assign, list, export) and
 * the ETags of a precondition.
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
#include "lcm.h"
#include "patients.h"
#include "rules.h"

/* ---- helpers ---------------------------------------------------------- */

/* The errors array as plain JSON text; owned by errors. */
static const char *
errs_str(struct json_object *errors)
{
	return json_object_to_json_string_ext(errors, JSON_C_TO_STRING_PLAIN);
}

/* ---- val_json_role ---------------------------------------------------- */

static enum check_res
json_role(const char *json, enum lcm_role *out)
{
	struct json_object *o = fx_parse(json);
	enum check_res r = val_json_role(o, "role", out);

	json_object_put(o);
	return r;
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
	struct json_object *o = fx_parse(json), *e = json_object_new_array();
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

/* ---- val_transfer, val_auto_assign, val_bulk: options ------------------ */

struct moved {
	int n;
	struct lcm_transfer t;
	struct lcm_auto a;
	char errors[1024];
};

/* val_transfer (autoassign = 0) or val_auto_assign (1) on JSON text. */
static struct moved
check_move(const char *json, int autoassign)
{
	static int64_t to[VAL_TAKERS_MAX], patients[VAL_BULK_MAX], users[VAL_BULK_MAX];
	struct json_object *o = fx_parse(json), *e = json_object_new_array();
	struct lcm_change c;
	struct moved r;

	memset(&r, 0, sizeof(r));
	r.n = autoassign ? val_auto_assign(o, &r.a, patients, users, &c, e) :
	    val_transfer(o, &r.t, to, patients, &c, e);
	strncpy(r.errors, errs_str(e), sizeof(r.errors) - 1);
	json_object_put(e);
	json_object_put(o);
	return r;
}

/* ---- val_etags and lcm_precondition_holds ------------------------------ */

/* Does header (If-Match: weak 0; If-None-Match: weak 1) hold for version? -1: malformed. */
static int
etag_holds(const char *header, int weak, int64_t version)
{
	struct lcm_precondition pc;

	if (val_etags(header, weak, &pc) != 0)
		return -1;
	return lcm_precondition_holds(&pc, version) != 0;
}

/* A list of n tags "1000".."(1000+n-1)" with "5" at position at (1-based). */
static char *
tag_list(size_t n, size_t at)
{
	char *s = malloc(n * 12 + 1);
	size_t i, o = 0;

	cr_assert_not_null(s);
	for (i = 1; i <= n; i++)
		o += (size_t)snprintf(s + o, n * 12 + 1 - o, "%s\"%zu\"", i > 1 ? ", " : "",
		    i == at ? (size_t)5 : 1000 + i);
	return s;
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

/* ---- val_export_query ------------------------------------------------- */

struct export_q {
	int n, role;
	char as_of[16], until[16];
	struct json_object *errors;
};

static struct export_q
export_query(const char *qs)
{
	struct export_q r;

	r.errors = json_object_new_array();
	cr_assert_not_null(r.errors);
	r.n = val_export_query(qs, "2026-12-02", &r.role, r.as_of, r.until, sizeof(r.as_of),
	    r.errors);
	return r;
}

Test(rules, json_role_accepts_olcm_and_ilcm)
{
	enum lcm_role r = ROLE__MAX;

	cr_assert_eq(json_role("{\"role\":\"olcm\"}", &r), CHECK_OK);
	cr_assert_eq(r, ROLE_OLCM);
	cr_assert_eq(json_role("{\"role\":\"ilcm\"}", &r), CHECK_OK);
	cr_assert_eq(r, ROLE_ILCM);
}

Test(rules, json_role_null_or_missing_is_absent)
{
	enum lcm_role r;

	cr_assert_eq(json_role("{\"role\":null}", &r), CHECK_ABSENT);
	cr_assert_eq(json_role("{}", &r), CHECK_ABSENT);
}

Test(rules, bad_json_role_rejects_other_values)
{
	enum lcm_role r;

	cr_assert_eq(json_role("{\"role\":\"OLCM\"}", &r), CHECK_BAD);
	cr_assert_eq(json_role("{\"role\":\"other\"}", &r), CHECK_BAD);
	cr_assert_eq(json_role("{\"role\":\"\"}", &r), CHECK_BAD);
	cr_assert_eq(json_role("{\"role\":\"olcm \"}", &r), CHECK_BAD);
	cr_assert_eq(json_role("{\"role\":1}", &r), CHECK_BAD);
	cr_assert_eq(json_role("{\"role\":[\"olcm\"]}", &r), CHECK_BAD);
	cr_assert_eq(json_role("{\"role\":true}", &r), CHECK_BAD);
}

/*
 * Regression: val_json_role compares with strcmp (lib/api/rules.c), so a
 * JSON string "olcm\u0000x" (5+ bytes, not "olcm") is taken as olcm.
 */
Test(rules, bad_json_role_rejects_embedded_nul)
{
	struct json_object *o = fx_obj_with_string("role", "olcm\0x", 6);
	enum lcm_role r;

	cr_expect_eq(val_json_role(o, "role", &r), CHECK_BAD,
	    "Regression: \"olcm\\u0000x\" must not be accepted as role olcm");
	json_object_put(o);
}

Test(rules, add_appends_messages_in_order)
{
	struct json_object *e = json_object_new_array();

	cr_assert_eq(val_add(e, "first"), APP_OK);
	cr_assert_eq(val_add(e, "second"), APP_OK);
	cr_assert_str_eq(errs_str(e), "[\"first\",\"second\"]");
	json_object_put(e);
}

Test(rules, assign_accepts_olcm_only)
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

Test(rules, assign_accepts_both_and_reason)
{
	struct json_object *o = fx_parse("{\"patient_id\":123,\"olcm_user_id\":101,"
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

Test(rules, assign_null_id_is_absent)
{
	struct checked r = check_body(
	    "{\"patient_id\":123,\"olcm_user_id\":null,\"ilcm_user_id\":102}", 0);

	cr_assert_eq(r.n, 0);
	cr_assert_str_eq(r.errors, "[]");
	cr_assert_eq(r.c.given[ROLE_OLCM], 0);
	cr_assert_eq(r.c.given[ROLE_ILCM], 1);
	cr_assert_eq(r.c.user[ROLE_ILCM], 102);
}

Test(rules, assign_null_reason_is_absent)
{
	struct checked r = check_body(
	    "{\"patient_id\":123,\"olcm_user_id\":101,\"reason\":null}", 0);

	cr_assert_eq(r.n, 0);
	cr_assert_null(r.c.reason);
	cr_assert_eq(r.c.reason_len, 0);
}

Test(rules, assign_ignores_unknown_fields)
{
	struct checked r = check_body("{\"patient_id\":123,\"olcm_user_id\":101,"
	    "\"foo\":\"bar\",\"provider_id\":\"x\",\"nested\":{\"a\":[1,2]}}", 0);

	cr_assert_eq(r.n, 0);
	cr_assert_str_eq(r.errors, "[]");
}

Test(rules, assign_accepts_500_multibyte_reason)
{
	char *t = fx_repeat("\xc3\xa9", 500);
	struct json_object *o = fx_parse("{\"patient_id\":1,\"olcm_user_id\":2}");
	struct json_object *e = json_object_new_array();
	struct lcm_change c;

	json_object_object_add(o, "reason", json_object_new_string(t));
	cr_assert_eq(val_assign(o, &c, e), 0);
	cr_assert_eq(c.reason_len, 1000);
	json_object_put(e);
	json_object_put(o);
	free(t);
}

Test(rules, bad_assign_rejects_501_multibyte_reason)
{
	char *t = fx_repeat("\xc3\xa9", 501);
	struct json_object *o = fx_parse("{\"patient_id\":1,\"olcm_user_id\":2}");
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

Test(rules, bad_assign_rejects_non_string_reason)
{
	struct checked r = check_body(
	    "{\"patient_id\":123,\"olcm_user_id\":101,\"reason\":42}", 0);

	cr_assert_eq(r.n, 1);
	cr_assert_str_eq(r.errors, "[\"reason must be a string of at most 500 characters\"]");
}

Test(rules, bad_assign_rejects_empty_body)
{
	struct checked r = check_body("{}", 0);

	cr_assert_eq(r.n, 2);
	cr_assert_str_eq(r.errors, "[\"patient_id is required\","
	    "\"At least one of olcm_user_id or ilcm_user_id must be provided\"]");
}

Test(rules, bad_assign_rejects_no_lcm)
{
	struct checked r = check_body("{\"patient_id\":123}", 0);

	cr_assert_eq(r.n, 1);
	cr_assert_str_eq(r.errors,
	    "[\"At least one of olcm_user_id or ilcm_user_id must be provided\"]");
}

Test(rules, bad_assign_rejects_both_lcm_null)
{
	struct checked r = check_body(
	    "{\"patient_id\":123,\"olcm_user_id\":null,\"ilcm_user_id\":null}", 0);

	cr_assert_eq(r.n, 1);
	cr_assert_str_eq(r.errors,
	    "[\"At least one of olcm_user_id or ilcm_user_id must be provided\"]");
}

Test(rules, bad_assign_rejects_null_patient)
{
	struct checked r = check_body("{\"patient_id\":null,\"olcm_user_id\":101}", 0);

	cr_assert_eq(r.n, 1);
	cr_assert_str_eq(r.errors, "[\"patient_id is required\"]");
}

Test(rules, bad_assign_rejects_string_patient_id)
{
	struct checked r = check_body("{\"patient_id\":\"123\",\"olcm_user_id\":101}", 0);

	cr_assert_eq(r.n, 1);
	cr_assert_str_eq(r.errors, "[\"patient_id must be a positive integer\"]");
}

Test(rules, bad_assign_rejects_bad_patient_ids)
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

Test(rules, bad_assign_rejects_bad_olcm_user_id)
{
	struct checked r = check_body("{\"patient_id\":123,\"olcm_user_id\":\"101\"}", 0);

	/* A bad id is not an absent one: no "at least one" message. */
	cr_assert_eq(r.n, 1);
	cr_assert_str_eq(r.errors, "[\"olcm_user_id must be a positive integer\"]");
	cr_assert_eq(r.c.given[ROLE_OLCM], 0);
}

Test(rules, bad_assign_rejects_bad_ilcm_user_id)
{
	struct checked r = check_body("{\"patient_id\":123,\"ilcm_user_id\":0}", 0);

	cr_assert_eq(r.n, 1);
	cr_assert_str_eq(r.errors, "[\"ilcm_user_id must be a positive integer\"]");
}

Test(rules, bad_assign_reports_every_problem_in_order)
{
	struct checked r = check_body("{\"patient_id\":-1,\"olcm_user_id\":1.5,"
	    "\"ilcm_user_id\":true,\"reason\":[]}", 0);

	cr_assert_eq(r.n, 4);
	cr_assert_str_eq(r.errors, "[\"patient_id must be a positive integer\","
	    "\"olcm_user_id must be a positive integer\","
	    "\"ilcm_user_id must be a positive integer\","
	    "\"reason must be a string of at most 500 characters\"]");
}

Test(rules, assign_accepts_int64_max_ids)
{
	struct checked r = check_body("{\"patient_id\":9223372036854775807,"
	    "\"ilcm_user_id\":9223372036854775807}", 0);

	cr_assert_eq(r.n, 0);
	cr_assert_eq(r.c.patient_id, INT64_MAX);
	cr_assert_eq(r.c.user[ROLE_ILCM], INT64_MAX);
}

Test(rules, remove_accepts_olcm)
{
	struct checked r = check_body("{\"patient_id\":123,\"role\":\"olcm\"}", 1);

	cr_assert_eq(r.n, 0);
	cr_assert_str_eq(r.errors, "[]");
	cr_assert_eq(r.c.patient_id, 123);
	cr_assert_eq(r.c.given[ROLE_OLCM], 1);
	cr_assert_eq(r.c.user[ROLE_OLCM], 0);
	cr_assert_eq(r.c.given[ROLE_ILCM], 0);
}

Test(rules, remove_accepts_ilcm_with_reason)
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

Test(rules, bad_remove_rejects_other_role)
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

Test(rules, bad_remove_rejects_missing_role)
{
	struct checked r = check_body("{\"patient_id\":123}", 1);

	cr_assert_eq(r.n, 1);
	cr_assert_str_eq(r.errors, "[\"role is required\"]");
}

Test(rules, bad_remove_rejects_null_role)
{
	struct checked r = check_body("{\"patient_id\":123,\"role\":null}", 1);

	cr_assert_eq(r.n, 1);
	cr_assert_str_eq(r.errors, "[\"role is required\"]");
}

Test(rules, bad_remove_rejects_bad_patient_id)
{
	struct checked r = check_body("{\"patient_id\":\"123\",\"role\":\"olcm\"}", 1);

	cr_assert_eq(r.n, 1);
	cr_assert_str_eq(r.errors, "[\"patient_id must be a positive integer\"]");
}

Test(rules, bad_remove_reports_every_problem_in_order)
{
	char *t = fx_repeat("x", 501);
	struct json_object *o = fx_parse("{}");
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

Test(rules, bad_assign_override_with_empty_or_blank_reason_refused)
{
	/* Regression: "" and " " passed as the reason an override needs. */
	static const char *const reasons[] = {
		"\"\"", "\" \"", "\"\\t\\n\\r \"", "\"\\u00a0\"", "\"\\u3000\\u2003\"",
		"{\"code\":\"other\",\"note\":\"x\"}",  /* the one accepted: a code */
	};
	char body[160];
	size_t i;

	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++) {
		struct checked r;

		snprintf(body, sizeof(body), "{\"patient_id\":123,\"olcm_user_id\":101,"
		    "\"override_capacity\":true,\"reason\":%s}", reasons[i]);
		r = check_body(body, 0);
		if (i + 1 == sizeof(reasons) / sizeof(reasons[0])) {
			cr_expect_eq(r.n, 0, "%s: %s", body, r.errors);
			continue;
		}
		cr_expect_eq(r.n, 1, "%s", body);
		cr_expect_str_eq(r.errors, "[\"override_capacity needs a reason\"]", "%s", body);
	}
}

Test(rules, assign_override_with_a_reason_accepted)
{
	struct checked r = check_body("{\"patient_id\":123,\"olcm_user_id\":101,"
	    "\"override_capacity\":true,\"reason\":\" ward closing \"}", 0);

	cr_assert_eq(r.n, 0, "%s", r.errors);
	cr_assert_eq(r.c.override_capacity, 1);
	/* A blank code-less note without an override is still a note, as before. */
	r = check_body("{\"patient_id\":123,\"olcm_user_id\":101,\"reason\":\" \"}", 0);
	cr_assert_eq(r.n, 0, "%s", r.errors);
}

Test(rules, bad_bulk_item_override_with_blank_reason_refused)
{
	struct json_object *o = fx_parse("{\"patient_id\":123,\"olcm_user_id\":101,"
	    "\"override_capacity\":true,\"reason\":\"  \"}");
	struct json_object *e = json_object_new_array();
	struct lcm_change c;

	cr_assert_eq(val_bulk_item(o, &c, e), 1);
	cr_assert_str_eq(errs_str(e), "[\"override_capacity needs a reason\"]");
	json_object_put(e);
	json_object_put(o);
}

Test(rules, transfer_accepts_options)
{
	struct moved r = check_move("{\"from_user_id\":101,\"to_user_ids\":[102],\"role\":\"olcm\","
	    "\"patient_ids\":[1,2],\"dry_run\":true,\"override_capacity\":false}", 0);

	cr_assert_eq(r.n, 0, "%s", r.errors);
	cr_assert_eq(r.t.dry_run, 1);
	cr_assert_eq(r.t.role, ROLE_OLCM);
	cr_assert_eq(r.t.npatients, 2);
	r = check_move("{\"from_user_id\":101,\"to_user_ids\":[102]}", 0);
	cr_assert_eq(r.n, 0, "%s", r.errors);
	cr_assert_eq(r.t.dry_run, 0);
	cr_assert_eq(r.t.role, -1);
	cr_assert_null(r.t.patients);
}

Test(rules, bad_transfer_override_with_blank_reason_refused)
{
	struct moved r = check_move("{\"from_user_id\":101,\"to_user_ids\":[102],"
	    "\"override_capacity\":true,\"reason\":\"\"}", 0);

	cr_assert_eq(r.n, 1);
	cr_assert_str_eq(r.errors, "[\"override_capacity needs a reason\"]");
	r = check_move("{\"from_user_id\":101,\"to_user_ids\":[102],"
	    "\"override_capacity\":true,\"reason\":\" \\n\"}", 0);
	cr_assert_str_eq(r.errors, "[\"override_capacity needs a reason\"]");
}

Test(rules, bad_transfer_null_options_refused)
{
	/* Regression: null read as absent, so "dry_run": null ran for real. */
	static const struct {
		const char *field, *error;
	} cases[] = {
		{"\"dry_run\":null", "dry_run must be true or false"},
		{"\"override_capacity\":null", "override_capacity must be true or false"},
		{"\"role\":null", "role must be olcm or ilcm"},
		{"\"patient_ids\":null", "patient_ids must be an array of 1 to 1000 patient ids"},
	};
	char body[160], want[160];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct moved r;

		snprintf(body, sizeof(body), "{\"from_user_id\":101,\"to_user_ids\":[102],%s}",
		    cases[i].field);
		snprintf(want, sizeof(want), "[\"%s\"]", cases[i].error);
		r = check_move(body, 0);
		cr_expect_eq(r.n, 1, "%s: %s", body, r.errors);
		cr_expect_str_eq(r.errors, want, "%s", body);
	}
}

Test(rules, bad_auto_assign_null_options_refused)
{
	static const struct {
		const char *field, *error;
	} cases[] = {
		{"\"unassigned\":true,\"dry_run\":null", "dry_run must be true or false"},
		{"\"unassigned\":true,\"user_ids\":null", "user_ids must be an array of 1 to 1000 user ids"},
		{"\"patient_ids\":[1],\"unassigned\":null", "unassigned must be true or false"},
		{"\"patient_ids\":null,\"unassigned\":true", "patient_ids must be an array of 1 to 1000 patient ids"},
	};
	char body[160];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct moved r;

		snprintf(body, sizeof(body), "{\"role\":\"olcm\",%s}", cases[i].field);
		r = check_move(body, 1);
		cr_expect_geq(r.n, 1, "%s: %s", body, r.errors);
		cr_expect(strstr(r.errors, cases[i].error) != NULL, "%s: %s", body, r.errors);
	}
	/* override_capacity: null is no override either: refused as a non-boolean. */
	{
		struct moved r = check_move("{\"role\":\"olcm\",\"unassigned\":true,"
		    "\"override_capacity\":null}", 1);

		cr_expect_str_eq(r.errors, "[\"override_capacity must be true or false\"]");
	}
}

Test(rules, bad_null_booleans_of_assign_and_bulk_refused)
{
	struct json_object *o = fx_parse("{\"assignments\":[{}],\"dry_run\":null}");
	struct json_object *e = json_object_new_array(), *list;
	struct checked r;
	size_t n;
	int dry = 0;

	cr_assert_eq(val_bulk(o, &list, &n, &dry, e), 1);
	cr_assert_str_eq(errs_str(e), "[\"dry_run must be true or false\"]");
	json_object_put(e);
	json_object_put(o);
	r = check_body("{\"patient_id\":123,\"olcm_user_id\":101,\"override_capacity\":null}", 0);
	cr_assert_eq(r.n, 1);
	cr_assert_str_eq(r.errors, "[\"override_capacity must be true or false\"]");
}

Test(rules, etags_match_the_version_as_its_tag)
{
	cr_assert_eq(etag_holds("\"5\"", 0, 5), 1);
	cr_assert_eq(etag_holds("\"5\"", 1, 5), 1);
	cr_assert_eq(etag_holds("\"0\"", 0, 0), 1);
	cr_assert_eq(etag_holds("\"4\", \"5\"", 0, 5), 1);
	cr_assert_eq(etag_holds("\"4\",\"6\"", 0, 5), 0);
	cr_assert_eq(etag_holds("\"9223372036854775807\"", 0, INT64_MAX), 1);
	cr_assert_eq(etag_holds("*", 0, 5), 1);
	cr_assert_eq(etag_holds("*", 0, 0), 0);
	cr_assert_eq(etag_holds("\"abc\"", 0, 5), 0);
	cr_assert_eq(etag_holds("\"\"", 0, 5), 0);
}

Test(rules, bad_etags_compared_as_opaque_strings_not_numbers)
{
	/* Regression: "05" matched the ETag "5" (If-Match let a write through, If-None-Match 304'd). */
	static const char *const others[] = {
		"\"05\"", "\"005\"", "\"+5\"", "\"5.0\"", "\"0x5\"", "\"5e0\"", "W/\"05\"",
	};
	size_t i;

	for (i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		if (others[i][0] != 'W')
			cr_expect_eq(etag_holds(others[i], 0, 5), 0, "If-Match: %s", others[i]);
		cr_expect_eq(etag_holds(others[i], 1, 5), 0, "If-None-Match: %s", others[i]);
	}
	cr_expect_eq(etag_holds("\"00\"", 0, 0), 0);
	cr_expect_eq(etag_holds("\"00\"", 1, 0), 0);
	cr_expect_eq(etag_holds("\"-0\"", 1, 0), 0);
}

Test(rules, etags_weak_compare_for_if_none_match_only)
{
	cr_assert_eq(etag_holds("W/\"5\"", 0, 5), 0);
	cr_assert_eq(etag_holds("W/\"5\"", 1, 5), 1);
	cr_assert_eq(etag_holds("\"7\", W/\"5\"", 1, 5), 1);
	/* W/ is case-sensitive (RFC 9110 8.8.3): w/ is no weak prefix. */
	cr_assert_eq(etag_holds("w/\"5\"", 1, 5), -1);
}

Test(rules, etags_whole_list_counts)
{
	/* Regression: only the first 16 tags of a list were compared. */
	char *s = tag_list(17, 17);

	cr_expect_eq(etag_holds(s, 0, 5), 1, "If-Match, 17th");
	cr_expect_eq(etag_holds(s, 1, 5), 1, "If-None-Match, 17th");
	free(s);
	s = tag_list(2500, 2500);  /* about 20 KB: under nginx's 32 KB header line */
	cr_expect_eq(etag_holds(s, 0, 5), 1, "If-Match, 2500th");
	cr_expect_eq(etag_holds(s, 0, 6), 0, "If-Match, none");
	free(s);
}

Test(rules, etags_empty_list_elements_ignored)
{
	/* RFC 9110 5.6.1.2: a recipient accepts empty list elements. */
	cr_assert_eq(etag_holds("\"4\", , \"5\"", 0, 5), 1);
	cr_assert_eq(etag_holds(", \"5\"", 0, 5), 1);
	cr_assert_eq(etag_holds("\"5\" ,", 0, 5), 1);
}

Test(rules, bad_etags_malformed)
{
	static const char *const bad[] = {
		"", " ", ",", " , ,", "5", "\"5", "5\"", "\"5\" \"6\"", "\"5\";", "\"5\" x",
		"W/", "W/5", "W /\"5\"", "* , \"5\"", "\"5\", *", "**", "\"5\" W/\"6\"",
		"\"a b\"", "\"a\tb\"", "\"\x01\"", "\"\x7f\"",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_expect_eq(etag_holds(bad[i], 0, 5), -1, "[%s]", bad[i]);
		cr_expect_eq(etag_holds(bad[i], 1, 5), -1, "[%s]", bad[i]);
	}
}

Test(rules, etags_accept_every_etagc)
{
	/* etagc = %x21 / %x23-7E / obs-text */
	cr_assert_eq(etag_holds("\"!#~\", \"\xc3\xa9\", \"5\"", 0, 5), 1);
}

Test(rules, list_query_defaults)
{
	struct listed r = list_query("");

	cr_assert_eq(r.n, 0);
	cr_assert_str_eq(r.errors, "[]");
	cr_assert_eq(r.q.page, 1);
	cr_assert_eq(r.q.per_page, 25);
	cr_assert_eq(r.has_search, 0);
	cr_assert_eq(r.q.role, -1);
}

Test(rules, list_query_reads_every_parameter)
{
	struct listed r = list_query("page=3&per_page=50&search=Jane&role=ilcm");

	cr_assert_eq(r.n, 0);
	cr_assert_eq(r.q.page, 3);
	cr_assert_eq(r.q.per_page, 50);
	cr_assert_eq(r.has_search, 1);
	cr_assert_str_eq(r.search, "Jane");
	cr_assert_eq(r.q.role, ROLE_ILCM);
}

Test(rules, list_query_role_olcm)
{
	struct listed r = list_query("role=olcm");

	cr_assert_eq(r.n, 0);
	cr_assert_eq(r.q.role, ROLE_OLCM);
}

Test(rules, list_query_per_page_bounds_accepted)
{
	struct listed a = list_query("per_page=1"), b = list_query("per_page=100");

	cr_assert_eq(a.n, 0);
	cr_assert_eq(a.q.per_page, 1);
	cr_assert_eq(b.n, 0);
	cr_assert_eq(b.q.per_page, 100);
}

Test(rules, list_query_page_int64_max_accepted)
{
	struct listed r = list_query("page=9223372036854775807");

	cr_assert_eq(r.n, 0);
	cr_assert_eq(r.q.page, INT64_MAX);
}

Test(rules, list_query_last_occurrence_wins)
{
	struct listed a = list_query("page=2&page=3");
	struct listed b = list_query("page=abc&page=2");

	cr_assert_eq(a.n, 0);
	cr_assert_eq(a.q.page, 3);
	cr_assert_eq(b.n, 0);
	cr_assert_eq(b.q.page, 2);
}

Test(rules, list_query_ignores_unknown_parameters)
{
	struct listed r = list_query("foo=bar&page=2&sort=name");

	cr_assert_eq(r.n, 0);
	cr_assert_eq(r.q.page, 2);
}

Test(rules, bad_list_query_rejects_bad_page)
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

Test(rules, bad_list_query_rejects_bad_per_page)
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

Test(rules, bad_list_query_rejects_other_role)
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

Test(rules, bad_list_query_empty_role_is_another_value)
{
	struct listed a = list_query("role="), b = list_query("role");

	cr_assert_eq(a.n, 1);
	cr_assert_str_eq(a.errors, "[\"role must be olcm or ilcm\"]");
	cr_assert_eq(b.n, 1);
	cr_assert_str_eq(b.errors, "[\"role must be olcm or ilcm\"]");
}

Test(rules, bad_list_query_reports_every_problem_in_order)
{
	struct listed r = list_query("role=x&per_page=0&page=0");

	cr_assert_eq(r.n, 3);
	cr_assert_str_eq(r.errors, "[\"page must be a positive integer\","
	    "\"per_page must be an integer between 1 and 100\","
	    "\"role must be olcm or ilcm\"]");
}

Test(rules, list_query_decodes_search_plus)
{
	struct listed r = list_query("search=Jane+Doe");

	cr_assert_eq(r.n, 0);
	cr_assert_str_eq(r.search, "Jane Doe");
}

Test(rules, list_query_decodes_search_percent)
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

Test(rules, list_query_empty_search_is_empty_string)
{
	struct listed r = list_query("search=");

	cr_assert_eq(r.n, 0);
	cr_assert_eq(r.has_search, 1);
	cr_assert_str_eq(r.search, "");
}

Test(rules, bad_list_query_bad_escape_names_its_parameter)
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

Test(rules, bad_list_query_invalid_utf8_search_refused)
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

Test(rules, list_query_search_200_chars_accepted)
{
	char qs[1024] = "search=", *a = fx_repeat("a", 200);
	struct listed r;

	strcat(qs, a);
	r = list_query(qs);
	cr_assert_eq(r.n, 0);
	cr_assert_eq(strlen(r.search), 200);
	free(a);
}

Test(rules, list_query_search_200_multibyte_chars_accepted)
{
	char qs[2048] = "search=", *e = fx_repeat("%C3%A9", 200);
	struct listed r;

	strcat(qs, e);
	r = list_query(qs);
	cr_assert_eq(r.n, 0, "%s", r.errors);
	cr_assert_eq(strlen(r.search), 400);
	free(e);
}

Test(rules, bad_list_query_rejects_search_201_chars)
{
	char qs[1024] = "search=", *a = fx_repeat("a", 201);
	struct listed r;

	strcat(qs, a);
	r = list_query(qs);
	cr_assert_eq(r.n, 1);
	cr_assert_str_eq(r.errors, "[\"search must be at most 200 characters\"]");
	free(a);
}

Test(rules, bad_list_query_rejects_search_201_multibyte_chars)
{
	char qs[2048] = "search=", *e = fx_repeat("%C3%A9", 201);
	struct listed r;

	strcat(qs, e);
	r = list_query(qs);
	cr_assert_eq(r.n, 1);
	cr_assert_str_eq(r.errors, "[\"search must be at most 200 characters\"]");
	free(e);
}

Test(rules, bad_list_query_rejects_search_too_long_for_buffer)
{
	struct listed r = list_query_sz("search=abcdefghijklmnopqrstuvwxyz", 16);

	cr_assert_eq(r.n, 1);
	cr_assert_str_eq(r.errors, "[\"search must be at most 200 characters\"]");
}

Test(rules, export_query_without_as_of_is_as_of_today)
{
	struct export_q r = export_query("role=ilcm");

	cr_assert_eq(r.n, 0, "%s", errs_str(r.errors));
	cr_assert_str_eq(r.as_of, "2026-12-02");
	cr_assert_str_eq(r.until, "");
	json_object_put(r.errors);
}

/* Regression: the file was named for until, the day after the one asked for. */
Test(rules, export_query_past_day_is_as_of_that_day_until_the_next)
{
	struct export_q r = export_query("as_of=2026-12-01");

	cr_assert_eq(r.n, 0, "%s", errs_str(r.errors));
	cr_assert_str_eq(r.as_of, "2026-12-01");
	cr_assert_str_eq(r.until, "2026-12-02");
	json_object_put(r.errors);
	r = export_query("as_of=1970-01-01");
	cr_assert_eq(r.n, 0, "%s", errs_str(r.errors));
	cr_assert_str_eq(r.until, "1970-01-02");
	json_object_put(r.errors);
	r = export_query("as_of=2026-12-02");
	cr_assert_eq(r.n, 0, "%s", errs_str(r.errors));
	cr_assert_str_eq(r.as_of, "2026-12-02");
	cr_assert_str_eq(r.until, "", "today is now, not the history");
	json_object_put(r.errors);
}

/* Regression: 1969-12-31 was refused as "not after today". */
Test(rules, bad_export_query_names_the_accepted_range)
{
	static const char *const bad[] = {"as_of=1969-12-31", "as_of=2026-12-03",
	    "as_of=2026-02-30", "as_of=", "as_of=yesterday"};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct export_q r = export_query(bad[i]);

		cr_assert_eq(r.n, 1, "%s", bad[i]);
		cr_assert_str_eq(errs_str(r.errors),
		    "[\"as_of must be a date (YYYY-MM-DD) from 1970-01-01 to today (UTC)\"]", "%s",
		    bad[i]);
		cr_assert_str_eq(r.as_of, "2026-12-02", "%s", bad[i]);
		cr_assert_str_eq(r.until, "", "%s", bad[i]);
		json_object_put(r.errors);
	}
}

/* ---- val_mif: POST .../mifs ---------------------------------------------- */

struct mif_checked {
	int n;
	char *text;
	size_t len;
	char sep;
	char errors[1024];
};

static struct mif_checked
mif_body(const char *json)
{
	struct json_object *o = fx_parse(json), *errors = json_object_new_array();
	struct mif_checked r = {0};

	r.n = val_mif(o, &r.text, &r.len, &r.sep, errors);
	snprintf(r.errors, sizeof(r.errors), "%s", errs_str(errors));
	json_object_put(errors);
	json_object_put(o);
	return r;
}

Test(rules, mif_csv_and_tsv_data_uris_decoded)
{
	struct mif_checked r = mif_body("{\"mif\":{\"file\":\"data:text/csv;base64,QSxCCg==\","
	    "\"file_type\":\"csv\"}}");

	cr_assert_eq(r.n, 0, "%s", r.errors);
	cr_assert_eq(r.len, 4);
	cr_assert_str_eq(r.text, "A,B\n");
	cr_assert_eq(r.sep, ',');
	free(r.text);
	/* Any media type, any case of the scheme and of base64; padding left out. */
	r = mif_body("{\"mif\":{\"file\":\"DATA:application/octet-stream;name=x.tsv;BASE64,QQlCCg\","
	    "\"file_type\":\"tsv\"},\"other\":1}");
	cr_assert_eq(r.n, 0, "%s", r.errors);
	cr_assert_str_eq(r.text, "A\tB\n");
	cr_assert_eq(r.sep, '\t');
	free(r.text);
	r = mif_body("{\"mif\":{\"file\":\"data:;base64,\",\"file_type\":\"csv\"}}");
	cr_assert_eq(r.n, 0, "%s", r.errors);
	cr_assert_eq(r.len, 0, "an empty file is the file's to refuse, by its line");
	free(r.text);
}

Test(rules, bad_mif_bodies_name_each_field)
{
	static const struct {
		const char *json, *errors;
	} bad[] = {
		{"{}", "[\"mif is required\"]"},
		{"{\"mif\":null}", "[\"mif is required\"]"},
		{"{\"mif\":\"x\"}", "[\"mif must be an object\"]"},
		{"{\"mif\":{}}", "[\"mif.file is required\",\"mif.file_type is required\"]"},
		{"{\"mif\":{\"file\":\"QSxC\",\"file_type\":\"csv\"}}",
		    "[\"mif.file must be a data URI of base64 (data:text\\/csv;base64,...)\"]"},
		{"{\"mif\":{\"file\":\"data:text/csv,A\",\"file_type\":\"csv\"}}",
		    "[\"mif.file must be a data URI of base64 (data:text\\/csv;base64,...)\"]"},
		{"{\"mif\":{\"file\":\"data:text/csv;base64,Q\",\"file_type\":\"csv\"}}",
		    "[\"mif.file must be a data URI of base64 (data:text\\/csv;base64,...)\"]"},
		{"{\"mif\":{\"file\":\"data:base64,QUFB\",\"file_type\":\"csv\"}}",
		    "[\"mif.file must be a data URI of base64 (data:text\\/csv;base64,...)\"]"},
		{"{\"mif\":{\"file\":[],\"file_type\":\"xls\"}}",
		    "[\"mif.file must be a data URI of base64 (data:text\\/csv;base64,...)\","
		    "\"mif.file_type must be csv or tsv\"]"},
		{"{\"mif\":{\"file\":\"data:;base64,QUFB\",\"file_type\":\"Tsv\"}}",
		    "[\"mif.file_type must be csv or tsv\"]"},
		{"{\"mif\":{\"file\":\"data:;base64,QUFB\",\"file_type\":null}}",
		    "[\"mif.file_type is required\"]"},
	};
	struct mif_checked r;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = mif_body(bad[i].json);
		cr_expect_gt(r.n, 0, "%s", bad[i].json);
		cr_expect_null(r.text, "%s: no file with a problem", bad[i].json);
		cr_expect_str_eq(r.errors, bad[i].errors, "%s", bad[i].json);
		free(r.text);
	}
}

/* ---- val_history_kind ------------------------------------------------------ */

static int
history_kind(const char *qs, int *member, char *errors, size_t sz)
{
	struct json_object *e = json_object_new_array();
	int n = val_history_kind(qs, member, e);

	snprintf(errors, sz, "%s", errs_str(e));
	json_object_put(e);
	return n;
}

Test(rules, history_kind_assignments_by_default_or_member)
{
	char errors[256];
	int member = -1;

	cr_expect_eq(history_kind("", &member, errors, sizeof(errors)), 0);
	cr_expect_eq(member, 0);
	cr_expect_eq(history_kind("kind=assignments&role=olcm", &member, errors, sizeof(errors)), 0);
	cr_expect_eq(member, 0);
	cr_expect_eq(history_kind("page=2&kind=member", &member, errors, sizeof(errors)), 0);
	cr_expect_eq(member, 1);
}

Test(rules, bad_history_kind)
{
	char errors[256];
	int member;

	cr_expect_eq(history_kind("kind=", &member, errors, sizeof(errors)), 1);
	cr_expect_str_eq(errors, "[\"kind must be assignments or member\"]");
	cr_expect_eq(history_kind("kind=Member", &member, errors, sizeof(errors)), 1);
	cr_expect_eq(history_kind("kind=member&role=ilcm", &member, errors, sizeof(errors)), 1);
	cr_expect_str_eq(errors, "[\"role is for kind=assignments\"]");
}

/* ---- val_release_ended -------------------------------------------------- */

/* val_release_ended on JSON text: its count, r (note kept as text), errors as JSON text. */
static int
release_ended(const char *json, struct lcm_release *r, char *note, char *errors, size_t sz)
{
	struct json_object *o = fx_parse(json), *e = json_object_new_array();
	int n;

	n = val_release_ended(o, r, e);
	snprintf(note, sz, "%.*s", (int)r->note_len, r->note != NULL ? r->note : "");
	r->note = NULL;  /* borrowed from o */
	snprintf(errors, sz, "%s", errs_str(e));
	json_object_put(e);
	json_object_put(o);
	return n;
}

Test(rules, release_ended_defaults_to_a_real_run_without_a_note)
{
	struct lcm_release r;
	char note[256], errors[256];

	cr_expect_eq(release_ended("{}", &r, note, errors, sizeof(note)), 0);
	cr_expect_eq(r.dry_run, 0);
	cr_expect_eq(r.note_len, 0);
	cr_expect_eq(release_ended("{\"dry_run\":true,\"reason\":\"plan letter\",\"x\":1}", &r, note,
	    errors, sizeof(note)), 0);
	cr_expect_eq(r.dry_run, 1);
	cr_expect_str_eq(note, "plan letter");
	cr_expect_eq(release_ended("{\"reason\":{\"code\":\"authorization_ended\",\"note\":\"monthly\"}}",
	    &r, note, errors, sizeof(note)), 0);
	cr_expect_str_eq(note, "monthly");
	cr_expect_eq(release_ended("{\"reason\":null,\"dry_run\":false}", &r, note, errors,
	    sizeof(note)), 0);
	cr_expect_eq(r.note_len, 0);
}

Test(rules, bad_release_ended_names_each_problem)
{
	struct lcm_release r;
	char note[256], errors[256];

	cr_expect_eq(release_ended("{\"dry_run\":null}", &r, note, errors, sizeof(note)), 1);
	cr_expect_str_eq(errors, "[\"dry_run must be true or false\"]");
	cr_expect_eq(release_ended("{\"dry_run\":\"true\",\"reason\":[]}", &r, note, errors,
	    sizeof(note)), 2);
	cr_expect_str_eq(errors, "[\"reason must be a string of at most 500 characters\","
	    "\"dry_run must be true or false\"]");
	cr_expect_eq(release_ended("{\"reason\":{\"code\":\"other\"}}", &r, note, errors,
	    sizeof(note)), 1);
	cr_expect_str_eq(errors, "[\"reason.code must be authorization_ended\"]");
	cr_expect_eq(release_ended("{\"reason\":{\"code\":\"authorization_ended\\u0000x\"}}", &r, note,
	    errors, sizeof(note)), 1);
	cr_expect_eq(release_ended("{\"reason\":{\"code\":7}}", &r, note, errors, sizeof(note)), 1);
	cr_expect_eq(release_ended("{\"reason\":{\"note\":\"no code\"}}", &r, note, errors,
	    sizeof(note)), 1);
	cr_expect_str_eq(errors, "[\"reason.code is required\"]");
}

/* ---- val_patient_query: the queue's member filters ----------------------------- */

#define MEMBER_ID_MSG "member_id must be 1 to 64 visible ASCII characters (letters, digits, punctuation)"

struct pat_listed {
	int n;
	struct pat_query q;
	char errors[1024];
};

static struct pat_listed
patient_query(const char *qs)
{
	struct json_object *e = json_object_new_array();
	static char buf[1024];
	struct pat_listed r;

	memset(&r, 0, sizeof(r));
	r.n = val_patient_query(qs, &r.q, buf, sizeof(buf), e);
	r.q.search = NULL;
	snprintf(r.errors, sizeof(r.errors), "%s", errs_str(e));
	json_object_put(e);
	return r;
}

Test(rules, patient_query_without_member_filters)
{
	struct pat_listed r = patient_query("unassigned=ilcm");

	cr_assert_eq(r.n, 0, "%s", r.errors);
	cr_assert_str_eq(r.q.unassigned, "ilcm");
	cr_assert_null(r.q.acuity);
	cr_assert_null(r.q.authorization);
	cr_assert_eq(r.q.ends_within, -1);
	cr_assert_str_eq(r.q.member_id, "");
	cr_assert_eq(r.q.assigned, -1);
	cr_assert_eq(pat_query_members(&r.q), 0);
}

Test(rules, patient_query_reads_every_member_filter)
{
	struct pat_listed r = patient_query("acuity=high&authorization=not_started"
	    "&auth_ends_within_days=30&member_id=MEM%2B0001&assigned=false");

	cr_assert_eq(r.n, 0, "%s", r.errors);
	cr_assert_str_eq(r.q.acuity, "high");
	cr_assert_str_eq(r.q.authorization, "not_started");
	cr_assert_eq(r.q.ends_within, 30);
	cr_assert_str_eq(r.q.member_id, "MEM+0001");
	cr_assert_eq(r.q.assigned, 0);
	cr_assert_eq(pat_query_members(&r.q), 1);
}

Test(rules, patient_query_each_member_filter_alone_asks_for_members)
{
	static const char *const qs[] = {
		"acuity=low", "acuity=medium", "authorization=active", "authorization=ended",
		"auth_ends_within_days=0", "member_id=!", "member_id=~",
	};
	size_t i;

	for (i = 0; i < sizeof(qs) / sizeof(qs[0]); i++) {
		struct pat_listed r = patient_query(qs[i]);

		cr_expect_eq(r.n, 0, "%s: %s", qs[i], r.errors);
		cr_expect_eq(pat_query_members(&r.q), 1, "%s", qs[i]);
	}
	/* assigned reads patient_index alone: no member needed. */
	{
		struct pat_listed r = patient_query("assigned=true");

		cr_expect_eq(pat_query_members(&r.q), 0);
		cr_expect_eq(r.q.assigned, 1);
	}
}

Test(rules, patient_query_days_bounds_and_the_longest_member_id_accepted)
{
	char qs[128];
	struct pat_listed a = patient_query("auth_ends_within_days=0");
	struct pat_listed b = patient_query("auth_ends_within_days=3650");
	struct pat_listed c = patient_query("auth_ends_within_days=0007");
	struct pat_listed d;

	cr_assert_eq(a.n + b.n + c.n, 0);
	cr_assert_eq(a.q.ends_within, 0);
	cr_assert_eq(b.q.ends_within, 3650);
	cr_assert_eq(c.q.ends_within, 7);
	snprintf(qs, sizeof(qs), "member_id=%.64s",
	    "0123456789012345678901234567890123456789012345678901234567890123456789");
	d = patient_query(qs);
	cr_assert_eq(d.n, 0, "%s", d.errors);
	cr_assert_eq(strlen(d.q.member_id), 64);
}

Test(rules, patient_query_last_occurrence_wins)
{
	struct pat_listed r = patient_query("acuity=x&acuity=medium&assigned=x&assigned=true");

	cr_assert_eq(r.n, 0, "%s", r.errors);
	cr_assert_str_eq(r.q.acuity, "medium");
	cr_assert_eq(r.q.assigned, 1);
}

Test(rules, bad_patient_query_member_filters)
{
	static const struct {
		const char *qs, *error;
	} cases[] = {
		{"acuity=critical", "acuity must be low, medium or high"},
		{"acuity=HIGH", "acuity must be low, medium or high"},
		{"acuity=", "acuity must be low, medium or high"},
		{"acuity", "acuity must be low, medium or high"},
		{"acuity=high%00", "acuity must be low, medium or high"},
		{"acuity=%zz", "acuity must be low, medium or high"},
		{"acuity=mediummediummedium", "acuity must be low, medium or high"},
		{"authorization=expired", "authorization must be active, ended or not_started"},
		{"authorization=", "authorization must be active, ended or not_started"},
		{"authorization=not%20started", "authorization must be active, ended or not_started"},
		{"auth_ends_within_days=-1", "auth_ends_within_days must be an integer between 0 and 3650"},
		{"auth_ends_within_days=3651", "auth_ends_within_days must be an integer between 0 and 3650"},
		{"auth_ends_within_days=", "auth_ends_within_days must be an integer between 0 and 3650"},
		{"auth_ends_within_days=1.5", "auth_ends_within_days must be an integer between 0 and 3650"},
		{"auth_ends_within_days=%2B1", "auth_ends_within_days must be an integer between 0 and 3650"},
		{"auth_ends_within_days=1e2", "auth_ends_within_days must be an integer between 0 and 3650"},
		{"auth_ends_within_days=18446744073709551616", "auth_ends_within_days must be an integer between 0 and 3650"},
		{"member_id=", MEMBER_ID_MSG},
		{"member_id", MEMBER_ID_MSG},
		{"member_id=M+1", MEMBER_ID_MSG},
		{"member_id=M%091", MEMBER_ID_MSG},
		{"member_id=M%7F", MEMBER_ID_MSG},
		{"member_id=M%C3%A9", MEMBER_ID_MSG},
		{"member_id=M%00", MEMBER_ID_MSG},
		{"member_id=%zz", MEMBER_ID_MSG},
		{"member_id=01234567890123456789012345678901234567890123456789012345678901234", MEMBER_ID_MSG},
		{"assigned=yes", "assigned must be true or false"},
		{"assigned=", "assigned must be true or false"},
		{"assigned=1", "assigned must be true or false"},
	};
	size_t i;
	char want[256];

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pat_listed r = patient_query(cases[i].qs);

		snprintf(want, sizeof(want), "[\"%s\"]", cases[i].error);
		cr_expect_eq(r.n, 1, "%s", cases[i].qs);
		cr_expect_str_eq(r.errors, want, "%s", cases[i].qs);
	}
}

Test(rules, bad_patient_query_reports_every_problem_in_order)
{
	struct pat_listed r = patient_query("assigned=no&member_id=&auth_ends_within_days=-5"
	    "&authorization=x&acuity=x&held_by_inactive=x&page=0");

	cr_assert_eq(r.n, 7);
	cr_assert_str_eq(r.errors, "[\"page must be a positive integer\","
	    "\"held_by_inactive must be false or true\","
	    "\"acuity must be low, medium or high\","
	    "\"authorization must be active, ended or not_started\","
	    "\"auth_ends_within_days must be an integer between 0 and 3650\","
	    "\"" MEMBER_ID_MSG "\",\"assigned must be true or false\"]");
}
