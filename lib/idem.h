#ifndef LCM_IDEM_H
#define LCM_IDEM_H

#include <stddef.h>
#include <stdint.h>

#include "app.h"

struct db;

/*
 * Idempotency-Key: a retry of a request (same acting user, same key, same
 * method, path and body) within 24 hours gets the first response again
 * and changes nothing. A key is claimed in its own row before the request
 * runs, so of two requests with one key only one runs; the other is told
 * the first is still running (409) or, once it is done, gets its response.
 * A claim whose request died with its worker is taken over after 90 s
 * (longer than any request may run); the writes are assignments, so
 * running one again changes nothing that was already changed.
 */

enum idem_outcome {
	IDEM_RUN,      /* the key is this request's: run it, then idem_finish() */
	IDEM_REPLAY,   /* done before: answer with the replay */
	IDEM_BUSY,     /* its first request is still running */
	IDEM_REUSED    /* the key was used for another request */
};

/* The first response, borrowed from the database's row storage until the next claim. */
struct idem_replay {
	int status;
	const char *etag;    /* "" when none */
	const char *body;
	size_t body_len;
};

/*
 * Claim key for user's request (request_id, unique), whose method, path
 * and body hash into sha256. APP_OK with *out (and *replay for
 * IDEM_REPLAY), or a database error.
 */
enum app_err idem_claim(struct db *, int64_t user, const char *key,
    const unsigned char sha256[32], const char *request_id, enum idem_outcome *out,
    struct idem_replay *replay);

/*
 * After an IDEM_RUN request: keep its response for the retries, or, for a
 * 5xx (which a retry should not get again), let the key go.
 */
enum app_err idem_finish(struct db *, int64_t user, const char *key, int status,
    const char *etag, const char *body, size_t body_len);

/* SHA-256 of the request a key names: method, path and body. */
enum app_err idem_request_hash(const char *method, const char *path, const char *body,
    size_t body_len, unsigned char out[32]);

#endif
