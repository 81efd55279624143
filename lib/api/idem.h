#ifndef LCM_IDEM_H
#define LCM_IDEM_H

#include <stddef.h>
#include <stdint.h>

#include "app.h"
#include "http.h"
#include "lcm.h"

struct db;

/*
 * Idempotency-Key: a retry of a request (same acting user, same key, same
 * method, path and body) within 24 hours gets the first response again
 * and changes nothing. A key is claimed in its own row before the request
 * runs, so of two requests with one key only one runs; the other is told
 * the first is still running (409) or, once it is done, gets its response.
 *
 * A write keeps its answer in its own transaction (idem_commit()): the
 * write and the answer a retry replays commit together or not at all, so
 * no retry, takeover or not, can apply a keyed write a second time. A
 * request that wrote nothing has its answer kept after it
 * (idem_finish()); when that fails, it is not answered as if kept: it
 * becomes a 5xx. A 5xx is not kept: the claim goes before the answer does
 * (or, when the database cannot be reached, as soon as it can: see
 * idem_release_pending()), so the retry it invites runs at once. A claim
 * whose request died with its worker is taken over after 90 s (longer than
 * any request may run): such a request committed nothing.
 */

enum idem_outcome {
	IDEM_RUN,      /* the key is this request's: run it (struct idem_run), then idem_finish() */
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
 * A request running under its claim (IDEM_RUN). The handler sets render
 * and arg before its write; the write calls idem_commit() in place of its
 * COMMIT.
 */
struct idem_run {
	int64_t user;
	const char *key;
	const char *request_id;
	/* Render into answer the response of the write about to commit, from arg. */
	enum app_err (*render)(void *arg, struct response *answer);
	void *arg;
	struct response answer;   /* what idem_commit() kept */
	int kept;                 /* answer was committed with the write: it is the response */
	int gone;                 /* the claim is no longer this request's (taken over) */
	struct lcm_key commit;    /* idem_commit() of this run, for struct lcm_actor */
};

/* Start run for the claim of key (borrowed strings, which must outlive it). */
void idem_run_init(struct idem_run *, int64_t user, const char *key, const char *request_id);

/* Release run's answer; safe to call twice. */
void idem_run_free(struct idem_run *);

/* What ends a write under run (NULL: none) in place of COMMIT: idem_commit(). */
const struct lcm_key *idem_key(struct idem_run *);

/* Non-zero when run (NULL: none) had its answer committed with its write. */
int idem_kept(const struct idem_run *);

/*
 * COMMIT the open transaction with run's answer: render it, record it in
 * the claim's row, commit both. APP_OK with run->kept set. Before COMMIT a
 * failure is returned with the transaction rolled back (APP_EIDEMBUSY with
 * run->gone set when the claim is no longer this request's). A COMMIT lost
 * on the wire is settled by the claim's row once the session that ran it is
 * over (db_fence()): APP_OK (committed) or APP_EDBLOST (not: nothing of
 * the transaction was applied); APP_EUNKNOWN when that cannot be learnt.
 */
enum app_err idem_commit(struct db *, struct idem_run *);

/*
 * After the request: unless its write kept it, keep resp for the retries,
 * or, for a 5xx (which a retry should not get again), let the claim go
 * before resp is sent, reconnecting if need be even within the database's
 * away pause; a release that fails waits in this worker for
 * idem_release_pending(). When resp cannot be kept, it becomes the 5xx of
 * why (nothing was written under it) and the claim goes. Touches the claim
 * only while it is this request's.
 */
void idem_finish(struct db *, struct idem_run *, struct response *resp);

/*
 * Make the releases idem_finish() could not (a database away or refusing),
 * oldest first; now: even within the database's away pause (the worker is
 * stopping). A release is given up once its claim is 90 s old: a retry
 * takes such a claim over. Between requests, when idle and at exit.
 */
void idem_release_pending(struct db *, int now);

/* SHA-256 of the request a key names: method, path and body. */
enum app_err idem_request_hash(const char *method, const char *path, const char *body,
    size_t body_len, unsigned char out[32]);

#endif
