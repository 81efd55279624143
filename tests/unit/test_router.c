/*
 * Unit tests for lib/http/router.c, against the worker's real route table
 * (fcgi-app/routes.c). Only matching is exercised: no handler runs.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "../../fcgi-app/handlers.h"
#include "router.h"

#define BASE "/v1/admin/clinic/ecm"
#define LCMS BASE "/lead_care_managers"
#define ASSIGN LCMS "/assign"
#define BULK LCMS "/bulk_assign"
#define PATIENT(id) BASE "/patients/" id "/lead_care_managers"

struct matched {
	const struct route *rt;
	int64_t id;
	char allow[64];
};

static struct matched
match(enum http_method m, const char *path)
{
	struct matched r;

	memset(&r, 0, sizeof(r));
	r.id = -1;
	memset(r.allow, 'x', sizeof(r.allow) - 1);
	r.rt = router_match(app_routes, app_nroutes, m, path, &r.id, r.allow, sizeof(r.allow));
	return r;
}

/* The path matches no route for any method: 404. */
static void
expect_unknown(enum http_method m, const char *path)
{
	struct matched r = match(m, path);

	cr_expect_null(r.rt, "%s should not match", path);
	cr_expect_str_eq(r.allow, "", "%s: allow should be empty", path);
	cr_expect_eq(r.id, 0, "%s: id should be 0", path);
}

/* ---- matches ---------------------------------------------------------- */

Test(router, matches_healthz)
{
	struct matched r = match(M_GET, "/healthz");

	cr_assert_not_null(r.rt);
	cr_assert_eq(r.rt->handler, health_get);
	cr_assert_eq(r.rt->method, M_GET);
	cr_assert_eq(r.rt->flags, 0);
	cr_assert_eq(r.id, 0);
	cr_assert_str_eq(r.allow, "");
}

Test(router, matches_list)
{
	struct matched r = match(M_GET, LCMS);

	cr_assert_not_null(r.rt);
	cr_assert_eq(r.rt->handler, lcm_list_get);
	cr_assert_eq(r.rt->flags, ROUTE_ADMIN);
	cr_assert_eq(r.id, 0);
}

Test(router, matches_one_person)
{
	struct matched r = match(M_GET, LCMS "/101");
	struct matched h = match(M_HEAD, LCMS "/9223372036854775807");

	cr_assert_not_null(r.rt);
	cr_assert_eq(r.rt->handler, lcm_one_get);
	cr_assert_eq(r.rt->flags, ROUTE_ADMIN);
	cr_assert_eq(r.id, 101);
	cr_assert_not_null(h.rt);
	cr_assert_eq(h.rt->handler, lcm_one_get);
	cr_assert_eq(h.id, INT64_MAX);
}

/* The literal segments beside :id stay theirs: an id is digits only. */
Test(router, one_person_leaves_the_literal_paths_beside_it)
{
	struct matched a = match(M_GET, ASSIGN), e = match(M_GET, LCMS "/assignments.csv");
	struct matched b = match(M_POST, BULK);

	cr_assert_null(a.rt);
	cr_assert_str_eq(a.allow, "POST, PUT, DELETE");
	cr_assert_not_null(e.rt);
	cr_assert_eq(e.rt->handler, assignments_export_get);
	cr_assert_not_null(b.rt);
	cr_assert_eq(b.rt->handler, lcm_bulk_assign_post);
}

Test(router, wrong_method_on_one_person_lists_allow)
{
	struct matched p = match(M_POST, LCMS "/101"), d = match(M_DELETE, LCMS "/101");

	cr_assert_null(p.rt);
	cr_assert_str_eq(p.allow, "GET, HEAD");
	cr_assert_null(d.rt);
	cr_assert_str_eq(d.allow, "GET, HEAD");
}

Test(router, bad_path_one_person_id_does_not_match)
{
	expect_unknown(M_GET, LCMS "/0");
	expect_unknown(M_GET, LCMS "/abc");
	expect_unknown(M_GET, LCMS "/-1");
	expect_unknown(M_GET, LCMS "/1.5");
	expect_unknown(M_GET, LCMS "/9223372036854775808");
	expect_unknown(M_GET, LCMS "/101/");
	expect_unknown(M_PUT, LCMS "/abc");
}

Test(router, matches_assign_methods)
{
	struct matched p = match(M_POST, ASSIGN);
	struct matched u = match(M_PUT, ASSIGN);
	struct matched d = match(M_DELETE, ASSIGN);

	cr_assert_not_null(p.rt);
	cr_assert_eq(p.rt->handler, lcm_write_one);
	cr_assert_eq(p.rt->data, &route_assign_post);
	cr_assert_eq(p.rt->flags, ROUTE_ADMIN | ROUTE_BODY | ROUTE_IDEMPOTENT);
	cr_assert_not_null(u.rt);
	cr_assert_eq(u.rt->handler, lcm_write_one);
	cr_assert_eq(u.rt->data, &route_assign_put);
	cr_assert_eq(u.rt->flags, ROUTE_ADMIN | ROUTE_BODY);
	cr_assert_not_null(d.rt);
	cr_assert_eq(d.rt->handler, lcm_write_one);
	cr_assert_eq(d.rt->data, &route_assign_delete);
	cr_assert_eq(d.rt->flags, ROUTE_ADMIN | ROUTE_BODY);
}

Test(router, match_after_other_methods_clears_allow)
{
	/* POST and PUT for the same path come first in the table. */
	struct matched d = match(M_DELETE, ASSIGN);

	cr_assert_not_null(d.rt);
	cr_assert_str_eq(d.allow, "");
}

Test(router, matches_bulk_assign)
{
	struct matched r = match(M_POST, BULK);

	cr_assert_not_null(r.rt);
	cr_assert_eq(r.rt->handler, lcm_bulk_assign_post);
	cr_assert_eq(r.rt->flags, ROUTE_ADMIN | ROUTE_BODY | ROUTE_IDEMPOTENT);
}

/* The MIF import: a file's body, its own limit, POST only. */
Test(router, matches_mifs_and_its_body_limit)
{
	struct matched r = match(M_POST, BASE "/mifs");
	struct matched bad = match(M_GET, BASE "/mifs");

	cr_assert_not_null(r.rt);
	cr_assert_eq(r.rt->handler, mifs_post);
	cr_assert_eq(r.rt->flags, ROUTE_ADMIN | ROUTE_BODY | ROUTE_IDEMPOTENT | ROUTE_FILE);
	cr_assert_null(bad.rt);
	cr_assert_str_eq(bad.allow, "POST");
	cr_assert_eq(app_body_max(M_POST, BASE "/mifs", 0), HTTP_FILE_BODY_MAX);
	cr_assert_eq(app_body_max(M_POST, BASE "/mifs", 1), HTTP_BODY_MAX, "an encoded slash is no path");
	cr_assert_eq(app_body_max(M_PUT, BASE "/mifs", 0), HTTP_BODY_MAX, "no route: the common limit");
	cr_assert_eq(app_body_max(M_POST, BULK, 0), HTTP_BODY_MAX);
	cr_assert_eq(app_body_max(M_POST, BASE "/nowhere", 0), HTTP_BODY_MAX);
	cr_assert_gt(HTTP_FILE_BODY_MAX, HTTP_BODY_MAX);
}

Test(router, matches_history_and_access_log)
{
	struct matched h = match(M_GET, PATIENT("123") "/history");
	struct matched a = match(M_GET, BASE "/patients/124/access_log");
	struct matched bad = match(M_POST, BASE "/patients/124/access_log");

	cr_assert_not_null(h.rt);
	cr_assert_eq(h.rt->handler, patient_history_get);
	cr_assert_eq(h.rt->flags, ROUTE_ADMIN);
	cr_assert_eq(h.id, 123);
	cr_assert_not_null(a.rt);
	cr_assert_eq(a.rt->handler, patient_access_log_get);
	cr_assert_eq(a.id, 124);
	cr_assert_null(bad.rt);
	cr_assert_str_eq(bad.allow, "GET, HEAD");
}

Test(router, matches_patient_with_id)
{
	struct matched r = match(M_GET, PATIENT("123"));

	cr_assert_not_null(r.rt);
	cr_assert_eq(r.rt->handler, patient_lcms_get);
	cr_assert_eq(r.rt->flags, ROUTE_ADMIN);
	cr_assert_eq(r.id, 123);
}

Test(router, matches_patient_id_bounds)
{
	struct matched one = match(M_GET, PATIENT("1"));
	struct matched max = match(M_GET, PATIENT("9223372036854775807"));

	cr_assert_not_null(one.rt);
	cr_assert_eq(one.id, 1);
	cr_assert_not_null(max.rt);
	cr_assert_eq(max.id, INT64_MAX);
}

/* ---- 405: known path, wrong method ------------------------------------ */

Test(router, wrong_method_on_assign_lists_allow)
{
	struct matched r = match(M_GET, ASSIGN);

	cr_assert_null(r.rt);
	cr_assert_str_eq(r.allow, "POST, PUT, DELETE");
	cr_assert_eq(r.id, 0);
}

Test(router, unroutable_method_on_assign_lists_allow)
{
	struct matched r = match(M_OTHER, ASSIGN);

	cr_assert_null(r.rt);
	cr_assert_str_eq(r.allow, "POST, PUT, DELETE");
}

Test(router, wrong_method_on_list_lists_allow)
{
	struct matched p = match(M_POST, LCMS), d = match(M_DELETE, LCMS);

	cr_assert_null(p.rt);
	cr_assert_str_eq(p.allow, "GET, HEAD");
	cr_assert_null(d.rt);
	cr_assert_str_eq(d.allow, "GET, HEAD");
}

Test(router, wrong_method_on_bulk_assign_lists_allow)
{
	struct matched g = match(M_GET, BULK), u = match(M_PUT, BULK);

	cr_assert_null(g.rt);
	cr_assert_str_eq(g.allow, "POST");
	cr_assert_null(u.rt);
	cr_assert_str_eq(u.allow, "POST");
}

Test(router, wrong_method_on_patient_lists_allow)
{
	struct matched r = match(M_DELETE, PATIENT("123"));

	cr_assert_null(r.rt);
	cr_assert_str_eq(r.allow, "GET, HEAD");
	cr_assert_eq(r.id, 0);
}

Test(router, wrong_method_on_healthz_lists_allow)
{
	struct matched r = match(M_POST, "/healthz");

	cr_assert_null(r.rt);
	cr_assert_str_eq(r.allow, "GET, HEAD");
}

/* ---- HEAD: wherever GET is, and nowhere else ----------------------------- */

Test(router, head_matches_every_get_route)
{
	struct matched r;
	char path[256];
	size_t i;
	const char *id;

	for (i = 0; i < app_nroutes; i++) {
		if (app_routes[i].method != M_GET)
			continue;
		id = strstr(app_routes[i].pattern, ":id");
		if (id == NULL)
			snprintf(path, sizeof(path), "%s", app_routes[i].pattern);
		else
			snprintf(path, sizeof(path), "%.*s42%s", (int)(id - app_routes[i].pattern),
			    app_routes[i].pattern, id + 3);
		r = match(M_HEAD, path);
		cr_expect_eq(r.rt, &app_routes[i], "HEAD %s should run GET's route", path);
		cr_expect_eq(r.id, id != NULL ? 42 : 0, "HEAD %s: id", path);
	}
}

Test(router, head_is_refused_where_get_is_not)
{
	struct matched r = match(M_HEAD, ASSIGN), b = match(M_HEAD, BULK);

	cr_assert_null(r.rt);
	cr_assert_str_eq(r.allow, "POST, PUT, DELETE");
	cr_assert_null(b.rt);
	cr_assert_str_eq(b.allow, "POST");
	expect_unknown(M_HEAD, BASE "/nothing");
}

/* ---- 404: no such path ------------------------------------------------ */

Test(router, bad_path_unknown)
{
	expect_unknown(M_GET, "/nope");
	expect_unknown(M_GET, "/");
	expect_unknown(M_GET, "");
	expect_unknown(M_GET, "healthz");
	expect_unknown(M_GET, "/v1");
	expect_unknown(M_GET, BASE);
	expect_unknown(M_GET, "/HEALTHZ");
	expect_unknown(M_GET, BASE "/Lead_Care_Managers");
	expect_unknown(M_POST, LCMS "/assignx");
	expect_unknown(M_POST, LCMS "/assig");
}

Test(router, bad_path_trailing_slash_does_not_match)
{
	expect_unknown(M_GET, "/healthz/");
	expect_unknown(M_GET, LCMS "/");
	expect_unknown(M_POST, ASSIGN "/");
	expect_unknown(M_GET, PATIENT("123") "/");
}

Test(router, bad_path_doubled_or_extra_segments)
{
	expect_unknown(M_GET, "//healthz");
	expect_unknown(M_GET, "/v1//admin/clinic/ecm/lead_care_managers");
	expect_unknown(M_GET, PATIENT("123") "/extra");
	expect_unknown(M_GET, BASE "/patients/123");
	expect_unknown(M_GET, BASE "/patients/lead_care_managers");
}

Test(router, bad_path_id_non_numeric_does_not_match)
{
	expect_unknown(M_GET, PATIENT("abc"));
	expect_unknown(M_GET, PATIENT("12a"));
	expect_unknown(M_GET, PATIENT("a12"));
	expect_unknown(M_GET, PATIENT("1.5"));
	expect_unknown(M_GET, PATIENT(":id"));
	expect_unknown(M_GET, PATIENT("%31"));
	expect_unknown(M_GET, PATIENT(" 1"));
}

Test(router, bad_path_id_out_of_range_does_not_match)
{
	expect_unknown(M_GET, PATIENT("0"));
	expect_unknown(M_GET, PATIENT("-1"));
	expect_unknown(M_GET, PATIENT("+1"));
	expect_unknown(M_GET, PATIENT(""));
	expect_unknown(M_GET, PATIENT("9223372036854775808"));
	expect_unknown(M_GET, PATIENT("18446744073709551616"));
	expect_unknown(M_GET, PATIENT("99999999999999999999999"));
}

/*
 * Regression (issue 12): "0123" was found as patient 123 while a 20-digit
 * "00000000000000000123" was not. An id has one form in a path, on every
 * route: decimal without leading zeros; any other spelling is no path.
 */
Test(router, bad_path_id_with_leading_zeros_does_not_match_on_any_route)
{
	static const char *const spellings[] = {"0123", "00123", "0000000000000000123",
	    "00000000000000000123", "09223372036854775807", "01", "00"};
	char path[256];
	const char *id;
	size_t i, k;

	for (i = 0; i < app_nroutes; i++) {
		if ((id = strstr(app_routes[i].pattern, ":id")) == NULL)
			continue;
		for (k = 0; k < sizeof(spellings) / sizeof(spellings[0]); k++) {
			snprintf(path, sizeof(path), "%.*s%s%s", (int)(id - app_routes[i].pattern),
			    app_routes[i].pattern, spellings[k], id + 3);
			expect_unknown(app_routes[i].method, path);
		}
		snprintf(path, sizeof(path), "%.*s123%s", (int)(id - app_routes[i].pattern),
		    app_routes[i].pattern, id + 3);
		cr_expect_eq(match(app_routes[i].method, path).rt, &app_routes[i], "%s", path);
	}
}

Test(router, bad_path_id_does_not_answer_405)
{
	/* A bad id is an unknown path for every method, not a 405. */
	expect_unknown(M_DELETE, PATIENT("abc"));
	expect_unknown(M_POST, PATIENT("0"));
}

/* ---- a private table ---------------------------------------------------- */

static enum app_err
noop(const struct request *req, struct response *resp)
{
	(void)req;
	(void)resp;
	return APP_OK;
}

static const struct route two_ids[] = {
	{M_GET, "/a/:id/b", noop, 0, NULL},
	{M_PUT, "/a/:id/b", noop, 0, NULL},
	{M_GET, "/c", noop, 0, NULL},
};

Test(router, id_is_reset_between_routes)
{
	int64_t id = 42;
	char allow[64];
	const struct route *rt;

	rt = router_match(two_ids, 3, M_GET, "/c", &id, allow, sizeof(allow));
	cr_assert_eq(rt, &two_ids[2]);
	cr_assert_eq(id, 0);
	rt = router_match(two_ids, 3, M_PUT, "/a/77/b", &id, allow, sizeof(allow));
	cr_assert_eq(rt, &two_ids[1]);
	cr_assert_eq(id, 77);
	rt = router_match(two_ids, 3, M_DELETE, "/a/77/b", &id, allow, sizeof(allow));
	cr_assert_null(rt);
	cr_assert_eq(id, 0);
	cr_assert_str_eq(allow, "GET, HEAD, PUT");
}

Test(router, zero_size_allow_is_not_written)
{
	int64_t id;

	cr_assert_null(router_match(two_ids, 3, M_POST, "/a/1/b", &id, NULL, 0));
}

Test(router, empty_table_matches_nothing)
{
	int64_t id = 5;
	char allow[8] = "junk";

	cr_assert_null(router_match(two_ids, 0, M_GET, "/c", &id, allow, sizeof(allow)));
	cr_assert_eq(id, 0);
	cr_assert_str_eq(allow, "");
}
