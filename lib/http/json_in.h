#ifndef LCM_JSON_IN_H
#define LCM_JSON_IN_H

#include <stddef.h>

#include "app.h"

struct json_object;

/* Objects and arrays in a request body nest at most this deep. */
#define JSON_IN_DEPTH 16

/* What json_in_syntax found. */
enum json_syntax {
	JSON_SYNTAX_OK,
	JSON_SYNTAX_BAD,        /* not one RFC 8259 value */
	JSON_SYNTAX_DEPTH,      /* objects and arrays nested deeper than allowed */
	JSON_SYNTAX_DUPLICATE,  /* a well-formed value, but an object has a key twice */
	JSON_SYNTAX_NOMEM
};

/*
 * Is s (n bytes) exactly one RFC 8259 JSON value, surrounded by whitespace
 * at most, with objects and arrays nested max_depth deep at most, and no
 * object with a key twice (keys compared as decoded: "a" and "\u0061" are
 * one key)? A syntax error or the depth is reported where the scan meets
 * it, a duplicate only for a value that is otherwise good; dup (dupsz
 * bytes) then holds the key that comes twice first in the body, as a
 * message may show it (UTF-8, U+FFFD for a NUL or a lone surrogate, cut
 * with "..." when long).
 * Rewrites in place, same length, what json-c cannot carry: a lone
 * surrogate escape in a value becomes \u0000; a \u0000 or lone surrogate
 * in an object key becomes \u2400.
 */
enum json_syntax json_in_syntax(char *s, size_t n, int max_depth, char *dup, size_t dupsz);

/*
 * Parse a request body that must be one JSON object: strict, depth-limited,
 * valid UTF-8, no key twice in any object, nothing but whitespace after
 * it. APP_OK with *out owned by the caller; APP_EBADJSON with msg (msgsz
 * bytes, may be 0) saying what is wrong: the JSON nested too deeply, a key
 * given twice (named), else "Request body must be a JSON object";
 * APP_ENOMEM.
 */
enum app_err json_in_body(const char *body, size_t len, struct json_object **out, char *msg,
    size_t msgsz);

#endif
