#ifndef LCM_QUERY_H
#define LCM_QUERY_H

#include <stddef.h>

enum query_res {
	QUERY_ABSENT,     /* key not in the query string */
	QUERY_FOUND,      /* value decoded into the buffer */
	QUERY_MALFORMED,  /* bad %-escape or a NUL byte */
	QUERY_TOO_LONG    /* decoded value does not fit the buffer */
};

/*
 * Decode n bytes of application/x-www-form-urlencoded text ('+' is a
 * space, %XX a byte) into out, NUL-terminated. Returns the decoded length,
 * -1 when malformed (or decodes to a NUL), -2 when out is too small.
 */
long query_decode(const char *s, size_t n, char *out, size_t outsz);

/*
 * Look up key in the raw query string qs ("a=1&b=2", no leading '?').
 * Names are compared decoded ("p%61ge" is page). The last occurrence wins
 * completely: what an earlier one was (malformed, too long) does not
 * matter. "key" without '=' is an empty value. The value is decoded into
 * buf.
 */
enum query_res query_get(const char *qs, const char *key, char *buf, size_t bufsz);

#endif
