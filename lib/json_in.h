#ifndef LCM_JSON_IN_H
#define LCM_JSON_IN_H

#include <stddef.h>

#include "app.h"

struct json_object;

/* Objects and arrays in a request body nest at most this deep. */
#define JSON_IN_DEPTH 16

/*
 * Non-zero when s (n bytes) is exactly one RFC 8259 JSON value, surrounded
 * by whitespace at most, with objects and arrays nested max_depth deep at
 * most. Rewrites in place, same length, what json-c cannot carry: a lone
 * surrogate escape in a value becomes \u0000; a \u0000 or lone surrogate
 * in an object key becomes \u2400.
 */
int json_in_syntax(char *s, size_t n, int max_depth);

/*
 * Parse a request body that must be one JSON object: strict, depth-limited,
 * valid UTF-8, nothing but whitespace after it. APP_OK with *out owned by
 * the caller, or APP_EBADJSON.
 */
enum app_err json_in_body(const char *body, size_t len, struct json_object **out);

#endif
