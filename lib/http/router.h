#ifndef LCM_ROUTER_H
#define LCM_ROUTER_H

#include <stddef.h>
#include <stdint.h>

#include "http.h"

/*
 * A handler gets a request whose route, auth and body were already
 * checked, and fills the response. It returns APP_OK after setting a
 * success body, or an error: when it left no body the dispatcher answers
 * with the error's envelope.
 */
typedef enum app_err (*handler_fn)(const struct request *, struct response *);

enum route_flags {
	ROUTE_ADMIN = 1 << 0,       /* X-User-Token of an active admin */
	ROUTE_BODY = 1 << 1,        /* a JSON object body */
	ROUTE_IDEMPOTENT = 1 << 2,  /* honours Idempotency-Key */
	ROUTE_FILE = 1 << 3         /* a body that carries a file: up to HTTP_FILE_BODY_MAX */
};

/*
 * A pattern is a path whose segments are literal, or ":id" for a positive
 * 64-bit id in canonical decimal (check_path_id: no leading zeros).
 */
struct route {
	enum http_method method;
	const char *pattern;
	handler_fn handler;
	unsigned flags;
	const void *data;   /* what the handler needs of this route: req->route_data */
};

/*
 * Match method and path against n routes. On a match return the route and
 * set *id to the path's :id (0 when none); HEAD matches a GET route.
 * Otherwise return NULL and fill allow with the comma-separated methods of
 * the routes whose pattern matches the path, HEAD after each GET ("" when
 * none: the path is unknown).
 */
const struct route *router_match(const struct route *routes, size_t n,
    enum http_method method, const char *path, int64_t *id, char *allow, size_t allowsz);

#endif
