/*
 * Unit tests for lib/api/json_out.c: the exact JSON of each resource, as
 * json_object_to_json_string_ext(..., JSON_C_TO_STRING_PLAIN) prints it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <json.h>

#include "json_out.h"

/* ---- fixtures ----------------------------------------------------------- */

static void
set_person(struct lcm_person *p, int64_t id, const char *name, const char *email,
    const char *at)
{
	memset(p, 0, sizeof(*p));
	p->user_id = id;
	p->active = 1;
	p->name = name;
	p->email = email;
	p->assigned_at = at;
}

/* Patient 123 with case load 789, provider 456 and both LCMs. */
static struct care_team *
full_team(void)
{
	struct care_team *t = calloc(1, sizeof(*t));

	cr_assert_not_null(t);
	t->patient_id = 123;
	t->patient_name = "John Doe";
	t->case_load_id = 789;
	t->provider_id = 456;
	t->provider_name = "Dr. Smith";
	set_person(&t->lcm[ROLE_OLCM], 101, "Jane Coordinator", "jane@example.com",
	    "2024-11-27T10:00:00.000Z");
	set_person(&t->lcm[ROLE_ILCM], 102, "Bob Manager", "bob@example.com",
	    "2024-11-27T10:05:00.000Z");
	t->created_at = "2024-11-27T10:00:00.000Z";
	t->updated_at = "2024-11-27T10:05:00.000Z";
	return t;
}

/* The object as plain JSON text, then released; the caller frees the text. */
static char *
text(struct json_object *o)
{
	char *s;

	cr_assert_not_null(o, "builder returned NULL");
	s = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	cr_assert_not_null(s);
	json_object_put(o);
	return s;
}

#define JANE "{\"user_id\":101,\"name\":\"Jane Coordinator\",\"email\":\"jane@example.com\"," \
	"\"assigned_at\":\"2024-11-27T10:00:00.000Z\"}"
#define BOB "{\"user_id\":102,\"name\":\"Bob Manager\",\"email\":\"bob@example.com\"," \
	"\"assigned_at\":\"2024-11-27T10:05:00.000Z\"}"

/* ---- json_care_team --------------------------------------------------- */

Test(json_out, care_team_full)
{
	struct care_team *t = full_team();
	char *s = text(json_care_team(t));

	cr_assert_str_eq(s, "{\"patient_id\":123,\"patient_name\":\"John Doe\","
	    "\"case_load\":{\"id\":789,\"provider_id\":456,\"provider_name\":\"Dr. Smith\","
	    "\"olcm\":" JANE ",\"ilcm\":" BOB "},\"ecm_eligibility_information\":null}");
	free(s);
	free(t);
}

Test(json_out, care_team_null_case_load)
{
	struct care_team *t = calloc(1, sizeof(*t));
	char *s;

	t->patient_id = 124;
	t->patient_name = "Mary Major";
	s = text(json_care_team(t));
	cr_assert_str_eq(s, "{\"patient_id\":124,\"patient_name\":\"Mary Major\",\"case_load\":null,\"ecm_eligibility_information\":null}");
	free(s);
	free(t);
}

Test(json_out, care_team_null_case_load_ignores_stale_fields)
{
	struct care_team *t = full_team();
	char *s;

	t->case_load_id = 0;
	s = text(json_care_team(t));
	cr_assert_str_eq(s, "{\"patient_id\":123,\"patient_name\":\"John Doe\",\"case_load\":null,\"ecm_eligibility_information\":null}");
	free(s);
	free(t);
}

Test(json_out, care_team_null_olcm)
{
	struct care_team *t = full_team();
	char *s;

	memset(&t->lcm[ROLE_OLCM], 0, sizeof(t->lcm[ROLE_OLCM]));
	s = text(json_care_team(t));
	cr_assert_str_eq(s, "{\"patient_id\":123,\"patient_name\":\"John Doe\","
	    "\"case_load\":{\"id\":789,\"provider_id\":456,\"provider_name\":\"Dr. Smith\","
	    "\"olcm\":null,\"ilcm\":" BOB "},\"ecm_eligibility_information\":null}");
	free(s);
	free(t);
}

Test(json_out, care_team_null_ilcm)
{
	struct care_team *t = full_team();
	char *s;

	memset(&t->lcm[ROLE_ILCM], 0, sizeof(t->lcm[ROLE_ILCM]));
	s = text(json_care_team(t));
	cr_assert_str_eq(s, "{\"patient_id\":123,\"patient_name\":\"John Doe\","
	    "\"case_load\":{\"id\":789,\"provider_id\":456,\"provider_name\":\"Dr. Smith\","
	    "\"olcm\":" JANE ",\"ilcm\":null},\"ecm_eligibility_information\":null}");
	free(s);
	free(t);
}

Test(json_out, care_team_empty_case_load_no_provider)
{
	struct care_team *t = calloc(1, sizeof(*t));
	char *s;

	t->patient_id = 126;
	t->patient_name = "Pat Noprovider";
	t->case_load_id = 5;
	s = text(json_care_team(t));
	cr_assert_str_eq(s, "{\"patient_id\":126,\"patient_name\":\"Pat Noprovider\","
	    "\"case_load\":{\"id\":5,\"provider_id\":null,\"provider_name\":null,"
	    "\"olcm\":null,\"ilcm\":null},\"ecm_eligibility_information\":null}");
	free(s);
	free(t);
}

Test(json_out, care_team_person_without_assigned_at)
{
	struct care_team *t = full_team();
	char *s;

	t->lcm[ROLE_OLCM].assigned_at = "";
	s = text(json_care_team(t));
	cr_assert_str_eq(s, "{\"patient_id\":123,\"patient_name\":\"John Doe\","
	    "\"case_load\":{\"id\":789,\"provider_id\":456,\"provider_name\":\"Dr. Smith\","
	    "\"olcm\":{\"user_id\":101,\"name\":\"Jane Coordinator\","
	    "\"email\":\"jane@example.com\",\"assigned_at\":null},\"ilcm\":" BOB "},\"ecm_eligibility_information\":null}");
	free(s);
	free(t);
}

Test(json_out, care_team_escapes_strings)
{
	struct care_team *t = calloc(1, sizeof(*t));
	char *s;

	t->patient_id = 1;
	t->patient_name = "O\"Brien \\ Jos\xc3\xa9\n";
	s = text(json_care_team(t));
	cr_assert_str_eq(s, "{\"patient_id\":1,\"patient_name\":\"O\\\"Brien \\\\ Jos\xc3\xa9\\n\","
	    "\"case_load\":null,\"ecm_eligibility_information\":null}");
	free(s);
	free(t);
}

/* ---- json_case_load --------------------------------------------------- */

Test(json_out, case_load_full)
{
	struct care_team *t = full_team();
	char *s = text(json_case_load(t));

	cr_assert_str_eq(s, "{\"id\":789,\"patient_id\":123,\"patient_name\":\"John Doe\","
	    "\"provider_id\":456,\"provider_name\":\"Dr. Smith\","
	    "\"olcm_user_id\":101,\"olcm_name\":\"Jane Coordinator\","
	    "\"ilcm_user_id\":102,\"ilcm_name\":\"Bob Manager\","
	    "\"created_at\":\"2024-11-27T10:00:00.000Z\","
	    "\"updated_at\":\"2024-11-27T10:05:00.000Z\"}");
	free(s);
	free(t);
}

Test(json_out, case_load_nulls_where_unset)
{
	struct care_team *t = full_team();
	char *s;

	t->provider_id = 0;
	t->provider_name = NULL;
	memset(&t->lcm[ROLE_ILCM], 0, sizeof(t->lcm[ROLE_ILCM]));
	s = text(json_case_load(t));
	cr_assert_str_eq(s, "{\"id\":789,\"patient_id\":123,\"patient_name\":\"John Doe\","
	    "\"provider_id\":null,\"provider_name\":null,"
	    "\"olcm_user_id\":101,\"olcm_name\":\"Jane Coordinator\","
	    "\"ilcm_user_id\":null,\"ilcm_name\":null,"
	    "\"created_at\":\"2024-11-27T10:00:00.000Z\","
	    "\"updated_at\":\"2024-11-27T10:05:00.000Z\"}");
	free(s);
	free(t);
}

Test(json_out, case_load_null_olcm)
{
	struct care_team *t = full_team();
	char *s;

	memset(&t->lcm[ROLE_OLCM], 0, sizeof(t->lcm[ROLE_OLCM]));
	s = text(json_case_load(t));
	cr_assert_str_eq(s, "{\"id\":789,\"patient_id\":123,\"patient_name\":\"John Doe\","
	    "\"provider_id\":456,\"provider_name\":\"Dr. Smith\","
	    "\"olcm_user_id\":null,\"olcm_name\":null,"
	    "\"ilcm_user_id\":102,\"ilcm_name\":\"Bob Manager\","
	    "\"created_at\":\"2024-11-27T10:00:00.000Z\","
	    "\"updated_at\":\"2024-11-27T10:05:00.000Z\"}");
	free(s);
	free(t);
}

Test(json_out, case_load_never_carries_care_team_only_fields)
{
	struct care_team *t = full_team();
	struct json_object *o = json_case_load(t), *v;

	cr_assert_not_null(o);
	cr_assert_not(json_object_object_get_ex(o, "olcm", &v));
	cr_assert_not(json_object_object_get_ex(o, "ilcm", &v));
	cr_assert_not(json_object_object_get_ex(o, "case_load", &v));
	cr_assert_eq(json_object_object_length(o), 11);
	json_object_put(o);
	free(t);
}

/* ---- json_lcm_page ---------------------------------------------------- */

static void
set_row(struct lcm_row *r, int64_t id, const char *name, const char *email,
    const char *roles, int64_t both, int64_t ol, int64_t il)
{
	memset(r, 0, sizeof(*r));
	r->id = id;
	r->name = name;
	r->email = email;
	r->roles = roles;
	r->assigned_patients_count = both;
	r->count[ROLE_OLCM] = ol;
	r->count[ROLE_ILCM] = il;
	r->max[ROLE_OLCM] = r->max[ROLE_ILCM] = -1;
	r->max_points[ROLE_OLCM] = r->max_points[ROLE_ILCM] = -1;
	r->points[ROLE_OLCM] = ol;  /* every weight 1 */
	r->points[ROLE_ILCM] = il;
	r->active = r->eligible = 1;
}

/* What a list entry of a user without caseload limits ends with. */
#define NO_LIMITS(o, i) "\"max_olcm\":null,\"max_ilcm\":null," \
	"\"olcm_weighted_load\":" o ",\"ilcm_weighted_load\":" i "," \
	"\"max_olcm_points\":null,\"max_ilcm_points\":null," \
	"\"at_capacity\":{\"olcm\":false,\"ilcm\":false}"

/* The page body of n rows, built row by row as the handler builds it. */
static struct json_object *
page(const struct lcm_row *rows, size_t n, int64_t total, const struct lcm_list_query *q)
{
	struct json_object *list = json_list();
	size_t i;

	cr_assert_not_null(list);
	for (i = 0; i < n; i++)
		cr_assert_eq(json_list_add(list, json_lcm_row(&rows[i])), APP_OK);
	return json_lcm_page(list, total, q);
}

/* The pagination object alone, for a page with no rows. */
static char *
pagination(int64_t page, int64_t per_page, int64_t total)
{
	struct lcm_list_query q = {page, per_page, NULL, -1, 0, 0, 0, 0};
	struct json_object *o = json_lcm_page(json_list(), total, &q), *p;
	char *s;

	cr_assert_not_null(o);
	cr_assert(json_object_object_get_ex(o, "pagination", &p));
	s = strdup(json_object_to_json_string_ext(p, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	return s;
}

Test(json_out, lcm_page_contract_example)
{
	struct lcm_row rows[2];
	struct lcm_list_query q = {1, 25, NULL, -1, 0, 0, 0, 0};
	char *s;

	set_row(&rows[0], 101, "Jane Coordinator", "jane@example.com", "coordinator,ecm", 15, 10, 5);
	set_row(&rows[1], 102, "Bob Manager", "bob@example.com", "coordinator,ecm", 20, 12, 8);
	s = text(page(rows, 2, 30, &q));
	cr_assert_str_eq(s, "{\"lead_care_managers\":["
	    "{\"id\":101,\"name\":\"Jane Coordinator\",\"email\":\"jane@example.com\","
	    "\"roles\":[\"coordinator\",\"ecm\"],\"assigned_patients_count\":15,"
	    "\"olcm_assignments_count\":10,\"ilcm_assignments_count\":5," NO_LIMITS("10", "5") "},"
	    "{\"id\":102,\"name\":\"Bob Manager\",\"email\":\"bob@example.com\","
	    "\"roles\":[\"coordinator\",\"ecm\"],\"assigned_patients_count\":20,"
	    "\"olcm_assignments_count\":12,\"ilcm_assignments_count\":8," NO_LIMITS("12", "8") "}],"
	    "\"pagination\":{\"current_page\":1,\"total_pages\":2,\"total_count\":30,"
	    "\"per_page\":25}}");
	free(s);
}

Test(json_out, lcm_page_nothing_matches)
{
	struct lcm_list_query q = {1, 25, "zzz", -1, 0, 0, 0, 0};
	char *s = text(page(NULL, 0, 0, &q));

	cr_assert_str_eq(s, "{\"lead_care_managers\":[],"
	    "\"pagination\":{\"current_page\":1,\"total_pages\":0,\"total_count\":0,"
	    "\"per_page\":25}}");
	free(s);
}

Test(json_out, lcm_page_past_the_end)
{
	struct lcm_list_query q = {5, 25, NULL, -1, 0, 0, 0, 0};
	char *s = text(page(NULL, 0, 30, &q));

	cr_assert_str_eq(s, "{\"lead_care_managers\":[],"
	    "\"pagination\":{\"current_page\":5,\"total_pages\":2,\"total_count\":30,"
	    "\"per_page\":25}}");
	free(s);
}

Test(json_out, lcm_page_total_pages_is_ceiling)
{
	static const struct {
		int64_t per_page, total, pages;
	} cases[] = {
		{25, 0, 0}, {25, 1, 1}, {25, 24, 1}, {25, 25, 1}, {25, 26, 2}, {25, 30, 2},
		{25, 50, 2}, {25, 51, 3}, {1, 0, 0}, {1, 1, 1}, {1, 7, 7}, {100, 100, 1},
		{100, 101, 2}, {100, 1000000, 10000}, {3, 10, 4},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char want[160], *s = pagination(1, cases[i].per_page, cases[i].total);

		snprintf(want, sizeof(want), "{\"current_page\":1,\"total_pages\":%lld,"
		    "\"total_count\":%lld,\"per_page\":%lld}", (long long)cases[i].pages,
		    (long long)cases[i].total, (long long)cases[i].per_page);
		cr_expect_str_eq(s, want, "total %lld per_page %lld",
		    (long long)cases[i].total, (long long)cases[i].per_page);
		free(s);
	}
}

Test(json_out, lcm_page_roles_split)
{
	struct lcm_row rows[3];
	struct lcm_list_query q = {1, 25, NULL, -1, 0, 0, 0, 0};
	char *s;

	set_row(&rows[0], 103, "Carla Intensive", "carla@example.com", "ecm", 0, 0, 0);
	set_row(&rows[1], 104, "No Roles", "nr@example.com", "", 0, 0, 0);
	set_row(&rows[2], 105, "Three", "t@example.com", "a,b,ecm", 1, 1, 1);
	s = text(page(rows, 3, 3, &q));
	cr_assert_str_eq(s, "{\"lead_care_managers\":["
	    "{\"id\":103,\"name\":\"Carla Intensive\",\"email\":\"carla@example.com\","
	    "\"roles\":[\"ecm\"],\"assigned_patients_count\":0,"
	    "\"olcm_assignments_count\":0,\"ilcm_assignments_count\":0," NO_LIMITS("0", "0") "},"
	    "{\"id\":104,\"name\":\"No Roles\",\"email\":\"nr@example.com\","
	    "\"roles\":[],\"assigned_patients_count\":0,"
	    "\"olcm_assignments_count\":0,\"ilcm_assignments_count\":0," NO_LIMITS("0", "0") "},"
	    "{\"id\":105,\"name\":\"Three\",\"email\":\"t@example.com\","
	    "\"roles\":[\"a\",\"b\",\"ecm\"],\"assigned_patients_count\":1,"
	    "\"olcm_assignments_count\":1,\"ilcm_assignments_count\":1," NO_LIMITS("1", "1") "}],"
	    "\"pagination\":{\"current_page\":1,\"total_pages\":1,\"total_count\":3,"
	    "\"per_page\":25}}");
	free(s);
}

Test(json_out, lcm_row_limits_and_at_capacity)
{
	struct lcm_row r;
	char *s;

	set_row(&r, 101, "Jane", "j@example.com", "ecm", 3, 3, 0);
	r.max[ROLE_OLCM] = 3;
	r.max[ROLE_ILCM] = 5;
	s = text(json_lcm_row(&r));
	cr_assert_str_eq(s, "{\"id\":101,\"name\":\"Jane\",\"email\":\"j@example.com\","
	    "\"roles\":[\"ecm\"],\"assigned_patients_count\":3,\"olcm_assignments_count\":3,"
	    "\"ilcm_assignments_count\":0,\"max_olcm\":3,\"max_ilcm\":5,"
	    "\"olcm_weighted_load\":3,\"ilcm_weighted_load\":0,"
	    "\"max_olcm_points\":null,\"max_ilcm_points\":null,"
	    "\"at_capacity\":{\"olcm\":true,\"ilcm\":false}}");
	free(s);
	/* A limit in points: at capacity once the weighted load reaches it, whatever the count. */
	r.max[ROLE_OLCM] = -1;
	r.points[ROLE_OLCM] = 7;
	r.max_points[ROLE_OLCM] = 7;
	r.max_points[ROLE_ILCM] = 9;
	s = text(json_lcm_row(&r));
	cr_assert(strstr(s, "\"max_olcm\":null,\"max_ilcm\":5,\"olcm_weighted_load\":7,"
	    "\"ilcm_weighted_load\":0,\"max_olcm_points\":7,\"max_ilcm_points\":9,"
	    "\"at_capacity\":{\"olcm\":true,\"ilcm\":false}") != NULL, "%s", s);
	free(s);
	r.points[ROLE_OLCM] = 6;
	s = text(json_lcm_row(&r));
	cr_assert(strstr(s, "\"at_capacity\":{\"olcm\":false,") != NULL, "%s", s);
	free(s);
	r.active = 0;
	s = text(json_lcm_row(&r));
	cr_assert(strstr(s, ",\"active\":false}") != NULL, "%s", s);
	free(s);
}

Test(json_out, care_team_deactivated_holder_says_so)
{
	struct care_team *t = full_team();
	char *s;

	t->lcm[ROLE_ILCM].active = 0;
	s = text(json_care_team(t));
	cr_assert(strstr(s, "\"ilcm\":{\"user_id\":102,\"name\":\"Bob Manager\","
	    "\"email\":\"bob@example.com\",\"assigned_at\":\"2024-11-27T10:05:00.000Z\","
	    "\"active\":false}") != NULL, "%s", s);
	cr_assert(strstr(s, "\"olcm\":" JANE) != NULL, "an active holder keeps the contract's shape: %s", s);
	free(s);
	free(t);
}

/* ---- a member's facts: ecm_eligibility_information ------------------------- */

#define MEMBER_JSON "{\"member_id\":\"MEM0000000001\",\"cin\":\"CIN123456\"," \
	"\"ecm_service_auth_id\":\"AUTH123456\",\"ecm_benefit_auth_eff_date\":\"2024-01-01\"," \
	"\"ecm_benefit_auth_end_date\":\"2024-12-31\",\"acuity_level\":\"high\"," \
	"\"member_record_status\":\"new_member\",\"authorization_status\":\"ended\"}"

static void
set_member(struct ecm_member *m)
{
	m->present = 1;
	m->member_id = "MEM0000000001";
	m->cin = "CIN123456";
	m->service_auth_id = "AUTH123456";
	m->auth_eff_date = "2024-01-01";
	m->auth_end_date = "2024-12-31";
	m->acuity_level = "high";
	m->record_status = "new_member";
	m->auth = AUTH_ENDED;
}

/* The wider API's shape, as the example gives it, after the contract's keys. */
Test(json_out, care_team_with_member_facts)
{
	struct care_team *t = full_team();
	char *s;

	set_member(&t->member);
	s = text(json_care_team(t));
	cr_assert_str_eq(s, "{\"patient_id\":123,\"patient_name\":\"John Doe\","
	    "\"case_load\":{\"id\":789,\"provider_id\":456,\"provider_name\":\"Dr. Smith\","
	    "\"olcm\":" JANE ",\"ilcm\":" BOB "},\"ecm_eligibility_information\":" MEMBER_JSON "}");
	free(s);
	free(t);
}

Test(json_out, member_facts_the_file_left_out_are_null)
{
	struct ecm_member m = {0};
	char *s;

	cr_assert_null(json_ecm_member(&m), "no member: null");
	m.present = 1;
	m.member_id = "M1";
	s = text(json_ecm_member(&m));
	cr_assert_str_eq(s, "{\"member_id\":\"M1\",\"cin\":null,\"ecm_service_auth_id\":null,"
	    "\"ecm_benefit_auth_eff_date\":null,\"ecm_benefit_auth_end_date\":null,"
	    "\"acuity_level\":null,\"member_record_status\":null,\"authorization_status\":null}");
	free(s);
}

/* The authorization on the clinic's day, as the reader computed it: each state's name. */
Test(json_out, member_authorization_status_each_state)
{
	static const struct {
		enum member_auth auth;
		const char *json;
	} cases[] = {
		{AUTH_NONE, "null"},
		{AUTH_NOT_STARTED, "\"not_started\""},
		{AUTH_ACTIVE, "\"active\""},
		{AUTH_ENDED, "\"ended\""},
	};
	struct ecm_member m;
	char want[128], *s;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		set_member(&m);
		m.auth = cases[i].auth;
		s = text(json_ecm_member(&m));
		snprintf(want, sizeof(want), ",\"authorization_status\":%s}", cases[i].json);
		cr_expect(strstr(s, want) != NULL, "%s in %s", want, s);
		free(s);
	}
}

Test(json_out, patient_row_with_and_without_member_facts)
{
	struct pat_row r = {0};
	char *s;

	r.id = 125;
	r.name = "Sam Minor";
	s = text(json_patient_row(&r));
	cr_assert_str_eq(s, "{\"id\":125,\"name\":\"Sam Minor\",\"case_load\":null,"
	    "\"ecm_eligibility_information\":null}");
	free(s);
	set_member(&r.member);
	s = text(json_patient_row(&r));
	cr_assert_str_eq(s, "{\"id\":125,\"name\":\"Sam Minor\",\"case_load\":null,"
	    "\"ecm_eligibility_information\":" MEMBER_JSON "}");
	free(s);
}

Test(json_out, member_change_and_mif_result)
{
	struct member_change e = {"member_updated",
		"{\"acuity_level\":{\"from\":\"low\",\"to\":\"high\"}}", 1, "Ada Admin", "api",
		"abc123", "2025-01-02T03:04:05.006Z"};
	struct mif_counts c = {10, 3, 2, 5};
	char *s;

	s = text(json_member_change(&e));
	cr_assert_str_eq(s, "{\"activity_type\":\"member_updated\","
	    "\"changes\":{\"acuity_level\":{\"from\":\"low\",\"to\":\"high\"}},"
	    "\"by\":{\"id\":1,\"name\":\"Ada Admin\"},\"source\":\"api\",\"request_id\":\"abc123\","
	    "\"at\":\"2025-01-02T03:04:05.006Z\"}");
	free(s);
	e.actor_id = 0;
	e.actor_name = NULL;
	e.source = "lcm-admin";
	s = text(json_member_change(&e));
	cr_assert(strstr(s, "\"by\":null,\"source\":\"lcm-admin\"") != NULL, "%s", s);
	free(s);
	s = text(json_mif_result(&c));
	cr_assert_str_eq(s, "{\"message\":\"MIF imported successfully\",\"imported_count\":3,"
	    "\"updated_count\":2,\"unchanged_count\":5}");
	free(s);
}

/* The dashboard's counts: the contract-era ones first, then the ECM admin's two lists. */
Test(json_out, patient_summary_every_count_in_order)
{
	struct pat_summary sum = {12, 5, 9, 9, 7, 1, 2, 3};
	char *s = text(json_patient_summary(&sum));

	cr_assert_str_eq(s, "{\"patients\":12,\"with_case_load\":5,\"without_olcm\":9,"
	    "\"without_ilcm\":9,\"without_both\":7,\"assigned_to_inactive\":1,"
	    "\"high_acuity_without_ilcm\":2,\"authorization_ended_assigned\":3}");
	free(s);
}
