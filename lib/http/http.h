#ifndef LCM_HTTP_H
#define LCM_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "app.h"

struct json_object;
struct db;
struct idem_run;

#define HTTP_BODY_MAX (APP_BODY_MAX_MIB * 1024 * 1024)  /* larger request bodies are refused */
#define HTTP_FILE_BODY_MAX (APP_FILE_BODY_MAX_MIB * 1024 * 1024)  /* a file's (ROUTE_FILE) */

enum http_method {
	M_GET,
	M_POST,
	M_PUT,
	M_DELETE,
	M_HEAD,      /* routed as GET; the front end sends no body */
	M_OTHER,
	M__MAX
};

/*
 * A request as the handlers see it: no FastCGI in it. The front end fills
 * the HTTP part; the dispatcher fills db, the authenticated user and the
 * parsed body before a handler runs.
 */
struct request {
	enum http_method method;
	const char *path;          /* decoded path, no query string */
	int encoded_slash;         /* the raw path had %2F: it names no resource */
	const char *query;         /* raw query string, "" when none */
	const char *content_type;  /* NULL when absent */
	const char *token;         /* X-User-Token, NULL when absent */
	const char *if_match;      /* If-Match, NULL when absent */
	const char *if_none_match; /* If-None-Match, NULL when absent */
	const char *idempotency_key;  /* Idempotency-Key, NULL when absent */
	const char *twice;         /* the name of a header sent twice that must be once, or NULL */
	const char *request_id;    /* from nginx, "" when none */
	const char *body;          /* NUL-terminated, may be NULL */
	size_t body_len;
	int body_too_big;          /* the front end stopped reading at the cap */

	/* Set by the dispatcher. */
	struct db *db;
	struct auth_cache *auth;        /* the worker's, or NULL */
	int64_t user_id;                /* authenticated user, 0 when none */
	int64_t path_id;                /* the :id of the route, 0 when none */
	const void *route_data;         /* the matched route's data */
	struct json_object *json;       /* parsed body (an object), or NULL */
	struct idem_run *idem;          /* the Idempotency-Key it runs under (its claim), or NULL */
};

/* Where a streamed body goes: write() returns 0, or -1 once the client is gone. */
struct sink {
	int (*write)(void *arg, const char *s, size_t n);
	void *arg;
};

/*
 * A body too large to hold (the CSV export): the front end calls
 * produce(), which writes to the sink as it reads; the headers (200) go
 * with the first bytes. produce() returns APP_OK when done or when the
 * client left, else the error that stopped it: an error response when
 * nothing was written yet, else the front end ends the response broken, so
 * that the client learns the body is incomplete. release() frees ctx
 * either way.
 */
struct stream {
	enum app_err (*produce)(void *ctx, struct db *, const struct sink *);
	void (*release)(void *ctx);
	void *ctx;
	const char *content_type;
	char filename[64];   /* Content-Disposition: attachment, "" for none */
};

/*
 * A response: status, the few headers we ever send, and a body that is
 * JSON, or a stream. The body is owned by the response.
 */
struct response {
	int status;          /* 304 has no body */
	char allow[64];      /* Allow header for 405, "" when none */
	int retry_after;     /* seconds, 0 when none */
	char etag[32];       /* ETag, quoted, "" when none */
	int replayed;        /* Idempotent-Replayed: true */
	struct stream stream;  /* stream.produce set: the body is streamed */
	char *body;
	size_t body_len;
};

/* Reset to the pessimistic start: 500, no headers, no body. */
void resp_init(struct response *);

/* Release the body; safe on an initialised or already freed response. */
void resp_free(struct response *);

/*
 * Serialise obj as the body with the given status. Takes ownership of obj
 * (it is released, success or not). Returns APP_OK or APP_ENOMEM.
 */
enum app_err resp_json(struct response *, int status, struct json_object *obj);

/* {"errors": [msg]} with status. Returns APP_OK or APP_ENOMEM. */
enum app_err resp_error(struct response *, int status, const char *msg);

/*
 * {"errors": [...]} with status from a json array of strings; takes
 * ownership of errors. Returns APP_OK or APP_ENOMEM.
 */
enum app_err resp_errors(struct response *, int status, struct json_object *errors);

/* ETag: the quoted version of a case load. */
void resp_set_etag(struct response *, int64_t version);

/* 304 Not Modified: no body. */
void resp_not_modified(struct response *);

/* status with this body (copied). APP_OK or APP_ENOMEM. */
enum app_err resp_raw(struct response *, int status, const char *body, size_t len);

/* The error envelope for an app_err, with Retry-After for 503s. */
void resp_from_err(struct response *, enum app_err);

/*
 * Non-zero when the path of a raw request URI (what precedes any '?')
 * holds an encoded slash, %2F or %2f. Such a slash is data, not a
 * separator, and no route has a segment with a slash in it: the path names
 * no resource, whatever its decoded form would route to.
 */
int http_uri_has_encoded_slash(const char *request_uri);

/* Method from its name; M_OTHER for anything we do not route. */
enum http_method http_method_parse(const char *);

/* Name of a method, "" for M_OTHER. */
const char *http_method_name(enum http_method);

/* Reason phrase for a status code. */
const char *http_status_text(int status);

/*
 * The JSON of an error answer, which every layer that answers builds:
 * {"errors": [...]} around an array of strings (taken; NULL when memory
 * ran out); a new array, or NULL; an item (taken) or a copy of s appended
 * to it: APP_OK or APP_ENOMEM (the item freed).
 */
struct json_object *json_errors(struct json_object *errors);
struct json_object *json_list(void);
enum app_err json_list_add(struct json_object *list, struct json_object *item);
enum app_err json_list_add_string(struct json_object *list, const char *s);

#endif
