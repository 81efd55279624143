#ifndef LCM_CHECK_H
#define LCM_CHECK_H

#include <stddef.h>
#include <stdint.h>

struct json_object;

/*
 * Generic checks of a value a request carries: an id (in a path, a text
 * or a JSON member), a JSON boolean or string, a calendar date. They know
 * no endpoint and no domain: the rules of each endpoint (rules.h) are made
 * of them.
 */

enum check_res {
	CHECK_ABSENT,  /* not there, or JSON null (but for check_json_bool) */
	CHECK_OK,
	CHECK_BAD
};

/* n bytes of decimal digits naming 1..2^63-1. 1 and *out set, else 0. */
int check_id_string(const char *s, size_t n, int64_t *out);

/*
 * An id in a path: n bytes naming 1..2^63-1 in its one canonical form,
 * decimal without leading zeros ("0123" is no id: a path names a resource
 * one way only). 1 and *out set, else 0.
 */
int check_path_id(const char *s, size_t n, int64_t *out);

/* obj[key] as an id: a JSON integer in 1..2^63-1. */
enum check_res check_json_id(struct json_object *obj, const char *key, int64_t *out);

/*
 * obj[key] as a boolean into *out (0 when absent). JSON null is CHECK_BAD:
 * a boolean is true or false, and null must not pass for the default.
 */
enum check_res check_json_bool(struct json_object *obj, const char *key, int *out);

/*
 * obj[key] as a string of at most max characters (valid UTF-8, no NUL);
 * *s is borrowed from obj.
 */
enum check_res check_json_text(struct json_object *obj, const char *key, size_t max,
    const char **s, size_t *len);

/* Non-zero when s is a calendar date YYYY-MM-DD (from 1970), into y, m, d. */
int check_date(const char *s, int *y, int *m, int *d);

/*
 * Non-zero when s (n bytes) is a calendar date as MM-DD-YYYY, the form of
 * the health plans' files (from 1900): iso then holds it as YYYY-MM-DD.
 */
int check_mdy_date(const char *s, size_t n, char iso[11]);

#endif
