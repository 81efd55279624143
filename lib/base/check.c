#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json.h>

#include "check.h"
#include "utf8.h"

int
check_id_string(const char *s, size_t n, int64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (n == 0 || n > 19)
		return 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v == 0 || v > INT64_MAX)
		return 0;
	*out = (int64_t)v;
	return 1;
}

int
check_path_id(const char *s, size_t n, int64_t *out)
{
	if (n == 0 || s[0] == '0')
		return 0;
	return check_id_string(s, n, out);
}

enum check_res
check_json_id(struct json_object *obj, const char *key, int64_t *out)
{
	struct json_object *v;
	int64_t i;

	*out = 0;
	if (!json_object_object_get_ex(obj, key, &v) || v == NULL)
		return CHECK_ABSENT;
	if (!json_object_is_type(v, json_type_int))
		return CHECK_BAD;
	i = json_object_get_int64(v);
	/* json-c clamps: 2^63 and beyond read back as INT64_MAX. */
	if (i <= 0 || (i == INT64_MAX && json_object_get_uint64(v) != (uint64_t)INT64_MAX))
		return CHECK_BAD;
	*out = i;
	return CHECK_OK;
}

enum check_res
check_json_bool(struct json_object *obj, const char *key, int *out)
{
	struct json_object *v;

	*out = 0;
	if (!json_object_object_get_ex(obj, key, &v))
		return CHECK_ABSENT;
	if (v == NULL || !json_object_is_type(v, json_type_boolean))
		return CHECK_BAD;
	*out = json_object_get_boolean(v) != 0;
	return CHECK_OK;
}

enum check_res
check_json_text(struct json_object *obj, const char *key, size_t max, const char **s,
    size_t *len)
{
	struct json_object *v;

	*s = NULL;
	*len = 0;
	if (!json_object_object_get_ex(obj, key, &v) || v == NULL)
		return CHECK_ABSENT;
	if (!json_object_is_type(v, json_type_string))
		return CHECK_BAD;
	*s = json_object_get_string(v);
	*len = (size_t)json_object_get_string_len(v);
	if (memchr(*s, '\0', *len) != NULL || !utf8_valid(*s, *len) ||
	    utf8_chars(*s, *len) > max)
		return CHECK_BAD;
	return CHECK_OK;
}

/* Non-zero when y-m-d is a day of the Gregorian calendar. */
static int
real_day(int y, int m, int d)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m >= 1 && m <= 12 && d >= 1 && d <= days[m - 1] + (m == 2 && leap);
}

int
check_date(const char *s, int *y, int *m, int *d)
{
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-' ||
	    strspn(s, "0123456789") != 4 || strspn(s + 5, "0123456789") != 2 ||
	    strspn(s + 8, "0123456789") != 2)
		return 0;
	*y = atoi(s);
	*m = atoi(s + 5);
	*d = atoi(s + 8);
	return *y >= 1970 && real_day(*y, *m, *d);
}

int
check_mdy_date(const char *s, size_t n, char iso[11])
{
	int y, m, d;

	if (n != 10 || s[2] != '-' || s[5] != '-' || strspn(s, "0123456789") != 2 ||
	    strspn(s + 3, "0123456789") != 2 || strspn(s + 6, "0123456789") != 4)
		return 0;
	m = (s[0] - '0') * 10 + (s[1] - '0');
	d = (s[3] - '0') * 10 + (s[4] - '0');
	y = atoi(s + 6);
	if (y < 1900 || !real_day(y, m, d))
		return 0;
	/* The digits as they came, in ISO's order: y has four, m and d two. */
	memcpy(iso, s + 6, 4);
	iso[4] = '-';
	memcpy(iso + 5, s, 2);
	iso[7] = '-';
	memcpy(iso + 8, s + 3, 2);
	iso[10] = '\0';
	return 1;
}
