#define _DEFAULT_SOURCE  /* timegm */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <json.h>

#include "base64.h"
#include "check.h"
#include "headers.h"
#include "json_out.h"
#include "patients.h"
#include "query.h"
#include "rules.h"
#include "utf8.h"

enum app_err
val_add(struct json_object *errors, const char *msg)
{
	return json_list_add_string(errors, msg);
}

/* When bad, add the message made of fmt (limits come from their constants); count it. -1 on ENOMEM. */
static int
complain(struct json_object *errors, int bad, int *n, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (!bad)
		return 0;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	(*n)++;
	return val_add(errors, msg) == APP_OK ? 0 : -1;
}

/* ---- bodies ------------------------------------------------------------ */

enum check_res
val_json_role(struct json_object *obj, const char *key, enum lcm_role *out)
{
	struct json_object *v;
	const char *s;
	int r;

	if (!json_object_object_get_ex(obj, key, &v) || v == NULL)
		return CHECK_ABSENT;
	if (!json_object_is_type(v, json_type_string))
		return CHECK_BAD;
	s = json_object_get_string(v);
	if ((size_t)json_object_get_string_len(v) != strlen(s))
		return CHECK_BAD;  /* an embedded NUL */
	for (r = 0; r < ROLE__MAX; r++)
		if (strcmp(s, lcm_role_name((enum lcm_role)r)) == 0) {
			*out = (enum lcm_role)r;
			return CHECK_OK;
		}
	return CHECK_BAD;
}

/* patient_id and reason, common to every write body. */
static int
val_common(struct json_object *obj, struct lcm_change *c, struct json_object *errors, int *n)
{
	enum check_res r;

	memset(c, 0, sizeof(*c));
	r = check_json_id(obj, "patient_id", &c->patient_id);
	if (complain(errors, r == CHECK_ABSENT, n, "patient_id is required") < 0 ||
	    complain(errors, r == CHECK_BAD, n, "patient_id must be a positive integer") < 0)
		return -1;
	return 0;
}

/*
 * reason: a note (a string), or {"code": C, "note": N} with C one of
 * lcm_reason_codes and N an optional note.
 */
static int
val_reason(struct json_object *obj, struct lcm_change *c, struct json_object *errors, int *n)
{
	struct json_object *v, *code;
	enum check_res r;
	char codes[256];
	size_t i, o = 0;

	c->reason = NULL;
	c->reason_len = 0;
	c->reason_code = NULL;
	if (json_object_object_get_ex(obj, "reason", &v) && json_object_is_type(v, json_type_object)) {
		if (!json_object_object_get_ex(v, "code", &code) || code == NULL)
			return complain(errors, 1, n, "reason.code is required");
		c->reason_code = json_object_is_type(code, json_type_string) ?
		    json_object_get_string(code) : NULL;
		if (c->reason_code != NULL && (size_t)json_object_get_string_len(code) !=
		    strlen(c->reason_code))
			c->reason_code = NULL;  /* an embedded NUL */
		if (!lcm_reason_code_ok(c->reason_code)) {
			c->reason_code = NULL;
			for (i = 0; lcm_reason_codes[i] != NULL; i++)
				o += (size_t)snprintf(codes + o, sizeof(codes) - o, "%s%s", i ? ", " : "",
				    lcm_reason_codes[i]);
			if (complain(errors, 1, n, "reason.code must be one of %s", codes) < 0)
				return -1;
		}
		r = check_json_text(v, "note", VAL_REASON_MAX, &c->reason, &c->reason_len);
		if (r != CHECK_OK) {
			c->reason = NULL;
			c->reason_len = 0;
		}
		return complain(errors, r == CHECK_BAD, n,
		    "reason.note must be a string of at most %d characters", VAL_REASON_MAX);
	}
	r = check_json_text(obj, "reason", VAL_REASON_MAX, &c->reason, &c->reason_len);
	if (r != CHECK_OK) {
		c->reason = NULL;
		c->reason_len = 0;
	}
	return complain(errors, r == CHECK_BAD, n,
	    "reason must be a string of at most %d characters", VAL_REASON_MAX);
}

/*
 * Does c give a reason, as override_capacity needs one: a code, or a note
 * with text in it (white space only is no reason)?
 */
static int
has_reason(const struct lcm_change *c)
{
	return c->reason_code != NULL || (c->reason != NULL && !utf8_blank(c->reason, c->reason_len));
}

/* override_capacity and override_authorization, each of which needs a reason. */
static int
val_overrides(struct json_object *obj, struct lcm_change *c, struct json_object *errors, int *n)
{
	static const char *const keys[] = {"override_capacity", "override_authorization"};
	int *flags[] = {&c->override_capacity, &c->override_authorization};
	enum check_res v;
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		v = check_json_bool(obj, keys[i], flags[i]);
		if (complain(errors, v == CHECK_BAD, n, "%s must be true or false", keys[i]) < 0 ||
		    complain(errors, *flags[i] && !has_reason(c), n, "%s needs a reason", keys[i]) < 0)
			return -1;
	}
	return 0;
}

int
val_assign(struct json_object *obj, struct lcm_change *c, struct json_object *errors)
{
	static const char *const keys[ROLE__MAX] = {
		[ROLE_OLCM] = "olcm_user_id",
		[ROLE_ILCM] = "ilcm_user_id",
	};
	int n = 0, r, absent = 0;
	enum check_res v;

	if (val_common(obj, c, errors, &n) < 0)
		return -1;
	for (r = 0; r < ROLE__MAX; r++) {
		v = check_json_id(obj, keys[r], &c->user[r]);
		c->given[r] = v == CHECK_OK;
		absent += v == CHECK_ABSENT;
		if (complain(errors, v == CHECK_BAD, &n, "%s must be a positive integer", keys[r]) < 0)
			return -1;
	}
	if (complain(errors, absent == ROLE__MAX, &n,
	    "At least one of olcm_user_id or ilcm_user_id must be provided") < 0 ||
	    val_reason(obj, c, errors, &n) < 0)
		return -1;
	if (val_overrides(obj, c, errors, &n) < 0)
		return -1;
	c->limited = LCM_LIMITED_ALL;
	return n;
}

int
val_remove(struct json_object *obj, struct lcm_change *c, struct json_object *errors)
{
	enum lcm_role role = ROLE_OLCM;
	enum check_res v;
	int n = 0;

	if (val_common(obj, c, errors, &n) < 0)
		return -1;
	v = val_json_role(obj, "role", &role);
	if (complain(errors, v == CHECK_ABSENT, &n, "role is required") < 0 ||
	    complain(errors, v == CHECK_BAD, &n, "role must be olcm or ilcm") < 0 ||
	    val_reason(obj, c, errors, &n) < 0)
		return -1;
	if (v == CHECK_OK) {
		c->given[role] = 1;
		c->user[role] = 0;
	}
	return n;
}

int
val_bulk(struct json_object *body, struct json_object **list, size_t *n, int *dry_run,
    struct json_object *errors)
{
	int bad = 0;

	*n = 0;
	if (complain(errors, check_json_bool(body, "dry_run", dry_run) == CHECK_BAD, &bad,
	    "dry_run must be true or false") < 0)
		return -1;
	if (!json_object_object_get_ex(body, "assignments", list) ||
	    !json_object_is_type(*list, json_type_array) ||
	    json_object_array_length(*list) < 1 || json_object_array_length(*list) > VAL_BULK_MAX) {
		*list = NULL;
		return complain(errors, 1, &bad, "assignments must be an array of 1 to %d items",
		    VAL_BULK_MAX) < 0 ? -1 : bad;
	}
	*n = json_object_array_length(*list);
	return bad;
}

int
val_bulk_item(struct json_object *item, struct lcm_change *c, struct json_object *errors)
{
	int n = 0;

	if (!json_object_is_type(item, json_type_object)) {
		memset(c, 0, sizeof(*c));
		return complain(errors, 1, &n, "Assignment must be a JSON object") < 0 ? -1 : n;
	}
	return val_assign(item, c, errors);
}

/* obj[key]: 0..hi, or null or absent (-1: no limit). As val_assign(). */
static int
val_limit(struct json_object *body, const char *key, int64_t hi, int64_t *out,
    struct json_object *errors, int *n)
{
	struct json_object *v;
	int64_t i;
	int bad;

	*out = -1;
	if (!json_object_object_get_ex(body, key, &v) || v == NULL)
		return 0;  /* null or absent: no limit */
	i = json_object_is_type(v, json_type_int) ? json_object_get_int64(v) : -1;
	bad = i < 0 || i > hi;
	if (complain(errors, bad, n, "%s must be an integer from 0 to %" PRId64 ", or null for no limit",
	    key, hi) < 0)
		return -1;
	if (!bad)
		*out = i;
	return 0;
}

int
val_capacity(struct json_object *body, struct lcm_limits *l, struct json_object *errors)
{
	static const char *const keys[ROLE__MAX][2] = {
		[ROLE_OLCM] = {"max_olcm", "max_olcm_points"},
		[ROLE_ILCM] = {"max_ilcm", "max_ilcm_points"},
	};
	int n = 0, r;

	for (r = 0; r < ROLE__MAX; r++)
		if (val_limit(body, keys[r][0], VAL_CAPACITY_MAX, &l->max[r], errors, &n) < 0 ||
		    val_limit(body, keys[r][1], VAL_POINTS_MAX, &l->max_points[r], errors, &n) < 0)
			return -1;
	return n;
}

int
val_weights(struct json_object *body, int given[ACUITY__MAX], struct lcm_weights *w,
    struct json_object *errors)
{
	struct json_object *v;
	const char *key;
	int64_t i;
	int n = 0, a, any = 0;

	for (a = 0; a < ACUITY__MAX; a++) {
		key = lcm_acuity_name((enum lcm_acuity)a);
		given[a] = json_object_object_get_ex(body, key, &v);
		w->weight[a] = 1;
		if (!given[a])
			continue;
		any = 1;
		i = v != NULL && json_object_is_type(v, json_type_int) ? json_object_get_int64(v) : 0;
		if (complain(errors, i < 1 || i > VAL_WEIGHT_MAX, &n,
		    "%s must be an integer from 1 to %d", key, VAL_WEIGHT_MAX) < 0)
			return -1;
		w->weight[a] = i;
	}
	if (complain(errors, !any, &n, "Give at least one of low, medium or high") < 0)
		return -1;
	return n;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/*
 * obj[key]: an array of lo..hi ids, each once, into out (hi of room).
 * *present tells whether the key was there: null is there, and no array
 * (absent means "all" for some of these lists, null must not). Problems
 * are counted in *n; -1 on ENOMEM.
 */
static int
val_ids(struct json_object *obj, const char *key, size_t lo, size_t hi, const char *what,
    int64_t *out, size_t *len, int *present, struct json_object *errors, int *n)
{
	struct json_object *v, *item;
	int64_t *sorted;
	size_t i, k;
	int bad = 0, rc = 0;

	*len = 0;
	*present = json_object_object_get_ex(obj, key, &v);
	if (!*present)
		return 0;
	k = v != NULL && json_object_is_type(v, json_type_array) ? json_object_array_length(v) : 0;
	if (k < lo || k > hi)
		return complain(errors, 1, n, "%s must be an array of %zu to %zu %s", key, lo, hi, what);
	for (i = 0; i < k; i++) {
		item = json_object_array_get_idx(v, i);
		if (!json_object_is_type(item, json_type_int) || json_object_get_int64(item) <= 0 ||
		    (json_object_get_int64(item) == INT64_MAX &&
		    json_object_get_uint64(item) != (uint64_t)INT64_MAX)) {
			bad = 1;
			continue;
		}
		out[(*len)++] = json_object_get_int64(item);
	}
	if (bad)
		return complain(errors, 1, n, "%s must be an array of %zu to %zu %s", key, lo, hi, what);
	if ((sorted = malloc(*len * sizeof(*sorted) + 1)) == NULL)
		return -1;
	memcpy(sorted, out, *len * sizeof(*sorted));
	qsort(sorted, *len, sizeof(*sorted), cmp_i64);
	for (i = 1; i < *len && rc == 0; i++)
		if (sorted[i] == sorted[i - 1])
			rc = complain(errors, 1, n, "%s holds %" PRId64 " twice", key, sorted[i]);
	free(sorted);
	return rc;
}

/* dry_run, override_capacity (which needs a reason) and reason, of a transfer or an auto-assign. */
static int
val_run_options(struct json_object *obj, struct lcm_change *c, int *dry_run,
    struct json_object *errors, int *n)
{
	if (val_reason(obj, c, errors, n) < 0 ||
	    complain(errors, check_json_bool(obj, "dry_run", dry_run) == CHECK_BAD, n,
	    "dry_run must be true or false") < 0 ||
	    val_overrides(obj, c, errors, n) < 0)
		return -1;
	return 0;
}

int
val_transfer(struct json_object *obj, struct lcm_transfer *t, int64_t *to, int64_t *patients,
    struct lcm_change *c, struct json_object *errors)
{
	enum lcm_role role;
	enum check_res v;
	int n = 0, present;
	size_t i;

	memset(t, 0, sizeof(*t));
	memset(c, 0, sizeof(*c));
	t->role = -1;
	v = check_json_id(obj, "from_user_id", &t->from_user);
	if (complain(errors, v == CHECK_ABSENT, &n, "from_user_id is required") < 0 ||
	    complain(errors, v == CHECK_BAD, &n, "from_user_id must be a positive integer") < 0)
		return -1;
	if (val_ids(obj, "to_user_ids", 1, VAL_TAKERS_MAX, "user ids", to, &t->nto, &present,
	    errors, &n) < 0 ||
	    complain(errors, !present, &n, "to_user_ids is required") < 0)
		return -1;
	for (i = 0; i < t->nto; i++)
		if (to[i] == t->from_user &&
		    complain(errors, 1, &n, "to_user_ids must not hold from_user_id") < 0)
			return -1;
	t->to = to;
	/* Absent is both roles; null is no role, not "both". */
	v = val_json_role(obj, "role", &role);
	if (v == CHECK_ABSENT && json_object_object_get_ex(obj, "role", NULL))
		v = CHECK_BAD;
	if (complain(errors, v == CHECK_BAD, &n, "role must be olcm or ilcm") < 0)
		return -1;
	if (v == CHECK_OK)
		t->role = (int)role;
	if (val_ids(obj, "patient_ids", 1, VAL_BULK_MAX, "patient ids", patients, &t->npatients,
	    &present, errors, &n) < 0)
		return -1;
	t->patients = present ? patients : NULL;
	if (val_run_options(obj, c, &t->dry_run, errors, &n) < 0)
		return -1;
	t->override_capacity = c->override_capacity;
	t->override_authorization = c->override_authorization;
	c->source = "transfer";
	return n;
}

int
val_auto_assign(struct json_object *obj, struct lcm_auto *a, int64_t *patients, int64_t *users,
    struct lcm_change *c, struct json_object *errors)
{
	enum lcm_role role;
	enum check_res v;
	int n = 0, has_patients, has_users, overridden;

	memset(a, 0, sizeof(*a));
	memset(c, 0, sizeof(*c));
	a->role = -1;
	v = val_json_role(obj, "role", &role);
	if (complain(errors, v == CHECK_ABSENT, &n, "role is required") < 0 ||
	    complain(errors, v == CHECK_BAD, &n, "role must be olcm or ilcm") < 0)
		return -1;
	if (v == CHECK_OK)
		a->role = (int)role;
	if (val_ids(obj, "patient_ids", 1, LCM_AUTO_MAX, "patient ids", patients, &a->npatients,
	    &has_patients, errors, &n) < 0 ||
	    complain(errors, check_json_bool(obj, "unassigned", &a->unassigned) == CHECK_BAD, &n,
	    "unassigned must be true or false") < 0 ||
	    complain(errors, has_patients == a->unassigned, &n,
	    "Give patient_ids or \"unassigned\": true, one of them") < 0 ||
	    val_ids(obj, "user_ids", 1, VAL_BULK_MAX, "user ids", users, &a->nusers, &has_users,
	    errors, &n) < 0)
		return -1;
	a->patients = has_patients ? patients : NULL;
	a->users = has_users ? users : NULL;
	if (val_run_options(obj, c, &a->dry_run, errors, &n) < 0)
		return -1;
	overridden = c->override_capacity;
	if (complain(errors, overridden, &n, "auto_assign keeps every caseload limit: "
	    "override_capacity is for assign, bulk_assign and transfer") < 0 ||
	    complain(errors, c->override_authorization, &n, "auto_assign skips members whose "
	    "ECM authorization is not active: override_authorization is for assign, bulk_assign "
	    "and transfer") < 0)
		return -1;
	c->source = "assign";
	return n;
}

int
val_release_ended(struct json_object *obj, struct lcm_release *r, struct json_object *errors)
{
	struct json_object *v, *code;
	struct lcm_change c;
	int n = 0;

	memset(r, 0, sizeof(*r));
	memset(&c, 0, sizeof(c));
	/* A code, when given, is the one a release records. */
	if (json_object_object_get_ex(obj, "reason", &v) && json_object_is_type(v, json_type_object) &&
	    json_object_object_get_ex(v, "code", &code) && code != NULL &&
	    (!json_object_is_type(code, json_type_string) ||
	    strcmp(json_object_get_string(code), "authorization_ended") != 0 ||
	    (size_t)json_object_get_string_len(code) != strlen("authorization_ended"))) {
		if (complain(errors, 1, &n, "reason.code must be authorization_ended") < 0)
			return -1;
	} else if (val_reason(obj, &c, errors, &n) < 0)
		return -1;
	r->note = c.reason;
	r->note_len = c.reason_len;
	if (complain(errors, check_json_bool(obj, "dry_run", &r->dry_run) == CHECK_BAD, &n,
	    "dry_run must be true or false") < 0)
		return -1;
	return n;
}

/*
 * A data URI (RFC 2397) whose data is base64: "data:", a media type and
 * its parameters (any: file_type says what the file is), ";base64,", the
 * data. The data's start and length into *data, *n; 0 when s is not one.
 */
static int
base64_data_uri(const char *s, size_t len, const char **data, size_t *n)
{
	const char *comma = memchr(s, ',', len);
	size_t head;

	if (len < 5 || strncasecmp(s, "data:", 5) != 0 || comma == NULL)
		return 0;
	head = (size_t)(comma - s);
	if (head < 5 + 7 || strncasecmp(comma - 7, ";base64", 7) != 0)
		return 0;
	*data = comma + 1;
	*n = len - head - 1;
	return 1;
}

int
val_mif(struct json_object *body, char **text, size_t *len, char *sep,
    struct json_object *errors)
{
	struct json_object *mif = NULL, *v;
	const char *data = NULL, *type;
	size_t n = 0;
	long got;
	int bad = 0;

	*text = NULL;
	*len = 0;
	*sep = ',';
	if (!json_object_object_get_ex(body, "mif", &mif) || mif == NULL)
		return complain(errors, 1, &bad, "mif is required") < 0 ? -1 : bad;
	if (!json_object_is_type(mif, json_type_object))
		return complain(errors, 1, &bad, "mif must be an object") < 0 ? -1 : bad;
	if (!json_object_object_get_ex(mif, "file", &v) || v == NULL) {
		if (complain(errors, 1, &bad, "mif.file is required") < 0)
			return -1;
	} else if (!json_object_is_type(v, json_type_string) ||
	    !base64_data_uri(json_object_get_string(v), (size_t)json_object_get_string_len(v),
	    &data, &n)) {
		if (complain(errors, 1, &bad, "mif.file must be a data URI of base64 "
		    "(data:text/csv;base64,...)") < 0)
			return -1;
		data = NULL;
	}
	if (!json_object_object_get_ex(mif, "file_type", &v) || v == NULL) {
		if (complain(errors, 1, &bad, "mif.file_type is required") < 0)
			return -1;
	} else if (!json_object_is_type(v, json_type_string) ||
	    (strcmp(type = json_object_get_string(v), "csv") != 0 && strcmp(type, "tsv") != 0) ||
	    (size_t)json_object_get_string_len(v) != 3) {
		if (complain(errors, 1, &bad, "mif.file_type must be csv or tsv") < 0)
			return -1;
	} else
		*sep = strcmp(type, "tsv") == 0 ? '\t' : ',';
	if (data == NULL)
		return bad;
	if ((*text = malloc(b64_decoded_max(n) + 1)) == NULL)
		return -1;
	if ((got = b64_decode(data, n, (unsigned char *)*text)) < 0) {
		free(*text);
		*text = NULL;
		return complain(errors, 1, &bad, "mif.file must be a data URI of base64 "
		    "(data:text/csv;base64,...)") < 0 ? -1 : bad;
	}
	(*text)[got] = '\0';
	*len = (size_t)got;
	if (bad) {
		free(*text);
		*text = NULL;
		*len = 0;
	}
	return bad;
}

/* ---- a domain refusal's messages --------------------------------------- */

int
val_at_capacity(const int64_t user[ROLE__MAX], struct json_object *errors)
{
	int n = 0, r;

	for (r = 0; r < ROLE__MAX; r++)
		if (user[r] != 0 && complain(errors, 1, &n, "User %" PRId64 " is at capacity for %s",
		    user[r], lcm_role_name((enum lcm_role)r)) < 0)
			return -1;
	return n;
}

int
val_ineligible(const int64_t user[ROLE__MAX], struct json_object *errors)
{
	int n = 0, r;

	for (r = 0; r < ROLE__MAX; r++) {
		if (user[r] == 0)
			continue;
		if (r == ROLE_ILCM && user[ROLE_OLCM] == user[r])
			continue;  /* already named once */
		if (complain(errors, 1, &n, "User %" PRId64 " is not eligible to be a Lead Care Manager",
		    user[r]) < 0)
			return -1;
	}
	return n;
}

/* ---- preconditions ----------------------------------------------------- */

int
val_etags(const char *h, int weak_ok, struct lcm_precondition *out)
{
	enum hdr_etags e = hdr_etags(h);

	memset(out, 0, sizeof(*out));
	out->present = 1;
	out->weak_ok = weak_ok;
	out->any = e == HDR_ETAGS_ANY;
	out->tags = e == HDR_ETAGS_LIST ? h : NULL;
	return e == HDR_ETAGS_BAD ? -1 : 0;
}

/* ---- query strings ----------------------------------------------------- */

/* A query parameter as an integer in lo..hi; absent leaves *out alone. */
static enum check_res
query_int(const char *qs, const char *key, int64_t lo, int64_t hi, int64_t *out)
{
	char buf[32];
	int64_t v;

	switch (query_get(qs, key, buf, sizeof(buf))) {
	case QUERY_ABSENT:
		return CHECK_ABSENT;
	case QUERY_FOUND:
		break;
	default:
		return CHECK_BAD;  /* a bad escape or a value too long: not a number */
	}
	if (!check_id_string(buf, strlen(buf), &v) || v < lo || v > hi)
		return CHECK_BAD;
	*out = v;
	return CHECK_OK;
}

int
val_paging(const char *qs, int64_t *page, int64_t *per_page, struct json_object *errors)
{
	int n = 0;

	*page = 1;
	*per_page = VAL_PER_PAGE_DEF;
	if (complain(errors, query_int(qs, "page", 1, INT64_MAX, page) == CHECK_BAD, &n,
	    "page must be a positive integer") < 0 ||
	    complain(errors, query_int(qs, "per_page", 1, VAL_PER_PAGE_MAX, per_page) == CHECK_BAD,
	    &n, "per_page must be an integer between 1 and %d", VAL_PER_PAGE_MAX) < 0)
		return -1;
	return n;
}

/*
 * key=no|yes into *out (0 when absent or no, 1 for yes); any other value,
 * the empty one too, is refused naming the key.
 */
static int
val_choice(const char *qs, const char *key, const char *no, const char *yes, int *out,
    struct json_object *errors, int *n)
{
	char buf[16];
	enum query_res qr = query_get(qs, key, buf, sizeof(buf));

	*out = qr == QUERY_FOUND && strcmp(buf, yes) == 0;
	return complain(errors, qr != QUERY_ABSENT && !(qr == QUERY_FOUND &&
	    (strcmp(buf, yes) == 0 || strcmp(buf, no) == 0)), n, "%s must be %s or %s", key, no, yes);
}

/* role=olcm|ilcm into *role (-1 when absent); any other value, the empty one too, is refused. */
static int
val_role_param(const char *qs, int *role, struct json_object *errors, int *n)
{
	char rolebuf[16];
	enum query_res qr = query_get(qs, "role", rolebuf, sizeof(rolebuf));

	*role = qr == QUERY_FOUND ? lcm_role_parse(rolebuf) : -1;
	return complain(errors, qr != QUERY_ABSENT && *role < 0, n, "role must be olcm or ilcm");
}

int
val_history_query(const char *qs, struct lcm_history_query *q, struct json_object *errors)
{
	int n;

	if ((n = val_paging(qs, &q->page, &q->per_page, errors)) < 0 ||
	    val_role_param(qs, &q->role, errors, &n) < 0)
		return -1;
	return n;
}

int
val_history_kind(const char *qs, int *member, struct json_object *errors)
{
	char buf[16];
	int n = 0;

	if (val_choice(qs, "kind", "assignments", "member", member, errors, &n) < 0 ||
	    complain(errors, *member && query_get(qs, "role", buf, sizeof(buf)) != QUERY_ABSENT, &n,
	    "role is for kind=assignments") < 0)
		return -1;
	return n;
}

/*
 * search: UTF-8 of at most VAL_SEARCH_MAX characters, into buf; *out points
 * at it when it is there and nothing so far was wrong.
 */
static int
val_search(const char *qs, const char **out, char *buf, size_t bufsz,
    struct json_object *errors, int *n)
{
	enum query_res qr = query_get(qs, "search", buf, bufsz);
	size_t len = qr == QUERY_FOUND ? strlen(buf) : 0;

	if (complain(errors, qr == QUERY_MALFORMED || (qr == QUERY_FOUND && !utf8_valid(buf, len)),
	    n, "search must be UTF-8 text") < 0 ||
	    complain(errors, qr == QUERY_TOO_LONG ||
	    (qr == QUERY_FOUND && utf8_chars(buf, len) > VAL_SEARCH_MAX),
	    n, "search must be at most %d characters", VAL_SEARCH_MAX) < 0)
		return -1;
	*out = qr == QUERY_FOUND && *n == 0 ? buf : NULL;
	return 0;
}

/* sort=name|workload|weighted_workload. */
static int
val_sort(const char *qs, struct lcm_list_query *q, struct json_object *errors, int *n)
{
	char buf[24];
	enum query_res qr = query_get(qs, "sort", buf, sizeof(buf));

	q->by_workload = qr == QUERY_FOUND && strcmp(buf, "workload") == 0;
	q->by_points = qr == QUERY_FOUND && strcmp(buf, "weighted_workload") == 0;
	return complain(errors, qr != QUERY_ABSENT && !(qr == QUERY_FOUND &&
	    (q->by_workload || q->by_points || strcmp(buf, "name") == 0)), n,
	    "sort must be name, workload or weighted_workload");
}

int
val_list_query(const char *qs, struct lcm_list_query *q, char *searchbuf, size_t searchsz,
    struct json_object *errors)
{
	int n;

	q->search = NULL;
	q->role = -1;
	if ((n = val_paging(qs, &q->page, &q->per_page, errors)) < 0 ||
	    val_search(qs, &q->search, searchbuf, searchsz, errors, &n) < 0 ||
	    val_role_param(qs, &q->role, errors, &n) < 0 ||
	    val_sort(qs, q, errors, &n) < 0 ||
	    val_choice(qs, "available", "false", "true", &q->available, errors, &n) < 0 ||
	    val_choice(qs, "inactive_with_patients", "false", "true", &q->inactive, errors, &n) < 0)
		return -1;
	return n;
}

/* A query parameter that must be an id when present: 0 when absent. */
static int
val_id_param(const char *qs, const char *key, int64_t *out, struct json_object *errors, int *n)
{
	*out = 0;
	return complain(errors, query_int(qs, key, 1, INT64_MAX, out) == CHECK_BAD, n,
	    "%s must be a positive integer", key);
}

/*
 * key=one of names (NULL-terminated) into *out, the name itself (NULL when
 * absent); any other value, the empty one too, is refused with msg.
 */
static int
val_name_param(const char *qs, const char *key, const char *const *names, const char **out,
    const char *msg, struct json_object *errors, int *n)
{
	char buf[16];
	enum query_res qr = query_get(qs, key, buf, sizeof(buf));
	size_t i;

	*out = NULL;
	for (i = 0; qr == QUERY_FOUND && names[i] != NULL; i++)
		if (strcmp(buf, names[i]) == 0)
			*out = names[i];
	return complain(errors, qr != QUERY_ABSENT && *out == NULL, n, "%s", msg);
}

/* key=0..hi (decimal digits only) into *out; absent leaves *out alone. */
static enum check_res
query_count(const char *qs, const char *key, int64_t hi, int64_t *out)
{
	char buf[32];
	int64_t v = 0;
	size_t i;

	switch (query_get(qs, key, buf, sizeof(buf))) {
	case QUERY_ABSENT:
		return CHECK_ABSENT;
	case QUERY_FOUND:
		break;
	default:
		return CHECK_BAD;
	}
	for (i = 0; buf[i] != '\0'; i++) {
		if (buf[i] < '0' || buf[i] > '9')
			return CHECK_BAD;
		if ((v = v * 10 + (buf[i] - '0')) > hi)
			return CHECK_BAD;
	}
	if (i == 0)
		return CHECK_BAD;
	*out = v;
	return CHECK_OK;
}

/* The member's filters of the patient list: acuity, authorization, auth_ends_within_days, member_id. */
static int
val_member_filters(const char *qs, struct pat_query *q, struct json_object *errors, int *n)
{
	static const char *const auths[] = {"active", "ended", "not_started", NULL};
	enum query_res qr;

	q->ends_within = -1;
	if (val_name_param(qs, "acuity", mif_acuity_levels, &q->acuity,
	    "acuity must be low, medium or high", errors, n) < 0 ||
	    val_name_param(qs, "authorization", auths, &q->authorization,
	    "authorization must be active, ended or not_started", errors, n) < 0 ||
	    complain(errors, query_count(qs, "auth_ends_within_days", VAL_AUTH_DAYS_MAX,
	    &q->ends_within) == CHECK_BAD, n,
	    "auth_ends_within_days must be an integer between 0 and %d", VAL_AUTH_DAYS_MAX) < 0)
		return -1;
	qr = query_get(qs, "member_id", q->member_id, sizeof(q->member_id));
	if (qr != QUERY_ABSENT && (qr != QUERY_FOUND || !mif_id_ok(q->member_id, strlen(q->member_id)))) {
		q->member_id[0] = '\0';
		return complain(errors, 1, n, "member_id must be 1 to %d visible ASCII characters"
		    " (letters, digits, punctuation)", MIF_ID_MAX);
	}
	if (qr == QUERY_ABSENT)
		q->member_id[0] = '\0';
	return 0;
}

int
val_patient_query(const char *qs, struct pat_query *q, char *searchbuf, size_t searchsz,
    struct json_object *errors)
{
	static const char *const kinds[] = {"olcm", "ilcm", "any", "both", NULL};
	char assigned[8];
	enum query_res qr;
	int n;

	memset(q, 0, sizeof(*q));
	if ((n = val_paging(qs, &q->page, &q->per_page, errors)) < 0 ||
	    val_search(qs, &q->search, searchbuf, searchsz, errors, &n) < 0 ||
	    val_id_param(qs, "provider_id", &q->provider_id, errors, &n) < 0 ||
	    val_id_param(qs, "lcm_user_id", &q->lcm_user_id, errors, &n) < 0 ||
	    val_name_param(qs, "unassigned", kinds, &q->unassigned,
	    "unassigned must be olcm, ilcm, any or both", errors, &n) < 0 ||
	    val_choice(qs, "held_by_inactive", "false", "true", &q->held_by_inactive, errors, &n) < 0 ||
	    val_member_filters(qs, q, errors, &n) < 0)
		return -1;
	/* assigned: three states, absent the third (val_choice's false is "no filter"). */
	qr = query_get(qs, "assigned", assigned, sizeof(assigned));
	q->assigned = qr == QUERY_ABSENT ? -1 : qr != QUERY_FOUND ? -2 :
	    strcmp(assigned, "true") == 0 ? 1 : strcmp(assigned, "false") == 0 ? 0 : -2;
	if (complain(errors, q->assigned == -2, &n, "assigned must be true or false") < 0)
		return -1;
	if (q->assigned == -2)
		q->assigned = -1;
	return n;
}

int
val_export_query(const char *qs, const char *today, int *role, char *as_of, char *until,
    size_t datesz, struct json_object *errors)
{
	char day[16];
	enum query_res qr;
	struct tm tm;
	time_t t;
	int n = 0, y, m, d;

	snprintf(as_of, datesz, "%s", today);
	until[0] = '\0';
	if (val_role_param(qs, role, errors, &n) < 0)
		return -1;
	qr = query_get(qs, "as_of", day, sizeof(day));
	if (qr == QUERY_ABSENT)
		return n;
	if (complain(errors, qr != QUERY_FOUND || !check_date(day, &y, &m, &d) ||
	    strcmp(day, today) > 0, &n, "as_of must be a date (YYYY-MM-DD) from 1970-01-01 to today (UTC)") < 0)
		return -1;
	if (n == 0)
		snprintf(as_of, datesz, "%s", day);
	if (n == 0 && strcmp(day, today) < 0) {
		/* Before today: from the history, up to the midnight that ends that day. */
		memset(&tm, 0, sizeof(tm));
		tm.tm_year = y - 1900;
		tm.tm_mon = m - 1;
		tm.tm_mday = d + 1;
		t = timegm(&tm);
		gmtime_r(&t, &tm);
		strftime(until, datesz, "%Y-%m-%d", &tm);
	}
	return n;
}
