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
