#include <ctype.h>
#include <stdio.h>
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
 *
 * And it finds a key an object has twice (json-c would keep the last, a
 * reader that keeps the first would see another body): each key is
 * decoded as sent (escapes resolved, a lone surrogate kept as its own
 * code unit, so that "\ud800" and "\udc00" stay two keys) into an arena,
 * the keys of each open object one after another; when the object closes
 * its keys are sorted and compared, then dropped.
 */
struct jkey {
	size_t off, len;   /* in the arena */
	size_t ord;        /* the key's place in the body */
};

struct jscan {
	char *s;
	size_t n, i;
	int depth;
	enum json_syntax err;      /* why the scan stopped */
	char *arena;               /* the decoded keys of the open objects */
	size_t alen, acap;
	struct jkey *keys;
	size_t nkeys, kcap, ord;
	int dup;                   /* a duplicate was found: dup_* say which */
	size_t dup_ord;
	char *dup_key;             /* malloc'd copy of its decoded bytes */
	size_t dup_len;
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

/* Append n bytes to the key arena; 0 when memory ran out. */
static int
js_put(struct jscan *j, const void *b, size_t n)
{
	char *grown;
	size_t cap;

	if (j->alen + n > j->acap) {
		cap = j->acap ? j->acap * 2 : 256;
		while (cap < j->alen + n)
			cap *= 2;
		if ((grown = realloc(j->arena, cap)) == NULL) {
			j->err = JSON_SYNTAX_NOMEM;
			return 0;
		}
		j->arena = grown;
		j->acap = cap;
	}
	memcpy(j->arena + j->alen, b, n);
	j->alen += n;
	return 1;
}

/* A code point (or a lone surrogate's code unit) into the arena as UTF-8. */
static int
js_put_cp(struct jscan *j, long cp)
{
	unsigned char b[4];
	size_t n;

	if (cp < 0x80) {
		b[0] = (unsigned char)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (unsigned char)(0xc0 | cp >> 6);
		b[1] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (unsigned char)(0xe0 | cp >> 12);
		b[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		b[2] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		b[0] = (unsigned char)(0xf0 | cp >> 18);
		b[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
		b[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		b[3] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	return js_put(j, b, n);
}

/*
 * j->i is just past "\u": check the escape (and its pair), rewrite as
 * above. *cp is what it stood for as sent: a code point, or a lone
 * surrogate's code unit.
 */
static int
js_unicode(struct jscan *j, int key, long *cp)
{
	long v, lo;

	if (j->n - j->i < 4 || (v = js_hex4(j->s + j->i)) < 0)
		return 0;
	if (v >= 0xd800 && v <= 0xdbff && j->n - j->i >= 10 && j->s[j->i + 4] == '\\' &&
	    j->s[j->i + 5] == 'u' && (lo = js_hex4(j->s + j->i + 6)) >= 0xdc00 && lo <= 0xdfff) {
		*cp = 0x10000 + ((v - 0xd800) << 10) + (lo - 0xdc00);
		j->i += 10;  /* a proper surrogate pair */
		return 1;
	}
	*cp = v;
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

/* A string; a key's decoded bytes go to the arena. */
static int
js_string(struct jscan *j, int key)
{
	static const char esc[] = "\"\\/bfnrt", val[] = "\"\\/\b\f\n\r\t";
	unsigned char c;
	const char *e;
	long cp;

	j->i++;  /* the opening quote */
	while (j->i < j->n) {
		c = (unsigned char)j->s[j->i++];
		if (c == '"')
			return 1;
		if (c < 0x20)
			return 0;
		if (c != '\\') {
			if (key && !js_put(j, &c, 1))
				return 0;
			continue;
		}
		if (j->i >= j->n)
			return 0;
		c = (unsigned char)j->s[j->i++];
		if (c == 'u') {
			if (!js_unicode(j, key, &cp) || (key && !js_put_cp(j, cp)))
				return 0;
		} else if (c == '\0' || (e = strchr(esc, c)) == NULL)
			return 0;
		else if (key && !js_put(j, &val[e - esc], 1))
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

struct keyref {
	const char *p;
	size_t len, ord;
};

static int
keyref_cmp(const void *a, const void *b)
{
	const struct keyref *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->p, y->p, n);

	if (c != 0)
		return c;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return x->ord < y->ord ? -1 : x->ord > y->ord;
}

/*
 * The object whose keys are keys[first..] closes: note its duplicate whose
 * second occurrence comes first in the body, if it comes before the one
 * noted so far; then drop its keys. 0 when memory ran out.
 */
static int
js_object_done(struct jscan *j, size_t first, size_t arena_start)
{
	struct keyref *r;
	size_t n = j->nkeys - first, k;

	if (n >= 2) {
		if ((r = malloc(n * sizeof(*r))) == NULL) {
			j->err = JSON_SYNTAX_NOMEM;
			return 0;
		}
		for (k = 0; k < n; k++) {
			/* (no arena yet when every key so far was "") */
			r[k].p = j->keys[first + k].len > 0 ? j->arena + j->keys[first + k].off : "";
			r[k].len = j->keys[first + k].len;
			r[k].ord = j->keys[first + k].ord;
		}
		qsort(r, n, sizeof(*r), keyref_cmp);
		for (k = 1; k < n; k++) {
			if (r[k].len != r[k - 1].len || memcmp(r[k].p, r[k - 1].p, r[k].len) != 0)
				continue;
			/* r[k] is a later occurrence of r[k - 1]'s key. */
			if (!j->dup || r[k].ord < j->dup_ord) {
				free(j->dup_key);
				if ((j->dup_key = malloc(r[k].len + 1)) == NULL) {
					free(r);
					j->err = JSON_SYNTAX_NOMEM;
					return 0;
				}
				memcpy(j->dup_key, r[k].p, r[k].len);
				j->dup_len = r[k].len;
				j->dup_ord = r[k].ord;
				j->dup = 1;
			}
		}
		free(r);
	}
	j->nkeys = first;
	j->alen = arena_start;
	return 1;
}

/* Note the key just decoded (arena from start on). 0 when memory ran out. */
static int
js_key_done(struct jscan *j, size_t start)
{
	struct jkey *grown;
	size_t cap;

	if (j->nkeys == j->kcap) {
		cap = j->kcap ? j->kcap * 2 : 64;
		if ((grown = realloc(j->keys, cap * sizeof(*grown))) == NULL) {
			j->err = JSON_SYNTAX_NOMEM;
			return 0;
		}
		j->keys = grown;
		j->kcap = cap;
	}
	j->keys[j->nkeys].off = start;
	j->keys[j->nkeys].len = j->alen - start;
	j->keys[j->nkeys].ord = j->ord++;
	j->nkeys++;
	return 1;
}

/* An object or array; the opening bracket is at j->i. */
static int
js_container(struct jscan *j, char close)
{
	size_t first = j->nkeys, arena_start = j->alen, kstart;
	int first_member = 1;

	if (--j->depth < 0) {
		j->err = JSON_SYNTAX_DEPTH;
		return 0;
	}
	j->i++;
	js_ws(j);
	if (j->i < j->n && j->s[j->i] == close) {
		j->i++;
		j->depth++;
		return 1;
	}
	for (;;) {
		if (!first_member) {
			js_ws(j);
			if (j->i < j->n && j->s[j->i] == close) {
				j->i++;
				j->depth++;
				return close != '}' || js_object_done(j, first, arena_start);
			}
			if (j->i >= j->n || j->s[j->i] != ',')
				return 0;
			j->i++;
		}
		first_member = 0;
		js_ws(j);
		if (close == '}') {
			kstart = j->alen;
			if (j->i >= j->n || j->s[j->i] != '"' || !js_string(j, 1) ||
			    !js_key_done(j, kstart))
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

/*
 * A key as a message can show it: a NUL or a lone surrogate (kept as sent
 * in the arena) becomes U+FFFD, and a long key is cut at a character, with
 * "...".
 */
static void
key_for_message(const char *k, size_t n, char *out, size_t outsz)
{
	size_t i = 0, o = 0, step;
	unsigned char c;

	if (outsz == 0)
		return;
	while (i < n && o + 8 < outsz && o < 64) {
		c = (unsigned char)k[i];
		step = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
		if (i + step > n)
			break;
		if (c == 0 || (c == 0xed && (unsigned char)k[i + 1] >= 0xa0)) {
			memcpy(out + o, "\xef\xbf\xbd", 3);
			o += 3;
		} else {
			memcpy(out + o, k + i, step);
			o += step;
		}
		i += step;
	}
	if (i < n && o + 4 <= outsz) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
}

enum json_syntax
json_in_syntax(char *s, size_t n, int max_depth, char *dup, size_t dupsz)
{
	struct jscan j;
	enum json_syntax rc;

	memset(&j, 0, sizeof(j));
	j.s = s;
	j.n = n;
	j.depth = max_depth;
	j.err = JSON_SYNTAX_BAD;
	if (dupsz > 0)
		dup[0] = '\0';
	if (!js_value(&j)) {
		rc = j.err;
		goto out;
	}
	js_ws(&j);
	rc = JSON_SYNTAX_BAD;
	if (j.i != n)
		goto out;
	rc = JSON_SYNTAX_OK;
	if (j.dup) {
		key_for_message(j.dup_key, j.dup_len, dup, dupsz);
		rc = JSON_SYNTAX_DUPLICATE;
	}
out:
	free(j.arena);
	free(j.keys);
	free(j.dup_key);
	return rc;
}

enum app_err
json_in_body(const char *body, size_t len, struct json_object **out, char *msg, size_t msgsz)
{
	struct json_tokener *tok = NULL;
	struct json_object *o = NULL;
	enum app_err rc = APP_EBADJSON;
	char *copy = NULL, key[96];
	size_t i = 0;

	*out = NULL;
	if (msgsz > 0)
		snprintf(msg, msgsz, "%s", app_err_message(APP_EBADJSON));
	if (body == NULL || len == 0 || len > INT32_MAX || !utf8_valid(body, len))
		return APP_EBADJSON;
	if ((copy = malloc(len)) == NULL)
		return APP_ENOMEM;
	memcpy(copy, body, len);
	switch (json_in_syntax(copy, len, JSON_IN_DEPTH, key, sizeof(key))) {
	case JSON_SYNTAX_OK:
		break;
	case JSON_SYNTAX_NOMEM:
		rc = APP_ENOMEM;
		goto out;
	case JSON_SYNTAX_DEPTH:
		if (msgsz > 0)
			snprintf(msg, msgsz, "JSON nested too deeply (more than %d levels)", JSON_IN_DEPTH);
		goto out;
	case JSON_SYNTAX_DUPLICATE:
		while (i < len && strchr(" \t\r\n", copy[i]) != NULL)
			i++;
		if (msgsz > 0 && copy[i] == '{')  /* else it is no object at all */
			snprintf(msg, msgsz, "Duplicate key \"%s\" in a JSON object", key);
		goto out;
	case JSON_SYNTAX_BAD:
		goto out;
	}
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
