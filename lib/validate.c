#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json.h>

#include "query.h"
#include "validate.h"

int
val_id_string(const char *s, size_t n, int64_t *out)
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
val_request_id(const char *id)
{
	static const char ok[] =
	    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_.";
	size_t n;

	if (id == NULL)
		return 0;
	n = strspn(id, ok);
	return n > 0 && n <= LCM_REQUEST_ID_MAX && id[n] == '\0';
}

enum val_res
val_json_id(struct json_object *obj, const char *key, int64_t *out)
{
	struct json_object *v;
	int64_t i;

	*out = 0;
	if (!json_object_object_get_ex(obj, key, &v) || v == NULL)
		return VAL_ABSENT;
	if (!json_object_is_type(v, json_type_int))
		return VAL_BAD;
	i = json_object_get_int64(v);
	/* json-c clamps: 2^63 and beyond read back as INT64_MAX. */
	if (i <= 0 || (i == INT64_MAX && json_object_get_uint64(v) != (uint64_t)INT64_MAX))
		return VAL_BAD;
	*out = i;
	return VAL_OK;
}

enum val_res
val_json_role(struct json_object *obj, const char *key, enum lcm_role *out)
{
	struct json_object *v;
	const char *s;
	int r;

	if (!json_object_object_get_ex(obj, key, &v) || v == NULL)
		return VAL_ABSENT;
	if (!json_object_is_type(v, json_type_string))
		return VAL_BAD;
	s = json_object_get_string(v);
	if ((size_t)json_object_get_string_len(v) != strlen(s))
		return VAL_BAD;  /* an embedded NUL */
	for (r = 0; r < ROLE__MAX; r++)
		if (strcmp(s, lcm_role_name((enum lcm_role)r)) == 0) {
			*out = (enum lcm_role)r;
			return VAL_OK;
		}
	return VAL_BAD;
}

int
val_utf8(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, k, need;
	uint32_t cp;

	while (i < n) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if (s[i] >= 0xc2 && s[i] <= 0xdf) {
			need = 1;
			cp = s[i] & 0x1f;
		} else if (s[i] >= 0xe0 && s[i] <= 0xef) {
			need = 2;
			cp = s[i] & 0x0f;
		} else if (s[i] >= 0xf0 && s[i] <= 0xf4) {
			need = 3;
			cp = s[i] & 0x07;
		} else
			return 0;
		if (i + need >= n)
			return 0;
		for (k = 1; k <= need; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		/* Overlong forms, surrogates, past U+10FFFF. */
		if ((need == 2 && cp < 0x800) || (need == 3 && cp < 0x10000) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			return 0;
		i += need + 1;
	}
	return 1;
}

size_t
val_utf8_chars(const char *s, size_t n)
{
	size_t i, chars = 0;

	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			chars++;
	return chars;
}

enum val_res
val_json_text(struct json_object *obj, const char *key, size_t max, const char **s,
    size_t *len)
{
	struct json_object *v;

	*s = NULL;
	*len = 0;
	if (!json_object_object_get_ex(obj, key, &v) || v == NULL)
		return VAL_ABSENT;
	if (!json_object_is_type(v, json_type_string))
		return VAL_BAD;
	*s = json_object_get_string(v);
	*len = (size_t)json_object_get_string_len(v);
	if (memchr(*s, '\0', *len) != NULL || !val_utf8(*s, *len) ||
	    val_utf8_chars(*s, *len) > max)
		return VAL_BAD;
	return VAL_OK;
}

int
val_content_type_json(const char *ct)
{
	static const char json[] = "application/json";
	size_t n = sizeof(json) - 1;

	if (ct == NULL)
		return 0;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	if (strncasecmp(ct, json, n) != 0)
		return 0;
	ct += n;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	return *ct == '\0' || *ct == ';';
}

/*
 * A strict RFC 8259 recogniser: json-c alone lets NaN, 'quotes', "1."
 * through. It also rewrites, in place and at the same length, the two
 * escapes json-c cannot carry faithfully: a lone surrogate in a value
 * becomes \u0000 (so the field fails its check instead of holding a
 * U+FFFD nobody sent), and a \u0000 or lone surrogate in a key becomes
 * \u2400 (json-c would cut the key at the NUL, turning "patient_id\u0000x"
 * into patient_id; rewritten, it stays an unknown field).
 */
struct jscan {
	char *s;
	size_t n, i;
	int depth;
};

/* The 4 hex digits at s as a number; -1 when they are not hex. */
static long
js_hex4(const char *s)
{
	long v = 0;
	int k, d;

	for (k = 0; k < 4; k++) {
		if (!isxdigit((unsigned char)s[k]))
			return -1;
		d = isdigit((unsigned char)s[k]) ? s[k] - '0' : (tolower((unsigned char)s[k]) - 'a' + 10);
		v = v << 4 | d;
	}
	return v;
}

/* j->i is just past "\u": check the escape (and its pair), rewrite as above. */
static int
js_unicode(struct jscan *j, int key)
{
	long v, lo;

	if (j->n - j->i < 4 || (v = js_hex4(j->s + j->i)) < 0)
		return 0;
	if (v >= 0xd800 && v <= 0xdbff && j->n - j->i >= 10 && j->s[j->i + 4] == '\\' &&
	    j->s[j->i + 5] == 'u' && (lo = js_hex4(j->s + j->i + 6)) >= 0xdc00 && lo <= 0xdfff) {
		j->i += 10;  /* a proper surrogate pair */
		return 1;
	}
	if (v >= 0xd800 && v <= 0xdfff)
		memcpy(j->s + j->i, key ? "2400" : "0000", 4);
	else if (v == 0 && key)
		memcpy(j->s + j->i, "2400", 4);
	j->i += 4;
	return 1;
}

static void
js_ws(struct jscan *j)
{
	while (j->i < j->n && (j->s[j->i] == ' ' || j->s[j->i] == '\t' ||
	    j->s[j->i] == '\n' || j->s[j->i] == '\r'))
		j->i++;
}

static int
js_digits(struct jscan *j)
{
	size_t start = j->i;

	while (j->i < j->n && j->s[j->i] >= '0' && j->s[j->i] <= '9')
		j->i++;
	return j->i > start;
}

static int
js_number(struct jscan *j)
{
	if (j->i < j->n && j->s[j->i] == '-')
		j->i++;
	if (j->i < j->n && j->s[j->i] == '0')
		j->i++;
	else if (!js_digits(j))
		return 0;
	if (j->i < j->n && j->s[j->i] == '.') {
		j->i++;
		if (!js_digits(j))
			return 0;
	}
	if (j->i < j->n && (j->s[j->i] == 'e' || j->s[j->i] == 'E')) {
		j->i++;
		if (j->i < j->n && (j->s[j->i] == '+' || j->s[j->i] == '-'))
			j->i++;
		if (!js_digits(j))
			return 0;
	}
	return 1;
}

static int
js_string(struct jscan *j, int key)
{
	unsigned char c;

	j->i++;  /* the opening quote */
	while (j->i < j->n) {
		c = (unsigned char)j->s[j->i++];
		if (c == '"')
			return 1;
		if (c < 0x20)
			return 0;
		if (c != '\\')
			continue;
		if (j->i >= j->n)
			return 0;
		c = (unsigned char)j->s[j->i++];
		if (c == 'u') {
			if (!js_unicode(j, key))
				return 0;
		} else if (strchr("\"\\/bfnrt", c) == NULL || c == '\0')
			return 0;
	}
	return 0;
}

static int
js_literal(struct jscan *j, const char *word)
{
	size_t n = strlen(word);

	if (j->n - j->i < n || memcmp(j->s + j->i, word, n) != 0)
		return 0;
	j->i += n;
	return 1;
}

static int js_value(struct jscan *);

/* An object or array; the opening bracket is at j->i. */
static int
js_container(struct jscan *j, char close)
{
	int first = 1;

	if (--j->depth < 0)
		return 0;
	j->i++;
	js_ws(j);
	if (j->i < j->n && j->s[j->i] == close) {
		j->i++;
		j->depth++;
		return 1;
	}
	for (;;) {
		if (!first) {
			js_ws(j);
			if (j->i < j->n && j->s[j->i] == close) {
				j->i++;
				j->depth++;
				return 1;
			}
			if (j->i >= j->n || j->s[j->i] != ',')
				return 0;
			j->i++;
		}
		first = 0;
		js_ws(j);
		if (close == '}') {
			if (j->i >= j->n || j->s[j->i] != '"' || !js_string(j, 1))
				return 0;
			js_ws(j);
			if (j->i >= j->n || j->s[j->i] != ':')
				return 0;
			j->i++;
		}
		if (!js_value(j))
			return 0;
	}
}

static int
js_value(struct jscan *j)
{
	js_ws(j);
	if (j->i >= j->n)
		return 0;
	switch (j->s[j->i]) {
	case '{':
		return js_container(j, '}');
	case '[':
		return js_container(j, ']');
	case '"':
		return js_string(j, 0);
	case 't':
		return js_literal(j, "true");
	case 'f':
		return js_literal(j, "false");
	case 'n':
		return js_literal(j, "null");
	default:
		return js_number(j);
	}
}

int
val_json_syntax(char *s, size_t n, int max_depth)
{
	struct jscan j = {s, n, 0, max_depth};

	if (!js_value(&j))
		return 0;
	js_ws(&j);
	return j.i == n;
}

enum app_err
val_json_body(const char *body, size_t len, struct json_object **out)
{
	struct json_tokener *tok = NULL;
	struct json_object *o = NULL;
	enum app_err rc = APP_EBADJSON;
	char *copy = NULL;

	*out = NULL;
	if (body == NULL || len == 0 || len > INT32_MAX || !val_utf8(body, len))
		return APP_EBADJSON;
	if ((copy = malloc(len)) == NULL)
		return APP_ENOMEM;
	memcpy(copy, body, len);
	if (!val_json_syntax(copy, len, VAL_JSON_DEPTH))
		goto out;
	/* The syntax is known good: json-c only builds the tree. */
	rc = APP_ENOMEM;
	if ((tok = json_tokener_new_ex(VAL_JSON_DEPTH + 2)) == NULL)
		goto out;
	rc = APP_EBADJSON;
	o = json_tokener_parse_ex(tok, copy, (int)len);
	if (o == NULL || json_tokener_get_error(tok) != json_tokener_success ||
	    !json_object_is_type(o, json_type_object))
		goto out;
	*out = o;
	o = NULL;
	rc = APP_OK;
out:
	json_object_put(o);
	if (tok != NULL)
		json_tokener_free(tok);  /* unlike json_object_put, not NULL-safe */
	free(copy);
	return rc;
}

enum app_err
val_add(struct json_object *errors, const char *msg)
{
	struct json_object *s;

	if ((s = json_object_new_string(msg)) == NULL)
		return APP_ENOMEM;
	if (json_object_array_add(errors, s) != 0) {
		json_object_put(s);
		return APP_ENOMEM;
	}
	return APP_OK;
}

/* Add msg when bad; count it. Returns -1 on ENOMEM. */
static int
complain(struct json_object *errors, int bad, const char *msg, int *n)
{
	if (!bad)
		return 0;
	(*n)++;
	return val_add(errors, msg) == APP_OK ? 0 : -1;
}

/* patient_id and reason, common to every write body. */
static int
val_common(struct json_object *obj, struct lcm_change *c, struct json_object *errors, int *n)
{
	enum val_res r;

	memset(c, 0, sizeof(*c));
	r = val_json_id(obj, "patient_id", &c->patient_id);
	if (complain(errors, r == VAL_ABSENT, "patient_id is required", n) < 0 ||
	    complain(errors, r == VAL_BAD, "patient_id must be a positive integer", n) < 0)
		return -1;
	return 0;
}

static int
val_reason(struct json_object *obj, struct lcm_change *c, struct json_object *errors, int *n)
{
	enum val_res r = val_json_text(obj, "reason", VAL_REASON_MAX, &c->reason, &c->reason_len);

	if (r != VAL_OK) {
		c->reason = NULL;
		c->reason_len = 0;
	}
	return complain(errors, r == VAL_BAD,
	    "reason must be a string of at most 500 characters", n);
}

int
val_assign(struct json_object *obj, struct lcm_change *c, struct json_object *errors)
{
	static const char *const keys[ROLE__MAX] = {
		[ROLE_OLCM] = "olcm_user_id",
		[ROLE_ILCM] = "ilcm_user_id",
	};
	static const char *const bad[ROLE__MAX] = {
		[ROLE_OLCM] = "olcm_user_id must be a positive integer",
		[ROLE_ILCM] = "ilcm_user_id must be a positive integer",
	};
	int n = 0, r, absent = 0;
	enum val_res v;

	if (val_common(obj, c, errors, &n) < 0)
		return -1;
	for (r = 0; r < ROLE__MAX; r++) {
		v = val_json_id(obj, keys[r], &c->user[r]);
		c->given[r] = v == VAL_OK;
		absent += v == VAL_ABSENT;
		if (complain(errors, v == VAL_BAD, bad[r], &n) < 0)
			return -1;
	}
	if (complain(errors, absent == ROLE__MAX,
	    "At least one of olcm_user_id or ilcm_user_id must be provided", &n) < 0 ||
	    val_reason(obj, c, errors, &n) < 0)
		return -1;
	return n;
}

int
val_remove(struct json_object *obj, struct lcm_change *c, struct json_object *errors)
{
	enum lcm_role role = ROLE_OLCM;
	enum val_res v;
	int n = 0;

	if (val_common(obj, c, errors, &n) < 0)
		return -1;
	v = val_json_role(obj, "role", &role);
	if (complain(errors, v == VAL_ABSENT, "role is required", &n) < 0 ||
	    complain(errors, v == VAL_BAD, "role must be olcm or ilcm", &n) < 0 ||
	    val_reason(obj, c, errors, &n) < 0)
		return -1;
	if (v == VAL_OK) {
		c->given[role] = 1;
		c->user[role] = 0;
	}
	return n;
}

/* A query parameter as an integer in lo..hi; absent leaves *out alone. */
static enum val_res
query_int(const char *qs, const char *key, int64_t lo, int64_t hi, int64_t *out)
{
	char buf[32];
	int64_t v;

	switch (query_get(qs, key, buf, sizeof(buf))) {
	case QUERY_ABSENT:
		return VAL_ABSENT;
	case QUERY_FOUND:
		break;
	default:
		return VAL_BAD;  /* a bad escape or a value too long: not a number */
	}
	if (!val_id_string(buf, strlen(buf), &v) || v < lo || v > hi)
		return VAL_BAD;
	*out = v;
	return VAL_OK;
}

int
val_list_query(const char *qs, struct lcm_list_query *q, char *searchbuf, size_t searchsz,
    struct json_object *errors)
{
	char rolebuf[16];
	enum query_res qr;
	int n = 0, r;
	size_t len;

	q->page = 1;
	q->per_page = VAL_PER_PAGE_DEF;
	q->search = NULL;
	q->role = -1;

	if (complain(errors, query_int(qs, "page", 1, INT64_MAX, &q->page) == VAL_BAD,
	    "page must be a positive integer", &n) < 0 ||
	    complain(errors, query_int(qs, "per_page", 1, VAL_PER_PAGE_MAX, &q->per_page) == VAL_BAD,
	    "per_page must be an integer between 1 and 100", &n) < 0)
		return -1;

	qr = query_get(qs, "search", searchbuf, searchsz);
	len = qr == QUERY_FOUND ? strlen(searchbuf) : 0;
	if (complain(errors, qr == QUERY_MALFORMED || (qr == QUERY_FOUND && !val_utf8(searchbuf, len)),
	    "search must be UTF-8 text", &n) < 0 ||
	    complain(errors, qr == QUERY_TOO_LONG || (qr == QUERY_FOUND &&
	    val_utf8_chars(searchbuf, len) > VAL_SEARCH_MAX),
	    "search must be at most 200 characters", &n) < 0)
		return -1;
	if (qr == QUERY_FOUND && n == 0)
		q->search = searchbuf;

	/* Any role but olcm and ilcm, the empty one included, is refused. */
	qr = query_get(qs, "role", rolebuf, sizeof(rolebuf));
	for (r = 0; r < ROLE__MAX && qr == QUERY_FOUND; r++)
		if (strcmp(rolebuf, lcm_role_name((enum lcm_role)r)) == 0)
			q->role = r;
	if (complain(errors, qr != QUERY_ABSENT && q->role < 0, "role must be olcm or ilcm", &n) < 0)
		return -1;
	return n;
}
