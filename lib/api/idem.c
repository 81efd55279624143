#include <stdio.h>
#include <string.h>
#include <time.h>


#include "db.h"
#include "idem.h"
#include "log.h"
#include "sha256.h"

#define PURGE_EVERY 100   /* claims between two purges of expired keys, per worker */
#define PENDING_MAX 64    /* releases a worker keeps for later */
#define STALE_MS 90000    /* a running claim this old is taken over (sql.c's 90 s) */
#define KEY_MAX 255       /* the longest key (hdr_idempotency_key) */
#define REQUEST_ID_MAX 80 /* idempotency_keys.request_id */

/* A release idem_finish() could not make, for idem_release_pending(). */
struct pending {
	int64_t user;
	char key[KEY_MAX + 1];
	char request_id[REQUEST_ID_MAX + 1];
	struct timespec since;
};

static struct pending pending[PENDING_MAX];
static size_t npending;

enum app_err
idem_request_hash(const char *method, const char *path, const char *body, size_t body_len,
    unsigned char out[32])
{
	const struct sha256_part parts[] = {
		{method, strlen(method) + 1},
		{path, strlen(path) + 1},
		{body, body_len},
	};

	return sha256_parts(parts, 3, out);
}

enum app_err
idem_claim(struct db *db, int64_t user, const char *key, const unsigned char sha256[32],
    const char *request_id, enum idem_outcome *out, struct idem_replay *r)
{
	static unsigned claims;
	struct db_param p[4];
	const char *have;
	size_t len;
	enum app_err rc;
	int attempt;

	if (++claims % PURGE_EVERY == 0)
		(void)db_exec(db, STMT_IDEM_PURGE, NULL, 0);
	for (attempt = 0; attempt < 3; attempt++) {
		p[0] = DB_P_INT(user);
		p[1] = DB_P_CSTR(key);
		p[2] = DB_P_STR((const char *)sha256, 32);
		p[3] = DB_P_CSTR(request_id);
		if ((rc = db_exec(db, STMT_IDEM_CLAIM, p, 4)) == APP_OK) {
			*out = IDEM_RUN;
			return APP_OK;
		}
		if (rc != APP_EDUP)
			return rc;
		/* Someone has the key: whose request, and how far along? */
		if ((rc = db_row(db, STMT_IDEM_GET, p, 2)) == APP_ENOROW)
			continue;  /* let go in between: claim again */
		if (rc != APP_OK)
			return rc;
		/* Our own claim, whose answer a lost connection kept from us. */
		if (strcmp(db_str(db, STMT_IDEM_GET, IG_REQUEST_ID, NULL), request_id) == 0 &&
		    strcmp(db_str(db, STMT_IDEM_GET, IG_STATE, NULL), "running") == 0) {
			*out = IDEM_RUN;
			return APP_OK;
		}
		if (db_int(db, STMT_IDEM_GET, IG_STALE)) {
			struct db_param t[] = {DB_P_STR((const char *)sha256, 32), DB_P_CSTR(request_id),
			    DB_P_INT(user), DB_P_CSTR(key)};

			if ((rc = db_exec(db, STMT_IDEM_TAKEOVER, t, 4)) != APP_OK)
				return rc;
			if (db_affected(db, STMT_IDEM_TAKEOVER) == 1) {
				*out = IDEM_RUN;
				return APP_OK;
			}
			continue;  /* another request took it over first */
		}
		have = db_str(db, STMT_IDEM_GET, IG_SHA256, &len);
		if (len != 32 || memcmp(have, sha256, 32) != 0) {
			*out = IDEM_REUSED;
			return APP_OK;
		}
		if (strcmp(db_str(db, STMT_IDEM_GET, IG_STATE, NULL), "done") != 0) {
			*out = IDEM_BUSY;
			return APP_OK;
		}
		*out = IDEM_REPLAY;
		r->status = (int)db_int(db, STMT_IDEM_GET, IG_STATUS);
		r->etag = db_str(db, STMT_IDEM_GET, IG_ETAG, NULL);
		r->body = db_str(db, STMT_IDEM_GET, IG_BODY, &r->body_len);
		return APP_OK;
	}
	*out = IDEM_BUSY;
	return APP_OK;
}

/* struct lcm_key's commit for a run. */
static enum app_err
commit_run(struct db *db, void *run)
{
	return idem_commit(db, run);
}

void
idem_run_init(struct idem_run *run, int64_t user, const char *key, const char *request_id)
{
	memset(run, 0, sizeof(*run));
	run->user = user;
	run->key = key;
	run->request_id = request_id;
	run->commit.commit = commit_run;
	run->commit.arg = run;
	resp_init(&run->answer);
}

void
idem_run_free(struct idem_run *run)
{
	resp_free(&run->answer);
}

const struct lcm_key *
idem_key(struct idem_run *run)
{
	return run != NULL ? &run->commit : NULL;
}

int
idem_kept(const struct idem_run *run)
{
	return run != NULL && run->kept;
}

/* *yes when the claim's row holds this request's answer (and so its write). */
static enum app_err
answered(struct db *db, const struct idem_run *run, int *yes)
{
	struct db_param p[] = {DB_P_INT(run->user), DB_P_CSTR(run->key)};
	enum app_err rc;

	*yes = 0;
	if ((rc = db_row(db, STMT_IDEM_GET, p, 2)) == APP_ENOROW)
		return APP_OK;
	if (rc != APP_OK)
		return rc;
	*yes = strcmp(db_str(db, STMT_IDEM_GET, IG_REQUEST_ID, NULL), run->request_id) == 0 &&
	    strcmp(db_str(db, STMT_IDEM_GET, IG_STATE, NULL), "done") == 0;
	return APP_OK;
}

/*
 * Record resp as the answer of run's claim (in the open transaction, or on
 * its own). APP_OK once it is, or was already (a statement run again after
 * a lost connection); APP_EIDEMBUSY with run->gone set when the claim is
 * no longer this request's; or the error.
 */
static enum app_err
keep(struct db *db, struct idem_run *run, const struct response *resp)
{
	struct db_param p[] = {
		DB_P_INT(resp->status),
		resp->etag[0] != '\0' ? DB_P_CSTR(resp->etag) : DB_P_NULL,
		DB_P_STR(resp->body ? resp->body : "", resp->body ? resp->body_len : 0),
		DB_P_INT(run->user),
		DB_P_CSTR(run->key),
		DB_P_CSTR(run->request_id),
	};
	enum app_err rc;
	int yes;

	if ((rc = db_exec(db, STMT_IDEM_DONE, p, 6)) != APP_OK)
		return rc;
	if (db_affected(db, STMT_IDEM_DONE) == 1)
		return APP_OK;
	if ((rc = answered(db, run, &yes)) != APP_OK || yes)
		return rc;
	log_msg(LV_WARN, "idempotency: the claim was taken over by another request");
	run->gone = 1;
	return APP_EIDEMBUSY;
}

enum app_err
idem_commit(struct db *db, struct idem_run *run)
{
	enum app_err rc = APP_EINTERNAL;
	int yes;

	resp_free(&run->answer);
	resp_init(&run->answer);
	if (run->render == NULL || (rc = run->render(run->arg, &run->answer)) != APP_OK ||
	    (rc = keep(db, run, &run->answer)) != APP_OK) {
		db_rollback(db);
		return rc;
	}
	if ((rc = db_commit(db)) == APP_OK) {
		run->kept = 1;
		return APP_OK;
	}
	if (rc != APP_EDBLOST) {
		db_rollback(db);
		return rc;
	}
	/* Lost during COMMIT: the claim's row, committed with the write or not, tells. */
	if (db_fence(db) != APP_OK || answered(db, run, &yes) != APP_OK)
		return APP_EUNKNOWN;
	if (!yes)
		return APP_EDBLOST;
	run->kept = 1;
	return APP_OK;
}

/* Let the claim go (now: even within the database's away pause). */
static enum app_err
release(struct db *db, int64_t user, const char *key, const char *request_id, int now)
{
	struct db_param p[] = {DB_P_INT(user), DB_P_CSTR(key), DB_P_CSTR(request_id)};
	enum app_err rc;

	if (now && (rc = db_ensure_now(db)) != APP_OK)
		return rc;
	return db_exec(db, STMT_IDEM_RELEASE, p, 3);
}

/* Keep a release for idem_release_pending(); the oldest gives way when full. */
static void
pend(const struct idem_run *run)
{
	struct pending *q;

	if (npending == PENDING_MAX) {
		log_msg(LV_WARN, "idempotency: too many claims waiting to be let go: the oldest "
		    "is left to the takeover");
		memmove(pending, pending + 1, (PENDING_MAX - 1) * sizeof(*pending));
		npending--;
	}
	q = &pending[npending++];
	q->user = run->user;
	snprintf(q->key, sizeof(q->key), "%s", run->key);
	snprintf(q->request_id, sizeof(q->request_id), "%s", run->request_id);
	clock_gettime(CLOCK_MONOTONIC, &q->since);
}

void
idem_finish(struct db *db, struct idem_run *run, struct response *resp)
{
	enum app_err rc;

	if (run->kept || run->gone)
		return;
	if (resp->status < 500) {
		if ((rc = keep(db, run, resp)) == APP_OK || run->gone)
			return;
		/* Not kept: not the answer. Nothing was written under it. */
		log_msg(LV_WARN, "idempotency: the answer (%d) could not be kept (%s): answering "
		    "the failure", resp->status, app_err_name(rc));
		resp_free(resp);
		resp->etag[0] = '\0';
		resp_from_err(resp, rc == APP_EDBLOST ? APP_EUNAVAIL :
		    app_err_status(rc) >= 500 ? rc : APP_EDB);
	}
	if ((rc = release(db, run->user, run->key, run->request_id, 1)) == APP_OK)
		return;
	log_msg(LV_WARN, "idempotency: the claim of a %d could not be let go (%s): this worker "
	    "tries again between requests", resp->status, app_err_name(rc));
	pend(run);
}

/* Milliseconds since *t (CLOCK_MONOTONIC). */
static long
ms_since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t->tv_sec) * 1000L + (now.tv_nsec - t->tv_nsec) / 1000000L;
}

void
idem_release_pending(struct db *db, int now)
{
	enum app_err rc;
	size_t i = 0;

	while (i < npending) {
		if (ms_since(&pending[i].since) >= STALE_MS)
			log_msg(LV_WARN, "idempotency: a claim could not be let go in %d s: a retry "
			    "takes it over", STALE_MS / 1000);
		else if ((rc = release(db, pending[i].user, pending[i].key, pending[i].request_id,
		    now)) == APP_EDBLOST)
			return;  /* still away: the others wait too */
		else if (rc != APP_OK) {
			i++;
			continue;
		}
		memmove(pending + i, pending + i + 1, (npending - i - 1) * sizeof(*pending));
		npending--;
	}
}
