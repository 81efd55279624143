/*
 * nginx/lcm-upstream.conf's maps against the worker's router: $lcm_allow
 * (the Allow header of the 405 nginx answers itself, "" for a 404) must
 * say for every path what router_match says for it (the methods it
 * allows, "" for no such path), and $lcm_path must route what the workers
 * route. The map's regular expressions are run here (POSIX extended; they
 * use nothing PCRE reads otherwise) on the route table's paths with good
 * and bad ids and on near misses. The unit tests run from the
 * repository's root.
 */
#include <regex.h>
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
	char regex[1024];   /* between "~ and " */
	char methods[64];
	regex_t re;
};

/* Read the file into a malloc'd string. */
static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *s;
	long n;

	cr_assert_not_null(f, "cannot read %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	s = malloc((size_t)n + 1);
	cr_assert_not_null(s);
	cr_assert_eq(fread(s, 1, (size_t)n, f), (size_t)n);
	s[n] = '\0';
	fclose(f);
	return s;
}

/* The $lcm_allow map's entries, from its "~REGEX" "METHODS"; lines, compiled. */
static size_t
read_map(struct entry *e, size_t max, char *def, size_t defsz)
{
	char line[2048], *p, *q, *m;
	size_t n = 0;
	int in_map = 0;
	FILE *f = fopen(MAP_FILE, "r");

	cr_assert_not_null(f, "cannot read " MAP_FILE);
	def[0] = '\0';
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strstr(line, "map $lcm_path $lcm_allow {") != NULL) {
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
		q = p != NULL ? strstr(p, "$\" \"") : NULL;
		cr_assert(p != NULL && q != NULL && n < max, "unexpected map line: %s", line);
		p += 2;
		snprintf(e[n].regex, sizeof(e[n].regex), "%.*s", (int)(q + 1 - p), p);
		m = q + 4;
		q = strchr(m, '"');
		cr_assert_not_null(q, "unterminated methods: %s", line);
		snprintf(e[n].methods, sizeof(e[n].methods), "%.*s", (int)(q - m), m);
		cr_assert_eq(regcomp(&e[n].re, e[n].regex, REG_EXTENDED | REG_NOSUB), 0,
		    "bad regex %s", e[n].regex);
		n++;
	}
	fclose(f);
	cr_assert(in_map, "no $lcm_allow map on $lcm_path in " MAP_FILE);
	return n;
}

/* What nginx's map answers for path: the first entry that matches, else def. */
static const char *
map_value(struct entry *e, size_t n, const char *def, const char *path)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (regexec(&e[i].re, path, 0, NULL, 0) == 0)
			return e[i].methods;
	return def;
}

/* The paths nginx serves itself (nginx/lcm-api.conf's "location = PATH"), with their methods. */
static const struct {
	const char *path, *allow;
} nginx_paths[] = {
	{"/v1/admin/clinic/ecm/openapi.json", "GET, HEAD"},
};

/* What the API answers for path: the methods its routes (or nginx's file) allow there. */
static void
router_allow(const char *path, char *allow, size_t sz)
{
	int64_t id;
	size_t i;

	for (i = 0; i < sizeof(nginx_paths) / sizeof(nginx_paths[0]); i++)
		if (strcmp(path, nginx_paths[i].path) == 0) {
			snprintf(allow, sz, "%s", nginx_paths[i].allow);
			return;
		}
	cr_assert_null(router_match(app_routes, app_nroutes, M_OTHER, path, &id, allow, sz));
}

static int
same(struct entry *e, size_t n, const char *def, const char *path)
{
	char allow[64];
	const char *m = map_value(e, n, def, path);

	router_allow(path, allow, sizeof(allow));
	cr_expect_str_eq(m, allow, "nginx says [%s] for %s, the worker [%s]", m, path, allow);
	return allow[0] != '\0';
}

/* Ids of every kind: canonical ones, and spellings the worker refuses. */
static const char *const ids[] = {
	"1", "7", "42", "123", "100", "999999999999999999", "1000000000000000000",
	"9223372036854775806", "9223372036854775807", "8999999999999999999",
	"9223372036854775808", "9223372036854775810", "9223372036854775900",
	"9300000000000000000", "9999999999999999999", "10000000000000000000",
	"0", "00", "01", "0123", "0000000000000000123", "09223372036854775807",
	"-1", "+1", "1a", "a1", "1.0", "", " 1", "%31", ":id", "[0-9]+", "1\n",
};

/* Literal segments spelt wrong: a route's path with one of these applied is no path. */
static void
near_misses(const char *path, void (*each)(const char *, void *), void *arg)
{
	char buf[512];
	size_t n = strlen(path);

	snprintf(buf, sizeof(buf), "%s/", path);
	each(buf, arg);
	snprintf(buf, sizeof(buf), "%s/x", path);
	each(buf, arg);
	snprintf(buf, sizeof(buf), "%sx", path);
	each(buf, arg);
	snprintf(buf, sizeof(buf), "/%s", path);
	each(buf, arg);
	snprintf(buf, sizeof(buf), "%.*s", (int)(n - 1), path);
	each(buf, arg);
	snprintf(buf, sizeof(buf), "%s", path);
	buf[1] = (char)(buf[1] - 32);  /* the first letter upper case */
	each(buf, arg);
	snprintf(buf, sizeof(buf), "%s?x=1", path);
	each(buf, arg);
}

struct ctx {
	struct entry *e;
	size_t n;
	const char *def;
	int found;
};

static void
check_miss(const char *path, void *arg)
{
	struct ctx *c = arg;

	c->found += same(c->e, c->n, c->def, path);
}

Test(nginx_map, allow_map_agrees_with_the_router_on_every_path)
{
	struct entry e[MAX_ENTRIES];
	char def[64], path[512];
	size_t n = read_map(e, MAX_ENTRIES, def, sizeof(def)), i, k;
	struct ctx c = {e, n, def, 0};
	const char *id;
	int known;

	cr_expect_str_eq(def, "", "an unknown path allows nothing (404, not 405)");
	for (i = 0; i < app_nroutes; i++) {
		id = strstr(app_routes[i].pattern, ":id");
		if (id == NULL) {
			cr_expect(same(e, n, def, app_routes[i].pattern), "%s is a path",
			    app_routes[i].pattern);
			near_misses(app_routes[i].pattern, check_miss, &c);
			continue;
		}
		for (k = 0; k < sizeof(ids) / sizeof(ids[0]); k++) {
			snprintf(path, sizeof(path), "%.*s%s%s", (int)(id - app_routes[i].pattern),
			    app_routes[i].pattern, ids[k], id + 3);
			known = same(e, n, def, path);
			if (k == 0)
				cr_expect(known, "%s is a path", path);
			if (k == 0)
				near_misses(path, check_miss, &c);
		}
	}
	cr_expect_eq(c.found, 0, "a near miss of a route's path was found");
	for (i = 0; i < n; i++)
		regfree(&e[i].re);
}

/* The files nginx serves are paths to the map too, and only as spelt. */
Test(nginx_map, nginx_paths_are_served_and_mapped)
{
	struct entry e[MAX_ENTRIES];
	char def[64], want[256], *api = slurp("nginx/lcm-api.conf");
	size_t n = read_map(e, MAX_ENTRIES, def, sizeof(def)), i;
	struct ctx c = {e, n, def, 0};

	for (i = 0; i < sizeof(nginx_paths) / sizeof(nginx_paths[0]); i++) {
		snprintf(want, sizeof(want), "location = %s {", nginx_paths[i].path);
		cr_expect_not_null(strstr(api, want), "nginx/lcm-api.conf has no %s", want);
		cr_expect_str_eq(map_value(e, n, def, nginx_paths[i].path), nginx_paths[i].allow);
		near_misses(nginx_paths[i].path, check_miss, &c);
	}
	cr_expect_eq(c.found, 0, "a near miss of a path nginx serves was found");
	for (i = 0; i < n; i++)
		regfree(&e[i].re);
	free(api);
}

/* Every entry of the map is some route's: none matches only paths the worker refuses. */
Test(nginx_map, every_entry_is_a_route)
{
	struct entry e[MAX_ENTRIES];
	char def[64], path[512];
	size_t n = read_map(e, MAX_ENTRIES, def, sizeof(def)), i, j;
	const char *id;
	int hit;

	for (j = 0; j < n; j++) {
		hit = 0;
		for (i = 0; i < app_nroutes && !hit; i++) {
			id = strstr(app_routes[i].pattern, ":id");
			if (id == NULL)
				snprintf(path, sizeof(path), "%s", app_routes[i].pattern);
			else
				snprintf(path, sizeof(path), "%.*s42%s", (int)(id - app_routes[i].pattern),
				    app_routes[i].pattern, id + 3);
			hit = regexec(&e[j].re, path, 0, NULL, 0) == 0;
		}
		for (i = 0; i < sizeof(nginx_paths) / sizeof(nginx_paths[0]) && !hit; i++)
			hit = regexec(&e[j].re, nginx_paths[i].path, 0, NULL, 0) == 0;
		cr_expect(hit, MAP_FILE " names %s, which no route has", e[j].regex);
		regfree(&e[j].re);
	}
}

/*
 * $lcm_path is the path the workers route: nginx's $uri (DOCUMENT_URI to
 * them), and nothing when the raw path has an encoded slash (their
 * http_uri_has_encoded_slash).
 */
Test(nginx_map, path_map_is_the_workers_path)
{
	char *conf = slurp(MAP_FILE), *m, *end;
	regex_t re;
	static const char *const raw[] = {
		"/v1/admin/clinic/ecm/patients/123%2Flead_care_managers",
		"/v1/admin/clinic/ecm/patients/123%2flead_care_managers",
		"/healthz%2F", "/a/b%2Fc?x=1",
		"/v1/admin/clinic/ecm/patients/123/lead_care_managers",
		"/v1/admin/clinic/ecm/lead_care_managers?search=%2F", "/a%2", "/",
	};
	size_t i;

	m = strstr(conf, "map $request_uri $lcm_path {");
	cr_assert_not_null(m, "no $lcm_path map in " MAP_FILE);
	end = strchr(m, '}');
	cr_assert_not_null(end);
	*end = '\0';
	cr_expect_not_null(strstr(m, "default $uri;"), "$lcm_path is $uri by default");
	cr_assert_not_null(strstr(m, "\"~*^[^?]*%2f\" \"\";"), "an encoded slash is no path");
	/* ~* is case-insensitive: the lower-case regex, REG_ICASE. */
	cr_assert_eq(regcomp(&re, "^[^?]*%2f", REG_EXTENDED | REG_NOSUB | REG_ICASE), 0);
	for (i = 0; i < sizeof(raw) / sizeof(raw[0]); i++)
		cr_expect_eq(regexec(&re, raw[i], 0, NULL, 0) == 0, http_uri_has_encoded_slash(raw[i]),
		    "nginx and the worker disagree on %s", raw[i]);
	regfree(&re);
	free(conf);
}

/*
 * nginx/lcm-api.conf's body limits and their 413s are the worker's: every
 * top-level location that passes to the workers sets HTTP_BODY_MAX (a
 * nested one inherits it), but the nested location of each route that
 * carries a file (ROUTE_FILE), which sets HTTP_FILE_BODY_MAX and answers
 * its 413 with the worker's message for it; each 413 says the worker's.
 */
struct block {
	char name[256];      /* what follows "location " */
	int depth;
	int passes;          /* fastcgi_pass lcm_workers */
	char size[32];       /* client_max_body_size's value, "" when not set */
	char on413[64];      /* error_page 413's target, "" when not set */
	char ret413[256];    /* a named location's return 413 body, "" when none */
};

/* s without the white space before and after it, in place. */
static char *
strip(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == '\n' || e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	return s;
}

Test(nginx_api, body_limits_and_their_messages_are_the_workers)
{
	struct block stack[8], done[64];
	char raw[512], want[2][64], want_413[2][160], *line;
	size_t ndone = 0, i, r;
	int depth = 0, top_passing = 0, top_sized = 0, nested_file = 0, files = 0;
	FILE *f = fopen("nginx/lcm-api.conf", "r");

	cr_assert_not_null(f, "cannot read nginx/lcm-api.conf");
	snprintf(want[0], sizeof(want[0]), "%dm", HTTP_BODY_MAX / (1024 * 1024));
	snprintf(want[1], sizeof(want[1]), "%dm", HTTP_FILE_BODY_MAX / (1024 * 1024));
	snprintf(want_413[0], sizeof(want_413[0]), "'{\"errors\":[\"%s\"]}\\n'",
	    app_err_message(APP_ETOOBIG));
	snprintf(want_413[1], sizeof(want_413[1]), "'{\"errors\":[\"%s\"]}\\n'",
	    app_err_message(APP_ETOOBIG_FILE));
	while (fgets(raw, sizeof(raw), f) != NULL) {
		line = strip(raw);
		if (line[0] == '#' || line[0] == '\0')
			continue;
		if (strncmp(line, "location ", 9) == 0 && line[strlen(line) - 1] == '{') {
			cr_assert_lt(depth, 8);
			memset(&stack[depth], 0, sizeof(stack[depth]));
			snprintf(stack[depth].name, sizeof(stack[depth].name), "%.*s",
			    (int)(strlen(line) - 11), line + 9);
			stack[depth].depth = depth + 1;
			depth++;
			continue;
		}
		if (strcmp(line, "}") == 0 && depth > 0) {
			cr_assert_lt(ndone, 64);
			done[ndone++] = stack[--depth];
			continue;
		}
		if (depth == 0)
			continue;
		if (strcmp(line, "fastcgi_pass lcm_workers;") == 0)
			stack[depth - 1].passes = 1;
		else if (sscanf(line, "client_max_body_size %31[^;];", stack[depth - 1].size) == 1)
			;
		else if (sscanf(line, "error_page 413 %63[^;];", stack[depth - 1].on413) == 1)
			;
		else if (strncmp(line, "return 413 ", 11) == 0)
			snprintf(stack[depth - 1].ret413, sizeof(stack[depth - 1].ret413), "%.*s",
			    (int)(strlen(line) - 12), line + 11);
	}
	fclose(f);
	for (i = 0; i < ndone; i++) {
		const struct block *b = &done[i];
		int file = 0;

		for (r = 0; r < app_nroutes; r++) {
			char name[300];

			snprintf(name, sizeof(name), "= %s", app_routes[r].pattern);
			file |= (app_routes[r].flags & ROUTE_FILE) && strcmp(b->name, name) == 0;
		}
		if (b->depth == 1 && b->passes) {
			top_passing++;
			top_sized += strcmp(b->size, want[0]) == 0;
			cr_expect_str_eq(b->on413, "@lcm_413", "%s answers its 413 as the worker", b->name);
		} else if (b->depth > 1 && file) {
			nested_file++;
			cr_expect_str_eq(b->size, want[1], "%s takes a file's body", b->name);
			cr_expect_str_eq(b->on413, "@lcm_413_file", "%s answers a file's 413", b->name);
		} else if (b->depth > 1)
			cr_expect_str_eq(b->size, "", "%s keeps its parent's limit", b->name);
		if (strcmp(b->name, "@lcm_413") == 0)
			cr_expect_str_eq(b->ret413, want_413[0]);
		if (strcmp(b->name, "@lcm_413_file") == 0)
			cr_expect_str_eq(b->ret413, want_413[1]);
	}
	for (r = 0; r < app_nroutes; r++)
		files += (app_routes[r].flags & ROUTE_FILE) != 0;
	cr_expect_gt(top_passing, 0);
	cr_expect_eq(top_sized, top_passing, "each API location says client_max_body_size %s",
	    want[0]);
	cr_expect_eq(nested_file, files, "each route of a file has its location in lcm-api.conf");
	cr_expect_gt(files, 0);
}
