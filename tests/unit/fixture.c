/*
 * What the unit tests of value checks and rules share: JSON fixtures and
 * long texts.
 */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <json.h>

#include "fixture.h"

struct json_object *
fx_parse(const char *s)
{
	struct json_object *o = json_tokener_parse(s);

	cr_assert_not_null(o, "fixture JSON did not parse: %s", s);
	return o;
}

char *
fx_repeat(const char *unit, size_t n)
{
	size_t ul = strlen(unit), i;
	char *s = malloc(ul * n + 1);

	cr_assert_not_null(s);
	for (i = 0; i < n; i++)
		memcpy(s + i * ul, unit, ul);
	s[ul * n] = '\0';
	return s;
}

struct json_object *
fx_obj_with_string(const char *key, const char *s, size_t len)
{
	struct json_object *o = json_object_new_object();

	cr_assert_not_null(o);
	json_object_object_add(o, key, json_object_new_string_len(s, (int)len));
	return o;
}
