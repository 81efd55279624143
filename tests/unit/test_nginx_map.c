/*
 * nginx/lcm-upstream.conf's $lcm_allow map (the Allow header of the 405
 * nginx answers itself) against the worker's route table
 * (fcgi-app/routes.c): one entry per routed path naming exactly its
 * methods, in the table's order, and no entry for anything else. The
 * unit tests run from the repository's root.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "../../fcgi-app/handlers.h"
#include "http.h"
#include "router.h"

#define MAP_FILE "nginx/lcm-upstream.conf"
#define MAX_ENTRIES 64

struct entry {
	char path[256];     /* the regex between "~^ and (\?.*)?$" */
	char methods[64];
	int seen;
};

/* The map's entries, from its "~^...(\?.*)?$" "METHODS"; lines. */
static size_t
read_map(struct entry *e, size_t max, char *def, size_t defsz)
{
	char line[512], *p, *q, *m;
	size_t n = 0;
	int in_map = 0;
	FILE *f = fopen(MAP_FILE, "r");

	cr_assert_not_null(f, "cannot read " MAP_FILE);
	def[0] = '\0';
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strstr(line, "map $request_uri $lcm_allow {") != NULL) {
			in_map = 1;
			continue;
		}
		if (!in_map)
			continue;
		if (strchr(line, '}') != NULL && strchr(line, '"') == NULL)
			break;
		if ((p = strstr(line, "default \"")) != NULL) {
			p += 9;
			q = strchr(p, '"');
			cr_assert_not_null(q);
			snprintf(def, defsz, "%.*s", (int)(q - p), p);
			continue;
		}
		p = strstr(line, "\"~^");
		q = strstr(line, "(\\?.*)?$\" \"");
		cr_assert(p != NULL && q != NULL && n < max, "unexpected map line: %s", line);
		p += 3;
		snprintf(e[n].path, sizeof(e[n].path), "%.*s", (int)(q - p), p);
		m = q + strlen("(\\?.*)?$\" \"");
		q = strchr(m, '"');
		cr_assert_not_null(q, "unterminated methods: %s", line);
		snprintf(e[n].methods, sizeof(e[n].methods), "%.*s", (int)(q - m), m);
		e[n].seen = 0;
		n++;
	}
	fclose(f);
	cr_assert(in_map, "no $lcm_allow map in " MAP_FILE);
	return n;
}

/* A route pattern as the map writes it: ":id" is "[0-9]+". */
static void
as_regex(const char *pattern, char *out, size_t sz)
{
	size_t o = 0;

	for (; *pattern != '\0' && o + 8 < sz; pattern++) {
		if (strncmp(pattern, ":id", 3) == 0) {
			o += (size_t)snprintf(out + o, sz - o, "[0-9]+");
			pattern += 2;
		} else if (*pattern == '.') {
			out[o++] = '\\';
			out[o++] = '.';
		} else
			out[o++] = *pattern;
	}
	out[o] = '\0';
}

Test(nginx_map, allow_map_matches_the_route_table)
{
	struct entry e[MAX_ENTRIES];
	char def[64], want[256], methods[64];
	size_t n = read_map(e, MAX_ENTRIES, def, sizeof(def)), i, j, k;
	int found;

	cr_expect_str_eq(def, "", "an unknown path allows nothing (404, not 405)");
	for (i = 0; i < app_nroutes; i++) {
		/* Once per pattern: its methods in table order. */
		for (j = 0; j < i && strcmp(app_routes[j].pattern, app_routes[i].pattern) != 0; j++)
			;
		if (j < i)
			continue;
		methods[0] = '\0';
		for (k = i; k < app_nroutes; k++)
			if (strcmp(app_routes[k].pattern, app_routes[i].pattern) == 0)
				snprintf(methods + strlen(methods), sizeof(methods) - strlen(methods),
				    "%s%s%s", methods[0] ? ", " : "", http_method_name(app_routes[k].method),
				    app_routes[k].method == M_GET ? ", HEAD" : "");
		as_regex(app_routes[i].pattern, want, sizeof(want));
		found = 0;
		for (j = 0; j < n; j++)
			if (strcmp(e[j].path, want) == 0) {
				found = 1;
				e[j].seen = 1;
				cr_expect_str_eq(e[j].methods, methods, "%s", want);
			}
		cr_expect(found, "route %s has no entry in " MAP_FILE, app_routes[i].pattern);
	}
	for (j = 0; j < n; j++)
		cr_expect(e[j].seen, MAP_FILE " names %s, which no route has", e[j].path);
}

Test(nginx_map, route_ids_become_digit_classes)
{
	char want[256];

	as_regex("/v1/admin/clinic/ecm/patients/:id/lead_care_managers", want, sizeof(want));
	cr_assert_str_eq(want, "/v1/admin/clinic/ecm/patients/[0-9]+/lead_care_managers");
	as_regex("/a/:id/b/:id", want, sizeof(want));
	cr_assert_str_eq(want, "/a/[0-9]+/b/[0-9]+");
}

/* nginx/lcm-api.conf's body limit and its 413 are the worker's. */
/*
 * Every top-level location that passes to the workers sets the body limit
 * (a nested one inherits it), and the 413 says the workers' message.
 */
Test(nginx_api, body_limit_and_its_message_are_the_workers)
{
	char line[512], want_size[64], want_413[160];
	int msg_ok = 0, locations = 0, limited = 0, passes = 0, sized = 0;
	FILE *f = fopen("nginx/lcm-api.conf", "r");

	cr_assert_not_null(f, "cannot read nginx/lcm-api.conf");
	snprintf(want_size, sizeof(want_size), "client_max_body_size %dm;", HTTP_BODY_MAX / (1024 * 1024));
	snprintf(want_413, sizeof(want_413), "return 413 '{\"errors\":[\"%s\"]}\\n';",
	    app_err_message(APP_ETOOBIG));
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "location ", 9) == 0)
			passes = sized = 0;
		if (strstr(line, "client_max_body_size") != NULL)
			sized += strstr(line, want_size) != NULL ? 1 : -100;
		if (strstr(line, "fastcgi_pass lcm_workers;") != NULL)
			passes = 1;
		if (line[0] == '}' && passes) {  /* the end of a top-level location */
			locations++;
			limited += sized == 1;
		}
		if (strstr(line, "return 413") != NULL)
			msg_ok += strstr(line, want_413) != NULL ? 1 : -100;
	}
	fclose(f);
	cr_expect_gt(locations, 0);
	cr_expect_eq(limited, locations, "each API location says %s once", want_size);
	cr_expect_eq(msg_ok, 1, "the 413 says %s", want_413);
}

Test(nginx_map, dots_are_literal)
{
	char want[64];

	as_regex("/a/b.csv", want, sizeof(want));
	cr_assert_str_eq(want, "/a/b\\.csv");
}
