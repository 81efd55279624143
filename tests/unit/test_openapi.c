/*
 * nginx/openapi.json describes every route of the worker's table
 * (fcgi-app/routes.c), with the same methods, and nothing else. The unit
 * tests run from the repository's root.
 */
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>
#include <json.h>

#include "../../fcgi-app/handlers.h"
#include "access_log.h"
#include "http.h"
#include "router.h"

/* A route pattern in OpenAPI's words: ":id" is "{patient_id}" or "{user_id}". */
static void
as_openapi(const char *pattern, char *out, size_t sz)
{
	const char *id = strstr(pattern, ":id");

	if (id == NULL)
		snprintf(out, sz, "%s", pattern);
	else
		snprintf(out, sz, "%.*s%s%s", (int)(id - pattern), pattern,
		    strstr(pattern, "/patients/:id") != NULL ? "{patient_id}" : "{user_id}", id + 3);
}

static void
lower(const char *s, char *out, size_t sz)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i + 1 < sz; i++)
		out[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
	out[i] = '\0';
}

Test(openapi, describes_every_route_and_nothing_else)
{
	struct json_object *doc = json_object_from_file("nginx/openapi.json"), *paths, *item, *op;
	char path[256], method[16];
	size_t i, described = 0;

	cr_assert_not_null(doc, "cannot read nginx/openapi.json");
	cr_assert(json_object_object_get_ex(doc, "paths", &paths));
	for (i = 0; i < app_nroutes; i++) {
		as_openapi(app_routes[i].pattern, path, sizeof(path));
		lower(http_method_name(app_routes[i].method), method, sizeof(method));
		cr_expect(json_object_object_get_ex(paths, path, &item) &&
		    json_object_object_get_ex(item, method, &op), "%s %s is not described",
		    method, path);
	}
	json_object_object_foreach(paths, p, it) {
		json_object_object_foreach(it, m, o) {
			int routed = 0;

			(void)o;
			for (i = 0; i < app_nroutes; i++) {
				as_openapi(app_routes[i].pattern, path, sizeof(path));
				lower(http_method_name(app_routes[i].method), method, sizeof(method));
				routed |= strcmp(path, p) == 0 && strcmp(method, m) == 0;
			}
			cr_expect(routed, "%s %s is described but not routed", m, p);
			described++;
		}
	}
	cr_expect_eq(described, app_nroutes);
	json_object_put(doc);
}

/* The access log's actions, as AccessEntry lists them, are those the worker records. */
Test(openapi, access_entry_lists_every_action)
{
	struct json_object *doc = json_object_from_file("nginx/openapi.json"), *o, *list;
	size_t i, n;
	int a, found;

	cr_assert_not_null(doc, "cannot read nginx/openapi.json");
	cr_assert(json_object_object_get_ex(doc, "components", &o) &&
	    json_object_object_get_ex(o, "schemas", &o) &&
	    json_object_object_get_ex(o, "AccessEntry", &o) &&
	    json_object_object_get_ex(o, "properties", &o) &&
	    json_object_object_get_ex(o, "action", &o) &&
	    json_object_object_get_ex(o, "enum", &list) && json_object_is_type(list, json_type_array),
	    "no AccessEntry.action enum");
	n = json_object_array_length(list);
	cr_expect_eq(n, (size_t)ACCESS__MAX, "%zu actions described, %d recorded", n, ACCESS__MAX);
	for (a = 0; a < ACCESS__MAX; a++) {
		found = 0;
		for (i = 0; i < n; i++)
			found |= strcmp(json_object_get_string(json_object_array_get_idx(list, i)),
			    access_action_name((enum access_action)a)) == 0;
		cr_expect(found, "%s is not described", access_action_name((enum access_action)a));
	}
	json_object_put(doc);
}
