#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json.h>

#include "json_in.h"
#include "utf8.h"

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
json_in_syntax(char *s, size_t n, int max_depth)
{
	struct jscan j = {s, n, 0, max_depth};

	if (!js_value(&j))
		return 0;
	js_ws(&j);
	return j.i == n;
}

enum app_err
json_in_body(const char *body, size_t len, struct json_object **out)
{
	struct json_tokener *tok = NULL;
	struct json_object *o = NULL;
	enum app_err rc = APP_EBADJSON;
	char *copy = NULL;

	*out = NULL;
	if (body == NULL || len == 0 || len > INT32_MAX || !utf8_valid(body, len))
		return APP_EBADJSON;
	if ((copy = malloc(len)) == NULL)
		return APP_ENOMEM;
	memcpy(copy, body, len);
	if (!json_in_syntax(copy, len, JSON_IN_DEPTH))
		goto out;
	/* The syntax is known good: json-c only builds the tree. */
	rc = APP_ENOMEM;
	if ((tok = json_tokener_new_ex(JSON_IN_DEPTH + 2)) == NULL)
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
